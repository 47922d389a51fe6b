//go:build fault

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// TestFaultR6KillBetweenUpdateAndFlush (R6, issue #16): since assignment
// revision 3 an Update's change reaches the app database first through the
// API, which writes the commit the completed Update hands back, and only
// later through the workflow, which keeps the commit pending and writes it
// in its next ordinary task (at the latest workflows.DefaultFlushAfter
// after the Update). Here the API dies in between: the test plays the API,
// sends acknowledge Updates to the real embedded server itself and never
// writes their commits, then kills `tidtam serve` with SIGKILL and starts
// it again on the same data. It checks, on SQLite and on PostgreSQL:
//
//   - the workflow did not write inside the Update's task (the row is still
//     unacknowledged right after the Update: a write there could be a
//     phantom, fault test R5);
//   - after the restart the workflow writes each change exactly once (row,
//     event, audit entry), and the database agrees with the workflow's state;
//   - an acknowledgement made through the API after the restart is recorded
//     at once and once, though the workflow writes it again later.
func TestFaultR6KillBetweenUpdateAndFlush(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { r6KillBetweenUpdateAndFlush(t, "") })
	t.Run("postgres", func(t *testing.T) {
		pg := testPostgres(t)
		name := fmt.Sprintf("tidtam_r6_%d", time.Now().UnixNano())
		createDatabase(t, pg, name)
		r6KillBetweenUpdateAndFlush(t, pg.databaseURL(name))
	})
}

func r6KillBetweenUpdateAndFlush(t *testing.T, dbURL string) {
	e := r45Serve(t, dbURL)
	units := e.provinces(t, 4)
	users, tokens := e.unitAccounts(t, units)
	dir := e.issue(t, "ที่ มท ๐๓๑๑.๓/ว R6 "+r45Kind(dbURL), units)
	tc := temporalClient(t, e.temporal, "tidtam")
	e.waitAssignments(t, tc, []string{dir}, len(units), 2*time.Minute)
	db := r45OpenDB(t, e.dbURL)

	// The "API" completes three Updates and dies before writing any of them.
	lost := units[:3]
	updated := time.Now()
	for _, u := range lost {
		id := workflows.AssignmentWorkflowID(dir, u)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateAcknowledge,
			Args: []any{workflows.AcknowledgeInput{UnitCode: u, Actor: users[u], Note: "R6"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
		var out workflows.AssignmentUpdateResult
		if err == nil {
			err = h.Get(ctx, &out)
		}
		cancel()
		if err != nil {
			t.Fatalf("acknowledge Update on %s: %v", id, err)
		}
		if out.Commit == nil || out.AcknowledgedAt == nil {
			t.Fatalf("acknowledge Update on %s returned no commit or no acknowledgement: %+v", id, out)
		}
	}
	rows := r45Assignments(t, db, r6IDs(dir, lost))
	for _, u := range lost {
		if r := rows[workflows.AssignmentWorkflowID(dir, u)]; r.AcknowledgedAt != nil {
			t.Errorf("assignment of %s acknowledged in the database right after the Update: the workflow wrote inside the Update's task", u)
		}
	}
	e.proc.Kill()
	if exited, _ := e.proc.Wait(10 * time.Second); !exited {
		t.Fatal("serve did not die on SIGKILL")
	}
	killed := time.Now()
	t.Logf("serve killed %v after the first Update, before any write of the three changes", killed.Sub(updated).Round(time.Millisecond))

	e.proc = testbin.Start(t, "serve (after kill -9)", binary(t), e.proc.Cmd.Env, "serve")
	e.proc.WaitReady(t, e.base, 90*time.Second, readyPoll)
	t.Logf("serve ready again %v after the kill", time.Since(killed).Round(time.Millisecond))
	tokens[units[3]] = signIn(t, e.base, users[units[3]], r45UnitPassword)
	hc := r45Client(1, 30*time.Second)
	if a := r45Post(hc, e.base+"/api/v1/directives/"+dir+"/assignments/"+units[3]+"/acknowledge", tokens[units[3]]); a.Status != http.StatusOK {
		t.Fatalf("acknowledgement through the API after the restart answered %d %s", a.Status, a.Err)
	}
	apiRow := r45Assignments(t, db, r6IDs(dir, units[3:]))[workflows.AssignmentWorkflowID(dir, units[3])]
	if apiRow.AcknowledgedAt == nil {
		t.Errorf("acknowledgement through the API answered 200 but the database does not have it yet")
	}

	// The workflows write the lost changes by their flush time.
	deadline := updated.Add(workflows.DefaultFlushAfter + 90*time.Second)
	for {
		rows := r45Assignments(t, db, r6IDs(dir, lost))
		n := 0
		for _, r := range rows {
			if r.AcknowledgedAt != nil {
				n++
			}
		}
		if n == len(lost) {
			t.Logf("all %d lost changes written by their workflows %v after the first Update", n, time.Since(updated).Round(time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lost changes written %v after the Updates", n, len(lost), time.Since(updated).Round(time.Second))
		}
		time.Sleep(time.Second)
	}
	want := map[string]string{}
	for _, u := range units {
		want[workflows.AssignmentWorkflowID(dir, u)] = users[u]
	}
	// Wait out the API-written one's flush too, then check everything once.
	time.Sleep(workflows.DefaultFlushAfter + 5*time.Second)
	if good := r45CheckAcknowledgedOnce(t, db, tc, want); good != len(want) {
		t.Errorf("%d of %d assignments recorded exactly once and agreeing with their workflows", good, len(want))
	}
	for id := range want {
		if accepted, completed, failed := r45UpdateEvents(t, tc, id); accepted != 1 || completed != 1 || failed != 0 {
			t.Errorf("%s: %d Updates accepted, %d completed, %d failed in its history; want 1, 1, 0", id, accepted, completed, failed)
		}
		if n := r6Markers(t, tc, id); n < 2 {
			t.Errorf("%s: %d local-activity writes in its history, want the first save and the flush", id, n)
		}
	}
	var rowsNow []models.Assignment
	db.Where("id IN ?", r6IDs(dir, units)).Find(&rowsNow)
	for _, r := range rowsNow {
		s, err := r45QueryState(tc, r.ID)
		if err != nil || s.Seq != r.Version || s.Status != r.Status {
			t.Errorf("%s: database version %d status %s, workflow seq %d status %s (%v)", r.ID, r.Version, r.Status, s.Seq, s.Status, err)
		}
	}
	t.Logf("R6 %s: %d changes lost by the API and written by their workflows after kill -9; 1 written by the API and again by its workflow; all %d recorded once, versions equal to the workflows'",
		r45Kind(dbURL), len(lost), len(want))
}

func r6IDs(dir string, units []string) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = workflows.AssignmentWorkflowID(dir, u)
	}
	return out
}

// r6Markers counts the local-activity markers in a workflow's history: the
// database writes made by the workflow itself.
func r6Markers(t *testing.T, tc client.Client, workflowID string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_MARKER_RECORDED && strings.Contains(ev.GetMarkerRecordedEventAttributes().GetMarkerName(), "LocalActivity") {
			n++
		}
	}
	return n
}
