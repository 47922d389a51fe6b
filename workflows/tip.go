package workflows

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// TipWorkflow carries one tip-off from its receipt to closed (issue #15).
// The tip is routed (TipInput) to the province's centre, to the district
// it names, or, involving officials, to the province head and the
// region's inspectors; the province may forward it to a district
// (UpdateTipForward). The handling unit acknowledges it
// (UpdateTipAcknowledge) within TipPolicy.AckWithin and records a first
// action (a stage after received, UpdateTipStage) within ActionWithin;
// reminders come before the pending deadline, then escalation after it:
// level 1 the handling unit, level 2 the province head, level 3 the
// region's inspectors, all through the notifications outbox. A province
// may refer the tip up to the secretariat (UpdateTipReferUp). It completes
// when the tip is closed.
//
// Every change is written to the tips row (activities.Tips.CommitTip) with
// its notifications in one transaction: a change made by an Update with a
// regular activity the handler waits for before it returns (never from the
// Update's speculative first task, see ARCHITECTURE "Reliability rules"),
// so the API reads its own write; a timer-driven change with a local
// activity in its own workflow task.
func TipWorkflow(ctx workflow.Context, in TipInput) (TipResult, error) {
	t, err := newTipFlow(ctx, in)
	if err != nil {
		return TipResult{}, err
	}
	if err := t.register(ctx); err != nil {
		return TipResult{}, err
	}
	if err := t.start(ctx); err != nil {
		return TipResult{}, err
	}
	return t.run(ctx)
}

type tipFlow struct {
	in      TipInput
	id      string
	s       TipState
	clk     *clock
	mu      workflow.Mutex
	changed int
	ready   bool
}

func newTipFlow(ctx workflow.Context, in TipInput) (*tipFlow, error) {
	if in.TipID <= 0 || in.RouteUnitCode == "" || in.ProvinceCode == "" {
		return nil, temporal.NewNonRetryableApplicationError("TipInput needs tip_id, province_code and route_unit_code", string(apperr.Invalid), nil)
	}
	if in.Policy.AckWithin.IsZero() || in.Policy.ActionWithin.IsZero() {
		return nil, temporal.NewNonRetryableApplicationError("TipInput needs policy.ack_within and policy.action_within", string(apperr.Invalid), nil)
	}
	clk, err := newClock(in.Holidays, nil)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), string(apperr.Invalid), err)
	}
	return &tipFlow{in: in, id: TipWorkflowID(in.TipID), clk: clk, mu: workflow.NewMutex(ctx)}, nil
}

// start builds the state of a new tip from the workflow's start time and
// commits it with the notification to the handling unit.
func (t *tipFlow) start(ctx workflow.Context) error {
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.GetInfo(ctx).WorkflowStartTime
	y := thaidate.FromTime(now).Year
	if err := t.clk.ensure(ctx, y, y+1); err != nil {
		return err
	}
	in := t.in
	t.s = TipState{
		TipID: in.TipID, ProvinceCode: in.ProvinceCode, Route: in.Route, UnitCode: in.RouteUnitCode,
		Region: clonePtr(in.Region), Stage: models.TipReceived, ReceivedAt: now,
		AckDueAt:    t.clk.deadlineAfter(now, in.Policy.AckWithin),
		ActionDueAt: t.clk.deadlineAfter(now, in.Policy.ActionWithin),
		Seq:         1,
	}
	t.resetReminders(now)
	fx := &effects{}
	fx.notify(NotifyTip, t.unitRecipients(), t.data(TipEventNew))
	if err := t.commitLocal(ctx, now, fx); err != nil {
		return err
	}
	t.ready = true
	return nil
}

func (t *tipFlow) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryTipState, func() (TipState, error) { return t.s, nil }); err != nil {
		return err
	}
	type upd struct {
		name    string
		handler any
		valid   any
	}
	for _, u := range []upd{
		{UpdateTipAcknowledge, t.acknowledge, t.validateAcknowledge},
		{UpdateTipForward, t.forward, t.validateForward},
		{UpdateTipStage, t.stage, t.validateStage},
		{UpdateTipReferUp, t.referUp, t.validateReferUp},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.valid}); err != nil {
			return err
		}
	}
	return nil
}

// ---- timer loop ----

type tipEvent struct {
	at       time.Time
	reminder bool
	level    int // escalation level to reach (not a reminder)
}

// nextEvent returns the earliest pending reminder or escalation of the
// pending deadline.
func (t *tipFlow) nextEvent() (tipEvent, bool) {
	due := t.s.DueAt()
	if due == nil {
		return tipEvent{}, false
	}
	var best tipEvent
	ok := false
	if rts := t.reminderTimes(*due); t.s.RemindersSent < len(rts) {
		best, ok = tipEvent{at: rts[t.s.RemindersSent], reminder: true}, true
	}
	if esc := t.in.Policy.Escalations; t.s.Level < len(esc) {
		e := tipEvent{at: t.clk.noticeAfter(*due, esc[t.s.Level]), level: t.s.Level + 1}
		if !ok || e.at.Before(best.at) {
			best, ok = e, true
		}
	}
	return best, ok
}

func (t *tipFlow) reminderTimes(due time.Time) []time.Time {
	out := make([]time.Time, 0, len(t.in.Policy.Reminders))
	for _, r := range t.in.Policy.Reminders {
		out = append(out, t.clk.noticeBefore(due, r))
	}
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	return out
}

// resetReminders starts the ladder of a new pending deadline: no level
// reached, and the reminders already in the past skipped.
func (t *tipFlow) resetReminders(now time.Time) {
	t.s.RemindersSent, t.s.Level = 0, 0
	due := t.s.DueAt()
	if due == nil {
		return
	}
	for _, r := range t.reminderTimes(*due) {
		if !r.After(now) {
			t.s.RemindersSent++
		}
	}
}

func (t *tipFlow) run(ctx workflow.Context) (TipResult, error) {
	for t.s.Stage != models.TipClosed {
		now := workflow.Now(ctx)
		ev, ok := t.nextEvent()
		if ok && !ev.at.After(now) {
			if err := t.fireDue(ctx); err != nil {
				return TipResult{}, err
			}
			continue
		}
		seen := t.changed
		woken := func() bool { return t.changed != seen }
		var err error
		if ok {
			_, err = workflow.AwaitWithTimeout(ctx, ev.at.Sub(now), woken)
		} else {
			err = workflow.Await(ctx, woken)
		}
		if err != nil {
			return TipResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return TipResult{}, err
	}
	return TipResult{State: t.s}, nil
}

// fireDue fires the earliest event if it is still due under the lock.
func (t *tipFlow) fireDue(ctx workflow.Context) error {
	if err := t.mu.Lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	ev, ok := t.nextEvent()
	if !ok || ev.at.After(now) {
		return nil
	}
	t.s.Seq++
	fx := &effects{}
	if ev.reminder {
		t.s.RemindersSent++
		fx.notify(NotifyTip, t.unitRecipients(), t.data(TipEventReminder, "reminder", strconv.Itoa(t.s.RemindersSent)))
	} else {
		t.s.Level = ev.level
		t.s.EscalationLevel = max(t.s.EscalationLevel, ev.level)
		kind := TipEventEscalation
		if ev.level == 1 {
			kind = TipEventOverdue
			if t.s.AcknowledgedAt == nil {
				kind = TipEventAckOverdue
			}
		}
		fx.notify(NotifyTip, t.escalationRecipients(ev.level), t.data(kind, "level", strconv.Itoa(ev.level)))
	}
	return t.commitLocal(ctx, now, fx)
}

// ---- recipients and data ----

func (t *tipFlow) headRecipients() notify.RecipientSpec { return tipHeadRecipients(t.s.ProvinceCode) }

func (t *tipFlow) inspectorRecipients() notify.RecipientSpec {
	return tipInspectorRecipients(t.s.Region)
}

func (t *tipFlow) unitRecipients() notify.RecipientSpec {
	return TipHandlerRecipients(t.s.Route, t.s.UnitCode, t.s.ProvinceCode, t.s.Region)
}

func tipHeadRecipients(provinceCode string) notify.RecipientSpec {
	return notify.RecipientSpec{UnitPositions: []notify.UnitPositions{{UnitCode: provinceCode, Positions: notify.HeadPositions}}}
}

// tipInspectorRecipients are the inspectors of region, or the secretariat
// for a province without one.
func tipInspectorRecipients(region *int) notify.RecipientSpec {
	if region == nil {
		return notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleSecretariat}}}
	}
	r := *region
	return notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleInspector, Region: &r}}}
}

// TipNotificationData is the data of a notification about tip tipID
// (event TipEvent*) handled by unitCode in provinceCode at stage: its
// number, province, unit, stage, link and pending deadline (due, when not
// nil), never any text of the tip. The workflow and the tips service (an
// informant's reply) build it alike.
func TipNotificationData(event string, tipID int64, provinceCode, unitCode, stage string, due *time.Time) map[string]string {
	id := strconv.FormatInt(tipID, 10)
	m := map[string]string{
		"event":         event,
		"tip_id":        id,
		"province_code": provinceCode,
		"unit_code":     unitCode,
		"stage":         stage,
		"link":          "/tips/" + id,
	}
	if due != nil {
		m["due_at"] = due.UTC().Format(time.RFC3339)
	}
	return m
}

// TipHandlerRecipients are whoever handles a tip routed by route
// (models.TipRoute*) to unitCode in provinceCode: that unit; for a tip
// involving officials the province head and the inspectors of region (the
// secretariat when region is nil). The workflow and the tips service
// (an informant's reply) address the same people with it.
func TipHandlerRecipients(route, unitCode, provinceCode string, region *int) notify.RecipientSpec {
	if route == models.TipRouteOfficials {
		r := tipHeadRecipients(provinceCode)
		r.RoleRegions = tipInspectorRecipients(region).RoleRegions
		return r
	}
	return notify.RecipientSpec{UnitCodes: []string{unitCode}}
}

// escalationRecipients: level 1 the handling unit, level 2 the province
// head, level 3 the region's inspectors (the secretariat for a province
// without a region).
func (t *tipFlow) escalationRecipients(level int) notify.RecipientSpec {
	switch level {
	case 1:
		return t.unitRecipients()
	case 2:
		return t.headRecipients()
	}
	return t.inspectorRecipients()
}

// data is a tip notification's data: never any text of the tip. kv adds
// keys and values in pairs.
func (t *tipFlow) data(event string, kv ...string) map[string]string {
	m := TipNotificationData(event, t.s.TipID, t.s.ProvinceCode, t.s.UnitCode, t.s.Stage, t.s.DueAt())
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// ---- committing ----

func (t *tipFlow) commitInput(now time.Time, fx *effects) activities.CommitTipInput {
	s := t.s
	in := activities.CommitTipInput{Tip: activities.TipRow{
		ID: s.TipID, Status: s.Stage, Route: s.Route, RouteUnitCode: s.UnitCode, DueAt: utcPtr(s.DueAt()),
		AcknowledgedAt: utcPtr(s.AcknowledgedAt), AcknowledgedBy: s.AcknowledgedBy, FirstActionAt: utcPtr(s.FirstActionAt),
		Agency: s.Agency, ReferredUp: s.ReferredUp, EscalationLevel: s.EscalationLevel, Version: s.Seq,
	}}
	for k, n := range fx.notes {
		id := t.id + "/n/" + strconv.FormatInt(s.Seq, 10)
		if k > 0 {
			id += "/" + strconv.Itoa(k)
		}
		in.Notifications = append(in.Notifications, activities.NotificationInput{
			ID: id, Kind: n.kind, Recipients: n.to, Template: n.kind, Language: NotificationLangTH, Data: n.data, CreatedAt: now.UTC(),
		})
	}
	return in
}

// commitLocal writes a change made by the workflow's own task (its start,
// a timer) with a local activity.
func (t *tipFlow) commitLocal(ctx workflow.Context, now time.Time, fx *effects) error {
	var a *activities.Tips
	if err := workflow.ExecuteLocalActivity(localDBCtx(ctx), a.CommitTip, t.commitInput(now, fx)).Get(ctx, nil); err != nil {
		return err
	}
	t.changed++
	return nil
}

// change runs an Update's change under the lock: apply validates again
// and mutates (returning an error before mutating anything), then the
// change is committed by a regular activity the handler waits for. On
// error the state is restored.
func (t *tipFlow) change(ctx workflow.Context, apply func(now time.Time, fx *effects) (noop bool, err error)) (TipState, error) {
	if err := t.mu.Lock(ctx); err != nil {
		return TipState{}, err
	}
	defer t.mu.Unlock()
	now := workflow.Now(ctx)
	before := cloneTipState(t.s)
	t.s.Seq++
	fx := &effects{}
	noop, err := apply(now, fx)
	if err != nil || noop {
		t.s = before
		return t.s, err
	}
	var a *activities.Tips
	f := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, dbActivityOptions), a.CommitTip, t.commitInput(now, fx))
	if err := f.Get(ctx, nil); err != nil {
		// Only invalid input ends the retries; the change stands in the
		// workflow, which is the record.
		workflow.GetLogger(ctx).Error("tip commit failed for good", "seq", t.s.Seq, "error", err)
	}
	t.changed++
	return cloneTipState(t.s), nil
}

func cloneTipState(s TipState) TipState {
	out := s
	out.Region = clonePtr(s.Region)
	out.AcknowledgedAt = clonePtr(s.AcknowledgedAt)
	out.FirstActionAt = clonePtr(s.FirstActionAt)
	out.HolidayYears = slices.Clone(s.HolidayYears)
	return out
}

// ---- validators and handlers ----

func (t *tipFlow) checkActor(actor, unit string) error {
	if !t.ready {
		return reject(apperr.Unavailable, "", "เบาะแสนี้กำลังเริ่มต้น กรุณาลองใหม่อีกครั้ง / the tip is still starting; try again")
	}
	if t.s.Stage == models.TipClosed {
		return reject(apperr.Conflict, "", "เบาะแสนี้ปิดแล้ว / this tip is closed")
	}
	if strings.TrimSpace(actor) == "" {
		return reject(apperr.Invalid, "actor", "ต้องระบุผู้ดำเนินการ / actor is required")
	}
	if unit != t.s.UnitCode {
		return reject(apperr.Forbidden, "unit_code", "หน่วยงาน %q ไม่ใช่ผู้รับเบาะแสนี้ / unit %q does not handle this tip", unit, unit)
	}
	return nil
}

func (t *tipFlow) validateAcknowledge(in TipActionInput) error {
	return t.checkActor(in.Actor, in.UnitCode)
}

func (t *tipFlow) acknowledge(ctx workflow.Context, in TipActionInput) (TipState, error) {
	return t.change(ctx, func(now time.Time, _ *effects) (bool, error) {
		if err := t.validateAcknowledge(in); err != nil {
			return false, err
		}
		if t.s.AcknowledgedAt != nil {
			return true, nil
		}
		t.ack(now, in.Actor)
		return false, nil
	})
}

// ack records the acknowledgement and starts the ladder of the first
// action's deadline.
func (t *tipFlow) ack(now time.Time, actor string) {
	at := now
	t.s.AcknowledgedAt, t.s.AcknowledgedBy = &at, actor
	t.resetReminders(now)
}

func (t *tipFlow) validateForward(in TipForwardInput) error {
	if err := t.checkActor(in.Actor, in.UnitCode); err != nil {
		return err
	}
	if t.s.Route != models.TipRouteProvince {
		return reject(apperr.Conflict, "district_code", "ส่งต่อได้เฉพาะเบาะแสที่ส่งถึงจังหวัด / only a tip routed to the province may be forwarded")
	}
	if strings.TrimSpace(in.DistrictCode) == "" || len(in.DistrictCode) > 32 || in.DistrictCode == t.s.UnitCode {
		return reject(apperr.Invalid, "district_code", "ต้องระบุอำเภอ / a district is required")
	}
	return nil
}

func (t *tipFlow) forward(ctx workflow.Context, in TipForwardInput) (TipState, error) {
	return t.change(ctx, func(now time.Time, fx *effects) (bool, error) {
		if err := t.validateForward(in); err != nil {
			return false, err
		}
		t.s.Route, t.s.UnitCode = models.TipRouteDistrict, in.DistrictCode
		t.s.AcknowledgedAt, t.s.AcknowledgedBy = nil, ""
		t.s.AckDueAt = t.clk.deadlineAfter(now, t.in.Policy.AckWithin)
		if t.s.FirstActionAt == nil {
			t.s.ActionDueAt = t.clk.deadlineAfter(now, t.in.Policy.ActionWithin)
		}
		t.resetReminders(now)
		fx.notify(NotifyTip, t.unitRecipients(), t.data(TipEventForwarded, "actor", in.Actor))
		return false, nil
	})
}

func (t *tipFlow) validateStage(in TipStageInput) error {
	if err := t.checkActor(in.Actor, in.UnitCode); err != nil {
		return err
	}
	if tipStageRank(in.Stage) < 0 {
		return reject(apperr.Invalid, "stage", "ไม่รู้จักขั้นตอน %q / unknown stage %q", in.Stage, in.Stage)
	}
	if !TipStageAllowed(t.s.Stage, in.Stage) {
		return reject(apperr.Conflict, "stage", "เปลี่ยนจาก %s เป็น %s ไม่ได้ / cannot move from %s to %s", t.s.Stage, in.Stage, t.s.Stage, in.Stage)
	}
	agency := strings.TrimSpace(in.Agency)
	switch {
	case in.Stage == models.TipReferred && agency == "":
		return reject(apperr.Invalid, "agency", "ต้องระบุหน่วยงานที่ส่งต่อ / the agency is required")
	case in.Stage != models.TipReferred && agency != "":
		return reject(apperr.Invalid, "agency", "ระบุหน่วยงานได้เฉพาะขั้นส่งต่อหน่วยงาน / an agency goes only with referred")
	case utf8.RuneCountInString(agency) > TipMaxAgencyRunes || strings.ContainsAny(agency, "\r\n"):
		return reject(apperr.Invalid, "agency", "ชื่อหน่วยงานยาวเกิน %d ตัวอักษร / at most %d characters on one line", TipMaxAgencyRunes, TipMaxAgencyRunes)
	case in.NoteSeq < 0:
		return reject(apperr.Invalid, "note_seq", "เลขข้อความไม่ถูกต้อง / invalid note number")
	}
	return nil
}

func (t *tipFlow) stage(ctx workflow.Context, in TipStageInput) (TipState, error) {
	return t.change(ctx, func(now time.Time, _ *effects) (bool, error) {
		if err := t.validateStage(in); err != nil {
			return false, err
		}
		if t.s.AcknowledgedAt == nil {
			t.ack(now, in.Actor) // acting on a tip acknowledges it
		}
		t.s.Stage = in.Stage
		if in.Stage == models.TipReferred {
			t.s.Agency = strings.TrimSpace(in.Agency)
		}
		if t.s.FirstActionAt == nil {
			at := now
			t.s.FirstActionAt = &at
		}
		t.resetReminders(now)
		return false, nil
	})
}

func (t *tipFlow) validateReferUp(in TipActionInput) error {
	if err := t.checkActor(in.Actor, in.UnitCode); err != nil {
		return err
	}
	if t.s.Route == models.TipRouteDistrict {
		return reject(apperr.Conflict, "", "เฉพาะจังหวัดส่งเบาะแสถึงฝ่ายเลขานุการได้ / only a province refers a tip up")
	}
	return nil
}

func (t *tipFlow) referUp(ctx workflow.Context, in TipActionInput) (TipState, error) {
	return t.change(ctx, func(now time.Time, fx *effects) (bool, error) {
		if err := t.validateReferUp(in); err != nil {
			return false, err
		}
		if t.s.ReferredUp {
			return true, nil
		}
		t.s.ReferredUp = true
		fx.notify(NotifyTip, notify.RecipientSpec{RoleRegions: []notify.RoleRegion{{Role: models.RoleSecretariat}}},
			t.data(TipEventReferredUp, "actor", in.Actor))
		return false, nil
	})
}
