package admin

import (
	"context"
	"iter"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/export"
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
// included, either empty for no bound; Format is "csv", "xlsx" or empty
// (csv).
type AuditExportFilter struct {
	From, To, Format string
}

// AuditExport is an export ready to be written: the period as parsed (ISO
// dates, empty for no bound) and the rows, oldest first, read from the
// database in batches while the sequence is consumed. A database error
// met while reading ends the sequence with that error. Format is the
// file format asked for (export.CSV when none was).
type AuditExport struct {
	From, To string
	Format   export.Format
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
	switch f.Format {
	case "", string(export.CSV):
		out.Format = export.CSV
	case string(export.XLSX):
		out.Format = export.XLSX
	default:
		return out, apperr.Field("format", "รูปแบบ %q ไม่รองรับ: ส่งออกได้เป็น csv หรือ xlsx (unsupported format %q: csv or xlsx)", f.Format, f.Format)
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
		After: store.JSONText(map[string]string{"from": out.From, "to": out.To, "format": string(out.Format)}), RequestID: reqctx.RequestID(ctx)})
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

// auditColumns are the columns of an audit export: the Thai header of
// the CSV export as it always was, and the time in the Buddhist era last.
var auditColumns = []export.Column{
	{TH: "รหัส", EN: "ID"},
	{TH: "เวลา (เวลาประเทศไทย)", EN: "Time (Bangkok)", Layout: "2006-01-02 15:04:05"},
	{TH: "ผู้ดำเนินการ", EN: "Actor", Width: 16},
	{TH: "การดำเนินการ", EN: "Action", Width: 20},
	{TH: "ประเภทรายการ", EN: "Entity type"},
	{TH: "รหัสรายการ", EN: "Entity ID", Width: 24},
	{TH: "ข้อมูลก่อนเปลี่ยน", EN: "Before", Width: 40},
	{TH: "ข้อมูลหลังเปลี่ยน", EN: "After", Width: 40},
	{TH: "รหัสคำขอ", EN: "Request ID", Width: 16},
	{TH: "แฮชแถวก่อนหน้า", EN: "Previous hash", Width: 20},
	{TH: "แฮช", EN: "Hash", Width: 20},
	{TH: "เวลา (พ.ศ.)", EN: "Time (BE)", Width: 20},
}

// Table is the export as a spreadsheet table (internal/export) named
// after its period (tidtam-audit[-from-YYYY-MM-DD][-to-YYYY-MM-DD]): per
// event its ID, its time in Bangkok (in CSV as 2006-01-02 15:04:05, which
// spreadsheets read as a date and time; in xlsx a date cell), actor,
// action, entity, the entity's JSON before and after, request ID, the
// chain's hashes (so that the file can be checked against the chain), and
// last the time as a Thai reads it ("31 ม.ค. 2568 14:05"). The header is
// Thai. Cells are not neutralised here; the CSV writer does that.
func (e AuditExport) Table() export.Table {
	name := "tidtam-audit"
	if e.From != "" {
		name += "-from-" + e.From
	}
	if e.To != "" {
		name += "-to-" + e.To
	}
	return export.Table{Name: name, Sheet: "audit", Columns: auditColumns, Rows: func(yield func([]any, error) bool) {
		if e.Rows == nil {
			return
		}
		row := make([]any, len(auditColumns))
		for v, err := range e.Rows {
			if err != nil {
				yield(nil, err)
				return
			}
			row = append(row[:0], v.ID, v.At, v.Actor, v.Action, v.EntityType, v.EntityID, v.Before, v.After,
				v.RequestID, v.PrevHash, v.Hash, export.BE(v.At, false))
			if !yield(row, nil) {
				return
			}
		}
	}}
}
