package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 8, Name: "accounts_tokens", Up: migrateAccountsTokens})
}

// legacyAPITokenGrace is how long API tokens issued before migration 8
// (which had no expiry) stay valid once it runs: long enough for every
// integration to be given a new, expiring token.
const legacyAPITokenGrace = 90 * 24 * time.Hour

// migrateAccountsTokens adds what account administration and scoped,
// expiring API tokens need:
//
//   - accounts.can_create_tokens: an admin lets an account of any role mint
//     API tokens (admin and secretariat may always);
//   - api_tokens.prefix: the start of the token in clear, so tokens can be
//     listed and told apart without their secret (empty for older tokens,
//     whose secret was never kept);
//   - api_tokens.scope: read_write (every existing token, so nothing that
//     works stops working) or read_only;
//   - login_failures: failed sign-ins within the throttling window, per
//     tried username and per client address;
//
// and gives API tokens issued before it (which never expired) an expiry
// legacyAPITokenGrace after the migration runs, so no token outlives the
// one-year maximum by much. Conventions as in 0001–0007.
func migrateAccountsTokens(tx *gorm.DB) error {
	id := autoIDType(tx)
	ts := timestampType(tx)
	stmts := []string{
		`ALTER TABLE accounts ADD COLUMN can_create_tokens BOOLEAN NOT NULL DEFAULT FALSE`,
		`ALTER TABLE api_tokens ADD COLUMN prefix VARCHAR(16) NOT NULL DEFAULT ''`,
		`ALTER TABLE api_tokens ADD COLUMN scope VARCHAR(16) NOT NULL DEFAULT 'read_write'`,
		fmt.Sprintf(`CREATE TABLE login_failures (
  id %[1]s,
  username VARCHAR(64) NOT NULL,
  address VARCHAR(64) NOT NULL,
  at %[2]s NOT NULL
)`, id, ts),
		`CREATE INDEX idx_login_failures_username ON login_failures (username, at)`,
		`CREATE INDEX idx_login_failures_address ON login_failures (address, at)`,
		`CREATE INDEX idx_login_failures_at ON login_failures (at)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`UPDATE api_tokens SET expires_at = ? WHERE kind = 'api' AND expires_at IS NULL AND revoked_at IS NULL`,
		time.Now().UTC().Add(legacyAPITokenGrace)).Error
}
