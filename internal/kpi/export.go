package kpi

import (
	"fmt"
	"strconv"

	"github.com/tidtam/tidtam/internal/export"
)

// ScoresTable is a scoreboard as a spreadsheet (export.Table): rank, unit
// code, province (Thai and English), inspection region, total, one column
// per criterion ("ข้อ N (P คะแนน)") and the entries waiting for
// verification. Headers are Thai, or English when english is set. The rows
// are the scoreboard's, already computed and scoped by Scores.
func ScoresTable(b Scoreboard, criteria []CriterionView, english bool) export.Table {
	cols := []export.Column{
		{TH: "อันดับ", EN: "Rank", Width: 8},
		{TH: "รหัสจังหวัด", EN: "Province code", Width: 12},
		{TH: "จังหวัด", EN: "Province (Thai)", Width: 20},
		{TH: "จังหวัด (อังกฤษ)", EN: "Province", Width: 20},
		{TH: "เขตตรวจราชการ", EN: "Inspection region", Width: 12},
		{TH: "คะแนนรวม (เต็ม 100)", EN: "Total (of 100)", Width: 14},
	}
	for _, c := range criteria {
		cols = append(cols, export.Column{TH: fmt.Sprintf("ข้อ %d (%d คะแนน)", c.Number, c.Points),
			EN: fmt.Sprintf("Criterion %d (%d points)", c.Number, c.Points), Width: 14})
	}
	cols = append(cols, export.Column{TH: "รอตรวจสอบ", EN: "Awaiting verification", Width: 12})
	return export.Table{
		Name:    "tidtam-kpi-" + strconv.FormatInt(b.Scheme.ID, 10),
		Sheet:   "KPI",
		English: english,
		Columns: cols,
		Rows: func(yield func([]any, error) bool) {
			for _, r := range b.Items {
				row := []any{r.Rank, r.UnitCode, r.NameTH, r.NameEN, nil, r.Score}
				if r.InspectionRegion != nil {
					row[4] = *r.InspectionRegion
				}
				for _, c := range r.Criteria {
					row = append(row, c.Score)
				}
				row = append(row, r.Pending)
				if !yield(row, nil) {
					return
				}
			}
		},
	}
}
