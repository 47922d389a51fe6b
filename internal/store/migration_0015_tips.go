package store

import (
	"gorm.io/gorm"
)

func init() {
	Register(Migration{Version: 15, Name: "tips", Up: migrateTips})
}

// migrateTips creates the tables of models/tip.go: confidential tip-offs
// and their conversation (issue #15). Nothing identifies the informant: no
// address, user agent or timestamp column, only the civil day. Texts are
// stored sealed (base64 of NaCl secretbox), the receipt code as a keyed
// lookup HMAC, an argon2id hash and a sealed copy, the client's submission
// ID as a keyed HMAC (unique: a retry cannot store a second tip). Deleting
// a tip deletes its messages. Conventions as in 0001–0014.
func migrateTips(tx *gorm.DB) error {
	id := autoIDType(tx)
	stmts := []string{
		`CREATE TABLE tips (
  id ` + id + `,
  receipt_lookup VARCHAR(64) NOT NULL,
  receipt_hash VARCHAR(160) NOT NULL,
  receipt_sealed VARCHAR(200) NOT NULL,
  submission_lookup VARCHAR(64) NOT NULL,
  province_code VARCHAR(32) NOT NULL,
  district_code VARCHAR(32) NOT NULL DEFAULT '',
  officials_involved BOOLEAN NOT NULL DEFAULT FALSE,
  route VARCHAR(32) NOT NULL,
  route_unit_code VARCHAR(32) NOT NULL,
  inspection_region INTEGER NULL,
  status VARCHAR(32) NOT NULL,
  text_sealed VARCHAR(24000) NOT NULL,
  when_sealed VARCHAR(1200) NOT NULL DEFAULT '',
  submitted_on VARCHAR(10) NOT NULL,
  CONSTRAINT fk_tips_province FOREIGN KEY (province_code) REFERENCES units (code),
  CONSTRAINT fk_tips_route_unit FOREIGN KEY (route_unit_code) REFERENCES units (code)
)`,
		`CREATE UNIQUE INDEX idx_tips_receipt_lookup ON tips (receipt_lookup)`,
		`CREATE UNIQUE INDEX idx_tips_submission_lookup ON tips (submission_lookup)`,
		`CREATE INDEX idx_tips_province ON tips (province_code)`,
		`CREATE INDEX idx_tips_route_unit ON tips (route_unit_code)`,
		`CREATE TABLE tip_messages (
  tip_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  author VARCHAR(16) NOT NULL,
  text_sealed VARCHAR(24000) NOT NULL,
  sent_on VARCHAR(10) NOT NULL,
  PRIMARY KEY (tip_id, seq),
  CONSTRAINT fk_tip_messages_tip FOREIGN KEY (tip_id) REFERENCES tips (id) ON DELETE CASCADE
)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
