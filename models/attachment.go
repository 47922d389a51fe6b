package models

import "time"

// DirectiveAttachment is one file attached to a directive: the letter
// itself or one of its annexes. The bytes are stored content-addressed
// under StoragePath (relative to the data directory, shared with report
// evidence); a directive holds each content once (unique DirectiveID,
// SHA256), so a repeated upload stores nothing twice. Name is the file
// name of the first upload of that content.
type DirectiveAttachment struct {
	ID          int64     `gorm:"primaryKey"`
	DirectiveID string    `gorm:"size:128;not null;uniqueIndex:idx_directive_attachments_content,priority:1"`
	Name        string    `gorm:"size:255;not null"`
	Size        int64     `gorm:"not null"`
	SHA256      string    `gorm:"column:sha256;size:64;not null;uniqueIndex:idx_directive_attachments_content,priority:2"`
	ContentType string    `gorm:"size:128;not null"`
	StoragePath string    `gorm:"size:255;not null"`
	UploadedBy  string    `gorm:"size:64;not null"`
	UploadedAt  time.Time `gorm:"not null"`
}
