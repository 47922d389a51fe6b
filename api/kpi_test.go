package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// kpiScoreOf is criterion n's score in a breakdown answer.
func kpiScoreOf(t *testing.T, res response, n int) float64 {
	t.Helper()
	if res.Status != 200 {
		t.Fatalf("breakdown: %d %s", res.Status, res.Raw)
	}
	return res.Body["criteria"].([]any)[n-1].(map[string]any)["score"].(float64)
}

// TestKPIScorecardAPI: the secretariat creates a scheme from the shipped
// template (a sum other than 100 is refused naming the field), a province
// enters a criterion with evidence, the secretariat verifies it; scores,
// ranking and breakdown follow, within each caller's scope; a late report
// lowers criterion 7 at the next read; the evidence downloads; scores and
// attendance statistics export as CSV and xlsx. Every request and answer
// is checked against openapi.json.
func TestKPIScorecardAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		sec, prov := h.login("sec", "secretariat-pass"), h.login("chonburi", "province-pass-1")
		insp, watch := h.login("insp8", "inspector-pass-1"), h.login("watch", "observer-pass-1")

		res := h.do("GET", "/api/v1/kpi/templates", prov, nil)
		if res.Status != 200 || res.Body["total"].(float64) != 1 {
			t.Fatalf("templates: %d %s", res.Status, res.Raw)
		}
		tmpl := res.Body["items"].([]any)[0].(map[string]any)["code"].(string)

		bad := map[string]any{"name": "x", "period_from": "1 มิ.ย. 2567", "period_to": "31 ส.ค. 2567", "criteria": []map[string]any{
			{"title_th": "ก", "points": 50, "kind": "entered"}, {"title_th": "ข", "points": 49, "kind": "computed", "formula": "on_time_operation"}}}
		errorOf(t, h.do("POST", "/api/v1/kpi/schemes", sec, bad), 422, "invalid", "criteria")
		errorOf(t, h.do("POST", "/api/v1/kpi/schemes", prov, map[string]any{"name": "x", "template": tmpl}), 403, "forbidden", "")

		// The period is the current quarter, so that what happens now counts.
		now := time.Now()
		from, to := now.AddDate(0, -1, 0).Format("2006-01-02"), now.AddDate(0, 2, 0).Format("2006-01-02")
		res = h.do("POST", "/api/v1/kpi/schemes", sec, map[string]any{"name": "ระยะเร่งด่วน 3 เดือน", "template": tmpl, "period_from": from, "period_to": to})
		if res.Status != 201 || len(res.Body["criteria"].([]any)) != 14 {
			t.Fatalf("create: %d %s", res.Status, res.Raw)
		}
		id := int64(res.Body["id"].(float64))
		base := fmt.Sprintf("/api/v1/kpi/schemes/%d", id)
		if res := h.do("GET", "/api/v1/kpi/schemes", prov, nil); res.Status != 200 || res.Body["total"].(float64) != 1 {
			t.Fatalf("list: %d %s", res.Status, res.Raw)
		}
		if res := h.do("GET", base, watch, nil); res.Status != 200 || res.Body["period_from"] != from {
			t.Fatalf("get: %d %s", res.Status, res.Raw)
		}

		// The province enters criterion 1 with a photo and a PDF.
		cell := base + "/provinces/20/criteria/1/entries"
		png, pdf := asgPNG(t, 7), asgPDF("kpi", 0)
		res = asgSend(h, cell, prov, "", asgPart{field: "score", data: []byte("๑๘.๕")}, asgPart{field: "value", data: []byte("ร้อยละ 84")},
			asgFile("ภาพกิจกรรม.png", png), asgFile("รายงาน.pdf", pdf))
		if res.Status != 201 || res.Body["status"] != "submitted" || len(res.Body["evidence"].([]any)) != 2 {
			t.Fatalf("entry: %d %s", res.Status, res.Raw)
		}
		eid := int64(res.Body["id"].(float64))
		errorOf(t, asgSend(h, cell, prov, "", asgPart{field: "score", data: []byte("5")}, asgFile("x.png", []byte("not a png"))), 422, "invalid", "evidence[0]")
		errorOf(t, h.do("POST", cell, prov, map[string]any{"score": 30}), 422, "invalid", "score")
		errorOf(t, h.do("POST", base+"/provinces/50/criteria/1/entries", prov, map[string]any{"score": 3}), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"/provinces/20/criteria/7/entries", prov, map[string]any{"score": 3}), 409, "conflict", "")
		errorOf(t, h.do("POST", fmt.Sprintf("%s/%d/verify", cell, eid), prov, nil), 403, "forbidden", "")
		if kpiScoreOf(t, h.do("GET", base+"/provinces/20", prov, nil), 1) != 0 {
			t.Fatal("an unverified entry counts")
		}
		res = h.do("POST", fmt.Sprintf("%s/%d/verify", cell, eid), sec, nil)
		if res.Status != 200 || res.Body["status"] != "verified" {
			t.Fatalf("verify: %d %s", res.Status, res.Raw)
		}
		errorOf(t, h.do("POST", fmt.Sprintf("%s/%d/return", cell, eid), sec, map[string]any{"reason": "ซ้ำ"}), 409, "conflict", "")
		ev := fmt.Sprintf("%s/%d/evidence/", cell, eid)
		dlWant(t, h, ev+"0", prov, png, "ภาพกิจกรรม.png", "image/png")
		dlWant(t, h, ev+"1", sec, pdf, "รายงาน.pdf", "application/pdf")

		// Ranking: ชลบุรี first; the province sees its own row, the
		// inspector of region 8 its region's provinces.
		res = h.do("GET", base+"/scores", watch, nil)
		first := res.Body["items"].([]any)[0].(map[string]any)
		if res.Status != 200 || res.Body["total"].(float64) != 77 || first["unit_code"] != "20" || first["rank"].(float64) != 1 || first["score"].(float64) != 18.5 {
			t.Fatalf("scores: %d %.400s", res.Status, res.Raw)
		}
		if res := h.do("GET", base+"/scores", prov, nil); res.Body["total"].(float64) != 1 {
			t.Fatalf("a province sees %v rows", res.Body["total"])
		}
		res = h.do("GET", base+"/scores", insp, nil)
		for _, it := range res.Body["items"].([]any) {
			if r := it.(map[string]any)["inspection_region"]; r != 8.0 {
				t.Errorf("inspector of region 8 sees %v (region %v)", it.(map[string]any)["unit_code"], r)
			}
		}
		errorOf(t, h.do("GET", base+"/provinces/50", prov, nil), 404, "not_found", "")

		// Criterion 7 follows the records: an acknowledgement on time and an
		// item reported on time, then a district's item reported late.
		ts := now.Add(-48 * time.Hour)
		mustDB := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		mustDB(db.Create(&models.Directive{ID: "K1", Source: "ministry", IssuerCode: "MOI", DocNumber: "k1", IssueDate: ts.Format("2006-01-02"),
			Urgency: "ด่วน", Status: "issued", CreatedBy: "sec", CreatedAt: ts, UpdatedAt: ts}).Error)
		for _, u := range []struct{ unit, parent string }{{"20", "ONCB"}, {"2001", "20"}} {
			a := models.Assignment{ID: "assignment/K1/" + u.unit, DirectiveID: "K1", UnitCode: u.unit, ParentCode: u.parent, Status: models.AssignmentAcknowledged,
				AckDueAt: ts, AcknowledgedAt: &ts, CreatedAt: ts, UpdatedAt: ts}
			mustDB(db.Create(&a).Error)
		}
		due, onTime := now.Add(-24*time.Hour), now.Add(-30*time.Hour)
		mustDB(db.Create(&models.AssignmentItem{AssignmentID: "assignment/K1/20", ItemNumber: 1, Cycle: 1, Status: models.ItemReported, DueAt: &due, ReportedAt: &onTime, UpdatedAt: due}).Error)
		if got := kpiScoreOf(t, h.do("GET", base+"/provinces/20", prov, nil), 7); got != 4 {
			t.Fatalf("criterion 7 with everything on time = %v, want 4", got)
		}
		late := now.Add(-time.Hour)
		mustDB(db.Create(&models.AssignmentItem{AssignmentID: "assignment/K1/2001", ItemNumber: 1, Cycle: 1, Status: models.ItemReported, DueAt: &due, ReportedAt: &late, UpdatedAt: late}).Error)
		if got := kpiScoreOf(t, h.do("GET", base+"/provinces/20", prov, nil), 7); got != 3 {
			t.Fatalf("criterion 7 after a late report = %v, want 3 (4 × (1 + ½) / 2)", got)
		}

		// Exports.
		status, hdr, raw := dlGet(h, base+"/scores?format=csv", sec)
		if status != 200 || !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) || !strings.Contains(string(raw), "อันดับ") || !strings.Contains(string(raw), "ชลบุรี") ||
			!strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("scores csv: %d %v %.300s", status, hdr, raw)
		}
		status, _, raw = dlGet(h, base+"/scores?format=xlsx&lang=en", prov)
		if status != 200 || !bytes.HasPrefix(raw, []byte("PK")) {
			t.Fatalf("scores xlsx: %d %.100q", status, raw)
		}
		status, _, raw = dlGet(h, "/api/v1/meetings/attendance-stats?from="+from+"&format=csv", insp)
		if status != 200 || !strings.Contains(string(raw), "ชลบุรี") || strings.Contains(string(raw), "เชียงใหม่") {
			t.Fatalf("attendance csv: %d %.300s", status, raw)
		}
		errorOf(t, h.do("GET", base+"/scores?format=pdf", sec, nil), 422, "invalid", "format")

		for _, a := range []string{"kpi.scheme_create", "kpi.entry_submit", "kpi.entry_verify"} {
			if count(t, db, &models.AuditEvent{}, "action = ?", a) != 1 {
				t.Errorf("audit %s missing", a)
			}
		}
	})
}
