package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/tidtam/tidtam/internal/thaidate"
)

// The contract between this package, the activities and the workflows
// (package workflows registers the workflows under these names; this
// package starts them by name because it cannot import workflows).
const (
	// DeliveryWorkflowType delivers one notification; its workflow ID is
	// DeliveryWorkflowID(notification ID, round), its input DeliveryInput, its
	// result DeliveryResult.
	DeliveryWorkflowType = "DeliveryWorkflow"
	// DigestWorkflowType is the one long-running daily digest workflow,
	// ID DigestWorkflowID, input DigestInput.
	DigestWorkflowType = "DigestWorkflow"
	// DigestWorkflowID is the fixed ID of the digest workflow: there is
	// one per Temporal namespace.
	DigestWorkflowID = "notify/digest"
	// SignalDigestSettings (DigestSettings) changes the digest time of a
	// running digest workflow; EnsureDigestWorkflow sends it.
	SignalDigestSettings = "digest_settings"
)

// Application error types the delivery activities return and the
// delivery workflow tells apart. All are non-retryable.
const (
	// ErrTypeConfig: ErrConfig or ErrAuth; the delivery fails and the
	// admins are alerted.
	ErrTypeConfig = "notify_config"
	// ErrTypeRejected: ErrRejected; the delivery to that recipient fails.
	ErrTypeRejected = "notify_rejected"
	// ErrTypeSentUnrecorded: ErrSentUnrecorded; the workflow records the
	// delivery with the MarkDeliverySent activity instead of sending again.
	ErrTypeSentUnrecorded = "notify_sent_unrecorded"
	// ErrTypeInvalid: the notification, delivery or template does not
	// exist.
	ErrTypeInvalid = "notify_invalid"
)

// Defaults of DeliveryInput.
const (
	// DefaultRetryWindow bounds how long a message is retried before its
	// delivery is marked failed.
	DefaultRetryWindow = 24 * time.Hour
	// DefaultInitialRetryInterval is the first back-off; it doubles up to
	// DefaultMaxRetryInterval.
	DefaultInitialRetryInterval = 30 * time.Second
	DefaultMaxRetryInterval     = time.Hour
	// DefaultParallelSends is how many sends of one notification run at
	// once: enough to be quick, few enough not to flood the SMTP server.
	DefaultParallelSends = 4
)

// DeliveryWorkflowID returns the workflow ID of round round of
// notificationID's delivery: "notify/" + notificationID for the first
// (round 0), "notify/" + notificationID + "/retry-" + round for an
// admin's retries (models.Notification.Round). With a reuse policy that
// rejects duplicates it makes a second delivery in the same round
// impossible; a retry round sends only the deliveries it reset to
// pending, never one already sent.
func DeliveryWorkflowID(notificationID string, round int) string {
	if round <= 0 {
		return "notify/" + notificationID
	}
	return "notify/" + notificationID + "/retry-" + strconv.Itoa(round)
}

// DeliveryInput starts a DeliveryWorkflow. Zero durations and counts take
// the Default* values; tests shorten them to seconds.
type DeliveryInput struct {
	NotificationID string `json:"notification_id"`
	// RetryWindow bounds the time each send is retried (its
	// schedule-to-close timeout), from its first attempt.
	RetryWindow          time.Duration `json:"retry_window,omitempty"`
	InitialRetryInterval time.Duration `json:"initial_retry_interval,omitempty"`
	MaxRetryInterval     time.Duration `json:"max_retry_interval,omitempty"`
	ParallelSends        int           `json:"parallel_sends,omitempty"`
	// Revision selects workflow behaviour that must not change under runs
	// already started (versioning by input: fixed for the run, unlike
	// workflow.GetVersion it costs no marker and no search-attribute
	// upsert per delivery). 0 is the original; DeliveryRevision is what
	// the Dispatcher starts now.
	Revision int `json:"revision,omitempty"`
}

// DeliveryRevision is the DeliveryInput.Revision new deliveries get:
// 1 runs the database steps as local activities.
const DeliveryRevision = 1

// WithDefaults returns in with every zero field set to its default.
func (in DeliveryInput) WithDefaults() DeliveryInput {
	if in.RetryWindow <= 0 {
		in.RetryWindow = DefaultRetryWindow
	}
	if in.InitialRetryInterval <= 0 {
		in.InitialRetryInterval = min(DefaultInitialRetryInterval, in.RetryWindow/10)
	}
	if in.MaxRetryInterval <= 0 {
		in.MaxRetryInterval = min(DefaultMaxRetryInterval, max(in.RetryWindow/4, in.InitialRetryInterval))
	}
	if in.ParallelSends <= 0 {
		in.ParallelSends = DefaultParallelSends
	}
	return in
}

// DeliveryResult is what a DeliveryWorkflow returns: how many inbox items
// were written, how many deliveries were sent (including to the
// development mailbox and those an earlier attempt had sent), failed and
// skipped, and the notification's final status.
type DeliveryResult struct {
	NotificationID string `json:"notification_id"`
	InboxItems     int    `json:"inbox_items"`
	Sent           int    `json:"sent"`
	Failed         int    `json:"failed"`
	Skipped        int    `json:"skipped"`
	Status         string `json:"status"`
}

// DigestSettings says when the daily digest goes out: at Hour:Minute
// Bangkok time on working days. The zero value (00:00) means the default,
// 07:30: a digest at midnight is never wanted, and an input without
// settings must not send one. RetryWindow bounds the retries of the
// activity that enqueues it (0: one hour).
type DigestSettings struct {
	Hour        int           `json:"hour"`
	Minute      int           `json:"minute"`
	RetryWindow time.Duration `json:"retry_window,omitempty"`
}

// DefaultDigestSettings is 07:30 Bangkok.
var DefaultDigestSettings = DigestSettings{Hour: 7, Minute: 30}

// ParseDigestTime reads "HH:MM" (24-hour, Bangkok) into DigestSettings,
// e.g. for a TIDTAM_DIGEST_TIME variable; empty text is the default.
func ParseDigestTime(s string) (DigestSettings, error) {
	s = strings.TrimSpace(thaidate.NormalizeDigits(s))
	if s == "" {
		return DefaultDigestSettings, nil
	}
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || (hour == 0 && minute == 0) {
		return DigestSettings{}, fmt.Errorf("เวลาสรุปประจำวันต้องเป็น HH:MM ระหว่าง 00:01 ถึง 23:59 เช่น 07:30 / digest time must be HH:MM from 00:01 to 23:59, e.g. 07:30: %q", s)
	}
	return DigestSettings{Hour: hour, Minute: minute}, nil
}

// DigestInput starts (or continues) the DigestWorkflow. LastDate is the
// Bangkok date (YYYY-MM-DD) of the last day handled, carried across
// continue-as-new so a day is never handled twice.
type DigestInput struct {
	Settings DigestSettings `json:"settings"`
	LastDate string         `json:"last_date,omitempty"`
}

// EnsureDigestWorkflow starts the digest workflow if it is not running and
// in any case sends it settings (signal-with-start), so every worker
// process may call it at start-up: the workflow ID keeps it single, and the
// latest settings win.
func EnsureDigestWorkflow(ctx context.Context, c client.Client, taskQueue string, settings DigestSettings) error {
	_, err := c.SignalWithStartWorkflow(ctx, DigestWorkflowID, SignalDigestSettings, settings,
		client.StartWorkflowOptions{ID: DigestWorkflowID, TaskQueue: taskQueue},
		DigestWorkflowType, DigestInput{Settings: settings})
	if err != nil {
		return fmt.Errorf("notify: start digest workflow: %w", err)
	}
	return nil
}
