package workflows

import (
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/notify"
)

// deliveryDBOptions run the database-only steps: retried without limit
// inside the delivery's window (a database outage delays delivery, it does
// not lose it).
func deliveryDBOptions(in notify.DeliveryInput) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: in.RetryWindow,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{notify.ErrTypeInvalid},
		},
	}
}

// deliveryLocalDBOptions are deliveryDBOptions for a local activity. Once
// the back-off outgrows the workflow task timeout the SDK waits on a timer
// between attempts, so an outage of any length inside the window is fine.
func deliveryLocalDBOptions(in notify.DeliveryInput) workflow.LocalActivityOptions {
	o := deliveryDBOptions(in)
	return workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: o.ScheduleToCloseTimeout,
		StartToCloseTimeout:    o.StartToCloseTimeout,
		RetryPolicy:            o.RetryPolicy,
	}
}

// deliverySendOptions run one send: exponential back-off from
// InitialRetryInterval to MaxRetryInterval, for at most RetryWindow in
// total (schedule-to-close), after which the delivery is marked failed.
// Configuration errors and rejections are not retried. Each attempt may
// take two minutes: more than the SMTP sender's one-minute and the
// webhook's ten-second bound on their own I/O, so an attempt has always
// stopped talking to the server before Temporal starts the next one.
func deliverySendOptions(in notify.DeliveryInput) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: in.RetryWindow,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    in.InitialRetryInterval,
			BackoffCoefficient: 2,
			MaximumInterval:    in.MaxRetryInterval,
			NonRetryableErrorTypes: []string{notify.ErrTypeConfig, notify.ErrTypeRejected,
				notify.ErrTypeInvalid, notify.ErrTypeSentUnrecorded},
		},
	}
}

// DeliveryWorkflow delivers one notification (workflow ID
// notify.DeliveryWorkflowID, started by notify.Dispatcher): PrepareDelivery
// writes the inbox items and deliveries rows and returns the sends; each
// e-mail and webhook is then sent by its own activity, a few at a time,
// each retried with back-off within the input's RetryWindow. A send that
// fails for good (configuration error, rejection, window exhausted) marks
// its delivery failed (a configuration error also alerts the admins) and
// the others go on. FinishDelivery sets the notification's final status.
//
// Exactly once: the workflow ID admits one delivery per notification, and
// each send activity consults its deliveries row first, so a retried
// attempt after a lost reply does not send again.
func DeliveryWorkflow(ctx workflow.Context, in notify.DeliveryInput) (notify.DeliveryResult, error) {
	in = in.WithDefaults()
	res := notify.DeliveryResult{NotificationID: in.NotificationID}
	if in.NotificationID == "" {
		return res, temporal.NewNonRetryableApplicationError("DeliveryWorkflow: notification_id is required", notify.ErrTypeInvalid, nil)
	}
	var d *activities.Delivery
	sendCtx := workflow.WithActivityOptions(ctx, deliverySendOptions(in))
	// dbStep runs a database-only step. Revision 1 runs them as local
	// activities, inside the workflow task: a delivery then costs the server
	// two workflow tasks and one activity per send instead of an activity
	// round trip per step, which mattered when a fan-out to 955 units makes
	// 955 deliveries at once (P1 in docs/BENCHMARKS.md).
	dbStep := func(activity, arg any) workflow.Future {
		return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryDBOptions(in)), activity, arg)
	}
	if in.Revision >= 1 {
		dbStep = func(activity, arg any) workflow.Future {
			return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, deliveryLocalDBOptions(in)), activity, arg)
		}
	}

	var plan notify.Plan
	if err := dbStep(d.PrepareDelivery, in.NotificationID).Get(ctx, &plan); err != nil {
		return res, err
	}
	res.InboxItems = plan.InboxItems
	if plan.Finished {
		res.Status = "already finished"
		return res, nil
	}

	// One job per send; jobs run ParallelSends at a time.
	type job struct {
		deliveryID string
		messageID  string
		start      func() workflow.Future
	}
	var jobs []job
	for _, t := range plan.Emails {
		jobs = append(jobs, job{t.DeliveryID, notify.MessageID(in.NotificationID), func() workflow.Future {
			return workflow.ExecuteActivity(sendCtx, d.SendEmail, activities.SendEmailInput{NotificationID: in.NotificationID, Target: t})
		}})
	}
	for _, t := range plan.Webhooks {
		jobs = append(jobs, job{t.DeliveryID, "", func() workflow.Future {
			return workflow.ExecuteActivity(sendCtx, d.SendWebhook, activities.SendWebhookInput{NotificationID: in.NotificationID, Target: t})
		}})
	}

	var firstErr error
	settle := func(j job, f workflow.Future) {
		var sr notify.SendResult
		err := f.Get(ctx, &sr)
		if err == nil {
			if sr.Outcome == notify.OutcomeSkipped {
				res.Skipped++
			} else {
				res.Sent++
			}
			return
		}
		var appErr *temporal.ApplicationError
		errors.As(err, &appErr)
		if appErr != nil && appErr.Type() == notify.ErrTypeSentUnrecorded {
			// Handed over already: record it, never send again.
			if err := dbStep(d.MarkDeliverySent,
				activities.MarkDeliverySentInput{DeliveryID: j.deliveryID, MessageID: j.messageID}).Get(ctx, nil); err != nil && firstErr == nil {
				firstErr = err
			}
			res.Sent++
			return
		}
		fail := activities.FailDeliveryInput{DeliveryID: j.deliveryID, Reason: deliveryFailureReason(err, in.RetryWindow)}
		fail.ConfigError = appErr != nil && appErr.Type() == notify.ErrTypeConfig
		if err := dbStep(d.FailDelivery, fail).Get(ctx, nil); err != nil && firstErr == nil {
			firstErr = err
		}
		res.Failed++
	}

	running := 0
	sel := workflow.NewSelector(ctx)
	for _, j := range jobs {
		if running == in.ParallelSends {
			sel.Select(ctx)
			running--
		}
		running++
		sel.AddFuture(j.start(), func(f workflow.Future) { settle(j, f) })
	}
	for ; running > 0; running-- {
		sel.Select(ctx)
	}
	if firstErr != nil {
		return res, firstErr
	}

	err := dbStep(d.FinishDelivery, in.NotificationID).Get(ctx, &res.Status)
	return res, err
}

// deliveryFailureReason is the text recorded when a send is given up:
// Thai first, English after, then the last error.
func deliveryFailureReason(err error, window time.Duration) string {
	last := err.Error()
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		last = appErr.Message()
	}
	var actErr *temporal.ActivityError
	var timeoutErr *temporal.TimeoutError
	switch {
	// A retryable error ends the activity only when the retry window
	// (schedule-to-close) has no room for another attempt: the policy has
	// no attempt limit.
	case errors.As(err, &timeoutErr),
		errors.As(err, &actErr) && actErr.RetryState() == enums.RETRY_STATE_TIMEOUT,
		appErr != nil && !appErr.NonRetryable():
		return "ส่งไม่สำเร็จภายในเวลาที่กำหนด " + window.String() + " (retry window exhausted): " + last
	case appErr != nil && appErr.Type() == notify.ErrTypeConfig:
		return "การตั้งค่าการส่งไม่ถูกต้อง (configuration error): " + last
	case appErr != nil && appErr.Type() == notify.ErrTypeRejected:
		return "ปลายทางปฏิเสธข้อความ (rejected): " + last
	}
	return "ส่งไม่สำเร็จ (failed): " + last
}
