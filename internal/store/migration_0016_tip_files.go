package store

import (
	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 16, Name: "tip_files", Up: migrateTipFiles})
}

// migrateTipFiles creates tip_files (models.TipFile): the informant's
// photos and documents of a tip (issue #15), name and content sealed
// (base64 of NaCl secretbox) in the database like the tip's texts, never
// in the data folder. Deleting a tip deletes its files.
func migrateTipFiles(tx *gorm.DB) error {
	return tx.Exec(`CREATE TABLE tip_files (
  tip_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  name_sealed VARCHAR(800) NOT NULL,
  content_type VARCHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  data_sealed TEXT NOT NULL,
  PRIMARY KEY (tip_id, seq),
  CONSTRAINT fk_tip_files_tip FOREIGN KEY (tip_id) REFERENCES tips (id) ON DELETE CASCADE
)`).Error
}
