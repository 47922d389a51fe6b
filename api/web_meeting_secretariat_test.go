package api_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebSecretariatMeeting runs a meeting from the secretariat's pages in
// Chromium at desktop size: the RSVPs by province, attendance marked once
// the meeting has started, minutes published in two versions, and the
// printable minutes with the attendance list saved as an A4 PDF.
func TestWebSecretariatMeeting(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	sec := h.login("sec", "secretariat-pass")
	chon := h.login("chonburi", "province-pass-1")
	if r := h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "oncb-print", "name": "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.",
		"link": "https://meet.example/oncb", "participants": []string{"20", "21"},
		"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}}); r.Status != 201 {
		t.Fatalf("series: %d %s", r.Status, r.Raw)
	}
	startsAt := time.Now().Add(5 * time.Second).Truncate(time.Second)
	add := h.do("POST", "/api/v1/meeting-series/oncb-print/meetings", sec, map[string]any{"starts_at": startsAt.Format(time.RFC3339), "title": "ประชุมติดตามสถานการณ์"})
	if add.Status != 201 {
		t.Fatalf("meeting: %d %s", add.Status, add.Raw)
	}
	id := add.Body["id"].(string)
	eventually(t, 20*time.Second, "the meeting row", func() bool { return count(t, db, &models.Meeting{}, "id = ?", id) == 1 })
	if r := h.do("POST", "/api/v1/meetings/"+id+"/rsvp", chon, map[string]any{"attendees": []any{map[string]any{"name": "นายสมชาย ใจดี", "role": "governor"}}}); r.Status != 200 {
		t.Fatalf("rsvp: %d %s", r.Status, r.Raw)
	}
	time.Sleep(time.Until(startsAt) + 500*time.Millisecond)

	tab := browsertest.New(t, base).Tab(t, browsertest.Desktop)
	page := "/meetings/" + url.PathEscape(id)
	tab.Open(t, page)
	signIn(t, tab, "sec", "secretariat-pass")
	if got := tab.Text(t, "#part-20"); !strings.Contains(got, "นายสมชาย ใจดี") {
		t.Fatalf("the RSVP of ชลบุรี is not listed: %q", got)
	}
	tab.Shot(t, "meeting")
	tab.Click(t, "#present_20")
	tab.Click(t, "#attendance-send")
	if got := tab.Text(t, "#flash"); !strings.Contains(got, "บันทึกการเข้าประชุมแล้ว") {
		t.Fatalf("attendance: %q", got)
	}
	var att models.MeetingAttendance
	if err := db.First(&att, "meeting_id = ? AND unit_code = ?", id, "20").Error; err != nil || !att.Present || !att.ByHead {
		t.Fatalf("attendance of ชลบุรี stored as %+v (%v)", att, err)
	}
	for _, text := range []string{"ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ", "ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ\nที่ประชุมรับทราบ"} {
		tab.Run(t, chromedp.SetValue(chromedp.CSS("#minutes-text"), text))
		tab.Click(t, "#minutes-send")
	}
	if n := count(t, db, &models.MeetingMinutes{}, "meeting_id = ?", id); n != 2 {
		t.Fatalf("%d minutes versions, want 2", n)
	}
	tab.Shot(t, "minutes")
	tab.Open(t, "/meetings/calendar?month="+startsAt.In(time.FixedZone("ICT", 7*3600)).Format("2006-01"))
	if got := tab.Text(t, "#calendar"); !strings.Contains(got, "ประชุมติดตามสถานการณ์") {
		t.Errorf("the meeting is not on the calendar: %q", got)
	}
	tab.Shot(t, "calendar")
	tab.Open(t, page+"/print")
	if got := tab.Text(t, "#official-minutes"); !strings.Contains(got, "ศอ.ปส.จ.ชลบุรี") || !strings.Contains(got, "ที่ประชุมรับทราบ") ||
		!strings.Contains(got, "ผู้ไม่มาประชุม") {
		t.Fatalf("printable minutes: %q", got)
	}
	tab.Shot(t, "print")
	pdf := tab.PDF(t, "minutes-a4")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/MediaBox [0 0 594.9")) {
		t.Errorf("the printed minutes are not an A4 PDF (%d bytes, head %q)", len(pdf), pdf[:min(len(pdf), 16)])
	}

	// The same meeting in English: attendance of ระยอง marked (refused
	// first for want of a name, next to the field), the
	// calendar and the printable minutes.
	tab.Open(t, page+"?lang=en")
	assertEnglish(t, tab)
	tab.Click(t, "#present_21")
	tab.Expect("status of 422")
	tab.Click(t, "#attendance-send")
	if got := tab.Text(t, "#name_21-error"); got != "Enter the name of who attended" {
		t.Errorf("no error next to ระยอง's name: %q", got)
	}
	if got := tab.Text(t, "#attendance .error"); !strings.Contains(got, "Rayong") {
		t.Errorf("the error does not name the unit: %q", got)
	}
	if !tab.Exists(t, "#present_21:checked") || tab.Value(t, "#name_20") != "นายสมชาย ใจดี" {
		t.Error("the refused form lost what was ticked and typed")
	}
	tab.Shot(t, "attendance-refused-english")
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#name_21"), "Mr Somsak Rakdee"))
	tab.Click(t, "#attendance-send")
	if got := tab.Text(t, "#flash"); got != "Attendance recorded." {
		t.Fatalf("attendance in English: %q", got)
	}
	if n := count(t, db, &models.MeetingAttendance{}, "meeting_id = ? AND present = ?", id, true); n != 2 {
		t.Errorf("%d units present, want 2", n)
	}
	assertEnglish(t, tab)
	tab.Shot(t, "meeting-english")
	tab.Open(t, "/meetings/calendar?month="+startsAt.In(time.FixedZone("ICT", 7*3600)).Format("2006-01"))
	assertEnglish(t, tab)
	tab.Shot(t, "calendar-english")
	tab.Open(t, page+"/print")
	assertEnglish(t, tab)
	tab.Shot(t, "print-english")
	tab.Open(t, "/meetings")
	assertEnglish(t, tab)
	tab.Shot(t, "meetings-english")
	tab.Open(t, "/meetings?lang=th")
	tab.AssertClean(t)
}
