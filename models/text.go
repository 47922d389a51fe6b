package models

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// TextRef names a free text kept in the free_texts table by the SHA-256 of
// its UTF-8 bytes, in lowercase hex (64 characters). Workflows carry
// TextRefs in their inputs, signals and Updates instead of long texts
// (directive bodies, item texts, reports, minutes): the API stores the text
// first (store.SaveTexts), and the activity that writes the read model
// puts the text back (store.LoadTexts). The empty TextRef names no text.
type TextRef string

// RefOf returns the TextRef of text; "" for the empty text.
func RefOf(text string) TextRef {
	if text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(text))
	return TextRef(hex.EncodeToString(sum[:]))
}

// Valid reports whether r has the form of a TextRef: 64 lowercase hex
// digits. It says nothing about whether the text is stored.
func (r TextRef) Valid() bool {
	if len(r) != sha256.Size*2 {
		return false
	}
	for _, c := range []byte(r) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// FreeText is one stored text, keyed by its TextRef. Rows are written once
// and never changed: the same text always has the same key.
type FreeText struct {
	Ref       TextRef   `gorm:"primaryKey;size:64"`
	Body      string    `gorm:"type:text;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (FreeText) TableName() string { return "free_texts" }
