package workflows_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

func directiveInput(hols []string) wf.DirectiveInput {
	norm := wf.NormalizeDocNumber("ที่ ยธ ๐๖๐๐/ว  ๑๒๓")
	due := date(2026, 4, 30)
	within := wf.WorkingDays(5)
	return wf.DirectiveInput{
		Directive: wf.Directive{ID: wf.DirectiveKey("ONCB", norm), Source: "letter", IssuerCode: "ONCB",
			DocNumber: "ที่ ยธ ๐๖๐๐/ว  ๑๒๓", DocNumberNorm: norm, IssueDate: date(2026, 4, 1), Urgency: wf.UrgencyVeryUrgent,
			Subject: "มาตรการเร่งด่วน", Body: "…", CreatedBy: "sec1"},
		Items: []wf.DirectiveItem{
			{Number: 1, Text: "ตั้งจุดตรวจ", DueDate: &due},
			{Number: 2, Text: "รายงานผล", DueWithin: &within, EvidenceRequired: true},
		},
		Targets: []wf.UnitTarget{
			{UnitCode: "50", ParentCode: models.NationalUnitCode, Region: 15, Type: models.UnitProvince},
			{UnitCode: "5001", ParentCode: "50", Region: 15, Type: models.UnitDistrict, ItemNumbers: []int{1, 2}},
			{UnitCode: "5002", ParentCode: "50", Region: 15, Type: models.UnitDistrict, ItemNumbers: []int{2}},
		},
		Policy:   wf.DefaultPolicy(wf.UrgencyVeryUrgent),
		Holidays: hols,
		Actor:    "sec1",
	}
}

// TestDirectiveFanOutAmendAddWithdraw drives a directive: persist and fan
// out to three units, reject bad add_targets, add a fourth unit (fan-out
// for it only), amend item 1 (forwarded only to the units that carry it),
// then withdraw (forwarded to all, workflow completes).
func TestDirectiveFanOutAmendAddWithdraw(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 4, 1, 10, 0)
	env, r := newEnv(t, start, hols)
	in := directiveInput(hols)
	id := in.Directive.ID

	var progress wf.DirectiveProgress
	at(env, start, start.Add(time.Minute), func() {
		v, err := env.QueryWorkflow(wf.QueryProgress)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		_ = v.Get(&progress)
	})
	dup := sendUpdate(env, start, start.Add(2*time.Minute), wf.UpdateAddTargets,
		wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5001", ParentCode: "50", Region: 15}}})
	twice := sendUpdate(env, start, start.Add(3*time.Minute), wf.UpdateAddTargets,
		wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5003"}, {UnitCode: "5003"}}})
	badItem := sendUpdate(env, start, start.Add(4*time.Minute), wf.UpdateAddTargets,
		wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5003", ItemNumbers: []int{7}}}})
	added := sendUpdate(env, start, start.Add(5*time.Minute), wf.UpdateAddTargets,
		wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5003", ParentCode: "50", Region: 15, Type: models.UnitDistrict}}})
	newDue := date(2026, 5, 15)
	amended := sendUpdate(env, start, start.Add(time.Hour), wf.UpdateAmend,
		wf.AmendInput{ItemNumber: 1, NewDue: wf.Deadline{Date: &newDue}, Actor: "sec1", Reason: "ตามมติที่ประชุม"})
	past := date(2026, 3, 1)
	amendPast := sendUpdate(env, start, start.Add(2*time.Hour), wf.UpdateAmend,
		wf.AmendInput{ItemNumber: 1, NewDue: wf.Deadline{Date: &past}, Actor: "sec1"})
	withdrawn := sendUpdate(env, start, start.Add(24*time.Hour), wf.UpdateWithdraw, wf.WithdrawInput{Actor: "sec1", Reason: "ออกหนังสือผิด"})

	env.ExecuteWorkflow(wf.DirectiveWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res wf.DirectiveResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != models.DirectiveWithdrawn || res.Reason != "ออกหนังสือผิด" || res.UnitsTotal != 4 || res.UnitsAssigned != 4 {
		t.Errorf("result %+v", res)
	}
	if progress.UnitsTotal != 3 || progress.UnitsAssigned != 3 || !progress.FanOutDone || progress.Status != models.DirectiveIssued {
		t.Errorf("progress after fan-out %+v", progress)
	}

	// Fan-out: first all three, then only the added unit.
	if len(r.fanouts) != 2 {
		t.Fatalf("fan-outs %d", len(r.fanouts))
	}
	f := r.fanouts[0]
	if f.DirectiveID != id || f.WorkflowType != wf.AssignmentWorkflowType || f.TargetField != "target" || f.AssignedBefore != 0 || len(f.Targets) != 3 {
		t.Errorf("first fan-out %+v", f)
	}
	var base wf.AssignmentInput
	if err := json.Unmarshal(raw(t, f.Base), &base); err != nil {
		t.Fatal(err)
	}
	if base.Directive.ID != id || len(base.Items) != 2 || len(base.Holidays) != len(hols) || base.Policy.AckWithin != wf.WorkingDays(2) {
		t.Errorf("fan-out base %+v", base)
	}
	for i, tg := range f.Targets {
		var u wf.UnitTarget
		if err := json.Unmarshal(raw(t, tg.Target), &u); err != nil {
			t.Fatal(err)
		}
		if u.UnitCode != in.Targets[i].UnitCode || tg.WorkflowID != wf.AssignmentWorkflowID(id, u.UnitCode) {
			t.Errorf("target %d: %s %+v", i, tg.WorkflowID, u)
		}
	}
	if g := r.fanouts[1]; g.AssignedBefore != 3 || len(g.Targets) != 1 || g.Targets[0].WorkflowID != wf.AssignmentWorkflowID(id, "5003") {
		t.Errorf("second fan-out %+v", g)
	}

	for name, u := range map[string]struct {
		res  *updateResult
		code apperr.Code
	}{"already assigned": {dup, apperr.Conflict}, "listed twice": {twice, apperr.Invalid}, "unknown item": {badItem, apperr.Invalid},
		"amend into the past": {amendPast, apperr.Invalid}} {
		if u.res.rejected == nil {
			t.Errorf("%s: accepted", name)
		} else if got := apperr.CodeOf(wf.AppError(u.res.rejected)); got != u.code {
			t.Errorf("%s: %s, want %s (%v)", name, got, u.code, u.res.rejected)
		}
	}
	if added.rejected != nil || added.progress.UnitsTotal != 4 {
		t.Errorf("add 5003: %v %+v", added.rejected, added.progress)
	}
	if amended.rejected != nil || amended.err != nil {
		t.Errorf("amend: %v %v", amended.rejected, amended.err)
	}

	// Signals: amend to the units carrying item 1, withdraw to all.
	if len(r.signals) != 2 {
		t.Fatalf("signals %d", len(r.signals))
	}
	am := r.signals[0]
	wantAmend := []string{wf.AssignmentWorkflowID(id, "50"), wf.AssignmentWorkflowID(id, "5001"), wf.AssignmentWorkflowID(id, "5003")}
	if am.SignalName != wf.SignalAmend || !slices.Equal(am.WorkflowIDs, wantAmend) {
		t.Errorf("amend signal %s to %v, want %v", am.SignalName, am.WorkflowIDs, wantAmend)
	}
	var fwd wf.AmendInput
	if err := json.Unmarshal(raw(t, am.Arg), &fwd); err != nil {
		t.Fatal(err)
	}
	if fwd.NewDue.At == nil || !fwd.NewDue.At.Equal(bkk(2026, 5, 15, 16, 30)) || fwd.NewDue.Date != nil || fwd.ItemNumber != 1 {
		t.Errorf("forwarded amend %+v", fwd)
	}
	wd := r.signals[1]
	if wd.SignalName != wf.SignalWithdraw || len(wd.WorkflowIDs) != 4 {
		t.Errorf("withdraw signal %+v", wd)
	}
	if withdrawn.progress.Status != models.DirectiveWithdrawn {
		t.Errorf("withdraw result %+v", withdrawn.progress)
	}

	// Persisted: issued with 3 units, then 4, amended due, then withdrawn.
	if len(r.persisted) != 4 {
		t.Fatalf("persist calls %d", len(r.persisted))
	}
	p0, p3 := r.persisted[0], r.persisted[3]
	if p0.Directive.Status != models.DirectiveIssued || p0.Directive.UnitsTotal != 3 || p0.Directive.IssueDate != "2026-04-01" ||
		p0.Directive.DocNumberNorm != "ที่ ยธ 0600/ว 123" || len(p0.Items) != 2 || p0.Items[1].DueWorkingDays == nil || *p0.Items[1].DueWorkingDays != 5 {
		t.Errorf("first persist %+v", p0)
	}
	if d := r.persisted[2].Items[0].DueDate; d == nil || *d != "2026-05-15" {
		t.Errorf("amended item not persisted: %v", d)
	}
	if p3.Directive.Status != models.DirectiveWithdrawn || p3.Directive.StatusReason != "ออกหนังสือผิด" || p3.Directive.UnitsTotal != 4 {
		t.Errorf("last persist %+v", p3.Directive)
	}
}

func TestValidateDirectiveInput(t *testing.T) {
	good := directiveInput(nil)
	if err := wf.ValidateDirectiveInput(good); err != nil {
		t.Fatalf("valid input rejected: %v", err)
	}
	for name, mutate := range map[string]func(*wf.DirectiveInput){
		"id not the key": func(in *wf.DirectiveInput) { in.Directive.ID = "ONCB-x" },
		"no items":       func(in *wf.DirectiveInput) { in.Items = nil },
		"duplicate item": func(in *wf.DirectiveInput) { in.Items[1].Number = 1 },
		"duplicate unit": func(in *wf.DirectiveInput) { in.Targets[1].UnitCode = "50" },
		"unknown item":   func(in *wf.DirectiveInput) { in.Targets[2].ItemNumbers = []int{3} },
		"no ack span":    func(in *wf.DirectiveInput) { in.Policy.AckWithin = wf.Span{} },
		"recurrence with due": func(in *wf.DirectiveInput) {
			in.Items[0].Recurrence = &wf.Recurrence{MonthlyWorkingDay: 5, Until: date(2026, 12, 31)}
		},
		"bad working day": func(in *wf.DirectiveInput) {
			in.Items[1].DueWithin = nil
			in.Items[1].Recurrence = &wf.Recurrence{MonthlyWorkingDay: 0, Until: date(2026, 12, 31)}
		},
	} {
		in := directiveInput(nil)
		mutate(&in)
		err := wf.ValidateDirectiveInput(in)
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestKeysAndSpans(t *testing.T) {
	if got := wf.NormalizeDocNumber("  ที่  ยธ ๐๖๐๐/ว\t๑๒๓ "); got != "ที่ ยธ 0600/ว 123" {
		t.Errorf("normalize: %q", got)
	}
	k1 := wf.DirectiveKey("ONCB", "ยธ 0600/ว 123")
	if k1 != wf.DirectiveKey("ONCB", wf.NormalizeDocNumber("ยธ ๐๖๐๐/ว ๑๒๓")) || !strings.HasPrefix(k1, "ONCB-") || len(k1) != 5+16 {
		t.Errorf("key %q", k1)
	}
	if k1 == wf.DirectiveKey("ONCB", "ยธ 0600/ว 124") || k1 == wf.DirectiveKey("50", "ยธ 0600/ว 123") {
		t.Error("different letters share a key")
	}
	if wf.DirectiveWorkflowID("X") != "directive/X" || wf.AssignmentWorkflowID("X", "5001") != "assignment/X/5001" {
		t.Error("workflow ids")
	}
	for text, want := range map[string]wf.Span{
		"3": {WorkingDays: 3}, "0": {}, "PT30S": {Duration: 30 * time.Second}, "pt1h30m": {Duration: 90 * time.Minute},
		"P2D": {Duration: 48 * time.Hour}, "P1DT0.5S": {Duration: 24*time.Hour + 500*time.Millisecond}, "P1W": {Duration: 7 * 24 * time.Hour},
		// Zero durations are the zero span: level 1 "at the due".
		"PT0S": {}, "pt0s": {}, "P0D": {}, "PT0H0M0.0S": {}, " PT0S ": {},
	} {
		got, err := wf.ParseSpan(text)
		if err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %+v, %v; want %+v", text, got, err, want)
		}
		back, err := wf.ParseSpan(got.String())
		if err != nil || back != got {
			t.Errorf("round trip %q → %q → %+v", text, got.String(), back)
		}
	}
	for _, bad := range []string{"", "-1", "P", "PT", "P1M", "P1Y", "T30S", "PT-5S", "3wd", "-PT0S", "PT0", "PTS", "PT.S", "PT0S0S", "P0DT",
		"PT0.0000000001S", "P99999999999W", "PT0S garbage"} {
		if _, err := wf.ParseSpan(bad); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseSpan(%q) accepted: %v", bad, err)
		}
	}
	b, _ := json.Marshal(wf.Policy{AckWithin: wf.Seconds(30), Reminders: []wf.Span{wf.WorkingDays(3)}})
	if !strings.Contains(string(b), `"ack_within":"PT30S"`) || !strings.Contains(string(b), `"reminders":["3"]`) {
		t.Errorf("policy JSON %s", b)
	}
	var p wf.Policy
	if err := json.Unmarshal(b, &p); err != nil || p.AckWithin != wf.Seconds(30) {
		t.Errorf("policy JSON back %+v %v", p, err)
	}
	d := wf.DefaultPolicy(wf.UrgencyNormal)
	if d.AckWithin != wf.WorkingDays(5) || len(d.Reminders) != 2 || d.Escalations[1] != wf.WorkingDays(2) || d.Escalations[2] != wf.WorkingDays(5) {
		t.Errorf("default policy %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
	d.Escalations[2] = wf.WorkingDays(1)
	if d.Validate() == nil {
		t.Error("escalation going back in time accepted")
	}

	// A policy written in seconds with level 1 at the due (PT0S) is valid;
	// a zero acknowledgement allowance or reminder still is not.
	var drill wf.Policy
	if err := json.Unmarshal([]byte(`{"ack_within":"PT1H","reminders":[],"escalations":["PT0S","PT4S","PT8S"]}`), &drill); err != nil {
		t.Fatalf("drill policy: %v", err)
	}
	if !drill.Escalations[0].IsZero() || drill.Escalations[1] != wf.Seconds(4) || drill.Escalations[2] != wf.Seconds(8) {
		t.Errorf("drill policy parsed as %+v", drill)
	}
	if err := drill.Validate(); err != nil {
		t.Errorf("drill policy rejected: %v", err)
	}
	for name, c := range map[string]struct {
		json, field string
	}{
		"zero ack":      {`{"ack_within":"PT0S","escalations":["PT0S","PT4S","PT8S"]}`, "policy.ack_within"},
		"zero ack days": {`{"ack_within":"0","escalations":["0","1","2"]}`, "policy.ack_within"},
		"zero reminder": {`{"ack_within":"PT1H","reminders":["PT30S","PT0S"],"escalations":["PT0S","PT4S","PT8S"]}`, "policy.reminders[1]"},
		"ladder back":   {`{"ack_within":"PT1H","escalations":["PT0S","PT8S","PT4S"]}`, "policy.escalations[2]"},
	} {
		var p wf.Policy
		if err := json.Unmarshal([]byte(c.json), &p); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		err := p.Validate()
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != c.field {
			t.Errorf("%s: Validate = %v, want invalid %s", name, err, c.field)
		}
	}
}

// TestDirectiveContinueAsNew: with a long history the directive continues
// as new after an update, carrying its targets and fan-out progress; the
// next run neither persists nor fans out again, and withdraws all units.
func TestDirectiveContinueAsNew(t *testing.T) {
	hols := holidays(t)
	start := bkk(2026, 4, 1, 10, 0)
	env, r := newEnv(t, start, hols)
	env.SetCurrentHistoryLength(5000)
	in := directiveInput(hols)
	sendUpdate(env, start, start.Add(time.Minute), wf.UpdateAddTargets,
		wf.AddTargetsInput{Actor: "sec1", Targets: []wf.UnitTarget{{UnitCode: "5003", ParentCode: "50", Region: 15}}})
	env.ExecuteWorkflow(wf.DirectiveWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next wf.DirectiveInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Carry == nil || next.Carry.FannedOut != 4 || len(next.Targets) != 4 || next.Carry.Status != models.DirectiveIssued ||
		!next.Carry.IssuedAt.Equal(start) || len(r.fanouts) != 2 {
		t.Fatalf("carried %+v (targets %d, fan-outs %d)", next.Carry, len(next.Targets), len(r.fanouts))
	}

	env2, r2 := newEnv(t, env.Now(), hols)
	w := sendUpdate(env2, env.Now(), env.Now().Add(time.Hour), wf.UpdateWithdraw, wf.WithdrawInput{Actor: "sec1", Reason: "จบ"})
	env2.ExecuteWorkflow(wf.DirectiveWorkflow, next)
	if err := env2.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(r2.fanouts) != 0 || len(r2.persisted) != 1 || r2.persisted[0].Directive.Status != models.DirectiveWithdrawn {
		t.Errorf("second run: fan-outs %d, persists %+v", len(r2.fanouts), r2.persisted)
	}
	if len(r2.signals) != 1 || len(r2.signals[0].WorkflowIDs) != 4 || w.progress.UnitsAssigned != 4 {
		t.Errorf("second run signals %+v, progress %+v", r2.signals, w.progress)
	}
}

// TestFanOutHandsHolidayYearsToAssignments: the directive looks up the
// years its assignments need at their start once, before the fan-out, and
// hands them over, so an assignment started from the fan-out's input does
// not run LoadHolidays itself, even for a year with no holiday in the table
// (2028 here: the shared list ends with 2027). Before this, each of a
// letter's 955 assignments ran its own lookup.
func TestFanOutHandsHolidayYearsToAssignments(t *testing.T) {
	hols := holidays(t)
	start := bkk(2027, 12, 20, 10, 0)
	env, r := newEnv(t, start, hols)
	in := directiveInput(hols)
	due := date(2028, 1, 31)
	in.Items[0].DueDate = &due
	in.Directive.IssueDate = date(2027, 12, 20)
	withdraw := sendUpdate(env, start, start.Add(time.Hour), wf.UpdateWithdraw, wf.WithdrawInput{Actor: "sec1", Reason: "จบการทดสอบ"})
	env.ExecuteWorkflow(wf.DirectiveWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !withdraw.done || withdraw.err != nil || withdraw.rejected != nil {
		t.Fatalf("withdraw: %+v", withdraw)
	}
	if len(r.loads) != 1 || !slices.Equal(r.loads[0], []int{2028}) {
		t.Fatalf("directive LoadHolidays calls %v, want one for [2028]", r.loads)
	}
	if len(r.fanouts) != 1 {
		t.Fatalf("fan-outs %d", len(r.fanouts))
	}
	var base wf.AssignmentInput
	if err := json.Unmarshal(raw(t, r.fanouts[0].Base), &base); err != nil {
		t.Fatal(err)
	}
	for _, y := range []int{2027, 2028} {
		if !slices.Contains(base.HolidayYears, y) {
			t.Errorf("fan-out base holiday_years %v lacks %d", base.HolidayYears, y)
		}
	}

	// An assignment started from that input at the same moment.
	env2, r2 := newEnv(t, start.Add(time.Minute), hols)
	base.Target = in.Targets[1]
	wd := sendUpdate(env2, start.Add(time.Minute), start.Add(2*time.Minute), wf.UpdateWithdraw, wf.WithdrawInput{Actor: "sec1", Reason: "จบการทดสอบ"})
	env2.ExecuteWorkflow(wf.AssignmentWorkflow, base)
	if err := env2.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !wd.done || wd.err != nil || wd.rejected != nil {
		t.Fatalf("withdraw: %+v", wd)
	}
	if len(r2.loads) != 0 {
		t.Errorf("the assignment looked holidays up itself: %v", r2.loads)
	}
	if r2.saveCount() == 0 {
		t.Error("the assignment saved nothing")
	}
}
