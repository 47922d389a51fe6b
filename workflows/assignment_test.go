package workflows_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

func districtInput(hols []string, urgency wf.Urgency, items ...wf.DirectiveItem) wf.AssignmentInput {
	return wf.AssignmentInput{
		Revision: wf.AssignmentRevision,
		Directive: wf.DirectiveRef{ID: "ONCB-abc", IssuerCode: "ONCB", DocNumber: "ยธ 0600/ว 123", IssueDate: date(2026, 3, 30),
			Urgency: urgency, Subject: "เร่งรัดการบำบัดผู้เสพ"},
		Target:   wf.UnitTarget{UnitCode: "5001", ParentCode: "50", Region: 15, Type: models.UnitDistrict},
		Items:    items,
		Policy:   wf.DefaultPolicy(urgency),
		Holidays: hols,
		Actor:    "secretariat1",
	}
}

func dueDate(d thaidate.Date) *thaidate.Date { return &d }

// addWD is the test's own working-day arithmetic (oracle): the n-th
// working day after day (n > 0) or before it (n < 0).
func addWD(hols []string, day time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := day
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if isWorkingDay(hols, d) {
			n--
		}
	}
	return d
}

func atClock(d time.Time, hh, mm int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, thaidate.Bangkok)
}

// TestAssignmentLadder drives one district assignment over five weeks of
// simulated time across the Chakri and Songkran holidays: acknowledgement
// deadline, reminders, overdue notice, escalation to the province centre
// and to the region's inspectors, a report that stops the ladder, a return
// with a new due and a second report, an inspector's extension with a new
// escalation round, and an inspector's closure, after which the workflow
// completes.
func TestAssignmentLadder(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 4, 1, 10, 0)
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyUrgent,
		wf.DirectiveItem{Number: 1, Text: "รายงานผลการบำบัด", DueDate: dueDate(date(2026, 4, 10)), EvidenceRequired: true},
		wf.DirectiveItem{Number: 2, Text: "ตั้งจุดตรวจ", DueDate: dueDate(date(2026, 4, 30))},
	)
	evidence := []wf.EvidenceFile{{Name: "photo.jpg", Size: 10, SHA256: strings.Repeat("a", 64), StoragePath: "e/1", ContentType: "image/jpeg"}}

	// Rejections: nothing may change.
	var seqBefore int64
	var savesBefore int
	at(env, start, bkk(2026, 4, 2, 9, 0), func() { seqBefore, savesBefore = queryState(t, env).Seq, r.saveCount() })
	wrongUnit := sendUpdate(env, start, bkk(2026, 4, 2, 9, 1), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5002", Actor: "x"})
	noEvidence := sendUpdate(env, start, bkk(2026, 4, 2, 9, 2), wf.UpdateReport,
		wf.ReportInput{ReportID: "r0", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, Text: "ทำแล้ว"})
	unknownItem := sendUpdate(env, start, bkk(2026, 4, 2, 9, 3), wf.UpdateReport,
		wf.ReportInput{ReportID: "r0", UnitCode: "5001", Actor: "u5001", ItemNumber: 9, Text: "ทำแล้ว"})
	inspectorEarly := sendUpdate(env, start, bkk(2026, 4, 2, 9, 4), wf.UpdateInspectorAction,
		wf.InspectorActionInput{Actor: "insp15", ActorRole: models.RoleInspector, ItemNumber: 2, Kind: models.ActionClose, Reason: "ไม่จำเป็น"})
	at(env, start, bkk(2026, 4, 2, 9, 5), func() {
		s := queryState(t, env)
		if s.Seq != seqBefore || r.saveCount() != savesBefore || s.Status != models.AssignmentAssigned {
			t.Errorf("a rejected update changed the state: seq %d→%d, saves %d→%d, status %s", seqBefore, s.Seq, savesBefore, r.saveCount(), s.Status)
		}
	})

	// Report item 1 after level 3, then try to acknowledge again.
	report1 := sendUpdate(env, start, bkk(2026, 4, 23, 10, 0), wf.UpdateReport,
		wf.ReportInput{ReportID: "r1", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, Text: "บำบัดแล้ว 20 ราย", Evidence: evidence})
	reAck := sendUpdate(env, start, bkk(2026, 4, 23, 11, 0), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u5001"})
	reReport := sendUpdate(env, start, bkk(2026, 4, 23, 11, 1), wf.UpdateReport,
		wf.ReportInput{ReportID: "r1b", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, Text: "ซ้ำ", Evidence: evidence})
	newDue := date(2026, 5, 8)
	returned := sendUpdate(env, start, bkk(2026, 4, 24, 10, 0), wf.UpdateReview,
		wf.ReviewInput{Actor: "sec1", ItemNumber: 1, Decision: wf.ReviewReturn, Reason: "ขาดตัวเลขรายอำเภอ", NewDue: &wf.Deadline{Date: &newDue}})
	report2 := sendUpdate(env, start, bkk(2026, 5, 6, 10, 0), wf.UpdateReport,
		wf.ReportInput{ReportID: "r2", UnitCode: "5001", Actor: "u5001", ItemNumber: 1, Text: "แก้ไขแล้ว", Evidence: evidence})
	accepted := sendUpdate(env, start, bkk(2026, 5, 6, 11, 0), wf.UpdateReview,
		wf.ReviewInput{Actor: "sec1", ItemNumber: 1, Decision: wf.ReviewAccept})

	// Item 2: overdue 30 Apr 16:30; the inspector extends by 3 working
	// days, it falls due again, then the inspector closes it.
	extend := wf.WorkingDays(3)
	extended := sendUpdate(env, start, bkk(2026, 5, 1, 10, 0), wf.UpdateInspectorAction,
		wf.InspectorActionInput{Actor: "insp15", ActorRole: models.RoleInspector, ItemNumber: 2, Kind: models.ActionExtend,
			Reason: "รอผลตรวจปัสสาวะ", NewDue: &wf.Deadline{Within: &extend}})
	closed := sendUpdate(env, start, bkk(2026, 5, 8, 10, 0), wf.UpdateInspectorAction,
		wf.InspectorActionInput{Actor: "insp15", ActorRole: models.RoleInspector, ItemNumber: 2, Kind: models.ActionClose, Reason: "ดำเนินการครบแล้ว"})

	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var res wf.AssignmentResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}

	// Rejections carry the right codes.
	for name, u := range map[string]struct {
		res  *updateResult
		code apperr.Code
	}{
		"wrong unit":      {wrongUnit, apperr.Forbidden},
		"no evidence":     {noEvidence, apperr.Invalid},
		"unknown item":    {unknownItem, apperr.NotFound},
		"inspector early": {inspectorEarly, apperr.Forbidden},
		"re-acknowledge":  {reAck, apperr.Conflict},
		"re-report":       {reReport, apperr.Conflict},
	} {
		if u.res.rejected == nil {
			t.Errorf("%s: not rejected (err %v)", name, u.res.err)
			continue
		}
		if got := apperr.CodeOf(wf.AppError(u.res.rejected)); got != u.code {
			t.Errorf("%s: code %s, want %s (%v)", name, got, u.code, u.res.rejected)
		}
	}
	for name, u := range map[string]*updateResult{"report1": report1, "returned": returned, "report2": report2,
		"accepted": accepted, "extended": extended, "closed": closed} {
		if !u.done || u.rejected != nil || u.err != nil {
			t.Errorf("%s: done %v rejected %v err %v", name, u.done, u.rejected, u.err)
		}
	}
	if report1.state.Status != models.AssignmentAcknowledged || report1.state.AcknowledgedBy != "u5001" {
		t.Errorf("a report should acknowledge: %s by %q", report1.state.Status, report1.state.AcknowledgedBy)
	}
	if got := item(report1.state, 1, 1); got.Status != models.ItemReported || len(got.OpenEscalations) != 0 {
		t.Errorf("after report: item 1 %s, open escalations %v", got.Status, got.OpenEscalations)
	}
	if got := item(returned.state, 1, 1); got.Status != models.ItemReturned || !got.DueAt.Equal(bkk(2026, 5, 8, 16, 30)) || got.DueRound != 1 {
		t.Errorf("after return: %+v", got)
	}

	// Acknowledgement: ด่วน = 3 working days; 6 April is a holiday.
	ack := r.notesOf(wf.NotifyAckOverdue, 0)
	if len(ack) != 1 {
		t.Fatalf("ack_overdue notices: %d", len(ack))
	}
	sameInstant(t, "ack overdue", ack[0].at, bkk(2026, 4, 7, 16, 30))

	// Item 1's ladder.
	rem := r.notesOf(wf.NotifyReminder, 1)
	// Two before the first due; before the new due only the 3-wd one: the
	// 1-wd reminder (7 May) must not come, the item was reported on 6 May.
	if len(rem) != 3 {
		t.Fatalf("item 1 reminders: %d, want 3", len(rem))
	}
	sameInstant(t, "reminder 3 wd", rem[0].at, bkk(2026, 4, 7, 9, 0))
	sameInstant(t, "reminder 1 wd", rem[1].at, bkk(2026, 4, 9, 9, 0))
	sameInstant(t, "reminder 3 wd (new due, 4 May holiday)", rem[2].at, bkk(2026, 5, 5, 9, 0))

	over := r.notesOf(wf.NotifyOverdue, 1)
	if len(over) != 1 {
		t.Fatalf("item 1 overdue notices: %d", len(over))
	}
	sameInstant(t, "overdue", over[0].at, bkk(2026, 4, 10, 16, 30))
	if got := over[0].in.Recipients.UnitCodes; len(got) != 1 || got[0] != "5001" {
		t.Errorf("overdue recipients %v", got)
	}
	esc := r.notesOf(wf.NotifyEscalation, 1)
	if len(esc) != 2 {
		t.Fatalf("item 1 escalations: %d", len(esc))
	}
	sameInstant(t, "level 2 (13–15 Apr Songkran)", esc[0].at, bkk(2026, 4, 17, 9, 0))
	if got := esc[0].in.Recipients.UnitCodes; len(got) != 1 || got[0] != "50" {
		t.Errorf("level 2 recipients %+v, want the province centre 50", esc[0].in.Recipients)
	}
	sameInstant(t, "level 3", esc[1].at, bkk(2026, 4, 22, 9, 0))
	if rr := esc[1].in.Recipients.RoleRegions; len(rr) != 1 || rr[0].Role != models.RoleInspector || rr[0].Region == nil || *rr[0].Region != 15 {
		t.Errorf("level 3 recipients %+v, want inspectors of region 15", esc[1].in.Recipients)
	}

	// Escalation rows: 3 for item 1, round 0; closed by the report.
	var item1 []string
	for _, e := range r.openedEscalations() {
		if e.ItemNumber == 1 {
			item1 = append(item1, e.ID)
		}
	}
	wantIDs := []string{"assignment/ONCB-abc/5001/1/1/1", "assignment/ONCB-abc/5001/1/1/2", "assignment/ONCB-abc/5001/1/1/3"}
	if strings.Join(item1, ",") != strings.Join(wantIDs, ",") {
		t.Errorf("item 1 escalations %v, want %v", item1, wantIDs)
	}
	closedBy := map[string]string{}
	for _, c := range r.closedEscalations() {
		closedBy[c.ID] = c.Reason
	}
	for _, id := range wantIDs {
		if closedBy[id] != "reported" {
			t.Errorf("escalation %s closed with %q, want reported", id, closedBy[id])
		}
	}

	// Item 2: overdue, extended (round 1 restarts at level 1), closed.
	over2 := r.notesOf(wf.NotifyOverdue, 2)
	if len(over2) != 2 {
		t.Fatalf("item 2 overdue notices: %d, want 2 (before and after the extension)", len(over2))
	}
	sameInstant(t, "item 2 overdue", over2[0].at, bkk(2026, 4, 30, 16, 30))
	sameInstant(t, "item 2 overdue after extension", over2[1].at, bkk(2026, 5, 7, 16, 30))
	if closedBy["assignment/ONCB-abc/5001/2/1/1"] != "extend" || closedBy["assignment/ONCB-abc/5001/2/1/1/r1"] != "closed" {
		t.Errorf("item 2 escalations closed: %v", closedBy)
	}
	ia := r.notesOf(wf.NotifyInspectorAction, 2)
	if len(ia) != 2 || ia[0].in.Data["action"] != "extend" || ia[0].in.Data["old_due_at"] != bkk(2026, 4, 30, 16, 30).UTC().Format(time.RFC3339) ||
		ia[0].in.Data["due_at"] != bkk(2026, 5, 7, 16, 30).UTC().Format(time.RFC3339) || ia[1].in.Data["action"] != "close" || ia[1].in.Data["actor"] != "insp15" {
		t.Errorf("inspector_action notices %+v", ia)
	}
	var actions []models.EscalationAction
	for _, e := range r.escs {
		actions = append(actions, e.Actions...)
	}
	if len(actions) != 2 || actions[0].Kind != models.ActionExtend || actions[0].NewDue == nil ||
		!actions[0].NewDue.Equal(bkk(2026, 5, 7, 16, 30)) || actions[1].Kind != models.ActionClose {
		t.Errorf("escalation actions %+v", actions)
	}

	// Final state.
	s := res.State
	if s.Status != models.AssignmentClosed || s.CloseReason != "completed" {
		t.Errorf("final status %s (%s)", s.Status, s.CloseReason)
	}
	if got := item(s, 1, 1); got.Status != models.ItemAccepted || len(got.Reports) != 2 ||
		got.Reports[0].Decision == nil || *got.Reports[0].Decision != models.DecisionReturned {
		t.Errorf("item 1 final %+v", got)
	}
	if got := item(s, 2, 1); got.Status != models.ItemClosed || got.Reason != "ดำเนินการครบแล้ว" {
		t.Errorf("item 2 final %+v", got)
	}

	// Persistence: every save has a deterministic event sequence, each
	// number once (commits of updates run as activities and may land out of
	// order); reports were written with the report and the decision.
	var last int64
	var reports []models.Report
	saves := slices.Clone(r.saves)
	slices.SortStableFunc(saves, func(x, y savedChange) int { return cmp.Compare(x.in.Event.Seq, y.in.Event.Seq) })
	for _, sv := range saves {
		ev := sv.in.Event
		if ev == nil || ev.Seq <= last || ev.ID != "assignment/ONCB-abc/5001/e/"+itoa(int(ev.Seq)) || sv.in.Assignment.Version != ev.Seq {
			t.Fatalf("bad event %+v after seq %d", ev, last)
		}
		last = ev.Seq
		reports = append(reports, sv.in.Reports...)
	}
	if len(reports) != 4 || reports[0].ID != "r1" || reports[0].Text == "" || reports[1].Decision == nil {
		t.Errorf("reports written: %+v", reports)
	}
	// Notifications have unique deterministic IDs.
	seen := map[string]bool{}
	for _, n := range r.notes {
		if seen[n.in.ID] || !strings.HasPrefix(n.in.ID, "assignment/ONCB-abc/5001/n/") {
			t.Errorf("notification id %q duplicated or malformed", n.in.ID)
		}
		seen[n.in.ID] = true
	}
}

// TestAcknowledgeDeadlineByUrgency checks the default acknowledgement
// allowance of each urgency class from Monday 2 March 2026 (3 March is
// Makha Bucha), and that an acknowledgement in time prevents the notice.
func TestAcknowledgeDeadlineByUrgency(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 2, 10, 0)
	for _, tc := range []struct {
		urgency wf.Urgency
		days    int
	}{
		{wf.UrgencyMostUrgent, 1}, {wf.UrgencyVeryUrgent, 2}, {wf.UrgencyUrgent, 3}, {wf.UrgencyNormal, 5},
	} {
		t.Run(string(tc.urgency), func(t *testing.T) {
			env, r := newEnv(t, start, hols)
			in := districtInput(hols, tc.urgency, wf.DirectiveItem{Number: 1, Text: "x"})
			want := atClock(addWD(hols, start, tc.days), 16, 30)
			if tc.urgency == wf.UrgencyMostUrgent && !want.Equal(bkk(2026, 3, 4, 16, 30)) {
				t.Fatalf("oracle: %v", want) // anchors the oracle on a hand-checked date
			}
			var ackDue time.Time
			at(env, start, start.Add(time.Minute), func() { ackDue = queryState(t, env).AckDueAt })
			at(env, start, want.Add(24*time.Hour), func() {
				env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบการทดสอบ"})
			})
			env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			sameInstant(t, "ack due", ackDue, want)
			n := r.notesOf(wf.NotifyAckOverdue, 0)
			if len(n) != 1 {
				t.Fatalf("ack_overdue notices %d", len(n))
			}
			sameInstant(t, "ack overdue", n[0].at, want)
		})
	}
	t.Run("acknowledged in time", func(t *testing.T) {
		env, r := newEnv(t, start, hols)
		in := districtInput(hols, wf.UrgencyMostUrgent, wf.DirectiveItem{Number: 1, Text: "x"})
		ack := sendUpdate(env, start, bkk(2026, 3, 4, 16, 0), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u", Note: "รับทราบ"})
		at(env, start, bkk(2026, 3, 10, 9, 0), func() {
			env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบ"})
		})
		env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
		if ack.state.Status != models.AssignmentAcknowledged || ack.state.AckNote != "รับทราบ" {
			t.Errorf("ack result %+v (rejected %v)", ack.state, ack.rejected)
		}
		if n := r.notesOf(wf.NotifyAckOverdue, 0); len(n) != 0 {
			t.Errorf("ack_overdue sent although acknowledged: %v", n)
		}
	})
}

// TestSpanSeconds runs the whole ladder with spans in seconds, as drills
// and end-to-end tests do.
func TestSpanSeconds(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 7, 23, 0) // a Saturday night: durations ignore the calendar
	env, r := newEnv(t, start, hols)
	p, err := wf.ParseSpan("PT60S")
	if err != nil {
		t.Fatal(err)
	}
	in := districtInput(hols, wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x", DueWithin: &p})
	in.Policy = wf.Policy{
		AckWithin:   wf.Seconds(30),
		Reminders:   []wf.Span{wf.Seconds(20), wf.Seconds(10)},
		Escalations: [3]wf.Span{{}, wf.Seconds(5), wf.Seconds(10)},
	}
	sendUpdate(env, start, start.Add(75*time.Second), wf.UpdateReport,
		wf.ReportInput{ReportID: "r1", UnitCode: "5001", Actor: "u", ItemNumber: 1, Text: "ok"})
	sendUpdate(env, start, start.Add(90*time.Second), wf.UpdateReview, wf.ReviewInput{Actor: "s", ItemNumber: 1, Decision: wf.ReviewAccept})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	type exp struct {
		kind string
		sec  int
	}
	var got []exp
	for _, n := range r.notes {
		got = append(got, exp{n.in.Kind, int(n.at.Sub(start) / time.Second)})
	}
	want := []exp{{wf.NotifyAssigned, 0}, {wf.NotifyAckOverdue, 30}, {wf.NotifyReminder, 40}, {wf.NotifyReminder, 50},
		{wf.NotifyOverdue, 60}, {wf.NotifyEscalation, 65}, {wf.NotifyEscalation, 70}, {wf.NotifyReported, 75}}
	if len(got) != len(want) {
		t.Fatalf("notifications %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("notification %d: %v, want %v", i, got[i], want[i])
		}
	}
	var res wf.AssignmentResult
	if err := env.GetWorkflowResult(&res); err != nil || res.State.Status != models.AssignmentClosed {
		t.Errorf("result %+v %v", res.State.Status, err)
	}
	// +90 s, plus the millisecond timer that separates an accepted update
	// from its commit (revision 2).
	if d := env.Now().Sub(start); d < 90*time.Second || d > 90*time.Second+time.Second {
		t.Errorf("completed at +%v, want +90s", d)
	}
}

// TestAmendAndWithdraw moves an item's due by update, repeats it by signal
// (no change), then withdraws by signal: open items close with reason
// withdrawn and open escalations close.
func TestAmendAndWithdraw(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 6, 1, 9, 30) // Monday 1 June 2026 is a holiday
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal,
		wf.DirectiveItem{Number: 1, Text: "a", DueDate: dueDate(date(2026, 6, 12))},
		wf.DirectiveItem{Number: 2, Text: "b", DueDate: dueDate(date(2026, 6, 5))},
	)
	to := date(2026, 6, 19)
	amended := sendUpdate(env, start, bkk(2026, 6, 2, 10, 0), wf.UpdateAmend,
		wf.AmendInput{ItemNumber: 1, NewDue: wf.Deadline{Date: &to}, Actor: "sec", Reason: "ขยายตามมติ"})
	var savesAfterAmend int
	at(env, start, bkk(2026, 6, 2, 11, 0), func() {
		savesAfterAmend = r.saveCount()
		due := bkk(2026, 6, 19, 16, 30)
		env.SignalWorkflow(wf.SignalAmend, wf.AmendInput{ItemNumber: 1, NewDue: wf.Deadline{At: &due}, Actor: "sec", Reason: "ซ้ำ"})
	})
	at(env, start, bkk(2026, 6, 2, 12, 0), func() {
		if r.saveCount() != savesAfterAmend {
			t.Errorf("a repeated amend signal saved again")
		}
	})
	at(env, start, bkk(2026, 6, 10, 10, 0), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "ยกเลิกหนังสือ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if it := item(amended.state, 1, 1); it.DueAt == nil || !it.DueAt.Equal(bkk(2026, 6, 19, 16, 30)) || it.DueRound != 1 {
		t.Errorf("amended item %+v (rejected %v)", it, amended.rejected)
	}
	// Item 1's reminders follow the new due only: 3 wd before 19 June is
	// 16 June; nothing for 12 June may have been sent by 10 June.
	for _, n := range r.notesOf(wf.NotifyReminder, 1) {
		t.Errorf("item 1 reminder at %v before withdrawal", n.at)
	}
	if n := r.notesOf(wf.NotifyOverdue, 2); len(n) != 1 {
		t.Errorf("item 2 overdue notices %d", len(n))
	} else {
		sameInstant(t, "item 2 overdue", n[0].at, bkk(2026, 6, 5, 16, 30))
	}
	var res wf.AssignmentResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.State.Status != models.AssignmentWithdrawn || res.State.CloseReason != "withdrawn" {
		t.Errorf("status %s reason %q", res.State.Status, res.State.CloseReason)
	}
	for _, it := range res.State.Items {
		if it.Status != models.ItemClosed || it.Reason != "withdrawn" || len(it.OpenEscalations) != 0 {
			t.Errorf("item %d after withdraw: %+v", it.Number, it)
		}
	}
	closed := r.closedEscalations()
	if len(closed) != 2 || closed[0].Reason != "withdrawn" {
		// Item 2 reached level 2 by 10 June (5 June + 2 wd = 9 June).
		t.Errorf("escalations closed %+v", closed)
	}
	if n := r.notesOf(wf.NotifyWithdrawn, 0); len(n) != 1 {
		t.Errorf("withdrawn notices %d", len(n))
	}
}

// TestProvinceEscalatesToHeads checks the level-2 recipients of a province
// centre: its governor, vice governors and ปลัดจังหวัด.
func TestProvinceEscalatesToHeads(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x", DueWithin: &wf.Span{WorkingDays: 1}})
	in.Target = wf.UnitTarget{UnitCode: "50", ParentCode: models.NationalUnitCode, Region: 15}
	at(env, start, bkk(2026, 3, 20, 9, 0), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	esc := r.notesOf(wf.NotifyEscalation, 1)
	if len(esc) != 2 {
		t.Fatalf("escalations %d", len(esc))
	}
	// Due 10 March 16:30; +2 wd = 12 March 09:00.
	sameInstant(t, "level 2", esc[0].at, bkk(2026, 3, 12, 9, 0))
	up := esc[0].in.Recipients.UnitPositions
	if len(up) != 1 || up[0].UnitCode != "50" || strings.Join(up[0].Positions, ",") != "governor,vice_governor,palad" {
		t.Errorf("level 2 recipients %+v", esc[0].in.Recipients)
	}
}

// TestValidatorsLeaveStateUnchanged checks rejections on a closed item and
// a reused report ID, and that withdrawal rejects everything after it.
func TestValidatorsLeaveStateUnchanged(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, hols)
	in := districtInput(hols, wf.UrgencyNormal,
		wf.DirectiveItem{Number: 1, Text: "a"}, wf.DirectiveItem{Number: 2, Text: "b"})
	closeItem := sendUpdate(env, start, start.Add(time.Hour), wf.UpdateInspectorAction,
		wf.InspectorActionInput{Actor: "sec", ActorRole: models.RoleSecretariat, ItemNumber: 1, Kind: models.ActionWaive, Reason: "ยกเว้น"})
	first := sendUpdate(env, start, start.Add(2*time.Hour), wf.UpdateReport,
		wf.ReportInput{ReportID: "dup", UnitCode: "5001", Actor: "u", ItemNumber: 2, Text: "ok"})
	var before wf.AssignmentState
	var saves int
	at(env, start, start.Add(3*time.Hour), func() { before, saves = queryState(t, env), r.saveCount() })
	onClosed := sendUpdate(env, start, start.Add(3*time.Hour+time.Minute), wf.UpdateReport,
		wf.ReportInput{ReportID: "x", UnitCode: "5001", Actor: "u", ItemNumber: 1, Text: "ok"})
	missingReason := sendUpdate(env, start, start.Add(3*time.Hour+2*time.Minute), wf.UpdateInspectorAction,
		wf.InspectorActionInput{Actor: "sec", ActorRole: models.RoleSecretariat, ItemNumber: 2, Kind: models.ActionComment})
	badReturn := sendUpdate(env, start, start.Add(3*time.Hour+3*time.Minute), wf.UpdateReview,
		wf.ReviewInput{Actor: "sec", ItemNumber: 2, Decision: wf.ReviewReturn, Reason: "x"})
	at(env, start, start.Add(4*time.Hour), func() {
		after := queryState(t, env)
		if mustJSON(t, after) != mustJSON(t, before) || r.saveCount() != saves {
			t.Errorf("rejected updates changed state or saved")
		}
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if closeItem.err != nil || item(closeItem.state, 1, 1).Status != models.ItemWaived {
		t.Errorf("waive: %v %+v", closeItem.rejected, item(closeItem.state, 1, 1))
	}
	if first.rejected != nil {
		t.Errorf("first report rejected: %v", first.rejected)
	}
	for name, u := range map[string]*updateResult{"report on waived item": onClosed, "comment without reason": missingReason,
		"return without due": badReturn} {
		if u.rejected == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := jsonMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUpdatesWaitForStart: while the assignment is still being set up (here
// LoadHolidays takes an hour of test time), updates are rejected as
// unavailable and change nothing; afterwards they work.
func TestUpdatesWaitForStart(t *testing.T) {
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, holidays(t))
	r.loadDelay = time.Hour
	in := districtInput(holidays(t, 2025), wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x"})
	early := sendUpdate(env, start, start.Add(time.Minute), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u"})
	late := sendUpdate(env, start, start.Add(2*time.Hour), wf.UpdateAcknowledge, wf.AcknowledgeInput{UnitCode: "5001", Actor: "u"})
	at(env, start, start.Add(3*time.Hour), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if apperr.CodeOf(wf.AppError(early.rejected)) != apperr.Unavailable {
		t.Errorf("early update: %v", early.rejected)
	}
	if late.rejected != nil || late.state.Status != models.AssignmentAcknowledged || late.state.Seq != 2 {
		t.Errorf("late update: %v %+v", late.rejected, late.state)
	}
	if len(r.loads) != 1 || len(r.loads[0]) != 2 {
		t.Errorf("loads %v, want one call for 2026 and 2027", r.loads)
	}
}

// TestDatabaseOutageDelaysCommit: CommitAssignment runs as a local activity
// and keeps retrying through a database outage much longer than its
// start-to-close timeout (back-off up to a minute, on workflow timers once
// it exceeds the workflow task timeout); the assignment is then saved once
// and the workflow goes on.
func TestDatabaseOutageDelaysCommit(t *testing.T) {
	start := bkk(2026, 3, 9, 9, 0)
	env, r := newEnv(t, start, holidays(t))
	r.failCommits = 10 // 1+2+4+…+60+60+60 s ≈ 5 minutes of retries
	in := districtInput(holidays(t, 2025), wf.UrgencyNormal, wf.DirectiveItem{Number: 1, Text: "x"})
	at(env, start, start.Add(time.Hour), func() {
		env.SignalWorkflow(wf.SignalWithdraw, wf.WithdrawInput{Actor: "sec", Reason: "จบ"})
	})
	env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if r.commits != 12 || len(r.saves) != 2 || r.saves[0].in.Event.Action != "assign" || r.saves[1].in.Event.Action != "withdraw" {
		t.Fatalf("commits %d, saves %d", r.commits, len(r.saves))
	}
	if d := r.saves[0].at.Sub(start); d < 4*time.Minute || d > 10*time.Minute {
		t.Errorf("assignment saved %s after the start, want after about 5 minutes of retries", d)
	}
}
