//go:build record

package workflows_test

// Recording the replay histories needs a real Temporal server (the embedded
// one) and links the whole server, so it is behind the "record" build tag:
//
//	go test -tags record -run TestRecordHistories ./workflows/
//
// It runs a directive through fan-out, acknowledgement, reports, review,
// escalations, amendment, added targets and withdrawal with spans of
// seconds against a real SQLite database, then writes every workflow's
// history to testdata/*.json for TestReplayHistories. Re-record after a
// deliberate, versioned change of workflow code, never to make a failing
// replay pass.

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// recordEngine starts what a recording runs on: the embedded Temporal
// server with a client, both stopped when t ends, and a new SQLite app
// database.
func recordEngine(t *testing.T) (client.Client, *gorm.DB) {
	t.Helper()
	srv, err := devserver.Start(devserver.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: nopLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, storetest.SQLite(t)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

func TestRecordHistories(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, db := recordEngine(t)
	w := worker.New(c, wf.TaskQueue, worker.Options{})
	wf.Register(w, wf.Activities{Directives: &activities.Activities{DB: db, Temporal: c, TaskQueue: wf.TaskQueue}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	in := textsByRef(t, db, directiveInput(holidays(t)))
	sec := func(n int) *wf.Span { s := wf.Seconds(n); return &s }
	in.Items[0].DueDate, in.Items[0].DueWithin = nil, sec(6)
	in.Items[1].DueWithin = sec(40)
	in.Policy = wf.Policy{AckWithin: wf.Seconds(4), Reminders: []wf.Span{wf.Seconds(3)},
		Escalations: [3]wf.Span{{}, wf.Seconds(1), wf.Seconds(2)}}
	id := in.Directive.ID
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf.DirectiveWorkflowID(id), TaskQueue: wf.TaskQueue}, wf.DirectiveWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "fan-out", func() bool {
		v, err := c.QueryWorkflow(ctx, run.GetID(), "", wf.QueryProgress)
		var p wf.DirectiveProgress
		return err == nil && v.Get(&p) == nil && p.FanOutDone
	})
	a5001 := wf.AssignmentWorkflowID(id, "5001")
	a50 := wf.AssignmentWorkflowID(id, "50")
	a5002 := wf.AssignmentWorkflowID(id, "5002")
	a5003 := wf.AssignmentWorkflowID(id, "5003")
	update := func(wid, name string, arg any, wantOK bool) error {
		t.Helper()
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if (err == nil) != wantOK {
			t.Fatalf("%s %s: %v (want ok %v)", wid, name, err, wantOK)
		}
		return err
	}
	// A validator's rejection reaches a real client as the domain error.
	if err := update(a5001, wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5002", Actor: "x"}, false); apperr.CodeOf(wf.AppError(err)) != apperr.Forbidden {
		t.Errorf("wrong unit: %v → %v", err, wf.AppError(err))
	}
	update(a5001, wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u5001", Note: "รับทราบ"}, true)
	time.Sleep(10 * time.Second) // item 1: reminder, overdue, levels 2 and 3; 50: ack overdue
	ev := []wf.EvidenceFile{{Name: "a.pdf", Size: 3, SHA256: strings.Repeat("b", 64), StoragePath: "e/a", ContentType: "application/pdf"}}
	update(a5001, wf.UpdateReport, wf.ReportInput{ReportID: "rec-1", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, TextRef: textRef(t, db, "ผล")}, true)
	update(a5001, wf.UpdateReview, wf.ReviewInput{Actor: "sec1", ItemNumber: 1, Decision: wf.ReviewReturn, Reason: "ขาด", NewDue: &wf.Deadline{Within: sec(30)}}, true)
	update(a5001, wf.UpdateReport, wf.ReportInput{ReportID: "rec-2", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, TextRef: textRef(t, db, "ครบ")}, true)
	update(a5001, wf.UpdateReview, wf.ReviewInput{Actor: "sec1", ItemNumber: 1, Decision: wf.ReviewAccept}, true)
	update(a5001, wf.UpdateReport, wf.ReportInput{ReportID: "rec-3", UnitCode: "5001", Actor: "u5001", ItemNumber: 2, TextRef: textRef(t, db, "ไม่มีหลักฐาน")}, false)
	update(a5001, wf.UpdateReport, wf.ReportInput{ReportID: "rec-3", UnitCode: "5001", Actor: "u5001", ItemNumber: 2, TextRef: textRef(t, db, "ผล"), Evidence: ev}, true)
	update(a5001, wf.UpdateReview, wf.ReviewInput{Actor: "sec1", ItemNumber: 2, Decision: wf.ReviewAccept}, true)
	update(a50, wf.UpdateInspectorAction, wf.InspectorActionInput{Actor: "insp15", ActorRole: models.RoleInspector, ItemNumber: 1,
		Kind: models.ActionExtend, Reason: "รอผล", NewDue: &wf.Deadline{Within: sec(60)}}, true)
	update(wf.DirectiveWorkflowID(id), wf.UpdateAddTargets, wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5001"}}}, false)
	update(wf.DirectiveWorkflowID(id), wf.UpdateAddTargets, wf.AddTargetsInput{Actor: "sec1",
		Targets: []wf.UnitTarget{{UnitCode: "5003", ParentCode: "50", Region: 15, Type: models.UnitDistrict}}}, true)
	update(wf.DirectiveWorkflowID(id), wf.UpdateAmend, wf.AmendInput{ItemNumber: 2, NewDue: wf.Deadline{Within: sec(20)}, Actor: "sec1", Reason: "เร่ง"}, true)
	time.Sleep(2 * time.Second)
	update(wf.DirectiveWorkflowID(id), wf.UpdateWithdraw, wf.WithdrawInput{Actor: "sec1", Reason: "บันทึกประวัติ"}, true)
	var res wf.DirectiveResult
	if err := run.Get(ctx, &res); err != nil || res.Status != models.DirectiveWithdrawn {
		t.Fatalf("directive: %+v %v", res, err)
	}
	for _, wid := range []string{a5001, a50, a5002, a5003} {
		var ar wf.AssignmentResult
		if err := c.GetWorkflow(ctx, wid, "").Get(ctx, &ar); err != nil {
			t.Fatalf("%s: %v", wid, err)
		}
	}
	// The database saw it all.
	var n int64
	db.Model(&models.Assignment{}).Where("status IN ?", []string{"closed", "withdrawn"}).Count(&n)
	if n != 4 {
		t.Errorf("assignments ended in the database: %d, want 4", n)
	}

	for name, wid := range map[string]string{"directive": wf.DirectiveWorkflowID(id), "assignment_district": a5001,
		"assignment_province": a50, "assignment_item2_only": a5002, "assignment_added": a5003} {
		writeHistory(t, ctx, c, wid, filepath.Join("testdata", name+".json"))
	}
}

func waitFor(t *testing.T, ctx context.Context, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// writeHistory writes the latest run's history of wid to file.
func writeHistory(t *testing.T, ctx context.Context, c client.Client, wid, file string) {
	t.Helper()
	writeRunHistory(t, ctx, c, wid, "", file)
}

// textRef stores text as the API does before it sends a workflow its ref.
func textRef(t *testing.T, db *gorm.DB, text string) models.TextRef {
	t.Helper()
	refs, err := store.SaveTexts(context.Background(), db, text)
	if err != nil {
		t.Fatal(err)
	}
	return refs[0]
}

// textsByRef stores the body and item texts of in and returns in carrying
// their refs instead, as the API starts a directive.
func textsByRef(t *testing.T, db *gorm.DB, in wf.DirectiveInput) wf.DirectiveInput {
	t.Helper()
	in.Directive.BodyRef, in.Directive.Body = textRef(t, db, in.Directive.Body), ""
	items := make([]wf.DirectiveItem, len(in.Items))
	for i, it := range in.Items {
		it.TextRef, it.Text = textRef(t, db, it.Text), ""
		items[i] = it
	}
	in.Items = items
	return in
}
