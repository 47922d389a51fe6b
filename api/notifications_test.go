package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func ntfAccountID(t *testing.T, db *gorm.DB, username string) int64 {
	t.Helper()
	var a models.Account
	if err := db.Where("username = ?", username).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func ntfItems(res response) []map[string]any {
	var out []map[string]any
	items, _ := res.Body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestInboxAPI: each account sees only its own items, newest first, with
// an unread count; reading one or all updates it.
func TestInboxAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		chonburi, admin := ntfAccountID(t, db, "chonburi"), ntfAccountID(t, db, "admin")
		base := time.Date(2025, 1, 15, 2, 0, 0, 0, time.UTC)
		for i, it := range []struct {
			account int64
			title   string
		}{{chonburi, "[ข้อสั่งการใหม่] ก"}, {chonburi, "[ใกล้ครบกำหนด] ข้อ 1 ก"}, {chonburi, "[เกินกำหนด] ข้อ 1 ก"}, {admin, "การตั้งค่า SMTP ไม่ถูกต้อง"}} {
			nid := "n/" + string(rune('a'+i))
			row := models.InboxItem{ID: notify.InboxItemID(nid, it.account), NotificationID: nid, AccountID: it.account,
				Kind: "k", Title: it.title, Body: "เนื้อความ", Link: "http://t/x", CreatedAt: base.Add(time.Duration(i) * time.Hour)}
			if err := db.Create(&row).Error; err != nil {
				t.Fatal(err)
			}
		}
		token := h.login("chonburi", "province-pass-1")
		res := h.do("GET", "/api/v1/inbox", token, nil)
		items := ntfItems(res)
		if res.Status != 200 || len(items) != 3 || res.Body["unread"] != float64(3) || res.Body["total"] != float64(3) {
			t.Fatalf("GET /inbox = %d %s", res.Status, res.Raw)
		}
		if items[0]["title"] != "[เกินกำหนด] ข้อ 1 ก" || items[2]["title"] != "[ข้อสั่งการใหม่] ก" || items[0]["read_at"] != nil {
			t.Errorf("not newest first: %s", res.Raw)
		}

		newest := items[0]["id"].(string)
		res = h.do("POST", "/api/v1/inbox/"+newest+"/read", token, nil)
		if res.Status != 200 || res.Body["read_at"] == nil || res.Body["id"] != newest {
			t.Fatalf("read = %d %s", res.Status, res.Raw)
		}
		firstRead := res.Body["read_at"]
		if again := h.do("POST", "/api/v1/inbox/"+newest+"/read", token, nil); again.Body["read_at"] != firstRead {
			t.Errorf("reading twice moved read_at: %v → %v", firstRead, again.Body["read_at"])
		}
		res = h.do("GET", "/api/v1/inbox?unread=true", token, nil)
		if len(ntfItems(res)) != 2 || res.Body["unread"] != float64(2) || res.Body["total"] != float64(2) {
			t.Errorf("unread filter = %s", res.Raw)
		}

		adminItem := notify.InboxItemID("n/d", admin)
		errorOf(t, h.do("POST", "/api/v1/inbox/"+adminItem+"/read", token, nil), 404, "not_found", "")
		errorOf(t, h.do("GET", "/api/v1/inbox?unread=maybe", token, nil), 422, "invalid", "unread")

		res = h.do("POST", "/api/v1/inbox/read-all", token, nil)
		if res.Status != 200 || res.Body["updated"] != float64(2) {
			t.Errorf("read-all = %d %s", res.Status, res.Raw)
		}
		if res := h.do("GET", "/api/v1/inbox", token, nil); res.Body["unread"] != float64(0) {
			t.Errorf("after read-all: %s", res.Raw)
		}
		var adminRow models.InboxItem
		db.Where("id = ?", adminItem).Take(&adminRow)
		if adminRow.ReadAt != nil {
			t.Error("read-all touched another account's item")
		}
		errorOf(t, h.do("GET", "/api/v1/inbox", "", nil), 401, "unauthorized", "")
	})
}

// TestDeliveriesAndDevMailboxAPI delivers a notification without SMTP and
// looks at the result through the admin endpoints and the recipient's
// inbox.
func TestDeliveriesAndDevMailboxAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		if err := db.Model(&models.Unit{}).Where("code = ?", "20").Update("email", "saraban@chonburi.go.th").Error; err != nil {
			t.Fatal(err)
		}
		const id = "assignment/D1/20/seq/3"
		n := models.Notification{ID: id, Kind: notify.KindAssigned, Template: notify.KindAssigned, Language: "th",
			Recipients: `{"unit_codes":["20"]}`, Status: models.NotificationDispatched, CreatedAt: time.Now().UTC(),
			Data: `{"assignment_id":"assignment/D1/20","unit_code":"20","subject":"เร่งรัดการตรวจค้น","ack_due_at":"2025-01-16T09:30:00Z"}`}
		if err := db.Create(&n).Error; err != nil {
			t.Fatal(err)
		}
		d := &notify.Deliverer{DB: db, From: mail.Address{Address: "tidtam@localhost"}, PublicURL: "http://tidtam.test"}
		plan, err := d.Prepare(t.Context(), id)
		if err != nil || len(plan.Emails) != 1 {
			t.Fatalf("plan %+v %v", plan, err)
		}
		if _, err := d.SendEmail(t.Context(), id, plan.Emails[0]); err != nil {
			t.Fatal(err)
		}
		failed := models.Delivery{ID: "n/x/email/a@b", NotificationID: "n/x", Channel: "email", Recipient: "a@b",
			Status: models.DeliveryFailed, Attempts: 1, LastError: "535", CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		if err := db.Create(&failed).Error; err != nil {
			t.Fatal(err)
		}

		admin := h.login("admin", adminPassword)
		res := h.do("GET", "/api/v1/deliveries?status=failed", admin, nil)
		if items := ntfItems(res); res.Status != 200 || len(items) != 1 || items[0]["id"] != failed.ID || items[0]["last_error"] != "535" {
			t.Errorf("failed deliveries = %d %s", res.Status, res.Raw)
		}
		res = h.do("GET", "/api/v1/deliveries?notification_id="+id, admin, nil)
		if items := ntfItems(res); len(items) != 1 || items[0]["status"] != "sent" || items[0]["recipient"] != "saraban@chonburi.go.th" {
			t.Errorf("deliveries of %s = %s", id, res.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/deliveries?status=lost", admin, nil), 422, "invalid", "status")

		// Retrying: only a failed delivery whose notification has finished,
		// once per round.
		if err := db.Create(&models.Notification{ID: "n/x", Kind: notify.KindAssigned, Template: notify.KindAssigned, Language: "th",
			Recipients: `{"unit_codes":["20"]}`, Data: `{}`, Status: models.NotificationFailed, CreatedAt: time.Now().UTC()}).Error; err != nil {
			t.Fatal(err)
		}
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": ""}), 422, "invalid", "id")
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": strings.Repeat("x", 701)}), 422, "invalid", "id")
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": "n/none/email/a@b"}), 404, "not_found", "")
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": plan.Emails[0].DeliveryID}), 409, "conflict", "")
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", h.login("chonburi", "province-pass-1"), map[string]any{"id": failed.ID}), 403, "forbidden", "")
		res = h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": failed.ID})
		if res.Status != 200 || res.Body["status"] != "pending" || res.Body["last_error"] != nil || res.Body["attempts"] != float64(1) {
			t.Errorf("retry = %d %s", res.Status, res.Raw)
		}
		var nx models.Notification
		db.Where("id = ?", "n/x").Take(&nx)
		if nx.Status != models.NotificationPending || nx.Round != 1 {
			t.Errorf("the retried notification is %s in round %d, want pending in round 1", nx.Status, nx.Round)
		}
		if n := count(t, db, &models.AuditEvent{}, "action = ? AND entity_id = ?", "delivery.retry", failed.ID); n != 1 {
			t.Errorf("%d audit events of the retry", n)
		}
		// Its round is under way: the same delivery cannot be retried again.
		db.Model(&models.Delivery{}).Where("id = ?", failed.ID).Update("status", models.DeliveryFailed)
		errorOf(t, h.do("POST", "/api/v1/deliveries/retry", admin, map[string]any{"id": failed.ID}), 409, "conflict", "")

		res = h.do("GET", "/api/v1/dev-mailbox", admin, nil)
		items := ntfItems(res)
		if res.Status != 200 || len(items) != 1 || items[0]["to"] != "saraban@chonburi.go.th" ||
			!strings.HasPrefix(items[0]["subject"].(string), "[ข้อสั่งการใหม่]") || items[0]["raw"] != nil ||
			!strings.Contains(items[0]["html"].(string), "<!DOCTYPE html>") {
			t.Errorf("dev mailbox = %d %s", res.Status, res.Raw)
		}
		if items := ntfItems(h.do("GET", "/api/v1/dev-mailbox?raw=true", admin, nil)); len(items) != 1 ||
			!strings.Contains(items[0]["raw"].(string), "Message-ID: "+notify.MessageID(id)) {
			t.Errorf("raw message missing: %v", items)
		}

		province := h.login("chonburi", "province-pass-1")
		errorOf(t, h.do("GET", "/api/v1/deliveries", province, nil), 403, "forbidden", "")
		errorOf(t, h.do("GET", "/api/v1/dev-mailbox", province, nil), 403, "forbidden", "")
		res = h.do("GET", "/api/v1/inbox", province, nil)
		if items := ntfItems(res); len(items) != 1 || !strings.HasPrefix(items[0]["title"].(string), "[ข้อสั่งการใหม่]") ||
			items[0]["link"] != "http://tidtam.test/assignments/assignment%2FD1%2F20" {
			t.Errorf("recipient's inbox = %s", res.Raw)
		}
	})
}

// tableDNS answers host-name look-ups from a table, so that webhook
// registration needs no real DNS.
type tableDNS map[string]string

func (d tableDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := d[host]
	if !ok {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

// withWebhooks rebuilds h's app with the webhook address policy p.
func (h *harness) withWebhooks(p *notify.WebhookPolicy) {
	h.app = api.New(&api.Deps{DB: h.db, Auth: &auth.Service{DB: h.db, SessionTTL: time.Hour}, Logger: slog.New(slog.DiscardHandler),
		DataDir: h.t.TempDir(), MaxUploadBytes: 1 << 20, Webhooks: p})
}

// TestWebhooksAPI: the secretariat manages webhooks; the secret is shown
// once and never audited. The organisation's internal receiver at
// 10.0.0.5 is reachable over http because the test allows it, as an admin
// would in TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS and TIDTAM_WEBHOOK_ALLOW_PRIVATE.
func TestWebhooksAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withWebhooks(&notify.WebhookPolicy{
			Resolver:       tableDNS{"hooks.chonburi.go.th": "164.115.1.10", "x.go.th": "164.115.1.11"},
			AllowHTTPHosts: []string{"10.0.0.5"},
			AllowPrivate:   []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32")},
		})
		sec := h.login("sec", "secretariat-pass")
		res := h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "https://hooks.chonburi.go.th/tidtam", "unit_code": "20"})
		if res.Status != 201 || res.Body["unit_code"] != "20" || res.Body["active"] != true {
			t.Fatalf("create = %d %s", res.Status, res.Raw)
		}
		secret, _ := res.Body["secret"].(string)
		if len(secret) != 64 {
			t.Errorf("secret %q, want 64 hex digits", secret)
		}
		id := res.Body["id"].(float64)
		org := h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "http://10.0.0.5:8080/in", "active": false})
		if org.Status != 201 || org.Body["unit_code"] != nil || org.Body["active"] != false || org.Body["secret"] == secret {
			t.Errorf("organisation-wide create = %d %s", org.Status, org.Raw)
		}

		list := h.do("GET", "/api/v1/webhooks", h.login("admin", adminPassword), nil)
		if items := ntfItems(list); list.Status != 200 || len(items) != 2 || strings.Contains(string(list.Raw), secret) || items[0]["secret"] != nil {
			t.Errorf("list = %d %s", list.Status, list.Raw)
		}
		var stored models.Webhook
		db.Where("id = ?", int64(id)).Take(&stored)
		if stored.Secret != secret {
			t.Error("stored secret differs from the one shown")
		}
		var audit []models.AuditEvent
		db.Where("action = ?", "webhook.create").Find(&audit)
		if len(audit) != 2 || strings.Contains(audit[0].After, secret) || audit[0].Actor != "sec" {
			t.Errorf("audit = %+v", audit)
		}

		errorOf(t, h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "ftp://x"}), 422, "invalid", "url")
		errorOf(t, h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "https://x.go.th", "unit_code": "99"}), 422, "invalid", "unit_code")
		errorOf(t, h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "https://x.go.th", "secret": "mine"}), 422, "invalid", "secret")
		province := h.login("chonburi", "province-pass-1")
		errorOf(t, h.do("GET", "/api/v1/webhooks", province, nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", "/api/v1/webhooks", province, map[string]any{"url": "https://x.go.th"}), 403, "forbidden", "")

		del := h.do("DELETE", "/api/v1/webhooks/"+strconv.FormatInt(int64(id), 10), sec, nil)
		if del.Status != 204 {
			t.Fatalf("delete = %d %s", del.Status, del.Raw)
		}
		errorOf(t, h.do("DELETE", "/api/v1/webhooks/"+strconv.FormatInt(int64(id), 10), sec, nil), 404, "not_found", "")
		errorOf(t, h.do("DELETE", "/api/v1/webhooks/abc", sec, nil), 422, "invalid", "id")
		var left int64
		db.Model(&models.Webhook{}).Count(&left)
		if left != 1 {
			t.Errorf("%d webhooks left, want 1", left)
		}
	})
}

// TestWebhookSSRF: with the production default policy, every URL that
// could reach the server's own network, cloud metadata or tidtam itself is
// refused at registration with 422 naming url, and nothing is stored.
func TestWebhookSSRF(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		h.withWebhooks(&notify.WebhookPolicy{
			Resolver:  tableDNS{"hooks.example.com": "93.184.216.34", "tidtam.example.go.th": "93.184.216.35", "rebind.example.com": "127.0.0.1"},
			SelfAddrs: []string{"tidtam.example.go.th:443", "127.0.0.1:8080"},
		})
		sec := h.login("sec", "secretariat-pass")
		for _, u := range []string{
			"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
			"https://169.254.169.254/latest/meta-data/",
			"https://10.0.0.5/hook",
			"https://192.168.1.1/hook",
			"https://[::1]/hook",
			"https://[fd00::1]/hook",
			"http://localhost:8080/api/v1/auth/login",
			"https://localhost/hook",
			"https://0.0.0.0/hook",
			"https://2130706433/hook",
			"https://0x7f.1/hook",
			"https://metadata.google.internal/computeMetadata/v1/",
			"https://tidtam.example.go.th/api/v1/webhooks",
			"http://127.0.0.1:8080/api/v1/webhooks",
			"https://user:password@hooks.example.com/hook",
			"http://hooks.example.com/hook",
			"https://rebind.example.com/hook",
			"https://[::ffff:169.254.169.254]/latest/meta-data/",
		} {
			errorOf(t, h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": u}), 422, "invalid", "url")
		}
		if n := count(t, db, &models.Webhook{}, "1 = 1"); n != 0 {
			t.Errorf("%d webhooks stored", n)
		}
		if res := h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "https://hooks.example.com/hook"}); res.Status != 201 {
			t.Errorf("public https webhook: %d %s", res.Status, res.Raw)
		}
	})
}
