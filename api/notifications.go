package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

func init() {
	extraRoutes = append(extraRoutes, func(r fiber.Router, d *Deps) {
		r.Get("/inbox", listInbox(d))
		r.Post("/inbox/read-all", readAllInbox(d))
		r.Post("/inbox/:id/read", readInboxItem(d))
		r.Get("/deliveries", listDeliveries(d))
		r.Get("/dev-mailbox", listDevMailbox(d))
		r.Get("/webhooks", listWebhooks(d))
		r.Post("/webhooks", createWebhook(d))
		r.Delete("/webhooks/:id", deleteWebhook(d))
	})
}

// InboxItemView is one item of the caller's in-app inbox.
type InboxItemView struct {
	ID             string     `json:"id"`
	NotificationID string     `json:"notification_id"`
	Kind           string     `json:"kind"`
	Title          string     `json:"title"`
	Body           string     `json:"body"`
	Link           string     `json:"link,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at,omitempty"`
}

// InboxPage is the answer to GET /inbox: a page of items, the number of
// items matching the filter, and the caller's unread count (whatever the
// filter, for a badge).
type InboxPage struct {
	Items  []InboxItemView `json:"items"`
	Total  int64           `json:"total"`
	Unread int64           `json:"unread"`
}

func viewInboxItem(i models.InboxItem) InboxItemView {
	return InboxItemView{ID: i.ID, NotificationID: i.NotificationID, Kind: i.Kind, Title: i.Title, Body: i.Body,
		Link: i.Link, CreatedAt: i.CreatedAt, ReadAt: i.ReadAt}
}

// listInbox answers GET /inbox?unread=true: the caller's own items,
// newest first.
func listInbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		unreadOnly, err := queryBool(c, "unread")
		if err != nil {
			return err
		}
		limit, offset, err := limitOffset(c, 50, 500)
		if err != nil {
			return err
		}
		db := d.DB.WithContext(c.UserContext())
		mine := func() *gorm.DB { return db.Model(&models.InboxItem{}).Where("account_id = ?", p.AccountID) }
		out := InboxPage{Items: []InboxItemView{}}
		if err := mine().Where("read_at IS NULL").Count(&out.Unread).Error; err != nil {
			return err
		}
		q := mine()
		if unreadOnly {
			q = q.Where("read_at IS NULL")
		}
		if err := q.Count(&out.Total).Error; err != nil {
			return err
		}
		var rows []models.InboxItem
		if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out.Items = append(out.Items, viewInboxItem(r))
		}
		return c.JSON(out)
	}
}

// readInboxItem answers POST /inbox/{id}/read: marks one of the caller's
// items read (keeping the first reading time) and returns it. Someone
// else's item is "not found", so item IDs reveal nothing.
func readInboxItem(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		db := d.DB.WithContext(c.UserContext())
		id := c.Params("id")
		if err := db.Model(&models.InboxItem{}).Where("id = ? AND account_id = ? AND read_at IS NULL", id, p.AccountID).
			Update("read_at", d.now().UTC()).Error; err != nil {
			return err
		}
		var item models.InboxItem
		if err := db.Where("id = ? AND account_id = ?", id, p.AccountID).Take(&item).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบรายการในกล่องข้อความของท่าน (inbox item not found)")
		} else if err != nil {
			return err
		}
		return c.JSON(viewInboxItem(item))
	}
}

// readAllInbox answers POST /inbox/read-all: marks every unread item of
// the caller read and says how many.
func readAllInbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		res := d.DB.WithContext(c.UserContext()).Model(&models.InboxItem{}).
			Where("account_id = ? AND read_at IS NULL", p.AccountID).Update("read_at", d.now().UTC())
		if res.Error != nil {
			return res.Error
		}
		return c.JSON(fiber.Map{"updated": res.RowsAffected})
	}
}

// DeliveryView is one delivery of a notification (admin view).
type DeliveryView struct {
	ID             string                `json:"id"`
	NotificationID string                `json:"notification_id"`
	Channel        string                `json:"channel"`
	Recipient      string                `json:"recipient"`
	Status         models.DeliveryStatus `json:"status"`
	Attempts       int                   `json:"attempts"`
	LastError      string                `json:"last_error,omitempty"`
	SentAt         *time.Time            `json:"sent_at,omitempty"`
	MessageID      string                `json:"message_id,omitempty"`
	CreatedAt      time.Time             `json:"created_at"`
	UpdatedAt      time.Time             `json:"updated_at"`
}

var deliveryStatuses = []models.DeliveryStatus{models.DeliveryPending, models.DeliverySent, models.DeliveryFailed, models.DeliverySkipped}

// listDeliveries answers GET /deliveries?status=&notification_id= for
// admins, newest first: where mail and webhooks stand, and why they failed.
func listDeliveries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(models.RoleAdmin); err != nil {
			return err
		}
		q := d.DB.WithContext(c.UserContext()).Model(&models.Delivery{})
		if s := c.Query("status"); s != "" {
			valid := false
			for _, v := range deliveryStatuses {
				valid = valid || string(v) == s
			}
			if !valid {
				return apperr.Field("status", "สถานะต้องเป็น pending, sent, failed หรือ skipped (status must be pending, sent, failed or skipped)")
			}
			q = q.Where("status = ?", s)
		}
		if n := c.Query("notification_id"); n != "" {
			q = q.Where("notification_id = ?", n)
		}
		limit, offset, err := limitOffset(c, 100, 1000)
		if err != nil {
			return err
		}
		var total int64
		if err := q.Count(&total).Error; err != nil {
			return err
		}
		var rows []models.Delivery
		if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		out := page[DeliveryView]{Items: make([]DeliveryView, 0, len(rows)), Total: total}
		for _, r := range rows {
			out.Items = append(out.Items, DeliveryView(r))
		}
		return c.JSON(out)
	}
}

// DevMailView is one message of the development mailbox. Raw (the whole
// message as it would have been sent) is included only with raw=true.
type DevMailView struct {
	ID        string    `json:"id"`
	MessageID string    `json:"message_id"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	Raw       string    `json:"raw,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// listDevMailbox answers GET /dev-mailbox?raw=true for admins: the mail
// that would have been sent had SMTP been configured, newest first.
func listDevMailbox(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(models.RoleAdmin); err != nil {
			return err
		}
		withRaw, err := queryBool(c, "raw")
		if err != nil {
			return err
		}
		limit, offset, err := limitOffset(c, 50, 500)
		if err != nil {
			return err
		}
		q := d.DB.WithContext(c.UserContext()).Model(&models.DevMail{})
		var total int64
		if err := q.Count(&total).Error; err != nil {
			return err
		}
		var rows []models.DevMail
		if err := q.Order("created_at DESC").Order("id").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		out := page[DevMailView]{Items: make([]DevMailView, 0, len(rows)), Total: total}
		for _, r := range rows {
			v := DevMailView{ID: r.ID, MessageID: r.MessageID, To: r.ToAddress, Subject: r.Subject, Text: r.Text,
				HTML: r.HTML, CreatedAt: r.CreatedAt}
			if withRaw {
				v.Raw = r.Raw
			}
			out.Items = append(out.Items, v)
		}
		return c.JSON(out)
	}
}

// WebhookView is a webhook as listed; the secret is never shown again
// after creation.
type WebhookView struct {
	ID        int64     `json:"id"`
	UnitCode  string    `json:"unit_code,omitempty"`
	URL       string    `json:"url"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is set only in the answer to POST /webhooks.
	Secret string `json:"secret,omitempty"`
}

// NewWebhookRequest is the body of POST /webhooks. UnitCode empty makes
// the webhook organisation-wide; Active defaults to true.
type NewWebhookRequest struct {
	URL      string `json:"url"`
	UnitCode string `json:"unit_code"`
	Active   *bool  `json:"active"`
}

func viewWebhook(w models.Webhook) WebhookView {
	v := WebhookView{ID: w.ID, URL: w.URL, Active: w.Active, CreatedAt: w.CreatedAt}
	if w.UnitCode != nil {
		v.UnitCode = *w.UnitCode
	}
	return v
}

// listWebhooks answers GET /webhooks for admins and the secretariat.
func listWebhooks(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		var rows []models.Webhook
		if err := d.DB.WithContext(c.UserContext()).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		out := page[WebhookView]{Items: make([]WebhookView, 0, len(rows)), Total: int64(len(rows))}
		for _, w := range rows {
			out.Items = append(out.Items, viewWebhook(w))
		}
		return c.JSON(out)
	}
}

// createWebhook answers POST /webhooks for admins and the secretariat: it
// generates the signing secret and returns it, this once.
func createWebhook(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		var req NewWebhookRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		req.URL = strings.TrimSpace(req.URL)
		if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(req.URL) > 2000 {
			return apperr.Field("url", "ต้องเป็น URL แบบ http หรือ https เต็มรูปแบบ (url must be an absolute http or https URL)")
		}
		ctx := c.UserContext()
		w := models.Webhook{URL: req.URL, Active: req.Active == nil || *req.Active, CreatedAt: d.now().UTC()}
		if code := strings.TrimSpace(req.UnitCode); code != "" {
			var n int64
			if err := d.DB.WithContext(ctx).Model(&models.Unit{}).Where("code = ?", code).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return apperr.Field("unit_code", "ไม่พบหน่วยงานรหัส %q (unknown unit)", code)
			}
			w.UnitCode = &code
		}
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		w.Secret = hex.EncodeToString(secret)
		err := d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Create(&w).Error; err != nil {
				return err
			}
			// The audit trail records the webhook, never its secret.
			return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "webhook.create", EntityType: "webhook",
				EntityID: itoaID(w.ID), After: mustJSON(viewWebhook(w)), RequestID: requestID(c)})
		})
		if err != nil {
			return err
		}
		v := viewWebhook(w)
		v.Secret = w.Secret
		return c.Status(fiber.StatusCreated).JSON(v)
	}
}

// deleteWebhook answers DELETE /webhooks/{id} for admins and the
// secretariat. Deliveries still pending to it are skipped.
func deleteWebhook(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		id, err := c.ParamsInt("id")
		if err != nil || id <= 0 {
			return apperr.Field("id", "รหัส webhook ต้องเป็นตัวเลข (webhook id must be a number)")
		}
		return d.DB.WithContext(c.UserContext()).Transaction(func(tx *gorm.DB) error {
			var w models.Webhook
			if err := tx.Where("id = ?", id).Take(&w).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, "ไม่พบ webhook รหัส %d (webhook not found)", id)
			} else if err != nil {
				return err
			}
			if err := tx.Delete(&w).Error; err != nil {
				return err
			}
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "webhook.delete", EntityType: "webhook",
				EntityID: itoaID(w.ID), Before: mustJSON(viewWebhook(w)), RequestID: requestID(c)}); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})
	}
}

// queryBool reads an optional true/false query parameter (absent: false).
func queryBool(c *fiber.Ctx, name string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(c.Query(name))) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, apperr.Field(name, "ต้องเป็น true หรือ false (must be true or false)")
}

func itoaID(id int64) string { return mustJSON(id) }
