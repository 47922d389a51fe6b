package api_test

import (
	"bytes"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

func TestMeetingsAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		tc := h.withEngine()
		sec := h.login("sec", "secretariat-pass")
		chon := h.login("chonburi", "province-pass-1")

		errorOf(t, h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "Bad ID", "name": "x",
			"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}}), 422, "invalid", "id")
		errorOf(t, h.do("POST", "/api/v1/meeting-series", chon, map[string]any{}), 403, "forbidden", "")
		res := h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "oncb-prov", "name": "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.",
			"link": "https://meet.example/oncb", "participants": []string{"10", "20", "30"},
			"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}})
		if res.Status != 201 {
			t.Fatalf("create series: %d %s", res.Status, res.Raw)
		}
		list := h.do("GET", "/api/v1/meeting-series", chon, nil)
		if list.Status != 200 || list.Body["total"].(float64) != 1 {
			t.Fatalf("series list %s", list.Raw)
		}

		// Extra meetings: one starting in a few seconds, one later to cancel.
		startsAt := time.Now().Add(6 * time.Second).Truncate(time.Second)
		errorOf(t, h.do("POST", "/api/v1/meeting-series/oncb-prov/meetings", sec, map[string]any{"starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}), 422, "invalid", "starts_at")
		add := h.do("POST", "/api/v1/meeting-series/oncb-prov/meetings", sec, map[string]any{"starts_at": startsAt.Format(time.RFC3339), "title": "ประชุมนัดพิเศษ"})
		if add.Status != 201 {
			t.Fatalf("add meeting: %d %s", add.Status, add.Raw)
		}
		id := add.Body["id"].(string)
		later := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
		add2 := h.do("POST", "/api/v1/meeting-series/oncb-prov/meetings", sec, map[string]any{"starts_at": later.Format(time.RFC3339)})
		if add2.Status != 201 {
			t.Fatalf("add meeting 2: %d %s", add2.Status, add2.Raw)
		}
		id2 := add2.Body["id"].(string)
		// Regular meetings created meanwhile take numbers too; none is reused.
		if add2.Body["year_be"] == add.Body["year_be"] && add2.Body["number"].(float64) <= add.Body["number"].(float64) {
			t.Errorf("numbers %v then %v", add.Body["number"], add2.Body["number"])
		}
		eventually(t, 20*time.Second, "meeting rows", func() bool { return count(t, db, &models.Meeting{}, "id IN ?", []string{id, id2}) == 2 })
		errorOf(t, h.do("POST", "/api/v1/meeting-series/oncb-prov/meetings", sec, map[string]any{"starts_at": later.Add(30 * time.Minute).Format(time.RFC3339)}), 409, "conflict", "starts_at")

		// RSVP: own province only, known roles only.
		path := "/api/v1/meetings/" + id
		errorOf(t, h.do("POST", path+"/rsvp", chon, map[string]any{"unit_code": "10", "attendees": []any{map[string]any{"name": "ก", "role": "governor"}}}), 403, "forbidden", "")
		errorOf(t, h.do("POST", path+"/rsvp", chon, map[string]any{"attendees": []any{map[string]any{"name": "ก", "role": "mayor"}}}), 422, "invalid", "role")
		errorOf(t, h.do("POST", path+"/rsvp", chon, map[string]any{"attendees": []any{map[string]any{"name": "ก", "role": "other"}}}), 422, "invalid", "attendees[0].reason")
		if r := h.do("POST", path+"/rsvp", chon, map[string]any{"attendees": []any{map[string]any{"name": "นาย ก", "role": "palad"}}}); r.Status != 200 {
			t.Fatalf("rsvp: %d %s", r.Status, r.Raw)
		}
		if n := count(t, db, &models.MeetingRSVP{}, "meeting_id = ? AND unit_code = ?", id, "20"); n != 1 {
			t.Fatalf("rsvp rows %d", n)
		}
		// Attendance and minutes before the start.
		att := map[string]any{"units": []any{
			map[string]any{"unit_code": "20", "attendees": []any{map[string]any{"name": "นาย ก", "role": "palad"}}},
			map[string]any{"unit_code": "10", "attendees": []any{map[string]any{"name": "ผวจ.", "role": "governor"}}}}}
		errorOf(t, h.do("POST", path+"/attendance", sec, att), 409, "conflict", "")
		time.Sleep(time.Until(startsAt) + 500*time.Millisecond)
		errorOf(t, h.do("POST", path+"/rsvp", chon, map[string]any{"declined": true, "reason": "ติดภารกิจ"}), 409, "conflict", "")
		errorOf(t, h.do("POST", path+"/attendance", chon, att), 403, "forbidden", "")
		r := h.do("POST", path+"/attendance", sec, att)
		if r.Status != 200 {
			t.Fatalf("attendance: %d %s", r.Status, r.Raw)
		}
		if ab := r.Body["absent"].([]any); len(ab) != 1 || ab[0] != "30" {
			t.Errorf("absent %v", ab)
		}
		if ur := r.Body["under_represented"].([]any); len(ur) != 1 || ur[0] != "20" {
			t.Errorf("under-represented %v", ur)
		}
		errorOf(t, h.do("PUT", path+"/minutes", sec, map[string]any{"text": " "}), 422, "invalid", "text")
		for _, text := range []string{"รายงานการประชุม", "รายงานการประชุม (แก้ไข) MINUTESMARK"} {
			r := h.do("PUT", path+"/minutes", sec, map[string]any{"text": text})
			if mins, _ := r.Body["minutes"].([]any); r.Status != 200 || mins[len(mins)-1].(map[string]any)["text"] != text {
				t.Fatalf("minutes: %d %s", r.Status, r.Raw)
			}
		}
		got := h.do("GET", path, chon, nil)
		if got.Status != 200 || len(got.Body["minutes"].([]any)) != 2 || got.Body["meeting"].(map[string]any)["status"] != "published" ||
			got.Body["minutes"].([]any)[1].(map[string]any)["text"] != "รายงานการประชุม (แก้ไข) MINUTESMARK" {
			t.Fatalf("meeting view %s", got.Raw)
		}
		// The minutes travel by ref: the workflow's history never holds them.
		if historyHolds(t, tc, workflows.MeetingWorkflowID(id), []byte("MINUTESMARK")) {
			t.Error("the meeting workflow's history carries the minutes' text")
		}
		// Scope: a province reads its own RSVP and attendance, not Bangkok's;
		// the inspector of region 8 reads ชลบุรี's; one of region 15 reads
		// none and, with no participant in its regions, no minutes; the
		// secretariat reads all.
		unitsOf := func(r response, key string) []string {
			var out []string
			for _, it := range r.Body[key].([]any) {
				out = append(out, it.(map[string]any)["unit_code"].(string))
			}
			return out
		}
		if a := unitsOf(got, "attendance"); !slices.Equal(a, []string{"20"}) || !slices.Equal(unitsOf(got, "rsvps"), []string{"20"}) {
			t.Errorf("ชลบุรี reads attendance %v, rsvps %v", a, unitsOf(got, "rsvps"))
		}
		if g := h.do("GET", path, h.login("insp8", "inspector-pass-1"), nil); !slices.Equal(unitsOf(g, "attendance"), []string{"20"}) || len(g.Body["minutes"].([]any)) != 2 {
			t.Errorf("insp8 reads %s", g.Raw)
		}
		if _, err := (&auth.Service{DB: db}).CreateAccount(t.Context(), auth.NewAccount{Username: "insp15", Password: "inspector-pass-15",
			Role: models.RoleInspector, Regions: []int{15}}); err != nil {
			t.Fatal(err)
		}
		if g := h.do("GET", path, h.login("insp15", "inspector-pass-15"), nil); len(unitsOf(g, "attendance")) != 0 || len(g.Body["minutes"].([]any)) != 0 {
			t.Errorf("insp15 reads %s", g.Raw)
		}
		if g := h.do("GET", path, sec, nil); !slices.Equal(unitsOf(g, "attendance"), []string{"10", "20"}) {
			t.Errorf("secretariat reads %s", g.Raw)
		}
		// Every meeting write is in the audit trail.
		for _, action := range []string{"meeting." + workflows.UpdateRSVP, "meeting." + workflows.UpdateAttendance, "meeting." + workflows.UpdateMinutes} {
			if n := count(t, db, &models.AuditEvent{}, "action = ? AND entity_id = ?", action, id); n == 0 {
				t.Errorf("no audit row for %s", action)
			}
		}
		stats := h.do("GET", "/api/v1/meetings/attendance-stats", sec, nil)
		for _, it := range stats.Body["items"].([]any) {
			s := it.(map[string]any)
			switch s["unit_code"] {
			case "10":
				if s["held"].(float64) != 1 || s["attended"].(float64) != 1 || s["attended_by_head"].(float64) != 1 {
					t.Errorf("stats 10: %v", s)
				}
			case "20":
				if s["held"].(float64) != 1 || s["attended"].(float64) != 1 || s["attended_by_head"].(float64) != 0 {
					t.Errorf("stats 20: %v", s)
				}
			}
		}

		// Reschedule, then cancel, the later meeting; minutes then refused.
		path2 := "/api/v1/meetings/" + id2
		if r := h.do("POST", path2+"/reschedule", sec, map[string]any{"starts_at": later.Add(24 * time.Hour).Format(time.RFC3339), "reason": "ติดภารกิจ"}); r.Status != 200 {
			t.Fatalf("reschedule: %d %s", r.Status, r.Raw)
		}
		tokRes := h.do("POST", "/api/v1/units/20/meetings.ics/token", chon, nil)
		if tokRes.Status != 201 {
			t.Fatalf("feed token: %d %s", tokRes.Status, tokRes.Raw)
		}
		tok := tokRes.Body["token"].(string)
		feed := func() map[string]*ics.VEvent {
			t.Helper()
			// No bearer header: calendar apps only have the link.
			req := httptest.NewRequest("GET", "/api/v1/units/20/meetings.ics?token="+tok, nil)
			resp, err := h.app.Test(req, 30_000)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("feed: %v %v", err, resp.StatusCode)
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			// RFC 5545 §3.1: every content line ends in CRLF.
			if raw := buf.String(); !strings.HasSuffix(raw, "END:VCALENDAR\r\n") || strings.Count(raw, "\n") != strings.Count(raw, "\r\n") {
				t.Fatalf("feed lines must end in CRLF: %q", raw[:min(len(raw), 200)])
			}
			cal, err := ics.ParseCalendar(&buf)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]*ics.VEvent{}
			for _, ev := range cal.Events() {
				out[ev.Id()] = ev
			}
			return out
		}
		prop := func(ev *ics.VEvent, p ics.ComponentProperty) string {
			if ev == nil || ev.GetProperty(p) == nil {
				return ""
			}
			return ev.GetProperty(p).Value
		}
		before := feed()[id2+"@tidtam"]
		if prop(before, ics.ComponentPropertySequence) != "1" || prop(before, ics.ComponentPropertyStatus) != "CONFIRMED" {
			t.Fatalf("event before cancel: seq %q status %q", prop(before, ics.ComponentPropertySequence), prop(before, ics.ComponentPropertyStatus))
		}
		if st, _ := before.GetStartAt(); !st.Equal(later.Add(24 * time.Hour)) {
			t.Errorf("DTSTART %s", st)
		}
		errorOf(t, h.do("POST", path2+"/cancel", sec, map[string]any{"reason": ""}), 422, "invalid", "reason")
		if r := h.do("POST", path2+"/cancel", sec, map[string]any{"reason": "ยกเลิกตามมติ"}); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("PUT", path2+"/minutes", sec, map[string]any{"text": "x"}), 409, "conflict", "")
		errorOf(t, h.do("POST", path2+"/reschedule", sec, map[string]any{"starts_at": later.Format(time.RFC3339), "reason": "x"}), 409, "conflict", "")
		after := feed()
		ev := after[id2+"@tidtam"]
		if prop(ev, ics.ComponentPropertySequence) != "2" || prop(ev, ics.ComponentPropertyStatus) != "CANCELLED" || after[id+"@tidtam"] == nil {
			t.Fatalf("event after cancel: seq %q status %q", prop(ev, ics.ComponentPropertySequence), prop(ev, ics.ComponentPropertyStatus))
		}
		bad := httptest.NewRequest("GET", "/api/v1/units/20/meetings.ics?token=wrong", nil)
		bad.Header.Set("Authorization", "Bearer "+chon)
		if resp, _ := h.app.Test(bad, 30_000); resp.StatusCode != 403 {
			t.Errorf("wrong feed token: %d", resp.StatusCode)
		}
	})
}
