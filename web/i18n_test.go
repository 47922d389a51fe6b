package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/models"
)

// TestEveryLabelExists reads every template and Go file of the package for
// the label keys they use literally ({{.L.T "key"}}, l.Tf("key", …)) and
// the keys built from a value (st_ + an assignment status, …): each must
// have a Thai and an English text, so no page shows a raw key.
func TestEveryLabelExists(t *testing.T) {
	literal := regexp.MustCompile(`\bTf?[ (]"([a-z0-9_.]*[a-z0-9.])"`)
	seen := 0
	check := func(file, text string) {
		for _, m := range literal.FindAllStringSubmatch(text, -1) {
			seen++
			if v, ok := messages[m[1]]; !ok || v[0] == "" || v[1] == "" {
				t.Errorf("%s uses label %q, which has no Thai and English text", file, m[1])
			}
		}
	}
	if err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		check(path, string(b))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, string(b))
	}
	if seen < 50 {
		t.Fatalf("found only %d label uses: the pattern no longer matches the templates", seen)
	}
	built := map[string][]string{
		"st_":       {string(models.AssignmentAssigned), string(models.AssignmentAcknowledged), string(models.AssignmentClosed), string(models.AssignmentWithdrawn)},
		"it_":       {string(models.ItemOpen), "reported", "accepted", "returned", "extended", "waived", "closed", "lapsed"},
		"urg_":      {"most_urgent", "very_urgent", "urgent", "normal"},
		"role_":     {"admin", "secretariat", "province", "district", "inspector", "observer"},
		"m_":        {string(models.MeetingScheduled), string(models.MeetingStarted), string(models.MeetingPublished), string(models.MeetingCancelled)},
		"att_":      attendeeRoles,
		"act_":      {string(models.ActionComment), string(models.ActionNewDeadline), string(models.ActionExtend), string(models.ActionClose), string(models.ActionWaive)},
		"decision_": {string(models.DecisionAccepted), string(models.DecisionReturned)},
		"ev_":       {"assign", "acknowledge", "report", "review.accept", "review.return", "reminder", "ack_overdue", "escalate", "period_end", "amend", "withdraw", "close"},
	}
	for prefix, values := range built {
		for _, v := range values {
			if _, ok := messages[prefix+v]; !ok {
				t.Errorf("no label %s%s", prefix, v)
			}
		}
	}
}

// TestDatesInEachLanguage: Buddhist-era dates with Thai month names and
// the reader's digits in Thai, English month names in English.
func TestDatesInEachLanguage(t *testing.T) {
	at := time.Date(2026, time.December, 3, 9, 5, 0, 0, time.UTC) // 16:05 in Bangkok
	for _, tc := range []struct {
		l                 Localizer
		date, dt, monthYr string
	}{
		{Localizer{Lang: langTH, Digits: digitsThai}, "๓ ธ.ค. ๒๕๖๙", "๓ ธ.ค. ๒๕๖๙ ๑๖:๐๕ น.", "ธันวาคม ๒๕๖๙"},
		{Localizer{Lang: langTH, Digits: digitsArabic}, "3 ธ.ค. 2569", "3 ธ.ค. 2569 16:05 น.", "ธันวาคม 2569"},
		{Localizer{Lang: langEN, Digits: digitsArabic}, "3 Dec 2569", "3 Dec 2569 16:05", "December 2569"},
	} {
		if got := tc.l.Date(at); got != tc.date {
			t.Errorf("%+v Date = %q, want %q", tc.l, got, tc.date)
		}
		if got := tc.l.DateTime(at); got != tc.dt {
			t.Errorf("%+v DateTime = %q, want %q", tc.l, got, tc.dt)
		}
		if got := tc.l.MonthYear(2026, time.December); got != tc.monthYr {
			t.Errorf("%+v MonthYear = %q, want %q", tc.l, got, tc.monthYr)
		}
		if got := tc.l.CivilDate("2026-12-03"); got != tc.date {
			t.Errorf("%+v CivilDate = %q, want %q", tc.l, got, tc.date)
		}
	}
}
