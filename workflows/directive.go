package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// ValidateDirectiveInput checks a DirectiveInput before it is started:
// directive ID equal to DirectiveKey(issuer, normalised number) when a
// number is given, items numbered uniquely with text, each target unit
// listed once and addressing existing items, recurrences well formed, and a
// valid policy. The API should call it and answer 422 itself; the workflow
// calls it again and fails on an invalid input. Errors are *apperr.Error.
func ValidateDirectiveInput(in DirectiveInput) error {
	d := in.Directive
	if strings.TrimSpace(d.ID) == "" {
		return apperr.Field("directive.id", "ต้องระบุรหัสข้อสั่งการ / directive id is required")
	}
	if strings.Contains(d.ID, "/") {
		return apperr.Field("directive.id", "รหัสข้อสั่งการต้องไม่มี / / directive id must not contain '/'")
	}
	if d.DocNumberNorm != "" && d.ID != DirectiveKey(d.IssuerCode, d.DocNumberNorm) {
		return apperr.Field("directive.id", "รหัสข้อสั่งการไม่ตรงกับเลขที่หนังสือ / directive id does not match DirectiveKey(issuer, number)")
	}
	if d.IssueDate.IsZero() || !d.IssueDate.IsValid() {
		return apperr.Field("directive.issue_date", "วันที่ออกหนังสือไม่ถูกต้อง / invalid issue date")
	}
	if strings.TrimSpace(d.Subject) == "" {
		return apperr.Field("directive.subject", "ต้องระบุเรื่อง / subject is required")
	}
	if len(in.Items) == 0 {
		return apperr.Field("items", "ต้องมีอย่างน้อยหนึ่งข้อ / at least one item is required")
	}
	numbers := map[int]bool{}
	for _, it := range in.Items {
		if it.Number <= 0 || numbers[it.Number] {
			return apperr.Field("items", "เลขข้อ %d ซ้ำหรือไม่ถูกต้อง / item number %d is duplicated or invalid", it.Number, it.Number)
		}
		numbers[it.Number] = true
		if it.TextRef == "" && strings.TrimSpace(it.Text) == "" {
			return apperr.Field("items", "ข้อ %d ไม่มีข้อความ / item %d has no text", it.Number, it.Number)
		}
		if r := it.Recurrence; r != nil {
			if r.MonthlyWorkingDay < 1 || r.MonthlyWorkingDay > 23 {
				return apperr.Field("items", "ข้อ %d: วันทำการที่ของเดือนต้องอยู่ระหว่าง 1–23 / item %d: monthly_working_day must be 1–23", it.Number, it.Number)
			}
			if !r.Until.IsValid() || r.Until.Before(d.IssueDate) {
				return apperr.Field("items", "ข้อ %d: วันสิ้นสุดการรายงานไม่ถูกต้อง / item %d: invalid recurrence until date", it.Number, it.Number)
			}
			if it.DueDate != nil || it.DueWithin != nil {
				return apperr.Field("items", "ข้อ %d: รายงานประจำเดือนกำหนดวันครบกำหนดเองไม่ได้ / item %d: a recurring item takes no due", it.Number, it.Number)
			}
		}
		if it.DueDate != nil && it.DueWithin != nil {
			return apperr.Field("items", "ข้อ %d: ระบุวันครบกำหนดได้แบบเดียว / item %d: give due_date or due_within, not both", it.Number, it.Number)
		}
	}
	if err := validateTargets(in.Targets, numbers, nil); err != nil {
		return err
	}
	return in.Policy.Validate()
}

func validateTargets(targets []UnitTarget, numbers map[int]bool, existing map[string]bool) error {
	seen := map[string]bool{}
	for _, t := range targets {
		if strings.TrimSpace(t.UnitCode) == "" || strings.Contains(t.UnitCode, "/") {
			return apperr.Field("targets", "รหัสหน่วยงานไม่ถูกต้อง: %q / invalid unit code %q", t.UnitCode, t.UnitCode)
		}
		if seen[t.UnitCode] {
			return apperr.Field("targets", "หน่วยงาน %s ซ้ำ / unit %s is listed twice", t.UnitCode, t.UnitCode)
		}
		if existing[t.UnitCode] {
			return apperr.New(apperr.Conflict, "หน่วยงาน %s ได้รับข้อสั่งการนี้แล้ว / unit %s is already assigned", t.UnitCode, t.UnitCode).WithDetails(map[string]string{"unit_code": t.UnitCode})
		}
		seen[t.UnitCode] = true
		for _, n := range t.ItemNumbers {
			if !numbers[n] {
				return apperr.Field("targets", "หน่วยงาน %s: ไม่มีข้อ %d / unit %s: no item %d", t.UnitCode, n, t.UnitCode, n)
			}
		}
	}
	return nil
}

// toReject turns an *apperr.Error into a workflow rejection.
func toReject(err error) error {
	if e := apperr.As(err); e != nil {
		return reject(e.Code, e.Field, "%s", e.Message)
	}
	return err
}

// versionFanOutHolidayYears marks the fan-out that hands its assignments
// the holiday years they need (workflow.GetVersion change ID).
const versionFanOutHolidayYears = "fanout-holiday-years"

// DirectiveWorkflow owns one directive: it persists it, starts one
// AssignmentWorkflow per target unit through the FanOut activity (never as
// child workflows, so its history stays small), then serves the amend,
// add_targets and withdraw updates and the progress query until withdrawn.
// It continues as new when its history grows long.
func DirectiveWorkflow(ctx workflow.Context, in DirectiveInput) (DirectiveResult, error) {
	if err := ValidateDirectiveInput(in); err != nil {
		return DirectiveResult{}, temporal.NewNonRetryableApplicationError(err.Error(), string(apperr.CodeOf(err)), err)
	}
	clk, err := newClock(in.Holidays, in.HolidayYears)
	if err != nil {
		return DirectiveResult{}, temporal.NewNonRetryableApplicationError(err.Error(), string(apperr.Invalid), err)
	}
	d := &directive{in: in, clk: clk, mu: workflow.NewMutex(ctx), units: map[string]bool{}}
	for _, t := range in.Targets {
		d.units[t.UnitCode] = true
	}
	if in.Carry != nil {
		d.carry = *in.Carry
	} else {
		d.carry = DirectiveCarry{Status: models.DirectiveIssued, IssuedAt: workflow.Now(ctx)}
	}
	if err := d.register(ctx); err != nil {
		return DirectiveResult{}, err
	}
	if err := d.mu.Lock(ctx); err != nil {
		return DirectiveResult{}, err
	}
	if in.Carry == nil {
		if err := d.persist(ctx); err != nil {
			return DirectiveResult{}, err
		}
	}
	err = d.fanOut(ctx)
	d.mu.Unlock()
	if err != nil {
		return DirectiveResult{}, err
	}
	for d.carry.Status == models.DirectiveIssued {
		seen := d.changed
		if err := workflow.Await(ctx, func() bool { return d.changed != seen }); err != nil {
			return DirectiveResult{}, err
		}
		info := workflow.GetInfo(ctx)
		limit := in.HistoryLimit
		if limit <= 0 {
			limit = DefaultHistoryLimit
		}
		if d.carry.Status == models.DirectiveIssued && (info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > limit) {
			if err := workflow.Await(ctx, func() bool { return d.quiet(ctx) }); err != nil {
				return DirectiveResult{}, err
			}
			if d.carry.Status != models.DirectiveIssued {
				break
			}
			next := d.in
			next.Holidays = d.clk.holidays
			next.HolidayYears = slices.Clone(d.clk.years)
			carry := d.carry
			next.Carry = &carry
			return DirectiveResult{}, workflow.NewContinueAsNewError(ctx, DirectiveWorkflow, next)
		}
	}
	if err := workflow.Await(ctx, func() bool { return d.quiet(ctx) }); err != nil {
		return DirectiveResult{}, err
	}
	return DirectiveResult{DirectiveID: in.Directive.ID, Status: d.carry.Status, Reason: d.reason(),
		UnitsTotal: len(d.in.Targets), UnitsAssigned: d.carry.FannedOut}, nil
}

type directive struct {
	in      DirectiveInput
	carry   DirectiveCarry
	clk     *clock
	mu      workflow.Mutex
	units   map[string]bool // membership only; never ranged over
	changed int
	busy    int
	why     string
}

func (d *directive) reason() string { return d.why }

func (d *directive) quiet(ctx workflow.Context) bool {
	return d.busy == 0 && workflow.AllHandlersFinished(ctx)
}

func (d *directive) progress() DirectiveProgress {
	return DirectiveProgress{
		DirectiveID: d.in.Directive.ID, Status: d.carry.Status, Reason: d.why,
		UnitsTotal: len(d.in.Targets), UnitsAssigned: d.carry.FannedOut,
		FanOutDone: d.carry.FannedOut >= len(d.in.Targets), Items: d.in.Items, IssuedAt: d.carry.IssuedAt,
	}
}

func (d *directive) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (DirectiveProgress, error) { return d.progress(), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAmend, d.amend,
		workflow.UpdateHandlerOptions{Validator: d.validateAmend}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAddTargets, d.addTargets,
		workflow.UpdateHandlerOptions{Validator: d.validateAddTargets}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateWithdraw, d.withdraw,
		workflow.UpdateHandlerOptions{Validator: d.validateWithdraw})
}

// change runs one update under the lock; apply re-validates first.
func (d *directive) change(ctx workflow.Context, apply func(ctx workflow.Context, now time.Time) error) (DirectiveProgress, error) {
	d.busy++
	defer func() { d.busy-- }()
	if err := d.mu.Lock(ctx); err != nil {
		return DirectiveProgress{}, err
	}
	defer d.mu.Unlock()
	if err := apply(ctx, workflow.Now(ctx)); err != nil {
		return DirectiveProgress{}, err
	}
	d.carry.Seq++
	d.changed++
	return d.progress(), nil
}

func (d *directive) row() models.Directive {
	x := d.in.Directive
	return models.Directive{
		ID: x.ID, Source: x.Source, IssuerCode: x.IssuerCode, DocNumber: x.DocNumber, DocNumberNorm: x.DocNumberNorm,
		IssueDate: x.IssueDate.String(), Urgency: string(x.Urgency), Subject: x.Subject, Body: x.Body, MeetingID: x.MeetingID,
		Status: d.carry.Status, StatusReason: d.why, UnitsTotal: len(d.in.Targets), UnitsAssigned: d.carry.FannedOut,
		CreatedBy: x.CreatedBy, CreatedAt: d.carry.IssuedAt.UTC(),
	}
}

// itemRows are the item rows PersistDirective writes; the target and the
// recurrence go as values, which the activity stores as JSON.
func itemRows(items []DirectiveItem) []activities.DirectiveItemInput {
	rows := make([]activities.DirectiveItemInput, 0, len(items))
	for _, it := range items {
		r := models.DirectiveItem{Number: it.Number, Text: it.Text,
			EvidenceRequired: it.EvidenceRequired, ReportInto: it.ReportInto}
		row := activities.DirectiveItemInput{TextRef: it.TextRef, TargetSpec: activities.JSONOf(it.Target)}
		if it.DueDate != nil {
			s := it.DueDate.String()
			r.DueDate = &s
		}
		if it.DueWithin != nil {
			s := it.DueWithin.String()
			r.DueWithin = &s
			if it.DueWithin.Duration == 0 {
				n := it.DueWithin.WorkingDays
				r.DueWorkingDays = &n
			}
		}
		if it.Recurrence != nil {
			row.RecurrenceSpec = activities.JSONOf(*it.Recurrence)
		}
		row.DirectiveItem = r
		rows = append(rows, row)
	}
	return rows
}

func (d *directive) persist(ctx workflow.Context) error {
	var a *activities.Activities
	return workflow.ExecuteLocalActivity(localDBCtx(ctx), a.PersistDirective, activities.PersistDirectiveInput{
		Directive: d.row(), BodyRef: d.in.Directive.BodyRef, Items: itemRows(d.in.Items), Actor: d.in.Actor,
	}).Get(ctx, nil)
}

// fanOut starts the assignment workflows of every target not yet started.
// The caller holds the lock.
func (d *directive) fanOut(ctx workflow.Context) error {
	if d.carry.FannedOut >= len(d.in.Targets) {
		return nil
	}
	x := d.in.Directive
	in := AssignmentInput{
		Directive: DirectiveRef{ID: x.ID, IssuerCode: x.IssuerCode, DocNumber: x.DocNumber, IssueDate: x.IssueDate, Urgency: x.Urgency, Subject: x.Subject},
		Items:     itemsWithoutTargets(d.in.Items), Policy: d.in.Policy, Holidays: d.clk.holidays, Actor: d.in.Actor,
		Revision: AssignmentRevision,
	}
	// Version 1: load the years every assignment needs at its start once,
	// here, and hand them over; before it, each of (say) 955 assignments ran
	// its own LoadHolidays. Histories recorded before keep the old path.
	if workflow.GetVersion(ctx, versionFanOutHolidayYears, workflow.DefaultVersion, 1) == 1 {
		if err := d.clk.ensure(ctx, assignmentStartYears(workflow.Now(ctx), d.in.Items)...); err != nil {
			return err
		}
		in.Holidays, in.HolidayYears = d.clk.holidays, slices.Clone(d.clk.years)
	}
	base := activities.JSONOf(in)
	pending := d.in.Targets[d.carry.FannedOut:]
	targets := make([]activities.FanOutTarget, len(pending))
	for i, t := range pending {
		targets[i] = activities.FanOutTarget{WorkflowID: AssignmentWorkflowID(x.ID, t.UnitCode), Target: activities.JSONOf(t)}
	}
	var a *activities.Activities
	var res activities.FanOutResult
	if err := workflow.ExecuteActivity(bulkCtx(ctx), a.FanOut, activities.FanOutInput{
		DirectiveID: x.ID, WorkflowType: AssignmentWorkflowType, Base: base, TargetField: "target",
		Targets: targets, AssignedBefore: d.carry.FannedOut,
	}).Get(ctx, &res); err != nil {
		return err
	}
	d.carry.FannedOut = len(d.in.Targets)
	return nil
}

// signal forwards a signal to the started assignments that carry item
// (0: all of them).
func (d *directive) signal(ctx workflow.Context, name string, item int, arg any) error {
	var ids []string
	for _, t := range d.in.Targets[:d.carry.FannedOut] {
		if item == 0 || len(t.ItemNumbers) == 0 || slices.Contains(t.ItemNumbers, item) {
			ids = append(ids, AssignmentWorkflowID(d.in.Directive.ID, t.UnitCode))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var a *activities.Activities
	return workflow.ExecuteActivity(bulkCtx(ctx), a.SignalAssignments, activities.SignalInput{
		WorkflowIDs: ids, SignalName: name, Arg: activities.JSONOf(arg),
	}).Get(ctx, nil)
}

func (d *directive) checkIssued() error {
	if d.carry.Status != models.DirectiveIssued {
		return reject(apperr.Conflict, "", "ข้อสั่งการนี้%sแล้ว / this directive is already %s",
			map[models.DirectiveStatus]string{models.DirectiveWithdrawn: "ถูกยกเลิก", models.DirectiveClosed: "ปิด"}[d.carry.Status], d.carry.Status)
	}
	return nil
}

func (d *directive) itemIndex(n int) int {
	for i, it := range d.in.Items {
		if it.Number == n {
			return i
		}
	}
	return -1
}

// ---- amend ----

func (d *directive) validateAmend(ctx workflow.Context, in AmendInput) error {
	if err := d.checkIssued(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้แก้ไข", "actor"); err != nil {
		return err
	}
	i := d.itemIndex(in.ItemNumber)
	if i < 0 {
		return reject(apperr.NotFound, "item_number", "ไม่มีข้อ %d ในข้อสั่งการนี้ / the directive has no item %d", in.ItemNumber, in.ItemNumber)
	}
	if d.in.Items[i].Recurrence != nil {
		return reject(apperr.Invalid, "item_number", "ข้อ %d เป็นรายงานประจำเดือน แก้ไขกำหนดที่งานของแต่ละหน่วยงาน / item %d is recurring; amend it per assignment", in.ItemNumber, in.ItemNumber)
	}
	return validDeadline(workflow.Now(ctx), &in.NewDue, "new_due")
}

// amend changes an item's due for the directive and forwards the resolved
// instant to every started assignment that carries the item.
func (d *directive) amend(ctx workflow.Context, in AmendInput) (DirectiveProgress, error) {
	return d.change(ctx, func(ctx workflow.Context, now time.Time) error {
		if err := d.validateAmend(ctx, in); err != nil {
			return err
		}
		if err := d.clk.ensure(ctx, deadlineYears(now, in.NewDue)...); err != nil {
			return err
		}
		due := d.clk.resolve(now, in.NewDue)
		if !due.After(now) {
			return reject(apperr.Invalid, "new_due", "กำหนดเวลาใหม่ต้องอยู่ในอนาคต / the new due must be in the future")
		}
		it := &d.in.Items[d.itemIndex(in.ItemNumber)]
		date := thaidate.FromTime(due)
		it.DueDate, it.DueWithin = &date, nil
		if err := d.persist(ctx); err != nil {
			return err
		}
		return d.signal(ctx, SignalAmend, in.ItemNumber, AmendInput{
			ItemNumber: in.ItemNumber, NewDue: Deadline{At: &due}, Actor: in.Actor, Reason: in.Reason,
		})
	})
}

// ---- add targets ----

func (d *directive) validateAddTargets(in AddTargetsInput) error {
	if err := d.checkIssued(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้เพิ่มหน่วยงาน", "actor"); err != nil {
		return err
	}
	if len(in.Targets) == 0 {
		return reject(apperr.Invalid, "targets", "ต้องระบุหน่วยงานอย่างน้อยหนึ่งหน่วย / at least one unit is required")
	}
	numbers := map[int]bool{}
	for _, it := range d.in.Items {
		numbers[it.Number] = true
	}
	return toReject(validateTargets(in.Targets, numbers, d.units))
}

func (d *directive) addTargets(ctx workflow.Context, in AddTargetsInput) (DirectiveProgress, error) {
	return d.change(ctx, func(ctx workflow.Context, _ time.Time) error {
		if err := d.validateAddTargets(in); err != nil {
			return err
		}
		d.in.Targets = append(d.in.Targets, in.Targets...)
		for _, t := range in.Targets {
			d.units[t.UnitCode] = true
		}
		if err := d.persist(ctx); err != nil {
			return err
		}
		return d.fanOut(ctx)
	})
}

// ---- withdraw ----

func (d *directive) validateWithdraw(in WithdrawInput) error {
	if err := d.checkIssued(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้ยกเลิก", "actor"); err != nil {
		return err
	}
	return required("reason", in.Reason, "เหตุผลการยกเลิก", "reason")
}

// withdraw marks the directive withdrawn, ends every started assignment
// (signal SignalWithdraw) and lets the workflow complete.
func (d *directive) withdraw(ctx workflow.Context, in WithdrawInput) (DirectiveProgress, error) {
	return d.change(ctx, func(ctx workflow.Context, _ time.Time) error {
		if err := d.validateWithdraw(in); err != nil {
			return err
		}
		d.carry.Status = models.DirectiveWithdrawn
		d.why = in.Reason
		if err := d.persist(ctx); err != nil {
			return err
		}
		return d.signal(ctx, SignalWithdraw, 0, in)
	})
}

// itemsWithoutTargets copies items without their target specs: an
// assignment only needs its own item numbers (UnitTarget.ItemNumbers), and
// a spec naming thousands of units, copied into thousands of assignment
// inputs, made memory grow with the square of the unit count.
func itemsWithoutTargets(items []DirectiveItem) []DirectiveItem {
	out := make([]DirectiveItem, len(items))
	for i, it := range items {
		it.Target = TargetSpec{}
		out[i] = it
	}
	return out
}
