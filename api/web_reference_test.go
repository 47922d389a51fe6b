package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebReferenceData drives the secretariat's reference pages in
// Chromium at both sizes: a holiday added with a Thai date, a target set
// whose misspelt province is refused next to the field with the closest
// real names, then
// saved; the audit trail lists both changes and exports them as CSV.
func TestWebReferenceData(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	base := serveHTTP(h)
	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			tab := browsertest.New(t, base).Tab(t, size)
			tab.Open(t, "/holidays")
			signIn(t, tab, "sec", "secretariat-pass")
			day := []string{"๗ ม.ค. ๒๕๗๐", "8 ม.ค. 2570"}[i]
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#date"), day), chromedp.SetValue(chromedp.CSS("#name_th"), "วันหยุดพิเศษ"),
				chromedp.SetValue(chromedp.CSS("#name_en"), "Special holiday"))
			tab.Click(t, "#holiday-save")
			if got := tab.Text(t, "#holidays"); !strings.Contains(got, "วันหยุดพิเศษ") {
				t.Fatalf("holiday not listed: %q", got)
			}
			if n := count(t, db, &models.Holiday{}, "name_th = ?", "วันหยุดพิเศษ"); n != int64(i+1) {
				t.Errorf("%d holidays stored, want %d", n, i+1)
			}
			tab.Shot(t, "holidays")

			tab.Open(t, "/target-sets")
			code := "pilot-" + size.Name
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#code"), code), chromedp.SetValue(chromedp.CSS("#name_th"), "จังหวัดนำร่อง"),
				chromedp.SetValue(chromedp.CSS("#members"), "ชลบุรี, ตระหง่าน, สตูล"))
			tab.Expect("status of 422")
			tab.Click(t, "#set-save")
			if got := tab.Text(t, "#set-form"); !strings.Contains(got, "ตระหง่าน") || !strings.Contains(got, "\"ตร") {
				t.Errorf("a misspelt province: no error naming it, with suggestions, next to the field: %q", got)
			}
			tab.Shot(t, "set-refused")
			tab.Run(t, chromedp.SetValue(chromedp.CSS("#members"), "ชลบุรี, ตรัง, สตูล"))
			tab.Click(t, "#set-save")
			if got := tab.Text(t, "#set-"+code); !strings.Contains(got, "ตรัง") || !strings.Contains(got, "สตูล") {
				t.Fatalf("set not listed: %q", got)
			}
			tab.Shot(t, "sets")

			tab.Open(t, "/audit?actor=sec")
			if got := tab.Text(t, "#audit"); !strings.Contains(got, "holiday") || !strings.Contains(got, "target_set") {
				t.Errorf("audit trail: %q", got)
			}
			tab.Shot(t, "audit")
			tab.AssertClean(t)
		})
	}
	// The export, as the browser downloads it with its session.
	s := webSignIn(h, "sec", "secretariat-pass")
	status, _, body := s.send("GET", "/audit/export?from="+url.QueryEscape("1 ม.ค. 2560"), nil)
	if status != 200 || !strings.Contains(body, "target_set") || !strings.Contains(body, "sec") {
		t.Errorf("audit export: %d %.300s", status, body)
	}
}
