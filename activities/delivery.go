package activities

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/mail"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// Delivery carries the dependencies of the notification delivery
// activities (DeliveryWorkflow, DigestWorkflow). It is separate from
// Activities so that the mail and webhook set-up stays out of the
// directive workflows' way. Register a pointer to it with a worker
// (workflows.Register); the workflows call its methods through a
// typed nil reference.
type Delivery struct {
	// DB is the application database.
	DB *gorm.DB
	// Sender sends e-mail; nil (no SMTP host configured) stores mail in
	// the development mailbox instead. Build it with notify.NewSender.
	Sender notify.Sender
	// Webhooks is the address policy webhooks are posted under
	// (TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS, TIDTAM_WEBHOOK_ALLOW_PRIVATE); nil
	// means the strict default: public https hosts only.
	Webhooks *notify.WebhookPolicy
	// From is the sender address (TIDTAM_SMTP_FROM); its display name
	// defaults to notify.DefaultFromName.
	From mail.Address
	// PublicURL prefixes links in messages (TIDTAM_PUBLIC_URL).
	PublicURL string
	// Logger may be nil (slog.Default).
	Logger *slog.Logger
	// Now may be nil (time.Now); tests fix it.
	Now func() time.Time
}

func (d *Delivery) deliverer() (*notify.Deliverer, error) {
	if d.DB == nil {
		return nil, temporal.NewNonRetryableApplicationError("delivery: no database configured", notify.ErrTypeInvalid, nil)
	}
	return &notify.Deliverer{DB: d.DB, Sender: d.Sender, Webhooks: d.Webhooks, From: d.From, PublicURL: d.PublicURL,
		Logger: d.Logger, Now: d.Now}, nil
}

// deliveryError turns the errors of package notify into what Temporal
// should do with them: configuration errors, rejections, missing rows and
// "sent but unrecorded" are non-retryable application errors of the
// notify.ErrType* types; everything else (network, 4xx, database) is
// returned as it is and retried by the activity's retry policy.
func deliveryError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, notify.ErrSentUnrecorded):
		return temporal.NewNonRetryableApplicationError(err.Error(), notify.ErrTypeSentUnrecorded, err)
	case errors.Is(err, notify.ErrConfig):
		return temporal.NewNonRetryableApplicationError(err.Error(), notify.ErrTypeConfig, err)
	case errors.Is(err, notify.ErrRejected):
		return temporal.NewNonRetryableApplicationError(err.Error(), notify.ErrTypeRejected, err)
	case errors.Is(err, notify.ErrNotFound), errors.Is(err, notify.ErrUnknownTemplate):
		return temporal.NewNonRetryableApplicationError(err.Error(), notify.ErrTypeInvalid, err)
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return temporal.NewNonRetryableApplicationError(err.Error(), notify.ErrTypeInvalid, err)
	}
	return err
}

// PrepareDelivery resolves the recipients of a notification, writes their
// inbox items and the pending deliveries rows, and returns the sends to do
// (see notify.Deliverer.Prepare).
func (d *Delivery) PrepareDelivery(ctx context.Context, notificationID string) (notify.Plan, error) {
	del, err := d.deliverer()
	if err != nil {
		return notify.Plan{}, err
	}
	plan, err := del.Prepare(ctx, notificationID)
	return plan, deliveryError(err)
}

// SendEmailInput is one e-mail delivery of a notification.
type SendEmailInput struct {
	NotificationID string             `json:"notification_id"`
	Target         notify.EmailTarget `json:"target"`
}

// SendEmail sends one e-mail unless its deliveries row says it is already
// sent (see notify.Deliverer.SendEmail). Errors are classified by
// deliveryError; an attempt's I/O ends within the SMTP sender's timeout,
// which must be shorter than the activity's start-to-close timeout.
func (d *Delivery) SendEmail(ctx context.Context, in SendEmailInput) (notify.SendResult, error) {
	del, err := d.deliverer()
	if err != nil {
		return notify.SendResult{}, err
	}
	res, err := del.SendEmail(ctx, in.NotificationID, in.Target)
	return res, deliveryError(err)
}

// SendWebhookInput is one webhook delivery of a notification.
type SendWebhookInput struct {
	NotificationID string               `json:"notification_id"`
	Target         notify.WebhookTarget `json:"target"`
}

// SendWebhook posts one webhook unless its deliveries row says it is
// already sent (see notify.Deliverer.SendWebhook).
func (d *Delivery) SendWebhook(ctx context.Context, in SendWebhookInput) (notify.SendResult, error) {
	del, err := d.deliverer()
	if err != nil {
		return notify.SendResult{}, err
	}
	res, err := del.SendWebhook(ctx, in.NotificationID, in.Target)
	return res, deliveryError(err)
}

// MarkDeliverySentInput records a delivery that was handed over but whose
// row could not be updated at the time.
type MarkDeliverySentInput struct {
	DeliveryID string `json:"delivery_id"`
	MessageID  string `json:"message_id,omitempty"`
}

// MarkDeliverySent marks a delivery sent (database only, safe to retry).
func (d *Delivery) MarkDeliverySent(ctx context.Context, in MarkDeliverySentInput) error {
	del, err := d.deliverer()
	if err != nil {
		return err
	}
	return deliveryError(del.MarkSent(ctx, in.DeliveryID, in.MessageID))
}

// FailDeliveryInput gives up on one delivery. ConfigError also alerts the
// admins (inbox item "การตั้งค่า SMTP ไม่ถูกต้อง", once a day).
type FailDeliveryInput struct {
	DeliveryID  string `json:"delivery_id"`
	Reason      string `json:"reason"`
	ConfigError bool   `json:"config_error,omitempty"`
}

// FailDelivery marks a delivery failed with its reason (see
// notify.Deliverer.Fail).
func (d *Delivery) FailDelivery(ctx context.Context, in FailDeliveryInput) error {
	del, err := d.deliverer()
	if err != nil {
		return err
	}
	return deliveryError(del.Fail(ctx, in.DeliveryID, in.Reason, in.ConfigError))
}

// FinishDelivery sets the notification's final status (delivered or
// failed) and returns it.
func (d *Delivery) FinishDelivery(ctx context.Context, notificationID string) (string, error) {
	del, err := d.deliverer()
	if err != nil {
		return "", err
	}
	status, err := del.Finish(ctx, notificationID)
	return status, deliveryError(err)
}

// EnqueueDigestsInput names the Bangkok day (YYYY-MM-DD) whose digests to
// enqueue.
type EnqueueDigestsInput struct {
	Date string `json:"date"`
}

// EnqueueDailyDigests enqueues the day's digest notifications, or nothing
// on a weekend or holiday (see notify.EnqueueDigests).
func (d *Delivery) EnqueueDailyDigests(ctx context.Context, in EnqueueDigestsInput) (notify.DigestResult, error) {
	if d.DB == nil {
		return notify.DigestResult{}, temporal.NewNonRetryableApplicationError("delivery: no database configured", notify.ErrTypeInvalid, nil)
	}
	date, err := thaidate.ParseISO(in.Date)
	if err != nil {
		return notify.DigestResult{}, temporal.NewNonRetryableApplicationError("EnqueueDailyDigests: bad date "+in.Date, notify.ErrTypeInvalid, err)
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	res, err := notify.EnqueueDigests(ctx, d.DB, date, now)
	return res, deliveryError(err)
}
