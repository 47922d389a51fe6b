package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebSecretariatDirective drives the secretariat's directive pages in
// Chromium at both sizes: the list, a directive's page with its progress
// and units × items matrix (filtered by region, a click through to a
// unit's assignment), then moving an item's due, adding a unit and
// withdrawing the directive, each with a reason (a missing reason is shown
// next to its field).
func TestWebSecretariatDirective(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	base := serveHTTP(h)
	sec := h.login("sec", "secretariat-pass")
	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			doc := "ที่ มท ๐๓๑๑.๓/ว ๕๕" + string(rune('๐'+i))
			id := asgIssue(h, sec, asgLetter(doc, map[string]any{"ack_within": "PT10M"},
				map[string]any{"number": 1, "text": "ตั้งด่านตรวจ", "due_within": "5",
					"targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง", "เชียงใหม่"}}}))
			eventually(t, time.Minute, "assignments", func() bool {
				return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 3
			})
			tab := browsertest.New(t, base).Tab(t, size)
			tab.Open(t, "/")
			signIn(t, tab, "sec", "secretariat-pass")
			if loc := tab.Location(t); loc != "/directives" {
				t.Errorf("the secretariat's home is %s, want /directives", loc)
			}
			tab.Shot(t, "directives")
			tab.Click(t, "#directives a[href='/directives/"+url.PathEscape(id)+"']")
			if got := tab.Text(t, "#doc-number"); got != doc {
				t.Fatalf("directive page shows %q", got)
			}
			if got := tab.Text(t, ".matrix tbody"); !strings.Contains(got, "ชลบุรี") || !strings.Contains(got, "เชียงใหม่") {
				t.Errorf("matrix rows: %q", got)
			}
			tab.Shot(t, "directive")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#m-region"), "8"))
			tab.Click(t, "#matrix button")
			if got := tab.Text(t, ".matrix tbody"); !strings.Contains(got, "ชลบุรี") || strings.Contains(got, "เชียงใหม่") {
				t.Errorf("matrix of region 8: %q", got)
			}
			tab.Shot(t, "matrix-region-8")

			// A change without its reason: the error next to the field.
			tab.Expect("status of 422")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#amend-due"), time.Now().AddDate(0, 0, 20).Format("2006-01-02")),
				chromedp.RemoveAttribute(chromedp.CSS("#amend-reason"), "required")) // as a browser without validation sends it
			tab.Click(t, "#amend-send")
			if got := tab.Text(t, "#amend"); !strings.Contains(got, "กรุณาระบุเหตุผล") {
				t.Errorf("amend without a reason: %q", got)
			}
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#amend-due"), time.Now().AddDate(0, 0, 20).Format("2006-01-02")),
				chromedp.SetValue(chromedp.CSS("#amend-reason"), "ขยายเวลาตามที่จังหวัดขอ"))
			tab.Click(t, "#amend-send")
			if got := tab.Text(t, "#flash"); !strings.Contains(got, "แก้ไขกำหนดส่งแล้ว") {
				t.Fatalf("amend: %q", got)
			}
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#t-provinces"), "ตราด"), chromedp.SetValue(chromedp.CSS("#t-reason"), "เพิ่มจังหวัดชายแดน"))
			tab.Click(t, "#targets-send")
			eventually(t, time.Minute, "the added unit", func() bool {
				return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 4
			})
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#w-reason"), "ออกหนังสือฉบับใหม่แทน"))
			tab.Click(t, "#withdraw-send")
			if got := tab.Text(t, "#directive-status"); !strings.Contains(got, "ยกเลิกแล้ว") {
				t.Errorf("status after withdrawal: %q", got)
			}
			eventually(t, time.Minute, "withdrawn assignments", func() bool {
				return count(t, db, &models.Assignment{}, "directive_id = ? AND status = ?", id, models.AssignmentWithdrawn) == 4
			})
			tab.Shot(t, "withdrawn")
			tab.Open(t, "/directives/"+url.PathEscape(id)+"?lang=en")
			if got := tab.Text(t, "#matrix h2"); got != "Units × items" {
				t.Errorf("in English the matrix is headed %q", got)
			}
			if got := tab.Text(t, "#directive-status"); got != "Withdrawn" {
				t.Errorf("in English the status reads %q", got)
			}
			assertEnglish(t, tab)
			tab.Shot(t, "directive-english")
			tab.Open(t, "/directives/"+url.PathEscape(id)+"?lang=th")
			tab.Open(t, "/directives/"+url.PathEscape(id)+"/assignments/20")
			if got := tab.Text(t, "#assignment-status"); !strings.Contains(got, "ยกเลิกแล้ว") {
				t.Errorf("ชลบุรี's assignment after withdrawal: %q", got)
			}
			tab.AssertClean(t)
		})
	}
}
