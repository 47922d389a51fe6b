package api_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebLetterToDirective goes from a pasted letter to an issued
// directive in Chromium: the Ministry of Interior's letter (the seed, kept
// in internal/letters/testdata) is read into the issue form, its misspelt
// province is listed with the closest real names, each item shows how
// many units it reaches (๗๗ จังหวัด + ๘๗๘ อำเภอ = ๙๕๕), the secretariat
// takes the first suggestion, and issues; all 955 units are assigned.
func TestWebLetterToDirective(t *testing.T) {
	letter, err := os.ReadFile("../internal/letters/testdata/moi-letter-0311.3-w1757.txt")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	tab := browsertest.New(t, base).Tab(t, browsertest.Desktop)
	tab.Open(t, "/directives/new")
	signIn(t, tab, "sec", "secretariat-pass")
	tab.Run(t, chromedp.SetValue(chromedp.CSS("#letter"), string(letter)))
	tab.Click(t, "#letter-read")
	if got := tab.Value(t, "#doc_number"); !strings.Contains(got, "๑๗๕๗") {
		t.Fatalf("the document number was not read into the form: %q", got)
	}
	if got := tab.Value(t, "#item_text_4"); got == "" {
		t.Error("the letter's fifth item was not read")
	}
	unknown := tab.Text(t, "#unknown-names")
	m := regexp.MustCompile(`items\[(\d+)\]\.targets\.provinces\[\d+\]: "ตระหง่าน" — หมายถึง "([^"]+)"`).FindStringSubmatch(unknown)
	if m == nil {
		t.Fatalf("ตระหง่าน is not listed with suggestions: %q", unknown)
	}
	if m[2] != "ตรัง" {
		t.Errorf("first suggestion for ตระหง่าน is %q, want ตรัง", m[2])
	}
	if got := tab.Text(t, "#issue-form"); !strings.Contains(got, "๗๗ จังหวัด + ๘๗๘ อำเภอ = ๙๕๕") {
		t.Errorf("no item shows that it reaches the 77 provinces and 878 districts: %.300q", got)
	}
	tab.Shot(t, "letter-read")
	field := "#item_provinces_" + m[1]
	fixed := strings.Replace(tab.Value(t, field), "ตระหง่าน", m[2], 1)
	tab.Run(t, chromedp.SetValue(chromedp.CSS(field), fixed))
	tab.Click(t, "#issue-send")
	if got := tab.Text(t, "#doc-number"); !strings.Contains(got, "๑๗๕๗") {
		t.Fatalf("not on the issued directive's page: %q", got)
	}
	var d models.Directive
	if err := db.First(&d, "doc_number LIKE ?", "%๑๗๕๗%").Error; err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "955 assignments", func() bool {
		return count(t, db, &models.Assignment{}, "directive_id = ?", d.ID) == 955
	})
	tab.Shot(t, "issued")
	tab.AssertClean(t)
}
