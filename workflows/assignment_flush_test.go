package workflows_test

import (
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// This file tests revision 3's lazy write (AssignmentRevision): an
// Update's commit is handed to the caller and kept pending in the
// workflow, which writes it itself in its next ordinary task. The SDK's
// test environment has no speculative workflow tasks, so what depends on
// them (no write inside an Update's task under a real server) is tested on
// the embedded server in internal/e2e (TestLazyCommitOnRealServer) and by
// fault tests R5 and R6.

// rawUpdate sends an Update at instant at whose result nobody writes: the
// API that sent it died before its own write.
func rawUpdate(env *testsuite.TestWorkflowEnvironment, start, at time.Time, name string, arg any) *updateResult {
	res := &updateResult{}
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

// savesOf returns the recorded saves of an event action.
func (r *recorder) savesOf(action string) []savedChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []savedChange
	for _, s := range r.saves {
		if s.in.Event != nil && s.in.Event.Action == action {
			out = append(out, s)
		}
	}
	return out
}

// TestLazyCommitWrittenByTheWorkflow: with nobody writing the Updates'
// results, the workflow writes each change itself, FlushAfter after the
// Update at the latest, exactly once, in order; the answer reaches the
// caller at once.
func TestLazyCommitWrittenByTheWorkflow(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 9, 9, 0) // a Monday
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x"})
	in.FlushAfter = 2 * time.Minute
	ack := rawUpdate(env, start, start.Add(time.Hour), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u"})
	rep := rawUpdate(env, start, start.Add(time.Hour+30*time.Second), wf.UpdateReport,
		wf.ReportInput{ReportID: "r1", UnitCode: "5001", Actor: "u", ItemNumber: 1, Text: "ok"})
	var mid []savedChange
	at(env, start, start.Add(time.Hour+time.Minute), func() { mid = r.savesOf("acknowledge") })
	at(env, start, start.Add(3*time.Hour), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบการทดสอบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !ack.done || ack.err != nil || ack.state.Status != models.AssignmentAcknowledged {
		t.Fatalf("acknowledge answered %+v", ack)
	}
	if !rep.done || rep.err != nil {
		t.Fatalf("report answered %+v", rep)
	}
	if len(mid) != 0 {
		t.Errorf("acknowledgement written by the workflow %s after the Update, want it pending until the flush", mid[0].at.Sub(start.Add(time.Hour)))
	}
	acks, reps := r.savesOf("acknowledge"), r.savesOf("report")
	if len(acks) != 1 || len(reps) != 1 {
		t.Fatalf("acknowledge written %d times, report %d times; want once each", len(acks), len(reps))
	}
	// Both pending commits go out together, when the first one's time is up.
	sameInstant(t, "acknowledgement written", acks[0].at, start.Add(time.Hour+2*time.Minute))
	sameInstant(t, "report written", reps[0].at, start.Add(time.Hour+2*time.Minute))
	if acks[0].in.Event.Seq >= reps[0].in.Event.Seq {
		t.Errorf("written out of order: acknowledge seq %d, report seq %d", acks[0].in.Event.Seq, reps[0].in.Event.Seq)
	}
	if n := len(r.notesOf(wf.NotifyReported, 1)); n != 1 {
		t.Errorf("%d 'reported' notifications written, want 1", n)
	}
	if w := r.savesOf("withdraw"); len(w) != 1 {
		t.Errorf("withdraw written %d times, want 1", len(w))
	} else {
		sameInstant(t, "withdrawal (a signal) written", w[0].at, start.Add(3*time.Hour))
	}
}

// TestLazyCommitFlushSignal: the API's write failed, so it signals; the
// workflow writes the pending commit at once instead of at FlushAfter.
// When the API's write succeeded, the workflow's later write changes
// nothing (one save recorded).
func TestLazyCommitFlushSignal(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x"})
	rawUpdate(env, start, start.Add(time.Hour), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u"})
	at(env, start, start.Add(time.Hour+5*time.Second), func() { env.SignalWorkflow(wf.SignalFlush, wf.FlushInput{}) })
	sendUpdate(env, start, start.Add(2*time.Hour), wf.UpdateReport,
		wf.ReportInput{ReportID: "r1", UnitCode: "5001", Actor: "u", ItemNumber: 1, Text: "ok"})
	var commitsBefore, commitsAfter int
	at(env, start, start.Add(2*time.Hour+time.Second), func() { commitsBefore = r.commitCount() })
	at(env, start, start.Add(2*time.Hour+2*time.Minute), func() { commitsAfter = r.commitCount() })
	at(env, start, start.Add(3*time.Hour), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบการทดสอบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	acks := r.savesOf("acknowledge")
	if len(acks) != 1 {
		t.Fatalf("acknowledge written %d times, want once", len(acks))
	}
	sameInstant(t, "acknowledgement written after the flush signal", acks[0].at, start.Add(time.Hour+5*time.Second))
	reps := r.savesOf("report")
	if len(reps) != 1 {
		t.Fatalf("report written %d times, want once (by the API; the workflow's write finds it there)", len(reps))
	}
	sameInstant(t, "report written by the API", reps[0].at, start.Add(2*time.Hour))
	if commitsAfter != commitsBefore+1 {
		t.Errorf("the workflow ran CommitAssignment %d times for the report within the flush window, want 1", commitsAfter-commitsBefore)
	}
}

// TestRevision2StillCommitsByActivity: an assignment started before
// revision 3 keeps writing each Update's change with a regular activity
// at once (the path its recorded history replays, testdata/v2-activity).
func TestRevision2StillCommitsByActivity(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x"})
	in.Revision = 2
	rawUpdate(env, start, start.Add(time.Hour), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u"})
	at(env, start, start.Add(3*time.Hour), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบการทดสอบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	acks := r.savesOf("acknowledge")
	if len(acks) != 1 {
		t.Fatalf("acknowledge written %d times, want once", len(acks))
	}
	sameInstant(t, "acknowledgement written by the activity", acks[0].at, start.Add(time.Hour))
}

func (r *recorder) commitCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commits
}
