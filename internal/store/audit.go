package store

import (
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// RecordAudit appends ev to the audit trail through tx, which should be
// the transaction that makes the change being audited, so the change and
// its record commit or roll back together. At defaults to now (UTC); Before
// and After are JSON documents the caller has already encoded (empty when
// there is no prior or later state). Actor, Action, EntityType and EntityID
// are required: a missing one is an apperr.Invalid naming the field, as it
// is a programming error in the caller. ev.ID must be zero.
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
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	// UTC keeps the text SQLite stores sortable.
	ev.At = ev.At.UTC()
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("store: record audit %s %s/%s: %w", ev.Action, ev.EntityType, ev.EntityID, err)
	}
	return nil
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
