package store

import "gorm.io/gorm"

func init() {
	Register(Migration{Version: 13, Name: "progress_counts", Up: migrateProgressCounts})
}

// migrateProgressCounts creates progress_counts (models.ProgressCount),
// the dashboards' incremental counters. Conventions as in 0001–0012. It
// used to fill them from the assignments already recorded; migration 18
// rebuilds the table with a shard column and does that fill
// (RebuildProgress), so a database that had run 13 and one that had not
// end the same.
func migrateProgressCounts(tx *gorm.DB) error {
	return tx.Exec(`CREATE TABLE progress_counts (
  directive_id VARCHAR(128) NOT NULL,
  province_code VARCHAR(32) NOT NULL,
  bucket VARCHAR(32) NOT NULL,
  due_key VARCHAR(32) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (directive_id, province_code, bucket, due_key)
)`).Error
}
