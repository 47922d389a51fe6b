package workflows_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// meetingRecorder records what the meeting activities were asked to do.
type meetingRecorder struct {
	mu       sync.Mutex
	env      *testsuite.TestWorkflowEnvironment
	saves    []activities.SaveMeetingInput
	notes    []sentNote
	children []wf.MeetingInput
	holidays []string
}

func newMeetingEnv(t *testing.T, start time.Time, r *meetingRecorder) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(60 * time.Second)
	r.env = env
	wf.Register(env, wf.Activities{Directives: &activities.Activities{}, Meetings: &activities.Meetings{}})
	var a *activities.Activities
	var m *activities.Meetings
	env.OnActivity(a.LoadHolidays, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.LoadHolidaysInput) (activities.LoadHolidaysResult, error) {
			out := activities.LoadHolidaysResult{Holidays: []string{}, Years: []int{}}
			for _, y := range in.Years {
				for _, h := range r.holidays {
					if strings.HasPrefix(h, itoa(y)+"-") {
						out.Holidays = append(out.Holidays, h)
						if !slices.Contains(out.Years, y) {
							out.Years = append(out.Years, y)
						}
					}
				}
			}
			return out, nil
		}).Maybe()
	env.OnActivity(m.SaveMeeting, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveMeetingInput) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.saves = append(r.saves, in)
			return nil
		}).Maybe()
	env.OnActivity(m.EnqueueMeetingNotifications, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EnqueueMeetingNotificationsInput) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, n := range in.Notifications {
				r.notes = append(r.notes, sentNote{env.Now(), n})
			}
			return nil
		}).Maybe()
	env.OnActivity(m.BuildFollowUp, mock.Anything, mock.Anything).Return(
		[]activities.FollowUp{{DirectiveID: "ONCB-1", MeetingID: "old", DocNumber: "ปส 1/2569", Subject: "เร่งรัด", Units: 77, Acknowledged: 70, Reported: 40, Overdue: 5, Escalated: 2}}, nil).Maybe()
	return env
}

func seriesSpec(n wf.Numbering, rule wf.HolidayRule) wf.MeetingSeriesSpec {
	return wf.MeetingSeriesSpec{
		ID: "oncb-prov", Name: "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.", OrganiserCode: models.NationalUnitCode,
		Participants: []string{"10", "20", "30"},
		Cadence:      []wf.CadenceRule{{Weekday: time.Wednesday, Weeks: []int{2, 4}, Hour: 13, Minute: 30}},
		Link:         "https://meet.example/oncb", Numbering: n, HolidayRule: rule,
		StartDate: thaidate.Date{Year: 2025, Month: time.December, Day: 1},
	}
}

// runSeries runs the series from start, one run per created meeting
// (history length forced over the limit), until a meeting on or after
// until is created; it returns the created meeting inputs and the number
// of runs.
func runSeries(t *testing.T, spec wf.MeetingSeriesSpec, start, until time.Time) ([]wf.MeetingInput, int) {
	t.Helper()
	r := &meetingRecorder{holidays: holidays(t)}
	in := wf.MeetingSeriesInput{Series: spec, Holidays: holidays(t, 2025), Actor: "sec", HistoryLimit: 50}
	now := start
	runs := 0
	for {
		runs++
		if runs > 60 {
			t.Fatal("too many runs")
		}
		env := newMeetingEnv(t, now, r)
		env.SetCurrentHistoryLength(51)
		env.OnWorkflow(wf.MeetingWorkflow, mock.Anything, mock.Anything).Return(
			func(_ workflow.Context, mi wf.MeetingInput) (wf.MeetingResult, error) {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.children = append(r.children, mi)
				return wf.MeetingResult{}, nil
			})
		env.ExecuteWorkflow(wf.MeetingSeriesWorkflow, in)
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); !errors.As(err, &can) {
			t.Fatalf("run %d: want continue-as-new, got %v", runs, err)
		}
		var next wf.MeetingSeriesInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		if next.State == nil || next.State.Runs != runs || len(next.State.Recent) > 24 {
			t.Fatalf("run %d: carried state %+v", runs, next.State)
		}
		in, now = next, env.Now()
		last := r.children[len(r.children)-1]
		if !last.Meeting.StartsAt.Before(until) {
			return r.children, runs
		}
	}
}

// TestMeetingSeriesYear simulates a year of the 2nd/4th-Wednesday series
// over the real holidays: each meeting is created 10 working days ahead,
// holidays move the meeting to the next working day, numbers run 1, 2, …
// within each Buddhist-era year and restart in 2569, and the series
// continues as new (state carried) without losing or reusing a number.
func TestMeetingSeriesYear(t *testing.T) {
	hols := holidays(t)
	spec := seriesSpec(wf.NumberingCalendar, wf.HolidayMove)
	ms, runs := runSeries(t, spec, bkk(2025, 12, 1, 8, 0), bkk(2027, 1, 1, 0, 0))
	t.Logf("%d meetings in %d runs; first %s, last %s", len(ms), runs, ms[0].Meeting.ID, ms[len(ms)-1].Meeting.ID)
	if runs < 20 {
		t.Fatalf("runs = %d: history not bounded by continue-as-new", runs)
	}
	lastNumber := map[int]int{}
	var moved []string
	for _, m := range ms {
		mi := m.Meeting
		d := mi.StartsAt.In(thaidate.Bangkok)
		if !isWorkingDay(hols, d) {
			t.Errorf("%s on non-working day %s", mi.ID, d.Format(time.DateOnly))
		}
		if d.Hour() != 13 || d.Minute() != 30 {
			t.Errorf("%s at %s", mi.ID, d)
		}
		if d.Weekday() != time.Wednesday {
			moved = append(moved, d.Format(time.DateOnly))
		}
		wantYear := d.Year() + 543
		if mi.YearBE != wantYear || mi.Number != lastNumber[wantYear]+1 {
			t.Errorf("%s: number %d/%d, want %d/%d", mi.ID, mi.Number, mi.YearBE, lastNumber[wantYear]+1, wantYear)
		}
		lastNumber[wantYear] = mi.Number
		if mi.ID != wf.MeetingID("oncb-prov", mi.YearBE, mi.Number) || !strings.HasSuffix(mi.Title, "ครั้งที่ "+itoa(mi.Number)+"/"+itoa(mi.YearBE)) {
			t.Errorf("id %s title %s", mi.ID, mi.Title)
		}
	}
	// 2025-12-10, 2026-05-13 and 2026-08-12 are holidays on a 2nd Wednesday.
	if !slices.Equal(moved, []string{"2025-12-11", "2026-05-14", "2026-08-13"}) {
		t.Errorf("moved meetings %v", moved)
	}
	if lastNumber[2569] != 24 {
		t.Errorf("meetings in 2569: %d, want 24", lastNumber[2569])
	}
}

// TestMeetingSeriesFiscalSkip: fiscal numbering restarts on 1 October and
// the skip rule drops holiday slots (so 2026-08-12 has no meeting).
func TestMeetingSeriesFiscalSkip(t *testing.T) {
	spec := seriesSpec(wf.NumberingFiscal, wf.HolidaySkip)
	spec.StartDate = thaidate.Date{Year: 2026, Month: time.July, Day: 1}
	ms, _ := runSeries(t, spec, bkk(2026, 6, 15, 8, 0), bkk(2026, 11, 1, 0, 0))
	var got []string
	for _, m := range ms {
		got = append(got, m.Meeting.StartsAt.In(thaidate.Bangkok).Format("01-02")+"#"+itoa(m.Meeting.Number)+"/"+itoa(m.Meeting.YearBE))
	}
	want := []string{"07-08#1/2569", "07-22#2/2569", "08-26#3/2569", "09-09#4/2569", "09-23#5/2569",
		"10-14#1/2570", "10-28#2/2570", "11-11#3/2570"}
	if !slices.Equal(got, want) {
		t.Fatalf("meetings\n got %v\nwant %v", got, want)
	}
}

func meetingInput() wf.MeetingInput {
	return wf.MeetingInput{
		Meeting: wf.MeetingInfo{ID: "oncb-prov-2569-5", SeriesID: "oncb-prov", SeriesName: "ประชุม", YearBE: 2569, Number: 5,
			Title: "ประชุม ครั้งที่ 5/2569", StartsAt: bkk(2026, 3, 11, 13, 30), Link: "https://meet.example/x",
			OrganiserCode: models.NationalUnitCode, Participants: []string{"30", "10", "20"}},
		Holidays: []string{"2026-03-03"},
	}
}

func notesOf(r *meetingRecorder, kind string) []sentNote {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentNote
	for _, n := range r.notes {
		if n.in.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// TestMeetingFullCycle: notice 5 working days before (agenda with the
// follow-up section), RSVP until the start then a clear error, reminders to
// the unit that did not answer (the day before and on the day), attendance
// only after the start with absent and under-represented units flagged,
// minutes reminders until minutes are published, versioned minutes.
func TestMeetingFullCycle(t *testing.T) {
	r := &meetingRecorder{holidays: holidays(t)}
	env := newMeetingEnv(t, bkk(2026, 2, 23, 8, 0), r)
	var errs []string
	upd := func(at time.Duration, name string, arg any, wantErr string) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
				OnReject: func(err error) {
					if wantErr == "" || !strings.Contains(err.Error(), wantErr) {
						errs = append(errs, name+": unexpected reject "+err.Error())
					}
				},
				OnAccept: func() {},
				OnComplete: func(_ any, err error) {
					if wantErr != "" {
						errs = append(errs, name+": accepted, want "+wantErr)
					}
					if err != nil {
						errs = append(errs, name+": "+err.Error())
					}
				},
			}, arg)
		}, at)
	}
	start := bkk(2026, 2, 23, 8, 0)
	at := func(t time.Time) time.Duration { return t.Sub(start) }
	gov := []wf.Attendee{{Name: "ผู้ว่าฯ", Role: models.AttendeeGovernor}}
	upd(at(bkk(2026, 3, 5, 10, 0)), wf.UpdateRSVP, wf.RSVPInput{UnitCode: "10", Actor: "bkk", Attendees: gov}, "")
	upd(at(bkk(2026, 3, 5, 10, 1)), wf.UpdateRSVP, wf.RSVPInput{UnitCode: "20", Actor: "chonburi", Attendees: []wf.Attendee{{Name: "x", Role: "mayor"}}}, "unknown role")
	upd(at(bkk(2026, 3, 5, 10, 2)), wf.UpdateRSVP, wf.RSVPInput{UnitCode: "20", Actor: "chonburi", Attendees: []wf.Attendee{{Name: "ปลัด", Role: models.AttendeePalad}}}, "")
	upd(at(bkk(2026, 3, 5, 10, 3)), wf.UpdateAttendance, wf.AttendanceInput{Actor: "sec", Units: []wf.UnitAttendanceInput{{UnitCode: "10", Attendees: gov}}}, "has not started")
	upd(at(bkk(2026, 3, 11, 14, 0)), wf.UpdateRSVP, wf.RSVPInput{UnitCode: "30", Actor: "x", Declined: true, Reason: "ติดภารกิจ"}, "RSVP is closed")
	upd(at(bkk(2026, 3, 11, 15, 0)), wf.UpdateAttendance, wf.AttendanceInput{Actor: "sec", Units: []wf.UnitAttendanceInput{
		{UnitCode: "10", Attendees: gov}, {UnitCode: "20", Attendees: []wf.Attendee{{Name: "ปลัด", Role: models.AttendeePalad}}}}}, "")
	upd(at(bkk(2026, 3, 24, 11, 0)), wf.UpdateMinutes, wf.MinutesInput{Actor: "sec", Text: "ร่าง 1"}, "")
	upd(at(bkk(2026, 3, 25, 11, 0)), wf.UpdateMinutes, wf.MinutesInput{Actor: "sec", Text: "ฉบับแก้ไข"}, "")
	env.ExecuteWorkflow(wf.MeetingWorkflow, meetingInput())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
	var res wf.MeetingResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	st := res.State
	notices := notesOf(r, wf.NotifyMeetingNotice)
	// 5 working days before Wed 11 March with Tue 3 March a holiday: Wed 4 March 09:00.
	if len(notices) != 3 || !notices[0].at.Equal(bkk(2026, 3, 4, 9, 0)) || notices[0].in.Recipients.UnitCodes[0] != "10" {
		t.Fatalf("notices %+v", notices)
	}
	if len(st.Agenda) != 1 || st.Agenda[0].FollowUp == nil || st.Agenda[0].FollowUp.Overdue != 5 {
		t.Errorf("agenda %+v", st.Agenda)
	}
	rem := notesOf(r, wf.NotifyRSVPReminder)
	if len(rem) != 2 || rem[0].in.Recipients.UnitCodes[0] != "30" || !rem[0].at.Equal(bkk(2026, 3, 10, 9, 0)) ||
		!rem[1].at.Equal(bkk(2026, 3, 11, 9, 0)) || rem[1].in.Recipients.UnitCodes[0] != "30" {
		t.Errorf("rsvp reminders %+v", rem)
	}
	if !slices.Equal(st.Absent, []string{"30"}) || !slices.Equal(st.UnderRepresented, []string{"20"}) {
		t.Errorf("absent %v under-represented %v", st.Absent, st.UnderRepresented)
	}
	// Minutes due 7 working days after 11 March: 20 March 16:30; reminders
	// 19 March, then 23 and 24 March (09:00) until published 24 March 11:00.
	mr := notesOf(r, wf.NotifyMinutesReminder)
	var mrAt []time.Time
	for _, n := range mr {
		mrAt = append(mrAt, n.at)
	}
	if !st.MinutesDueAt.Equal(bkk(2026, 3, 20, 16, 30)) || !slices.EqualFunc(mrAt,
		[]time.Time{bkk(2026, 3, 19, 9, 0), bkk(2026, 3, 23, 9, 0), bkk(2026, 3, 24, 9, 0)}, time.Time.Equal) {
		t.Errorf("minutes due %s reminders %v", st.MinutesDueAt, mrAt)
	}
	if len(st.Minutes) != 2 || st.Minutes[1].Version != 2 || st.Minutes[1].Text != "ฉบับแก้ไข" || st.Status != models.MeetingPublished {
		t.Errorf("minutes %+v status %s", st.Minutes, st.Status)
	}
	last := r.saves[len(r.saves)-1]
	if last.Meeting.Version != st.Seq || len(last.Minutes) != 2 || len(last.Attendance) != 2 || len(last.RSVPs) != 2 {
		t.Errorf("last save %+v", last)
	}
}

// TestMeetingRescheduleAndCancel: a reschedule keeps the number, raises
// SEQUENCE and re-notifies; a reschedule into the past and a second
// cancel are rejected; cancelling ends the workflow with status cancelled.
func TestMeetingRescheduleAndCancel(t *testing.T) {
	r := &meetingRecorder{holidays: holidays(t)}
	start := bkk(2026, 3, 2, 8, 0)
	env := newMeetingEnv(t, start, r)
	var errs []string
	upd := func(at time.Time, name string, arg any, wantErr string) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
				OnReject: func(err error) {
					if wantErr == "" || !strings.Contains(err.Error(), wantErr) {
						errs = append(errs, name+": unexpected reject "+err.Error())
					}
				},
				OnAccept: func() {},
				OnComplete: func(_ any, err error) {
					if wantErr != "" {
						errs = append(errs, name+": accepted, want "+wantErr)
					}
				},
			}, arg)
		}, at.Sub(start))
	}
	upd(bkk(2026, 3, 5, 10, 0), wf.UpdateReschedule, wf.RescheduleInput{StartsAt: bkk(2026, 3, 1, 13, 30), Actor: "sec", Reason: "x"}, "in the past")
	upd(bkk(2026, 3, 5, 11, 0), wf.UpdateReschedule, wf.RescheduleInput{StartsAt: bkk(2026, 3, 18, 13, 30), Actor: "sec", Reason: "ติดภารกิจ"}, "")
	upd(bkk(2026, 3, 6, 10, 0), wf.UpdateCancel, wf.CancelInput{Actor: "sec"}, "reason is required")
	upd(bkk(2026, 3, 16, 10, 0), wf.UpdateCancel, wf.CancelInput{Actor: "sec", Reason: "ยกเลิก"}, "")
	env.ExecuteWorkflow(wf.MeetingWorkflow, meetingInput())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
	var res wf.MeetingResult
	_ = env.GetWorkflowResult(&res)
	st := res.State
	if st.Status != models.MeetingCancelled || st.Sequence != 2 || st.Number != 5 || !st.StartsAt.Equal(bkk(2026, 3, 18, 13, 30)) {
		t.Fatalf("state %+v", st)
	}
	notices := notesOf(r, wf.NotifyMeetingNotice)
	var ids []string
	for _, n := range notices {
		if n.in.Recipients.UnitCodes[0] == "10" {
			ids = append(ids, n.in.ID)
		}
	}
	// Notice on 4 March, the reschedule notice on 5 March, the
	// cancellation; no notice for the new date since it was already sent.
	if !slices.Equal(ids, []string{"oncb-prov-2569-5/notice/0/10", "oncb-prov-2569-5/notice/1/10", "oncb-prov-2569-5/cancel/10"}) {
		t.Errorf("notices %v", ids)
	}
	if !env.Now().Before(bkk(2026, 3, 17, 0, 0)) {
		t.Errorf("cancelled workflow ran on until %s", env.Now())
	}
	if got := r.saves[len(r.saves)-1].Meeting; got.Status != models.MeetingCancelled || got.Sequence != 2 {
		t.Errorf("saved %+v", got)
	}
}
