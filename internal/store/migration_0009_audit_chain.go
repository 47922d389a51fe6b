package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 9, Name: "audit_chain", Up: migrateAuditChain})
}

// migrateAuditChain makes the audit trail tamper-evident:
//
//   - audit_events.prev_hash and .hash: every row carries the hash of the
//     row before it and its own (AuditHash: SHA-256 over a canonical
//     encoding of every column, prev_hash included);
//   - audit_chain_heads: one row per chain (AuditChain) with the id and
//     hash of its last row, which appends lock and verification compares
//     the table's end with;
//
// and chains the rows written before it, in id order. The unique index on
// prev_hash, created once they are chained, keeps two rows from ever
// naming the same predecessor. Conventions as in 0001–0008.
func migrateAuditChain(tx *gorm.DB) error {
	stmts := []string{
		`ALTER TABLE audit_events ADD COLUMN prev_hash VARCHAR(64) NOT NULL DEFAULT ''`,
		`ALTER TABLE audit_events ADD COLUMN hash VARCHAR(64) NOT NULL DEFAULT ''`,
		fmt.Sprintf(`CREATE TABLE audit_chain_heads (
  chain VARCHAR(64) NOT NULL PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash VARCHAR(64) NOT NULL,
  updated_at %s NOT NULL
)`, timestampType(tx)),
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	if err := chainAuditRows(tx); err != nil {
		return err
	}
	return tx.Exec(`CREATE UNIQUE INDEX idx_audit_events_prev_hash ON audit_events (prev_hash)`).Error
}
