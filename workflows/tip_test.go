package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// tipRecorder stands in for the database of the tip workflow.
type tipRecorder struct {
	mu      sync.Mutex
	env     *testsuite.TestWorkflowEnvironment
	commits []activities.CommitTipInput
	notes   []sentNote
}

func newTipEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *tipRecorder) {
	env, _ := newEnv(t, start, holidays(t, 2025, 2026))
	env.RegisterActivity(&activities.Tips{})
	r := &tipRecorder{env: env}
	var a *activities.Tips
	env.OnActivity(a.CommitTip, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitTipInput) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.commits = append(r.commits, in)
			for _, n := range in.Notifications {
				r.notes = append(r.notes, sentNote{env.Now(), n})
			}
			return nil
		}).Maybe()
	return env, r
}

func (r *tipRecorder) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.notes {
		out = append(out, n.in.Data["event"]+"@"+n.at.In(bkk(2025, 1, 1, 0, 0).Location()).Format("01-02 15:04"))
	}
	return out
}

func (r *tipRecorder) last() activities.TipRow {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commits[len(r.commits)-1].Tip
}

type tipUpdate struct {
	done     bool
	rejected error
	err      error
	state    wf.TipState
}

func sendTipUpdate(env *testsuite.TestWorkflowEnvironment, start, at time.Time, name string, arg any) *tipUpdate {
	res := &tipUpdate{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { res.rejected = err; res.done = true },
			OnComplete: func(v any, err error) {
				res.done, res.err = true, err
				decodeInto(v, &res.state)
			},
		}, arg)
	}, at.Sub(start))
	return res
}

func tipInput(route, unit string) wf.TipInput {
	region := 2
	return wf.TipInput{TipID: 7, ProvinceCode: "20", Route: route, RouteUnitCode: unit, Region: &region,
		Policy: wf.DefaultTipPolicy(3), Revision: wf.TipRevision}
}

func wantEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("notifications\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("notification %d = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

// TestTipEscalatesWhenNobodyActs: a tip nobody acknowledges is overdue at
// 16:30 of the next working day (to the unit), then escalates to the
// province head one working day later and to the region's inspectors two
// working days later; closing it ends the workflow.
func TestTipEscalatesWhenNobodyActs(t *testing.T) {
	start := bkk(2025, 3, 3, 10, 0) // Monday
	env, r := newTipEnv(t, start)
	closed := sendTipUpdate(env, start, bkk(2025, 3, 12, 10, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipClosed})
	env.ExecuteWorkflow(wf.TipWorkflow, tipInput(models.TipRouteProvince, "20"))
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if !closed.done || closed.err != nil || closed.rejected != nil {
		t.Fatalf("close: %+v", closed)
	}
	wantEvents(t, r.events(), "new@03-03 10:00", "ack_overdue@03-04 16:30", "escalation@03-05 09:00", "escalation@03-06 09:00")
	r.mu.Lock()
	l2, l3 := r.notes[2].in, r.notes[3].in
	r.mu.Unlock()
	if len(l2.Recipients.UnitPositions) != 1 || l2.Recipients.UnitPositions[0].UnitCode != "20" ||
		len(l2.Recipients.UnitPositions[0].Positions) != len(notify.HeadPositions) || l2.Data["level"] != "2" {
		t.Errorf("level 2 goes to %+v (%v), want the province head", l2.Recipients, l2.Data)
	}
	if len(l3.Recipients.RoleRegions) != 1 || l3.Recipients.RoleRegions[0].Role != models.RoleInspector ||
		*l3.Recipients.RoleRegions[0].Region != 2 || l3.Data["level"] != "3" {
		t.Errorf("level 3 goes to %+v, want the inspectors of region 2", l3.Recipients)
	}
	for _, n := range r.notes {
		if n.in.Kind != wf.NotifyTip || n.in.Data["link"] != "/tips/7" || n.in.ID == "" {
			t.Errorf("notification %+v", n.in)
		}
	}
	row := r.last()
	if row.Status != models.TipClosed || row.EscalationLevel != 3 || row.DueAt != nil || row.AcknowledgedAt == nil {
		t.Errorf("last row %+v", row)
	}
}

// TestTipStagesWithReminders: acknowledged at once, the first action's
// deadline (3 working days) gets a reminder the working day before, then
// overdue and escalation; the stages then run to closed and the workflow
// ends with every row versioned in order.
func TestTipStagesWithReminders(t *testing.T) {
	start := bkk(2025, 3, 3, 10, 0)
	env, r := newTipEnv(t, start)
	ack := sendTipUpdate(env, start, bkk(2025, 3, 3, 11, 0), wf.UpdateTipAcknowledge,
		wf.TipActionInput{Actor: "chonburi", UnitCode: "20"})
	inv := sendTipUpdate(env, start, bkk(2025, 3, 11, 10, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipUnderInvestigation, NoteSeq: 1})
	noAgency := sendTipUpdate(env, start, bkk(2025, 3, 11, 11, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipReferred})
	ref := sendTipUpdate(env, start, bkk(2025, 3, 11, 12, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipReferred, Agency: "สภ.เมืองชลบุรี"})
	back := sendTipUpdate(env, start, bkk(2025, 3, 11, 13, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipUnderInvestigation})
	arrest := sendTipUpdate(env, start, bkk(2025, 3, 12, 10, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipArrestMade})
	closed := sendTipUpdate(env, start, bkk(2025, 3, 13, 10, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipClosed})
	env.ExecuteWorkflow(wf.TipWorkflow, tipInput(models.TipRouteProvince, "20"))
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	for _, u := range []*tipUpdate{ack, inv, ref, arrest, closed} {
		if !u.done || u.err != nil || u.rejected != nil {
			t.Fatalf("update: %+v", u)
		}
	}
	if ack.state.AcknowledgedBy != "chonburi" || ack.state.DueAt() == nil || !ack.state.DueAt().Equal(bkk(2025, 3, 6, 16, 30)) {
		t.Errorf("after acknowledging: %+v", ack.state)
	}
	wantField(t, noAgency.rejected, apperr.Invalid, "agency")
	wantField(t, back.rejected, apperr.Conflict, "stage")
	if ref.state.Agency != "สภ.เมืองชลบุรี" || ref.state.Stage != models.TipReferred {
		t.Errorf("referred: %+v", ref.state)
	}
	wantEvents(t, r.events(), "new@03-03 10:00", "reminder@03-05 09:00", "overdue@03-06 16:30",
		"escalation@03-07 09:00", "escalation@03-10 09:00")
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, c := range r.commits {
		if c.Tip.Version != int64(i+1) {
			t.Errorf("commit %d has version %d", i, c.Tip.Version)
		}
	}
	if inv.state.FirstActionAt == nil || inv.state.DueAt() != nil {
		t.Errorf("after the first action: %+v", inv.state)
	}
}

// TestTipForward: a province forwards its tip to a district, which gets
// its own deadlines and acts; a tip involving officials cannot be
// forwarded, and nobody but the handling unit acts.
func TestTipForward(t *testing.T) {
	start := bkk(2025, 3, 3, 10, 0)
	env, r := newTipEnv(t, start)
	wrong := sendTipUpdate(env, start, bkk(2025, 3, 3, 10, 30), wf.UpdateTipAcknowledge,
		wf.TipActionInput{Actor: "rayong", UnitCode: "21"})
	fwd := sendTipUpdate(env, start, bkk(2025, 3, 3, 11, 0), wf.UpdateTipForward,
		wf.TipForwardInput{Actor: "chonburi", UnitCode: "20", DistrictCode: "2001"})
	again := sendTipUpdate(env, start, bkk(2025, 3, 3, 11, 30), wf.UpdateTipForward,
		wf.TipForwardInput{Actor: "chonburi", UnitCode: "20", DistrictCode: "2002"})
	ack := sendTipUpdate(env, start, bkk(2025, 3, 4, 9, 0), wf.UpdateTipAcknowledge,
		wf.TipActionInput{Actor: "muang", UnitCode: "2001"})
	closed := sendTipUpdate(env, start, bkk(2025, 3, 4, 10, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "muang", UnitCode: "2001", Stage: models.TipClosed, NoteSeq: 2})
	env.ExecuteWorkflow(wf.TipWorkflow, tipInput(models.TipRouteProvince, "20"))
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	wantField(t, wrong.rejected, apperr.Forbidden, "unit_code")
	wantField(t, again.rejected, apperr.Forbidden, "unit_code") // it is the district's now
	if fwd.err != nil || fwd.state.UnitCode != "2001" || fwd.state.Route != models.TipRouteDistrict ||
		!fwd.state.AckDueAt.Equal(bkk(2025, 3, 4, 16, 30)) {
		t.Errorf("forwarded: %+v (%v)", fwd.state, fwd.err)
	}
	if ack.err != nil || closed.err != nil || closed.state.Stage != models.TipClosed {
		t.Errorf("district: %+v %+v", ack, closed)
	}
	wantEvents(t, r.events(), "new@03-03 10:00", "forwarded@03-03 11:00")
	r.mu.Lock()
	fwdNote := r.notes[1].in
	r.mu.Unlock()
	if len(fwdNote.Recipients.UnitCodes) != 1 || fwdNote.Recipients.UnitCodes[0] != "2001" {
		t.Errorf("forwarded to %+v", fwdNote.Recipients)
	}

	// Officials involved: the province head and the inspectors hear of it;
	// it stays with the province.
	env2, r2 := newTipEnv(t, start)
	noFwd := sendTipUpdate(env2, start, bkk(2025, 3, 3, 11, 0), wf.UpdateTipForward,
		wf.TipForwardInput{Actor: "chonburi", UnitCode: "20", DistrictCode: "2001"})
	up := sendTipUpdate(env2, start, bkk(2025, 3, 3, 12, 0), wf.UpdateTipReferUp,
		wf.TipActionInput{Actor: "chonburi", UnitCode: "20"})
	sendTipUpdate(env2, start, bkk(2025, 3, 3, 13, 0), wf.UpdateTipStage,
		wf.TipStageInput{Actor: "chonburi", UnitCode: "20", Stage: models.TipClosed})
	in := tipInput(models.TipRouteOfficials, "20")
	in.OfficialsInvolved = true
	env2.ExecuteWorkflow(wf.TipWorkflow, in)
	if !env2.IsWorkflowCompleted() || env2.GetWorkflowError() != nil {
		t.Fatalf("completed %v, error %v", env2.IsWorkflowCompleted(), env2.GetWorkflowError())
	}
	wantField(t, noFwd.rejected, apperr.Conflict, "district_code")
	if up.err != nil || !up.state.ReferredUp {
		t.Errorf("refer up: %+v", up)
	}
	r2.mu.Lock()
	defer r2.mu.Unlock()
	first := r2.notes[0].in.Recipients
	if len(first.UnitPositions) != 1 || len(first.RoleRegions) != 1 || first.RoleRegions[0].Role != models.RoleInspector {
		t.Errorf("a tip involving officials goes to %+v", first)
	}
	if n := r2.notes[1].in; n.Data["event"] != wf.TipEventReferredUp || n.Recipients.RoleRegions[0].Role != models.RoleSecretariat {
		t.Errorf("refer up notification %+v", n)
	}
}

func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want %s on %s", code, field)
	}
	var ae *apperr.Error
	if !errors.As(wf.AppError(err), &ae) || ae.Code != code || ae.Field != field {
		t.Fatalf("error %v, want %s on %s", err, code, field)
	}
}

func TestTipStageAllowed(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{models.TipReceived, models.TipUnderInvestigation, true},
		{models.TipReceived, models.TipNoGrounds, true},
		{models.TipReferred, models.TipArrestMade, true},
		{models.TipArrestMade, models.TipNoGrounds, false},
		{models.TipArrestMade, models.TipClosed, true},
		{models.TipClosed, models.TipClosed, false},
		{models.TipUnderInvestigation, models.TipReceived, false},
		{models.TipReceived, "lost", false},
	} {
		if got := wf.TipStageAllowed(c.from, c.to); got != c.ok {
			t.Errorf("%s → %s: %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
