//go:build fault

package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/fixtures"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// r1Expected is what the letter must produce, computed from the reference
// data (not from tidtam's own target resolution): unit code → the item
// numbers of its assignment.
func r1Expected(t *testing.T) map[string][]int {
	t.Helper()
	pilots := map[string]bool{}
	for _, name := range fixtures.PilotProvinces {
		p, ok := refdata.ProvinceByName(name)
		if !ok {
			t.Fatalf("pilot province %q is not in refdata", name)
		}
		pilots[p.Code] = true
	}
	want := map[string][]int{}
	for _, p := range refdata.Provinces {
		if pilots[p.Code] {
			want[p.Code] = []int{1, 2, 3, 4, 5}
		} else {
			want[p.Code] = []int{2, 3, 4, 5}
		}
	}
	for _, d := range refdata.Districts() {
		if d.ProvinceCode != "10" { // Bangkok's เขต are not district centres (ศป.ปส.อ.)
			want[d.Code] = []int{2, 3, 4, 5}
		}
	}
	if len(want) != 77+878 {
		t.Fatalf("expected units from the reference data: %d, want 955 (77 provinces + 878 districts)", len(want))
	}
	return want
}

// r1KillPlan is one kill -9: when the directive's units_assigned (written by
// the FanOut activity after each batch of 100) reaches fraction of the
// total, kill the worker running the FanOut activity (holder) or the other
// one (which is running assignment workflow tasks and their database
// commits).
type r1KillPlan struct {
	fraction float64
	holder   bool
}

var r1Plan = []r1KillPlan{{0.10, true}, {0.40, false}, {0.70, true}}

// r1Kill records one kill for the report.
type r1Kill struct {
	worker        int // 1 or 2
	pid           int
	holder        bool
	fanOutAttempt int32
	at            time.Duration // since the POST
	unitsAssigned int
	rows          int64
	restartReady  time.Duration
}

// r1FanOutHolder returns the PID in the worker identity of the directive
// workflow's FanOut activity when it is running (identity "pid@host@queue",
// the SDK default tidtam keeps), and its attempt.
func r1FanOutHolder(ctx context.Context, tc client.Client, workflowID string) (pid int, attempt int32, ok bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	desc, err := tc.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return 0, 0, false, err
	}
	for _, pa := range desc.GetPendingActivities() {
		if pa.GetActivityType().GetName() != "FanOut" || pa.GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED {
			continue
		}
		head, _, _ := strings.Cut(pa.GetLastWorkerIdentity(), "@")
		if n, err := strconv.Atoi(head); err == nil {
			return n, pa.GetAttempt(), true, nil
		}
	}
	return 0, 0, false, nil
}

// r1FanOutRun is what the directive's history says about the FanOut
// activity once it completed.
type r1FanOutRun struct {
	attempt  int32
	identity string
	result   activities.FanOutResult
}

func r1FanOutHistory(ctx context.Context, t *testing.T, tc client.Client, workflowID string) r1FanOutRun {
	t.Helper()
	var run r1FanOutRun
	scheduled := map[int64]bool{}
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("reading the history of %s: %v", workflowID, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "FanOut" {
			scheduled[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			run.attempt, run.identity = a.GetAttempt(), a.GetIdentity()
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			if err := converter.GetDefaultDataConverter().FromPayloads(a.GetResult(), &run.result); err != nil {
				t.Fatalf("decoding the FanOut result: %v", err)
			}
		}
	}
	return run
}

// r1HistorySummary lists the first events of a workflow's history (type,
// time, and the worker identity where the event has one), to show in the
// log how a workflow's first task went when its row disagrees.
func r1HistorySummary(ctx context.Context, tc client.Client, workflowID string, limit int) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var parts []string
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() && len(parts) < limit {
		ev, err := it.Next()
		if err != nil {
			return strings.Join(append(parts, "error: "+err.Error()), ", ")
		}
		s := fmt.Sprintf("%d %s %s", ev.GetEventId(), strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_"),
			ev.GetEventTime().AsTime().UTC().Format("15:04:05.000"))
		if a := ev.GetWorkflowTaskStartedEventAttributes(); a != nil {
			s += " by " + a.GetIdentity()
		}
		if a := ev.GetWorkflowTaskTimedOutEventAttributes(); a != nil {
			s += " (" + a.GetTimeoutType().String() + ")"
		}
		if a := ev.GetWorkflowTaskFailedEventAttributes(); a != nil {
			s += " (" + a.GetCause().String() + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// r1ListWorkflows lists every execution (every run) matching query.
func r1ListWorkflows(ctx context.Context, tc client.Client, namespace, query string) ([]*workflowservice.ListWorkflowExecutionsResponse, int, error) {
	var pages []*workflowservice.ListWorkflowExecutionsResponse
	n := 0
	var token []byte
	for {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		resp, err := tc.ListWorkflow(c, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, PageSize: 1000, NextPageToken: token, Query: query,
		})
		cancel()
		if err != nil {
			return nil, 0, err
		}
		pages = append(pages, resp)
		n += len(resp.GetExecutions())
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			return pages, n, nil
		}
	}
}

// r1Row is an assignments row.
type r1Row struct {
	ID        string
	UnitCode  string
	Status    string
	Version   int64
	AckDueAt  time.Time
	CreatedAt time.Time
}

// r1ItemRow is an assignment_items row.
type r1ItemRow struct {
	AssignmentID string
	ItemNumber   int
	Cycle        int
	Status       string
	DueAt        *time.Time
	Version      int64
}

// r1SameTime compares a time read back from PostgreSQL (microseconds) with
// one from a workflow (nanoseconds).
func r1SameTime(db, wf time.Time) bool {
	return db.UTC().Truncate(time.Microsecond).Equal(wf.UTC().Truncate(time.Microsecond))
}

// r1Problems collects verification failures and reports the first few of
// each kind.
type r1Problems struct {
	mu    sync.Mutex
	kinds []string
	by    map[string][]string
}

func (p *r1Problems) add(kind, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.by == nil {
		p.by = map[string][]string{}
	}
	if _, ok := p.by[kind]; !ok {
		p.kinds = append(p.kinds, kind)
	}
	p.by[kind] = append(p.by[kind], fmt.Sprintf(format, args...))
}

func (p *r1Problems) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, list := range p.by {
		n += len(list)
	}
	return n
}

func (p *r1Problems) report(t *testing.T) {
	t.Helper()
	for _, k := range p.kinds {
		list := p.by[k]
		t.Errorf("%s: %d case(s), first %d: %s", k, len(list), min(len(list), 10), strings.Join(list[:min(len(list), 10)], "; "))
	}
}

// TestFaultR1WorkerKilledDuringFanOut is fault-injection scenario R1: the
// production topology (a Temporal server built from go.mod on PostgreSQL,
// `tidtam api` and two `tidtam worker` processes on a PostgreSQL app
// database), the MOI letter of 17 Dec 2567 issued to 955 units, and three
// kill -9 of a worker during the fan-out (at 10 %, 40 % and 70 % of it: the
// worker running the FanOut activity, then the other one, then the FanOut
// worker again), each followed at once by a restart as a supervisor would
// do. Afterwards every expected assignment must exist exactly once, as a
// database row with its items and as one running AssignmentWorkflow, and
// every row must agree with its workflow's state.
func TestFaultR1WorkerKilledDuringFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a Temporal server; skipped with -short")
	}
	testStart := time.Now()
	bin := binary(t)
	want := r1Expected(t)
	wantItems := 0
	for _, items := range want {
		wantItems += len(items)
	}

	const password = "e2e-FaultR1-pass-001"
	const namespace, taskQueue = topologyNamespace, topologyTaskQueue
	top := startTopologyServer(t, bin, "tidtam_r1_", password)
	pg, appDB, tidtamEnv, temporalAddr := top.pg, top.appDB, top.env, top.temporalAddr
	apiPort, workerMetrics := top.apiPort, top.workerMetrics
	runOnce := func(name string, args ...string) {
		t.Helper()
		p := testbin.Start(t, name, bin, tidtamEnv(), args...)
		exited, err := p.Wait(2 * time.Minute)
		switch {
		case !exited:
			t.Fatalf("%s did not finish within 2 minutes", name)
		case err != nil:
			t.Fatalf("%s failed: %v\n%s", name, err, p.Out.String())
		}
	}
	runOnce("tidtam migrate", "migrate")

	api := testbin.Start(t, "tidtam api", bin, tidtamEnv("TIDTAM_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(apiPort)), "api")
	workers := make([]*testbin.Process, 2)
	startWorker := func(i int, name string) {
		workers[i] = testbin.Start(t, name, bin,
			tidtamEnv("TIDTAM_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(workerMetrics[i])), "worker")
	}
	healthz := func(i int) string { return "http://127.0.0.1:" + strconv.Itoa(workerMetrics[i]) + "/healthz" }
	for i := range workers {
		startWorker(i, fmt.Sprintf("tidtam worker %d", i+1))
	}
	base := "http://127.0.0.1:" + strconv.Itoa(apiPort)
	api.WaitReady(t, base, 60*time.Second, readyPoll)
	for i, w := range workers {
		waitHTTP200(t, w, healthz(i), 60*time.Second)
	}
	tc := temporalClient(t, temporalAddr, namespace)
	waitPollers(t, tc, taskQueue, 2, 60*time.Second)

	db, err := store.Open(t.Context(), pg.databaseURL(appDB))
	if err != nil {
		t.Fatalf("opening the app database: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	var nDistricts int64
	if err := db.Model(&models.Unit{}).Where("type = ?", models.UnitDistrict).Count(&nDistricts).Error; err != nil || nDistricts != 928 {
		t.Fatalf("districts seeded by `tidtam migrate`: %d (%v), want 928", nDistricts, err)
	}

	admin := signIn(t, base, "admin", password)
	const secPassword = "e2e-FaultR1-sec-0001"
	if code := apiCall(t, http.MethodPost, base+"/api/v1/accounts", admin, map[string]any{
		"username": "r1sec", "password": secPassword, "role": models.RoleSecretariat, "unit_code": models.NationalUnitCode,
	}, nil); code != http.StatusCreated {
		t.Fatalf("creating the secretariat account answered %d, want 201", code)
	}
	sec := signIn(t, base, "r1sec", secPassword)
	setup := time.Since(testStart)

	// Issue the letter.
	var accepted struct {
		ID         string `json:"id"`
		WorkflowID string `json:"workflow_id"`
		UnitsTotal int    `json:"units_total"`
		Items      int    `json:"items"`
	}
	posted := time.Now()
	if code := apiCall(t, http.MethodPost, base+"/api/v1/directives", sec, fixtures.MOILetter("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", fixtures.PilotProvinces), &accepted); code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/directives answered %d, want 202", code)
	}
	acceptedIn := time.Since(posted)
	id, total := accepted.ID, accepted.UnitsTotal
	if total != len(want) || accepted.Items != 5 {
		t.Fatalf("the letter was accepted for %d units and %d items, want %d and 5", total, accepted.Items, len(want))
	}
	t.Logf("R1: directive %s issued to %d units (%d item assignments); 202 after %v; setup took %v",
		id, total, wantItems, acceptedIn.Round(time.Millisecond), setup.Round(time.Second))

	// Watch the fan-out and kill workers at the planned points.
	type sample struct {
		at       time.Duration
		assigned int
		rows     int64
	}
	poll := func(ctx context.Context) (sample, error) {
		var s sample
		s.at = time.Since(posted)
		var assigned []int
		if err := db.WithContext(ctx).Model(&models.Directive{}).Where("id = ?", id).Pluck("units_assigned", &assigned).Error; err != nil {
			return s, err
		}
		if len(assigned) == 1 {
			s.assigned = assigned[0]
		}
		err := db.WithContext(ctx).Model(&models.Assignment{}).Where("directive_id = ?", id).Count(&s.rows).Error
		return s, err
	}
	watchCtx, cancelWatch := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancelWatch()
	var (
		kills      []r1Kill
		curve      []sample // every change of units_assigned
		fanOutDone time.Duration
		rowsDone   time.Duration
		lastKilled = -1
		waitingLog bool
	)
	for fanOutDone == 0 || rowsDone == 0 {
		if watchCtx.Err() != nil {
			t.Fatalf("the fan-out did not finish within 8 minutes: %d kills done, progress %+v", len(kills), curve)
		}
		for i, w := range workers {
			if w.Exited() {
				t.Fatalf("tidtam worker %d exited by itself: %v", i+1, w.Err())
			}
		}
		s, err := poll(watchCtx)
		if err != nil {
			t.Fatalf("reading progress from the app database: %v", err)
		}
		if len(curve) == 0 || s.assigned != curve[len(curve)-1].assigned {
			curve = append(curve, s)
		}
		if fanOutDone == 0 && s.assigned >= total {
			fanOutDone = s.at
		}
		if rowsDone == 0 && s.rows >= int64(total) {
			rowsDone = s.at
		}
		if k := len(kills); k < len(r1Plan) {
			threshold := int(math.Ceil(r1Plan[k].fraction * float64(total)))
			if s.assigned >= total {
				t.Fatalf("the fan-out finished (units_assigned %d) before kill %d of %d (planned at %d units_assigned): too short to test",
					s.assigned, k+1, len(r1Plan), threshold)
			}
			if s.assigned >= threshold {
				holderPID, attempt, running, err := r1FanOutHolder(watchCtx, tc, accepted.WorkflowID)
				if err != nil {
					t.Fatalf("describing %s: %v", accepted.WorkflowID, err)
				}
				holder := -1
				for i, w := range workers {
					if running && w.Cmd.Process.Pid == holderPID {
						holder = i
					}
				}
				victim := -1
				switch {
				case r1Plan[k].holder:
					victim = holder // -1 while no live worker runs FanOut: wait
				case holder >= 0:
					victim = 1 - holder
				default:
					victim = (lastKilled + 1) % len(workers)
				}
				if victim < 0 {
					if !waitingLog {
						t.Logf("R1: kill %d due at units_assigned %d, waiting for FanOut to run on a live worker", k+1, s.assigned)
						waitingLog = true
					}
				} else {
					waitingLog = false
					w := workers[victim]
					kill := r1Kill{worker: victim + 1, pid: w.Cmd.Process.Pid, holder: victim == holder, fanOutAttempt: attempt,
						at: time.Since(posted), unitsAssigned: s.assigned, rows: s.rows}
					w.Kill()
					if st, ok := w.Cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() || st.Signal() != syscall.SIGKILL {
						t.Fatalf("tidtam worker %d ended with %v before SIGKILL reached it", victim+1, w.Err())
					}
					lastKilled = victim
					restarted := time.Now()
					startWorker(victim, fmt.Sprintf("tidtam worker %d (restart %d)", victim+1, k+1))
					waitHTTP200(t, workers[victim], healthz(victim), 60*time.Second)
					kill.restartReady = time.Since(restarted)
					kills = append(kills, kill)
					role := "the other worker (assignment workflow tasks)"
					if kill.holder {
						role = fmt.Sprintf("the worker running FanOut (attempt %d)", attempt)
					}
					t.Logf("R1: kill -9 #%d at +%v: worker %d (pid %d), %s; units_assigned %d/%d, assignment rows %d; restarted, /healthz after %v",
						k+1, kill.at.Round(100*time.Millisecond), kill.worker, kill.pid, role, s.assigned, total, s.rows,
						kill.restartReady.Round(100*time.Millisecond))
					continue
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancelWatch()
	for _, s := range curve {
		t.Logf("R1: progress +%6.1fs units_assigned %4d, assignment rows %4d", s.at.Seconds(), s.assigned, s.rows)
	}
	t.Logf("R1: fan-out done (units_assigned = %d) at +%v; all %d assignment rows at +%v",
		total, fanOutDone.Round(100*time.Millisecond), total, rowsDone.Round(100*time.Millisecond))

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	// The directive workflow finished its fan-out.
	var prog workflows.DirectiveProgress
	if v, err := tc.QueryWorkflow(ctx, accepted.WorkflowID, "", workflows.QueryProgress); err != nil {
		t.Fatalf("querying %s: %v", accepted.WorkflowID, err)
	} else if err := v.Get(&prog); err != nil {
		t.Fatal(err)
	}
	if !prog.FanOutDone || prog.UnitsAssigned != total || prog.UnitsTotal != total || prog.Status != models.DirectiveIssued {
		t.Errorf("directive workflow progress: fan_out_done %v, units %d/%d, status %s; want done, %d/%d, issued",
			prog.FanOutDone, prog.UnitsAssigned, prog.UnitsTotal, prog.Status, total, total)
	}
	fo := r1FanOutHistory(ctx, t, tc, accepted.WorkflowID)
	t.Logf("R1: FanOut activity completed on attempt %d (by %s), resumed from target %d, done %d",
		fo.attempt, fo.identity, fo.result.ResumedFrom, fo.result.Done)
	if fo.result.Done != total {
		t.Errorf("the FanOut activity reports %d targets done, want %d", fo.result.Done, total)
	}
	holderKills := 0
	for _, k := range kills {
		if k.holder {
			holderKills++
		}
	}
	if int(fo.attempt) < holderKills+1 {
		t.Errorf("FanOut completed on attempt %d although its worker was killed %d times", fo.attempt, holderKills)
	}

	// Item rows are written with their assignment row; wait for the last.
	itemsQ := func() int64 {
		var n int64
		if err := db.WithContext(ctx).Model(&models.AssignmentItem{}).Where("assignment_id LIKE ?", "assignment/"+id+"/%").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for n := itemsQ(); n < int64(wantItems); n = itemsQ() {
		if ctx.Err() != nil {
			t.Fatalf("item rows: %d, want %d", n, wantItems)
		}
		time.Sleep(200 * time.Millisecond)
	}
	verifyStart := time.Now()
	var problems r1Problems

	// ---- the database ----
	var dirRow models.Directive
	if err := db.WithContext(ctx).Where("id = ?", id).First(&dirRow).Error; err != nil {
		t.Fatal(err)
	}
	if dirRow.UnitsTotal != total || dirRow.UnitsAssigned != total || dirRow.Status != models.DirectiveIssued {
		problems.add("directive row", "units %d/%d, status %s; want %d/%d, issued", dirRow.UnitsAssigned, dirRow.UnitsTotal, dirRow.Status, total, total)
	}
	var rows []r1Row
	if err := db.WithContext(ctx).Raw(`SELECT id, unit_code, status, version, ack_due_at, created_at FROM assignments WHERE directive_id = ?`, id).
		Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	byUnit := map[string]r1Row{}
	byID := map[string]r1Row{}
	for _, r := range rows {
		if _, dup := byUnit[r.UnitCode]; dup {
			problems.add("duplicate assignment row", "unit %s", r.UnitCode)
		}
		byUnit[r.UnitCode] = r
		byID[r.ID] = r
		if _, ok := want[r.UnitCode]; !ok {
			problems.add("unexpected assignment row", "unit %s", r.UnitCode)
		}
		if r.ID != workflows.AssignmentWorkflowID(id, r.UnitCode) {
			problems.add("assignment id", "row %s for unit %s", r.ID, r.UnitCode)
		}
	}
	for code := range want {
		if _, ok := byUnit[code]; !ok {
			problems.add("missing assignment row", "unit %s", code)
		}
	}
	var dups []struct {
		UnitCode string
		N        int
	}
	if err := db.WithContext(ctx).Raw(`SELECT unit_code, count(*) AS n FROM assignments WHERE directive_id = ? GROUP BY unit_code HAVING count(*) > 1`, id).
		Scan(&dups).Error; err != nil {
		t.Fatal(err)
	}
	for _, d := range dups {
		problems.add("duplicate assignment row (SQL)", "unit %s × %d", d.UnitCode, d.N)
	}

	var itemRows []r1ItemRow
	if err := db.WithContext(ctx).Raw(`SELECT assignment_id, item_number, cycle, status, due_at, version FROM assignment_items WHERE assignment_id LIKE ?`,
		"assignment/"+id+"/%").Scan(&itemRows).Error; err != nil {
		t.Fatal(err)
	}
	itemsOf := map[string][]r1ItemRow{}
	for _, it := range itemRows {
		if _, ok := byID[it.AssignmentID]; !ok {
			problems.add("item row without assignment", "%s item %d", it.AssignmentID, it.ItemNumber)
		}
		itemsOf[it.AssignmentID] = append(itemsOf[it.AssignmentID], it)
	}
	if len(itemRows) != wantItems {
		problems.add("item rows", "%d, want %d", len(itemRows), wantItems)
	}
	for code, nums := range want {
		aid := workflows.AssignmentWorkflowID(id, code)
		var got []int
		for _, it := range itemsOf[aid] {
			got = append(got, it.ItemNumber)
			if it.Cycle != 1 {
				problems.add("item cycle", "%s item %d cycle %d, want 1", aid, it.ItemNumber, it.Cycle)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, nums) {
			problems.add("items of an assignment", "%s has items %v, want %v", aid, got, nums)
		}
	}

	// Exactly one "assign" event and one "assigned" notification per
	// assignment: the kills must not have committed a start twice.
	type perAssignment struct {
		AssignmentID string
		N            int
	}
	var events []perAssignment
	if err := db.WithContext(ctx).Raw(`SELECT assignment_id, count(*) AS n FROM assignment_events WHERE assignment_id LIKE ? GROUP BY assignment_id`,
		"assignment/"+id+"/%").Scan(&events).Error; err != nil {
		t.Fatal(err)
	}
	nEvents := 0
	for _, e := range events {
		nEvents += e.N
		if e.N != 1 {
			problems.add("assignment events", "%s has %d events, want 1 (assign)", e.AssignmentID, e.N)
		}
	}
	if len(events) != total {
		problems.add("assignment events", "%d assignments have events, want %d", len(events), total)
	}
	var nNotes int64
	if err := db.WithContext(ctx).Model(&models.Notification{}).Where("id LIKE ? AND kind = ?", "assignment/"+id+"/%", workflows.NotifyAssigned).
		Count(&nNotes).Error; err != nil {
		t.Fatal(err)
	}
	if nNotes != int64(total) {
		problems.add("assigned notifications", "%d, want %d (one per assignment)", nNotes, total)
	}

	// ---- Temporal ----
	query := fmt.Sprintf("WorkflowType = '%s'", workflows.AssignmentWorkflowType)
	var (
		pages     []*workflowservice.ListWorkflowExecutionsResponse
		listed    int
		visibleIn time.Duration
	)
	for {
		pages, listed, err = r1ListWorkflows(ctx, tc, namespace, query)
		if err != nil {
			t.Fatalf("listing workflows (%s): %v", query, err)
		}
		if listed >= total || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Second)
	}
	visibleIn = time.Since(verifyStart)
	runs := map[string]int{}
	for _, page := range pages {
		for _, ex := range page.GetExecutions() {
			wid := ex.GetExecution().GetWorkflowId()
			runs[wid]++
			if _, ok := byID[wid]; !ok {
				problems.add("workflow without row", "%s (%s)", wid, ex.GetStatus())
			}
			if ex.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				problems.add("workflow not running", "%s is %s", wid, ex.GetStatus())
			}
		}
	}
	for wid, n := range runs {
		if n != 1 {
			problems.add("workflow started more than once", "%s has %d runs", wid, n)
		}
	}
	for _, r := range rows {
		if runs[r.ID] == 0 {
			problems.add("row without workflow", "%s", r.ID)
		}
	}
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	count, err := tc.CountWorkflow(cctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
	ccancel()
	if err != nil {
		t.Fatalf("counting workflows (%s): %v", query, err)
	}
	if count.GetCount() != int64(total) || listed != total {
		problems.add("AssignmentWorkflow executions", "CountWorkflow %d, ListWorkflow %d, want %d", count.GetCount(), listed, total)
	}
	_, nDirectiveRuns, err := r1ListWorkflows(ctx, tc, namespace, fmt.Sprintf("WorkflowType = '%s'", workflows.DirectiveWorkflowType))
	if err != nil {
		t.Fatal(err)
	}
	if nDirectiveRuns != 1 {
		problems.add("DirectiveWorkflow executions", "%d, want 1", nDirectiveRuns)
	}

	// Every workflow's own state against its row.
	queryStart := time.Now()
	var assignedAtSkew []time.Duration
	var skewed []r1Row
	var skewMu sync.Mutex
	ids := make(chan r1Row)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for r := range ids {
				qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
				v, err := tc.QueryWorkflow(qctx, r.ID, "", workflows.QueryState)
				var st workflows.AssignmentState
				if err == nil {
					err = v.Get(&st)
				}
				qcancel()
				if err != nil {
					problems.add("state query", "%s: %v", r.ID, err)
					continue
				}
				if string(st.Status) != r.Status || st.Seq != r.Version || st.UnitCode != r.UnitCode {
					problems.add("row differs from workflow", "%s: row %s v%d, workflow %s seq %d", r.ID, r.Status, r.Version, st.Status, st.Seq)
				}
				if !r1SameTime(r.AckDueAt, st.AckDueAt) {
					problems.add("ack_due_at differs", "%s: row %s, workflow %s", r.ID, r.AckDueAt.UTC().Format(time.RFC3339Nano), st.AckDueAt.UTC().Format(time.RFC3339Nano))
				}
				if !r1SameTime(r.CreatedAt, st.AssignedAt) {
					skewMu.Lock()
					assignedAtSkew = append(assignedAtSkew, st.AssignedAt.Sub(r.CreatedAt))
					skewed = append(skewed, r)
					skewMu.Unlock()
					problems.add("created_at differs from the workflow's assigned_at", "%s: row %s, workflow %s",
						r.ID, r.CreatedAt.UTC().Format(time.RFC3339Nano), st.AssignedAt.UTC().Format(time.RFC3339Nano))
				}
				dbItems := itemsOf[r.ID]
				if len(st.Items) != len(dbItems) {
					problems.add("item count differs", "%s: %d rows, %d in the workflow", r.ID, len(dbItems), len(st.Items))
					continue
				}
				for _, si := range st.Items {
					i := slices.IndexFunc(dbItems, func(x r1ItemRow) bool { return x.ItemNumber == si.Number && x.Cycle == si.Cycle })
					if i < 0 {
						problems.add("item differs", "%s: item %d cycle %d has no row", r.ID, si.Number, si.Cycle)
						continue
					}
					di := dbItems[i]
					sameDue := (di.DueAt == nil) == (si.DueAt == nil) && (di.DueAt == nil || r1SameTime(*di.DueAt, *si.DueAt))
					if di.Status != string(si.Status) || !sameDue {
						problems.add("item differs", "%s item %d: row %s due %v, workflow %s due %v", r.ID, si.Number, di.Status, di.DueAt, si.Status, si.DueAt)
					}
				}
			}
		})
	}
	for _, r := range rows {
		ids <- r
	}
	close(ids)
	wg.Wait()
	queried := time.Since(queryStart)

	// The API's view agrees too.
	var view struct {
		UnitsTotal    int `json:"units_total"`
		UnitsAssigned int `json:"units_assigned"`
		Progress      struct {
			Units           int64 `json:"units"`
			ItemAssignments int64 `json:"item_assignments"`
		} `json:"progress"`
	}
	if code := apiCall(t, http.MethodGet, base+"/api/v1/directives/"+id, sec, nil, &view); code != http.StatusOK {
		t.Fatalf("GET /api/v1/directives/%s answered %d", id, code)
	}
	if view.UnitsTotal != total || view.UnitsAssigned != total || view.Progress.Units != int64(total) || view.Progress.ItemAssignments != int64(wantItems) {
		problems.add("API view", "%+v; want %d units assigned, %d item assignments", view, total, wantItems)
	}

	problems.report(t)
	holderNote := []string{}
	for i, k := range kills {
		role := "other"
		if k.holder {
			role = "FanOut"
		}
		holderNote = append(holderNote, fmt.Sprintf("#%d %s worker at %d/%d units_assigned (%.0f%%), %d rows, +%.1fs",
			i+1, role, k.unitsAssigned, total, 100*float64(k.unitsAssigned)/float64(total), k.rows, k.at.Seconds()))
	}
	t.Logf("R1: kills: %s", strings.Join(holderNote, "; "))
	if len(assignedAtSkew) > 0 {
		slices.Sort(assignedAtSkew)
		t.Logf("R1: %d assignments whose row created_at differs from the workflow's assigned_at (skew %v … %v)",
			len(assignedAtSkew), assignedAtSkew[0], assignedAtSkew[len(assignedAtSkew)-1])
		for _, r := range skewed[:min(len(skewed), 3)] {
			var ev struct {
				At    time.Time
				After string
			}
			_ = db.WithContext(ctx).Raw(`SELECT at, after FROM assignment_events WHERE id = ?`, r.ID+"/e/1").Scan(&ev).Error
			t.Logf("R1: %s: row created_at %s, assign event at %s; history: %s", r.ID,
				r.CreatedAt.UTC().Format("15:04:05.000000"), ev.At.UTC().Format("15:04:05.000000"), r1HistorySummary(ctx, tc, r.ID, 12))
		}
	}
	t.Logf("R1: verified: %d assignment rows (%d distinct units, expected %d), %d item rows (expected %d), %d assign events, %d assigned notifications; "+
		"Temporal: %d AssignmentWorkflow executions listed (%d distinct IDs, CountWorkflow %d, visible after %v), %d DirectiveWorkflow run; "+
		"%d state queries in %v compared with the rows; %d problem(s) in all",
		len(rows), len(byUnit), len(want), len(itemRows), wantItems, nEvents, nNotes,
		listed, len(runs), count.GetCount(), visibleIn.Round(100*time.Millisecond), nDirectiveRuns,
		len(rows), queried.Round(100*time.Millisecond), problems.count())
	t.Logf("R1: whole test %v (setup %v, fan-out with kills %v)", time.Since(testStart).Round(time.Second), setup.Round(time.Second),
		rowsDone.Round(100*time.Millisecond))
}
