package notify_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

var fixedNow = time.Date(2025, 1, 15, 3, 0, 0, 0, time.UTC) // Wednesday 10:00 Bangkok

func deliverer(db *gorm.DB, sender notify.Sender) *notify.Deliverer {
	return &notify.Deliverer{DB: db, Sender: sender, From: mail.Address{Address: "tidtam@oncb.go.th"},
		PublicURL: "https://tidtam.example.go.th", Now: func() time.Time { return fixedNow },
		Webhooks: notifytest.LoopbackWebhooks()}
}

func smtpSender(srv *notifytest.Server, password string) *notify.SMTPSender {
	return &notify.SMTPSender{Config: config.SMTP{Host: srv.Host(), Port: srv.Port(), Username: "tidtam", Password: password,
		TLS: "none", Auth: "plain"}, Timeout: 10 * time.Second}
}

func delivery(t *testing.T, db *gorm.DB, id string) models.Delivery {
	t.Helper()
	var d models.Delivery
	if err := db.Where("id = ?", id).Take(&d).Error; err != nil {
		t.Fatalf("delivery %s: %v", id, err)
	}
	return d
}

// TestPrepareWritesInboxAndDeliveriesOnce prepares the same notification
// twice: one inbox item per account, one delivery per address and webhook.
func TestPrepareWritesInboxAndDeliveriesOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		const id = "assignment/ONCB-4f2a9c0d1e2b3a45/20/seq/5"
		enqueue(t, db, id, notify.KindOverdue, notify.RecipientSpec{UnitCodes: []string{"20"}}, overdueData())
		d := deliverer(db, nil)
		first, err := d.Prepare(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		second, err := d.Prepare(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if first.InboxItems != 3 || len(first.Emails) != 3 || len(first.Webhooks) != 2 {
			t.Fatalf("plan = %+v, want 3 inbox items, 3 e-mails, 2 webhooks", first)
		}
		a, _ := json.Marshal(first)
		b, _ := json.Marshal(second)
		if string(a) != string(b) {
			t.Errorf("second plan differs:\n%s\n%s", a, b)
		}
		if n := count(t, db.Model(&models.InboxItem{}).Where("notification_id = ?", id)); n != 3 {
			t.Errorf("%d inbox items, want 3", n)
		}
		if n := count(t, db.Model(&models.Delivery{}).Where("notification_id = ? AND status = ?", id, models.DeliveryPending)); n != 5 {
			t.Errorf("%d pending deliveries, want 5", n)
		}
		var item models.InboxItem
		if err := db.Where("id = ?", notify.InboxItemID(id, o.id("gov20"))).Take(&item).Error; err != nil {
			t.Fatal(err)
		}
		if item.AccountID != o.id("gov20") || item.Kind != notify.KindOverdue || item.ReadAt != nil ||
			!strings.HasPrefix(item.Title, "[เกินกำหนด] ข้อ 2") || !strings.Contains(item.Body, "เรียน ศอ.ปส.จ.ชลบุรี") ||
			!strings.Contains(item.Body, "15 ม.ค. 2568 เวลา 16:30 น.") ||
			item.Link != "https://tidtam.example.go.th/assignments/assignment%2FONCB-4f2a9c0d1e2b3a45%2F20" {
			t.Errorf("inbox item = %+v", item)
		}
		if len(item.ID) != 64 || strings.Contains(item.ID, "/") {
			t.Errorf("inbox item id %q is not URL-safe", item.ID)
		}
	})
}

// TestSendEmailExactlyOnce sends through a real SMTP server, then repeats
// the step as a retried activity would: the server receives one message.
func TestSendEmailExactlyOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seedOrg(t, db)
		srv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "right"}})
		const id = "n/once"
		enqueue(t, db, id, notify.KindOverdue, notify.RecipientSpec{HeadOfUnits: []string{"20"}}, overdueData())
		d := deliverer(db, smtpSender(srv, "right"))
		plan, err := d.Prepare(t.Context(), id)
		if err != nil || len(plan.Emails) != 2 {
			t.Fatalf("plan %+v, %v", plan, err)
		}
		target := plan.Emails[0]
		res, err := d.SendEmail(t.Context(), id, target)
		if err != nil || res.Outcome != notify.OutcomeSent || res.MessageID != notify.MessageID(id) {
			t.Fatalf("SendEmail = %+v, %v", res, err)
		}
		again, err := d.SendEmail(t.Context(), id, target)
		if err != nil || again.Outcome != notify.OutcomeAlready {
			t.Fatalf("second SendEmail = %+v, %v; want already", again, err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("server received %d messages, want 1", n)
		}
		got := parseReceived(t, srv.Messages()[0].Data)
		if got.To[0].Address != target.Address || got.To[0].Name != target.Name || !strings.HasPrefix(got.Subject, "[เกินกำหนด]") {
			t.Errorf("received To %+v Subject %q", got.To, got.Subject)
		}
		row := delivery(t, db, target.DeliveryID)
		if row.Status != models.DeliverySent || row.Attempts != 1 || row.SentAt == nil || row.MessageID != notify.MessageID(id) || row.LastError != "" {
			t.Errorf("delivery row = %+v", row)
		}
	})
}

// TestWrongPasswordIsConfigurationError: the send fails as ErrAuth, the
// delivery fails with the server's reason, and each admin gets one alert a
// day however many deliveries fail.
func TestWrongPasswordIsConfigurationError(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		srv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "right"}})
		const id = "n/auth"
		enqueue(t, db, id, notify.KindOverdue, notify.RecipientSpec{HeadOfUnits: []string{"20"}}, overdueData())
		d := deliverer(db, smtpSender(srv, "wrong"))
		plan, err := d.Prepare(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range plan.Emails {
			_, err := d.SendEmail(t.Context(), id, target)
			if !errors.Is(err, notify.ErrAuth) || !notify.IsPermanent(err) {
				t.Fatalf("SendEmail err = %v, want ErrAuth", err)
			}
			if err := d.Fail(t.Context(), target.DeliveryID, "การตั้งค่าการส่งไม่ถูกต้อง (configuration error): "+err.Error(), true); err != nil {
				t.Fatal(err)
			}
			row := delivery(t, db, target.DeliveryID)
			if row.Status != models.DeliveryFailed || row.Attempts != 1 || !strings.Contains(row.LastError, "535") ||
				!strings.Contains(row.LastError, "configuration error") {
				t.Errorf("delivery row = %+v", row)
			}
		}
		if len(srv.Messages()) != 0 {
			t.Errorf("server accepted %d messages", len(srv.Messages()))
		}
		for _, admin := range []string{"admin", "admin2"} {
			var items []models.InboxItem
			if err := db.Where("account_id = ? AND kind = ?", o.id(admin), notify.KindSMTPConfig).Find(&items).Error; err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || !strings.HasPrefix(items[0].Title, "การตั้งค่า SMTP ไม่ถูกต้อง") || !strings.Contains(items[0].Body, "535") {
				t.Errorf("%s has alerts %+v, want one", admin, items)
			}
		}
		if n := count(t, db.Model(&models.InboxItem{}).Where("kind = ? AND account_id = ?", notify.KindSMTPConfig, o.id("gov20"))); n != 0 {
			t.Errorf("a non-admin got %d SMTP alerts", n)
		}
		status, err := d.Finish(t.Context(), id)
		if err != nil || status != models.NotificationFailed {
			t.Errorf("Finish = %q, %v; want failed", status, err)
		}
	})
}

// TestDevMailbox: without SMTP, mail lands in dev_mailbox once and counts
// as sent.
func TestDevMailbox(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seedOrg(t, db)
		const id = "n/dev"
		enqueue(t, db, id, notify.KindAssigned, notify.RecipientSpec{UnitCodes: []string{"21"}}, overdueData())
		d := deliverer(db, nil)
		plan, err := d.Prepare(t.Context(), id)
		if err != nil || len(plan.Emails) != 1 {
			t.Fatalf("plan %+v, %v", plan, err)
		}
		for range 2 {
			if _, err := d.SendEmail(t.Context(), id, plan.Emails[0]); err != nil {
				t.Fatal(err)
			}
		}
		var box []models.DevMail
		if err := db.Find(&box).Error; err != nil {
			t.Fatal(err)
		}
		if len(box) != 1 || box[0].ToAddress != "staff@rayong.go.th" || !strings.HasPrefix(box[0].Subject, "[ข้อสั่งการใหม่]") ||
			box[0].MessageID != notify.MessageID(id) || !strings.Contains(box[0].HTML, "<!DOCTYPE html>") ||
			!strings.Contains(box[0].Raw, "Message-ID: "+notify.MessageID(id)) || !strings.Contains(box[0].Text, "เรียน ศอ.ปส.จ.ชลบุรี") {
			t.Fatalf("dev mailbox = %+v", box)
		}
		if row := delivery(t, db, plan.Emails[0].DeliveryID); row.Status != models.DeliverySent {
			t.Errorf("delivery = %+v", row)
		}
	})
}

// TestSendWebhookSignedOnce posts to an httptest receiver that verifies
// the signature; a repeat sends nothing; a deactivated webhook is skipped.
func TestSendWebhookSignedOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		recv := newWebhookReceiver(t, "s-20", http.StatusOK)
		if err := db.Model(&models.Webhook{}).Where("id = ?", o.webhooks["20"].ID).Update("url", recv.URL+"/hook").Error; err != nil {
			t.Fatal(err)
		}
		const id = "n/hook"
		enqueue(t, db, id, notify.KindOverdue, notify.RecipientSpec{UnitCodes: []string{"20"}}, overdueData())
		d := deliverer(db, nil)
		plan, err := d.Prepare(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var unitHook, orgHook notify.WebhookTarget
		for _, w := range plan.Webhooks {
			switch w.WebhookID {
			case o.webhooks["20"].ID:
				unitHook = w
			case o.webhooks["all"].ID:
				orgHook = w
			}
		}
		for range 2 {
			if _, err := d.SendWebhook(t.Context(), id, unitHook); err != nil {
				t.Fatal(err)
			}
		}
		bodies, verified, _ := recv.calls()
		if len(bodies) != 1 || !verified[0] {
			t.Fatalf("receiver got %d requests (verified %v), want 1 verified", len(bodies), verified)
		}
		var p notify.WebhookPayload
		if err := json.Unmarshal(bodies[0], &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != id || p.Kind != notify.KindOverdue || p.Delivery != unitHook.DeliveryID || p.Data["unit_code"] != "20" ||
			p.Data["unit_name"] != "ศอ.ปส.จ.ชลบุรี" || !strings.HasPrefix(p.Subject, "[เกินกำหนด]") || p.Timestamp != fixedNow.Unix() {
			t.Errorf("payload = %+v", p)
		}

		if err := db.Model(&models.Webhook{}).Where("id = ?", orgHook.WebhookID).Update("active", false).Error; err != nil {
			t.Fatal(err)
		}
		res, err := d.SendWebhook(t.Context(), id, orgHook)
		if err != nil || res.Outcome != notify.OutcomeSkipped || delivery(t, db, orgHook.DeliveryID).Status != models.DeliverySkipped {
			t.Errorf("deactivated webhook: %+v, %v", res, err)
		}

		// The e-mails were never sent: Finish is only called once every
		// send has ended, so mark them as a workflow would have.
		for _, e := range plan.Emails {
			if err := d.MarkSent(t.Context(), e.DeliveryID, notify.MessageID(id)); err != nil {
				t.Fatal(err)
			}
		}
		status, err := d.Finish(t.Context(), id)
		if err != nil || status != models.NotificationDelivered {
			t.Errorf("Finish = %q, %v", status, err)
		}
		var n models.Notification
		db.Where("id = ?", id).Take(&n)
		if n.Status != models.NotificationDelivered {
			t.Errorf("notification status %q", n.Status)
		}
	})
}

// TestPrepareUnknownNotification is a permanent error.
func TestPrepareUnknownNotification(t *testing.T) {
	db := storetest.SQLite(t)
	if _, err := deliverer(db, nil).Prepare(t.Context(), "nope"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	if _, err := deliverer(db, nil).SendEmail(t.Context(), "nope", notify.EmailTarget{DeliveryID: "nope/email/x"}); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}

}
