package workflows

import (
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// Meeting activity options: the state write is a short local activity;
// notifications and the follow-up read are ordinary activities. Both retry
// without limit except on invalid input.
var (
	meetingLocalOptions = workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		// Without an overall limit it defaults to StartToCloseTimeout, and a
		// database outage longer than that would fail the meeting: retry
		// for as long as the directive workflows do.
		ScheduleToCloseTimeout: dbRetryWindow,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{activities.ErrTypeInvalidInput},
		},
	}
	meetingActivityOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         dbRetry,
	}
)

// MeetingWorkflow carries one meeting from creation to published minutes:
// notice to every participant unit NoticeWorkingDays before (with the
// agenda's follow-up section built from open directives of earlier
// meetings), RSVP by update until the start, a reminder to units that have
// not answered and one on the day, attendance after the start, minutes due
// MinutesDueWorkingDays after with reminders until published, and new
// minutes versions for AmendDays after the first. A cancelled meeting ends
// at once. Every change is saved by a local activity (SaveMeeting).
func MeetingWorkflow(ctx workflow.Context, in MeetingInput) (MeetingResult, error) {
	m := &meeting{in: in, pol: in.Policy.WithDefaults()}
	mi := in.Meeting
	m.st = MeetingState{
		ID: mi.ID, SeriesID: mi.SeriesID, YearBE: mi.YearBE, Number: mi.Number, Title: mi.Title,
		Status: models.MeetingScheduled, StartsAt: mi.StartsAt, Link: mi.Link, Extra: mi.Extra,
		Participants: slices.Clone(mi.Participants), Organiser: mi.OrganiserCode,
		RSVPs: []UnitRSVP{}, Attendance: []UnitAttendance{}, Absent: []string{}, UnderRepresented: []string{},
		Agenda: []AgendaItem{}, Minutes: []MinutesVersion{},
	}
	slices.Sort(m.st.Participants)
	clk, err := newClock(in.Holidays, nil)
	if err != nil {
		return MeetingResult{}, reject(apperr.Invalid, "holidays", "รายการวันหยุดไม่ถูกต้อง (invalid holiday list): %v", err)
	}
	m.clk = clk
	if err := m.retime(ctx); err != nil {
		return MeetingResult{}, err
	}
	m.createdAt = workflow.Now(ctx)
	if err := m.save(ctx); err != nil {
		return MeetingResult{}, err
	}
	if err := workflow.SetQueryHandler(ctx, QueryMeeting, func() (MeetingState, error) { return m.st, nil }); err != nil {
		return MeetingResult{}, err
	}
	for _, u := range []struct {
		name    string
		handler any
		valid   any
	}{
		{UpdateRSVP, m.rsvp, m.validateRSVP},
		{UpdateAttendance, m.attendance, m.validateAttendance},
		{UpdateMinutes, m.minutes, m.validateMinutes},
		{UpdateReschedule, m.reschedule, m.validateReschedule},
		{UpdateCancel, m.cancel, m.validateCancel},
		{UpdateAddAgendaItem, m.addAgendaItem, m.validateAgendaItem},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.valid}); err != nil {
			return MeetingResult{}, err
		}
	}
	if err := m.run(ctx); err != nil {
		return MeetingResult{}, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return MeetingResult{}, err
	}
	return MeetingResult{State: m.st}, nil
}

type meeting struct {
	in        MeetingInput
	pol       MeetingPolicy
	st        MeetingState
	clk       *clock
	changed   bool
	createdAt time.Time
}

// retime recomputes the end and the minutes due from StartsAt.
func (m *meeting) retime(ctx workflow.Context) error {
	y := m.st.StartsAt.In(thaidate.Bangkok).Year()
	if err := m.clk.ensure(ctx, y, y+1); err != nil {
		return err
	}
	m.st.EndsAt = m.st.StartsAt.Add(time.Duration(m.pol.DurationMinutes) * time.Minute)
	m.st.MinutesDueAt = m.clk.cal.AddWorkingDays(thaidate.FromTime(m.st.StartsAt), m.pol.MinutesDueWorkingDays).At(DeadlineHour, DeadlineMinute)
	return nil
}

func (m *meeting) startDate() thaidate.Date { return thaidate.FromTime(m.st.StartsAt) }

func (m *meeting) noticeAt() time.Time {
	return m.clk.cal.AddWorkingDays(m.startDate(), -m.pol.NoticeWorkingDays).At(NoticeHour, 0)
}

func (m *meeting) rsvpReminderAt() time.Time {
	return m.clk.cal.AddWorkingDays(m.startDate(), -m.pol.RSVPReminderWorkingDays).At(NoticeHour, 0)
}

func (m *meeting) dayOfAt() time.Time { return m.startDate().At(NoticeHour, 0) }

// minutesReminderAt is when the k-th minutes reminder (0-based) fires: one
// working day before the due, then every working day after it.
func (m *meeting) minutesReminderAt(k int) time.Time {
	due := thaidate.FromTime(m.st.MinutesDueAt)
	if k == 0 {
		return m.clk.cal.AddWorkingDays(due, -1).At(NoticeHour, 0)
	}
	return m.clk.cal.AddWorkingDays(due, k).At(NoticeHour, 0)
}

// waitUntil sleeps until t or until an update changes the meeting.
func (m *meeting) waitUntil(ctx workflow.Context, t time.Time, done func() bool) error {
	d := t.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	m.changed = false
	_, err := workflow.AwaitWithTimeout(ctx, d, func() bool { return m.changed || done() })
	return err
}

func (m *meeting) run(ctx workflow.Context) error {
	cancelled := func() bool { return m.st.Status == models.MeetingCancelled }
	for m.st.Status == models.MeetingScheduled {
		now := workflow.Now(ctx)
		if m.st.NoticeSentAt == nil && !now.Before(m.noticeAt()) {
			if err := m.sendNotice(ctx, false); err != nil {
				return err
			}
			continue
		}
		if m.st.NoticeSentAt != nil && !m.st.RSVPReminded && m.pol.RSVPReminderWorkingDays < m.pol.NoticeWorkingDays &&
			!now.Before(m.rsvpReminderAt()) && now.Before(m.st.StartsAt) {
			m.st.RSVPReminded = true
			if m.st.NoticeSentAt.Before(m.rsvpReminderAt()) {
				if err := m.remindRSVP(ctx, "before"); err != nil {
					return err
				}
			}
			continue
		}
		if m.st.NoticeSentAt != nil && !m.st.DayOfReminded && !now.Before(m.dayOfAt()) && now.Before(m.st.StartsAt) {
			m.st.DayOfReminded = true
			if m.st.NoticeSentAt.Before(m.dayOfAt()) {
				if err := m.remindRSVP(ctx, "day_of"); err != nil {
					return err
				}
			}
			continue
		}
		if !now.Before(m.st.StartsAt) {
			m.st.Status = models.MeetingStarted
			m.computeAbsent()
			if err := m.save(ctx); err != nil {
				return err
			}
			break
		}
		next := m.st.StartsAt
		for _, t := range []time.Time{m.noticeAt(), m.rsvpReminderAt(), m.dayOfAt()} {
			if t.After(now) && t.Before(next) {
				next = t
			}
		}
		if err := m.waitUntil(ctx, next, cancelled); err != nil {
			return err
		}
	}
	if cancelled() {
		return nil
	}
	published := func() bool { return len(m.st.Minutes) > 0 }
	for !published() {
		if m.st.MinutesRemindersSent >= m.pol.MinutesReminders {
			if err := workflow.Await(ctx, published); err != nil {
				return err
			}
			break
		}
		at := m.minutesReminderAt(m.st.MinutesRemindersSent)
		if err := m.waitUntil(ctx, at, published); err != nil {
			return err
		}
		if published() {
			break
		}
		if !workflow.Now(ctx).Before(at) {
			if err := m.remindMinutes(ctx); err != nil {
				return err
			}
		}
	}
	// Later versions of the minutes may still be published for a while.
	return workflow.Sleep(ctx, time.Duration(m.pol.AmendDays)*24*time.Hour)
}

func (m *meeting) computeAbsent() {
	m.st.Absent, m.st.UnderRepresented = []string{}, []string{}
	for _, u := range m.st.Participants {
		i := slices.IndexFunc(m.st.Attendance, func(a UnitAttendance) bool { return a.UnitCode == u })
		switch {
		case i < 0 || !m.st.Attendance[i].Present:
			m.st.Absent = append(m.st.Absent, u)
		case m.st.Attendance[i].UnderRepresented:
			m.st.UnderRepresented = append(m.st.UnderRepresented, u)
		}
	}
}

func (m *meeting) save(ctx workflow.Context) error {
	m.st.Seq++
	st := m.st
	row := models.Meeting{
		ID: st.ID, SeriesID: st.SeriesID, YearBE: st.YearBE, Number: st.Number, Title: st.Title,
		StartsAt: st.StartsAt, EndsAt: st.EndsAt, Link: st.Link, Extra: st.Extra, Status: st.Status,
		Sequence: st.Sequence, Reason: st.Reason, NoticeSentAt: st.NoticeSentAt, Version: st.Seq,
		CreatedAt: m.createdAt, UpdatedAt: workflow.Now(ctx),
	}
	due := st.MinutesDueAt
	row.MinutesDueAt = &due
	var a *activities.Meetings
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, meetingLocalOptions), a.SaveMeeting,
		activities.SaveMeetingInput{Meeting: row, Participants: st.Participants, Agenda: st.Agenda,
			RSVPs: st.RSVPs, Attendance: st.Attendance, Minutes: st.Minutes}).Get(ctx, nil)
}

func (m *meeting) data(unit string) map[string]string {
	d := map[string]string{
		"meeting_id":     m.st.ID,
		"meeting_title":  m.st.Title,
		"meeting_at":     m.st.StartsAt.Format(time.RFC3339),
		"minutes_due_at": m.st.MinutesDueAt.Format(time.RFC3339),
		"rsvp_due_at":    m.st.StartsAt.Format(time.RFC3339),
	}
	if m.st.Link != "" {
		d["location"] = m.st.Link
	}
	if unit != "" {
		d["unit_code"] = unit
	}
	return d
}

// notify enqueues one notification of kind per unit, with IDs
// meetingID/key/unit.
func (m *meeting) notify(ctx workflow.Context, kind, key string, units []string, extra [][2]string) error {
	if len(units) == 0 {
		return nil
	}
	now := workflow.Now(ctx)
	ns := make([]activities.NotificationInput, 0, len(units))
	for _, u := range units {
		d := m.data(u)
		for _, kv := range extra {
			d[kv[0]] = kv[1]
		}
		ns = append(ns, activities.NotificationInput{
			ID: m.st.ID + "/" + key + "/" + u, Kind: kind, Template: kind, Language: NotificationLangTH,
			Recipients: notify.RecipientSpec{UnitCodes: []string{u}}, Data: d, CreatedAt: now,
		})
	}
	var a *activities.Meetings
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, meetingActivityOptions), a.EnqueueMeetingNotifications,
		activities.EnqueueMeetingNotificationsInput{Notifications: ns}).Get(ctx, nil)
}

// sendNotice builds the follow-up section of the agenda (first notice
// only) and notifies every participant. A reschedule or cancellation after
// the notice sends a new one (IDs carry the sequence).
func (m *meeting) sendNotice(ctx workflow.Context, changed bool) error {
	if !changed {
		var a *activities.Meetings
		var fus []activities.FollowUp
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, meetingActivityOptions), a.BuildFollowUp,
			activities.FollowUpInput{MeetingID: m.st.ID}).Get(ctx, &fus); err != nil {
			return err
		}
		items := make([]AgendaItem, 0, len(fus)+len(m.st.Agenda))
		for i := range fus {
			f := fus[i]
			items = append(items, AgendaItem{Kind: "follow_up", Title: "ติดตามข้อสั่งการ " + f.DocNumber + " " + f.Subject, FollowUp: &f})
		}
		m.st.Agenda = append(items, m.st.Agenda...)
	}
	now := workflow.Now(ctx)
	m.st.NoticeSentAt = &now
	var extra [][2]string
	key := "notice/" + itoa(m.st.Sequence)
	switch {
	case m.st.Status == models.MeetingCancelled:
		extra = [][2]string{{"meeting_title", "ยกเลิก (cancelled): " + m.st.Title}, {"reason", m.st.Reason}}
		key = "cancel"
	case changed:
		extra = [][2]string{{"meeting_title", "เลื่อนการประชุม (rescheduled): " + m.st.Title}, {"reason", m.st.Reason}}
	}
	if err := m.notify(ctx, NotifyMeetingNotice, key, m.st.Participants, extra); err != nil {
		return err
	}
	return m.save(ctx)
}

func (m *meeting) unanswered() []string {
	var out []string
	for _, u := range m.st.Participants {
		if !slices.ContainsFunc(m.st.RSVPs, func(r UnitRSVP) bool { return r.UnitCode == u }) {
			out = append(out, u)
		}
	}
	return out
}

func (m *meeting) remindRSVP(ctx workflow.Context, which string) error {
	if err := m.notify(ctx, NotifyRSVPReminder, "rsvp-"+which+"/"+itoa(m.st.Sequence), m.unanswered(), nil); err != nil {
		return err
	}
	return m.save(ctx)
}

func (m *meeting) remindMinutes(ctx workflow.Context) error {
	m.st.MinutesRemindersSent++
	n := m.st.MinutesRemindersSent
	now := workflow.Now(ctx)
	d := m.data("")
	d["reminder"] = itoa(n)
	var a *activities.Meetings
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, meetingActivityOptions), a.EnqueueMeetingNotifications,
		activities.EnqueueMeetingNotificationsInput{Notifications: []activities.NotificationInput{{
			ID: m.st.ID + "/minutes-reminder/" + itoa(n), Kind: NotifyMinutesReminder, Template: NotifyMinutesReminder,
			Language: NotificationLangTH, Data: d, CreatedAt: now,
			Recipients: notify.RecipientSpec{UnitCodes: []string{m.st.Organiser},
				RoleRegions: []notify.RoleRegion{{Role: models.RoleSecretariat}}},
		}}}).Get(ctx, nil)
	if err != nil {
		return err
	}
	return m.save(ctx)
}

func (m *meeting) isParticipant(unit string) bool {
	_, found := slices.BinarySearch(m.st.Participants, unit)
	return found
}

func validateAttendees(field string, as []Attendee) error {
	for i, a := range as {
		f := field + "[" + itoa(i) + "]"
		if strings.TrimSpace(a.Name) == "" {
			return reject(apperr.Invalid, f+".name", "กรุณาระบุชื่อผู้เข้าประชุม (name is required)")
		}
		if !ValidAttendeeRole(a.Role) {
			return reject(apperr.Invalid, "role", "ตำแหน่งไม่ถูกต้อง ต้องเป็น governor, vice_governor, palad หรือ other (unknown role %q at %s)", a.Role, f)
		}
		if a.Role == models.AttendeeOther && strings.TrimSpace(a.Reason) == "" {
			return reject(apperr.Invalid, f+".reason", "ผู้เข้าประชุมตำแหน่งอื่นต้องระบุเหตุผล (reason is required for role other)")
		}
	}
	return nil
}

func (m *meeting) notOpen(action string) error {
	if m.st.Status == models.MeetingCancelled {
		return reject(apperr.Conflict, "", "การประชุมนี้ถูกยกเลิกแล้ว (meeting cancelled): %s", action)
	}
	return nil
}

func (m *meeting) validateRSVP(ctx workflow.Context, in RSVPInput) error {
	if err := m.notOpen("rsvp"); err != nil {
		return err
	}
	if !workflow.Now(ctx).Before(m.st.StartsAt) {
		return reject(apperr.Conflict, "", "การประชุมเริ่มแล้ว ไม่สามารถตอบรับหรือแก้ไขการตอบรับได้ (the meeting has started; RSVP is closed)")
	}
	if !m.isParticipant(in.UnitCode) {
		return reject(apperr.Forbidden, "unit_code", "หน่วยงาน %s ไม่ได้รับเชิญเข้าประชุมนี้ (unit is not a participant)", in.UnitCode)
	}
	if in.Declined {
		if strings.TrimSpace(in.Reason) == "" {
			return reject(apperr.Invalid, "reason", "กรุณาระบุเหตุผลที่ไม่เข้าประชุม (reason is required when declining)")
		}
		if len(in.Attendees) > 0 {
			return reject(apperr.Invalid, "attendees", "ปฏิเสธการเข้าประชุมแล้วไม่ต้องระบุผู้เข้าประชุม (no attendees when declining)")
		}
		return nil
	}
	if len(in.Attendees) == 0 {
		return reject(apperr.Invalid, "attendees", "กรุณาระบุผู้เข้าประชุมอย่างน้อย 1 คน หรือแจ้งไม่เข้าประชุม (at least one attendee, or declined)")
	}
	return validateAttendees("attendees", in.Attendees)
}

func (m *meeting) rsvp(ctx workflow.Context, in RSVPInput) (MeetingState, error) {
	r := UnitRSVP{UnitCode: in.UnitCode, Declined: in.Declined, Reason: in.Reason, Attendees: slices.Clone(in.Attendees),
		RespondedBy: in.Actor, RespondedAt: workflow.Now(ctx)}
	if i := slices.IndexFunc(m.st.RSVPs, func(x UnitRSVP) bool { return x.UnitCode == in.UnitCode }); i >= 0 {
		m.st.RSVPs[i] = r
	} else {
		m.st.RSVPs = append(m.st.RSVPs, r)
		slices.SortFunc(m.st.RSVPs, func(a, b UnitRSVP) int { return strings.Compare(a.UnitCode, b.UnitCode) })
	}
	return m.st, m.save(ctx)
}

func (m *meeting) validateAttendance(ctx workflow.Context, in AttendanceInput) error {
	if err := m.notOpen("attendance"); err != nil {
		return err
	}
	if workflow.Now(ctx).Before(m.st.StartsAt) {
		return reject(apperr.Conflict, "", "การประชุมยังไม่เริ่ม บันทึกการเข้าประชุมไม่ได้ (the meeting has not started yet)")
	}
	if len(in.Units) == 0 {
		return reject(apperr.Invalid, "units", "กรุณาระบุหน่วยงานอย่างน้อย 1 หน่วย (at least one unit)")
	}
	for i, u := range in.Units {
		if !m.isParticipant(u.UnitCode) {
			return reject(apperr.Invalid, "units["+itoa(i)+"].unit_code", "หน่วยงาน %s ไม่ใช่ผู้เข้าร่วมการประชุมนี้ (not a participant)", u.UnitCode)
		}
		if err := validateAttendees("units["+itoa(i)+"].attendees", u.Attendees); err != nil {
			return err
		}
	}
	return nil
}

func (m *meeting) attendance(ctx workflow.Context, in AttendanceInput) (MeetingState, error) {
	now := workflow.Now(ctx)
	for _, u := range in.Units {
		head := slices.ContainsFunc(u.Attendees, func(a Attendee) bool {
			return a.Role == models.AttendeeGovernor || a.Role == models.AttendeeViceGovernor
		})
		rec := UnitAttendance{UnitCode: u.UnitCode, Present: len(u.Attendees) > 0, ByHead: head,
			UnderRepresented: len(u.Attendees) > 0 && !head, Attendees: slices.Clone(u.Attendees), RecordedBy: in.Actor, RecordedAt: now}
		if i := slices.IndexFunc(m.st.Attendance, func(x UnitAttendance) bool { return x.UnitCode == u.UnitCode }); i >= 0 {
			m.st.Attendance[i] = rec
		} else {
			m.st.Attendance = append(m.st.Attendance, rec)
		}
	}
	slices.SortFunc(m.st.Attendance, func(a, b UnitAttendance) int { return strings.Compare(a.UnitCode, b.UnitCode) })
	m.computeAbsent()
	return m.st, m.save(ctx)
}

func (m *meeting) validateMinutes(ctx workflow.Context, in MinutesInput) error {
	if err := m.notOpen("minutes"); err != nil {
		return err
	}
	if workflow.Now(ctx).Before(m.st.StartsAt) {
		return reject(apperr.Conflict, "", "การประชุมยังไม่เริ่ม ยังบันทึกรายงานการประชุมไม่ได้ (the meeting has not started yet)")
	}
	if in.TextRef != "" && !in.TextRef.Valid() {
		return reject(apperr.Invalid, "text", "รหัสข้อความไม่ถูกต้อง (text_ref is not a text reference)")
	}
	if in.TextRef == "" && strings.TrimSpace(in.Text) == "" {
		return reject(apperr.Invalid, "text", "กรุณาระบุเนื้อหารายงานการประชุม (text is required)")
	}
	return nil
}

func (m *meeting) minutes(ctx workflow.Context, in MinutesInput) (MeetingState, error) {
	m.st.Minutes = append(m.st.Minutes, MinutesVersion{Version: len(m.st.Minutes) + 1,
		Text: in.Text, TextRef: in.TextRef, PublishedBy: in.Actor, PublishedAt: workflow.Now(ctx)})
	m.st.Status = models.MeetingPublished
	m.changed = true
	return m.st, m.save(ctx)
}

func (m *meeting) validateReschedule(ctx workflow.Context, in RescheduleInput) error {
	if err := m.notOpen("reschedule"); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	if !now.Before(m.st.StartsAt) {
		return reject(apperr.Conflict, "", "การประชุมเริ่มแล้ว เลื่อนไม่ได้ (the meeting has started)")
	}
	if !in.StartsAt.After(now) {
		return reject(apperr.Invalid, "starts_at", "วันและเวลาใหม่ต้องอยู่ในอนาคต (the new time is in the past)")
	}
	if strings.TrimSpace(in.Reason) == "" {
		return reject(apperr.Invalid, "reason", "กรุณาระบุเหตุผล (reason is required)")
	}
	return nil
}

func (m *meeting) reschedule(ctx workflow.Context, in RescheduleInput) (MeetingState, error) {
	m.st.StartsAt = in.StartsAt
	m.st.Sequence++
	m.st.Reason = in.Reason
	m.st.RSVPReminded, m.st.DayOfReminded = false, false
	if err := m.retime(ctx); err != nil {
		return m.st, err
	}
	m.changed = true
	if m.st.NoticeSentAt != nil {
		return m.st, m.sendNotice(ctx, true)
	}
	return m.st, m.save(ctx)
}

func (m *meeting) validateCancel(ctx workflow.Context, in CancelInput) error {
	if err := m.notOpen("cancel"); err != nil {
		return err
	}
	if !workflow.Now(ctx).Before(m.st.StartsAt) {
		return reject(apperr.Conflict, "", "การประชุมเริ่มแล้ว ยกเลิกไม่ได้ (the meeting has started)")
	}
	if strings.TrimSpace(in.Reason) == "" {
		return reject(apperr.Invalid, "reason", "กรุณาระบุเหตุผลการยกเลิก (reason is required)")
	}
	return nil
}

func (m *meeting) cancel(ctx workflow.Context, in CancelInput) (MeetingState, error) {
	m.st.Status = models.MeetingCancelled
	m.st.Sequence++
	m.st.Reason = in.Reason
	m.changed = true
	if m.st.NoticeSentAt != nil {
		return m.st, m.sendNotice(ctx, true)
	}
	return m.st, m.save(ctx)
}

func (m *meeting) validateAgendaItem(_ workflow.Context, in AddAgendaItemInput) error {
	if err := m.notOpen("agenda"); err != nil {
		return err
	}
	if len(m.st.Minutes) > 0 {
		return reject(apperr.Conflict, "", "เผยแพร่รายงานการประชุมแล้ว เพิ่มวาระไม่ได้ (minutes already published)")
	}
	if strings.TrimSpace(in.Title) == "" {
		return reject(apperr.Invalid, "title", "กรุณาระบุหัวข้อวาระ (title is required)")
	}
	return nil
}

func (m *meeting) addAgendaItem(ctx workflow.Context, in AddAgendaItemInput) (MeetingState, error) {
	m.st.Agenda = append(m.st.Agenda, AgendaItem{Kind: "item", Title: in.Title, Detail: in.Detail, AddedBy: in.Actor})
	return m.st, m.save(ctx)
}
