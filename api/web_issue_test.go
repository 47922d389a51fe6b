package api_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebIssueDirective issues a directive from its form in Chromium at
// both sizes: a misspelt province comes back with the closest real names
// and every typed value kept; corrected, the letter is issued with its
// attachment, and the directive's page shows the fan-out's progress until
// every unit has its assignment.
func TestWebIssueDirective(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	letter := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(letter, asgPDF("letter", 100), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			doc := "ที่ มท ๐๓๑๑.๓/ว ๔๔" + string(rune('๐'+i))
			tab := browsertest.New(t, base).Tab(t, size)
			tab.Open(t, "/directives")
			signIn(t, tab, "sec", "secretariat-pass")
			tab.Click(t, "#new-directive")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#issuer"), "MOI"), chromedp.SetValue(chromedp.CSS("#doc_number"), doc),
				chromedp.SetValue(chromedp.CSS("#issue_date"), "๑๗ ธันวาคม ๒๕๖๙"), chromedp.SetValue(chromedp.CSS("#subject"), "ติดตามการแก้ไขปัญหายาเสพติด"),
				chromedp.SetValue(chromedp.CSS("#item_text_0"), "ให้ตั้งจุดตรวจและรายงานผล"),
				chromedp.SetValue(chromedp.CSS("#item_provinces_0"), "ชลบุรี, ตระหง่าน"),
				chromedp.SetValue(chromedp.CSS("#item_due_0"), "๓๐ ธ.ค. ๒๕๖๙"),
				chromedp.SetValue(chromedp.CSS("#item_text_1"), "แนบภาพถ่ายการประชุม"),
				chromedp.SetValue(chromedp.CSS("#item_units_1"), "2001"))
			tab.Shot(t, "form")
			tab.Expect("status of 422")
			tab.Click(t, "#issue-send")
			if got := tab.Text(t, "main"); !strings.Contains(got, "ตระหง่าน") || !strings.Contains(got, "ตร") {
				t.Fatalf("the misspelt province is not named with suggestions: %q", got)
			}
			if v := tab.Value(t, "#item_text_1"); v != "แนบภาพถ่ายการประชุม" {
				t.Errorf("the form lost item 2: %q", v)
			}
			tab.Shot(t, "form-refused")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#item_provinces_0"), "ชลบุรี, ตรัง"),
				chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{letter}))
			tab.Click(t, "#issue-send")
			if got := tab.Text(t, "#doc-number"); got != doc {
				t.Fatalf("after issuing, the page shows %q", got)
			}
			var d models.Directive
			if err := db.First(&d, "doc_number = ?", doc).Error; err != nil {
				t.Fatalf("directive not stored: %v", err)
			}
			if n := count(t, db, &models.DirectiveAttachment{}, "directive_id = ?", d.ID); n != 1 {
				t.Errorf("%d attachments stored, want 1", n)
			}
			if got := tab.Text(t, "#attachments"); !strings.Contains(got, "letter.pdf") {
				t.Errorf("the attachment is not listed: %q", got)
			}
			eventually(t, time.Minute, "the fan-out shown complete", func() bool {
				return !tab.Exists(t, "#fanout[hx-get]") && strings.Contains(tab.Text(t, ".matrix tbody"), "เมืองชลบุรี")
			})
			if n := count(t, db, &models.Assignment{}, "directive_id = ?", d.ID); n != 3 {
				t.Errorf("%d assignments, want 3 (ชลบุรี, ตรัง, เมืองชลบุรี)", n)
			}
			tab.Shot(t, "issued")
			tab.AssertClean(t)
		})
	}
}
