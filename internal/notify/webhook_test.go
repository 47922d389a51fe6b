package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
)

// loopback lets these tests post to their httptest receivers on
// 127.0.0.1; the strict default refuses them (TestWebhookPolicy).
var loopback = notifytest.LoopbackWebhooks()

// webhookReceiver is an httptest server that checks the signature the way
// a receiver would: HMAC-SHA256 over the raw body with the shared secret,
// computed here independently of notify.Sign.
type webhookReceiver struct {
	*httptest.Server
	secret string
	status int // answered when the signature is good

	mu       sync.Mutex
	bodies   [][]byte
	verified []bool
	headers  []http.Header
}

func newWebhookReceiver(t *testing.T, secret string, status int) *webhookReceiver {
	w := &webhookReceiver{secret: secret, status: status}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(w.secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		ok := r.Method == http.MethodPost && hmac.Equal([]byte(want), []byte(r.Header.Get("X-Tidtam-Signature")))
		w.mu.Lock()
		w.bodies = append(w.bodies, body)
		w.verified = append(w.verified, ok)
		w.headers = append(w.headers, r.Header.Clone())
		status := w.status
		w.mu.Unlock()
		if !ok {
			http.Error(rw, "bad signature", http.StatusUnauthorized)
			return
		}
		rw.WriteHeader(status)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhookReceiver) calls() (bodies [][]byte, verified []bool, headers []http.Header) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.bodies...), append([]bool(nil), w.verified...), append([]http.Header(nil), w.headers...)
}

func TestPostWebhookSigned(t *testing.T) {
	const secret = "whsec-4f1c2b"
	recv := newWebhookReceiver(t, secret, http.StatusNoContent)
	now := time.Unix(1736935200, 0)
	body, _ := json.Marshal(notify.WebhookPayload{ID: "n/1", Kind: notify.KindOverdue, Timestamp: now.Unix(), Subject: "[เกินกำหนด] ข้อ 2"})
	if err := notify.PostWebhook(t.Context(), loopback, recv.URL, secret, "n/1/webhook/7", now, body); err != nil {
		t.Fatalf("PostWebhook: %v", err)
	}
	bodies, verified, headers := recv.calls()
	if len(bodies) != 1 || !verified[0] {
		t.Fatalf("receiver got %d requests, verified %v", len(bodies), verified)
	}
	if string(bodies[0]) != string(body) {
		t.Errorf("body changed in transit")
	}
	if headers[0].Get("X-Tidtam-Timestamp") != strconv.FormatInt(now.Unix(), 10) || headers[0].Get("X-Tidtam-Delivery") != "n/1/webhook/7" ||
		headers[0].Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("headers = %v", headers[0])
	}
	if !notify.VerifySignature(secret, body, headers[0].Get("X-Tidtam-Signature")) || notify.VerifySignature("other", body, headers[0].Get("X-Tidtam-Signature")) {
		t.Error("VerifySignature disagrees with the receiver")
	}

	// A receiver with another secret rejects the request: 401, retryable.
	wrong := newWebhookReceiver(t, "not-the-secret", http.StatusOK)
	err := notify.PostWebhook(t.Context(), loopback, wrong.URL, secret, "", now, body)
	var se *notify.SendError
	if !errors.Is(err, notify.ErrTemporary) || !errors.As(err, &se) || se.Code != http.StatusUnauthorized {
		t.Errorf("wrong secret: err = %v, want ErrTemporary with 401", err)
	}
	if _, verified, _ := wrong.calls(); len(verified) != 1 || verified[0] {
		t.Errorf("receiver with another secret verified %v", verified)
	}
}

func TestPostWebhookNon2xxAndDown(t *testing.T) {
	const secret = "s"
	failing := newWebhookReceiver(t, secret, http.StatusServiceUnavailable)
	if err := notify.PostWebhook(t.Context(), loopback, failing.URL, secret, "", time.Now(), []byte(`{}`)); !errors.Is(err, notify.ErrTemporary) {
		t.Errorf("503: err = %v, want ErrTemporary", err)
	}
	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	if err := notify.PostWebhook(t.Context(), loopback, url, secret, "", time.Now(), []byte(`{}`)); !errors.Is(err, notify.ErrTemporary) {
		t.Errorf("receiver down: err = %v, want ErrTemporary", err)
	}
	if err := notify.PostWebhook(t.Context(), loopback, "http://[::1", secret, "", time.Now(), []byte(`{}`)); !errors.Is(err, notify.ErrConfig) {
		t.Errorf("malformed URL: err = %v, want ErrConfig", err)
	}
}
