package store

import (
	"fmt"

	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 6, Name: "directive_attachments", Up: migrateDirectiveAttachments})
}

// migrateDirectiveAttachments creates directive_attachments
// (models.DirectiveAttachment): the files of a directive (the letter, its
// annexes), one row per distinct content of a directive, unique by
// (directive_id, sha256) so that a retried upload stores nothing twice.
// Deleting a directive deletes its attachment rows; the content-addressed
// files themselves may be shared and are left alone. Conventions as in
// 0001–0005.
func migrateDirectiveAttachments(tx *gorm.DB) error {
	stmts := []string{
		fmt.Sprintf(`CREATE TABLE directive_attachments (
  id %[2]s,
  directive_id VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  size BIGINT NOT NULL DEFAULT 0,
  sha256 VARCHAR(64) NOT NULL,
  content_type VARCHAR(128) NOT NULL DEFAULT '',
  storage_path VARCHAR(255) NOT NULL DEFAULT '',
  uploaded_by VARCHAR(64) NOT NULL DEFAULT '',
  uploaded_at %[1]s NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_directive_attachments_directive FOREIGN KEY (directive_id) REFERENCES directives (id) ON DELETE CASCADE
)`, timestampType(tx), autoIDType(tx)),
		`CREATE UNIQUE INDEX idx_directive_attachments_content ON directive_attachments (directive_id, sha256)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
