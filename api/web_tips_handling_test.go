package api_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestWebTipHandling drives the officers' side of a tip in real Chromium,
// at phone and desktop size: the province opens the tip from the link its
// notification carries (sign in first), acknowledges it and forwards it to
// a district; the district acknowledges, moves it under investigation with
// a note to the informant, is told next to the field that "referred" needs
// an agency, refers it, records the arrest and closes it; the informant
// then reads the stage and the note at /tip/follow-up with the receipt.
// The secretariat sees the national counts and no content. Every read is
// audited; no console error and no request to another origin on any page.
func TestWebTipHandling(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	addScopeAccounts(t, db)
	h.withTipEngine()
	base := serveHTTP(h)

	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			res := h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20",
				"text": "มีการขายยาบ้าที่บ้านเช่าหลังตลาดสด ทุกคืน WEB-HANDLING", "submission_id": "web-handling-" + strconv.Itoa(i)})
			if res.Status != 201 {
				t.Fatalf("submit: %d %s", res.Status, res.Raw)
			}
			receipt := res.Body["receipt"].(string)
			var tip models.Tip
			if err := db.Where("id = (SELECT MAX(id) FROM tips)").Take(&tip).Error; err != nil {
				t.Fatal(err)
			}
			tipPath := "/tips/" + strconv.FormatInt(tip.ID, 10)
			eventually(t, 20*time.Second, "the tip's workflow", func() bool {
				return db.Take(&tip, tip.ID).Error == nil && tip.Version >= 1
			})
			// The notification to the province links to the tip's page.
			var n models.Notification
			if err := db.Where("id = ?", "tip/"+strconv.FormatInt(tip.ID, 10)+"/n/1").Take(&n).Error; err != nil {
				t.Fatalf("notification: %v", err)
			}
			data, _ := notify.DecodeData(n.Data)
			link := notify.LinkFor(map[string]string{notify.DataLink: data[notify.DataLink].(string)}, base)
			if !strings.HasSuffix(link, tipPath) || strings.Contains(n.Data, "WEB-HANDLING") {
				t.Fatalf("notification link %s, data %s", link, n.Data)
			}

			// Province: link → sign in → the tip → acknowledge → forward.
			prov := browsertest.New(t, base).Tab(t, size)
			prov.Open(t, tipPath)
			signIn(t, prov, "chonburi", "province-pass-1")
			if got := prov.Text(t, "#tip-text"); !strings.Contains(got, "WEB-HANDLING") {
				t.Fatalf("the tip's page shows %q", got)
			}
			prov.Shot(t, "tip-province")
			prov.Click(t, "#tip-acknowledge")
			if got := prov.Text(t, "#flash"); got != "รับทราบเบาะแสแล้ว" {
				t.Errorf("flash %q", got)
			}
			if got := prov.Text(t, "#tip-ack"); !strings.Contains(got, "chonburi") {
				t.Errorf("acknowledged %q", got)
			}
			prov.Run(t, chromedp.SetValue(chromedp.CSS("#district_code"), "2001"))
			prov.Click(t, "#tip-forward")
			if got := prov.Text(t, "#flash"); got != "ส่งต่อให้อำเภอแล้ว" {
				t.Errorf("flash %q", got)
			}
			if prov.Exists(t, "#tip-actions") {
				t.Errorf("the province still has actions on a tip forwarded to a district")
			}
			prov.Shot(t, "tip-forwarded")
			prov.Open(t, "/tips")
			if got := prov.Text(t, "#tip-"+strconv.FormatInt(tip.ID, 10)); !strings.Contains(got, "WEB-HANDLING") {
				t.Errorf("inbox shows %q", got)
			}
			prov.Shot(t, "tips-inbox-province")
			prov.Open(t, tipPath+"?lang=en")
			assertEnglish(t, prov)
			if got := prov.Text(t, "#tip-stage"); got != "Received" {
				t.Errorf("English stage %q", got)
			}
			prov.Shot(t, "tip-province-en")
			prov.Open(t, "/tips?lang=th")
			prov.AssertClean(t)

			// District: its inbox → the tip → acknowledge → stages.
			dist := browsertest.New(t, base).Tab(t, size)
			dist.Open(t, "/tips")
			signIn(t, dist, "dist2001", "district-pass-2001")
			dist.Shot(t, "tips-inbox-district")
			dist.Click(t, "#tip-"+strconv.FormatInt(tip.ID, 10)+" a")
			dist.Click(t, "#tip-acknowledge")
			stage := func(st, agency, note string) {
				t.Helper()
				dist.Run(t, chromedp.SetValue(chromedp.CSS("#stage"), st))
				if agency != "" {
					dist.Run(t, chromedp.SetValue(chromedp.CSS("#agency"), agency))
				}
				if note != "" {
					// SetValue: SendKeys drops ข (it types a key, not text).
					dist.Run(t, chromedp.SetValue(chromedp.CSS("#note"), note))
				}
				dist.Click(t, "#tip-stage-save")
			}
			stage(models.TipUnderInvestigation, "", "ได้รับเรื่องแล้ว เจ้าหน้าที่กำลังตรวจสอบพื้นที่")
			if got := dist.Text(t, "#tip-stage"); got != "อยู่ระหว่างสืบสวน" {
				t.Errorf("stage %q", got)
			}
			dist.Expect("status of 422")
			stage(models.TipReferred, "", "")
			if got := dist.Text(t, "#agency-error"); !strings.Contains(got, "หน่วยงาน") {
				t.Errorf("agency error %q", got)
			}
			dist.Shot(t, "tip-agency-error")
			stage(models.TipReferred, "สภ.เมืองชลบุรี", "")
			if got := dist.Text(t, "#tip-stage"); !strings.Contains(got, "สภ.เมืองชลบุรี") {
				t.Errorf("referred %q", got)
			}
			stage(models.TipArrestMade, "", "")
			stage(models.TipClosed, "", "ขอบคุณสำหรับข้อมูล เรื่องนี้ดำเนินการเสร็จแล้ว")
			if got := dist.Text(t, "#tip-stage"); !strings.HasPrefix(got, "ปิดเรื่อง") {
				t.Errorf("closed %q", got)
			}
			if dist.Exists(t, "#tip-actions") {
				t.Errorf("actions on a closed tip")
			}
			dist.Shot(t, "tip-closed")
			dist.AssertClean(t)

			// The informant reads the stage and the notes.
			inf := browsertest.New(t, base).Tab(t, size)
			inf.Open(t, "/tip/follow-up")
			inf.Run(t, chromedp.SendKeys(chromedp.CSS("#receipt"), receipt))
			inf.Click(t, "#tip-open")
			if got := inf.Text(t, "#tip-status"); got != "ปิดเรื่อง" {
				t.Errorf("the informant reads the stage %q", got)
			}
			if got := inf.Text(t, "#tip-messages"); !strings.Contains(got, "กำลังตรวจสอบพื้นที่") || !strings.Contains(got, "ขอบคุณสำหรับข้อมูล") {
				t.Errorf("the informant reads %q", got)
			}
			inf.Shot(t, "tip-followup-closed")
			inf.AssertClean(t)

			// The secretariat: counts, no content.
			sec := browsertest.New(t, base).Tab(t, size)
			sec.Open(t, "/tips/counts")
			signIn(t, sec, "sec", "secretariat-pass")
			if got := sec.Text(t, "#count-20"); !strings.Contains(got, "ชลบุรี") {
				t.Errorf("counts row %q", got)
			}
			if sec.Exists(t, "#tip-text") {
				t.Errorf("content on the counts page")
			}
			sec.Shot(t, "tips-counts")
			sec.AssertClean(t)

			if n := count(t, db, &models.AuditEvent{}, "action = ? AND actor = ? AND entity_id = ?", "tip.read", "dist2001", strconv.FormatInt(tip.ID, 10)); n < 5 {
				t.Errorf("the district's reads audited %d times", n)
			}
		})
	}
}
