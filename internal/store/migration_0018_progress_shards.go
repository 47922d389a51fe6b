package store

import "gorm.io/gorm"

func init() {
	Register(Migration{Version: 18, Name: "progress_shards", Up: migrateProgressShards})
}

// migrateProgressShards adds the shard column to progress_counts' key
// (models.ProgressCount.Shard, ProgressShards): the table is replaced by
// one with the new key (SQLite cannot change a primary key in place) and
// the counters are computed afresh from the assignments recorded
// (RebuildProgress, all in shard 0), which also fills them for a database
// whose assignments predate migration 13.
func migrateProgressShards(tx *gorm.DB) error {
	for _, stmt := range []string{
		`DROP TABLE progress_counts`,
		`CREATE TABLE progress_counts (
  directive_id VARCHAR(128) NOT NULL,
  province_code VARCHAR(32) NOT NULL,
  bucket VARCHAR(32) NOT NULL,
  due_key VARCHAR(32) NOT NULL,
  shard SMALLINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (directive_id, province_code, bucket, due_key, shard)
)`,
	} {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return RebuildProgress(tx)
}
