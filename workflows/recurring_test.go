package workflows_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// TestRecurringTwelveCyclesContinueAsNew runs a monthly item ("by the 5th
// working day") through 12 cycles, January to December 2027. The history
// length is reported as long, so the workflow continues as new after each
// cycle opens; the test follows every run with the carried input. Even
// cycles are reported and accepted; odd ones escalate and then lapse when
// the next month opens. The input calendar holds 2026 only, so the
// workflow must load 2027 (and ask for 2028) through LoadHolidays.
func TestRecurringTwelveCyclesContinueAsNew(t *testing.T) {
	all := holidays(t)
	start := bkk(2026, 12, 15, 10, 0)
	in := districtInput(holidays(t, 2026), wf.UrgencyNormal, wf.DirectiveItem{
		Number: 1, Text: "รายงานผลการดำเนินงานประจำเดือน",
		Recurrence: &wf.Recurrence{MonthlyWorkingDay: 5, Until: date(2027, 12, 31)},
	})
	in.HistoryLimit = 100

	var (
		runs     int
		now      = start
		final    wf.AssignmentResult
		loads    [][]int
		opened   int
		overdue  = map[int]time.Time{}
		escLevel = map[int]int{}
		lapsedBy = map[string]string{}
	)
	for {
		runs++
		if runs > 20 {
			t.Fatal("too many runs")
		}
		env, r := newEnv(t, now, all)
		env.SetCurrentHistoryLength(5000)
		if in.State != nil {
			// The latest cycle is the one just opened; report and accept
			// the even ones a day before their due.
			last := in.State.Items[len(in.State.Items)-1]
			if last.Cycle%2 == 0 {
				due := *last.DueAt
				sendUpdate(env, now, due.Add(-26*time.Hour), wf.UpdateReport, wf.ReportInput{
					ReportID: fmt.Sprintf("m%d", last.Cycle), UnitCode: "5001", Actor: "u", ItemNumber: 1, Text: "ผลประจำเดือน"})
				sendUpdate(env, now, due.Add(-25*time.Hour), wf.UpdateReview, wf.ReviewInput{
					Actor: "sec", ItemNumber: 1, Decision: wf.ReviewAccept})
			}
		}
		env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
		loads = append(loads, r.loads...)
		opened += len(r.notesOf(wf.NotifyCycleOpened, 1))
		for _, n := range r.notesOf(wf.NotifyOverdue, 1) {
			var c int
			fmt.Sscan(n.in.Data["cycle"], &c)
			overdue[c] = n.at
		}
		for _, e := range r.openedEscalations() {
			escLevel[e.Cycle] = max(escLevel[e.Cycle], e.Level)
		}
		for _, c := range r.closedEscalations() {
			lapsedBy[c.ID] = c.Reason
		}
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			var next wf.AssignmentInput
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
				t.Fatal(err)
			}
			if next.State == nil {
				t.Fatal("continue-as-new without state")
			}
			in, now = next, env.Now()
			continue
		}
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		if err := env.GetWorkflowResult(&final); err != nil {
			t.Fatal(err)
		}
		break
	}
	if runs != 12 {
		t.Errorf("runs %d, want 12 (one continue-as-new per cycle opened)", runs)
	}
	if fmt.Sprint(loads) != "[[2027] [2028]]" {
		t.Errorf("LoadHolidays calls %v, want [[2027] [2028]] (and no reload after continue-as-new)", loads)
	}
	if opened != 11 {
		t.Errorf("cycle_opened notices %d, want 11", opened)
	}
	s := final.State
	if s.Status != models.AssignmentClosed {
		t.Errorf("final status %s", s.Status)
	}
	if len(s.Items) != 12 {
		t.Fatalf("cycles %d, want 12", len(s.Items))
	}
	for i, it := range s.Items {
		cycle := i + 1
		month := time.Month(cycle)
		// Oracle: the 5th working day of the month, counted here.
		d := bkk(2027, month, 1, 0, 0)
		for n := 0; ; d = d.AddDate(0, 0, 1) {
			if isWorkingDay(all, d) {
				if n++; n == 5 {
					break
				}
			}
		}
		want := atClock(d, 16, 30)
		if it.Cycle != cycle || it.Period != fmt.Sprintf("2027-%02d", cycle) || it.DueAt == nil || !it.DueAt.Equal(want) {
			t.Errorf("cycle %d: %+v, want due %v", cycle, it, want)
			continue
		}
		if cycle%2 == 0 {
			if it.Status != models.ItemAccepted {
				t.Errorf("cycle %d status %s, want accepted", cycle, it.Status)
			}
			if _, ok := overdue[cycle]; ok {
				t.Errorf("cycle %d reported in time but got an overdue notice", cycle)
			}
			continue
		}
		if it.Status != models.ItemLapsed {
			t.Errorf("cycle %d status %s, want lapsed", cycle, it.Status)
		}
		if got, ok := overdue[cycle]; !ok || !got.Equal(want) {
			t.Errorf("cycle %d overdue notice at %v, want %v", cycle, got, want)
		}
		if escLevel[cycle] != 3 {
			t.Errorf("cycle %d reached level %d, want 3", cycle, escLevel[cycle])
		}
		for level := 1; level <= 3; level++ {
			id := wf.EscalationID("assignment/ONCB-abc/5001", 1, cycle, level, 0)
			if lapsedBy[id] != "lapsed" {
				t.Errorf("escalation %s closed with %q, want lapsed", id, lapsedBy[id])
			}
		}
	}
	if s.Seq <= 12 {
		t.Errorf("seq %d did not carry across runs", s.Seq)
	}
}
