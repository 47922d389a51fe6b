package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// DigestWorkflow sends the daily digest: every day at the configured
// Bangkok time (default 07:30) it enqueues, on working days, one digest
// notification per inspector and per province (EnqueueDailyDigests, which
// also skips the holidays of the holidays table), then continues as new,
// so its history never grows beyond one day. There is one, with workflow
// ID notify.DigestWorkflowID, started and re-configured by
// notify.EnsureDigestWorkflow (signal notify.SignalDigestSettings).
//
// Why a long-running workflow rather than a Temporal Schedule: the digest
// time lives in tidtam's configuration, and a signal-with-start at worker
// start-up both creates the workflow and applies a changed time, with no
// schedule to keep in step; the holiday rule needs an activity either way;
// and the workflow runs unchanged under the SDK's time-skipping test
// environment. A day is handled at most once (LastDate is carried across
// continue-as-new), and a day the workers were down for is handled late
// rather than skipped, as the timer fires when a worker is back.
func DigestWorkflow(ctx workflow.Context, in notify.DigestInput) error {
	settings := digestSettings(in.Settings)
	last := in.LastDate
	changes := workflow.GetSignalChannel(ctx, notify.SignalDigestSettings)
	log := workflow.GetLogger(ctx)
	for {
		now := workflow.Now(ctx)
		next := nextDigestRun(now, settings, last)
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(timerCtx, next.Sub(now))
		fired := false
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(f workflow.Future) { fired = f.Get(ctx, nil) == nil })
		sel.AddReceive(changes, func(c workflow.ReceiveChannel, _ bool) {
			var s notify.DigestSettings
			c.Receive(ctx, &s)
			settings = digestSettings(s)
			cancelTimer()
		})
		sel.Select(ctx)
		if !fired {
			continue // the time changed: wait for the new one
		}
		cancelTimer()

		day := thaidate.FromTime(next)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			window := settings.RetryWindow
			actCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
				StartToCloseTimeout:    5 * time.Minute,
				ScheduleToCloseTimeout: window,
				RetryPolicy: &temporal.RetryPolicy{
					InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
					NonRetryableErrorTypes: []string{notify.ErrTypeInvalid},
				},
			})
			var d *activities.Delivery
			var res notify.DigestResult
			if err := workflow.ExecuteActivity(actCtx, d.EnqueueDailyDigests, activities.EnqueueDigestsInput{Date: day.String()}).Get(ctx, &res); err != nil {
				// One lost digest must not stop the following days'.
				log.Error("daily digest not enqueued", "date", day.String(), "error", err)
			} else {
				log.Info("daily digest enqueued", "date", day.String(), "skipped", res.Skipped,
					"inspectors", res.Inspectors, "provinces", res.Provinces)
			}
		}
		last = day.String()
		// Settings sent meanwhile must survive continue-as-new.
		for {
			var s notify.DigestSettings
			if !changes.ReceiveAsync(&s) {
				break
			}
			settings = digestSettings(s)
		}
		return workflow.NewContinueAsNewError(ctx, notify.DigestWorkflowType, notify.DigestInput{Settings: settings, LastDate: last})
	}
}

// digestSettings fills the defaults: 07:30 for the zero value (see
// notify.DigestSettings) or a time out of range, a one-hour retry window.
func digestSettings(s notify.DigestSettings) notify.DigestSettings {
	if s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 || (s.Hour == 0 && s.Minute == 0) {
		s.Hour, s.Minute = notify.DefaultDigestSettings.Hour, notify.DefaultDigestSettings.Minute
	}
	if s.RetryWindow <= 0 {
		s.RetryWindow = time.Hour
	}
	return s
}

// nextDigestRun is the first Hour:Minute Bangkok strictly after now whose
// date is after last (YYYY-MM-DD; empty for none).
func nextDigestRun(now time.Time, s notify.DigestSettings, last string) time.Time {
	day := thaidate.FromTime(now)
	for {
		at := day.At(s.Hour, s.Minute)
		if at.After(now) && (last == "" || day.String() > last) {
			return at
		}
		day = day.AddDays(1)
	}
}
