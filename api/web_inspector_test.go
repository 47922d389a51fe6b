package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// TestWebInspectorQueue drives the inspector's queue in Chromium at both
// sizes: an item of ชลบุรี (region 8) escalates to level 3; the region's
// inspector finds it grouped under its province with its level and days
// overdue, is told next to the form when a new deadline lacks its date,
// comments, then extends it, which closes the escalations; the inspector
// of region 15 never sees it.
func TestWebInspectorQueue(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	addScopeAccounts(t, db)
	base := serveHTTP(h)
	sec := h.login("sec", "secretariat-pass")

	for i, size := range browsertest.Sizes {
		t.Run(size.Name, func(t *testing.T) {
			id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๖๖"+string(rune('๐'+i)),
				map[string]any{"ack_within": "PT10M", "reminders": []string{}, "escalations": []string{"0", "PT1S", "PT2S"}},
				map[string]any{"number": 1, "text": "ส่งแผนปฏิบัติการปราบปราม", "due_within": "PT2S",
					"targets": map[string]any{"units": []string{"20"}}}))
			assignment := workflows.AssignmentWorkflowID(id, "20")
			eventually(t, time.Minute, "level 3", func() bool {
				return count(t, db, &models.Escalation{}, "assignment_id = ? AND level = 3", assignment) == 1
			})
			var top models.Escalation
			db.First(&top, "assignment_id = ? AND level = 3", assignment)
			key := url.PathEscape(directives.EscalationKey(top.ID))

			other := browsertest.New(t, base).Tab(t, size)
			other.Open(t, "/inspector")
			signIn(t, other, "insp15", "inspector-pass-15")
			if strings.Contains(other.Text(t, "main"), "ส่งแผนปฏิบัติการปราบปราม") {
				t.Error("the inspector of region 15 sees an item of region 8")
			}

			tab := browsertest.New(t, base).Tab(t, size)
			tab.Open(t, "/inspector")
			signIn(t, tab, "insp8", "inspector-pass-1")
			group := tab.Text(t, "#province-20")
			if !strings.Contains(group, "ชลบุรี") || !strings.Contains(group, "ส่งแผนปฏิบัติการปราบปราม") || !strings.Contains(group, "ยกระดับขั้น ๓") {
				t.Fatalf("queue group of ชลบุรี: %q", group)
			}
			tab.Shot(t, "queue")
			form := "form[action='/inspector/escalations/" + key + "']"
			tab.Run(t, chromedp.SetValue(chromedp.CSS(form+" select"), "new_deadline"),
				chromedp.SetValue(chromedp.CSS(form+" textarea"), "ขอให้ส่งภายในสัปดาห์นี้"))
			tab.Expect("status of 422") // the form without a date, refused on purpose
			tab.Click(t, form+" button")
			if got := tab.Text(t, "main"); !strings.Contains(got, "new_due") && !strings.Contains(got, "กำหนดใหม่") {
				t.Errorf("a new deadline without a date: no error shown: %.500q", got)
			}
			tab.Shot(t, "queue-error")
			tab.Run(t, chromedp.SetValue(chromedp.CSS(form+" select"), "comment"),
				chromedp.SetValue(chromedp.CSS(form+" textarea"), "ได้ประสานจังหวัดแล้ว"))
			tab.Click(t, form+" button")
			if got := tab.Text(t, "#flash"); !strings.Contains(got, "ให้ความเห็น") {
				t.Fatalf("no confirmation of the comment: %q", got)
			}
			tab.Run(t, chromedp.SetValue(chromedp.CSS(form+" select"), "extend"),
				chromedp.SetValue(chromedp.CSS(form+" textarea"), "จังหวัดขอขยายเวลาเนื่องจากน้ำท่วม"),
				chromedp.SetValue(chromedp.CSS(form+" input[type=date]"), time.Now().AddDate(0, 0, 10).Format("2006-01-02")))
			tab.Click(t, form+" button")
			if n := count(t, db, &models.EscalationAction{}, "escalation_id = ?", top.ID); n != 2 {
				t.Fatalf("%d actions recorded, want 2 (comment, extend)", n)
			}
			if n := count(t, db, &models.Escalation{}, "assignment_id = ? AND closed_at IS NULL", assignment); n != 0 {
				t.Errorf("%d escalations still open after the extension", n)
			}
			if strings.Contains(tab.Text(t, "main"), "ส่งแผนปฏิบัติการปราบปราม") {
				t.Error("the extended item is still in the queue")
			}
			tab.Shot(t, "queue-after")
			tab.Open(t, "/inspector?lang=en")
			if got := tab.Text(t, "h1"); got != "Follow-up queue" {
				t.Errorf("in English the queue is headed %q", got)
			}
			assertEnglish(t, tab)
			tab.Shot(t, "queue-english")
			tab.Open(t, "/inspector?lang=th")
			tab.AssertClean(t)
			other.AssertClean(t)
		})
	}
}
