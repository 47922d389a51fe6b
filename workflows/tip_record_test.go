//go:build record

package workflows_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// TestRecordTipHistories records the histories TestReplayTipHistories
// replays (testdata/tips/*.json): a tip nobody acts on that escalates to
// level 3 and is then worked to closed, and a tip the province forwards to
// a district, with spans of seconds against a real SQLite database:
//
//	go test -tags record -run TestRecordTipHistories ./workflows/
func TestRecordTipHistories(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, db := recordEngine(t)
	if err := store.SeedReferenceUnits(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, wf.TaskQueue, worker.Options{})
	wf.Register(w, wf.Activities{Directives: &activities.Activities{DB: db}, Tips: &activities.Tips{DB: db}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	region := 2
	policy := wf.TipPolicy{AckWithin: wf.Seconds(2), ActionWithin: wf.Seconds(4), Reminders: []wf.Span{wf.Seconds(1)},
		Escalations: []wf.Span{{}, wf.Seconds(1), wf.Seconds(2)}}
	for id := int64(1); id <= 2; id++ {
		tip := models.Tip{ID: id, ReceiptLookup: string(rune('a' + id)), SubmissionLookup: string(rune('a' + id)), ProvinceCode: "20",
			Route: models.TipRouteProvince, RouteUnitCode: "20", Status: models.TipReceived, SubmittedOn: "2026-12-04"}
		if err := db.Create(&tip).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wf.TipWorkflowID(id), TaskQueue: wf.TaskQueue}, wf.TipWorkflow,
			wf.TipInput{TipID: id, ProvinceCode: "20", Route: models.TipRouteProvince, RouteUnitCode: "20", Region: &region,
				Policy: policy, Revision: wf.TipRevision}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(id int64, name string, arg any) {
		t.Helper()
		for {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wf.TipWorkflowID(id), UpdateName: name,
				Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // still starting
		}
	}
	prov := wf.TipActionInput{Actor: "chonburi", UnitCode: "20"}
	// Tip 2: forwarded at once, then the district works it.
	update(2, wf.UpdateTipAcknowledge, prov)
	update(2, wf.UpdateTipForward, wf.TipForwardInput{Actor: "chonburi", UnitCode: "20", DistrictCode: "2001"})
	update(2, wf.UpdateTipAcknowledge, wf.TipActionInput{Actor: "muang", UnitCode: "2001"})
	for _, st := range []string{models.TipUnderInvestigation, models.TipNoGrounds, models.TipClosed} {
		update(2, wf.UpdateTipStage, wf.TipStageInput{Actor: "muang", UnitCode: "2001", Stage: st, NoteSeq: 1})
	}
	// Tip 1: nobody acts until level 3, then the province works it.
	time.Sleep(6 * time.Second)
	update(1, wf.UpdateTipReferUp, prov)
	update(1, wf.UpdateTipStage, wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipReferred, Agency: "สภ.เมืองชลบุรี"})
	update(1, wf.UpdateTipStage, wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipArrestMade})
	update(1, wf.UpdateTipStage, wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipClosed})
	for id, name := range map[int64]string{1: "tip-escalated", 2: "tip-forwarded"} {
		if err := c.GetWorkflow(ctx, wf.TipWorkflowID(id), "").Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		writeHistory(t, ctx, c, wf.TipWorkflowID(id), filepath.Join("testdata", "tips", name+".json"))
	}
	var tip models.Tip
	if err := db.Take(&tip, 1).Error; err != nil || tip.EscalationLevel != 3 || tip.Status != models.TipClosed {
		t.Errorf("tip 1 %+v %v", tip, err)
	}
}
