package activities

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/models"
)

// Defaults of FanOut and SignalAssignments. A start or signal is one
// server round trip that mostly waits on the server's persistence, so many
// run at once: 32 starts 955 assignments about twice as fast as 8 did
// (api TestIssueMOILetterFansOut), 64 gains little more.
const (
	DefaultBatchSize   = 100
	DefaultConcurrency = 32
	// DefaultTaskQueue is used when Activities.TaskQueue is empty.
	DefaultTaskQueue = "tidtam"
)

// FanOutTarget is one workflow to start: its ID and the value placed
// under the input's TargetField.
type FanOutTarget struct {
	WorkflowID string `json:"workflow_id"`
	Target     JSON   `json:"target"`
}

// FanOutInput starts one workflow of WorkflowType per target. Every
// workflow's input is Base (a value that encodes as a JSON object) with
// TargetField set to the target's value, so the common part (items,
// policy, holidays) is carried once. AssignedBefore is how many units of the directive already had a
// workflow before this call; directives.units_assigned is written as
// AssignedBefore + started so far. BatchSize and Concurrency default to
// DefaultBatchSize and DefaultConcurrency.
type FanOutInput struct {
	DirectiveID    string         `json:"directive_id"`
	WorkflowType   string         `json:"workflow_type"`
	Base           JSON           `json:"base"`
	TargetField    string         `json:"target_field"`
	Targets        []FanOutTarget `json:"targets"`
	AssignedBefore int            `json:"assigned_before"`
	BatchSize      int            `json:"batch_size,omitempty"`
	Concurrency    int            `json:"concurrency,omitempty"`
}

// FanOutResult reports how many targets have a workflow (all of them on
// success) and from which target this attempt resumed.
type FanOutResult struct {
	Done        int `json:"done"`
	ResumedFrom int `json:"resumed_from"`
}

// Starter is the part of client.Client FanOut uses; tests substitute a
// fake.
type Starter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// Signaller is the part of client.Client SignalAssignments uses.
type Signaller interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// FanOut starts one workflow per target through the Temporal client, with
// conflict policy USE_EXISTING and reuse policy REJECT_DUPLICATE, so a
// target that already has a workflow (running or finished) is left alone
// and a retry never duplicates one. It works in batches: after each batch
// it writes units_assigned and heartbeats the number of targets done; a
// retried attempt resumes after the last heartbeated batch. It must run
// with a heartbeat timeout.
func (a *Activities) FanOut(ctx context.Context, in FanOutInput) (FanOutResult, error) {
	if a.Temporal == nil {
		return FanOutResult{}, invalid("FanOut: no Temporal client configured")
	}
	progress := func(ctx context.Context, done int) error {
		if a.DB == nil {
			return nil
		}
		return SetUnitsAssigned(ctx, a.DB, in.DirectiveID, in.AssignedBefore+done)
	}
	tq := a.TaskQueue
	if tq == "" {
		tq = DefaultTaskQueue
	}
	return fanOut(ctx, a.Temporal, tq, in, progress, heartbeater{})
}

// SetUnitsAssigned raises directives.units_assigned to n; it never lowers
// it, so batches reported late or twice are harmless.
func SetUnitsAssigned(ctx context.Context, db *gorm.DB, directiveID string, n int) error {
	return db.WithContext(ctx).Model(&models.Directive{}).
		Where("id = ? AND units_assigned < ?", directiveID, n).
		Updates(map[string]any{"units_assigned": n, "updated_at": time.Now().UTC()}).Error
}

// progressReporter abstracts activity heartbeats for tests.
type progressReporter interface {
	// resume returns the heartbeated progress of a previous attempt.
	resume(ctx context.Context) int
	// beat records progress.
	beat(ctx context.Context, done int)
}

type heartbeater struct{}

func (heartbeater) resume(ctx context.Context) int {
	var done int
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &done); err != nil {
			return 0
		}
	}
	return done
}

func (heartbeater) beat(ctx context.Context, done int) { activity.RecordHeartbeat(ctx, done) }

func fanOut(ctx context.Context, starter Starter, taskQueue string, in FanOutInput,
	progress func(context.Context, int) error, hb progressReporter) (FanOutResult, error) {
	if in.WorkflowType == "" || in.TargetField == "" {
		return FanOutResult{}, invalid("FanOut: workflow_type and target_field are required")
	}
	base := map[string]json.RawMessage{}
	if !in.Base.IsZero() {
		raw, err := in.Base.Bytes()
		if err == nil {
			err = json.Unmarshal(raw, &base)
		}
		if err != nil {
			return FanOutResult{}, invalid("FanOut: base is not a JSON object: " + err.Error())
		}
	}
	delete(base, in.TargetField)
	batch := in.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	conc := in.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	start := min(max(hb.resume(ctx), 0), len(in.Targets))
	res := FanOutResult{Done: start, ResumedFrom: start}
	for res.Done < len(in.Targets) {
		end := min(res.Done+batch, len(in.Targets))
		if err := startBatch(ctx, starter, taskQueue, in, base, in.Targets[res.Done:end], conc); err != nil {
			return res, err
		}
		res.Done = end
		if err := progress(ctx, res.Done); err != nil {
			return res, err
		}
		hb.beat(ctx, res.Done)
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	if len(in.Targets) == 0 {
		if err := progress(ctx, 0); err != nil {
			return res, err
		}
	}
	return res, nil
}

func startBatch(ctx context.Context, starter Starter, taskQueue string, in FanOutInput,
	base map[string]json.RawMessage, targets []FanOutTarget, conc int) error {
	sem := make(chan struct{}, conc)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for _, t := range targets {
		input := make(map[string]json.RawMessage, len(base)+1)
		for k, v := range base {
			input[k] = v
		}
		target, err := t.Target.Bytes()
		if err != nil {
			return invalid("FanOut: target " + t.WorkflowID + ": " + err.Error())
		}
		input[in.TargetField] = target
		arg, err := json.Marshal(input)
		if err != nil {
			return invalid("FanOut: target " + t.WorkflowID + ": " + err.Error())
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(id string, arg json.RawMessage) {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := starter.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID:                       id,
				TaskQueue:                taskQueue,
				WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			}, in.WorkflowType, arg)
			var already *serviceerror.WorkflowExecutionAlreadyStarted
			if err != nil && !errors.As(err, &already) {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(t.WorkflowID, arg)
	}
	wg.Wait()
	return firstErr
}

// SignalInput sends one signal with the same argument to many workflows.
type SignalInput struct {
	WorkflowIDs []string `json:"workflow_ids"`
	SignalName  string   `json:"signal_name"`
	Arg         JSON     `json:"arg"`
	Concurrency int      `json:"concurrency,omitempty"`
}

// SignalResult counts the workflows signalled and those that no longer run
// (finished workflows cannot be signalled and need nothing).
type SignalResult struct {
	Signalled int `json:"signalled"`
	Finished  int `json:"finished"`
}

// SignalAssignments signals every listed workflow (latest run), in batches
// of DefaultBatchSize with heartbeats, resuming after the last heartbeated
// batch when retried. The receiving workflows must treat a repeated signal
// as a no-op. A workflow that is not running is counted, not an error.
func (a *Activities) SignalAssignments(ctx context.Context, in SignalInput) (SignalResult, error) {
	if a.Temporal == nil {
		return SignalResult{}, invalid("SignalAssignments: no Temporal client configured")
	}
	return signalAll(ctx, a.Temporal, in, heartbeater{})
}

func signalAll(ctx context.Context, sig Signaller, in SignalInput, hb progressReporter) (SignalResult, error) {
	if in.SignalName == "" {
		return SignalResult{}, invalid("SignalAssignments: signal_name is required")
	}
	raw, err := in.Arg.Bytes()
	if err != nil {
		return SignalResult{}, invalid("SignalAssignments: arg: " + err.Error())
	}
	arg := json.RawMessage(raw)
	conc := in.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	var res SignalResult
	done := min(max(hb.resume(ctx), 0), len(in.WorkflowIDs))
	for done < len(in.WorkflowIDs) {
		end := min(done+DefaultBatchSize, len(in.WorkflowIDs))
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			firstErr error
		)
		sem := make(chan struct{}, conc)
		for _, id := range in.WorkflowIDs[done:end] {
			sem <- struct{}{}
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				defer func() { <-sem }()
				err := sig.SignalWorkflow(ctx, id, "", in.SignalName, arg)
				var nf *serviceerror.NotFound
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					res.Signalled++
				case errors.As(err, &nf):
					res.Finished++
				case firstErr == nil:
					firstErr = err
				}
			}(id)
		}
		wg.Wait()
		if firstErr != nil {
			return res, firstErr
		}
		done = end
		hb.beat(ctx, done)
	}
	return res, nil
}
