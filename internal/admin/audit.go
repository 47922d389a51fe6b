package admin

import (
	"context"
	"iter"
	"strconv"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// AuditView is one audit event: who did what to which entity, with the
// entity's JSON before and after, and the row's place in the hash chain
// (PrevHash, Hash: see store.AuditHash).
type AuditView struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
	PrevHash   string    `json:"prev_hash,omitempty"`
	Hash       string    `json:"hash,omitempty"`
}

// AuditFilter selects audit events; empty fields do not filter.
type AuditFilter struct {
	EntityType, EntityID, Actor string
	listing.Window
}

// AuditExportFilter selects the audit events ExportAudit writes: From and
// To are civil dates in Bangkok (ISO such as 2025-01-31 or as Thai
// officials write them, e.g. 31 ม.ค. 2568; see thaidate.Parse), both days
// included, either empty for no bound; Format is "csv" or empty (csv).
type AuditExportFilter struct {
	From, To, Format string
}

// AuditExport is an export ready to be written: the period as parsed (ISO
// dates, empty for no bound) and the rows, oldest first, read from the
// database in batches while the sequence is consumed. A database error
// met while reading ends the sequence with that error.
type AuditExport struct {
	From, To string
	Rows     iter.Seq2[AuditView, error]
}

// auditExportBatch is how many rows an export reads at a time.
const auditExportBatch = 500

func (s *service) Audit(ctx context.Context, p *auth.Principal, f AuditFilter) (listing.Page[AuditView], error) {
	var out listing.Page[AuditView]
	if err := requireEditor(p); err != nil {
		return out, err
	}
	q := s.db(ctx).Model(&models.AuditEvent{})
	for col, v := range map[string]string{"entity_type": f.EntityType, "entity_id": f.EntityID, "actor": f.Actor} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.AuditEvent
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]AuditView, 0, len(rows))
	for _, r := range rows {
		out.Items = append(out.Items, AuditView(r))
	}
	return out, nil
}

func (s *service) ExportAudit(ctx context.Context, p *auth.Principal, f AuditExportFilter) (AuditExport, error) {
	var out AuditExport
	if err := requireEditor(p); err != nil {
		return out, err
	}
	if f.Format != "" && f.Format != "csv" {
		return out, apperr.Field("format", "รูปแบบ %q ไม่รองรับ: ส่งออกได้เฉพาะ csv (unsupported format %q: only csv)", f.Format, f.Format)
	}
	var from, to time.Time
	if f.From != "" {
		d, err := thaidate.Parse(f.From)
		if err != nil {
			return out, apperr.Field("from", "%v", err)
		}
		from, out.From = d.At(0, 0), d.String()
	}
	if f.To != "" {
		d, err := thaidate.Parse(f.To)
		if err != nil {
			return out, apperr.Field("to", "%v", err)
		}
		to, out.To = d.AddDays(1).At(0, 0), d.String()
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return out, apperr.Field("to", "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม (to is before from)")
	}
	// Exporting the trail is itself recorded, before the rows are read.
	err := store.RecordAudit(s.db(ctx), models.AuditEvent{At: s.now(), Actor: p.Username, Action: "audit.export",
		EntityType: "audit", EntityID: out.From + ".." + out.To,
		After: store.JSONText(map[string]string{"from": out.From, "to": out.To, "format": "csv"}), RequestID: reqctx.RequestID(ctx)})
	if err != nil {
		return out, err
	}
	db := s.db(ctx)
	out.Rows = func(yield func(AuditView, error) bool) {
		var after int64
		for {
			q := db.Model(&models.AuditEvent{}).Where("id > ?", after)
			if !from.IsZero() {
				q = q.Where("at >= ?", from.UTC())
			}
			if !to.IsZero() {
				q = q.Where("at < ?", to.UTC())
			}
			var rows []models.AuditEvent
			if err := q.Order("id").Limit(auditExportBatch).Find(&rows).Error; err != nil {
				yield(AuditView{}, err)
				return
			}
			for _, r := range rows {
				if !yield(AuditView(r), nil) {
					return
				}
			}
			if len(rows) < auditExportBatch {
				return
			}
			after = rows[len(rows)-1].ID
		}
	}
	return out, nil
}

// AuditCSVHeader is the header row of an audit export, in Thai, one name
// per AuditCSVRow cell.
var AuditCSVHeader = []string{
	"รหัส", "เวลา (เวลาประเทศไทย)", "ผู้ดำเนินการ", "การดำเนินการ", "ประเภทรายการ", "รหัสรายการ",
	"ข้อมูลก่อนเปลี่ยน", "ข้อมูลหลังเปลี่ยน", "รหัสคำขอ", "แฮชแถวก่อนหน้า", "แฮช",
}

// AuditCSVRow is v as the cells of an export row under AuditCSVHeader:
// the time in Bangkok as 2006-01-02 15:04:05 (which spreadsheets read as a
// date and time), the rest as stored, hashes included so that the export
// can be checked against the chain. Cells are not neutralised here; the
// writer (internal/csvout) does that.
func AuditCSVRow(v AuditView) []string {
	return []string{
		strconv.FormatInt(v.ID, 10), v.At.In(thaidate.Bangkok).Format("2006-01-02 15:04:05"), v.Actor, v.Action,
		v.EntityType, v.EntityID, v.Before, v.After, v.RequestID, v.PrevHash, v.Hash,
	}
}
