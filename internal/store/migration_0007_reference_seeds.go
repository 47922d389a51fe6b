package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 7, Name: "reference_seeds", Up: migrateReferenceSeeds})
}

// migrateReferenceSeeds creates reference_seeds (models.ReferenceSeed): one
// row per embedded reference dataset (units, holidays) recording the SHA-256
// of the content last seeded, so SeedReference applies each version of the
// shipped data once and never again over an admin's later edits.
// Conventions as in 0001–0006.
func migrateReferenceSeeds(tx *gorm.DB) error {
	return tx.Exec(fmt.Sprintf(`CREATE TABLE reference_seeds (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  sha256 VARCHAR(64) NOT NULL,
  inserted INTEGER NOT NULL DEFAULT 0,
  seeded_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP
)`, timestampType(tx))).Error
}
