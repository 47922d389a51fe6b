package api_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebKPI drives the KPI scorecard and the attendance statistics in
// Chromium at phone and desktop size: the secretariat creates a scheme
// from the shipped template, the province (ชลบุรี) enters criterion 1 with
// an evidence file, the secretariat verifies it; the ranking and the
// breakdown show it, with criterion 6 computed from the attendance
// records; the attendance statistics page lists the provinces; the pages
// in English.
func TestWebKPI(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	base := serveHTTP(h)
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Two meetings held in the last weeks: ชลบุรี's governor at both,
	// ระยอง (21) at one without its governor.
	must(db.Create(&models.MeetingSeries{ID: "oncb", Name: "ประชุม ศปก.ครส.", OrganiserCode: "ONCB", Participants: `["20","21"]`, Cadence: "[]",
		Numbering: "calendar", HolidayRule: "move", Policy: "{}", StartDate: "2025-01-01", CreatedBy: "sec", CreatedAt: now, UpdatedAt: now}).Error)
	for i, ago := range []int{14, 7} {
		start := now.AddDate(0, 0, -ago)
		id := "oncb-" + strconv.Itoa(i+1)
		must(db.Create(&models.Meeting{ID: id, SeriesID: "oncb", YearBE: 2569, Number: i + 1, Title: "ประชุม", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			Status: models.MeetingPublished, Participants: `["20","21"]`, Agenda: "[]", CreatedAt: start, UpdatedAt: start}).Error)
		must(db.Create(&models.MeetingAttendance{MeetingID: id, UnitCode: "20", Present: true, ByHead: true, Attendees: "[]", RecordedBy: "sec", RecordedAt: start}).Error)
	}
	must(db.Create(&models.MeetingAttendance{MeetingID: "oncb-1", UnitCode: "21", Present: true, UnderRepresented: true, Attendees: "[]", RecordedBy: "sec", RecordedAt: now}).Error)
	evidence := filepath.Join(t.TempDir(), "ภาพกิจกรรม.png")
	must(os.WriteFile(evidence, asgPNG(t, 9), 0o600))
	th := func(d time.Time) string {
		return strconv.Itoa(d.Day()) + "/" + strconv.Itoa(int(d.Month())) + "/" + strconv.Itoa(d.Year()+543)
	}

	for _, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			b := browsertest.New(t, base)
			sec := b.Tab(t, size)
			sec.Open(t, "/kpi")
			signIn(t, sec, "sec", "secretariat-pass")
			sec.Shot(t, "kpi-list")
			name := "ระยะเร่งด่วน 3 เดือน (" + size.Name + ")"
			sec.Run(t, chromedp.SetValue(chromedp.CSS("#name"), name),
				chromedp.SetValue(chromedp.CSS("#period_from"), th(now.AddDate(0, -1, 0))), chromedp.SetValue(chromedp.CSS("#period_to"), th(now.AddDate(0, 2, 0))))
			sec.Click(t, "#kpi-create-submit")
			if got := sec.Text(t, "#flash"); !strings.Contains(got, "สร้างชุดตัวชี้วัดแล้ว") {
				t.Fatalf("no confirmation: %q", got)
			}
			var scheme models.KPIScheme
			must(db.First(&scheme, "name = ?", name).Error)
			schemePath := "/kpi/" + strconv.FormatInt(scheme.ID, 10)
			provPath := schemePath + "/provinces/20"
			// Criterion 6 is computed at once: 3 × 2/2 for ชลบุรี.
			if got := sec.Text(t, "#row-20"); !strings.Contains(got, "๓") {
				t.Errorf("ชลบุรี's row before any entry: %q", got)
			}

			prov := browsertest.New(t, base).Tab(t, size)
			prov.Open(t, provPath)
			signIn(t, prov, "chonburi", "province-pass-1")
			prov.Expect("status of 422")
			prov.Run(t, chromedp.SetValue(chromedp.CSS("#score-1"), "๓๐"))
			prov.Click(t, "#enter-1")
			if got := prov.Text(t, "#c1"); !strings.Contains(got, "0 ถึง 22") && !strings.Contains(got, "๐ ถึง ๒๒") {
				t.Errorf("a score above the points is not refused next to the field: %q", got)
			}
			prov.Run(t, chromedp.SetValue(chromedp.CSS("#score-1"), "๑๘.๕"), chromedp.SetValue(chromedp.CSS("#value-1"), "ร้อยละ 84"),
				chromedp.SetValue(chromedp.CSS("#note-1"), "ผู้ค้ารายสำคัญถูกจับกุม 21 จาก 25 ราย"),
				chromedp.SetUploadFiles(chromedp.CSS("#evidence-1"), []string{evidence}))
			prov.Click(t, "#enter-1")
			if got := prov.Text(t, "#flash"); !strings.Contains(got, "ส่งคะแนนแล้ว") {
				t.Fatalf("entry: %q", got)
			}
			var entry models.KPIEntry
			must(db.Order("id DESC").First(&entry, "scheme_id = ? AND unit_code = ?", scheme.ID, "20").Error)
			if entry.Score != 18.5 || entry.Status != models.KPIEntrySubmitted || count(t, db, &models.KPIEvidence{}, "entry_id = ?", entry.ID) != 1 {
				t.Fatalf("entry stored as %+v", entry)
			}
			prov.Shot(t, "kpi-province-entered")

			eid := strconv.FormatInt(entry.ID, 10)
			sec.Open(t, provPath)
			sec.Click(t, "#verify-"+eid)
			if got := sec.Text(t, "#flash"); !strings.Contains(got, "รับรองคะแนนแล้ว") {
				t.Fatalf("verify: %q", got)
			}
			if got := sec.Text(t, "#c1 .score-value"); got != "๑๘.๕" {
				t.Errorf("criterion 1 after verification: %q", got)
			}
			if got := sec.Text(t, "#formula-6"); !strings.Contains(got, "๓ × (๒ ÷ ๒)") {
				t.Errorf("criterion 6's formula: %q", got)
			}
			sec.Shot(t, "kpi-breakdown")
			sec.Open(t, schemePath)
			if got := sec.Text(t, "#kpi-ranking tbody tr:first-child"); !strings.Contains(got, "ชลบุรี") || !strings.Contains(got, "๒๑.๕") {
				t.Errorf("ranking's first row: %q", got)
			}
			sec.Shot(t, "kpi-ranking")
			sec.Click(t, "#row-20 a")
			if loc := sec.Location(t); loc != provPath {
				t.Errorf("the ranking's link went to %s", loc)
			}

			// The province sees its own row and its rank.
			prov.Open(t, schemePath)
			if rows := prov.Texts(t, "#kpi-ranking tbody tr"); len(rows) != 1 || !strings.Contains(rows[0], "ชลบุรี") {
				t.Errorf("the province's ranking: %q", rows)
			}

			// Attendance statistics.
			sec.Open(t, "/meetings")
			sec.Click(t, "#attendance-link")
			if got := sec.Text(t, "#att-20"); !strings.Contains(got, "๒") || !strings.Contains(got, "๑๐๐%") {
				t.Errorf("ชลบุรี's attendance: %q", got)
			}
			if got := sec.Text(t, "#att-21"); !strings.Contains(got, "๕๐%") {
				t.Errorf("ระยอง's attendance: %q", got)
			}
			sec.Shot(t, "attendance")

			// English.
			sec.Open(t, schemePath+"?lang=en")
			assertEnglish(t, sec)
			sec.Shot(t, "kpi-ranking-en")
			sec.Open(t, provPath)
			assertEnglish(t, sec)
			sec.Open(t, "/meetings/attendance")
			assertEnglish(t, sec)
			sec.Open(t, "/kpi?lang=th")
			sec.AssertClean(t)
			prov.AssertClean(t)
		})
	}
}
