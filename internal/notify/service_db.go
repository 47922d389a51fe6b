package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// Deps are what NewService needs. DB is required. Audit events record the
// request ID ctx carries (internal/reqctx).
type Deps struct {
	DB *gorm.DB
	// Webhooks is the address policy a webhook URL must pass to be
	// registered; nil means the strict default (public https hosts only).
	Webhooks *WebhookPolicy
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewService returns the notifications domain on d's database.
func NewService(d Deps) Service { return &service{d: d} }

type service struct{ d Deps }

func (s *service) now() time.Time {
	if s.d.Now != nil {
		return s.d.Now()
	}
	return time.Now()
}

// signedIn rejects the anonymous caller of a method open to every account.
func signedIn(p *auth.Principal) error {
	if p == nil {
		return apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	return nil
}

// pageBounds applies a list's default and largest limit and a
// non-negative offset.
func pageBounds(w listing.Window, def, most int) (int, int) {
	limit := w.Limit
	if limit <= 0 {
		limit = def
	}
	return min(limit, most), max(w.Offset, 0)
}

var deliveryStatuses = []models.DeliveryStatus{models.DeliveryPending, models.DeliverySent, models.DeliveryFailed, models.DeliverySkipped}

func viewInboxItem(i models.InboxItem) InboxItemView {
	return InboxItemView{ID: i.ID, NotificationID: i.NotificationID, Kind: i.Kind, Title: i.Title, Body: i.Body,
		Link: i.Link, CreatedAt: i.CreatedAt, ReadAt: i.ReadAt}
}

func viewWebhook(w models.Webhook) WebhookView {
	v := WebhookView{ID: w.ID, URL: w.URL, Active: w.Active, CreatedAt: w.CreatedAt}
	if w.UnitCode != nil {
		v.UnitCode = *w.UnitCode
	}
	return v
}

// Inbox implements Service.
func (s *service) Inbox(ctx context.Context, p *auth.Principal, f InboxFilter) (InboxPage, error) {
	if err := signedIn(p); err != nil {
		return InboxPage{}, err
	}
	limit, offset := pageBounds(f.Window, DefaultInboxLimit, MaxInboxLimit)
	db := s.d.DB.WithContext(ctx)
	mine := func() *gorm.DB { return db.Model(&models.InboxItem{}).Where("account_id = ?", p.AccountID) }
	out := InboxPage{Items: []InboxItemView{}}
	if err := mine().Where("read_at IS NULL").Count(&out.Unread).Error; err != nil {
		return InboxPage{}, err
	}
	q := mine()
	if f.Unread {
		q = q.Where("read_at IS NULL")
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return InboxPage{}, err
	}
	var rows []models.InboxItem
	if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return InboxPage{}, err
	}
	for _, r := range rows {
		out.Items = append(out.Items, viewInboxItem(r))
	}
	return out, nil
}

// MarkRead implements Service.
func (s *service) MarkRead(ctx context.Context, p *auth.Principal, id string) (InboxItemView, error) {
	if err := signedIn(p); err != nil {
		return InboxItemView{}, err
	}
	db := s.d.DB.WithContext(ctx)
	if err := db.Model(&models.InboxItem{}).Where("id = ? AND account_id = ? AND read_at IS NULL", id, p.AccountID).
		Update("read_at", s.now().UTC()).Error; err != nil {
		return InboxItemView{}, err
	}
	var item models.InboxItem
	if err := db.Where("id = ? AND account_id = ?", id, p.AccountID).Take(&item).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return InboxItemView{}, apperr.New(apperr.NotFound, "ไม่พบรายการในกล่องข้อความของท่าน (inbox item not found)")
	} else if err != nil {
		return InboxItemView{}, err
	}
	return viewInboxItem(item), nil
}

// MarkAllRead implements Service.
func (s *service) MarkAllRead(ctx context.Context, p *auth.Principal) (int64, error) {
	if err := signedIn(p); err != nil {
		return 0, err
	}
	res := s.d.DB.WithContext(ctx).Model(&models.InboxItem{}).
		Where("account_id = ? AND read_at IS NULL", p.AccountID).Update("read_at", s.now().UTC())
	return res.RowsAffected, res.Error
}

// Deliveries implements Service.
func (s *service) Deliveries(ctx context.Context, p *auth.Principal, f DeliveryFilter) (listing.Page[DeliveryView], error) {
	var out listing.Page[DeliveryView]
	if err := p.Require(models.RoleAdmin); err != nil {
		return out, err
	}
	q := s.d.DB.WithContext(ctx).Model(&models.Delivery{})
	if f.Status != "" {
		valid := false
		for _, v := range deliveryStatuses {
			valid = valid || string(v) == f.Status
		}
		if !valid {
			return out, apperr.Field("status", "สถานะต้องเป็น pending, sent, failed หรือ skipped (status must be pending, sent, failed or skipped)")
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.NotificationID != "" {
		q = q.Where("notification_id = ?", f.NotificationID)
	}
	limit, offset := pageBounds(f.Window, DefaultDeliveryLimit, MaxDeliveryLimit)
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.Delivery
	if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]DeliveryView, 0, len(rows))
	for _, r := range rows {
		out.Items = append(out.Items, DeliveryView(r))
	}
	return out, nil
}

// RetryDelivery implements Service.
func (s *service) RetryDelivery(ctx context.Context, p *auth.Principal, id string) (DeliveryView, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return DeliveryView{}, err
	}
	var out DeliveryView
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var del models.Delivery
		if err := tx.Where("id = ?", id).Take(&del).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบการส่งนี้ (delivery not found)")
		} else if err != nil {
			return err
		}
		if del.Status != models.DeliveryFailed {
			return apperr.New(apperr.Conflict, "ส่งใหม่ได้เฉพาะรายการที่ส่งไม่สำเร็จ (only a failed delivery can be retried)")
		}
		var n models.Notification
		if err := tx.Where("id = ?", del.NotificationID).Take(&n).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบการแจ้งเตือนของการส่งนี้ (the delivery's notification is gone)")
		} else if err != nil {
			return err
		}
		if n.Status != models.NotificationDelivered && n.Status != models.NotificationFailed {
			return apperr.New(apperr.Conflict, "การแจ้งเตือนนี้กำลังส่งอยู่ ลองใหม่เมื่อส่งเสร็จ (this notification is still being delivered; retry when it has finished)")
		}
		now := s.now()
		// Both updates are conditional on the state just read, so two
		// admins pressing retry at once start one round, not two.
		res := tx.Model(&models.Notification{}).Where("id = ? AND round = ? AND status = ?", n.ID, n.Round, n.Status).
			Updates(map[string]any{"status": models.NotificationPending, "round": n.Round + 1})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "การแจ้งเตือนนี้กำลังส่งอยู่ ลองใหม่เมื่อส่งเสร็จ (this notification is still being delivered; retry when it has finished)")
		}
		before := DeliveryView(del)
		del.Status, del.LastError, del.UpdatedAt = models.DeliveryPending, "", now
		if err := tx.Model(&models.Delivery{}).Where("id = ? AND status = ?", del.ID, models.DeliveryFailed).
			Updates(map[string]any{"status": del.Status, "last_error": "", "updated_at": now}).Error; err != nil {
			return err
		}
		out = DeliveryView(del)
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "delivery.retry", EntityType: "delivery",
			EntityID: del.ID, Before: store.JSONText(before), After: store.JSONText(out), RequestID: reqctx.RequestID(ctx)})
	})
	return out, err
}

// DevMailbox implements Service.
func (s *service) DevMailbox(ctx context.Context, p *auth.Principal, f DevMailFilter) (listing.Page[DevMailView], error) {
	var out listing.Page[DevMailView]
	if err := p.Require(models.RoleAdmin); err != nil {
		return out, err
	}
	limit, offset := pageBounds(f.Window, DefaultDevMailLimit, MaxDevMailLimit)
	q := s.d.DB.WithContext(ctx).Model(&models.DevMail{})
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.DevMail
	if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]DevMailView, 0, len(rows))
	for _, r := range rows {
		v := DevMailView{ID: r.ID, MessageID: r.MessageID, To: r.ToAddress, Subject: r.Subject, Text: r.Text,
			HTML: r.HTML, CreatedAt: r.CreatedAt}
		if f.Raw {
			v.Raw = r.Raw
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// Webhooks implements Service.
func (s *service) Webhooks(ctx context.Context, p *auth.Principal) (listing.Page[WebhookView], error) {
	var out listing.Page[WebhookView]
	if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
		return out, err
	}
	var rows []models.Webhook
	if err := s.d.DB.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items, out.Total = make([]WebhookView, 0, len(rows)), int64(len(rows))
	for _, w := range rows {
		out.Items = append(out.Items, viewWebhook(w))
	}
	return out, nil
}

// CreateWebhook implements Service.
func (s *service) CreateWebhook(ctx context.Context, p *auth.Principal, in WebhookInput) (WebhookView, error) {
	if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
		return WebhookView{}, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if len(in.URL) > 2000 {
		return WebhookView{}, apperr.Field("url", "URL ยาวเกิน 2,000 ตัวอักษร (url longer than 2,000 characters)")
	}
	if err := s.d.Webhooks.Check(ctx, in.URL); err != nil {
		return WebhookView{}, apperr.Field("url", "%s", strings.TrimPrefix(err.Error(), ErrWebhookRefused.Error()+": "))
	}
	db := s.d.DB.WithContext(ctx)
	w := models.Webhook{URL: in.URL, Active: in.Active == nil || *in.Active, CreatedAt: s.now().UTC()}
	if code := strings.TrimSpace(in.UnitCode); code != "" {
		var n int64
		if err := db.Model(&models.Unit{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return WebhookView{}, err
		}
		if n == 0 {
			return WebhookView{}, apperr.Field("unit_code", "ไม่พบหน่วยงานรหัส %q (unknown unit)", code)
		}
		w.UnitCode = &code
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return WebhookView{}, err
	}
	w.Secret = hex.EncodeToString(secret)
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&w).Error; err != nil {
			return err
		}
		// The audit trail records the webhook, never its secret.
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "webhook.create", EntityType: "webhook",
			EntityID: strconv.FormatInt(w.ID, 10), After: store.JSONText(viewWebhook(w)), RequestID: reqctx.RequestID(ctx)})
	})
	if err != nil {
		return WebhookView{}, err
	}
	v := viewWebhook(w)
	v.Secret = w.Secret
	return v, nil
}

// DeleteWebhook implements Service.
func (s *service) DeleteWebhook(ctx context.Context, p *auth.Principal, id int64) error {
	if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
		return err
	}
	if id <= 0 {
		return apperr.Field("id", "รหัส webhook ต้องเป็นตัวเลข (webhook id must be a number)")
	}
	return s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var w models.Webhook
		if err := tx.Where("id = ?", id).Take(&w).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบ webhook รหัส %d (webhook not found)", id)
		} else if err != nil {
			return err
		}
		if err := tx.Delete(&w).Error; err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "webhook.delete", EntityType: "webhook",
			EntityID: strconv.FormatInt(w.ID, 10), Before: store.JSONText(viewWebhook(w)), RequestID: reqctx.RequestID(ctx)})
	})
}
