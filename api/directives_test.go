package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// pilotProvinces are the ten provinces item ๑ of the letter goes to.
var pilotProvinces = []string{"เชียงราย", "เชียงใหม่", "แม่ฮ่องสอน", "ตาก", "น่าน", "นครพนม", "บึงกาฬ", "หนองคาย", "อุบลราชธานี", "นราธิวาส"}

// moiLetter is the Ministry of Interior letter of 17 Dec 2567 as the
// secretariat types it: Thai digits, Thai date, five items.
func moiLetter(provinces []string) map[string]any {
	all := map[string]any{"all_provinces": true, "all_districts": true}
	return map[string]any{
		"source":     "ministry",
		"issuer":     "กระทรวงมหาดไทย",
		"doc_number": "ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗",
		"issue_date": "๑๗ ธันวาคม ๒๕๖๗",
		"urgency":    "ด่วนที่สุด",
		"subject":    "การขับเคลื่อนการป้องกันและแก้ไขปัญหายาเสพติด",
		"items": []map[string]any{
			{"number": "๑", "text": "จังหวัดนำร่องจัดทำแผนปฏิบัติการ", "targets": map[string]any{"provinces": provinces}, "due_within": "15", "evidence_required": true, "report_into": "NISPA"},
			{"number": "๒", "text": "ค้นหาผู้เสพในชุมชน", "targets": all, "due_date": "๑๗ มกราคม ๒๕๖๘", "report_into": "บสต."},
			{"number": "๓", "text": "บำบัดรักษา", "targets": all, "due_within": "20"},
			{"number": "๔", "text": "ปราบปรามผู้ค้า", "targets": all, "due_within": "20", "report_into": "MOI Drugs GIS"},
			{"number": "๕", "text": "รายงานผลรายเดือน", "targets": all, "recurrence": map[string]any{"monthly_working_day": "๕", "until": "30 ก.ย. 68"}},
		},
	}
}

func withItem(letter map[string]any, i int, key string, value any) map[string]any {
	items := letter["items"].([]map[string]any)
	items[i][key] = value
	return letter
}

func TestIssueDirectiveValidation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withEngine()
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")

		garbled := append([]string{}, pilotProvinces...)
		garbled[1] = "เชียงใหมา"
		res := h.do("POST", "/api/v1/directives", sec, moiLetter(garbled))
		errorOf(t, res, 422, "invalid", "items[0].targets.provinces[1]")
		if !strings.Contains(string(res.Raw), `"suggestion":"เชียงใหม่"`) || !strings.Contains(string(res.Raw), "เชียงใหมา") {
			t.Fatalf("422 does not name the garbled province and its fix: %s", res.Raw)
		}

		errorOf(t, h.do("POST", "/api/v1/directives", prov, moiLetter(pilotProvinces)), 403, "forbidden", "")
		bad := moiLetter(pilotProvinces)
		bad["items"].([]map[string]any)[1]["number"] = "๓"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, bad), 422, "invalid", "items[1].number")
		errorOf(t, h.do("POST", "/api/v1/directives", sec, withItem(moiLetter(pilotProvinces), 1, "due_date", "1 ธ.ค. 67")), 422, "invalid", "items[1].due_date")
		noItems := moiLetter(pilotProvinces)
		noItems["items"] = []map[string]any{}
		errorOf(t, h.do("POST", "/api/v1/directives", sec, noItems), 422, "invalid", "items")
		urg := moiLetter(pilotProvinces)
		urg["urgency"] = "ด่วนพิเศษ"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, urg), 422, "invalid", "urgency")
		date := moiLetter(pilotProvinces)
		date["issue_date"] = "31 ก.พ. 2567"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, date), 422, "invalid", "issue_date")
		errorOf(t, h.do("POST", "/api/v1/directives", sec, withItem(moiLetter(pilotProvinces), 0, "report_into", "LINE")), 422, "invalid", "items[0].report_into")

		if n := count(t, db, &models.Directive{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d directives", n)
		}
		if n := count(t, db, &models.Assignment{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d assignments", n)
		}
	})
}

// TestIssueMOILetterFansOut enters the letter of 17 Dec 2567 and checks the
// fan-out on a real Temporal server: item ๑ to ten provinces, items ๒–๕ to
// all 77 province centres and all 878 district centres.
func TestIssueMOILetterFansOut(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withEngine()
		sec := h.login("sec", "secretariat-pass")

		started := time.Now()
		res := h.do("POST", "/api/v1/directives", sec, moiLetter(pilotProvinces))
		if res.Status != 202 {
			t.Fatalf("issue: %d %s", res.Status, res.Raw)
		}
		id := res.Body["id"].(string)
		if int(res.Body["units_total"].(float64)) != 77+878 {
			t.Fatalf("units_total = %v, want 955", res.Body["units_total"])
		}
		wantItems := int64(10 + 4*955)
		eventually(t, 3*time.Minute, "every assignment persisted", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 955 &&
				count(t, db, &models.AssignmentItem{}, "assignment_id LIKE ?", "assignment/"+id+"/%") >= wantItems
		})
		t.Logf("fan-out of 955 units persisted in %s", time.Since(started))

		// The same letter again is a conflict, whatever digits it is typed in.
		again := moiLetter(pilotProvinces)
		again["doc_number"] = "ที่ มท 0311.3/ว 1757"
		errorOf(t, h.do("POST", "/api/v1/directives", sec, again), 409, "conflict", "")

		got := h.do("GET", "/api/v1/directives/"+id, sec, nil)
		if got.Status != 200 || got.Body["issue_date"] != "2024-12-17" || got.Body["issue_date_th"] != "17 ธันวาคม 2567" || got.Body["urgency_th"] != "ด่วนที่สุด" {
			t.Fatalf("get: %d %s", got.Status, got.Raw)
		}
		prog := got.Body["progress"].(map[string]any)
		if prog["units"].(float64) != 955 || prog["item_assignments"].(float64) < float64(wantItems) || len(got.Body["items"].([]any)) != 5 {
			t.Fatalf("progress: %v", prog)
		}
		// Search by document number typed with Arabic digits.
		list := h.do("GET", "/api/v1/directives?q="+strings.ReplaceAll("0311.3/ว 1757", " ", "%20"), sec, nil)
		if list.Status != 200 || list.Body["total"].(float64) != 1 {
			t.Fatalf("search: %s", list.Raw)
		}

		// The national matrix filtered to region 8 (ฉะเชิงเทรา, ชลบุรี, ระยอง).
		var want int64
		db.Model(&models.Unit{}).Where("code IN ? OR parent_code IN ?", []string{"20", "21", "24"}, []string{"20", "21", "24"}).Count(&want)
		m := h.do("GET", "/api/v1/directives/"+id+"/matrix?region=8", sec, nil)
		if m.Status != 200 || int64(len(m.Body["rows"].([]any))) != want {
			t.Fatalf("matrix region 8: %d rows, want %d: %.300s", len(m.Body["rows"].([]any)), want, m.Raw)
		}
		row := m.Body["rows"].([]any)[0].(map[string]any)
		cells := row["cells"].([]any)
		if row["unit_code"] != "20" || len(cells) != 5 || cells[0].(map[string]any)["status"] != nil || cells[1].(map[string]any)["status"] != "open" {
			t.Fatalf("matrix row for ชลบุรี: %v", row)
		}

		// A province sees the directive, limited to its own units.
		prov := h.login("chonburi", "province-pass-1")
		pg := h.do("GET", "/api/v1/directives/"+id, prov, nil)
		var own int64
		db.Model(&models.Unit{}).Where("code = ? OR parent_code = ?", "20", "20").Count(&own)
		if pg.Status != 200 || int64(pg.Body["progress"].(map[string]any)["units"].(float64)) != own {
			t.Fatalf("province view: %d %s", pg.Status, pg.Raw)
		}
		fmt.Fprint(&strings.Builder{}, own)
	})
}
