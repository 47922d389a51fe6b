package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// bkk builds a Bangkok instant.
func bkk(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, thaidate.Bangkok)
}

func date(y int, m time.Month, d int) thaidate.Date { return thaidate.Date{Year: y, Month: m, Day: d} }

// holidays returns the shipped holiday dates; years limits it (none: all).
func holidays(t testing.TB, years ...int) []string {
	t.Helper()
	var out []string
	for _, h := range refdata.Holidays() {
		if len(years) == 0 {
			out = append(out, h.Date)
			continue
		}
		for _, y := range years {
			if strings.HasPrefix(h.Date, itoa(y)+"-") {
				out = append(out, h.Date)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no holidays read")
	}
	return out
}

var jsonMarshal = json.Marshal

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// isWorkingDay is an independent oracle (not the workdays package).
func isWorkingDay(hols []string, d time.Time) bool {
	if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		return false
	}
	iso := d.Format("2006-01-02")
	for _, h := range hols {
		if h == iso {
			return false
		}
	}
	return true
}

type sentNote struct {
	at time.Time
	in activities.NotificationInput
}

type savedChange struct {
	at time.Time
	in activities.SaveAssignmentInput
}

// recorder stands in for the database: it records every activity call at
// the test clock's time.
type recorder struct {
	mu          sync.Mutex
	env         *testsuite.TestWorkflowEnvironment
	notes       []sentNote
	commits     int // CommitAssignment calls
	failCommits int // how many CommitAssignment calls fail before one succeeds
	saves       []savedChange
	escs        []activities.RecordEscalationInput
	loads       [][]int
	holidays    []string      // what LoadHolidays answers from
	loadDelay   time.Duration // how long LoadHolidays takes (test clock)
	persisted   []activities.PersistDirectiveInput
	fanouts     []activities.FanOutInput
	signals     []activities.SignalInput
	events      map[string]bool // event IDs written
}

func newEnv(t *testing.T, start time.Time, hols []string) (*testsuite.TestWorkflowEnvironment, *recorder) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(30 * time.Second)
	wf.Register(env, wf.Activities{Directives: &activities.Activities{}})
	r := &recorder{env: env, holidays: hols}
	var a *activities.Activities
	env.OnActivity(a.CommitAssignment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CommitAssignmentInput) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.commits++
			if r.failCommits > 0 {
				r.failCommits--
				return errors.New("database is down")
			}
			r.write(in)
			return nil
		}).Maybe()
	recorders.Store(env, r)
	env.OnActivity(a.LoadHolidays, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.LoadHolidaysInput) (activities.LoadHolidaysResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.loads = append(r.loads, in.Years)
			out := activities.LoadHolidaysResult{Holidays: []string{}, Years: []int{}}
			for _, y := range in.Years {
				found := false
				for _, h := range r.holidays {
					if strings.HasPrefix(h, itoa(y)+"-") {
						out.Holidays = append(out.Holidays, h)
						found = true
					}
				}
				if found {
					out.Years = append(out.Years, y)
				}
			}
			return out, nil
		}).AfterFn(func() time.Duration { return r.loadDelay }).Maybe()
	env.OnActivity(a.PersistDirective, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PersistDirectiveInput) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.persisted = append(r.persisted, in)
			return nil
		}).Maybe()
	env.OnActivity(a.FanOut, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FanOutInput) (activities.FanOutResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.fanouts = append(r.fanouts, in)
			return activities.FanOutResult{Done: len(in.Targets)}, nil
		}).Maybe()
	env.OnActivity(a.SignalAssignments, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SignalInput) (activities.SignalResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.signals = append(r.signals, in)
			return activities.SignalResult{Signalled: len(in.WorkflowIDs)}, nil
		}).Maybe()
	return env, r
}

// recorders maps each test environment to its recorder, for sendUpdate to
// write a completed Update's commit as the API does.
var recorders sync.Map

// write records commit in as written, unless its event was written before
// (as activities.WriteAssignmentCommit skips a change whose event row
// exists: the API and the workflow write the same commit). The caller
// holds r.mu.
func (r *recorder) write(in activities.CommitAssignmentInput) {
	if in.Event != nil {
		if r.events == nil {
			r.events = map[string]bool{}
		}
		if r.events[in.Event.ID] {
			return
		}
		r.events[in.Event.ID] = true
	}
	save, esc := splitCommit(in)
	r.saves = append(r.saves, savedChange{r.env.Now(), save})
	if len(esc.Open)+len(esc.Actions)+len(esc.Close) > 0 {
		r.escs = append(r.escs, esc)
	}
	for _, n := range in.Notifications {
		r.notes = append(r.notes, sentNote{r.env.Now(), n})
	}
}

// splitCommit renders what CommitAssignment writes as the inputs of the
// separate activities (the JSON columns filled in as the activity does).
func splitCommit(in activities.CommitAssignmentInput) (activities.SaveAssignmentInput, activities.RecordEscalationInput) {
	save := activities.SaveAssignmentInput{Assignment: in.Assignment, Items: in.Items}
	for _, rp := range in.Reports {
		row := rp.Report
		if !rp.EvidenceFiles.IsZero() {
			row.Evidence = rp.EvidenceFiles.String()
		}
		save.Reports = append(save.Reports, row)
	}
	if in.Event != nil {
		ev := in.Event.AssignmentEvent
		if !in.Event.BeforeView.IsZero() {
			ev.Before = in.Event.BeforeView.String()
		}
		ev.After = in.Event.AfterView.String()
		save.Event = &ev
	}
	esc := activities.RecordEscalationInput{Actions: in.EscalationActions, Close: in.CloseEscalations}
	for _, o := range in.OpenEscalations {
		e := o.Escalation
		e.Recipients = activities.JSONOf(o.To).String()
		esc.Open = append(esc.Open, e)
	}
	return save, esc
}

// raw is the JSON text of an activity's JSON value.
func raw(t *testing.T, v activities.JSON) []byte {
	t.Helper()
	b, err := v.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// notesOf returns the notifications of a kind (and item, when item > 0).
func (r *recorder) notesOf(kind string, item int) []sentNote {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentNote
	for _, n := range r.notes {
		if n.in.Kind == kind && (item == 0 || n.in.Data["item"] == itoa(item)) {
			out = append(out, n)
		}
	}
	return out
}

func (r *recorder) saveCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.saves)
}

func (r *recorder) openedEscalations() []models.Escalation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []models.Escalation
	for _, e := range r.escs {
		out = append(out, e.Open...)
	}
	return out
}

func (r *recorder) closedEscalations() []activities.EscalationClose {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []activities.EscalationClose
	for _, e := range r.escs {
		out = append(out, e.Close...)
	}
	return out
}

// updateResult receives the outcome of an update sent from a delayed
// callback.
type updateResult struct {
	done     bool
	rejected error
	err      error
	state    wf.AssignmentState
	progress wf.DirectiveProgress
}

// sendUpdate schedules an update at instant at (relative to the env's
// start time start).
func sendUpdate(env *testsuite.TestWorkflowEnvironment, start, at time.Time, name string, arg any) *updateResult {
	res := &updateResult{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { res.rejected = err; res.done = true },
			OnComplete: func(v any, err error) {
				res.done = true
				res.err = err
				decodeInto(v, &res.state)
				decodeInto(v, &res.progress)
				// As the API does: write the commit the Update hands back.
				var out wf.AssignmentUpdateResult
				decodeInto(v, &out)
				if r, ok := recorders.Load(env); ok && err == nil && out.Commit != nil {
					r := r.(*recorder)
					r.mu.Lock()
					r.write(*out.Commit)
					r.mu.Unlock()
				}
			},
		}, arg)
	}, at.Sub(start))
	return res
}

func decodeInto(v any, out any) {
	if v == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	_ = json.Unmarshal(b, out)
}

// queryState reads the assignment state through the query.
func queryState(t *testing.T, env *testsuite.TestWorkflowEnvironment) wf.AssignmentState {
	t.Helper()
	v, err := env.QueryWorkflow(wf.QueryState)
	if err != nil {
		t.Fatalf("query state: %v", err)
	}
	var s wf.AssignmentState
	if err := v.Get(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func item(s wf.AssignmentState, number, cycle int) wf.ItemState {
	for _, it := range s.Items {
		if it.Number == number && it.Cycle == cycle {
			return it
		}
	}
	return wf.ItemState{}
}

func at(env *testsuite.TestWorkflowEnvironment, start, when time.Time, fn func()) {
	env.RegisterDelayedCallback(fn, when.Sub(start))
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s at %s, want %s", what, got.In(thaidate.Bangkok).Format(time.RFC3339), want.In(thaidate.Bangkok).Format(time.RFC3339))
	}
}
