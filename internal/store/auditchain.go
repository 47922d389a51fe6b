package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/models"
)

// AuditChain is the name of the audit trail's hash chain: the table it
// chains, and the key of its row in audit_chain_heads. Each audited table
// has a chain of its own; audit_events is the only one.
const AuditChain = "audit_events"

// GenesisHash is the PrevHash of the first row of a chain (and the
// LastHash of an empty one): 64 zeros.
var GenesisHash = strings.Repeat("0", 64)

// auditEncodingVersion starts every canonical encoding. The encoding is
// part of the stored data: changing it breaks every existing chain, so a
// new encoding needs a new version and a migration that re-chains.
const auditEncodingVersion = "tidtam-audit-v1\n"

// AuditHash returns the hex SHA-256 of ev's canonical encoding: the
// version line, then every column in table order (id, at, actor, action,
// entity_type, entity_id, before, after, request_id, prev_hash), each as
// "name=LENGTH:VALUE\n" with LENGTH the value's length in bytes, so no two
// rows encode alike. At is written in UTC as 2006-01-02T15:04:05.000000Z.
// The hash column itself is the only one not covered.
func AuditHash(ev models.AuditEvent) string {
	h := sha256.New()
	h.Write([]byte(auditEncodingVersion))
	for _, f := range [...]struct{ name, value string }{
		{"id", strconv.FormatInt(ev.ID, 10)},
		{"at", ev.At.UTC().Format("2006-01-02T15:04:05.000000Z")},
		{"actor", ev.Actor},
		{"action", ev.Action},
		{"entity_type", ev.EntityType},
		{"entity_id", ev.EntityID},
		{"before", ev.Before},
		{"after", ev.After},
		{"request_id", ev.RequestID},
		{"prev_hash", ev.PrevHash},
	} {
		fmt.Fprintf(h, "%s=%d:%s\n", f.name, len(f.value), f.value)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lockAuditHead returns the head of the audit chain, locked for the rest
// of tx on PostgreSQL (on SQLite the transaction holds the database's
// write lock already). A missing head row (a database whose head was
// deleted) is recreated from the table's last row.
func lockAuditHead(tx *gorm.DB) (models.AuditChainHead, error) {
	var head models.AuditChainHead
	read := func() error {
		q := tx
		if IsPostgres(tx) {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		return q.Where("chain = ?", AuditChain).Take(&head).Error
	}
	err := read()
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return head, err
	}
	head = models.AuditChainHead{Chain: AuditChain, LastHash: GenesisHash, UpdatedAt: time.Now().UTC()}
	var last models.AuditEvent
	if err := tx.Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return head, err
	}
	if last.ID != 0 {
		head.LastID, head.LastHash = last.ID, last.Hash
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&head).Error; err != nil {
		return head, err
	}
	return head, read()
}

// auditBatch is how many rows the chain walks read at a time.
const auditBatch = 1000

// walkAudit calls fn with every row of audit_events in id order, reading
// auditBatch rows at a time, until fn returns false or an error.
func walkAudit(db *gorm.DB, fn func(models.AuditEvent) (bool, error)) error {
	var after int64
	for {
		var rows []models.AuditEvent
		if err := db.Where("id > ?", after).Order("id").Limit(auditBatch).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			more, err := fn(r)
			if err != nil || !more {
				return err
			}
		}
		if len(rows) < auditBatch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// chainAuditRows links every row of audit_events, in id order, into the
// hash chain and records its head: what migration 9 does to the rows
// written before the chain existed.
func chainAuditRows(tx *gorm.DB) error {
	prev, lastID := GenesisHash, int64(0)
	err := walkAudit(tx, func(ev models.AuditEvent) (bool, error) {
		ev.At = ev.At.UTC()
		ev.PrevHash = prev
		ev.Hash = AuditHash(ev)
		if err := tx.Model(&models.AuditEvent{}).Where("id = ?", ev.ID).
			Updates(map[string]any{"prev_hash": ev.PrevHash, "hash": ev.Hash}).Error; err != nil {
			return false, err
		}
		prev, lastID = ev.Hash, ev.ID
		return true, nil
	})
	if err != nil {
		return err
	}
	return tx.Create(&models.AuditChainHead{Chain: AuditChain, LastID: lastID, LastHash: prev, UpdatedAt: time.Now().UTC()}).Error
}

// AuditBreak is where an audit chain stops verifying: the id of the first
// row that does not (or, for rows deleted from the end, the id the chain's
// head says was last) and why, in Thai and English.
type AuditBreak struct {
	ID     int64
	Reason string
}

// AuditReport is the outcome of VerifyAudit: how many rows were checked,
// the last good row's id and hash (the value to keep somewhere else to
// notice a chain rewritten as a whole later), and the first break, nil
// when the chain is intact.
type AuditReport struct {
	Rows     int64
	LastID   int64
	LastHash string
	Broken   *AuditBreak
}

// VerifyAudit walks the audit trail's hash chain in id order and reports
// the first row that breaks it: a row whose columns no longer give its
// hash (changed), a row whose prev_hash is not the hash of the row before
// it (a row deleted or inserted before it), or a chain whose last row is
// not the one its head recorded (rows deleted from the end). Rows checked
// before the break are counted in Rows. An intact chain has Broken nil.
// The error is for a database that cannot be read, never for a break.
//
// The chain proves the rows were not changed by anyone who did not also
// recompute every later hash and the head; someone with write access to
// the database can do that, which is why the last hash is printed, to be
// kept outside the database.
func VerifyAudit(ctx context.Context, db *gorm.DB) (AuditReport, error) {
	db = db.WithContext(ctx)
	rep := AuditReport{LastHash: GenesisHash}
	err := walkAudit(db, func(ev models.AuditEvent) (bool, error) {
		if ev.PrevHash != rep.LastHash {
			why := fmt.Sprintf("prev_hash ไม่ตรงกับแฮชของแถวก่อนหน้า (รหัส %d): มีแถวถูกลบ แทรก หรือแก้ไขก่อนแถวนี้ "+
				"(prev_hash does not match the hash of the previous row %d: a row before it was deleted, inserted or changed)", rep.LastID, rep.LastID)
			if rep.LastID == 0 {
				why = "แถวแรกต้องเริ่มสายแฮช แต่ prev_hash ไม่ใช่ค่าเริ่มต้น: มีแถวก่อนหน้าถูกลบ " +
					"(the first row does not start the chain: rows before it were deleted)"
			}
			rep.Broken = &AuditBreak{ID: ev.ID, Reason: why}
			return false, nil
		}
		if AuditHash(ev) != ev.Hash {
			rep.Broken = &AuditBreak{ID: ev.ID, Reason: "ข้อมูลในแถวไม่ตรงกับแฮชที่บันทึกไว้: แถวนี้ถูกแก้ไข " +
				"(the row's columns do not match its hash: the row was changed)"}
			return false, nil
		}
		rep.Rows++
		rep.LastID, rep.LastHash = ev.ID, ev.Hash
		return true, nil
	})
	if err != nil || rep.Broken != nil {
		return rep, err
	}
	var head models.AuditChainHead
	err = db.Where("chain = ?", AuditChain).Take(&head).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if rep.Rows > 0 {
			rep.Broken = &AuditBreak{ID: rep.LastID, Reason: "ไม่พบหัวสายแฮช (audit_chain_heads) จึงตรวจไม่ได้ว่าแถวท้ายถูกลบหรือไม่ " +
				"(the chain's head row is missing, so rows deleted from the end cannot be ruled out)"}
		}
		return rep, nil
	case err != nil:
		return rep, err
	}
	if head.LastID != rep.LastID || head.LastHash != rep.LastHash {
		rep.Broken = &AuditBreak{ID: head.LastID, Reason: fmt.Sprintf("หัวสายแฮชบันทึกว่าแถวสุดท้ายคือรหัส %d แต่แถวสุดท้ายที่พบคือ %d: แถวท้ายถูกลบหรือแก้ไข "+
			"(the chain's head records row %d as the last, the last row found is %d: rows at the end were deleted or changed)",
			head.LastID, rep.LastID, head.LastID, rep.LastID)}
	}
	return rep, nil
}
