package models

import "time"

// IdempotencyKey remembers one POST made with an Idempotency-Key header so
// that a repeat (a client retry after a timeout) gets the first answer
// instead of doing the work twice. StatusCode 0 means the first request is
// still running.
type IdempotencyKey struct {
	AccountID    int64     `gorm:"primaryKey;autoIncrement:false"`
	Key          string    `gorm:"column:idem_key;primaryKey;size:255"`
	Method       string    `gorm:"size:8;not null"`
	Path         string    `gorm:"size:512;not null"`
	RequestHash  string    `gorm:"size:64;not null"`
	StatusCode   int       `gorm:"not null"`
	ResponseBody string    `gorm:"type:text;not null"`
	CreatedAt    time.Time `gorm:"not null;index"`
	CompletedAt  *time.Time
}
