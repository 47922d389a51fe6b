package api_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// dashProvince returns the row of province code in a dashboard answer.
func dashProvince(t *testing.T, body map[string]any, code string) map[string]any {
	t.Helper()
	for _, p := range body["provinces"].([]any) {
		if row := p.(map[string]any); row["code"] == code {
			return row
		}
	}
	t.Fatalf("province %s not on the dashboard", code)
	return nil
}

// TestDashboardAPI issues a directive to ชลบุรี (and its district
// เมืองชลบุรี), ระยอง and เชียงใหม่; acknowledgements and a report move
// the counters, which the national dashboard, the province pictures and
// their scopes show; an unchanged dashboard answers 304 to its ETag.
func TestDashboardAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		asgEngine(h)
		admin := h.login("admin", adminPassword)
		asgAccount(h, admin, "muangchon", "district", "2001")
		asgAccount(h, admin, "rayong", "province", "21")
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		dist := h.login("muangchon", "muangchon-password")
		insp := h.login("insp8", "inspector-pass-1")
		watch := h.login("watch", "observer-pass-1")
		policy := map[string]any{"ack_within": "P3D"}
		id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๓๑", policy,
			map[string]any{"number": 1, "text": "รายงานผลการตรวจค้น", "due_within": "P5D",
				"targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง", "เชียงใหม่"}, "units": []string{"2001"}}}))
		eventually(t, time.Minute, "four assignments", func() bool {
			return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 4
		})

		res := h.do("GET", "/api/v1/dashboard", sec, nil)
		if res.Status != 200 {
			t.Fatalf("dashboard: %d %s", res.Status, res.Raw)
		}
		dirs := res.Body["directives"].([]any)
		if len(dirs) != 1 || dirs[0].(map[string]any)["id"] != id || dirs[0].(map[string]any)["units"] != float64(4) ||
			dirs[0].(map[string]any)["items"] != float64(4) {
			t.Fatalf("open directives: %s", res.Raw)
		}
		chon := dashProvince(t, res.Body, "20")
		if chon["units"] != float64(2) || chon["cells"].([]any)[0].(map[string]any)["state"] != "on_track" || chon["region"] != "east" {
			t.Errorf("ชลบุรี (with its district): %v", chon)
		}
		if c := dashProvince(t, res.Body, "10")["cells"].([]any)[0].(map[string]any); c["state"] != "none" {
			t.Errorf("กรุงเทพฯ was not sent the directive: %v", c)
		}
		if len(res.Body["provinces"].([]any)) != 77 {
			t.Errorf("%d provinces on the national dashboard", len(res.Body["provinces"].([]any)))
		}

		// The unit's acknowledgement and report move the counters.
		base := "/api/v1/directives/" + id + "/assignments/"
		if r := h.do("POST", base+"20/acknowledge", prov, map[string]string{"note": "รับทราบ"}); r.Status != 200 {
			t.Fatalf("acknowledge: %d %s", r.Status, r.Raw)
		}
		if r := h.do("POST", base+"2001/acknowledge", dist, nil); r.Status != 200 {
			t.Fatalf("district acknowledge: %d %s", r.Status, r.Raw)
		}
		if r := asgSend(h, base+"20/items/1/reports", prov, "dash-rep-1", asgText("ตรวจค้นครบทุกอำเภอ")); r.Status != 200 {
			t.Fatalf("report: %d %s", r.Status, r.Raw)
		}
		eventually(t, 10*time.Second, "the counters to follow", func() bool {
			row := dashProvince(t, h.do("GET", "/api/v1/dashboard", sec, nil).Body, "20")
			return row["acknowledged"] == float64(2) && row["on_time"] == float64(1) && row["on_time_rate"] == float64(100)
		})
		res = h.do("GET", "/api/v1/dashboard", sec, nil)
		if d := res.Body["directives"].([]any)[0].(map[string]any); d["acknowledged"] != float64(2) || d["reported"] != float64(1) ||
			d["on_time_share"] != float64(25) || d["overdue"] != float64(0) {
			t.Errorf("directive after one report: %v", d)
		}

		// ETag: the same content answers 304.
		etag := h.lastHeader(t, "/api/v1/dashboard", sec)
		if etag == "" {
			t.Fatal("no ETag")
		}
		if got := h.lastStatus(t, "/api/v1/dashboard", sec, etag); got != 304 {
			t.Errorf("If-None-Match with the current ETag: %d, want 304", got)
		}

		// Filters and scopes.
		res = h.do("GET", "/api/v1/dashboard?region=north", sec, nil)
		for _, p := range res.Body["provinces"].([]any) {
			if p.(map[string]any)["region"] != "north" {
				t.Errorf("region=north shows %v", p.(map[string]any)["code"])
			}
		}
		if n := len(h.do("GET", "/api/v1/dashboard?inspection_region=%E0%B9%98", sec, nil).Body["provinces"].([]any)); n == 0 || n > 5 {
			t.Errorf("inspection region ๘ (Thai digit) shows %d provinces", n)
		}
		errorOf(t, h.do("GET", "/api/v1/dashboard?region=mars", sec, nil), 422, "invalid", "region")
		errorOf(t, h.do("GET", "/api/v1/dashboard?inspection_region=19", sec, nil), 422, "invalid", "inspection_region")
		for _, p := range h.do("GET", "/api/v1/dashboard", insp, nil).Body["provinces"].([]any) {
			if r := p.(map[string]any)["inspection_region"]; r != float64(8) {
				t.Errorf("the inspector of region 8 sees a province of region %v", r)
			}
		}
		if r := h.do("GET", "/api/v1/dashboard", watch, nil); r.Status != 200 {
			t.Errorf("observer: %d", r.Status)
		}
		errorOf(t, h.do("GET", "/api/v1/dashboard", prov, nil), 403, "forbidden", "")

		// The province's own picture, with its district.
		res = h.do("GET", "/api/v1/provinces/20/dashboard", prov, nil)
		if res.Status != 200 || res.Body["rank"] != float64(1) || len(res.Body["directives"].([]any)) != 1 {
			t.Fatalf("ชลบุรี's picture: %d %s", res.Status, res.Raw)
		}
		var mc map[string]any
		for _, d := range res.Body["districts"].([]any) {
			if d.(map[string]any)["code"] == "2001" {
				mc = d.(map[string]any)
			}
		}
		if mc == nil || mc["acknowledged"] != float64(1) || mc["awaiting"] != float64(1) {
			t.Errorf("เมืองชลบุรี in the picture: %v", mc)
		}
		if r := h.do("GET", "/api/v1/provinces/20/dashboard", dist, nil); r.Status != 200 {
			t.Errorf("the district's own province: %d", r.Status)
		}
		errorOf(t, h.do("GET", "/api/v1/provinces/21/dashboard", prov, nil), 403, "forbidden", "")
		errorOf(t, h.do("GET", "/api/v1/provinces/50/dashboard", insp, nil), 403, "forbidden", "")
		errorOf(t, h.do("GET", "/api/v1/provinces/99/dashboard", sec, nil), 404, "not_found", "")
	})
}

// lastHeader GETs path with token and returns its ETag.
func (h *harness) lastHeader(t *testing.T, path, token string) string {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	return res.Header.Get("ETag")
}

// lastStatus GETs path with token and If-None-Match etag and returns the
// status.
func (h *harness) lastStatus(t *testing.T, path, token, etag string) int {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("If-None-Match", etag)
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode
}
