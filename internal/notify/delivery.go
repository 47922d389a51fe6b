package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// Errors of the delivery steps that retrying cannot fix.
var (
	// ErrNotFound: the notification, delivery or webhook row named by the
	// caller does not exist.
	ErrNotFound = errors.New("notify: not found")
	// ErrSentUnrecorded: the message was handed over but marking the
	// delivery sent failed. The caller must not send again; it records
	// the delivery with MarkSent (a database-only step it may retry).
	ErrSentUnrecorded = errors.New("notify: message sent but not yet recorded as sent")
)

// DefaultFromName is the display name of the sender of every e-mail.
const DefaultFromName = "ระบบติดตามข้อสั่งการ (tidtam)"

// Deliverer performs the steps of delivering one notification. The
// activities of package activities are thin wrappers around its methods;
// every method is idempotent, so a retried activity changes nothing twice.
type Deliverer struct {
	DB *gorm.DB
	// Sender sends e-mail; nil stores it in the development mailbox
	// instead (no SMTP configured), which never fails for SMTP reasons.
	Sender Sender
	// Webhooks is the address policy webhooks are posted under (the URL
	// is checked again and only allowed addresses are connected to); nil
	// means the strict default (public https hosts only).
	Webhooks *WebhookPolicy
	// From is the envelope sender and From header; a missing name is
	// DefaultFromName.
	From mail.Address
	// PublicURL prefixes the links in messages.
	PublicURL string
	// Logger may be nil (slog.Default).
	Logger *slog.Logger
	// Now may be nil (time.Now).
	Now func() time.Time
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d *Deliverer) from() mail.Address {
	f := d.From
	if f.Name == "" {
		f.Name = DefaultFromName
	}
	return f
}

// DeliveryID returns the deliveries.id of notificationID's delivery over
// channel to recipient (an address, compared case-insensitively, or a
// webhook ID).
func DeliveryID(notificationID, channel, recipient string) string {
	return notificationID + "/" + channel + "/" + strings.ToLower(recipient)
}

// InboxItemID returns the inbox_items.id of notificationID in accountID's
// inbox: the hex SHA-256 of both, deterministic (so writing it twice yields
// one row) and safe in a URL path (notification IDs contain slashes).
func InboxItemID(notificationID string, accountID int64) string {
	sum := sha256.Sum256([]byte(notificationID + "\n" + strconv.FormatInt(accountID, 10)))
	return hex.EncodeToString(sum[:])
}

// EmailTarget is one e-mail delivery of a Plan.
type EmailTarget struct {
	DeliveryID string `json:"delivery_id"`
	Address    string `json:"address"`
	Name       string `json:"name,omitempty"`
}

// WebhookTarget is one webhook delivery of a Plan.
type WebhookTarget struct {
	DeliveryID string `json:"delivery_id"`
	WebhookID  int64  `json:"webhook_id"`
}

// Plan is what Prepare did and what is left to send. Finished is true when
// the notification was already delivered or failed (nothing to do).
type Plan struct {
	NotificationID string          `json:"notification_id"`
	Kind           string          `json:"kind"`
	InboxItems     int             `json:"inbox_items"`
	Emails         []EmailTarget   `json:"emails,omitempty"`
	Webhooks       []WebhookTarget `json:"webhooks,omitempty"`
	Finished       bool            `json:"finished,omitempty"`
}

// rendered is a notification with its data decoded and enriched, rendered
// in its language.
type rendered struct {
	n    models.Notification
	data map[string]any
	msg  Message
	link string
}

// load reads and renders notification id.
func (d *Deliverer) load(ctx context.Context, id string) (rendered, error) {
	db := d.DB.WithContext(ctx)
	var n models.Notification
	if err := db.Where("id = ?", id).Take(&n).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return rendered{}, fmt.Errorf("%w: notification %q", ErrNotFound, id)
	} else if err != nil {
		return rendered{}, err
	}
	data, err := DecodeData(n.Data)
	if err != nil {
		return rendered{}, err
	}
	// Templates greet units by name; the workflows store only the code.
	if code, ok := data[DataUnitCode].(string); ok && code != "" {
		if _, named := data[DataUnitName]; !named {
			var u models.Unit
			if err := db.Where("code = ?", code).Take(&u).Error; err == nil {
				data[DataUnitName] = UnitDisplayName(u, n.Language)
			} else if !errors.Is(err, gorm.ErrRecordNotFound) {
				return rendered{}, err
			}
		}
	}
	template := n.Template
	if template == "" || !HasTemplate(template) {
		template = n.Kind
	}
	msg, err := Render(template, n.Language, data, d.PublicURL)
	if err != nil {
		return rendered{}, err
	}
	strData := map[string]string{}
	for k, v := range data {
		strData[k] = scalarString(v)
	}
	return rendered{n: n, data: data, msg: msg, link: LinkFor(strData, d.PublicURL)}, nil
}

// UnitDisplayName is how messages name a unit: the units table holds the
// plain province and district names ("ชลบุรี"), the letters address the
// drug-control centre of that area ("ศอ.ปส.จ.ชลบุรี", "ศป.ปส.อ.เมืองชลบุรี").
func UnitDisplayName(u models.Unit, lang string) string {
	if lang == LangEnglish && u.NameEN != "" {
		switch u.Type {
		case models.UnitProvince:
			return u.NameEN + " Provincial Centre"
		case models.UnitDistrict:
			return u.NameEN + " District Centre"
		}
		return u.NameEN
	}
	prefix := map[models.UnitType]string{models.UnitProvince: "ศอ.ปส.จ.", models.UnitDistrict: "ศป.ปส.อ."}[u.Type]
	if prefix == "" || strings.HasPrefix(u.NameTH, prefix) {
		return u.NameTH
	}
	return prefix + u.NameTH
}

// Prepare resolves the recipients of notification id, writes one inbox
// item per account and one pending deliveries row per e-mail address and
// webhook (all insert-if-absent, in one transaction), and returns the
// sends still to do. Deliveries already sent are left out of the plan;
// deliveries already failed or skipped too.
func (d *Deliverer) Prepare(ctx context.Context, id string) (Plan, error) {
	r, err := d.load(ctx, id)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{NotificationID: id, Kind: r.n.Kind}
	if r.n.Status == models.NotificationDelivered || r.n.Status == models.NotificationFailed {
		plan.Finished = true
		return plan, nil
	}
	spec, err := ParseRecipientSpec(r.n.Recipients)
	if err != nil {
		return Plan{}, err
	}
	rcpt, err := ResolveRecipients(ctx, d.DB, spec)
	if err != nil {
		return Plan{}, err
	}
	now := d.now()
	created := r.n.CreatedAt
	if created.IsZero() {
		created = now
	}
	err = d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, a := range rcpt.Accounts {
			item := models.InboxItem{
				ID: InboxItemID(id, a.ID), NotificationID: id, AccountID: a.ID, Kind: r.n.Kind,
				Title: r.msg.Subject, Body: r.msg.Text, Link: r.link, CreatedAt: created.UTC(),
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&item).Error; err != nil {
				return err
			}
		}
		rows := make([]models.Delivery, 0, len(rcpt.Emails)+len(rcpt.Webhooks))
		for _, e := range rcpt.Emails {
			rows = append(rows, models.Delivery{ID: DeliveryID(id, models.ChannelEmail, e.Address), NotificationID: id,
				Channel: models.ChannelEmail, Recipient: e.Address, Status: models.DeliveryPending, CreatedAt: now, UpdatedAt: now})
		}
		for _, w := range rcpt.Webhooks {
			wid := strconv.FormatInt(w.ID, 10)
			rows = append(rows, models.Delivery{ID: DeliveryID(id, models.ChannelWebhook, wid), NotificationID: id,
				Channel: models.ChannelWebhook, Recipient: wid, Status: models.DeliveryPending, CreatedAt: now, UpdatedAt: now})
		}
		if len(rows) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Plan{}, fmt.Errorf("notify: prepare %s: %w", id, err)
	}
	plan.InboxItems = len(rcpt.Accounts)

	var open []string
	if err := d.DB.WithContext(ctx).Model(&models.Delivery{}).
		Where("notification_id = ? AND status = ?", id, models.DeliveryPending).Pluck("id", &open).Error; err != nil {
		return Plan{}, err
	}
	pending := map[string]bool{}
	for _, o := range open {
		pending[o] = true
	}
	for _, e := range rcpt.Emails {
		if did := DeliveryID(id, models.ChannelEmail, e.Address); pending[did] {
			plan.Emails = append(plan.Emails, EmailTarget{DeliveryID: did, Address: e.Address, Name: e.Name})
		}
	}
	for _, w := range rcpt.Webhooks {
		if did := DeliveryID(id, models.ChannelWebhook, strconv.FormatInt(w.ID, 10)); pending[did] {
			plan.Webhooks = append(plan.Webhooks, WebhookTarget{DeliveryID: did, WebhookID: w.ID})
		}
	}
	return plan, nil
}

// SendResult says what a send step did: "sent" (handed to the SMTP server
// or webhook), "dev_mailbox" (stored instead of sent), "already" (an
// earlier attempt had finished it: nothing done), or "skipped" (the
// webhook is gone or inactive). MessageID is the e-mail's Message-ID.
type SendResult struct {
	Outcome   string `json:"outcome"`
	MessageID string `json:"message_id,omitempty"`
}

// Send outcomes.
const (
	OutcomeSent       = "sent"
	OutcomeDevMailbox = "dev_mailbox"
	OutcomeAlready    = "already"
	OutcomeSkipped    = "skipped"
)

// claim reads delivery id and counts an attempt, unless it is no longer
// pending; done reports that case.
func (d *Deliverer) claim(ctx context.Context, id string) (del models.Delivery, done bool, err error) {
	db := d.DB.WithContext(ctx)
	if err := db.Where("id = ?", id).Take(&del).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return del, false, fmt.Errorf("%w: delivery %q", ErrNotFound, id)
	} else if err != nil {
		return del, false, err
	}
	if del.Status != models.DeliveryPending {
		return del, true, nil
	}
	err = db.Model(&models.Delivery{}).Where("id = ?", id).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "updated_at": d.now()}).Error
	return del, false, err
}

// SendEmail sends notification notificationID to one address, once:
// when the delivery is no longer pending it does nothing (OutcomeAlready);
// otherwise it renders the message, sends it (or stores it in the
// development mailbox when there is no Sender), then marks the delivery
// sent. A send error is recorded in last_error and returned as classified
// by the Sender. When sending succeeded but recording failed, the error is
// ErrSentUnrecorded: the caller must then call MarkSent, never SendEmail
// again.
func (d *Deliverer) SendEmail(ctx context.Context, notificationID string, t EmailTarget) (SendResult, error) {
	del, done, err := d.claim(ctx, t.DeliveryID)
	if err != nil {
		return SendResult{}, err
	}
	if done {
		return SendResult{Outcome: OutcomeAlready, MessageID: del.MessageID}, nil
	}
	r, err := d.load(ctx, notificationID)
	if err != nil {
		return SendResult{}, err
	}
	from := d.from()
	raw, err := BuildMIME(Email{
		NotificationID: notificationID, From: from, To: []mail.Address{{Name: t.Name, Address: t.Address}},
		Subject: r.msg.Subject, Text: r.msg.Text, HTML: r.msg.HTML, Date: d.now(),
	})
	if err != nil {
		return SendResult{}, err
	}
	msgID := MessageID(notificationID)

	if d.Sender == nil {
		// The message is stored and the delivery marked in one
		// transaction, so the development mailbox holds it exactly once.
		err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			mailRow := models.DevMail{ID: t.DeliveryID, MessageID: msgID, ToAddress: t.Address,
				Subject: r.msg.Subject, Text: r.msg.Text, HTML: r.msg.HTML, Raw: string(raw), CreatedAt: d.now()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&mailRow).Error; err != nil {
				return err
			}
			return markSent(tx, t.DeliveryID, msgID, d.now())
		})
		if err != nil {
			return SendResult{}, err
		}
		return SendResult{Outcome: OutcomeDevMailbox, MessageID: msgID}, nil
	}

	if err := d.Sender.Send(ctx, from.Address, []string{t.Address}, raw); err != nil {
		d.recordError(ctx, t.DeliveryID, err)
		return SendResult{}, err
	}
	if err := d.markSentPersistently(ctx, t.DeliveryID, msgID); err != nil {
		d.log().Error("e-mail sent but not recorded as sent", "delivery", t.DeliveryID, "error", err)
		return SendResult{Outcome: OutcomeSent, MessageID: msgID}, fmt.Errorf("%w: %v", ErrSentUnrecorded, err)
	}
	return SendResult{Outcome: OutcomeSent, MessageID: msgID}, nil
}

// SendWebhook posts notification notificationID to one webhook, once, in
// the manner of SendEmail. A webhook deleted or deactivated since Prepare
// is skipped.
func (d *Deliverer) SendWebhook(ctx context.Context, notificationID string, t WebhookTarget) (SendResult, error) {
	del, done, err := d.claim(ctx, t.DeliveryID)
	if err != nil {
		return SendResult{}, err
	}
	if done {
		return SendResult{Outcome: OutcomeAlready}, nil
	}
	db := d.DB.WithContext(ctx)
	var hook models.Webhook
	err = db.Where("id = ?", t.WebhookID).Take(&hook).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !hook.Active) {
		if err := db.Model(&models.Delivery{}).Where("id = ? AND status = ?", del.ID, models.DeliveryPending).
			Updates(map[string]any{"status": models.DeliverySkipped, "last_error": "webhook deleted or deactivated", "updated_at": d.now()}).Error; err != nil {
			return SendResult{}, err
		}
		return SendResult{Outcome: OutcomeSkipped}, nil
	} else if err != nil {
		return SendResult{}, err
	}
	r, err := d.load(ctx, notificationID)
	if err != nil {
		return SendResult{}, err
	}
	now := d.now()
	body, err := json.Marshal(WebhookPayload{
		ID: notificationID, Delivery: t.DeliveryID, Kind: r.n.Kind, Language: r.n.Language,
		CreatedAt: r.n.CreatedAt.UTC(), Timestamp: now.Unix(), Subject: r.msg.Subject, Text: r.msg.Text,
		Link: r.link, Data: r.data,
	})
	if err != nil {
		return SendResult{}, err
	}
	if err := PostWebhook(ctx, d.Webhooks, hook.URL, hook.Secret, t.DeliveryID, now, body); err != nil {
		d.recordError(ctx, t.DeliveryID, err)
		return SendResult{}, err
	}
	if err := d.markSentPersistently(ctx, t.DeliveryID, ""); err != nil {
		return SendResult{Outcome: OutcomeSent}, fmt.Errorf("%w: %v", ErrSentUnrecorded, err)
	}
	return SendResult{Outcome: OutcomeSent}, nil
}

// MarkSent records delivery id as sent (with the e-mail's Message-ID, if
// any). It changes nothing on a delivery already sent.
func (d *Deliverer) MarkSent(ctx context.Context, id, messageID string) error {
	return markSent(d.DB.WithContext(ctx), id, messageID, d.now())
}

func markSent(db *gorm.DB, id, messageID string, now time.Time) error {
	return db.Model(&models.Delivery{}).Where("id = ? AND status <> ?", id, models.DeliverySent).
		Updates(map[string]any{"status": models.DeliverySent, "sent_at": now, "message_id": messageID,
			"last_error": "", "updated_at": now}).Error
}

// markSentPersistently tries MarkSent a few times over some seconds: a
// short database hiccup right after a successful send should not leave the
// delivery unrecorded.
func (d *Deliverer) markSentPersistently(ctx context.Context, id, messageID string) error {
	var err error
	for attempt, wait := 0, 200*time.Millisecond; attempt < 5; attempt, wait = attempt+1, wait*2 {
		if err = d.MarkSent(ctx, id, messageID); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
	return err
}

// recordError notes a failed attempt's error on the delivery; failing to
// note it is only logged, as the send error is what the caller needs.
func (d *Deliverer) recordError(ctx context.Context, id string, sendErr error) {
	if err := d.DB.WithContext(ctx).Model(&models.Delivery{}).Where("id = ? AND status = ?", id, models.DeliveryPending).
		Updates(map[string]any{"last_error": truncate(sendErr.Error(), 2000), "updated_at": d.now()}).Error; err != nil {
		d.log().Warn("could not record delivery error", "delivery", id, "error", err)
	}
	d.log().Warn("delivery attempt failed", "delivery", id, "error", sendErr)
}

// Fail marks delivery id failed for good with reason (kept before the last
// attempt's error). When configError, the admins are also told through
// their inbox, once per day (see AlertAdmins). A delivery already sent or
// failed is left as it is.
func (d *Deliverer) Fail(ctx context.Context, id, reason string, configError bool) error {
	db := d.DB.WithContext(ctx)
	var del models.Delivery
	if err := db.Where("id = ?", id).Take(&del).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%w: delivery %q", ErrNotFound, id)
	} else if err != nil {
		return err
	}
	if del.Status == models.DeliveryPending {
		msg := reason
		if del.LastError != "" && !strings.Contains(reason, del.LastError) {
			msg = reason + " — " + del.LastError
		}
		if err := db.Model(&models.Delivery{}).Where("id = ? AND status = ?", id, models.DeliveryPending).
			Updates(map[string]any{"status": models.DeliveryFailed, "last_error": truncate(msg, 2000), "updated_at": d.now()}).Error; err != nil {
			return err
		}
		d.log().Error("delivery failed", "delivery", id, "reason", msg, "configuration_error", configError)
	}
	if configError {
		return d.AlertAdmins(ctx, KindSMTPConfig, reason)
	}
	return nil
}

// AlertAdmins puts an alert of kind (e.g. KindSMTPConfig) with errText in
// every active admin's inbox, at most once per admin, kind and Bangkok day
// (the inbox item ID is derived from them), so a broken mail set-up that
// fails a hundred deliveries raises one alert a day.
func (d *Deliverer) AlertAdmins(ctx context.Context, kind, errText string) error {
	now := d.now()
	alertID := "alert/" + kind + "/" + thaidate.FromTime(now).String()
	msg, err := Render(kind, LangThai, map[string]any{DataError: errText}, d.PublicURL)
	if err != nil {
		return err
	}
	var admins []models.Account
	db := d.DB.WithContext(ctx)
	if err := db.Where("role = ? AND disabled = ?", models.RoleAdmin, false).Order("id").Find(&admins).Error; err != nil {
		return err
	}
	for _, a := range admins {
		item := models.InboxItem{ID: InboxItemID(alertID, a.ID), NotificationID: alertID, AccountID: a.ID, Kind: kind,
			Title: msg.Subject, Body: msg.Text, Link: strings.TrimRight(d.PublicURL, "/") + "/admin/deliveries", CreatedAt: now}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&item).Error; err != nil {
			return err
		}
	}
	return nil
}

// Finish ends notification id: deliveries still pending that no send step
// will handle (left by an earlier Prepare attempt whose result was lost)
// become skipped; the notification becomes failed when any delivery
// failed, delivered otherwise. It returns the final status.
func (d *Deliverer) Finish(ctx context.Context, id string) (string, error) {
	status := models.NotificationDelivered
	err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := d.now()
		if err := tx.Model(&models.Delivery{}).Where("notification_id = ? AND status = ?", id, models.DeliveryPending).
			Updates(map[string]any{"status": models.DeliverySkipped, "last_error": "not part of the delivery plan", "updated_at": now}).Error; err != nil {
			return err
		}
		var failed int64
		if err := tx.Model(&models.Delivery{}).Where("notification_id = ? AND status = ?", id, models.DeliveryFailed).Count(&failed).Error; err != nil {
			return err
		}
		if failed > 0 {
			status = models.NotificationFailed
		}
		return tx.Model(&models.Notification{}).Where("id = ?", id).Update("status", status).Error
	})
	return status, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
