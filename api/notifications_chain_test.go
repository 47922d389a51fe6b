package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// withNotifyEngine is withEngine plus the notification chain as
// production wires it (cmd/tidtam): the delivery workflows and activities
// sending through smtpSrv with AUTH, and an outbox dispatcher polling every
// 100 ms, stopped when the test ends. Webhooks may be registered and
// posted to loopback receivers (notifytest.LoopbackWebhooks), as an admin
// would allow an internal host with TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS and
// TIDTAM_WEBHOOK_ALLOW_PRIVATE.
func (h *harness) withNotifyEngine(smtpSrv *notifytest.Server, user, pass string) {
	h.t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	webhooks := notifytest.LoopbackWebhooks()
	c := h.withEngine(func(w worker.Worker, c client.Client) {
		workflows.RegisterActivities(w, workflows.Activities{Delivery: &activities.Delivery{DB: h.db, Logger: quiet,
			From: mail.Address{Address: "tidtam@oncb.go.th"}, PublicURL: "http://tidtam.test", Webhooks: webhooks,
			Sender: &notify.SMTPSender{Config: config.SMTP{Host: smtpSrv.Host(), Port: smtpSrv.Port(),
				Username: user, Password: pass, TLS: "none", Auth: "plain"}}}})
		ctx, cancel := context.WithCancel(context.Background())
		disp := &notify.Dispatcher{DB: h.db, Temporal: c, TaskQueue: testQueue, Interval: 100 * time.Millisecond, Logger: quiet,
			Delivery: notify.DeliveryInput{RetryWindow: time.Minute, InitialRetryInterval: 200 * time.Millisecond}}
		done := make(chan struct{})
		go func() { defer close(done); _ = disp.Run(ctx) }()
		// Registered after the client's clean-up, so it runs before it.
		h.t.Cleanup(func() { cancel(); <-done })
	})
	h.app = api.New(&api.Deps{DB: h.db, Temporal: c, TaskQueue: testQueue, Auth: &auth.Service{DB: h.db, SessionTTL: time.Hour},
		Logger: quiet, DataDir: h.dataDir, MaxUploadBytes: testMaxUpload, Webhooks: webhooks})
}

// hookReceiver is a webhook endpoint that checks each request's signature
// with its own HMAC (not notify's) and counts the POSTs per notification.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	got    map[string]int // notification ID → POSTs
	kinds  map[string]string
	bad    []string
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	var p struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		Timestamp int64  `json:"timestamp"`
	}
	switch {
	case req.Method != http.MethodPost:
		r.bad = append(r.bad, "method "+req.Method)
	case r.secret == "" || !hmac.Equal([]byte(req.Header.Get(notify.HeaderSignature)), []byte(want)):
		r.bad = append(r.bad, "bad signature "+req.Header.Get(notify.HeaderSignature))
	case json.Unmarshal(body, &p) != nil || p.ID == "" || p.Timestamp == 0:
		r.bad = append(r.bad, "bad body "+string(body))
	case req.Header.Get(notify.HeaderTimestamp) != itoa(int(p.Timestamp)):
		r.bad = append(r.bad, "timestamp header differs from the signed one")
	default:
		r.got[p.ID]++
		r.kinds[p.ID] = p.Kind
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusUnauthorized)
}

func (r *hookReceiver) snapshot() (map[string]int, map[string]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	got, kinds := map[string]int{}, map[string]string{}
	for k, v := range r.got {
		got[k] = v
	}
	for k, v := range r.kinds {
		kinds[k] = v
	}
	return got, kinds, append([]string(nil), r.bad...)
}

// chainMail is one message the SMTP server received, decoded.
type chainMail struct {
	notification, subject, body string
	to                          []string
}

func receivedMail(t *testing.T, s *notifytest.Server) []chainMail {
	t.Helper()
	var out []chainMail
	dec := new(mime.WordDecoder)
	for _, m := range s.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatalf("unreadable message: %v", err)
		}
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
		}
		nid, _ := dec.DecodeHeader(msg.Header.Get(notify.HeaderNotification))
		if m.User != "tidtam" {
			t.Errorf("message sent without authenticating: user %q", m.User)
		}
		out = append(out, chainMail{notification: nid, subject: subj, body: string(m.Data), to: m.To})
	}
	return out
}

// TestNotificationChain follows the notifications of one directive to
// ชลบุรี through the whole chain (workflow → outbox → dispatcher →
// delivery workflow → inbox, SMTP with AUTH, signed webhook): the
// "assigned" notice in Thai with the document number, then the overdue
// and escalation notices, each delivered exactly once per recipient and
// channel.
func TestNotificationChain(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		smtpSrv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "smtp-pass"}})
		h.withNotifyEngine(smtpSrv, "tidtam", "smtp-pass")
		admin := h.login("admin", adminPassword)
		sec := h.login("sec", "secretariat-pass")

		const addr = "saraban@chonburi.go.th"
		if r := h.do("POST", "/api/v1/accounts", admin, map[string]any{"username": "chon-ops", "password": "chon-ops-password",
			"role": "province", "unit_code": "20", "display_name": "งานสารบรรณ ศอ.ปส.จ.ชลบุรี", "email": addr}); r.Status != 201 {
			t.Fatalf("create account: %d %s", r.Status, r.Raw)
		}
		ops := h.login("chon-ops", "chon-ops-password")

		recv := &hookReceiver{got: map[string]int{}, kinds: map[string]string{}}
		hookSrv := httptest.NewServer(recv)
		t.Cleanup(hookSrv.Close)
		errorOf(t, h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": "ftp://x", "unit_code": "20"}), 422, "invalid", "url")
		hook := h.do("POST", "/api/v1/webhooks", sec, map[string]any{"url": hookSrv.URL + "/tidtam", "unit_code": "20"})
		if hook.Status != 201 || len(hook.Body["secret"].(string)) < 32 {
			t.Fatalf("create webhook: %d %s", hook.Status, hook.Raw)
		}
		recv.mu.Lock()
		recv.secret = hook.Body["secret"].(string)
		recv.mu.Unlock()
		if l := h.do("GET", "/api/v1/webhooks", sec, nil); strings.Contains(string(l.Raw), recv.secret) {
			t.Fatal("the webhook secret is shown again after creation")
		}

		// Due in five seconds, escalated at once when missed, level 2
		// after two more seconds.
		const doc = "ที่ มท ๐๓๑๑.๓/ว ๗๗๑"
		policy := map[string]any{"ack_within": "PT10M", "reminders": []string{}, "escalations": []string{"0", "PT2S", "PT1H"}}
		id := asgIssue(h, sec, asgLetter(doc, policy, map[string]any{"number": 1, "text": "ตั้งจุดตรวจร่วมในพื้นที่ชายแดน",
			"due_within": "PT5S", "targets": map[string]any{"provinces": []string{"ชลบุรี"}}}))

		inbox := func() map[string]map[string]any {
			t.Helper()
			res := h.do("GET", "/api/v1/inbox?limit=500", ops, nil)
			if res.Status != 200 {
				t.Fatalf("inbox: %d %s", res.Status, res.Raw)
			}
			out := map[string]map[string]any{}
			for _, it := range ntfItems(res) {
				if _, dup := out[it["notification_id"].(string)]; dup {
					t.Errorf("inbox holds notification %s twice", it["notification_id"])
				}
				out[it["notification_id"].(string)] = it
			}
			return out
		}
		byKind := func(items map[string]map[string]any, kind string) []map[string]any {
			var out []map[string]any
			for _, it := range items {
				if it["kind"] == kind {
					out = append(out, it)
				}
			}
			return out
		}
		// The "assigned" notice, in Thai, with the document number as written.
		eventually(t, 60*time.Second, "assigned notice in the inbox", func() bool { return len(byKind(inbox(), notify.KindAssigned)) == 1 })
		assigned := byKind(inbox(), notify.KindAssigned)[0]
		if title := assigned["title"].(string); !strings.HasPrefix(title, "[ข้อสั่งการใหม่]") || !strings.Contains(title, "ติดตามการขับเคลื่อน") {
			t.Errorf("assigned title %q", title)
		}
		if body := assigned["body"].(string); !strings.Contains(body, doc) || !strings.Contains(body, "ศอ.ปส.จ.ชลบุรี") {
			t.Errorf("assigned body lacks the document number or the unit: %q", body)
		}
		assignedID := assigned["notification_id"].(string)

		// Overdue (level 1) and the level 2 escalation reach the province
		// account's inbox too.
		eventually(t, 60*time.Second, "overdue and escalation notices in the inbox", func() bool {
			items := inbox()
			return len(byKind(items, notify.KindOverdue)) >= 1 && len(byKind(items, notify.KindEscalation)) >= 1
		})
		items := inbox()
		if title := byKind(items, notify.KindOverdue)[0]["title"].(string); !strings.HasPrefix(title, "[เกินกำหนด] ข้อ 1") {
			t.Errorf("overdue title %q", title)
		}
		if title := byKind(items, notify.KindEscalation)[0]["title"].(string); !strings.HasPrefix(title, "[ติดตามเร่งรัดถึงผู้บริหาร]") {
			t.Errorf("escalation title %q", title)
		}

		// Every notification of the directive is delivered and ends so.
		var ids []string
		eventually(t, 60*time.Second, "every notification of the directive delivered", func() bool {
			ids = nil
			db.Model(&models.Notification{}).Where("id LIKE ?", "%"+id+"%").Order("id").Pluck("id", &ids)
			return len(ids) >= 3 && count(t, db, &models.Notification{}, "id IN ? AND status <> ?", ids, models.NotificationDelivered) == 0
		})
		var toUnit []string // notifications addressed to the unit 20 (its accounts, mail and webhook)
		for _, nid := range ids {
			if _, ok := items[nid]; ok {
				toUnit = append(toUnit, nid)
			}
		}
		if len(toUnit) < 3 {
			t.Fatalf("ชลบุรี received %d of the directive's notifications %v", len(toUnit), ids)
		}

		t.Logf("notifications to ชลบุรี: %v", toUnit)
		if link := assigned["link"].(string); !strings.HasPrefix(link, "http://tidtam.test/") || !strings.Contains(link, id) {
			t.Errorf("assigned link %q does not lead to the directive", link)
		}

		// Mail: one message per notification and address, Thai subject.
		mails := receivedMail(t, smtpSrv)
		perMail := map[string]int{}
		for _, m := range mails {
			for _, to := range m.to {
				perMail[m.notification+"|"+strings.ToLower(to)]++
			}
			if m.notification == assignedID && !strings.HasPrefix(m.subject, "[ข้อสั่งการใหม่]") {
				t.Errorf("assigned mail subject %q", m.subject)
			}
		}
		for _, nid := range toUnit {
			if n := perMail[nid+"|"+addr]; n != 1 {
				t.Errorf("notification %s mailed to %s %d times, want once", nid, addr, n)
			}
		}
		for k, n := range perMail {
			if n != 1 {
				t.Errorf("%s mailed %d times", k, n)
			}
		}
		t.Logf("mail: %v", perMail)
		// Webhook: one correctly signed POST per notification to the unit.
		got, kinds, bad := recv.snapshot()
		if len(bad) > 0 {
			t.Errorf("webhook receiver rejected requests: %v", bad)
		}
		for _, nid := range toUnit {
			if got[nid] != 1 {
				t.Errorf("webhook got notification %s %d times, want once", nid, got[nid])
			}
		}
		if kinds[assignedID] != notify.KindAssigned {
			t.Errorf("webhook kinds %v", kinds)
		}
		for nid, n := range got {
			if n != 1 {
				t.Errorf("webhook got %s %d times", nid, n)
			}
		}
		if n := count(t, db, &models.Delivery{}, "notification_id IN ? AND status <> ?", toUnit, models.DeliverySent); n != 0 {
			t.Errorf("%d deliveries to ชลบุรี not sent", n)
		}
	})
}
