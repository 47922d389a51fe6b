package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 1, Name: "foundation", Up: migrateFoundation})
}

// migrateFoundation creates the tables of the structs in models/ as of the
// first release. The DDL is written out rather than derived with
// AutoMigrate so that the schema is reviewed, identical in meaning on both
// databases, and never changes behind a release's back. Index names are the
// ones GORM derives from the struct tags, so the Migrator sees the same
// schema the tags describe (the schema test checks this).
//
// Text columns of non-pointer Go strings are NOT NULL with the empty string
// as default: Go cannot scan NULL into a string, and rows written by hand
// then still read back.
//
// Deleting an account deletes its inspection regions and API tokens (they
// mean nothing without it); deleting a unit that still has child units is
// refused.
func migrateFoundation(tx *gorm.DB) error {
	id := autoIDType(tx)
	ts := timestampType(tx)
	statements := []string{
		fmt.Sprintf(`CREATE TABLE units (
  code VARCHAR(32) NOT NULL PRIMARY KEY,
  type VARCHAR(16) NOT NULL,
  name_th VARCHAR(255) NOT NULL,
  name_en VARCHAR(255) NOT NULL,
  parent_code VARCHAR(32) NULL,
  iso_code VARCHAR(16) NOT NULL DEFAULT '',
  inspection_region INTEGER NULL,
  email VARCHAR(255) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_units_parent FOREIGN KEY (parent_code) REFERENCES units (code)
)`, ts),
		`CREATE INDEX idx_units_type ON units (type)`,
		`CREATE INDEX idx_units_parent_code ON units (parent_code)`,
		`CREATE INDEX idx_units_inspection_region ON units (inspection_region)`,

		fmt.Sprintf(`CREATE TABLE holidays (
  date VARCHAR(10) NOT NULL PRIMARY KEY,
  name_th VARCHAR(255) NOT NULL,
  name_en VARCHAR(255) NOT NULL,
  updated_at %s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts),

		fmt.Sprintf(`CREATE TABLE accounts (
  id %[1]s,
  username VARCHAR(64) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(16) NOT NULL,
  unit_code VARCHAR(32) NULL,
  display_name VARCHAR(255) NOT NULL DEFAULT '',
  email VARCHAR(255) NOT NULL DEFAULT '',
  position VARCHAR(32) NOT NULL DEFAULT '',
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at %[2]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[2]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, id, ts),
		`CREATE UNIQUE INDEX idx_accounts_username ON accounts (username)`,
		`CREATE INDEX idx_accounts_unit_code ON accounts (unit_code)`,

		`CREATE TABLE account_regions (
  account_id BIGINT NOT NULL,
  region INTEGER NOT NULL,
  PRIMARY KEY (account_id, region),
  CONSTRAINT fk_accounts_regions FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
)`,

		fmt.Sprintf(`CREATE TABLE api_tokens (
  id %[1]s,
  account_id BIGINT NOT NULL,
  name VARCHAR(128) NOT NULL DEFAULT '',
  kind VARCHAR(16) NOT NULL,
  token_hash VARCHAR(64) NOT NULL,
  expires_at %[2]s NULL,
  last_used_at %[2]s NULL,
  revoked_at %[2]s NULL,
  created_at %[2]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_api_tokens_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
)`, id, ts),
		`CREATE INDEX idx_api_tokens_account_id ON api_tokens (account_id)`,
		`CREATE UNIQUE INDEX idx_api_tokens_token_hash ON api_tokens (token_hash)`,

		fmt.Sprintf(`CREATE TABLE audit_events (
  id %[1]s,
  at %[2]s NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(64) NOT NULL,
  entity_type VARCHAR(32) NOT NULL,
  entity_id VARCHAR(191) NOT NULL,
  before TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  request_id VARCHAR(64) NOT NULL DEFAULT ''
)`, id, ts),
		`CREATE INDEX idx_audit_events_at ON audit_events (at)`,
		`CREATE INDEX idx_audit_entity ON audit_events (entity_type, entity_id)`,
	}
	for _, s := range statements {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}
