package activities

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

var ctx = context.Background()

// count is storetest.Count.
var count = storetest.Count

func directive(id string) PersistDirectiveInput {
	days := 5
	due := "2026-04-30"
	return PersistDirectiveInput{
		Directive: models.Directive{ID: id, Source: "letter", IssuerCode: "ONCB", DocNumber: "ยธ ๐๖๐๐/ว ๑", DocNumberNorm: "ยธ 0600/ว 1",
			IssueDate: "2026-04-01", Urgency: "urgent", Subject: "เรื่อง", Body: "เนื้อหา", Status: models.DirectiveIssued,
			UnitsTotal: 3, CreatedBy: "sec1"},
		Items: []DirectiveItemInput{
			{DirectiveItem: models.DirectiveItem{Number: 1, Text: "ข้อหนึ่ง", DueDate: &due},
				TargetSpec: JSONOf(map[string][]string{"levels": {"province"}})},
			{DirectiveItem: models.DirectiveItem{Number: 2, Text: "ข้อสอง", Target: `{}`, DueWorkingDays: &days, EvidenceRequired: true}},
		},
		Actor: "sec1",
	}
}

func TestPersistDirectiveIdempotent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		in := directive("ONCB-1")
		for i := 0; i < 2; i++ {
			if err := a.PersistDirective(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, &models.Directive{}, ""); n != 1 {
			t.Errorf("directives %d", n)
		}
		if n := count(t, db, &models.DirectiveItem{}, "directive_id = ?", "ONCB-1"); n != 2 {
			t.Errorf("items %d", n)
		}
		if n := count(t, db, &models.AuditEvent{}, "entity_id = ?", "ONCB-1"); n != 1 {
			t.Errorf("audit rows after two identical calls: %d, want 1", n)
		}
		// FanOut's progress is never lowered by a later persist.
		if err := SetUnitsAssigned(ctx, db, "ONCB-1", 3); err != nil {
			t.Fatal(err)
		}
		in.Directive.Status, in.Directive.StatusReason = models.DirectiveWithdrawn, "ผิด"
		if err := a.PersistDirective(ctx, in); err != nil {
			t.Fatal(err)
		}
		var got models.Directive
		if err := db.Take(&got, "id = ?", "ONCB-1").Error; err != nil {
			t.Fatal(err)
		}
		if got.Status != models.DirectiveWithdrawn || got.StatusReason != "ผิด" || got.UnitsAssigned != 3 || got.DocNumber != "ยธ ๐๖๐๐/ว ๑" {
			t.Errorf("after withdraw persist: %+v", got)
		}
		if n := count(t, db, &models.AuditEvent{}, "entity_id = ?", "ONCB-1"); n != 2 {
			t.Errorf("audit rows %d, want 2", n)
		}
		// Same issuer and number under another id: conflict, not retried.
		other := directive("ONCB-2")
		err := a.PersistDirective(ctx, other)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "conflict" {
			t.Errorf("duplicate number: %v", err)
		}
	})
}

func assignmentRow(version int64, status models.AssignmentStatus) SaveAssignmentInput {
	due := time.Date(2026, 4, 10, 9, 30, 0, 0, time.UTC)
	now := time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC).Add(time.Duration(version) * time.Hour)
	return SaveAssignmentInput{
		Assignment: models.Assignment{ID: "assignment/ONCB-1/5001", DirectiveID: "ONCB-1", UnitCode: "5001", ParentCode: "50",
			Region: 15, Status: status, AckDueAt: due, Version: version, CreatedAt: now, UpdatedAt: now},
		Items: []models.AssignmentItem{{ItemNumber: 1, Cycle: 1, Status: models.ItemOpen, DueAt: &due, Version: version, UpdatedAt: now}},
		Event: &models.AssignmentEvent{ID: "assignment/ONCB-1/5001/e/" + itoa(version), Seq: version, Actor: "system",
			Action: "test", After: `{"v":` + itoa(version) + `}`, At: now},
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSaveAssignmentIdempotentAndVersioned(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		if err := a.PersistDirective(ctx, directive("ONCB-1")); err != nil {
			t.Fatal(err)
		}
		v1 := assignmentRow(1, models.AssignmentAssigned)
		v2 := assignmentRow(2, models.AssignmentAcknowledged)
		v2.Items[0].Status = models.ItemReported
		v2.Reports = []models.Report{{ID: "r1", ItemNumber: 1, Cycle: 1, Text: "ผล", Evidence: `[{"name":"a.pdf"}]`,
			SubmittedBy: "u", SubmittedAt: v2.Assignment.UpdatedAt}}
		for _, in := range []SaveAssignmentInput{v1, v2, v2, v1} { // repeated and late
			if err := a.SaveAssignment(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		var as models.Assignment
		if err := db.Take(&as, "id = ?", v1.Assignment.ID).Error; err != nil {
			t.Fatal(err)
		}
		if as.Version != 2 || as.Status != models.AssignmentAcknowledged {
			t.Errorf("assignment rolled back by a late save: %+v", as)
		}
		var it models.AssignmentItem
		if err := db.Take(&it, "assignment_id = ?", v1.Assignment.ID).Error; err != nil {
			t.Fatal(err)
		}
		if it.Version != 2 || it.Status != models.ItemReported || it.DueAt == nil || !it.DueAt.Equal(*v1.Items[0].DueAt) {
			t.Errorf("item %+v", it)
		}
		if n := count(t, db, &models.AssignmentEvent{}, ""); n != 2 {
			t.Errorf("events %d, want 2", n)
		}
		if n := count(t, db, &models.AuditEvent{}, "entity_type = ?", "assignment"); n != 2 {
			t.Errorf("assignment audit rows %d, want 2", n)
		}
		if n := count(t, db, &models.Report{}, ""); n != 1 {
			t.Errorf("reports %d", n)
		}
		// A decision keeps the text and evidence.
		v3 := assignmentRow(3, models.AssignmentAcknowledged)
		dec, by, at := models.DecisionReturned, "sec", v3.Assignment.UpdatedAt
		v3.Reports = []models.Report{{ID: "r1", ItemNumber: 1, Cycle: 1, SubmittedBy: "u", SubmittedAt: v2.Assignment.UpdatedAt,
			Decision: &dec, DecidedBy: &by, DecidedAt: &at, Reason: "ไม่ครบ"}}
		for i := 0; i < 2; i++ {
			if err := a.SaveAssignment(ctx, v3); err != nil {
				t.Fatal(err)
			}
		}
		var r models.Report
		if err := db.Take(&r, "id = ?", "r1").Error; err != nil {
			t.Fatal(err)
		}
		if r.Text != "ผล" || r.Evidence != `[{"name":"a.pdf"}]` || r.Decision == nil || *r.Decision != dec || r.Reason != "ไม่ครบ" {
			t.Errorf("report after decision %+v", r)
		}
	})
}

func TestRecordEscalationAndNotificationOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		if err := a.PersistDirective(ctx, directive("ONCB-1")); err != nil {
			t.Fatal(err)
		}
		if err := a.SaveAssignment(ctx, assignmentRow(1, models.AssignmentAssigned)); err != nil {
			t.Fatal(err)
		}
		opened := time.Date(2026, 4, 10, 9, 30, 0, 0, time.UTC)
		id := "assignment/ONCB-1/5001/1/1/1"
		open := RecordEscalationInput{Open: []models.Escalation{{ID: id, AssignmentID: "assignment/ONCB-1/5001", ItemNumber: 1, Cycle: 1,
			Level: 1, Reason: "เลยกำหนด", Recipients: `{"unit_codes":["5001"]}`, Region: 15, UnitCode: "5001", OpenedAt: opened}}}
		act := RecordEscalationInput{Actions: []models.EscalationAction{{ID: id + "/a/5", EscalationID: id, Kind: models.ActionComment,
			Actor: "insp", Reason: "เร่งรัด", At: opened.Add(time.Hour)}}}
		closeAt := opened.Add(48 * time.Hour)
		cl := RecordEscalationInput{Close: []EscalationClose{{ID: id, At: closeAt, Reason: "reported"}}}
		later := RecordEscalationInput{Close: []EscalationClose{{ID: id, At: closeAt.Add(time.Hour), Reason: "withdrawn"}}}
		for _, in := range []RecordEscalationInput{open, open, act, act, cl, cl, later} {
			if err := a.RecordEscalation(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		var e models.Escalation
		if err := db.Take(&e, "id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		if e.ClosedAt == nil || !e.ClosedAt.Equal(closeAt) || e.CloseReason != "reported" {
			t.Errorf("escalation %+v", e)
		}
		if n := count(t, db, &models.EscalationAction{}, ""); n != 1 {
			t.Errorf("actions %d", n)
		}

		note := NotificationInput{ID: "assignment/ONCB-1/5001/n/7", Kind: "overdue",
			Recipients: notify.RecipientSpec{UnitCodes: []string{"5001"}}, Data: map[string]string{"item": "1"}, CreatedAt: opened}
		for i := 0; i < 2; i++ {
			if err := a.EnqueueNotification(ctx, note); err != nil {
				t.Fatal(err)
			}
		}
		var ns []models.Notification
		if err := db.Find(&ns).Error; err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || ns[0].Status != models.NotificationPending || ns[0].Template != "overdue" || ns[0].Language != "th" ||
			ns[0].Recipients != `{"unit_codes":["5001"]}` || ns[0].Data != `{"item":"1"}` {
			t.Errorf("notifications %+v", ns)
		}
	})
}

func TestLoadHolidays(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if err := store.SeedReference(ctx, db); err != nil {
			t.Fatal(err)
		}
		a := &Activities{DB: db}
		res, err := a.LoadHolidays(ctx, LoadHolidaysInput{Years: []int{2026, 2031}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Years) != 1 || res.Years[0] != 2026 {
			t.Errorf("years %v", res.Years)
		}
		if len(res.Holidays) == 0 || res.Holidays[0] != "2026-01-01" || res.Holidays[len(res.Holidays)-1] != "2026-12-31" {
			t.Errorf("holidays %v", res.Holidays)
		}
		for _, h := range res.Holidays {
			if !strings.HasPrefix(h, "2026-") {
				t.Errorf("holiday %s outside 2026", h)
			}
		}
	})
}

// TestDatabaseOutageIsRetryable: a closed database gives an error Temporal
// retries (not a non-retryable application error) and nothing is lost
// silently.
func TestDatabaseOutageIsRetryable(t *testing.T) {
	db := storetest.SQLite(t)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	a := &Activities{DB: db}
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}
	err = a.SaveAssignment(ctx, assignmentRow(1, models.AssignmentAssigned))
	if err == nil {
		t.Fatal("save on a closed database succeeded")
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		t.Errorf("outage reported as non-retryable: %v", err)
	}
	if err := a.EnqueueNotification(ctx, NotificationInput{ID: "x", Kind: "k"}); err == nil {
		t.Error("enqueue on a closed database succeeded")
	}
}
