package store

import "gorm.io/gorm"

func init() {
	Register(Migration{Version: 12, Name: "notification_rounds", Up: migrateNotificationRounds})
}

// migrateNotificationRounds adds notifications.round: 0 for the first
// delivery of a notification, one more each time an admin retries its
// failed deliveries, so that every round has its own delivery workflow ID
// (notify.DeliveryWorkflowID). Conventions as in 0001–0011.
func migrateNotificationRounds(tx *gorm.DB) error {
	return tx.Exec(`ALTER TABLE notifications ADD COLUMN round INTEGER NOT NULL DEFAULT 0`).Error
}
