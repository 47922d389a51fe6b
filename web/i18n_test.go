package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
