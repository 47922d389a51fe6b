package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// Activity options. Database activities retry without limit (a database
// outage must delay the workflow, never lose a write); only errors of
// non-retryable types stop them.
//
// The short database activities (CommitAssignment, PersistDirective,
// LoadHolidays) run as local activities: in the worker, inside the workflow
// task, recorded as one marker event, with no activity task round trip
// through the server. A local activity needs a schedule-to-close bound;
// dbRetryWindow stands for "without limit". Once its retry back-off grows
// beyond the workflow task timeout the SDK waits on a workflow timer
// between attempts, so a long outage costs a few timer events, not a
// failed workflow. FanOut and SignalAssignments are long, heartbeating
// regular activities.
var (
	dbRetry = &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalidInput, "conflict"},
	}
	dbRetryWindow  = 10 * 365 * 24 * time.Hour
	dbLocalOptions = workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: dbRetryWindow,
		StartToCloseTimeout:    30 * time.Second,
		RetryPolicy:            dbRetry,
	}
	dbActivityOptions = workflow.ActivityOptions{
		ScheduleToCloseTimeout: dbRetryWindow,
		StartToCloseTimeout:    30 * time.Second,
		RetryPolicy:            dbRetry,
	}
	bulkOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		// A worker killed during a fan-out is noticed after this long; the
		// SDK heartbeats at most every 0.8 × this, so it also bounds how much
		// a retry redoes. A batch of 100 starts takes about a second (fault
		// test R1 stalled a minute per kill with one minute here).
		HeartbeatTimeout: 20 * time.Second,
		RetryPolicy:      dbRetry,
	}
)

// localDBCtx is the context of a short database activity run as a local
// activity (workflow.ExecuteLocalActivity).
func localDBCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, dbLocalOptions)
}

func bulkCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, bulkOptions)
}

// AssignmentWorkflow carries one unit's share of one directive from
// assignment to closure. See the package documentation and the message
// types (AcknowledgeInput, ReportInput, ReviewInput, InspectorActionInput,
// AmendInput, WithdrawInput) for its contract. It completes when every
// item is resolved (status closed) or when withdrawn, and continues as new
// with its state when its history grows long.
func AssignmentWorkflow(ctx workflow.Context, in AssignmentInput) (AssignmentResult, error) {
	a, err := newAssignment(ctx, in)
	if err != nil {
		return AssignmentResult{}, err
	}
	if err := a.register(ctx); err != nil {
		return AssignmentResult{}, err
	}
	if in.State == nil {
		if err := a.start(ctx); err != nil {
			return AssignmentResult{}, err
		}
	}
	return a.run(ctx)
}

type assignment struct {
	in      AssignmentInput
	id      string
	s       AssignmentState
	defs    []DirectiveItem
	clk     *clock
	mu      workflow.Mutex
	changed int // bumped by every committed change; wakes the timer loop
	busy    int // handlers and signal processing under way
	signals []workflow.ReceiveChannel
	ready   bool // the initial state is built and saved
	// pending are the commits of revision 3 not yet written by the
	// workflow itself (the API has written those of Updates already, or
	// tried to), oldest first.
	pending []pendingCommit
	// signalled is set by a signal received in the current workflow task
	// (revision 3): such a task is an ordinary one.
	signalled bool
}

// pendingCommit is a commit waiting for the workflow's own write, which is
// due by the time by.
type pendingCommit struct {
	in activities.CommitAssignmentInput
	by time.Time
}

// lazy reports whether this run keeps commits pending (revision 3 on)
// instead of writing them inside the task that made them.
func (a *assignment) lazy() bool { return a.in.Revision >= 3 }

func (a *assignment) flushAfter() time.Duration {
	if a.in.FlushAfter > 0 {
		return a.in.FlushAfter
	}
	return DefaultFlushAfter
}

func newAssignment(ctx workflow.Context, in AssignmentInput) (*assignment, error) {
	if in.Directive.ID == "" || in.Target.UnitCode == "" {
		return nil, temporal.NewNonRetryableApplicationError("AssignmentInput needs directive.id and target.unit_code", string(apperr.Invalid), nil)
	}
	a := &assignment{in: in, id: AssignmentWorkflowID(in.Directive.ID, in.Target.UnitCode), mu: workflow.NewMutex(ctx)}
	for _, it := range in.Items {
		if len(in.Target.ItemNumbers) == 0 || slices.Contains(in.Target.ItemNumbers, it.Number) {
			a.defs = append(a.defs, it)
		}
	}
	slices.SortFunc(a.defs, func(x, y DirectiveItem) int { return x.Number - y.Number })
	years := in.HolidayYears
	if in.State != nil {
		a.s = *in.State
		years = in.State.HolidayYears
		a.ready = true
	}
	clk, err := newClock(in.Holidays, years)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), string(apperr.Invalid), err)
	}
	a.clk = clk
	return a, nil
}

// start initialises the state of a new assignment and persists it.
// It holds the lock throughout, so update handlers wait for it; their
// validators reject with apperr.Unavailable until it is done.
func (a *assignment) start(ctx workflow.Context) error {
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	defer a.mu.Unlock()
	now := workflow.Now(ctx)
	// Revision 1 dates the assignment from the workflow's start event, not
	// from the clock of the workflow task that runs this. If a worker dies
	// after CommitAssignment wrote the row but before its task completed, the
	// task runs again later; with workflow.Now the second commit carried
	// other times and deadlines at the same version, which the versioned
	// upsert (rightly) ignores, so the row kept the lost attempt's values
	// (found by fault test R1, internal/e2e).
	if a.in.Revision >= 1 {
		now = workflow.GetInfo(ctx).WorkflowStartTime
	}
	if err := a.clk.ensure(ctx, assignmentStartYears(now, a.defs)...); err != nil {
		return err
	}
	t := a.in.Target
	a.s = AssignmentState{
		AssignmentID: a.id,
		DirectiveID:  a.in.Directive.ID,
		UnitCode:     t.UnitCode,
		ParentCode:   t.ParentCode,
		Region:       t.Region,
		Status:       models.AssignmentAssigned,
		AssignedAt:   now,
		AckDueAt:     a.clk.deadlineAfter(now, a.in.Policy.AckWithin),
		Items:        []ItemState{},
	}
	before := cloneState(a.s)
	for _, d := range a.defs {
		if d.Recurrence != nil {
			if err := a.openFirstCycle(ctx, d, now); err != nil {
				return err
			}
			continue
		}
		st := ItemState{Number: d.Number, Cycle: 1, Text: d.Text, TextRef: d.TextRef, EvidenceRequired: d.EvidenceRequired,
			Status: models.ItemOpen, OpenedAt: now}
		switch {
		case d.DueDate != nil:
			due := a.clk.dueOn(*d.DueDate)
			st.DueAt = &due
		case d.DueWithin != nil:
			due := a.clk.deadlineAfter(now, *d.DueWithin)
			st.DueAt = &due
		}
		a.resetReminders(&st, now)
		a.s.Items = append(a.s.Items, st)
	}
	a.s.Seq = 1
	fx := &effects{}
	fx.notify(NotifyAssigned, a.unitRecipients(), a.data(nil,
		"ack_due_at", a.s.AckDueAt.Format(time.RFC3339), "ack_due_th", thaidate.FormatDateTimeBE(a.s.AckDueAt)))
	// The first task of a run is an ordinary one: write at once.
	if err := a.commitNow(ctx, now, a.in.Actor, "assign", "", before, fx); err != nil {
		return err
	}
	a.ready = true
	return nil
}

// assignmentStartYears are the calendar years an assignment started at now
// with items defs needs at its start: this year, the next, and the year of
// every fixed due date.
func assignmentStartYears(now time.Time, defs []DirectiveItem) []int {
	y := thaidate.FromTime(now).Year
	years := []int{y, y + 1}
	for _, d := range defs {
		if d.DueDate != nil {
			years = append(years, d.DueDate.Year)
		}
	}
	return years
}

// openFirstCycle opens cycle 1 of a recurring item: the first month from
// now whose due is still ahead.
func (a *assignment) openFirstCycle(ctx workflow.Context, d DirectiveItem, now time.Time) error {
	today := thaidate.FromTime(now)
	y, m := today.Year, today.Month
	for i := 0; i < 2; i++ {
		if err := a.clk.ensure(ctx, monthYears(y, m)...); err != nil {
			return err
		}
		if a.clk.monthlyDue(y, m, d.Recurrence.MonthlyWorkingDay).After(now) {
			break
		}
		y, m = nextMonth(y, m)
	}
	a.s.Items = append(a.s.Items, a.newCycle(d, 1, y, m, now))
	return nil
}

func (a *assignment) newCycle(d DirectiveItem, cycle, y int, m time.Month, now time.Time) ItemState {
	due := a.clk.monthlyDue(y, m, d.Recurrence.MonthlyWorkingDay)
	st := ItemState{Number: d.Number, Cycle: cycle, Text: d.Text, TextRef: d.TextRef, EvidenceRequired: d.EvidenceRequired,
		Recurring: true, Period: fmt.Sprintf("%04d-%02d", y, int(m)), Status: models.ItemOpen, OpenedAt: now, DueAt: &due}
	a.resetReminders(&st, now)
	return st
}

// monthYears lists the years a cycle in month m of year y needs the
// calendar for: its own, and the next one for December (reminders and
// escalations may run into January).
func monthYears(y int, m time.Month) []int {
	if m == time.December {
		return []int{y, y + 1}
	}
	return []int{y}
}

func nextMonth(y int, m time.Month) (int, time.Month) {
	if m == time.December {
		return y + 1, time.January
	}
	return y, m + 1
}

func parsePeriod(p string) (int, time.Month) {
	y, _ := strconv.Atoi(p[:4])
	m, _ := strconv.Atoi(p[5:7])
	return y, time.Month(m)
}

// register installs the query, update and signal handlers.
func (a *assignment) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (AssignmentState, error) { return a.s, nil }); err != nil {
		return err
	}
	type upd struct {
		name    string
		handler any
		valid   any
	}
	for _, u := range []upd{
		{UpdateAcknowledge, a.acknowledge, a.validateAcknowledge},
		{UpdateReport, a.report, a.validateReport},
		{UpdateReview, a.review, a.validateReview},
		{UpdateInspectorAction, a.inspectorAction, a.validateInspectorAction},
		{UpdateAmend, a.amend, a.validateAmend},
		{UpdateWithdraw, a.withdraw, a.validateWithdraw},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.valid}); err != nil {
			return err
		}
	}
	withdrawCh := workflow.GetSignalChannel(ctx, SignalWithdraw)
	amendCh := workflow.GetSignalChannel(ctx, SignalAmend)
	a.signals = []workflow.ReceiveChannel{withdrawCh, amendCh}
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(withdrawCh, func(c workflow.ReceiveChannel, _ bool) {
			var in WithdrawInput
			c.Receive(ctx, &in)
			a.markSignalled()
			a.busy++
			defer func() { a.busy-- }()
			if _, err := a.withdraw(ctx, in); err != nil {
				workflow.GetLogger(ctx).Info("withdraw signal ignored", "error", err)
			}
		})
		sel.AddReceive(amendCh, func(c workflow.ReceiveChannel, _ bool) {
			var in AmendInput
			c.Receive(ctx, &in)
			a.markSignalled()
			a.busy++
			defer func() { a.busy-- }()
			if _, err := a.amend(ctx, in); err != nil {
				workflow.GetLogger(ctx).Info("amend signal ignored", "error", err)
			}
		})
		if a.lazy() {
			flushCh := workflow.GetSignalChannel(ctx, SignalFlush)
			a.signals = append(a.signals, flushCh)
			sel.AddReceive(flushCh, func(c workflow.ReceiveChannel, _ bool) {
				c.Receive(ctx, &FlushInput{})
				a.markSignalled()
				a.changed++ // wake the loop, which writes what is pending
			})
		}
		for {
			sel.Select(ctx)
		}
	})
	return nil
}

// ---- timer loop ----

type evKind int

const (
	evAck evKind = iota
	evPeriodEnd
	evReminder
	evEscalate
)

type event struct {
	at   time.Time
	kind evKind
	idx  int // index into s.Items
	n    int // reminder index or escalation level
}

// nextEvent returns the earliest pending timed event; ties go to the first
// found in state order, which is deterministic.
func (a *assignment) nextEvent() (event, bool) {
	var best event
	ok := false
	consider := func(e event) {
		if !ok || e.at.Before(best.at) {
			best, ok = e, true
		}
	}
	if a.s.Status == models.AssignmentAssigned && !a.s.AckOverdue {
		consider(event{at: a.s.AckDueAt, kind: evAck, idx: -1})
	}
	if a.s.Status == models.AssignmentClosed || a.s.Status == models.AssignmentWithdrawn {
		return best, false
	}
	for i := range a.s.Items {
		st := &a.s.Items[i]
		if st.Recurring && !st.PeriodEnded && a.latestCycle(st.Number) == i {
			y, m := parsePeriod(st.Period)
			y, m = nextMonth(y, m)
			consider(event{at: monthStart(y, m), kind: evPeriodEnd, idx: i})
		}
		if !st.Status.AwaitingReport() || st.DueAt == nil {
			continue
		}
		if rts := a.reminderTimes(*st.DueAt); st.RemindersSent < len(rts) {
			consider(event{at: rts[st.RemindersSent], kind: evReminder, idx: i, n: st.RemindersSent})
		}
		if st.EscalationLevel < len(a.in.Policy.Escalations) {
			consider(event{at: a.clk.noticeAfter(*st.DueAt, a.in.Policy.Escalations[st.EscalationLevel]),
				kind: evEscalate, idx: i, n: st.EscalationLevel + 1})
		}
	}
	return best, ok
}

func (a *assignment) reminderTimes(due time.Time) []time.Time {
	out := make([]time.Time, 0, len(a.in.Policy.Reminders))
	for _, r := range a.in.Policy.Reminders {
		out = append(out, a.clk.noticeBefore(due, r))
	}
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	return out
}

// resetReminders skips the reminders of the current due that are already
// in the past, so a due set late does not send a burst of stale reminders.
func (a *assignment) resetReminders(st *ItemState, now time.Time) {
	st.RemindersSent = 0
	if st.DueAt == nil {
		return
	}
	for _, t := range a.reminderTimes(*st.DueAt) {
		if !t.After(now) {
			st.RemindersSent++
		}
	}
}

func (a *assignment) latestCycle(number int) int {
	idx := -1
	for i, st := range a.s.Items {
		if st.Number == number && (idx < 0 || st.Cycle > a.s.Items[idx].Cycle) {
			idx = i
		}
	}
	return idx
}

func (a *assignment) ended() bool {
	return a.s.Status == models.AssignmentClosed || a.s.Status == models.AssignmentWithdrawn
}

// resolved reports whether nothing is left to do: every item cycle final
// and no recurring item with a period still running.
func (a *assignment) resolved() bool {
	for i, st := range a.s.Items {
		if !st.Status.Final() {
			return false
		}
		if st.Recurring && !st.PeriodEnded && a.latestCycle(st.Number) == i {
			return false
		}
	}
	return true
}

func (a *assignment) historyLimit() int {
	if a.in.HistoryLimit > 0 {
		return a.in.HistoryLimit
	}
	return DefaultHistoryLimit
}

// markSignalled records (revision 3) that the current workflow task
// delivered a signal, so it is an ordinary task in which the loop may write.
func (a *assignment) markSignalled() {
	if a.lazy() {
		a.signalled = true
	}
}

func (a *assignment) run(ctx workflow.Context) (AssignmentResult, error) {
	if a.lazy() {
		return a.runLazy(ctx)
	}
	cycleOpened := false
	for !a.ended() {
		now := workflow.Now(ctx)
		if a.resolved() {
			if err := a.closeAll(ctx); err != nil {
				return AssignmentResult{}, err
			}
			continue
		}
		if ev, ok := a.nextEvent(); ok && !ev.at.After(now) {
			fired, err := a.fireDue(ctx)
			if err != nil {
				return AssignmentResult{}, err
			}
			cycleOpened = cycleOpened || fired == evPeriodEnd
			continue
		}
		info := workflow.GetInfo(ctx)
		if info.GetContinueAsNewSuggested() || (cycleOpened && info.GetCurrentHistoryLength() > a.historyLimit()) {
			if a.quiet(ctx) {
				return AssignmentResult{}, a.continueAsNew(ctx)
			}
			if err := workflow.Await(ctx, func() bool { return a.quiet(ctx) }); err != nil {
				return AssignmentResult{}, err
			}
			continue
		}
		seen := a.changed
		woken := func() bool { return a.changed != seen }
		ev, ok := a.nextEvent()
		var err error
		if ok {
			_, err = workflow.AwaitWithTimeout(ctx, ev.at.Sub(now), woken)
		} else {
			err = workflow.Await(ctx, woken)
		}
		if err != nil {
			return AssignmentResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return a.quiet(ctx) }); err != nil {
		return AssignmentResult{}, err
	}
	return AssignmentResult{State: a.s}, nil
}

// runLazy is run for revision 3 on. The loop writes to the database (a
// local activity) only in an ordinary workflow task: the first task of the
// run, one in which a timer fired, or one that delivered a signal. Such a
// task is recorded in the history before the worker runs it. An Update may
// instead arrive in a speculative task that the server can still discard
// (temporalio/temporal#7741); a write made there could describe a change
// the workflow never made. So a change made in a task that may be
// speculative waits in a.pending: an Update's until the next ordinary task
// or FlushAfter (the API has written it already), a timed change's (a
// reminder, an escalation, closing) until the next ordinary task, which a
// one-millisecond timer brings about a second later. The workflow neither
// continues as new nor completes with anything pending.
func (a *assignment) runLazy(ctx workflow.Context) (AssignmentResult, error) {
	cycleOpened := false
	safe := true // the first task of a run is an ordinary one
	for {
		if a.signalled {
			safe, a.signalled = true, false
		}
		if safe && len(a.pending) > 0 {
			if err := a.flush(ctx); err != nil {
				return AssignmentResult{}, err
			}
			continue
		}
		now := workflow.Now(ctx)
		waitQuiet := false
		switch {
		case a.ended():
			if len(a.pending) == 0 && a.quiet(ctx) {
				return AssignmentResult{State: a.s}, nil
			}
			waitQuiet = true
		case a.resolved():
			if err := a.closeAll(ctx); err != nil {
				return AssignmentResult{}, err
			}
			continue
		default:
			if ev, ok := a.nextEvent(); ok && !ev.at.After(now) {
				fired, err := a.fireDue(ctx)
				if err != nil {
					return AssignmentResult{}, err
				}
				cycleOpened = cycleOpened || fired == evPeriodEnd
				continue
			}
			info := workflow.GetInfo(ctx)
			if info.GetContinueAsNewSuggested() || (cycleOpened && info.GetCurrentHistoryLength() > a.historyLimit()) {
				if len(a.pending) == 0 && a.quiet(ctx) {
					return AssignmentResult{}, a.continueAsNew(ctx)
				}
				waitQuiet = true
			}
		}
		// Sleep until the next timed event, the pending commits' due, a
		// change or a signal (or, when waiting to finish, quiet).
		var wake time.Time
		has := false
		if ev, ok := a.nextEvent(); ok && !a.ended() {
			wake, has = ev.at, true
		}
		for _, p := range a.pending {
			if !has || p.by.Before(wake) {
				wake, has = p.by, true
			}
		}
		seen := a.changed
		woken := func() bool {
			return a.changed != seen || a.signalled || (waitQuiet && len(a.pending) == 0 && a.quiet(ctx))
		}
		if !has {
			if err := workflow.Await(ctx, woken); err != nil {
				return AssignmentResult{}, err
			}
			safe = false
			continue
		}
		// At least a millisecond: a timer is what brings an ordinary task
		// when something is already due in a task that may be speculative.
		ok, err := workflow.AwaitWithTimeout(ctx, max(wake.Sub(now), time.Millisecond), woken)
		if err != nil {
			return AssignmentResult{}, err
		}
		safe = !ok // the timer fired in this task
	}
}

// flush writes the pending commits, oldest first, one local activity each,
// and forgets them. Callers run it only in an ordinary workflow task.
func (a *assignment) flush(ctx workflow.Context) error {
	var acts *activities.Activities
	for len(a.pending) > 0 {
		if err := workflow.ExecuteLocalActivity(localDBCtx(ctx), acts.CommitAssignment, a.pending[0].in).Get(ctx, nil); err != nil {
			return err
		}
		a.pending = a.pending[1:]
	}
	return nil
}

// continueAsNew is the error that continues the run as new with the
// current state and calendar (the caller has checked that nothing is in
// progress or pending).
func (a *assignment) continueAsNew(ctx workflow.Context) error {
	in := a.in
	in.Holidays = a.clk.holidays
	st := cloneState(a.s)
	st.HolidayYears = slices.Clone(a.clk.years)
	in.State = &st
	return workflow.NewContinueAsNewError(ctx, AssignmentWorkflow, in)
}

// quiet reports whether no handler or signal is in progress or pending.
func (a *assignment) quiet(ctx workflow.Context) bool {
	if a.busy > 0 || !workflow.AllHandlersFinished(ctx) {
		return false
	}
	for _, c := range a.signals {
		if c.Len() > 0 {
			return false
		}
	}
	return true
}

// fireDue fires the earliest event if it is due (re-checked under the
// lock, since a handler may have changed the state).
func (a *assignment) fireDue(ctx workflow.Context) (evKind, error) {
	if err := a.mu.Lock(ctx); err != nil {
		return 0, err
	}
	defer a.mu.Unlock()
	now := workflow.Now(ctx)
	ev, ok := a.nextEvent()
	if !ok || ev.at.After(now) {
		return -1, nil
	}
	before := cloneState(a.s)
	a.s.Seq++
	fx := &effects{}
	var action string
	switch ev.kind {
	case evAck:
		action = "ack_overdue"
		a.s.AckOverdue = true
		fx.notify(NotifyAckOverdue, a.unitRecipients(), a.data(nil,
			"ack_due_at", a.s.AckDueAt.Format(time.RFC3339), "ack_due_th", thaidate.FormatDateTimeBE(a.s.AckDueAt)))
	case evReminder:
		action = "reminder"
		st := &a.s.Items[ev.idx]
		st.RemindersSent++
		fx.notify(NotifyReminder, a.unitRecipients(), a.data(st, "reminder", strconv.Itoa(ev.n+1)))
	case evEscalate:
		action = "escalate"
		st := &a.s.Items[ev.idx]
		a.escalate(st, ev.n, now, fx)
	case evPeriodEnd:
		action = "period_end"
		if err := a.endPeriod(ctx, ev.idx, now, fx); err != nil {
			return 0, err
		}
	}
	return ev.kind, a.commit(ctx, now, "system", action, "", before, fx)
}

func (a *assignment) escalate(st *ItemState, level int, now time.Time, fx *effects) {
	st.EscalationLevel = level
	st.Overdue = true
	id := EscalationID(a.id, st.Number, st.Cycle, level, st.DueRound)
	rcpt := a.escalationRecipients(level)
	reason := fmt.Sprintf("ข้อ %d เลยกำหนด %s (ระดับ %d) / item %d overdue since %s (level %d)",
		st.Number, thaidate.FormatDateTimeBE(*st.DueAt), level, st.Number, st.DueAt.UTC().Format(time.RFC3339), level)
	st.OpenEscalations = append(st.OpenEscalations, id)
	fx.open = append(fx.open, activities.OpenEscalation{Escalation: models.Escalation{
		ID: id, AssignmentID: a.id, ItemNumber: st.Number, Cycle: st.Cycle, Level: level, Reason: reason,
		Region: a.s.Region, UnitCode: a.s.UnitCode, OpenedAt: now.UTC(),
	}, To: rcpt})
	data := a.data(st, "level", strconv.Itoa(level), "escalation_id", id)
	if level == 1 {
		fx.notify(NotifyOverdue, rcpt, data)
	} else {
		fx.notify(NotifyEscalation, rcpt, data)
	}
}

// endPeriod ends the month of a recurring item's latest cycle: a cycle
// still waiting for a report lapses, and the next month's cycle opens if
// its due is on or before Recurrence.Until.
func (a *assignment) endPeriod(ctx workflow.Context, idx int, now time.Time, fx *effects) error {
	st := &a.s.Items[idx]
	st.PeriodEnded = true
	if st.Status.AwaitingReport() {
		st.Status = models.ItemLapsed
		st.Reason = "lapsed"
		a.closeEscalations(st, now, "lapsed", fx)
	}
	d := a.def(st.Number)
	if d == nil || d.Recurrence == nil {
		return nil
	}
	y, m := nextMonth(parsePeriod(st.Period))
	if err := a.clk.ensure(ctx, monthYears(y, m)...); err != nil {
		return err
	}
	due := a.clk.monthlyDue(y, m, d.Recurrence.MonthlyWorkingDay)
	if thaidate.FromTime(due).After(d.Recurrence.Until) {
		return nil
	}
	next := a.newCycle(*d, st.Cycle+1, y, m, now)
	a.s.Items = append(a.s.Items, next)
	sortItems(a.s.Items)
	fx.notify(NotifyCycleOpened, a.unitRecipients(), a.data(&next))
	return nil
}

func sortItems(items []ItemState) {
	slices.SortStableFunc(items, func(x, y ItemState) int {
		if x.Number != y.Number {
			return x.Number - y.Number
		}
		return x.Cycle - y.Cycle
	})
}

func (a *assignment) closeAll(ctx workflow.Context) error {
	if err := a.mu.Lock(ctx); err != nil {
		return err
	}
	defer a.mu.Unlock()
	if a.ended() || !a.resolved() {
		return nil
	}
	now := workflow.Now(ctx)
	before := cloneState(a.s)
	a.s.Seq++
	a.s.Status = models.AssignmentClosed
	a.s.CloseReason = "completed"
	a.s.ClosedAt = &now
	return a.commit(ctx, now, "system", "close", "", before, &effects{})
}

// ---- recipients and notification data ----

func (a *assignment) unitRecipients() notify.RecipientSpec {
	return notify.RecipientSpec{UnitCodes: []string{a.s.UnitCode}}
}

func (a *assignment) isProvince() bool {
	t := a.in.Target
	return t.Type == models.UnitProvince || (t.Type == "" && t.ParentCode == models.NationalUnitCode)
}

// escalationRecipients: level 1 the unit itself; level 2 the head of the
// parent (a district's province centre; a province's governor, vice
// governors and ปลัดจังหวัด; otherwise the parent unit, or the secretariat
// when there is none); level 3 the MOI inspectors of the unit's region.
func (a *assignment) escalationRecipients(level int) notify.RecipientSpec {
	switch level {
	case 1:
		return a.unitRecipients()
	case 2:
		switch {
		case a.isProvince():
			return notify.RecipientSpec{UnitPositions: []notify.UnitPositions{{UnitCode: a.s.UnitCode, Positions: notify.HeadPositions}}}
		case a.s.ParentCode != "" && a.s.ParentCode != models.NationalUnitCode:
			return notify.RecipientSpec{UnitCodes: []string{a.s.ParentCode}}
		}
		return notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleSecretariat}}}
	}
	region := a.s.Region
	return notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleInspector, Region: &region}}}
}

// data is the data of a notification about the assignment (and item st,
// unless nil); kv adds keys and values in pairs (a list rather than a map,
// as workflow code must not range over maps).
func (a *assignment) data(st *ItemState, kv ...string) map[string]string {
	d := a.in.Directive
	m := map[string]string{
		"directive_id":  d.ID,
		"assignment_id": a.id,
		"unit_code":     a.s.UnitCode,
		"subject":       d.Subject,
		"doc_number":    d.DocNumber,
		"urgency":       string(d.Urgency),
	}
	if st != nil {
		m["item"] = strconv.Itoa(st.Number)
		m["cycle"] = strconv.Itoa(st.Cycle)
		if st.TextRef != "" {
			m["item_text_ref"] = string(st.TextRef)
		} else {
			m["item_text"] = st.Text
		}
		if st.DueAt != nil {
			m["due_at"] = st.DueAt.UTC().Format(time.RFC3339)
			m["due_th"] = thaidate.FormatDateTimeBE(*st.DueAt)
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// ---- committing changes ----

type note struct {
	kind string
	to   notify.RecipientSpec
	data map[string]string
}

type effects struct {
	notes   []note
	open    []activities.OpenEscalation
	actions []models.EscalationAction
	close   []activities.EscalationClose
	reports []activities.ReportRow
}

func (fx *effects) notify(kind string, to notify.RecipientSpec, data map[string]string) {
	fx.notes = append(fx.notes, note{kind: kind, to: to, data: data})
}

func (a *assignment) closeEscalations(st *ItemState, now time.Time, reason string, fx *effects) {
	for _, id := range st.OpenEscalations {
		fx.close = append(fx.close, activities.EscalationClose{ID: id, At: now.UTC(), Reason: reason})
	}
	st.OpenEscalations = nil
}

// refresh recomputes the derived flags.
func (a *assignment) refresh(now time.Time) {
	overdue := a.s.Status == models.AssignmentAssigned && a.s.AckOverdue
	level := 0
	for i := range a.s.Items {
		st := &a.s.Items[i]
		st.Overdue = st.Status.AwaitingReport() && st.DueAt != nil && !now.Before(*st.DueAt)
		if st.Overdue {
			overdue = true
		}
		if st.Status.AwaitingReport() {
			level = max(level, st.EscalationLevel)
		}
	}
	if a.ended() {
		overdue, level = false, 0
	}
	a.s.Overdue, a.s.EscalationLevel = overdue, level
}

// eventView is what an assignment_events row records before and after a
// change: the assignment header and the items that changed.
type eventView struct {
	Status          models.AssignmentStatus `json:"status"`
	AcknowledgedBy  string                  `json:"acknowledged_by,omitempty"`
	AckOverdue      bool                    `json:"ack_overdue,omitempty"`
	Overdue         bool                    `json:"overdue,omitempty"`
	EscalationLevel int                     `json:"escalation_level,omitempty"`
	Items           []ItemState             `json:"items,omitempty"`
	Note            string                  `json:"note,omitempty"`
}

// viewOf is the event view of s with items; CommitAssignment stores it as
// JSON.
func viewOf(s AssignmentState, items []ItemState, note string) activities.JSON {
	return activities.JSONOf(eventView{Status: s.Status, AcknowledgedBy: s.AcknowledgedBy, AckOverdue: s.AckOverdue,
		Overdue: s.Overdue, EscalationLevel: s.EscalationLevel, Items: items, Note: note})
}

// commit persists the change from before to the current state (Seq must
// already be incremented), as commitNow does; from revision 3 on it only
// queues the commit in a.pending, due at once, for the loop to write in an
// ordinary workflow task. It wakes the timer loop.
func (a *assignment) commit(ctx workflow.Context, now time.Time, actor, action, note string, before AssignmentState, fx *effects) error {
	if a.lazy() {
		a.pending = append(a.pending, pendingCommit{in: a.commitInput(now, actor, action, note, before, fx), by: now})
		a.changed++
		return nil
	}
	return a.commitNow(ctx, now, actor, action, note, before, fx)
}

// commitNow persists the change from before to the current state (Seq
// must already be incremented) with ONE local activity, CommitAssignment,
// in one database transaction: the assignment and changed item rows with
// an event row, the reports, the escalation rows and the notifications. It
// wakes the timer loop.
func (a *assignment) commitNow(ctx workflow.Context, now time.Time, actor, action, note string, before AssignmentState, fx *effects) error {
	in := a.commitInput(now, actor, action, note, before, fx)
	var acts *activities.Activities
	if err := workflow.ExecuteLocalActivity(localDBCtx(ctx), acts.CommitAssignment, in).Get(ctx, nil); err != nil {
		return err
	}
	a.changed++
	return nil
}

// commitInput is everything the change from before to the current state
// writes: the assignment row, the changed items, the event with its
// before/after views, and the effects (reports, escalations, outbox).
func (a *assignment) commitInput(now time.Time, actor, action, note string, before AssignmentState, fx *effects) activities.CommitAssignmentInput {
	a.refresh(now)
	seq := a.s.Seq
	var changedBefore, changedAfter []ItemState
	var rows []models.AssignmentItem
	for _, st := range a.s.Items {
		var old *ItemState
		for i := range before.Items {
			if before.Items[i].Number == st.Number && before.Items[i].Cycle == st.Cycle {
				old = &before.Items[i]
			}
		}
		if old != nil && sameItem(*old, st) {
			continue
		}
		if old != nil {
			changedBefore = append(changedBefore, *old)
		}
		changedAfter = append(changedAfter, cloneItem(st)) // the activity reads it in another goroutine
		rows = append(rows, a.itemRow(st, now))
	}
	ev := &activities.EventRow{
		AssignmentEvent: models.AssignmentEvent{
			ID: a.id + "/e/" + strconv.FormatInt(seq, 10), Seq: seq, Actor: actor, Action: action, At: now.UTC(),
		},
		AfterView: viewOf(a.s, changedAfter, note),
	}
	if before.Seq > 0 {
		ev.BeforeView = viewOf(before, changedBefore, "")
	}
	in := activities.CommitAssignmentInput{
		Assignment:        a.row(now),
		Items:             rows,
		Reports:           fx.reports,
		Event:             ev,
		OpenEscalations:   fx.open,
		EscalationActions: fx.actions,
		CloseEscalations:  fx.close,
	}
	for k, n := range fx.notes {
		id := a.id + "/n/" + strconv.FormatInt(seq, 10)
		if k > 0 {
			id += "/" + strconv.Itoa(k)
		}
		in.Notifications = append(in.Notifications, activities.NotificationInput{
			ID: id, Kind: n.kind, Recipients: n.to, Template: n.kind, Language: NotificationLangTH, Data: n.data, CreatedAt: now.UTC(),
		})
	}
	return in
}

func (a *assignment) row(now time.Time) models.Assignment {
	s := a.s
	return models.Assignment{
		ID: a.id, DirectiveID: s.DirectiveID, UnitCode: s.UnitCode, ParentCode: s.ParentCode, Region: s.Region,
		Status: s.Status, AckDueAt: s.AckDueAt.UTC(), AcknowledgedAt: utcPtr(s.AcknowledgedAt),
		AcknowledgedBy: s.AcknowledgedBy, Overdue: s.Overdue, EscalationLevel: s.EscalationLevel,
		CloseReason: s.CloseReason, Version: s.Seq, CreatedAt: s.AssignedAt.UTC(), UpdatedAt: now.UTC(),
	}
}

func (a *assignment) itemRow(st ItemState, now time.Time) models.AssignmentItem {
	return models.AssignmentItem{
		AssignmentID: a.id, ItemNumber: st.Number, Cycle: st.Cycle, Status: st.Status, DueAt: utcPtr(st.DueAt),
		ReportedAt: utcPtr(st.ReportedAt), EscalationLevel: st.EscalationLevel, Reason: st.Reason,
		Version: a.s.Seq, UpdatedAt: now.UTC(),
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ---- copying and comparing state ----
//
// Explicit code, not a JSON round trip (workflow code must not call
// encoding/json). A field added to AssignmentState, ItemState or ReportRef
// must be added here too; TestCloneStateCoversEveryField fails until it is.

// cloneState returns a deep copy of s: no slice or pointer is shared.
func cloneState(s AssignmentState) AssignmentState {
	out := s
	out.AcknowledgedAt = clonePtr(s.AcknowledgedAt)
	out.ClosedAt = clonePtr(s.ClosedAt)
	out.HolidayYears = slices.Clone(s.HolidayYears)
	if s.Items != nil {
		out.Items = make([]ItemState, len(s.Items))
		for i, st := range s.Items {
			out.Items[i] = cloneItem(st)
		}
	}
	return out
}

func cloneItem(st ItemState) ItemState {
	out := st
	out.DueAt = clonePtr(st.DueAt)
	out.ReportedAt = clonePtr(st.ReportedAt)
	out.OpenEscalations = slices.Clone(st.OpenEscalations)
	if st.Reports != nil {
		out.Reports = make([]ReportRef, len(st.Reports))
		for i, r := range st.Reports {
			r.Decision = clonePtr(r.Decision)
			r.DecidedAt = clonePtr(r.DecidedAt)
			out.Reports[i] = r
		}
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// sameItem reports whether two item states are equal: instants compare as
// instants, and a nil slice equals an empty one (as in their JSON).
func sameItem(x, y ItemState) bool {
	return x.Number == y.Number && x.Cycle == y.Cycle && x.Text == y.Text && x.TextRef == y.TextRef &&
		x.EvidenceRequired == y.EvidenceRequired && x.Recurring == y.Recurring && x.Period == y.Period &&
		x.PeriodEnded == y.PeriodEnded && x.Status == y.Status && x.OpenedAt.Equal(y.OpenedAt) &&
		sameTime(x.DueAt, y.DueAt) && x.DueRound == y.DueRound && x.RemindersSent == y.RemindersSent &&
		x.Overdue == y.Overdue && x.EscalationLevel == y.EscalationLevel &&
		slices.Equal(x.OpenEscalations, y.OpenEscalations) && sameTime(x.ReportedAt, y.ReportedAt) &&
		x.Reason == y.Reason && slices.EqualFunc(x.Reports, y.Reports, sameReport)
}

func sameReport(x, y ReportRef) bool {
	return x.ReportID == y.ReportID && x.SubmittedBy == y.SubmittedBy && x.SubmittedAt.Equal(y.SubmittedAt) &&
		x.Evidence == y.Evidence && (x.Decision == nil) == (y.Decision == nil) &&
		(x.Decision == nil || *x.Decision == *y.Decision) && x.DecidedBy == y.DecidedBy &&
		sameTime(x.DecidedAt, y.DecidedAt) && x.Reason == y.Reason
}

func sameTime(x, y *time.Time) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Equal(*y)
}

func (a *assignment) def(number int) *DirectiveItem {
	for i := range a.defs {
		if a.defs[i].Number == number {
			return &a.defs[i]
		}
	}
	return nil
}
