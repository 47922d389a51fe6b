package models

import "time"

// AuditChainHead is the end of one audit hash chain: the id and hash of
// the last row appended to Chain (the table name, "audit_events"). Appends
// lock this row (SELECT … FOR UPDATE on PostgreSQL; SQLite has a single
// writer), so two transactions never chain to the same predecessor, and
// verification compares the table's last row with it, so rows deleted from
// the end of the chain are noticed. LastID 0 and LastHash of 64 zeros mean
// an empty chain.
type AuditChainHead struct {
	Chain     string    `gorm:"primaryKey;size:64"`
	LastID    int64     `gorm:"not null"`
	LastHash  string    `gorm:"size:64;not null"`
	UpdatedAt time.Time `gorm:"not null"`
}
