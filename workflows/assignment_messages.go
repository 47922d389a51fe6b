package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// This file holds the validators and handlers of AssignmentWorkflow's
// updates. A validator only reads the state; the handler takes the lock,
// validates again (the state may have changed while it waited), mutates,
// persists with CommitAssignment and only then returns the new state, so the
// API can read its own write.

// change runs one state change under the lock: apply validates and
// mutates (it must return an error before mutating anything it cannot
// finish), then the change is committed. On error the state is restored.
//
// Revision 2 commits with a regular activity, scheduled by the task that
// accepts the change, and returns the commit with the result, for the API
// to write too. An Update first runs in a speculative workflow task that
// the server may discard (e.g. under a burst of concurrent Updates,
// temporalio/temporal#7741); a local activity run there had already
// written a change the workflow then never made (fault test R5: the
// database said "acknowledged", the workflow did not). An activity only
// runs once its scheduling task is recorded, and the Update's result only
// reaches the API once the Update is recorded as completed, so neither
// write can be a phantom. The API writes at once, so the caller reads its
// own write; the activity writes the same rows (same version and IDs, so
// whichever lands second changes nothing) and covers an API that died in
// between. Earlier revisions commit with a local activity before
// returning.
func (a *assignment) change(ctx workflow.Context, actor, action, note string,
	apply func(ctx workflow.Context, now time.Time, fx *effects) (noop bool, err error)) (AssignmentUpdateResult, error) {
	a.busy++
	defer func() { a.busy-- }()
	if err := a.mu.Lock(ctx); err != nil {
		return AssignmentUpdateResult{}, err
	}
	defer a.mu.Unlock()
	now := workflow.Now(ctx)
	before := cloneState(a.s)
	a.s.Seq++
	fx := &effects{}
	noop, err := apply(ctx, now, fx)
	if err != nil || noop {
		a.s = before
		return AssignmentUpdateResult{AssignmentState: a.s}, err
	}
	if a.lazy() {
		// Revision 3: the caller writes the commit it gets back; the
		// workflow writes it too, later, in an ordinary task (runLazy).
		in := a.commitInput(now, actor, action, note, before, fx)
		a.pending = append(a.pending, pendingCommit{in: in, by: now.Add(a.flushAfter())})
		a.changed++
		return AssignmentUpdateResult{AssignmentState: a.s, Commit: &in}, nil
	}
	if a.in.Revision >= 2 {
		in := a.commitInput(now, actor, action, note, before, fx)
		a.commitLater(ctx, in)
		return AssignmentUpdateResult{AssignmentState: a.s, Commit: &in}, nil
	}
	if err := a.commit(ctx, now, actor, action, note, before, fx); err != nil {
		return AssignmentUpdateResult{}, err
	}
	return AssignmentUpdateResult{AssignmentState: a.s}, nil
}

// commitLater runs CommitAssignment as a regular activity without waiting
// for it; a.busy counts it until it ends, so the workflow neither completes
// nor continues as new with a commit outstanding. Commits may land out of
// order: rows are versioned and events keyed by sequence number.
func (a *assignment) commitLater(ctx workflow.Context, in activities.CommitAssignmentInput) {
	var acts *activities.Activities
	f := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, dbActivityOptions), acts.CommitAssignment, in)
	a.busy++
	a.changed++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { a.busy-- }()
		if err := f.Get(ctx, nil); err != nil {
			// Only invalid input ends the retries. For an Update the API has
			// written the same commit (or logged why it could not).
			workflow.GetLogger(ctx).Error("commit failed for good", "seq", in.Event.Seq, "error", err)
		}
	})
}

func (a *assignment) checkOpen() error {
	if !a.ready {
		return reject(apperr.Unavailable, "", "งานนี้กำลังเริ่มต้น กรุณาลองใหม่อีกครั้ง / the assignment is still starting; try again")
	}
	switch a.s.Status {
	case models.AssignmentWithdrawn:
		return reject(apperr.Conflict, "", "ข้อสั่งการนี้ถูกยกเลิกแล้ว ไม่สามารถดำเนินการได้ / the directive was withdrawn; nothing can be changed")
	case models.AssignmentClosed:
		return reject(apperr.Conflict, "", "งานนี้ปิดแล้ว ไม่สามารถดำเนินการได้ / this assignment is closed; nothing can be changed")
	}
	return nil
}

func (a *assignment) checkUnit(unit string) error {
	if unit != a.s.UnitCode {
		return reject(apperr.Forbidden, "unit_code",
			"หน่วยงาน %q ไม่ใช่ผู้รับข้อสั่งการนี้ (ผู้รับคือ %q) / unit %q is not the assignee of this assignment (%q)",
			unit, a.s.UnitCode, unit, a.s.UnitCode)
	}
	return nil
}

func required(field, value, th, en string) error {
	if strings.TrimSpace(value) == "" {
		return reject(apperr.Invalid, field, "ต้องระบุ%s / %s is required", th, en)
	}
	return nil
}

// findItem returns the index of item number's cycle; cycle 0 picks the
// latest cycle with a status accepted by prefer, else the latest cycle.
func (a *assignment) findItem(number, cycle int, prefer func(models.ItemStatus) bool) (int, error) {
	if a.def(number) == nil && a.latestCycle(number) < 0 {
		return -1, reject(apperr.NotFound, "item_number", "ไม่มีข้อ %d ในงานนี้ / item %d is not part of this assignment", number, number)
	}
	best := -1
	for i, st := range a.s.Items {
		if st.Number != number {
			continue
		}
		if cycle > 0 {
			if st.Cycle == cycle {
				return i, nil
			}
			continue
		}
		if prefer(st.Status) && (best < 0 || st.Cycle > a.s.Items[best].Cycle) {
			best = i
		}
	}
	if cycle > 0 {
		return -1, reject(apperr.NotFound, "cycle", "ไม่มีรอบที่ %d ของข้อ %d / item %d has no cycle %d", cycle, number, number, cycle)
	}
	if best < 0 {
		best = a.latestCycle(number)
	}
	if best < 0 {
		return -1, reject(apperr.NotFound, "item_number", "ไม่มีข้อ %d ในงานนี้ / item %d is not part of this assignment", number, number)
	}
	return best, nil
}

func statusConflict(st ItemState) error {
	switch st.Status {
	case models.ItemReported:
		return reject(apperr.Conflict, "item_number", "ข้อ %d รายงานแล้ว อยู่ระหว่างการพิจารณา / item %d is already reported and awaiting review", st.Number, st.Number)
	case models.ItemAccepted:
		return reject(apperr.Conflict, "item_number", "ข้อ %d ได้รับการยอมรับผลแล้ว / item %d is already accepted", st.Number, st.Number)
	case models.ItemLapsed:
		return reject(apperr.Conflict, "item_number", "ข้อ %d รอบที่ %d สิ้นสุดไปแล้ว / item %d cycle %d has lapsed", st.Number, st.Cycle, st.Number, st.Cycle)
	}
	return reject(apperr.Conflict, "item_number", "ข้อ %d ปิดแล้ว (%s) / item %d is closed (%s)", st.Number, st.Status, st.Number, st.Status)
}

// validDeadline checks a person-given due: exactly one form, and in the
// future.
func validDeadline(now time.Time, d *Deadline, field string) error {
	if d == nil {
		return reject(apperr.Invalid, field, "ต้องระบุกำหนดเวลาใหม่ / a new due is required")
	}
	n := 0
	for _, set := range []bool{d.At != nil, d.Date != nil, d.Within != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return reject(apperr.Invalid, field, "ระบุกำหนดเวลาใหม่อย่างใดอย่างหนึ่ง: date, within หรือ at / give exactly one of date, within, at")
	}
	switch {
	case d.At != nil && !d.At.After(now):
		return reject(apperr.Invalid, field, "กำหนดเวลาใหม่ต้องอยู่ในอนาคต / the new due must be in the future")
	case d.Date != nil && (!d.Date.IsValid() || d.Date.Before(thaidate.FromTime(now))):
		return reject(apperr.Invalid, field, "วันกำหนดใหม่ต้องไม่ใช่วันที่ผ่านมาแล้ว / the new due date must not be in the past")
	case d.Within != nil && (d.Within.IsZero() || d.Within.WorkingDays < 0 || d.Within.Duration < 0):
		return reject(apperr.Invalid, field, "ระยะเวลาต้องมากกว่าศูนย์ / the span must be positive")
	}
	return nil
}

// resolveDue turns a validated Deadline into an instant, loading holidays
// when needed, and rejects one that is not in the future.
func (a *assignment) resolveDue(ctx workflow.Context, now time.Time, d Deadline, field string) (time.Time, error) {
	if err := a.clk.ensure(ctx, deadlineYears(now, d)...); err != nil {
		return time.Time{}, err
	}
	due := a.clk.resolve(now, d)
	if !due.After(now) {
		return time.Time{}, reject(apperr.Invalid, field, "กำหนดเวลาใหม่ต้องอยู่ในอนาคต / the new due must be in the future")
	}
	return due, nil
}

// setDue gives an item a new due: a new deadline round, escalations
// closed, the ladder and reminders restarted.
func (a *assignment) setDue(st *ItemState, due, now time.Time, reason string, fx *effects) {
	st.DueAt = &due
	st.DueRound++
	a.closeEscalations(st, now, reason, fx)
	st.EscalationLevel = 0
	st.Overdue = false
	a.resetReminders(st, now)
}

// oldDue is the item's due before a change, as notification data.
func oldDue(st *ItemState) string {
	if st.DueAt == nil {
		return ""
	}
	return st.DueAt.UTC().Format(time.RFC3339)
}

// ---- acknowledge ----

func (a *assignment) validateAcknowledge(in AcknowledgeInput) error {
	if !a.ready {
		return a.checkOpen()
	}
	if err := a.checkUnit(in.UnitCode); err != nil {
		return err
	}
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้รับทราบ", "actor"); err != nil {
		return err
	}
	if a.s.AcknowledgedAt != nil {
		return reject(apperr.Conflict, "", "%s", AlreadyAcknowledgedMessage(*a.s.AcknowledgedAt, a.s.AcknowledgedBy))
	}
	return nil
}

// AlreadyAcknowledgedMessage is the answer (Thai, then English) to an
// acknowledgement of an assignment acknowledged at at by actor; the API
// gives the same answer when its read model already shows it.
func AlreadyAcknowledgedMessage(at time.Time, actor string) string {
	return fmt.Sprintf("รับทราบแล้วเมื่อ %s โดย %s / already acknowledged at %s by %s",
		thaidate.FormatDateTimeBE(at), actor, at.UTC().Format(time.RFC3339), actor)
}

func (a *assignment) acknowledge(ctx workflow.Context, in AcknowledgeInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "acknowledge", in.Note, func(_ workflow.Context, now time.Time, _ *effects) (bool, error) {
		if err := a.validateAcknowledge(in); err != nil {
			return false, err
		}
		a.markAcknowledged(now, in.Actor, in.Note)
		return false, nil
	})
}

func (a *assignment) markAcknowledged(now time.Time, actor, note string) {
	a.s.Status = models.AssignmentAcknowledged
	a.s.AcknowledgedAt = &now
	a.s.AcknowledgedBy = actor
	a.s.AckNote = note
}

// ---- report ----

func (a *assignment) validateReport(in ReportInput) error {
	if err := required("report_id", in.ReportID, "รหัสรายงาน", "report_id"); err != nil {
		return err
	}
	if !a.ready {
		return a.checkOpen()
	}
	if err := a.checkUnit(in.UnitCode); err != nil {
		return err
	}
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้รายงาน", "actor"); err != nil {
		return err
	}
	idx, err := a.findItem(in.ItemNumber, in.Cycle, models.ItemStatus.AwaitingReport)
	if err != nil {
		return err
	}
	st := a.s.Items[idx]
	if !st.Status.AwaitingReport() {
		return statusConflict(st)
	}
	if in.TextRef == "" {
		if err := required("text", in.Text, "ผลการดำเนินงาน", "text"); err != nil {
			return err
		}
	} else if !in.TextRef.Valid() {
		return reject(apperr.Invalid, "text", "รหัสข้อความไม่ถูกต้อง / text_ref is not a text reference")
	}
	if st.EvidenceRequired && len(in.Evidence) == 0 {
		return reject(apperr.Invalid, "evidence", "ข้อ %d ต้องแนบหลักฐาน / item %d requires evidence", st.Number, st.Number)
	}
	for _, f := range in.Evidence {
		if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.StoragePath) == "" {
			return reject(apperr.Invalid, "evidence", "หลักฐานต้องมีชื่อไฟล์และที่เก็บ / every evidence file needs a name and a storage path")
		}
	}
	for _, it := range a.s.Items {
		for _, r := range it.Reports {
			if r.ReportID == in.ReportID {
				return reject(apperr.Conflict, "report_id", "รหัสรายงาน %q ถูกใช้แล้ว / report id %q was already used", in.ReportID, in.ReportID)
			}
		}
	}
	return nil
}

func (a *assignment) report(ctx workflow.Context, in ReportInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "report", "", func(_ workflow.Context, now time.Time, fx *effects) (bool, error) {
		if err := a.validateReport(in); err != nil {
			return false, err
		}
		idx, _ := a.findItem(in.ItemNumber, in.Cycle, models.ItemStatus.AwaitingReport)
		if a.s.Status == models.AssignmentAssigned {
			a.markAcknowledged(now, in.Actor, "")
		}
		st := &a.s.Items[idx]
		st.Status = models.ItemReported
		st.ReportedAt = &now
		st.Reports = append(st.Reports, ReportRef{ReportID: in.ReportID, SubmittedBy: in.Actor, SubmittedAt: now, Evidence: len(in.Evidence)})
		a.closeEscalations(st, now, "reported", fx)
		evidence := in.Evidence
		if evidence == nil {
			evidence = []EvidenceFile{}
		}
		fx.reports = append(fx.reports, activities.ReportRow{Report: models.Report{
			ID: in.ReportID, AssignmentID: a.id, ItemNumber: st.Number, Cycle: st.Cycle, Text: in.Text,
			SubmittedBy: in.Actor, SubmittedAt: now.UTC(), RecordSystem: in.RecordSystem, RecordNumber: in.RecordNumber,
		}, TextRef: in.TextRef, EvidenceFiles: activities.JSONOf(evidence)})
		fx.notify(NotifyReported, notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleSecretariat}}},
			a.data(st, "report_id", in.ReportID, "actor", in.Actor, reportTextKey(in), reportTextValue(in)))
		return false, nil
	})
}

// ---- review ----

func (a *assignment) validateReview(ctx workflow.Context, in ReviewInput) error {
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้พิจารณา", "actor"); err != nil {
		return err
	}
	isReported := func(s models.ItemStatus) bool { return s == models.ItemReported }
	idx, err := a.findItem(in.ItemNumber, in.Cycle, isReported)
	if err != nil {
		return err
	}
	st := a.s.Items[idx]
	if st.Status != models.ItemReported || len(st.Reports) == 0 {
		return reject(apperr.Conflict, "item_number", "ข้อ %d ไม่มีรายงานที่รอการพิจารณา / item %d has no report awaiting review", st.Number, st.Number)
	}
	switch in.Decision {
	case ReviewAccept:
	case ReviewReturn:
		if err := required("reason", in.Reason, "เหตุผลที่ส่งกลับ", "reason"); err != nil {
			return err
		}
		return validDeadline(workflow.Now(ctx), in.NewDue, "new_due")
	default:
		return reject(apperr.Invalid, "decision", "ผลการพิจารณาต้องเป็น accept หรือ return / decision must be accept or return")
	}
	return nil
}

func (a *assignment) review(ctx workflow.Context, in ReviewInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "review."+string(in.Decision), in.Reason, func(ctx workflow.Context, now time.Time, fx *effects) (bool, error) {
		if err := a.validateReview(ctx, in); err != nil {
			return false, err
		}
		var due time.Time
		if in.Decision == ReviewReturn {
			var err error
			if due, err = a.resolveDue(ctx, now, *in.NewDue, "new_due"); err != nil {
				return false, err
			}
		}
		idx, _ := a.findItem(in.ItemNumber, in.Cycle, func(s models.ItemStatus) bool { return s == models.ItemReported })
		st := &a.s.Items[idx]
		ref := &st.Reports[len(st.Reports)-1]
		decision := models.DecisionAccepted
		if in.Decision == ReviewReturn {
			decision = models.DecisionReturned
		}
		ref.Decision, ref.DecidedBy, ref.DecidedAt, ref.Reason = &decision, in.Actor, &now, in.Reason
		decidedBy := in.Actor
		decidedAt := now.UTC()
		fx.reports = append(fx.reports, activities.ReportRow{Report: models.Report{
			ID: ref.ReportID, AssignmentID: a.id, ItemNumber: st.Number, Cycle: st.Cycle, Evidence: "[]",
			SubmittedBy: ref.SubmittedBy, SubmittedAt: ref.SubmittedAt.UTC(),
			Decision: &decision, DecidedBy: &decidedBy, DecidedAt: &decidedAt, Reason: in.Reason,
		}})
		st.Reason = in.Reason
		if in.Decision == ReviewAccept {
			st.Status = models.ItemAccepted
			return false, nil
		}
		st.Status = models.ItemReturned
		old := oldDue(st)
		a.setDue(st, due, now, "returned", fx)
		fx.notify(NotifyReturned, a.unitRecipients(), a.data(st, "reason", in.Reason, "actor", in.Actor, "old_due_at", old))
		return false, nil
	})
}

// ---- inspector / secretariat actions ----

func (a *assignment) validateInspectorAction(ctx workflow.Context, in InspectorActionInput) error {
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้ดำเนินการ", "actor"); err != nil {
		return err
	}
	if err := required("reason", in.Reason, "เหตุผล", "reason"); err != nil {
		return err
	}
	idx, err := a.findItem(in.ItemNumber, in.Cycle, models.ItemStatus.AwaitingReport)
	if err != nil {
		return err
	}
	st := a.s.Items[idx]
	now := workflow.Now(ctx)
	switch in.Kind {
	case models.ActionComment:
	case models.ActionClose, models.ActionWaive:
		if st.Status.Final() {
			return statusConflict(st)
		}
	case models.ActionNewDeadline, models.ActionExtend:
		if !st.Status.AwaitingReport() {
			return statusConflict(st)
		}
		if err := validDeadline(now, in.NewDue, "new_due"); err != nil {
			return err
		}
	default:
		return reject(apperr.Invalid, "kind", "ประเภทการดำเนินการไม่ถูกต้อง: %q (comment, new_deadline, extend, close, waive) / unknown action kind %q", in.Kind, in.Kind)
	}
	if in.ActorRole == models.RoleInspector {
		overdue := st.DueAt != nil && !now.Before(*st.DueAt) && st.Status.AwaitingReport()
		if st.EscalationLevel == 0 && !overdue {
			return reject(apperr.Forbidden, "item_number",
				"ผู้ตรวจราชการดำเนินการได้เฉพาะข้อที่เลยกำหนดหรือถูกยกระดับแล้ว / an inspector may act only on an overdue or escalated item")
		}
	}
	return nil
}

func (a *assignment) inspectorAction(ctx workflow.Context, in InspectorActionInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "inspector."+string(in.Kind), in.Reason, func(ctx workflow.Context, now time.Time, fx *effects) (bool, error) {
		if err := a.validateInspectorAction(ctx, in); err != nil {
			return false, err
		}
		var due time.Time
		if in.Kind == models.ActionNewDeadline || in.Kind == models.ActionExtend {
			var err error
			if due, err = a.resolveDue(ctx, now, *in.NewDue, "new_due"); err != nil {
				return false, err
			}
		}
		idx, _ := a.findItem(in.ItemNumber, in.Cycle, models.ItemStatus.AwaitingReport)
		st := &a.s.Items[idx]
		if n := len(st.OpenEscalations); n > 0 {
			action := models.EscalationAction{
				ID:           st.OpenEscalations[n-1] + "/a/" + itoa(int(a.s.Seq)),
				EscalationID: st.OpenEscalations[n-1], Kind: in.Kind, Actor: in.Actor, Reason: in.Reason, At: now.UTC(),
			}
			if !due.IsZero() {
				u := due.UTC()
				action.NewDue = &u
			}
			fx.actions = append(fx.actions, action)
		}
		old := oldDue(st)
		switch in.Kind {
		case models.ActionComment:
		case models.ActionNewDeadline:
			a.setDue(st, due, now, string(in.Kind), fx)
		case models.ActionExtend:
			st.Status = models.ItemExtended
			a.setDue(st, due, now, string(in.Kind), fx)
		case models.ActionClose:
			st.Status = models.ItemClosed
			a.closeEscalations(st, now, "closed", fx)
		case models.ActionWaive:
			st.Status = models.ItemWaived
			a.closeEscalations(st, now, "waived", fx)
		}
		if in.Kind != models.ActionComment {
			st.Reason = in.Reason
		}
		extra := []string{"action", string(in.Kind), "actor", in.Actor, "reason", in.Reason}
		if !due.IsZero() {
			extra = append(extra, "old_due_at", old)
		}
		fx.notify(NotifyInspectorAction, a.unitRecipients(), a.data(st, extra...))
		return false, nil
	})
}

// ---- amend ----

func (a *assignment) validateAmend(ctx workflow.Context, in AmendInput) error {
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้แก้ไข", "actor"); err != nil {
		return err
	}
	idx, err := a.findItem(in.ItemNumber, 0, func(s models.ItemStatus) bool { return !s.Final() })
	if err != nil {
		return err
	}
	if st := a.s.Items[idx]; st.Status.Final() {
		return statusConflict(st)
	}
	if in.NewDue.At != nil && in.NewDue.Date == nil && in.NewDue.Within == nil {
		// Forwarded by the directive: an instant already resolved there,
		// which may be in the past for a late-started assignment.
		return nil
	}
	return validDeadline(workflow.Now(ctx), &in.NewDue, "new_due")
}

// amend moves the due of the item's current cycle. Amending to the same
// instant is a no-op, so a repeated signal changes nothing.
func (a *assignment) amend(ctx workflow.Context, in AmendInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "amend", in.Reason, func(ctx workflow.Context, now time.Time, fx *effects) (bool, error) {
		if err := a.validateAmend(ctx, in); err != nil {
			return false, err
		}
		if err := a.clk.ensure(ctx, deadlineYears(now, in.NewDue)...); err != nil {
			return false, err
		}
		due := a.clk.resolve(now, in.NewDue)
		idx, _ := a.findItem(in.ItemNumber, 0, func(s models.ItemStatus) bool { return !s.Final() })
		st := &a.s.Items[idx]
		if st.DueAt != nil && st.DueAt.Equal(due) {
			return true, nil
		}
		old := oldDue(st)
		a.setDue(st, due, now, "amended", fx)
		st.Reason = in.Reason
		fx.notify(NotifyDueChanged, a.unitRecipients(), a.data(st, "reason", in.Reason, "actor", in.Actor, "old_due_at", old))
		return false, nil
	})
}

// ---- withdraw ----

func (a *assignment) validateWithdraw(in WithdrawInput) error {
	if err := a.checkOpen(); err != nil {
		return err
	}
	if err := required("actor", in.Actor, "ผู้ยกเลิก", "actor"); err != nil {
		return err
	}
	return required("reason", in.Reason, "เหตุผลการยกเลิก", "reason")
}

// withdraw ends the assignment: every item not final is closed with reason
// "withdrawn", open escalations close, and the workflow completes.
func (a *assignment) withdraw(ctx workflow.Context, in WithdrawInput) (AssignmentUpdateResult, error) {
	return a.change(ctx, in.Actor, "withdraw", in.Reason, func(_ workflow.Context, now time.Time, fx *effects) (bool, error) {
		if err := a.validateWithdraw(in); err != nil {
			return false, err
		}
		a.s.Status = models.AssignmentWithdrawn
		a.s.CloseReason = "withdrawn"
		a.s.ClosedAt = &now
		for i := range a.s.Items {
			st := &a.s.Items[i]
			if !st.Status.Final() {
				st.Status = models.ItemClosed
				st.Reason = "withdrawn"
			}
			st.PeriodEnded = st.PeriodEnded || st.Recurring
			a.closeEscalations(st, now, "withdrawn", fx)
		}
		fx.notify(NotifyWithdrawn, a.unitRecipients(), a.data(nil, "reason", in.Reason, "actor", in.Actor))
		return false, nil
	})
}

// reportTextKey and reportTextValue are the notification data entry of a
// report's text: its ref under "report_text_ref", or the text itself for an
// Update recorded before texts travelled by reference.
func reportTextKey(in ReportInput) string {
	if in.TextRef != "" {
		return "report_text_ref"
	}
	return "report_text"
}

func reportTextValue(in ReportInput) string {
	if in.TextRef != "" {
		return string(in.TextRef)
	}
	return in.Text
}
