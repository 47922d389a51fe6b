package models

import "time"

// Role is what an account may do; scope comes from its unit or regions.
type Role string

// Account roles. Scope rules: secretariat and admin see everything; province
// sees its own centre and the districts under it; district sees its own
// centre; inspector sees the units of its inspection regions; observer reads
// everything and writes nothing.
const (
	RoleAdmin       Role = "admin"
	RoleSecretariat Role = "secretariat"
	RoleProvince    Role = "province"
	RoleDistrict    Role = "district"
	RoleInspector   Role = "inspector"
	RoleObserver    Role = "observer"
)

// Account is a person or integration that signs in. PasswordHash is an
// encoded argon2id or bcrypt hash, never the password.
type Account struct {
	ID           int64  `gorm:"primaryKey"`
	Username     string `gorm:"size:64;not null;uniqueIndex"`
	PasswordHash string `gorm:"size:255;not null"`
	Role         Role   `gorm:"size:16;not null"`
	// UnitCode is required for province and district accounts and optional
	// otherwise.
	UnitCode    *string `gorm:"size:32;index"`
	DisplayName string  `gorm:"size:255;not null"`
	Email       string  `gorm:"size:255;not null"`
	// Position records the holder's office, e.g. "governor", "vice_governor",
	// "palad" (ปลัดจังหวัด); escalations to a province head use it.
	Position string `gorm:"size:32;not null"`
	Disabled bool   `gorm:"not null;default:false"`
	// CanCreateTokens lets an account of any role mint API tokens; admin
	// and secretariat accounts may whatever its value. An admin sets it.
	CanCreateTokens bool      `gorm:"not null;default:false"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
	// Regions lists the inspection regions of an inspector account.
	Regions []AccountRegion `gorm:"foreignKey:AccountID;constraint:OnDelete:CASCADE"`
}

// AccountRegion gives an inspector account one inspection region (1–18, or
// 0 for Bangkok).
type AccountRegion struct {
	AccountID int64 `gorm:"primaryKey"`
	Region    int   `gorm:"primaryKey"`
}

// APIToken is a bearer token. Only the SHA-256 of the token is stored. Kind
// "session" tokens come from login and expire after the session lifetime;
// kind "api" tokens are for integrations and expire at ExpiresAt (at most a
// year after creation) unless revoked first.
type APIToken struct {
	ID        int64  `gorm:"primaryKey"`
	AccountID int64  `gorm:"not null;index"`
	Name      string `gorm:"size:128;not null"`
	Kind      string `gorm:"size:16;not null"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	// Prefix is the start of the token ("tdt_" and 8 more characters),
	// kept in clear so a person can tell tokens apart; empty for tokens
	// issued before it was recorded.
	Prefix string `gorm:"size:16;not null;default:''"`
	// Scope is "read_write" or "read_only"; a read-only token may only
	// read (GET and HEAD).
	Scope      string `gorm:"size:16;not null;default:'read_write'"`
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time `gorm:"not null"`
}

// LoginFailure is one failed sign-in (or a wrong current password when
// changing it), kept for the sliding throttling window: Username is the
// name tried, lowercased, whether or not such an account exists; Address
// is the client's IP address, empty when unknown. Rows older than the
// window are deleted as new failures arrive.
type LoginFailure struct {
	ID       int64     `gorm:"primaryKey"`
	Username string    `gorm:"size:64;not null;index:idx_login_failures_username,priority:1"`
	Address  string    `gorm:"size:64;not null;index:idx_login_failures_address,priority:1"`
	At       time.Time `gorm:"not null;index:idx_login_failures_username,priority:2;index:idx_login_failures_address,priority:2;index"`
}

// AuditEvent is one row of the append-only audit trail: who did what to
// which entity, when, with the state before and after as JSON. The rows
// form a hash chain (store.RecordAudit writes them, store.VerifyAudit
// walks them): PrevHash is the Hash of the row before it in id order (64
// zeros for the first), Hash the hex SHA-256 of the row's canonical
// encoding, PrevHash included.
type AuditEvent struct {
	ID         int64     `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	Actor      string    `gorm:"size:64;not null"`
	Action     string    `gorm:"size:64;not null"`
	EntityType string    `gorm:"size:32;not null;index:idx_audit_entity"`
	EntityID   string    `gorm:"size:191;not null;index:idx_audit_entity"`
	Before     string    `gorm:"type:text;not null"`
	After      string    `gorm:"type:text;not null"`
	RequestID  string    `gorm:"size:64;not null"`
	PrevHash   string    `gorm:"size:64;not null;uniqueIndex:idx_audit_events_prev_hash"`
	Hash       string    `gorm:"size:64;not null"`
}
