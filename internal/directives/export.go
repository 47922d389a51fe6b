package directives

import (
	"context"
	"fmt"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/models"
)

// exportBatch is how many assignments an export reads at a time.
const exportBatch = 500

// ExportAssignments is ListAssignments as a spreadsheet table: the same
// filter (its Window ignored), scope and errors, all checked before it
// returns. The table has one row per item of each assignment, at the
// item's latest cycle (an assignment without items: one row), ordered by
// directive and unit; the rows are read from the database in batches of
// 500 assignments while the table is written, so an export of any size
// holds one batch in memory. english heads the columns and names the
// states in English.
func (s *service) ExportAssignments(ctx context.Context, p *auth.Principal, f AssignmentFilter, english bool) (export.Table, error) {
	db := s.db(ctx)
	filtered, err := assignmentQuery(db, p, f)
	if err != nil {
		return export.Table{}, err
	}
	name := "tidtam-assignments"
	if f.DirectiveID != "" {
		name += "-" + f.DirectiveID
	}
	if f.UnitCode != "" {
		name += "-" + f.UnitCode
	}
	t := export.Table{Name: name, Sheet: "งานที่ได้รับมอบหมาย", English: english, Columns: []export.Column{
		{TH: "รหัสข้อสั่งการ", EN: "Directive ID", Width: 18},
		{TH: "เลขที่หนังสือ", EN: "Document number", Width: 22},
		{TH: "เรื่อง", EN: "Subject", Width: 40},
		{TH: "ความเร่งด่วน", EN: "Urgency"},
		{TH: "รหัสหน่วยงาน", EN: "Unit code"},
		{TH: "หน่วยงาน", EN: "Unit", Width: 30},
		{TH: "เขตตรวจราชการ", EN: "Inspection region"},
		{TH: "สถานะงาน", EN: "Assignment status", Width: 16},
		{TH: "กำหนดรับทราบ", EN: "Acknowledge by", BE: true},
		{TH: "รับทราบเมื่อ", EN: "Acknowledged at", BE: true},
		{TH: "ข้อ", EN: "Item", Width: 6},
		{TH: "รอบ", EN: "Cycle", Width: 6},
		{TH: "ข้อสั่งการ", EN: "Item text", Width: 40},
		{TH: "สถานะข้อ", EN: "Item status", Width: 18},
		{TH: "วันครบกำหนด", EN: "Due", BE: true},
		{TH: "รายงานเมื่อ", EN: "Reported at", BE: true},
		{TH: "เกินกำหนด", EN: "Overdue"},
		{TH: "เกินกำหนด (วันทำการ)", EN: "Working days overdue"},
		{TH: "ระดับการยกระดับ", EN: "Escalation level"},
	}}
	now := s.now()
	cal, err := s.calendar(ctx, now)
	if err != nil {
		return export.Table{}, err
	}
	t.Rows = func(yield func([]any, error) bool) {
		after := ""
		row := make([]any, len(t.Columns))
		for {
			var rows []assignmentRow
			if err := selectAssignmentRows(filtered().Where("assignments.id > ?", after)).
				Order("assignments.id").Limit(exportBatch).Scan(&rows).Error; err != nil {
				yield(nil, err)
				return
			}
			views, err := assignmentViews(db, rows, now, cal)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, v := range views {
				items := v.Items
				if len(items) == 0 {
					items = []AssignmentItemView{{}}
				}
				for _, it := range items {
					row = append(row[:0], v.DirectiveID, v.DocNumber, v.Subject, v.Urgency, v.UnitCode, v.UnitName, v.Region,
						assignmentStatusLabel(v.Status, english), v.AckDueAt, v.AcknowledgedAt)
					if it.Number == 0 {
						row = append(row, nil, nil, nil, nil, nil, nil, nil, nil, nil)
					} else {
						row = append(row, it.Number, it.Cycle, it.Text, itemStatusLabel(it.Status, english), it.DueAt, it.ReportedAt,
							yesNo(it.Overdue, english), it.OverdueWorkingDays, it.EscalationLevel)
					}
					if !yield(row, nil) {
						return
					}
				}
			}
			if len(rows) < exportBatch {
				return
			}
			after = rows[len(rows)-1].ID
		}
	}
	return t, nil
}

// MatrixTable is the units × items grid m as a spreadsheet table: a row
// per unit (code, name, region, assignment state, acknowledged, overdue,
// escalation level), then for each item of m its state and its due with
// the due in the Buddhist era beside it. m is already in memory (one
// directive's units, at most about a thousand rows). english heads the
// columns and names the states in English.
func MatrixTable(m MatrixView, english bool) export.Table {
	cols := []export.Column{
		{TH: "รหัสหน่วยงาน", EN: "Unit code"},
		{TH: "หน่วยงาน", EN: "Unit", Width: 30},
		{TH: "เขตตรวจราชการ", EN: "Inspection region"},
		{TH: "สถานะงาน", EN: "Assignment status", Width: 16},
		{TH: "รับทราบ", EN: "Acknowledged"},
		{TH: "เกินกำหนด", EN: "Overdue"},
		{TH: "ระดับการยกระดับ", EN: "Escalation level"},
	}
	for _, n := range m.Items {
		cols = append(cols,
			export.Column{TH: fmt.Sprintf("ข้อ %d สถานะ", n), EN: fmt.Sprintf("Item %d status", n), Width: 18},
			export.Column{TH: fmt.Sprintf("ข้อ %d ครบกำหนด", n), EN: fmt.Sprintf("Item %d due", n), BE: true})
	}
	return export.Table{
		Name: "tidtam-matrix-" + m.DirectiveID, Sheet: "ตารางติดตาม", English: english, Columns: cols,
		Rows: func(yield func([]any, error) bool) {
			row := make([]any, 0, len(cols))
			for _, r := range m.Rows {
				row = append(row[:0], r.UnitCode, r.UnitName, r.Region, assignmentStatusLabel(r.Status, english),
					yesNo(r.Acknowledged, english), yesNo(r.Overdue, english), r.EscalationLevel)
				for _, c := range r.Cells {
					if c.Status == "" {
						row = append(row, nil, nil)
						continue
					}
					row = append(row, itemStatusLabel(c.Status, english), c.DueAt)
				}
				if !yield(row, nil) {
					return
				}
			}
		},
	}
}

// Labels of states in exports, Thai and English (the pages' words).
var (
	assignmentStatusLabels = map[models.AssignmentStatus][2]string{
		models.AssignmentAssigned: {"รอรับทราบ", "Awaiting acknowledgement"}, models.AssignmentAcknowledged: {"รับทราบแล้ว", "Acknowledged"},
		models.AssignmentClosed: {"ปิดแล้ว", "Closed"}, models.AssignmentWithdrawn: {"ยกเลิกแล้ว", "Withdrawn"},
	}
	itemStatusLabels = map[models.ItemStatus][2]string{
		models.ItemOpen: {"รอรายงาน", "Awaiting report"}, models.ItemReported: {"รายงานแล้ว รอพิจารณา", "Reported, awaiting review"},
		models.ItemAccepted: {"ผ่านการพิจารณา", "Accepted"}, models.ItemReturned: {"ส่งกลับให้แก้ไข", "Returned"},
		models.ItemExtended: {"ขยายเวลาแล้ว", "Extended"}, models.ItemWaived: {"ยกเว้น", "Waived"},
		models.ItemClosed: {"ปิดแล้ว", "Closed"}, models.ItemLapsed: {"พ้นรอบรายงาน", "Lapsed"},
	}
)

func label(l [2]string, ok bool, code string, english bool) string {
	switch {
	case !ok:
		return code
	case english:
		return l[1]
	}
	return l[0]
}

func assignmentStatusLabel(s models.AssignmentStatus, english bool) string {
	l, ok := assignmentStatusLabels[s]
	return label(l, ok, string(s), english)
}

func itemStatusLabel(s models.ItemStatus, english bool) string {
	l, ok := itemStatusLabels[s]
	return label(l, ok, string(s), english)
}

func yesNo(b, english bool) string {
	switch {
	case english && b:
		return "yes"
	case english:
		return "no"
	case b:
		return "ใช่"
	}
	return "ไม่ใช่"
}
