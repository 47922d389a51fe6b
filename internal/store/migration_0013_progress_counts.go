package store

import "gorm.io/gorm"

func init() {
	Register(Migration{Version: 13, Name: "progress_counts", Up: migrateProgressCounts})
}

// migrateProgressCounts creates progress_counts (models.ProgressCount),
// the dashboards' incremental counters, and fills them from the
// assignments already recorded (RebuildProgress). Conventions as in
// 0001–0012.
func migrateProgressCounts(tx *gorm.DB) error {
	if err := tx.Exec(`CREATE TABLE progress_counts (
  directive_id VARCHAR(128) NOT NULL,
  province_code VARCHAR(32) NOT NULL,
  bucket VARCHAR(32) NOT NULL,
  due_key VARCHAR(32) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (directive_id, province_code, bucket, due_key)
)`).Error; err != nil {
		return err
	}
	return RebuildProgress(tx)
}
