package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 3, Name: "notifications", Up: migrateNotifications})
}

// migrateNotifications creates the tables of models/notification.go: the
// per-recipient deliveries of each notification (the record that makes a
// retried send a no-op), the in-app inbox, the webhook endpoints, and the
// development mailbox that stands in for SMTP when none is configured.
//
// Conventions as in 0001 and 0002: non-pointer Go strings are NOT NULL
// with an empty-string default, index names are the ones GORM derives
// from the struct tags, DDL indented with spaces. Deleting an account deletes its inbox; deleting
// a unit that still has webhooks is refused. deliveries and inbox_items do
// not reference notifications: the admin alerts about a broken SMTP set-up
// live in the inbox without a notification row.
func migrateNotifications(tx *gorm.DB) error {
	id := autoIDType(tx)
	ts := timestampType(tx)
	statements := []string{
		fmt.Sprintf(`CREATE TABLE deliveries (
  id VARCHAR(700) NOT NULL PRIMARY KEY,
  notification_id VARCHAR(255) NOT NULL,
  channel VARCHAR(16) NOT NULL,
  recipient VARCHAR(320) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  sent_at %[1]s NULL,
  message_id VARCHAR(255) NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts),
		`CREATE INDEX idx_deliveries_notification_id ON deliveries (notification_id)`,
		`CREATE INDEX idx_deliveries_status ON deliveries (status, created_at)`,

		fmt.Sprintf(`CREATE TABLE inbox_items (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  notification_id VARCHAR(255) NOT NULL,
  account_id BIGINT NOT NULL,
  kind VARCHAR(64) NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  read_at %[1]s NULL,
  CONSTRAINT fk_inbox_items_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
)`, ts),
		`CREATE INDEX idx_inbox_items_notification_id ON inbox_items (notification_id)`,
		`CREATE INDEX idx_inbox_items_account ON inbox_items (account_id, created_at)`,

		fmt.Sprintf(`CREATE TABLE webhooks (
  id %[1]s,
  unit_code VARCHAR(32) NULL,
  url TEXT NOT NULL,
  secret VARCHAR(128) NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at %[2]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_webhooks_unit FOREIGN KEY (unit_code) REFERENCES units (code)
)`, id, ts),
		`CREATE INDEX idx_webhooks_unit_code ON webhooks (unit_code)`,

		fmt.Sprintf(`CREATE TABLE dev_mailbox (
  id VARCHAR(700) NOT NULL PRIMARY KEY,
  message_id VARCHAR(255) NOT NULL,
  to_address VARCHAR(320) NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  html TEXT NOT NULL DEFAULT '',
  raw TEXT NOT NULL DEFAULT '',
  created_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, ts),
		`CREATE INDEX idx_dev_mailbox_message_id ON dev_mailbox (message_id)`,
		`CREATE INDEX idx_dev_mailbox_created_at ON dev_mailbox (created_at)`,
	}
	for _, s := range statements {
		if err := tx.Exec(s).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}
