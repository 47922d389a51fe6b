package workflows

import (
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// recentLimit bounds the meetings and skipped slots a series remembers.
const recentLimit = 24

// MeetingSeriesWorkflow runs a meeting series indefinitely: it creates each
// regular meeting (a MeetingWorkflow child, abandoned on close) a
// configurable number of working days before it, numbers meetings "ครั้งที่
// N/พ.ศ." restarting each calendar or fiscal year and never reusing a
// number, applies the holiday rule, accepts extra meetings (UpdateAddMeeting)
// and continues as new when its history grows long.
func MeetingSeriesWorkflow(ctx workflow.Context, in MeetingSeriesInput) (MeetingSeriesState, error) {
	s := &series{in: in, spec: in.Series}
	s.spec.Policy = s.spec.Policy.WithDefaults()
	if in.State != nil {
		s.st = *in.State
	} else {
		s.st = MeetingSeriesState{SeriesID: s.spec.ID}
	}
	s.st.Runs++
	clk, err := newClock(in.Holidays, s.st.HolidayYears)
	if err != nil {
		return s.st, reject(apperr.Invalid, "holidays", "รายการวันหยุดไม่ถูกต้อง (invalid holiday list): %v", err)
	}
	s.clk = clk
	if err := workflow.SetQueryHandler(ctx, QuerySeries, func() (MeetingSeriesState, error) { return s.st, nil }); err != nil {
		return s.st, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAddMeeting, s.addMeeting,
		workflow.UpdateHandlerOptions{Validator: s.validateAdd}); err != nil {
		return s.st, err
	}
	limit := in.HistoryLimit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	for {
		now := workflow.Now(ctx)
		after := s.st.Cursor
		if after.IsZero() || after.Before(now) {
			after = maxTime(after, now.Add(-time.Nanosecond))
		}
		y := thaidate.FromTime(after).Year
		if err := s.clk.ensure(ctx, y, y+1); err != nil {
			return s.st, err
		}
		nominal, actual, skipped, ok := NextSlot(s.clk.cal, s.spec.Cadence, s.spec.HolidayRule, s.spec.StartDate, after)
		if !ok {
			// No regular slot (no cadence): only extra meetings.
			if err := workflow.Await(ctx, func() bool { return false }); err != nil {
				return s.st, err
			}
		}
		if y2 := actual.In(thaidate.Bangkok).Year(); y2 > y {
			if err := s.clk.ensure(ctx, y2, y2+1); err != nil {
				return s.st, err
			}
			// The calendar of the later year may move or skip the slot.
			nominal, actual, skipped, _ = NextSlot(s.clk.cal, s.spec.Cadence, s.spec.HolidayRule, s.spec.StartDate, after)
		}
		createAt := s.clk.cal.AddWorkingDays(thaidate.FromTime(actual), -s.spec.Policy.CreateAheadWorkingDays).At(NoticeHour, 0)
		if d := createAt.Sub(now); d > 0 {
			if err := workflow.Sleep(ctx, d); err != nil {
				return s.st, err
			}
		}
		for _, d := range skipped {
			s.st.Skipped = appendBounded(s.st.Skipped, d)
		}
		if actual.After(workflow.Now(ctx)) {
			if _, err := s.create(ctx, actual, "", "", false); err != nil {
				return s.st, err
			}
		}
		s.st.Cursor = nominal
		info := workflow.GetInfo(ctx)
		if info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > limit {
			if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
				return s.st, err
			}
			next := in
			st := s.st
			st.HolidayYears = slices.Clone(s.clk.years)
			next.State = &st
			next.Holidays = slices.Clone(s.clk.holidays)
			return s.st, workflow.NewContinueAsNewError(ctx, MeetingSeriesWorkflow, next)
		}
	}
}

type series struct {
	in   MeetingSeriesInput
	spec MeetingSeriesSpec
	st   MeetingSeriesState
	clk  *clock
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func appendBounded[T any](s []T, v T) []T {
	s = append(s, v)
	if len(s) > recentLimit {
		s = slices.Clone(s[len(s)-recentLimit:])
	}
	return s
}

// overlaps reports whether [start, start+duration) meets a meeting the
// series knows of: a recent one, or the next regular slots.
func (s *series) overlaps(start time.Time) (string, bool) {
	dur := time.Duration(s.spec.Policy.DurationMinutes) * time.Minute
	clash := func(t time.Time) bool { return start.Before(t.Add(dur)) && t.Before(start.Add(dur)) }
	for _, r := range s.st.Recent {
		if clash(r.StartsAt) {
			return r.Title, true
		}
	}
	after := maxTime(s.st.Cursor, start.Add(-dur-time.Nanosecond))
	for range 3 {
		_, actual, _, ok := NextSlot(s.clk.cal, s.spec.Cadence, s.spec.HolidayRule, s.spec.StartDate, after)
		if !ok || actual.After(start.Add(dur)) {
			break
		}
		if clash(actual) {
			return thaidate.FormatDateTimeBE(actual), true
		}
		after = actual
	}
	return "", false
}

func (s *series) validateAdd(ctx workflow.Context, in AddMeetingInput) error {
	if in.StartsAt.IsZero() {
		return reject(apperr.Invalid, "starts_at", "กรุณาระบุวันและเวลาประชุม (starts_at is required)")
	}
	if !in.StartsAt.After(workflow.Now(ctx)) {
		return reject(apperr.Invalid, "starts_at", "วันและเวลาประชุมต้องอยู่ในอนาคต (starts_at is in the past)")
	}
	if what, ok := s.overlaps(in.StartsAt); ok {
		return reject(apperr.Conflict, "starts_at", "เวลาประชุมทับซ้อนกับการประชุม %s (overlaps another meeting of the series)", what)
	}
	return nil
}

func (s *series) addMeeting(ctx workflow.Context, in AddMeetingInput) (MeetingRef, error) {
	y := in.StartsAt.In(thaidate.Bangkok).Year()
	if err := s.clk.ensure(ctx, y, y+1); err != nil {
		return MeetingRef{}, err
	}
	return s.create(ctx, in.StartsAt, in.Title, in.Link, true)
}

// allocate gives the next number of the numbering year of start.
func (s *series) allocate(start time.Time) (int, int) {
	yearBE := NumberingYearBE(s.spec.Numbering, thaidate.FromTime(start))
	for i := range s.st.Counters {
		if s.st.Counters[i].YearBE == yearBE {
			s.st.Counters[i].Last++
			return yearBE, s.st.Counters[i].Last
		}
	}
	s.st.Counters = append(s.st.Counters, YearCounter{YearBE: yearBE, Last: 1})
	slices.SortFunc(s.st.Counters, func(a, b YearCounter) int { return a.YearBE - b.YearBE })
	if len(s.st.Counters) > 3 {
		s.st.Counters = slices.Clone(s.st.Counters[len(s.st.Counters)-3:])
	}
	return yearBE, 1
}

// create allocates a number and starts the meeting's workflow; the number
// is taken before the start, so even a failed start never reuses it.
func (s *series) create(ctx workflow.Context, start time.Time, title, link string, extra bool) (MeetingRef, error) {
	yearBE, number := s.allocate(start)
	id := MeetingID(s.spec.ID, yearBE, number)
	if title == "" {
		title = MeetingTitle(s.spec.Name, yearBE, number)
	} else {
		title = title + " (" + MeetingTitle(s.spec.Name, yearBE, number) + ")"
	}
	if link == "" {
		link = s.spec.Link
	}
	ref := MeetingRef{ID: id, WorkflowID: MeetingWorkflowID(id), YearBE: yearBE, Number: number, Title: title, StartsAt: start, Extra: extra}
	in := MeetingInput{
		Meeting: MeetingInfo{ID: id, SeriesID: s.spec.ID, SeriesName: s.spec.Name, YearBE: yearBE, Number: number,
			Title: title, StartsAt: start, DurationMinutes: s.spec.Policy.DurationMinutes, Link: link,
			OrganiserCode: s.spec.OrganiserCode, Participants: slices.Clone(s.spec.Participants), Extra: extra},
		Policy:   s.spec.Policy,
		Holidays: slices.Clone(s.clk.holidays),
		Actor:    s.in.Actor,
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            ref.WorkflowID,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	var exec workflow.Execution
	err := workflow.ExecuteChildWorkflow(cctx, MeetingWorkflow, in).GetChildWorkflowExecution().Get(ctx, &exec)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return ref, err
	}
	s.st.Created++
	s.st.Recent = appendBounded(s.st.Recent, ref)
	return ref, nil
}
