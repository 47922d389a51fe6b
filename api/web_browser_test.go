package api_test

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// serveHTTP serves the harness's app on a local port for a browser and
// returns its base URL.
func serveHTTP(h *harness) string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	app := h.app
	go func() { _ = app.Listener(ln) }()
	h.t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// signIn fills the sign-in form the tab shows and submits it (one click).
func signIn(t *testing.T, tab *browsertest.Tab, user, password string) {
	t.Helper()
	tab.Run(t, chromedp.SendKeys(chromedp.CSS("#username"), user), chromedp.SendKeys(chromedp.CSS("#password"), password))
	tab.Click(t, "#sign-in")
}

// TestWebOfficerPages drives the province and district pages in real
// Chromium at phone and desktop size: the e-mail link → sign in →
// acknowledge path in at most three clicks, a report with evidence, a
// rejected upload with its error next to the field, a district's report
// returned by its province and sent again, the province's roll-up of its
// districts, the inbox, the English toggle, and no request to another
// origin and no console error on any page. Screenshots of every page go to
// screenshots/ (see README).
func TestWebOfficerPages(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	admin := h.login("admin", adminPassword)
	asgAccount(h, admin, "muangchon", "district", "2001")
	sec := h.login("sec", "secretariat-pass")
	dir := t.TempDir()
	photo := filepath.Join(dir, "checkpoint.png")
	if err := os.WriteFile(photo, asgPNG(t, 7), 0o600); err != nil {
		t.Fatal(err)
	}
	fakePNG := filepath.Join(dir, "fake.png")
	if err := os.WriteFile(fakePNG, []byte("this is not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(big, asgPDF("big", 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	program := filepath.Join(dir, "setup.exe")
	if err := os.WriteFile(program, []byte("MZ"), 0o600); err != nil {
		t.Fatal(err)
	}

	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			doc := "ที่ มท ๐๓๑๑.๓/ว ๘๘" + string(rune('๐'+i))
			id := asgIssue(h, sec, asgLetter(doc, map[string]any{"ack_within": "PT10M"},
				map[string]any{"number": 1, "text": "ตั้งจุดตรวจและรายงานผล", "due_within": "PT10M",
					"targets": map[string]any{"provinces": []string{"ชลบุรี"}, "units": []string{"2001"}}},
				map[string]any{"number": 2, "text": "แนบภาพถ่ายกิจกรรม", "due_within": "PT10M", "evidence_required": true,
					"targets": map[string]any{"units": []string{"20"}}}))
			eventually(t, time.Minute, "assignments", func() bool {
				return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 2
			})
			// The link the assignment e-mail carries.
			mail, err := url.Parse(notify.LinkFor(map[string]string{notify.DataAssignmentID: workflows.AssignmentWorkflowID(id, "20")}, base))
			if err != nil {
				t.Fatal(err)
			}

			// Province: e-mail link → sign in → รับทราบ. Each officer has
			// a browser of their own (cookies are per browser).
			prov := browsertest.New(t, base).Tab(t, size)
			prov.Open(t, mail.EscapedPath())
			if loc := prov.Location(t); !strings.HasPrefix(loc, "/login?next=") {
				t.Fatalf("the mail link without a session went to %s, want the sign-in page", loc)
			}
			prov.Shot(t, "login")
			signIn(t, prov, "chonburi", "province-pass-1")
			if got := prov.Text(t, "#doc-number"); got != doc {
				t.Fatalf("after sign-in the page shows %q, want the letter %q", got, doc)
			}
			if who := prov.Text(t, "#who"); !strings.Contains(who, "ศอ.ปส.จ.ชลบุรี") || !strings.Contains(who, "chonburi") {
				t.Errorf("header shows %q; want the person's name, unit and role", who)
			}
			prov.Shot(t, "assignment")
			prov.Click(t, "#acknowledge")
			if prov.Clicks > 3 {
				t.Errorf("e-mail link to acknowledged took %d clicks, want at most 3", prov.Clicks)
			}
			if got := prov.Text(t, "#flash"); !strings.Contains(got, "บันทึกการรับทราบเรียบร้อยแล้ว") {
				t.Fatalf("no confirmation after รับทราบ: %q", got)
			}
			var a models.Assignment
			db.First(&a, "id = ?", workflows.AssignmentWorkflowID(id, "20"))
			if a.AcknowledgedAt == nil || a.AcknowledgedBy != "chonburi" {
				t.Fatalf("the acknowledgement is not stored: %+v", a)
			}
			prov.Shot(t, "acknowledged")

			// A file type the browser can tell is wrong: refused before upload.
			prov.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#evidence-2"), []string{program}))
			prov.Run(t, chromedp.WaitVisible(chromedp.CSS("#item-2-1 .file-error")))
			if msg := prov.Text(t, "#item-2-1 .file-error"); !strings.Contains(msg, "setup.exe") {
				t.Errorf("client-side type error: %q", msg)
			}
			prov.Shot(t, "upload-refused-in-browser")
			prov.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#evidence-2"), []string{big}))
			if msg := prov.Text(t, "#item-2-1 .file-error"); !strings.Contains(msg, "scan.pdf") || !strings.Contains(msg, "ใหญ่เกิน") {
				t.Errorf("client-side size error: %q", msg)
			}
			if !prov.Exists(t, "#send-report-2[disabled]") {
				t.Error("the send button stays enabled with a file over the limit")
			}
			// A .png that is not an image: the server refuses it (422, on
			// purpose), next to the field.
			prov.Expect("status of 422 (Unprocessable Entity) (" + base + "/directives/")
			prov.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#evidence-2"), []string{fakePNG}),
				chromedp.SendKeys(chromedp.CSS("#text-2"), "ภาพกิจกรรม"))
			prov.Click(t, "#send-report-2")
			if msg := prov.Text(t, "#item-2-1 .file-error"); !strings.Contains(msg, "fake.png") {
				t.Fatalf("server-side refusal not shown next to the field: %q", msg)
			}
			prov.Shot(t, "upload-refused-by-server")
			// A real photo and the record in NISPA: the report is stored
			// with its evidence and the record.
			prov.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#evidence-2"), []string{photo}),
				chromedp.SetValue(chromedp.CSS("#system-2"), "NISPA"), chromedp.SendKeys(chromedp.CSS("#record-2"), "NSP-2569-0042"))
			prov.Click(t, "#send-report-2")
			if got := prov.Text(t, "#flash"); !strings.Contains(got, "ส่งรายงานข้อ 2") && !strings.Contains(got, "ส่งรายงานข้อ ๒") {
				t.Fatalf("no confirmation after the report: %q", got)
			}
			var rep models.Report
			if err := db.First(&rep, "assignment_id = ? AND item_number = 2", a.ID).Error; err != nil {
				t.Fatalf("no report on item 2: %v", err)
			}
			if rep.RecordSystem != "NISPA" || rep.RecordNumber != "NSP-2569-0042" || !strings.Contains(rep.Evidence, "checkpoint.png") {
				t.Errorf("report stored as %+v; want the NISPA record and the photo", rep)
			}
			if !prov.Exists(t, "#item-2-1 .evidence a") {
				t.Error("the sent report does not list its evidence")
			}
			prov.Shot(t, "reported")

			// District: reports item 1; its province returns it; it reports again.
			dist := browsertest.New(t, base).Tab(t, size)
			dist.Open(t, "/assignments")
			signIn(t, dist, "muangchon", "muangchon-password")
			dist.Shot(t, "work")
			distPath := "/directives/" + url.PathEscape(id) + "/assignments/2001"
			dist.Open(t, distPath)
			dist.Run(t, chromedp.SendKeys(chromedp.CSS("#text-1"), "ตั้งจุดตรวจ ๓ จุด"))
			dist.Click(t, "#send-report-1")
			dist.Shot(t, "district-reported")

			prov.Open(t, "/districts")
			if got := prov.Text(t, "#rollup-"+id); !strings.Contains(got, "เมืองชลบุรี") || !strings.Contains(got, "รายงานแล้ว") {
				t.Errorf("roll-up does not show the district's report: %q", got)
			}
			prov.Shot(t, "districts")
			prov.Open(t, distPath)
			prov.Run(t, chromedp.SetValue(chromedp.CSS(".review textarea"), "ขอรายละเอียดจุดตรวจ"),
				chromedp.SetValue(chromedp.CSS(".review input[type=date]"), time.Now().AddDate(0, 0, 7).Format("2006-01-02")))
			prov.Click(t, ".review button[value=return]")
			prov.Shot(t, "district-returned")

			dist.Open(t, distPath)
			if got := dist.Text(t, "#item-1-1"); !strings.Contains(got, "ส่งกลับให้แก้ไข") || !strings.Contains(got, "ขอรายละเอียดจุดตรวจ") {
				t.Fatalf("the district does not see its returned report with the reason: %q", got)
			}
			if got := dist.Text(t, ".timeline"); !strings.Contains(got, "รายงานถูกส่งกลับ") || !strings.Contains(got, "ขอรายละเอียดจุดตรวจ") ||
				!strings.Contains(got, "กำหนดส่งใหม่") {
				t.Errorf("the timeline does not show the return with its reason and new due: %q", got)
			}
			dist.Run(t, chromedp.SendKeys(chromedp.CSS("#text-1"), "ตั้งจุดตรวจ ๓ จุด: บ้านบึง หนองมน บางแสน"))
			dist.Click(t, "#send-report-1")
			if n := count(t, db, &models.Report{}, "assignment_id = ?", workflows.AssignmentWorkflowID(id, "2001")); n != 2 {
				t.Fatalf("%d district reports, want 2 (returned, then sent again)", n)
			}
			dist.Shot(t, "district-reported-again")

			// Inbox: a notice opens its page and is marked read.
			var acc models.Account
			db.First(&acc, "username = ?", "muangchon")
			notice := models.InboxItem{ID: "web-" + size.Name, NotificationID: "n-" + size.Name, AccountID: acc.ID, Kind: "assigned",
				Title: "ข้อสั่งการใหม่ " + doc, Body: "โปรดรับทราบ", CreatedAt: time.Now(),
				Link: base + "/assignments/" + url.PathEscape(workflows.AssignmentWorkflowID(id, "2001"))}
			if err := db.Create(&notice).Error; err != nil {
				t.Fatal(err)
			}
			dist.Open(t, "/inbox")
			if !dist.Exists(t, "#unread-count") {
				t.Error("no unread count in the header")
			}
			dist.Shot(t, "inbox")
			dist.Click(t, "#notice-web-"+size.Name+" .notice-title")
			if loc := dist.Location(t); loc != distPath {
				t.Errorf("the notice opened %s, want %s", loc, distPath)
			}
			db.First(&notice, "id = ?", notice.ID)
			if notice.ReadAt == nil {
				t.Error("opening the notice did not mark it read")
			}

			// English, remembered across pages.
			dist.Click(t, "#lang-toggle")
			if got := dist.Text(t, ".main-nav"); !strings.Contains(got, "My work") || !strings.Contains(got, "Inbox") {
				t.Errorf("English toggle: nav is %q", got)
			}
			dist.Open(t, "/assignments")
			if got := dist.Text(t, "h1"); got != "My work" {
				t.Errorf("English not remembered: h1 %q", got)
			}
			dist.Shot(t, "work-english")

			prov.AssertClean(t)
			dist.AssertClean(t)
		})
	}
}

// TestWebMeetingPages drives the meetings pages in Chromium at both sizes:
// a province sees the upcoming meeting with its agenda and link, creates
// its calendar subscription link, answers the RSVP naming who attends,
// and switches to Arabic digits.
func TestWebMeetingPages(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	sec := h.login("sec", "secretariat-pass")
	if r := h.do("POST", "/api/v1/meeting-series", sec, map[string]any{"id": "oncb-web", "name": "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.",
		"link": "https://meet.example/oncb", "participants": []string{"20", "21"},
		"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}}); r.Status != 201 {
		t.Fatalf("series: %d %s", r.Status, r.Raw)
	}
	add := h.do("POST", "/api/v1/meeting-series/oncb-web/meetings", sec, map[string]any{
		"starts_at": time.Now().Add(48 * time.Hour).Truncate(time.Minute).Format(time.RFC3339), "title": "ประชุมติดตามข้อสั่งการ"})
	if add.Status != 201 {
		t.Fatalf("meeting: %d %s", add.Status, add.Raw)
	}
	id := add.Body["id"].(string)
	eventually(t, 20*time.Second, "the meeting row", func() bool { return count(t, db, &models.Meeting{}, "id = ?", id) == 1 })

	for _, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			tab := browsertest.New(t, base).Tab(t, size)
			tab.Open(t, "/meetings")
			signIn(t, tab, "chonburi", "province-pass-1")
			if got := tab.Text(t, "main"); !strings.Contains(got, "ประชุมติดตามข้อสั่งการ") || !strings.Contains(got, "เข้าร่วมประชุมทางไกล") {
				t.Fatalf("meetings page: %q", got)
			}
			tab.Shot(t, "meetings")
			tab.Click(t, "#feed-issue")
			feed := tab.Value(t, "#feed-url")
			if !strings.HasPrefix(feed, base+"/api/v1/units/20/meetings.ics?token=") {
				t.Fatalf("calendar link %q", feed)
			}
			tab.Shot(t, "calendar-link")
			tab.Click(t, "main .meetings a")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#name_0"), "นายสมชาย ใจดี"),
				chromedp.SetValue(chromedp.CSS("#role_1"), "palad"), chromedp.SetValue(chromedp.CSS("#name_1"), "นายปลัด ประจำจังหวัด"))
			tab.Shot(t, "meeting")
			tab.Click(t, "#rsvp-send")
			if got := tab.Text(t, "#flash"); !strings.Contains(got, "บันทึกคำตอบแล้ว") {
				t.Fatalf("no confirmation after the RSVP: %q", got)
			}
			var rsvp models.MeetingRSVP
			if err := db.First(&rsvp, "meeting_id = ? AND unit_code = ?", id, "20").Error; err != nil {
				t.Fatalf("RSVP not stored: %v", err)
			}
			if !strings.Contains(rsvp.Attendees, "นายสมชาย ใจดี") || !strings.Contains(rsvp.Attendees, "palad") {
				t.Errorf("RSVP attendees %s", rsvp.Attendees)
			}
			tab.Shot(t, "rsvp-sent")
			tab.Click(t, "#digits-toggle")
			if got := tab.Text(t, "main time"); !strings.ContainsAny(got, "0123456789") || strings.ContainsAny(got, "๐๑๒๓๔๕๖๗๘๙") {
				t.Errorf("Arabic digits chosen, the date reads %q", got)
			}
			tab.Shot(t, "arabic-digits")
			tab.AssertClean(t)
		})
	}
}

// assertEnglish checks that the page the tab shows speaks English: its
// html lang is "en", and no navigation link, button, column heading,
// legend or caption is in Thai script (data such as names and subjects
// stays as entered, so it is not looked at).
func assertEnglish(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	if lang := tab.Texts(t, "html[lang=en]"); len(lang) != 1 {
		t.Errorf("%s: html lang is not en", tab.Location(t))
	}
	for _, s := range tab.Texts(t, "nav a, button, thead th, legend, caption, .field > label:first-child") {
		if strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Thai, r) }) {
			t.Errorf("%s: Thai in the English interface: %q", tab.Location(t), s)
		}
	}
}
