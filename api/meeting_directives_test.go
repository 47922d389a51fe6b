package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// resolution is the body of POST /meetings/{id}/directives with one item
// for provinces.
func resolution(subject string, provinces ...string) map[string]any {
	return map[string]any{
		"urgency": "ด่วน", "subject": subject,
		"items": []map[string]any{{"number": "๑", "text": "รายงานผลการดำเนินการ", "due_within": "15",
			"targets": map[string]any{"provinces": provinces}}},
	}
}

// agendaFollowUps returns the directive IDs of a meeting's follow-up
// agenda items, as GET /meetings/{id} shows them.
func agendaFollowUps(t *testing.T, h *harness, token, meetingID string) []string {
	t.Helper()
	res := h.do("GET", "/api/v1/meetings/"+meetingID, token, nil)
	if res.Status != 200 {
		t.Fatalf("get meeting: %d %s", res.Status, res.Raw)
	}
	var ids []string
	agenda, _ := res.Body["meeting"].(map[string]any)["agenda"].([]any)
	for _, it := range agenda {
		item := it.(map[string]any)
		if item["kind"] != "follow_up" {
			continue
		}
		ids = append(ids, item["follow_up"].(map[string]any)["directive_id"].(string))
	}
	slices.Sort(ids)
	return ids
}

// TestMeetingDirectives issues resolutions at a meeting: numbered ข้อ 1, 2,
// … within it (never reused, even after a withdrawal), linked to it, fanned
// out to their targets, listed with the meeting and in the follow-up
// section of later meetings' agendas while open; a cancelled meeting takes
// none, and bad input changes nothing.
func TestMeetingDirectives(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withEngine()
		sec := h.login("sec", "secretariat-pass")
		chon := h.login("chonburi", "province-pass-1")

		// No regular meeting for months: only the extra ones below exist.
		res := h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "oncb-prov", "name": "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.",
			"participants": []string{"20", "21"}, "start_date": time.Now().AddDate(0, 4, 0).Format("2006-01-02"),
			"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}})
		if res.Status != 201 {
			t.Fatalf("create series: %d %s", res.Status, res.Raw)
		}
		addMeeting := func(at time.Time) (string, string) {
			t.Helper()
			r := h.do("POST", "/api/v1/meeting-series/oncb-prov/meetings", sec, map[string]any{"starts_at": at.Format(time.RFC3339)})
			if r.Status != 201 {
				t.Fatalf("add meeting: %d %s", r.Status, r.Raw)
			}
			id := r.Body["id"].(string)
			label := "ครั้งที่ " + itoa(int(r.Body["number"].(float64))) + "/" + itoa(int(r.Body["year_be"].(float64)))
			eventually(t, 20*time.Second, "meeting row "+id, func() bool { return count(t, db, &models.Meeting{}, "id = ?", id) == 1 })
			return id, label
		}
		// Meeting A is not held yet: resolutions may be issued ahead.
		base := time.Now().Add(time.Hour).Truncate(time.Minute)
		meetingA, labelA := addMeeting(base)
		pathA := "/api/v1/meetings/" + meetingA + "/directives"

		// Bad input: 4xx naming the field, nothing stored.
		errorOf(t, h.do("POST", pathA, chon, resolution("x", "ชลบุรี")), 403, "forbidden", "")
		errorOf(t, h.do("POST", "/api/v1/meetings/no-such-meeting/directives", sec, resolution("x", "ชลบุรี")), 404, "not_found", "")
		withDoc := resolution("x", "ชลบุรี")
		withDoc["doc_number"] = "ที่ มท 1/2569"
		errorOf(t, h.do("POST", pathA, sec, withDoc), 422, "invalid", "doc_number")
		errorOf(t, h.do("POST", pathA, sec, resolution(" ", "ชลบุรี")), 422, "invalid", "subject")
		errorOf(t, h.do("POST", pathA, sec, resolution("x", "ชลบุรีย์")), 422, "invalid", "items[0].targets.provinces[0]")
		badDate := resolution("x", "ชลบุรี")
		badDate["issue_date"] = "31 ก.พ. 2569"
		errorOf(t, h.do("POST", pathA, sec, badDate), 422, "invalid", "issue_date")
		if n := count(t, db, &models.Directive{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d directives", n)
		}

		issue := func(body map[string]any) map[string]any {
			t.Helper()
			r := h.do("POST", pathA, sec, body)
			if r.Status != 202 {
				t.Fatalf("issue resolution: %d %s", r.Status, r.Raw)
			}
			return r.Body
		}
		// Two resolutions at once: both read the same numbers, one takes
		// ข้อ 1 and the other moves on to ข้อ 2 (no 409, no number twice).
		bodies := []map[string]any{resolution("เร่งรัดการตรวจค้นพื้นที่เสี่ยง", "ชลบุรี"), resolution("จัดตั้งจุดตรวจร่วม", "ชลบุรี", "ระยอง")}
		answers := make([]response, len(bodies))
		var wg sync.WaitGroup
		for i, b := range bodies {
			wg.Go(func() {
				buf, _ := json.Marshal(b)
				req := httptest.NewRequest("POST", pathA, bytes.NewReader(buf))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+sec)
				if res, err := h.app.Test(req, 30_000); err == nil {
					raw, _ := io.ReadAll(res.Body)
					answers[i] = response{Status: res.StatusCode, Raw: raw}
					_ = json.Unmarshal(raw, &answers[i].Body)
				}
			})
		}
		wg.Wait()
		for _, a := range answers {
			if a.Status != 202 {
				t.Fatalf("concurrent resolution: %d %s", a.Status, a.Raw)
			}
		}
		first, second := answers[0].Body, answers[1].Body
		if first["number"] == float64(2) {
			first, second = second, first
		}
		for i, got := range []map[string]any{first, second} {
			want := "มติที่ประชุม ศปก.ครส. " + labelA + " ข้อ " + itoa(i+1)
			if got["doc_number"] != want || got["number"] != float64(i+1) || got["meeting_id"] != meetingA {
				t.Fatalf("resolution %d: %v, want doc_number %q", i+1, got, want)
			}
		}
		id1, id2 := first["id"].(string), second["id"].(string)
		wantUnits := map[string][]string{}
		for _, a := range []map[string]any{first, second} {
			wantUnits[a["id"].(string)] = map[float64][]string{1: {"20"}, 2: {"20", "21"}}[a["units_total"].(float64)]
		}
		eventually(t, 60*time.Second, "both resolutions stored and fanned out", func() bool {
			return count(t, db, &models.Directive{}, "meeting_id = ? AND status = ?", meetingA, models.DirectiveIssued) == 2 &&
				count(t, db, &models.Assignment{}, "directive_id IN ?", []string{id1, id2}) == 3
		})
		for id, units := range wantUnits {
			var got []string
			db.Model(&models.Assignment{}).Where("directive_id = ?", id).Order("unit_code").Pluck("unit_code", &got)
			if !slices.Equal(got, units) {
				t.Errorf("%s assigned to %v, want %v", id, got, units)
			}
			d := h.do("GET", "/api/v1/directives/"+id, sec, nil)
			if d.Status != 200 || d.Body["meeting_id"] != meetingA || d.Body["source"] != "meeting" {
				t.Errorf("directive %s: %d %s", id, d.Status, d.Raw)
			}
		}
		// Issue date defaults to the meeting's date.
		var dir models.Directive
		db.Where("id = ?", id1).Take(&dir)
		if want := base.In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02"); dir.IssueDate != want {
			t.Errorf("issue_date %s, want the meeting's date %s", dir.IssueDate, want)
		}

		// The meeting lists its directives, by number.
		got := h.do("GET", "/api/v1/meetings/"+meetingA, chon, nil)
		var listed []string
		for _, it := range got.Body["directives"].([]any) {
			m := it.(map[string]any)
			listed = append(listed, m["id"].(string)+"#"+itoa(int(m["number"].(float64))))
		}
		if !slices.Equal(listed, []string{id1 + "#1", id2 + "#2"}) {
			t.Fatalf("meeting directives %v: %s", listed, got.Raw)
		}

		// The next meeting's agenda follows both up while they are open;
		// the meeting's own agenda does not.
		meetingB, _ := addMeeting(base.Add(3 * time.Hour))
		want := []string{id1, id2}
		slices.Sort(want)
		eventually(t, 30*time.Second, "follow-up section of the next meeting", func() bool {
			return slices.Equal(agendaFollowUps(t, h, sec, meetingB), want)
		})
		if fu := agendaFollowUps(t, h, sec, meetingA); len(fu) != 0 {
			t.Errorf("meeting A follows up its own resolutions: %v", fu)
		}

		// A withdrawn resolution leaves the follow-up and keeps its number.
		if r := h.do("POST", "/api/v1/directives/"+id2+"/withdraw", sec, map[string]any{"reason": "ซ้ำกับข้อสั่งการเดิม"}); r.Status != 200 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Raw)
		}
		eventually(t, 30*time.Second, "resolution 2 withdrawn", func() bool {
			return count(t, db, &models.Directive{}, "id = ? AND status = ?", id2, models.DirectiveWithdrawn) == 1
		})
		third := issue(resolution("รายงานผลการบำบัด", "ระยอง"))
		if third["number"] != float64(3) || third["doc_number"] != "มติที่ประชุม ศปก.ครส. "+labelA+" ข้อ 3" {
			t.Fatalf("third resolution %v, want ข้อ 3", third)
		}
		eventually(t, 30*time.Second, "resolution 3 stored", func() bool {
			return count(t, db, &models.Directive{}, "meeting_id = ?", meetingA) == 3
		})
		meetingC, _ := addMeeting(base.Add(6 * time.Hour))
		want = []string{id1, third["id"].(string)}
		slices.Sort(want)
		eventually(t, 30*time.Second, "follow-up without the withdrawn resolution", func() bool {
			return slices.Equal(agendaFollowUps(t, h, sec, meetingC), want)
		})

		// A cancelled meeting takes no resolutions.
		if r := h.do("POST", "/api/v1/meetings/"+meetingC+"/cancel", sec, map[string]any{"reason": "ยกเลิกตามมติ"}); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("POST", "/api/v1/meetings/"+meetingC+"/directives", sec, resolution("x", "ชลบุรี")), 409, "conflict", "")
		if n := count(t, db, &models.Directive{}, ""); n != 3 {
			t.Fatalf("%d directives, want 3", n)
		}
	})
}

var itoa = strconv.Itoa
