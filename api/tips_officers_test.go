package api_test

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// withTipEngine is withEngine with the tips' activities on the worker.
func (h *harness) withTipEngine() client.Client {
	h.t.Helper()
	return h.withEngine(func(w worker.Worker, _ client.Client) {
		w.RegisterActivity(&activities.Tips{DB: h.db})
	})
}

// submitTip sends a tip and returns its ID as the database holds it.
func submitTip(t *testing.T, h *harness, body map[string]any) int64 {
	t.Helper()
	if res := h.do("POST", "/api/v1/tips", "", body); res.Status != 201 {
		t.Fatalf("submit: %d %s", res.Status, res.Raw)
	}
	var tip models.Tip
	if err := h.db.Order("id DESC").Take(&tip).Error; err != nil {
		t.Fatal(err)
	}
	return tip.ID
}

// TestTipHandlingAPI: a tip's workflow starts at submission (once, however
// often the submission is retried); the province acknowledges it and
// forwards it to a district, which moves it through its stages with a
// note the informant reads; bad input is a 4xx naming the field; nobody
// outside the tip acts on it or reads it; every read is audited; the
// secretariat reads it only once the province refers a tip up, and its
// counts carry no content.
func TestTipHandlingAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		addScopeAccounts(t, db)
		tc := h.withTipEngine()
		body := map[string]any{"province_code": "20", "text": "ขายยาบ้าหลังตลาด TIP-HANDLING-MARKER", "submission_id": "handling-1"}
		id := submitTip(t, h, body)
		again := h.do("POST", "/api/v1/tips", "", body)
		if again.Status != 201 {
			t.Fatalf("retry: %d", again.Status)
		}
		var tip models.Tip
		eventually(t, 10*time.Second, "the workflow's first commit", func() bool {
			return db.Take(&tip, id).Error == nil && tip.Version == 1
		})
		if !tip.WorkflowStarted || tip.DueAt == nil || tip.Status != models.TipReceived {
			t.Fatalf("after submission: %+v", tip)
		}
		desc, err := tc.DescribeWorkflowExecution(t.Context(), workflows.TipWorkflowID(id), "")
		if err != nil || desc.WorkflowExecutionInfo.Type.Name != "TipWorkflow" {
			t.Fatalf("workflow: %v", err)
		}
		base := "/api/v1/tips/" + strconv.FormatInt(id, 10)
		prov := h.login("chonburi", "province-pass-1")
		dist := h.login("dist2001", "district-pass-2001")
		sec := h.login("sec", "secretariat-pass")

		// Reading one tip: the province yes (audited), the district not yet
		// (it is the province's), the secretariat not before a referral.
		if res := h.do("GET", base, prov, nil); res.Status != 200 || !strings.Contains(string(res.Raw), "TIP-HANDLING-MARKER") {
			t.Fatalf("province reads: %d %s", res.Status, res.Raw)
		}
		if n := count(t, db, &models.AuditEvent{}, "action = ? AND actor = ? AND entity_id = ?", "tip.read", "chonburi", strconv.FormatInt(id, 10)); n != 1 {
			t.Errorf("the province's read audited %d times", n)
		}
		errorOf(t, h.do("GET", base, dist, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", base, sec, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", base, h.login("watch", "observer-pass-1"), nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", base+"/acknowledge", dist, nil), 404, "not_found", "")

		// Acknowledge: the row follows before the answer.
		res := h.do("POST", base+"/acknowledge", prov, nil)
		if res.Status != 200 || res.Body["acknowledged_by"] != "chonburi" || res.Body["status"] != models.TipReceived {
			t.Fatalf("acknowledge: %d %s", res.Status, res.Raw)
		}

		// Forward: only a district of the province.
		errorOf(t, h.do("POST", base+"/forward", prov, map[string]string{"district_code": "5001"}), 422, "invalid", "district_code")
		errorOf(t, h.do("POST", base+"/forward", prov, map[string]string{"district_code": strings.Repeat("1", 33)}), 422, "invalid", "district_code")
		errorOf(t, h.do("POST", base+"/forward", prov, map[string]any{"district_code": "2001", "unit": "x"}), 422, "invalid", "unit")
		res = h.do("POST", base+"/forward", prov, map[string]string{"district_code": "2001"})
		if res.Status != 200 || res.Body["route_unit_code"] != "2001" || res.Body["route"] != models.TipRouteDistrict || res.Body["acknowledged_by"] != nil {
			t.Fatalf("forward: %d %s", res.Status, res.Raw)
		}
		// The province still reads it but no longer acts; the district does.
		errorOf(t, h.do("POST", base+"/acknowledge", prov, nil), 403, "forbidden", "")
		if res := h.do("POST", base+"/acknowledge", dist, nil); res.Status != 200 || res.Body["acknowledged_by"] != "dist2001" {
			t.Fatalf("district acknowledges: %d %s", res.Status, res.Raw)
		}

		// Stages, with bad input first.
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": "lost"}), 422, "invalid", "stage")
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipReferred}), 422, "invalid", "agency")
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipReferred, "agency": strings.Repeat("ก", 201)}), 422, "invalid", "agency")
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipReferred, "agency": "a\nb"}), 422, "invalid", "agency")
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipClosed, "note": strings.Repeat("x", 5001)}), 422, "invalid", "note")
		res = h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipUnderInvestigation, "note": "รับเรื่องแล้ว กำลังตรวจสอบ TIP-NOTE-MARKER"})
		if res.Status != 200 || res.Body["status"] != models.TipUnderInvestigation || res.Body["first_action_at"] == nil || res.Body["due_at"] != nil {
			t.Fatalf("under investigation: %d %s", res.Status, res.Raw)
		}
		msgs := res.Body["messages"].([]any)
		if len(msgs) != 1 || msgs[0].(map[string]any)["author"] != models.TipByOfficer {
			t.Fatalf("note: %s", res.Raw)
		}
		// Backwards is a conflict, and its note never reaches the informant.
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipUnderInvestigation, "note": "NEVER-SHOWN"}), 409, "conflict", "stage")
		res = h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipReferred, "agency": "สภ.เมืองชลบุรี"})
		if res.Status != 200 || res.Body["agency"] != "สภ.เมืองชลบุรี" {
			t.Fatalf("referred: %d %s", res.Status, res.Raw)
		}
		for _, st := range []string{models.TipArrestMade, models.TipClosed} {
			if res := h.do("POST", base+"/stage", dist, map[string]string{"stage": st}); res.Status != 200 || res.Body["status"] != st {
				t.Fatalf("%s: %d %s", st, res.Status, res.Raw)
			}
		}
		errorOf(t, h.do("POST", base+"/stage", dist, map[string]string{"stage": models.TipClosed}), 409, "conflict", "")
		eventually(t, 10*time.Second, "the tip's workflow to complete", func() bool {
			d, err := tc.DescribeWorkflowExecution(t.Context(), workflows.TipWorkflowID(id), "")
			return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
		})
		var msgRows []models.TipMessage
		if err := db.Where("tip_id = ?", id).Find(&msgRows).Error; err != nil || len(msgRows) != 1 {
			t.Errorf("messages %d (%v), want the one note", len(msgRows), err)
		}
		if n := count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.stage", "dist2001"); n != 4 {
			t.Errorf("%d tip.stage events, want 4", n)
		}
		if n := count(t, db, &models.AuditEvent{}, "after LIKE ?", "%TIP-NOTE-MARKER%"); n != 0 {
			t.Errorf("the note is in the audit trail")
		}
		var notes int64
		db.Model(&models.Notification{}).Where("kind = ? AND id LIKE ?", workflows.NotifyTip, workflows.TipWorkflowID(id)+"/%").Count(&notes)
		if notes != 2 { // new to the province, forwarded to the district
			t.Errorf("%d tip notifications, want 2", notes)
		}

		// An officials tip: the province refers it up, then the secretariat
		// reads it; its counts never carry content.
		oid := submitTip(t, h, map[string]any{"province_code": "20", "text": "เจ้าหน้าที่รับส่วย TIP-UP-MARKER",
			"officials_involved": true, "submission_id": "handling-2"})
		obase := "/api/v1/tips/" + strconv.FormatInt(oid, 10)
		errorOf(t, h.do("POST", obase+"/forward", prov, map[string]string{"district_code": "2001"}), 409, "conflict", "")
		errorOf(t, h.do("POST", obase+"/refer-up", dist, nil), 404, "not_found", "")
		if res := h.do("POST", obase+"/refer-up", prov, nil); res.Status != 200 || res.Body["referred_up"] != true {
			t.Fatalf("refer up: %d %s", res.Status, res.Raw)
		}
		if res := h.do("GET", obase, sec, nil); res.Status != 200 || !strings.Contains(string(res.Raw), "TIP-UP-MARKER") {
			t.Fatalf("secretariat reads the referred tip: %d %s", res.Status, res.Raw)
		}
		if n := count(t, db, &models.AuditEvent{}, "action = ? AND actor = ?", "tip.read", "sec"); n != 1 {
			t.Errorf("the secretariat's read audited %d times", n)
		}
		counts := h.do("GET", "/api/v1/tips/counts", sec, nil)
		if counts.Status != 200 || !strings.Contains(string(counts.Raw), `"closed":1`) || !strings.Contains(string(counts.Raw), `"referred_up":1`) ||
			strings.Contains(string(counts.Raw), "MARKER") {
			t.Errorf("counts: %d %s", counts.Status, counts.Raw)
		}
		// A read-only token reads but never acts.
		tok := readOnlyToken(t, h, "chonburi", "province-pass-1")
		errorOf(t, h.do("POST", obase+"/acknowledge", tok, nil), 403, "forbidden", "")
	})
}

// TestTipSavedWhileTemporalIsDown: without a workflow engine a tip is
// saved all the same (workflow_started false) and the officers' actions
// answer 503; once the engine is back, the Starter's sweep starts it.
func TestTipSavedWhileTemporalIsDown(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	dir := t.TempDir() // the tip key stays in it across both apps
	authSvc := &auth.Service{DB: db, SessionTTL: time.Hour}
	h.app = api.New(&api.Deps{DB: db, Auth: authSvc, Logger: slog.New(slog.DiscardHandler), DataDir: dir})
	id := submitTip(t, h, map[string]any{"province_code": "20", "text": "ไม่มี Temporal", "submission_id": "down-1"})
	var tip models.Tip
	if err := db.Take(&tip, id).Error; err != nil || tip.WorkflowStarted {
		t.Fatalf("saved %+v %v", tip, err)
	}
	prov := h.login("chonburi", "province-pass-1")
	errorOf(t, h.do("POST", "/api/v1/tips/"+strconv.FormatInt(id, 10)+"/acknowledge", prov, nil), 503, "unavailable", "")

	tc := h.withTipEngine()
	h.app = api.New(&api.Deps{DB: db, Temporal: tc, TaskQueue: testQueue, Auth: authSvc, Logger: slog.New(slog.DiscardHandler), DataDir: dir})
	st := &tips.Starter{DB: db, Temporal: tc, TaskQueue: testQueue}
	if n, err := st.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep started %d: %v", n, err)
	}
	eventually(t, 10*time.Second, "the workflow's first commit", func() bool {
		return db.Take(&tip, id).Error == nil && tip.WorkflowStarted && tip.Version == 1
	})
	if n, err := st.Sweep(t.Context()); err != nil || n != 0 {
		t.Fatalf("second sweep started %d: %v", n, err)
	}
	prov = h.login("chonburi", "province-pass-1")
	if res := h.do("POST", "/api/v1/tips/"+strconv.FormatInt(id, 10)+"/acknowledge", prov, nil); res.Status != 200 {
		t.Fatalf("acknowledge after the sweep: %d %s", res.Status, res.Raw)
	}
}

// readOnlyToken creates a read-only API token for user.
func readOnlyToken(t *testing.T, h *harness, user, pass string) string {
	t.Helper()
	var acc models.Account
	if err := h.db.Where("username = ?", user).Take(&acc).Error; err != nil {
		t.Fatal(err)
	}
	if err := h.db.Model(&acc).Update("can_create_tokens", true).Error; err != nil {
		t.Fatal(err)
	}
	res := h.do("POST", "/api/v1/auth/tokens", h.login(user, pass), map[string]any{"name": "ro", "expires_in_days": 30})
	if res.Status != 201 {
		t.Fatalf("token: %d %s", res.Status, res.Raw)
	}
	return res.Body["token"].(string)
}

// TestTipEscalatesOnTheEngine: on a real Temporal server, with deadlines
// of seconds, a tip nobody acknowledges gets its reminder, the overdue
// notice, escalation to the province head and then to the region's
// inspectors, each in the notifications outbox; from level 3 the region's
// inspector reads the tip, another region's does not.
func TestTipEscalatesOnTheEngine(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	addScopeAccounts(t, db)
	tc := h.withTipEngine()
	key, _, err := tips.LoadKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	policy := workflows.TipPolicy{AckWithin: workflows.Seconds(2), ActionWithin: workflows.Seconds(3),
		Reminders: []workflows.Span{workflows.Seconds(1)}, Escalations: []workflows.Span{{}, workflows.Seconds(1), workflows.Seconds(2)}}
	quiet := slog.New(slog.DiscardHandler)
	h.app = api.New(&api.Deps{DB: db, Temporal: tc, TaskQueue: testQueue, Auth: &auth.Service{DB: db, SessionTTL: time.Hour}, Logger: quiet,
		DataDir: t.TempDir(), Tips: tips.NewService(tips.Deps{DB: db, Key: key, Temporal: tc, TaskQueue: testQueue, Policy: policy, Logger: quiet})})
	id := submitTip(t, h, map[string]any{"province_code": "20", "text": "ไม่มีใครรับเรื่อง", "submission_id": "escalate-1"})
	insp := h.login("insp8", "inspector-pass-1")
	if res := h.do("GET", "/api/v1/tips", insp, nil); res.Status != 200 || res.Body["total"].(float64) != 0 {
		t.Fatalf("the inspector reads a tip before escalation: %s", res.Raw)
	}
	var tip models.Tip
	eventually(t, 30*time.Second, "escalation to level 3", func() bool {
		return db.Take(&tip, id).Error == nil && tip.EscalationLevel == 3
	})
	var notes []models.Notification
	if err := db.Where("kind = ? AND id LIKE ?", workflows.NotifyTip, workflows.TipWorkflowID(id)+"/%").Order("created_at, id").Find(&notes).Error; err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, n := range notes {
		var d struct{ Event, Level string }
		if err := json.Unmarshal([]byte(n.Data), &d); err != nil {
			t.Fatal(err)
		}
		events = append(events, d.Event+d.Level)
		if d.Level == "3" && !strings.Contains(n.Recipients, `"role":"inspector"`) {
			t.Errorf("level 3 goes to %s", n.Recipients)
		}
		if d.Level == "2" && !strings.Contains(n.Recipients, "governor") {
			t.Errorf("level 2 goes to %s", n.Recipients)
		}
	}
	if want := "new reminder ack_overdue1 escalation2 escalation3"; strings.Join(events, " ") != want {
		t.Errorf("notifications %q, want %q", strings.Join(events, " "), want)
	}
	if res := h.do("GET", "/api/v1/tips", insp, nil); res.Status != 200 || res.Body["total"].(float64) != 1 {
		t.Errorf("the region's inspector after level 3: %s", res.Raw)
	}
	if res := h.do("GET", "/api/v1/tips", h.login("insp15", "inspector-pass-15"), nil); res.Status != 200 || res.Body["total"].(float64) != 0 {
		t.Errorf("another region's inspector: %s", res.Raw)
	}
	if res := h.do("GET", "/api/v1/tips/counts", h.login("sec", "secretariat-pass"), nil); !strings.Contains(string(res.Raw), `"escalated":1`) ||
		!strings.Contains(string(res.Raw), `"overdue":1`) {
		t.Errorf("counts %s", res.Raw)
	}
}
