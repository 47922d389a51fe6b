package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// RecordAudit appends ev to the audit trail through tx, which should be
// the transaction that makes the change being audited, so the change and
// its record commit or roll back together (a tx that is not a transaction
// gets one of its own). At defaults to now; it is stored in UTC with
// microsecond precision (what both databases keep). Before and After are
// JSON documents the caller has already encoded (empty when there is no
// prior or later state). Actor, Action, EntityType and EntityID are
// required: a missing one is an apperr.Invalid naming the field, as it is
// a programming error in the caller. ev.ID, ev.PrevHash and ev.Hash must
// be zero: RecordAudit sets them.
//
// The row is chained to the audit trail's hash chain: PrevHash is the Hash
// of the last row appended before it, Hash the SHA-256 of its canonical
// encoding (AuditHash). Appends are serialised on the chain's head row
// (models.AuditChainHead, locked FOR UPDATE on PostgreSQL; SQLite's single
// writer serialises them already), which tx then holds until it commits, so
// two transactions never chain to the same predecessor; the unique index
// on prev_hash enforces it too. Call RecordAudit last in a transaction, so
// that the lock is held briefly.
func RecordAudit(tx *gorm.DB, ev models.AuditEvent) error {
	for _, required := range []struct{ field, value string }{
		{"actor", ev.Actor},
		{"action", ev.Action},
		{"entity_type", ev.EntityType},
		{"entity_id", ev.EntityID},
	} {
		if required.value == "" {
			return apperr.Field(required.field, "บันทึกการตรวจสอบต้องมี %s / audit event needs %s", required.field, required.field)
		}
	}
	if ev.ID != 0 {
		return apperr.Field("id", "บันทึกการตรวจสอบเพิ่มได้อย่างเดียว แก้ไขไม่ได้ / audit events are append-only; id must be zero")
	}
	if ev.PrevHash != "" || ev.Hash != "" {
		return apperr.Field("hash", "แฮชของบันทึกการตรวจสอบคำนวณโดยระบบ / prev_hash and hash are set by RecordAudit")
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	// UTC keeps the text SQLite stores sortable; microseconds are what
	// PostgreSQL keeps, so the hash covers exactly what is read back.
	ev.At = ev.At.UTC().Truncate(time.Microsecond)
	appendRow := func(tx *gorm.DB) error {
		if IsPostgres(tx) {
			return appendAuditPostgres(tx, &ev)
		}
		head, err := lockAuditHead(tx)
		if err != nil {
			return err
		}
		ev.PrevHash = head.LastHash
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		ev.Hash = AuditHash(ev)
		if err := tx.Model(&models.AuditEvent{}).Where("id = ?", ev.ID).Update("hash", ev.Hash).Error; err != nil {
			return err
		}
		return tx.Model(&models.AuditChainHead{}).Where("chain = ?", AuditChain).
			Updates(map[string]any{"last_id": ev.ID, "last_hash": ev.Hash, "updated_at": ev.At}).Error
	}
	var err error
	if inTransaction(tx) {
		err = appendRow(tx)
	} else {
		err = tx.Transaction(appendRow)
	}
	if err != nil {
		return fmt.Errorf("store: record audit %s %s/%s: %w", ev.Action, ev.EntityType, ev.EntityID, err)
	}
	return nil
}

// appendAuditPostgres appends ev to the chain on PostgreSQL in two round
// trips while the chain's head is locked, instead of four (lock, insert,
// set the hash, move the head): every audited change of every user waits
// for that lock, so its hold time bounds how many changes per second the
// whole system records (issue #16 measured it as the main lock wait once
// the dashboard counters were sharded). The row's ID is drawn from its
// sequence after the head is locked, as the insert's default would be, so
// IDs still follow the chain; the hash, which covers the ID, is then
// computed here and the row inserted whole in the same statement that
// moves the head. A missing head row is recreated as lockAuditHead does.
func appendAuditPostgres(tx *gorm.DB, ev *models.AuditEvent) error {
	var heads []struct {
		LastHash string
		NextID   int64
	}
	lock := func() error {
		// The CTE locks the head row before the outer SELECT draws the ID.
		return tx.Raw(`WITH h AS (SELECT last_hash FROM audit_chain_heads WHERE chain = ? FOR UPDATE)
SELECT h.last_hash, nextval(pg_get_serial_sequence('audit_events', 'id')) AS next_id FROM h`, AuditChain).Scan(&heads).Error
	}
	if err := lock(); err != nil {
		return err
	}
	if len(heads) == 0 {
		if _, err := lockAuditHead(tx); err != nil {
			return err
		}
		if err := lock(); err != nil {
			return err
		}
		if len(heads) == 0 {
			return errors.New("the audit chain's head row is missing")
		}
	}
	ev.ID, ev.PrevHash = heads[0].NextID, heads[0].LastHash
	ev.Hash = AuditHash(*ev)
	return tx.Exec(`WITH ins AS (
  INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))
UPDATE audit_chain_heads SET last_id = ?, last_hash = ?, updated_at = ? WHERE chain = ?`,
		ev.ID, ev.At, ev.Actor, ev.Action, ev.EntityType, ev.EntityID, ev.Before, ev.After, ev.RequestID, ev.PrevHash, ev.Hash,
		ev.ID, ev.Hash, ev.At, AuditChain).Error
}

// inTransaction reports whether db runs inside a transaction (the handle
// given to a db.Transaction callback).
func inTransaction(db *gorm.DB) bool {
	c, ok := db.Statement.ConnPool.(gorm.TxCommitter)
	return ok && c != nil
}

// JSONText encodes v for a JSON text column (audit before/after,
// recipients). Only plain view and value structs are passed, which always
// encode, so a failure is a programming error and panics.
func JSONText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: JSONText: " + err.Error())
	}
	return string(b)
}
