package activities

import (
	"encoding/json"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestJSONSameTextInProcessAndThroughPayload: a JSON value gives the same
// text handed over in process (local activity) and after travelling
// through a JSON payload (regular activity), for values json would
// otherwise re-interpret (large integers, key order, HTML characters).
func TestJSONSameTextInProcessAndThroughPayload(t *testing.T) {
	type spec struct {
		Zeta  string `json:"zeta"`
		Alpha int64  `json:"alpha"`
	}
	v := JSONOf(spec{Zeta: "<a&b>", Alpha: 1<<62 + 1})
	want, err := json.Marshal(spec{Zeta: "<a&b>", Alpha: 1<<62 + 1})
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != string(want) {
		t.Errorf("in process %s, want %s", v.String(), want)
	}
	payload, err := json.Marshal(FanOutTarget{WorkflowID: "w", Target: v})
	if err != nil {
		t.Fatal(err)
	}
	var got FanOutTarget
	if err := json.Unmarshal(payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.Target.String() != string(want) {
		t.Errorf("through a payload %s, want %s", got.Target.String(), want)
	}
	var none struct {
		V JSON `json:"v,omitzero"`
	}
	if b, _ := json.Marshal(none); string(b) != `{}` || !none.V.IsZero() || none.V.String() != "null" {
		t.Errorf("zero JSON: %s %q", b, none.V.String())
	}
	if err := json.Unmarshal([]byte(`{"v":null}`), &none); err != nil || !none.V.IsZero() {
		t.Errorf("null decodes to %+v (%v)", none.V, err)
	}
}

func commitInput(version int64) CommitAssignmentInput {
	s := assignmentRow(version, models.AssignmentAssigned)
	ev := *s.Event
	ev.After = ""
	region := 15
	return CommitAssignmentInput{
		Assignment: s.Assignment,
		Items:      s.Items,
		Reports: []ReportRow{{Report: models.Report{ID: "r1", ItemNumber: 1, Cycle: 1, Text: "ผล",
			SubmittedBy: "u", SubmittedAt: s.Assignment.UpdatedAt},
			EvidenceFiles: JSONOf([]map[string]string{{"name": "a.pdf"}})}},
		Event: &EventRow{AssignmentEvent: ev, AfterView: JSONOf(map[string]int64{"v": version})},
		OpenEscalations: []OpenEscalation{{Escalation: models.Escalation{ID: "assignment/ONCB-1/5001/1/1/3",
			AssignmentID: s.Assignment.ID, ItemNumber: 1, Cycle: 1, Level: 3, Reason: "เลยกำหนด", Region: 15,
			UnitCode: "5001", OpenedAt: s.Assignment.UpdatedAt},
			To: notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleInspector, Region: &region}}}}},
		Notifications: []NotificationInput{
			{ID: "assignment/ONCB-1/5001/n/" + itoa(version), Kind: "escalation", Recipients: notify.RecipientSpec{UnitCodes: []string{"5001"}},
				Data: map[string]string{"level": "3"}, CreatedAt: s.Assignment.UpdatedAt},
			{ID: "assignment/ONCB-1/5001/n/" + itoa(version) + "/1", Kind: "reminder", Recipients: notify.RecipientSpec{UnitCodes: []string{"5001"}},
				CreatedAt: s.Assignment.UpdatedAt},
		},
	}
}

// TestCommitAssignmentOneTransactionIdempotent: one call writes the rows,
// report, event, audit, escalation and notifications, with the JSON
// columns encoded from the values; repeating it (a retried local activity)
// changes nothing; an invalid part writes nothing at all.
func TestCommitAssignmentOneTransactionIdempotent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		if err := a.PersistDirective(ctx, directive("ONCB-1")); err != nil {
			t.Fatal(err)
		}
		in := commitInput(1)
		for i := 0; i < 2; i++ {
			if err := a.CommitAssignment(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		for what, n := range map[string]int64{
			"assignments":   count(t, db, &models.Assignment{}, ""),
			"items":         count(t, db, &models.AssignmentItem{}, ""),
			"reports":       count(t, db, &models.Report{}, ""),
			"events":        count(t, db, &models.AssignmentEvent{}, ""),
			"audit":         count(t, db, &models.AuditEvent{}, "entity_type = ?", "assignment"),
			"escalations":   count(t, db, &models.Escalation{}, ""),
			"notifications": count(t, db, &models.Notification{}, ""),
		} {
			want := int64(1)
			if what == "notifications" {
				want = 2
			}
			if n != want {
				t.Errorf("%s: %d rows, want %d", what, n, want)
			}
		}
		var r models.Report
		var ev models.AssignmentEvent
		var e models.Escalation
		var n models.Notification
		db.Take(&r, "id = ?", "r1")
		db.Take(&ev, "id = ?", in.Event.ID)
		db.Take(&e, "id = ?", in.OpenEscalations[0].ID)
		db.Take(&n, "id = ?", in.Notifications[0].ID)
		if r.Evidence != `[{"name":"a.pdf"}]` || ev.Before != "" || ev.After != `{"v":1}` ||
			e.Recipients != `{"role_regions":[{"role":"inspector","region":15}]}` || n.Data != `{"level":"3"}` {
			t.Errorf("JSON columns: evidence %s, event %q→%q, recipients %s, data %s", r.Evidence, ev.Before, ev.After, e.Recipients, n.Data)
		}

		bad := commitInput(2)
		bad.Notifications[1].Kind = ""
		err := a.CommitAssignment(ctx, bad)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() {
			t.Errorf("invalid notification: %v", err)
		}
		var as models.Assignment
		db.Take(&as, "id = ?", in.Assignment.ID)
		if as.Version != 1 || count(t, db, &models.AssignmentEvent{}, "") != 1 {
			t.Errorf("a rejected commit wrote something: version %d", as.Version)
		}
	})
}

// TestCommitAssignmentRollsBackOnFailure: when a write fails inside the
// transaction (here the escalations table is gone), nothing of the change
// is kept, so the retry writes it whole.
func TestCommitAssignmentRollsBackOnFailure(t *testing.T) {
	db := storetest.SQLite(t)
	a := &Activities{DB: db}
	if err := a.PersistDirective(ctx, directive("ONCB-1")); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("ALTER TABLE escalations RENAME TO escalations_away").Error; err != nil {
		t.Fatal(err)
	}
	in := commitInput(1)
	if err := a.CommitAssignment(ctx, in); err == nil {
		t.Fatal("commit without an escalations table succeeded")
	}
	if n := count(t, db, &models.Assignment{}, "") + count(t, db, &models.AssignmentEvent{}, "") +
		count(t, db, &models.Notification{}, ""); n != 0 {
		t.Errorf("%d rows kept from a failed commit", n)
	}
	if err := db.Exec("ALTER TABLE escalations_away RENAME TO escalations").Error; err != nil {
		t.Fatal(err)
	}
	if err := a.CommitAssignment(ctx, in); err != nil {
		t.Fatal(err)
	}
	if count(t, db, &models.Notification{}, "") != 2 || count(t, db, &models.Escalation{}, "") != 1 {
		t.Error("retry did not write the whole change")
	}
}
