package models

import "time"

// Notification statuses after NotificationPending (models/directive.go).
// The dispatcher moves a pending notification to dispatched once its
// delivery workflow has been started; the delivery workflow ends it as
// delivered (every delivery sent or skipped) or failed (at least one
// delivery failed for good).
const (
	NotificationDispatched = "dispatched"
	NotificationDelivered  = "delivered"
	NotificationFailed     = "failed"
)

// DeliveryStatus is the state of one delivery of a notification over one
// channel to one recipient.
type DeliveryStatus string

// Delivery states: pending until the message has been handed over (sent),
// given up on for good (failed, with LastError saying why), or found
// unnecessary (skipped, e.g. a webhook deactivated in the meantime).
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
	DeliverySkipped DeliveryStatus = "skipped"
)

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery is one message of one notification over one channel to one
// recipient. ID is NotificationID + "/" + Channel + "/" + Recipient, so
// preparing a delivery twice yields one row, and the row is the record a
// retried send consults before sending again. Recipient is the e-mail
// address, or the webhook ID in decimal. Attempts counts send attempts;
// MessageID is the Message-ID header of a sent e-mail.
type Delivery struct {
	ID             string         `gorm:"primaryKey;size:700"`
	NotificationID string         `gorm:"size:255;not null;index"`
	Channel        string         `gorm:"size:16;not null"`
	Recipient      string         `gorm:"size:320;not null"`
	Status         DeliveryStatus `gorm:"size:16;not null;index:idx_deliveries_status"`
	Attempts       int            `gorm:"not null"`
	LastError      string         `gorm:"type:text;not null"`
	SentAt         *time.Time
	MessageID      string    `gorm:"size:255;not null"`
	CreatedAt      time.Time `gorm:"not null;index:idx_deliveries_status"`
	UpdatedAt      time.Time `gorm:"not null"`
}

// InboxItem is one notification as it appears in one account's in-app
// inbox. ID is derived from NotificationID and AccountID (see
// notify.InboxItemID), so writing it twice yields one row; it is opaque and
// URL-safe because the API addresses items by it. ReadAt is NULL while
// unread.
type InboxItem struct {
	ID             string    `gorm:"primaryKey;size:64"`
	NotificationID string    `gorm:"size:255;not null;index"`
	AccountID      int64     `gorm:"not null;index:idx_inbox_items_account"`
	Kind           string    `gorm:"size:64;not null"`
	Title          string    `gorm:"type:text;not null"`
	Body           string    `gorm:"type:text;not null"`
	Link           string    `gorm:"type:text;not null"`
	CreatedAt      time.Time `gorm:"not null;index:idx_inbox_items_account"`
	ReadAt         *time.Time
}

// Webhook is an HTTP endpoint that receives notifications as signed JSON
// POSTs. UnitCode nil means organisation-wide (every notification);
// otherwise the notifications addressed to that unit. Secret is the
// HMAC-SHA256 key of the X-Tidtam-Signature header; it is kept in clear
// because signing needs it, and the API shows it only once, on creation.
type Webhook struct {
	ID        int64     `gorm:"primaryKey"`
	UnitCode  *string   `gorm:"size:32;index"`
	URL       string    `gorm:"type:text;not null"`
	Secret    string    `gorm:"size:128;not null"`
	Active    bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// DevMail is one e-mail kept in the development mailbox instead of being
// sent, when no SMTP server is configured. ID is the delivery ID, so a
// retried delivery stores the message once. ToAddress is the recipient
// (the column is not named "to", a reserved word in SQL); Raw is the whole
// RFC 5322 message as it would have been sent.
type DevMail struct {
	ID        string    `gorm:"primaryKey;size:700"`
	MessageID string    `gorm:"size:255;not null;index"`
	ToAddress string    `gorm:"size:320;not null"`
	Subject   string    `gorm:"type:text;not null"`
	Text      string    `gorm:"type:text;not null"`
	HTML      string    `gorm:"type:text;not null"`
	Raw       string    `gorm:"type:text;not null"`
	CreatedAt time.Time `gorm:"not null;index"`
}

// TableName keeps the table name the migration creates (GORM would
// pluralise it to dev_mails).
func (DevMail) TableName() string { return "dev_mailbox" }
