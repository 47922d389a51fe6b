package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// fakeStarter records starts; it fails once on the workflow IDs in failOnce
// and answers "already started" for those in existing.
type fakeStarter struct {
	mu       sync.Mutex
	started  []string
	inputs   map[string]map[string]json.RawMessage
	failOnce map[string]bool
	existing map[string]bool
	opts     []client.StartWorkflowOptions
}

func (f *fakeStarter) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOnce[o.ID] {
		delete(f.failOnce, o.ID)
		return nil, errors.New("frontend unavailable")
	}
	f.opts = append(f.opts, o)
	if f.existing[o.ID] {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("exists", "", "")
	}
	if slices.Contains(f.started, o.ID) {
		return nil, nil // USE_EXISTING: the running workflow is returned
	}
	f.started = append(f.started, o.ID)
	if wf != "AssignmentWorkflow" || len(args) != 1 {
		return nil, fmt.Errorf("unexpected call %v %d", wf, len(args))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(args[0].(json.RawMessage), &m); err != nil {
		return nil, err
	}
	if f.inputs == nil {
		f.inputs = map[string]map[string]json.RawMessage{}
	}
	f.inputs[o.ID] = m
	return nil, nil
}

// fakeBeats stands in for activity heartbeats: resume returns what the
// previous attempt recorded.
type fakeBeats struct {
	last  int
	beats []int
}

func (b *fakeBeats) resume(context.Context) int { return b.last }
func (b *fakeBeats) beat(_ context.Context, done int) {
	b.last = done
	b.beats = append(b.beats, done)
}

func fanInput(n int) FanOutInput {
	in := FanOutInput{DirectiveID: "ONCB-1", WorkflowType: "AssignmentWorkflow", TargetField: "target",
		Base: JSONOf(json.RawMessage(`{"directive":{"id":"ONCB-1"},"items":[{"number":1}],"target":{"unit_code":"stale"}}`)), BatchSize: 4, Concurrency: 3}
	for i := 0; i < n; i++ {
		unit := fmt.Sprintf("%04d", 5001+i)
		in.Targets = append(in.Targets, FanOutTarget{WorkflowID: "assignment/ONCB-1/" + unit, Target: JSONOf(json.RawMessage(`{"unit_code":"` + unit + `"}`))})
	}
	return in
}

// TestFanOutBatchesAndResumes: ten targets in batches of four; the third
// batch fails once; the retry resumes after the heartbeated eight, and
// units_assigned only grows.
func TestFanOutBatchesAndResumes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &Activities{DB: db}
		d := directive("ONCB-1")
		d.Directive.UnitsTotal = 12
		if err := a.PersistDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		in := fanInput(10)
		in.AssignedBefore = 2
		starter := &fakeStarter{failOnce: map[string]bool{"assignment/ONCB-1/5010": true}, existing: map[string]bool{"assignment/ONCB-1/5002": true}}
		beats := &fakeBeats{}
		var progress []int
		report := func(ctx context.Context, n int) error {
			progress = append(progress, n)
			return SetUnitsAssigned(ctx, db, "ONCB-1", in.AssignedBefore+n)
		}
		_, err := fanOut(ctx, starter, "tidtam", in, report, beats)
		if err == nil {
			t.Fatal("first attempt should fail on 5010")
		}
		if !slices.Equal(beats.beats, []int{4, 8}) {
			t.Errorf("heartbeats %v, want [4 8]", beats.beats)
		}
		res, err := fanOut(ctx, starter, "tidtam", in, report, beats)
		if err != nil {
			t.Fatal(err)
		}
		if res.ResumedFrom != 8 || res.Done != 10 {
			t.Errorf("result %+v", res)
		}
		if !slices.Equal(progress, []int{4, 8, 10}) {
			t.Errorf("progress %v", progress)
		}
		// Every target has exactly one workflow (5002 already had one);
		// the failed batch was started again, which USE_EXISTING absorbs.
		if len(starter.started) != 9 || slices.Contains(starter.started, "assignment/ONCB-1/5002") {
			t.Errorf("started %v", starter.started)
		}
		calls := 0
		for _, o := range starter.opts {
			if o.ID == "assignment/ONCB-1/5009" {
				calls++
			}
		}
		if calls != 2 {
			t.Errorf("5009 started %d times; the failed batch should be retried whole", calls)
		}
		for _, o := range starter.opts {
			if o.WorkflowIDConflictPolicy != enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
				o.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE || o.TaskQueue != "tidtam" {
				t.Errorf("options %+v", o)
			}
		}
		// Inputs: base plus this unit's target.
		m := starter.inputs["assignment/ONCB-1/5007"]
		if string(m["target"]) != `{"unit_code":"5007"}` || string(m["items"]) != `[{"number":1}]` {
			t.Errorf("input %v", m)
		}
		var got models.Directive
		if err := db.Take(&got, "id = ?", "ONCB-1").Error; err != nil {
			t.Fatal(err)
		}
		if got.UnitsAssigned != 12 {
			t.Errorf("units_assigned %d, want 12", got.UnitsAssigned)
		}
		// A late, lower report does not lower it.
		if err := SetUnitsAssigned(ctx, db, "ONCB-1", 5); err != nil {
			t.Fatal(err)
		}
		if err := db.Take(&got, "id = ?", "ONCB-1").Error; err != nil || got.UnitsAssigned != 12 {
			t.Errorf("units_assigned lowered to %d (%v)", got.UnitsAssigned, err)
		}
	})
}

type fakeSignaller struct {
	mu       sync.Mutex
	got      []string
	finished map[string]bool
}

func (f *fakeSignaller) SignalWorkflow(_ context.Context, id, runID, name string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished[id] {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	if name != "withdraw" || string(arg.(json.RawMessage)) != `{"reason":"x"}` || runID != "" {
		return fmt.Errorf("unexpected signal %s %s", name, arg)
	}
	f.got = append(f.got, id)
	return nil
}

func TestSignalAllCountsFinished(t *testing.T) {
	sig := &fakeSignaller{finished: map[string]bool{"b": true}}
	res, err := signalAll(ctx, sig, SignalInput{WorkflowIDs: []string{"a", "b", "c"}, SignalName: "withdraw", Arg: JSONOf(json.RawMessage(`{"reason":"x"}`))}, &fakeBeats{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Signalled != 2 || res.Finished != 1 || len(sig.got) != 2 {
		t.Errorf("result %+v, signalled %v", res, sig.got)
	}
}
