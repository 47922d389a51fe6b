//go:build bench

package bench

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// TestP6HistoryGrowth runs 10 simulated years in the SDK's time-skipping
// test environment for (a) an assignment with one monthly recurring item
// ("by the 5th working day") whose unit never reports, so every cycle runs
// its reminders, overdue notice, escalations and lapse, and (b) a meeting
// series meeting twice a month, following every continue-as-new with the
// carried input.
//
// The test environment keeps no event history, so the history length of
// each run is COUNTED from the commands the workflow issues, with the cost
// a real server records for each (listeners below), and fed back with
// SetCurrentHistoryLength so the workflow's own continue-as-new check sees
// it, as it would on a server:
//
//	start 1 + first workflow task 3; timer started 1, fired 1 + task 3,
//	cancelled 1; local activity marker 1; activity scheduled/started/
//	completed 3 + task 3; child initiated/started 2 + task 3, completed
//	1 + task 3; continue-as-new 1.
//
// Every wake-up is charged a separate workflow task (3 events), so this is
// an upper bound. Target: ≤ 2,000 events in every run.
func TestP6HistoryGrowth(t *testing.T) {
	hols := readHolidays(t)
	t.Run("monthly-recurring-item", func(t *testing.T) {
		start := time.Date(2026, 12, 15, 10, 0, 0, 0, thaidate.Bangkok)
		until := thaidate.Date{Year: 2036, Month: time.December, Day: 31}
		in := wf.AssignmentInput{
			Directive: wf.DirectiveRef{ID: "ONCB-p6", IssuerCode: "ONCB", DocNumber: "ยธ 0600/ว 123", IssueDate: thaidate.Date{Year: 2026, Month: time.December, Day: 1},
				Urgency: wf.UrgencyNormal, Subject: "รายงานผลประจำเดือน"},
			Target:   wf.UnitTarget{UnitCode: "5001", ParentCode: "50", Region: 15, Type: models.UnitDistrict},
			Items:    []wf.DirectiveItem{{Number: 1, Text: "รายงานผลประจำเดือน", Recurrence: &wf.Recurrence{MonthlyWorkingDay: 5, Until: until}}},
			Policy:   wf.DefaultPolicy(wf.UrgencyNormal),
			Holidays: hols,
			Actor:    "secretariat1",
		}
		now := start
		var lengths []int
		for run := 1; ; run++ {
			if run > 500 {
				t.Fatal("too many runs")
			}
			env, cnt := newCountingEnv(t, now, hols)
			var a *activities.Activities
			env.OnActivity(a.CommitAssignment, mock.Anything, mock.Anything).Return(nil).Maybe()
			env.ExecuteWorkflow(wf.AssignmentWorkflow, in)
			err := env.GetWorkflowError()
			var can *workflow.ContinueAsNewError
			if errors.As(err, &can) {
				*cnt++
				lengths = append(lengths, *cnt)
				var next wf.AssignmentInput
				if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
					t.Fatal(err)
				}
				in, now = next, env.Now()
				continue
			}
			if err != nil {
				t.Fatalf("run %d at %s: %v", run, env.Now(), err)
			}
			lengths = append(lengths, *cnt)
			now = env.Now()
			t.Logf("workflow completed at %s", now.Format(time.DateOnly))
			break
		}
		report(t, "P6 monthly recurring item, 10 years", lengths, start, now)
	})
	t.Run("meeting-series", func(t *testing.T) {
		start := time.Date(2025, 12, 1, 9, 0, 0, 0, thaidate.Bangkok)
		end := start.AddDate(10, 0, 0)
		in := wf.MeetingSeriesInput{Series: wf.MeetingSeriesSpec{
			ID: "oncb-prov", Name: "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.", OrganiserCode: models.NationalUnitCode,
			Participants: []string{"10", "20", "30"},
			Cadence:      []wf.CadenceRule{{Weekday: time.Wednesday, Weeks: []int{2, 4}, Hour: 13, Minute: 30}},
			Link:         "https://meet.example/oncb", StartDate: thaidate.Date{Year: 2025, Month: time.December, Day: 1},
		}, Holidays: hols, Actor: "sec"}
		now := start
		var lengths []int
		for run := 1; now.Before(end); run++ {
			if run > 500 {
				t.Fatal("too many runs")
			}
			env, cnt := newCountingEnv(t, now, hols)
			var m *activities.Meetings
			env.OnActivity(m.SaveMeeting, mock.Anything, mock.Anything).Return(nil).Maybe()
			env.OnActivity(m.EnqueueMeetingNotifications, mock.Anything, mock.Anything).Return(nil).Maybe()
			env.OnActivity(m.BuildFollowUp, mock.Anything, mock.Anything).Return([]activities.FollowUp{}, nil).Maybe()
			env.OnWorkflow(wf.MeetingWorkflow, mock.Anything, mock.Anything).Return(wf.MeetingResult{}, nil).Maybe()
			// Stop the run when the simulated clock passes ten years.
			env.RegisterDelayedCallback(func() { env.CancelWorkflow() }, end.Sub(now))
			env.ExecuteWorkflow(wf.MeetingSeriesWorkflow, in)
			err := env.GetWorkflowError()
			var can *workflow.ContinueAsNewError
			if errors.As(err, &can) {
				*cnt++
				lengths = append(lengths, *cnt)
				var next wf.MeetingSeriesInput
				if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
					t.Fatal(err)
				}
				in, now = next, env.Now()
				continue
			}
			lengths = append(lengths, *cnt)
			t.Logf("run %d ended at %s: %v", run, env.Now().Format(time.DateOnly), err)
			now = env.Now()
			break
		}
		report(t, "P6 meeting series (2 meetings/month), 10 years", lengths, start, now)
	})
}

func report(t *testing.T, what string, lengths []int, start, end time.Time) {
	mx := slices.Max(lengths)
	total := 0
	for _, l := range lengths {
		total += l
	}
	verdict := "MET"
	if mx > 2000 {
		verdict = "MISSED"
	}
	t.Logf("%s: simulated %s → %s, %d runs, events per run max %d, mean %d, total %d; target ≤ 2,000 per run: %s; per run: %v",
		what, start.Format(time.DateOnly), end.Format(time.DateOnly), len(lengths), mx, total/len(lengths), total, verdict, lengths)
}

// newCountingEnv is a test environment whose listeners count the events a
// server would record and feed the count back as the history length.
func newCountingEnv(t *testing.T, start time.Time, hols []string) (*testsuite.TestWorkflowEnvironment, *int) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(5 * time.Minute)
	wf.Register(env, wf.Activities{Directives: &activities.Activities{}, Meetings: &activities.Meetings{}})
	var a *activities.Activities
	env.OnActivity(a.LoadHolidays, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.LoadHolidaysInput) (activities.LoadHolidaysResult, error) {
			out := activities.LoadHolidaysResult{Holidays: []string{}, Years: []int{}}
			for _, y := range in.Years {
				for _, h := range hols {
					if strings.HasPrefix(h, strconv.Itoa(y)+"-") {
						out.Holidays = append(out.Holidays, h)
						if !slices.Contains(out.Years, y) {
							out.Years = append(out.Years, y)
						}
					}
				}
			}
			return out, nil
		}).Maybe()
	n := 4 // started + first workflow task
	add := func(k int) { n += k; env.SetCurrentHistoryLength(n) }
	env.SetCurrentHistoryLength(n)
	env.SetOnTimerScheduledListener(func(string, time.Duration) { add(1) })
	env.SetOnTimerFiredListener(func(string) { add(1 + 3) })
	env.SetOnTimerCanceledListener(func(string) { add(1) })
	env.SetOnLocalActivityCompletedListener(func(*activity.Info, converter.EncodedValue, error) { add(1) })
	env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { add(2) })
	env.SetOnActivityCompletedListener(func(*activity.Info, converter.EncodedValue, error) { add(1 + 3) })
	env.SetOnChildWorkflowStartedListener(func(*workflow.Info, workflow.Context, converter.EncodedValues) { add(2 + 3) })
	env.SetOnChildWorkflowCompletedListener(func(*workflow.Info, converter.EncodedValue, error) { add(1 + 3) })
	return env, &n
}

// readHolidays returns the shipped holiday dates (refdata).
func readHolidays(t *testing.T) []string {
	var out []string
	for _, h := range refdata.Holidays() {
		out = append(out, h.Date)
	}
	return out
}
