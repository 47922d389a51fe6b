package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 4, Name: "idempotency_keys", Up: migrateIdempotency})
}

// migrateIdempotency creates idempotency_keys: one row per (account, key)
// holding the request's fingerprint and, once the request finished, the
// response to replay for a repeated POST.
func migrateIdempotency(tx *gorm.DB) error {
	stmts := []string{
		fmt.Sprintf(`CREATE TABLE idempotency_keys (
  account_id BIGINT NOT NULL,
  idem_key VARCHAR(255) NOT NULL,
  method VARCHAR(8) NOT NULL,
  path VARCHAR(512) NOT NULL,
  request_hash VARCHAR(64) NOT NULL,
  status_code INTEGER NOT NULL DEFAULT 0,
  response_body TEXT NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  completed_at %[1]s NULL,
  PRIMARY KEY (account_id, idem_key)
)`, timestampType(tx)),
		`CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
