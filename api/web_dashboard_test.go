package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebDashboardLive drives the national dashboard, a province's page,
// the live directive matrix and the meeting board in Chromium: what units
// do through the API while the pages are open reaches each page without a
// reload (Server-Sent Events), a tile of the map leads to the province,
// and the dashboard reads in English.
func TestWebDashboardLive(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	asgEngine(h)
	base := serveHTTP(h)
	admin := h.login("admin", adminPassword)
	asgAccount(h, admin, "muangchon", "district", "2001")
	sec := h.login("sec", "secretariat-pass")
	prov := h.login("chonburi", "province-pass-1")
	dist := h.login("muangchon", "muangchon-password")
	id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๙๔๑", map[string]any{"ack_within": "P3D"},
		map[string]any{"number": 1, "text": "รายงานผลการตรวจค้น", "due_within": "P5D",
			"targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง", "เชียงใหม่"}, "units": []string{"2001"}}}))
	eventually(t, time.Minute, "four assignments", func() bool {
		return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 4
	})
	// Two meetings held in the past, for the trend.
	if err := db.Create(&models.MeetingSeries{ID: "past", Name: "ประชุมที่ผ่านมา", OrganiserCode: models.NationalUnitCode, Participants: "[]",
		Cadence: "[]", Numbering: "yearly", HolidayRule: "skip", Policy: "{}", StartDate: "2026-01-01", CreatedBy: "test",
		CreatedAt: time.Now(), UpdatedAt: time.Now()}).Error; err != nil {
		t.Fatal(err)
	}
	for i, ago := range []time.Duration{30 * 24 * time.Hour, 15 * 24 * time.Hour} {
		at := time.Now().Add(-ago).UTC().Truncate(time.Second)
		if err := db.Create(&models.Meeting{ID: "past-" + string(rune('a'+i)), SeriesID: "past", YearBE: 2569, Number: i + 1, Title: "ประชุม",
			StartsAt: at, EndsAt: at.Add(time.Hour), Status: models.MeetingPublished, Participants: "[]", Agenda: "[]",
			CreatedAt: at, UpdatedAt: at}).Error; err != nil {
			t.Fatal(err)
		}
	}

	// A KPI scheme from the shipped template, over the current quarter.
	tmpl := h.do("GET", "/api/v1/kpi/templates", sec, nil).Body["items"].([]any)[0].(map[string]any)["code"].(string)
	if r := h.do("POST", "/api/v1/kpi/schemes", sec, map[string]any{"name": "ระยะเร่งด่วน 3 เดือน", "template": tmpl,
		"period_from": time.Now().AddDate(0, -1, 0).Format("2006-01-02"), "period_to": time.Now().AddDate(0, 2, 0).Format("2006-01-02")}); r.Status != 201 {
		t.Fatalf("KPI scheme: %d %s", r.Status, r.Raw)
	}

	tab := browsertest.New(t, base).Tab(t, browsertest.Desktop)
	tab.Open(t, "/dashboard")
	signIn(t, tab, "sec", "secretariat-pass")
	if got := tab.Text(t, "#open-directives"); !strings.Contains(got, "ที่ มท ๐๓๑๑.๓/ว ๙๔๑") {
		t.Fatalf("the open directive is not on the dashboard: %q", got)
	}
	if !tab.Exists(t, "#map svg") || !tab.Exists(t, "#trend svg") || !tab.Exists(t, "#prov-20 td.cell-on_track") || !tab.Exists(t, "#prov-10 td.cell-none") {
		t.Fatal("the dashboard lacks its map, trend or matrix")
	}
	if got := tab.Text(t, "#summary"); !strings.Contains(got, "๐/๔") {
		t.Errorf("before any acknowledgement: %q", got)
	}
	tab.Shot(t, "dashboard")

	// A unit acknowledges and reports: the open page follows.
	base2 := "/api/v1/directives/" + id + "/assignments/"
	if r := h.do("POST", base2+"20/acknowledge", prov, map[string]string{"note": "รับทราบ"}); r.Status != 200 {
		t.Fatalf("acknowledge: %d %s", r.Status, r.Raw)
	}
	if r := asgSend(h, base2+"20/items/1/reports", prov, "dash-web-1", asgText("ตรวจค้นครบ")); r.Status != 200 {
		t.Fatalf("report: %d %s", r.Status, r.Raw)
	}
	start := time.Now()
	eventually(t, 15*time.Second, "the dashboard to show the acknowledgement without a reload", func() bool {
		return strings.Contains(tab.Text(t, "#summary"), "๑/๔") && strings.Contains(tab.Text(t, "#total-rate"), "๑๐๐")
	})
	t.Logf("the change reached the open dashboard in %s", time.Since(start).Round(10*time.Millisecond))
	if loc := tab.Location(t); loc != "/dashboard" {
		t.Errorf("the page navigated: %s", loc)
	}
	tab.Shot(t, "dashboard-live")

	// The map coloured by KPI score.
	tab.Click(t, "#color-kpi")
	if got := tab.Text(t, "#map"); !strings.Contains(got, "ระยะเร่งด่วน 3 เดือน") || !tab.Exists(t, "#map svg") {
		t.Errorf("the map by KPI score: %q", got)
	}
	tab.Shot(t, "dashboard-kpi")
	tab.Open(t, "/dashboard")

	// Links inside the live region are ordinary links.
	tab.Click(t, "#open-directives tbody a")
	if loc := tab.Location(t); !strings.HasPrefix(loc, "/directives/") || !tab.Exists(t, "#matrix table") {
		t.Fatalf("the directive's link from the dashboard led to %s", loc)
	}
	tab.Open(t, "/dashboard")

	// A tile of the map leads to the province's page.
	tab.Click(t, `#map a[href="/provinces/20"]`)
	if loc := tab.Location(t); loc != "/provinces/20" {
		t.Fatalf("the ชลบุรี tile led to %s", loc)
	}
	if got := tab.Text(t, "#district-2001"); !strings.Contains(got, "๐/๑") {
		t.Errorf("เมืองชลบุรี before it acknowledges: %q", got)
	}
	if got := tab.Text(t, "#rank"); !strings.Contains(got, "อันดับ ๑") {
		t.Errorf("ชลบุรี's rank: %q", got)
	}
	if got := tab.Text(t, "#kpi-score"); !strings.Contains(got, "ระยะเร่งด่วน") || !strings.Contains(got, "อันดับ") {
		t.Errorf("ชลบุรี's KPI score: %q", got)
	}
	if r := h.do("POST", base2+"2001/acknowledge", dist, nil); r.Status != 200 {
		t.Fatalf("district acknowledge: %d %s", r.Status, r.Raw)
	}
	eventually(t, 15*time.Second, "the province page to show the district's acknowledgement", func() bool {
		return strings.Contains(tab.Text(t, "#district-2001"), "๑/๑")
	})
	tab.Shot(t, "province")

	// The directive's matrix follows too.
	tab.Open(t, "/directives/"+url.PathEscape(id))
	if r := h.do("POST", base2+"21/acknowledge", h.loginAs(t, admin, "rayong", "province", "21"), nil); r.Status != 200 {
		t.Fatalf("ระยอง acknowledge: %d %s", r.Status, r.Raw)
	}
	eventually(t, 15*time.Second, "the matrix to show ระยอง's acknowledgement", func() bool {
		return tab.Exists(t, `#matrix tr.s-acknowledged a[href$="/assignments/21"]`)
	})
	tab.Shot(t, "matrix-live")

	// The meeting board: attendance appears as it is marked.
	if r := h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "oncb-board", "name": "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.",
		"link": "https://meet.example/oncb", "participants": []string{"20", "21"},
		"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}}); r.Status != 201 {
		t.Fatalf("series: %d %s", r.Status, r.Raw)
	}
	startsAt := time.Now().Add(3 * time.Second).Truncate(time.Second)
	add := h.do("POST", "/api/v1/meeting-series/oncb-board/meetings", sec, map[string]any{"starts_at": startsAt.Format(time.RFC3339), "title": "ประชุมติดตามสถานการณ์"})
	if add.Status != 201 {
		t.Fatalf("meeting: %d %s", add.Status, add.Raw)
	}
	mid := add.Body["id"].(string)
	eventually(t, 20*time.Second, "the meeting row", func() bool { return count(t, db, &models.Meeting{}, "id = ?", mid) == 1 })
	time.Sleep(time.Until(startsAt) + 500*time.Millisecond)
	tab.Open(t, "/meetings/"+url.PathEscape(mid))
	tab.Click(t, "#board-link")
	if got := tab.Text(t, "#board-followup"); !strings.Contains(got, "ที่ มท ๐๓๑๑.๓/ว ๙๔๑") {
		t.Fatalf("the board's follow-up: %q", got)
	}
	if !tab.Exists(t, "#att-20.absent") {
		t.Fatal("ชลบุรี shows present before attendance was marked")
	}
	if r := h.do("POST", "/api/v1/meetings/"+mid+"/attendance", sec, map[string]any{"units": []any{
		map[string]any{"unit_code": "20", "attendees": []any{map[string]any{"name": "นายสมชาย ใจดี", "role": "governor"}}}}}); r.Status != 200 {
		t.Fatalf("attendance: %d %s", r.Status, r.Raw)
	}
	eventually(t, 15*time.Second, "the board to show ชลบุรี present", func() bool { return tab.Exists(t, "#att-20.present") })
	tab.Shot(t, "board")

	// In English, and at phone size.
	tab.Open(t, "/dashboard?lang=en")
	assertEnglish(t, tab)
	tab.Shot(t, "dashboard-english")
	tab.Open(t, "/dashboard?lang=th")
	phone := browsertest.New(t, base).Tab(t, browsertest.Phone)
	phone.Open(t, "/dashboard")
	signIn(t, phone, "sec", "secretariat-pass")
	phone.Shot(t, "dashboard")
	tab.AssertClean(t)
	phone.AssertClean(t)
}

// loginAs creates an account through the API as admin and signs it in.
func (h *harness) loginAs(t *testing.T, admin, username, role, unit string) string {
	t.Helper()
	asgAccount(h, admin, username, role, unit)
	return h.login(username, username+"-password")
}

// TestLiveTopicsAreAuthorised: /live authorises each topic as its page
// does, and refuses an unknown topic, before streaming anything.
func TestLiveTopicsAreAuthorised(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	get := func(path, token string) int {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "tidtam_session", Value: token})
		res, err := h.app.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	prov, sec := h.login("chonburi", "province-pass-1"), h.login("sec", "secretariat-pass")
	for _, c := range []struct {
		path, token, who string
		want             int
	}{
		{"/live?topic=meeting&id=m1", prov, "a province, the meeting board", 403},
		{"/live?topic=dashboard", prov, "a province, the national dashboard", 403},
		{"/live?topic=province&code=21", prov, "a province, another province", 403},
		{"/live?topic=meeting&id=none", sec, "the secretariat, an unknown meeting", 404},
		{"/live?topic=weather", sec, "an unknown topic", 422},
	} {
		if got := get(c.path, c.token); got != c.want {
			t.Errorf("%s: %d, want %d", c.who, got, c.want)
		}
	}
}
