package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 10, Name: "free_texts", Up: migrateFreeTexts})
}

// migrateFreeTexts creates free_texts (models.FreeText): long free texts
// keyed by their SHA-256, so that workflows carry the key instead of the
// text (models.TextRef). Conventions as in 0001–0009.
func migrateFreeTexts(tx *gorm.DB) error {
	return tx.Exec(fmt.Sprintf(`CREATE TABLE free_texts (
  ref VARCHAR(64) NOT NULL PRIMARY KEY,
  body TEXT NOT NULL,
  created_at %s NOT NULL
)`, timestampType(tx))).Error
}
