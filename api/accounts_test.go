package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// testClock is a settable clock for the auth service of accountsApp.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// accountsApp replaces h's app by one whose auth service runs on clk and
// throttle, and which trusts the test connection (0.0.0.0) as a reverse
// proxy, so that X-Forwarded-For sets the client address.
func accountsApp(h *harness, clk *testClock, throttle auth.LoginThrottle) {
	svc := &auth.Service{DB: h.db, SessionTTL: time.Hour, Now: clk.Now, Throttle: throttle}
	h.app = api.New(&api.Deps{DB: h.db, Auth: svc, Logger: slog.New(slog.DiscardHandler), DataDir: h.t.TempDir(),
		MaxUploadBytes: 1 << 20, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}})
}

// send is do with extra request headers (body: nil, a raw string, or a
// value sent as JSON); it returns the answer's headers too. The exchange is
// checked against openapi.json.
func (h *harness) send(method, path, token string, body any, hdr map[string]string) (response, http.Header) {
	h.t.Helper()
	var payload []byte
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		payload = []byte(b)
		r = bytes.NewReader(payload)
	default:
		payload, _ = json.Marshal(b)
		r = bytes.NewReader(payload)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	checkOpenAPI(h.t, req, payload, res, raw)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out, res.Header
}

// loginFrom signs in from the client address addr.
func (h *harness) loginFrom(addr, user, pass string) (response, http.Header) {
	h.t.Helper()
	return h.send("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pass},
		map[string]string{"X-Forwarded-For": addr})
}

func auditActionsOf(t *testing.T, db *gorm.DB, username string) string {
	t.Helper()
	var actions []string
	if err := db.Model(&models.AuditEvent{}).Where("entity_type = 'account' AND entity_id = ?", username).
		Order("id").Pluck("action", &actions).Error; err != nil {
		t.Fatal(err)
	}
	return strings.Join(actions, " ")
}

// TestLoginThrottling: the 11th wrong password for an account within 15
// minutes is 429 with Retry-After, also with the right password and from
// another address; another account signs in from the same address (the
// per-address limit is higher, so colleagues behind one office address
// are not locked out); once the window has slid past the first failure the
// account signs in again. An address that sprays failures over many
// usernames is 429 for every username while other addresses are not.
// Every attempt is in the audit trail with its client address.
func TestLoginThrottling(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		clk := &testClock{t: time.Now().UTC()}
		accountsApp(h, clk, auth.LoginThrottle{MaxPerAddress: 15})

		for i := range 10 {
			r, _ := h.loginFrom("192.0.2.10", "chonburi", fmt.Sprintf("wrong-%d", i))
			errorOf(t, r, 401, "unauthorized", "")
			clk.Advance(30 * time.Second)
		}
		for _, addr := range []string{"192.0.2.10", "198.51.100.20"} {
			r, hdr := h.loginFrom(addr, "chonburi", "province-pass-1")
			errorOf(t, r, 429, "too_many_requests", "")
			// The first failure leaves the window 15 min after it, 5 min ago.
			if got := hdr.Get("Retry-After"); got != strconv.Itoa(15*60-5*60) {
				t.Fatalf("Retry-After = %q, want 600", got)
			}
			if d := r.Body["error"].(map[string]any)["details"].(map[string]any); d["retry_after_seconds"] != float64(600) {
				t.Fatalf("details = %v", d)
			}
		}
		if r, _ := h.loginFrom("192.0.2.10", "sec", "secretariat-pass"); r.Status != 200 {
			t.Fatalf("another account from the same address: %d %s", r.Status, r.Raw)
		}
		clk.Advance(10 * time.Minute)
		if r, _ := h.loginFrom("198.51.100.20", "chonburi", "province-pass-1"); r.Status != 200 {
			t.Fatalf("after the window slid: %d %s", r.Status, r.Raw)
		}

		// Spraying from one address: chonburi's failures still count for it
		// (9 of them are within the window; the first one just left it).
		for i := range 6 {
			r, _ := h.loginFrom("192.0.2.10", fmt.Sprintf("nobody%d", i), "whatever-pass")
			errorOf(t, r, 401, "unauthorized", "")
		}
		r, hdr := h.loginFrom("192.0.2.10", "watch", "observer-pass-1")
		errorOf(t, r, 429, "too_many_requests", "")
		// One more attempt fits when the failure at 0:30 leaves the window.
		if got := hdr.Get("Retry-After"); got != "30" {
			t.Fatalf("Retry-After = %q, want 30", got)
		}
		if r, _ := h.loginFrom("203.0.113.30", "watch", "observer-pass-1"); r.Status != 200 {
			t.Fatalf("from another address: %d %s", r.Status, r.Raw)
		}

		want := strings.Repeat("auth.login_failed ", 10) + "auth.login_throttled auth.login_throttled auth.login"
		if got := auditActionsOf(t, db, "chonburi"); got != want {
			t.Fatalf("audit of chonburi = %s\nwant %s", got, want)
		}
		if got := auditActionsOf(t, db, "watch"); got != "auth.login_throttled auth.login" {
			t.Fatalf("audit of watch = %s", got)
		}
		if got := auditActionsOf(t, db, "nobody3"); got != "auth.login_failed" {
			t.Fatalf("audit of an unknown username = %s", got)
		}
		admin := h.login("admin", adminPassword)
		audit := h.do("GET", "/api/v1/audit?entity_type=account&entity_id=chonburi&limit=1", admin, nil)
		item := audit.Body["items"].([]any)[0].(map[string]any)
		if item["action"] != "auth.login" || item["actor"] != "chonburi" || !strings.Contains(item["after"].(string), `"address":"198.51.100.20"`) {
			t.Fatalf("latest audit of chonburi: %s", audit.Raw)
		}
	})
}

// TestAPITokens covers the token rules through the API: who may create
// them, the secret shown once (never stored, never replayed), the listing,
// read-only scope, expiry, revocation, and that a token minted from a
// session survives the session's logout.
func TestAPITokens(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		clk := &testClock{t: time.Now().UTC()}
		accountsApp(h, clk, auth.LoginThrottle{})
		admin := h.login("admin", adminPassword)
		if r := h.do("POST", "/api/v1/accounts", admin, map[string]any{"username": "d2001", "password": "district-pass-1",
			"role": "district", "unit_code": "2001"}); r.Status != 201 || r.Body["can_create_tokens"] != false {
			t.Fatalf("create district: %d %s", r.Status, r.Raw)
		}
		for _, who := range [][2]string{{"d2001", "district-pass-1"}, {"watch", "observer-pass-1"}, {"chonburi", "province-pass-1"}} {
			errorOf(t, h.do("POST", "/api/v1/auth/tokens", h.login(who[0], who[1]), map[string]string{"name": "x"}), 403, "forbidden", "")
		}
		// An admin grants the observer (e.g. a reporting integration).
		var watchID int64
		db.Model(&models.Account{}).Where("username = 'watch'").Pluck("id", &watchID)
		if r := h.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", watchID), admin, map[string]any{"can_create_tokens": true}); r.Status != 200 || r.Body["can_create_tokens"] != true {
			t.Fatalf("grant: %d %s", r.Status, r.Raw)
		}
		if r := h.do("POST", "/api/v1/auth/tokens", h.login("watch", "observer-pass-1"), map[string]string{"name": "dashboard"}); r.Status != 201 || r.Body["scope"] != "read_only" {
			t.Fatalf("granted observer: %d %s", r.Status, r.Raw)
		}

		// The secretariat mints a read-write token with an Idempotency-Key.
		sec := h.login("sec", "secretariat-pass")
		body := map[string]any{"name": "NISPA sync", "scope": "read_write", "expires_in_days": 30}
		idem := map[string]string{api.HeaderIdempotencyKey: "mint-nispa"}
		first, _ := h.send("POST", "/api/v1/auth/tokens", sec, body, idem)
		if first.Status != 201 {
			t.Fatalf("mint: %d %s", first.Status, first.Raw)
		}
		secret, _ := first.Body["token"].(string)
		prefix, _ := first.Body["prefix"].(string)
		expires, _ := time.Parse(time.RFC3339, first.Body["expires_at"].(string))
		if !strings.HasPrefix(secret, "tdt_") || len(prefix) != 12 || !strings.HasPrefix(secret, prefix) || first.Body["id"] == nil ||
			expires.Sub(clk.Now().Add(30*24*time.Hour)).Abs() > time.Second {
			t.Fatalf("minted: %s", first.Raw)
		}
		replay, hdr := h.send("POST", "/api/v1/auth/tokens", sec, body, idem)
		if replay.Status != 201 || hdr.Get("Idempotent-Replayed") != "true" || replay.Body["id"] != first.Body["id"] ||
			replay.Body["token"] != nil || strings.Contains(string(replay.Raw), secret) {
			t.Fatalf("replay: %d %s", replay.Status, replay.Raw)
		}
		var stored models.IdempotencyKey
		if err := db.Where("idem_key = ?", "mint-nispa").Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored.ResponseBody, secret) || strings.Contains(stored.ResponseBody, `"token"`) || !strings.Contains(stored.ResponseBody, prefix) {
			t.Fatalf("idempotency row keeps %q", stored.ResponseBody)
		}
		if n := count(t, db, &models.APIToken{}, "name = ?", "NISPA sync"); n != 1 {
			t.Fatalf("%d tokens after the replay", n)
		}

		// A token cannot mint a token.
		errorOf(t, h.do("POST", "/api/v1/auth/tokens", secret, map[string]string{"name": "child"}), 403, "forbidden", "")
		// A read-only token reads and changes nothing.
		ro := h.do("POST", "/api/v1/auth/tokens", sec, map[string]any{"name": "read only", "expires_in_days": 1})
		roSecret := ro.Body["token"].(string)
		if r := h.do("GET", "/api/v1/units?type=province", roSecret, nil); r.Status != 200 {
			t.Fatalf("read-only GET: %d", r.Status)
		}
		errorOf(t, h.do("PUT", "/api/v1/holidays/2026-02-16", roSecret, map[string]string{"name_th": "วันหยุด"}), 403, "forbidden", "")
		errorOf(t, h.do("POST", "/api/v1/auth/logout", roSecret, nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", "/api/v1/auth/tokens", sec, map[string]any{"name": "x", "expires_in_days": 366}), 422, "invalid", "expires_in_days")
		errorOf(t, h.do("POST", "/api/v1/auth/tokens", sec, map[string]any{"name": "x", "scope": "admin"}), 422, "invalid", "scope")

		// The list shows prefixes, never secrets.
		list := h.do("GET", "/api/v1/auth/tokens", sec, nil)
		if list.Status != 200 || list.Body["total"] != float64(2) || strings.Contains(string(list.Raw), secret) ||
			strings.Contains(string(list.Raw), roSecret) || !strings.Contains(string(list.Raw), prefix) {
			t.Fatalf("list: %d %s", list.Status, list.Raw)
		}
		if r := h.do("GET", fmt.Sprintf("/api/v1/auth/tokens?account_id=%d", watchID), admin, nil); r.Body["total"] != float64(1) {
			t.Fatalf("admin lists the observer's tokens: %s", r.Raw)
		}
		errorOf(t, h.do("GET", fmt.Sprintf("/api/v1/auth/tokens?account_id=%d", watchID), sec, nil), 403, "forbidden", "")

		// Decision: API tokens survive the logout of the session that
		// minted them; they are listed and revocable.
		if r := h.do("POST", "/api/v1/auth/logout", sec, nil); r.Status != 204 {
			t.Fatalf("logout: %d", r.Status)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", sec, nil), 401, "unauthorized", "")
		if r := h.do("GET", "/api/v1/auth/me", secret, nil); r.Status != 200 {
			t.Fatalf("token after the session's logout: %d", r.Status)
		}
		// Expired: the read-only token lives one day.
		clk.Advance(24*time.Hour + time.Second)
		errorOf(t, h.do("GET", "/api/v1/units", roSecret, nil), 401, "unauthorized", "")
		// Revoked: from now on.
		sec = h.login("sec", "secretariat-pass")
		errorOf(t, h.do("DELETE", "/api/v1/auth/tokens/999999", sec, nil), 404, "not_found", "")
		if r := h.do("DELETE", fmt.Sprintf("/api/v1/auth/tokens/%v", first.Body["id"]), sec, nil); r.Status != 204 {
			t.Fatalf("revoke: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", secret, nil), 401, "unauthorized", "")
		errorOf(t, h.do("DELETE", fmt.Sprintf("/api/v1/auth/tokens/%v", first.Body["id"]), sec, nil), 404, "not_found", "")
		want := "auth.login token.create token.create auth.logout auth.login token.revoke"
		if got := auditActionsOf(t, db, "sec"); got != want {
			t.Fatalf("audit of sec = %s\nwant %s", got, want)
		}
	})
}

// TestAccountAdministration: list filters, PATCH (disabling kills the
// account's sessions and tokens at once), admin password reset, and one's
// own password change.
func TestAccountAdministration(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		admin := h.login("admin", adminPassword)
		var chon models.Account
		db.Where("username = 'chonburi'").Take(&chon)
		accPath := fmt.Sprintf("/api/v1/accounts/%d", chon.ID)

		list := h.do("GET", "/api/v1/accounts?role=province&disabled=false&q=CHON&limit=1", admin, nil)
		if list.Status != 200 || list.Body["total"] != float64(1) || list.Body["items"].([]any)[0].(map[string]any)["username"] != "chonburi" {
			t.Fatalf("filtered list: %d %s", list.Status, list.Raw)
		}
		if r := h.do("GET", "/api/v1/accounts?limit=2&offset=1", admin, nil); r.Body["total"] != float64(5) || len(r.Body["items"].([]any)) != 2 {
			t.Fatalf("paged list: %s", r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/accounts?role=root", admin, nil), 422, "invalid", "role")
		errorOf(t, h.do("GET", "/api/v1/accounts?disabled=perhaps", admin, nil), 422, "invalid", "disabled")

		// The province account gets the token grant, signs in twice and mints a token.
		if r := h.do("PATCH", accPath, admin, map[string]any{"can_create_tokens": true, "display_name": "ศอ.ปส.จ.ชลบุรี", "email": "chon@example.go.th"}); r.Status != 200 ||
			r.Body["display_name"] != "ศอ.ปส.จ.ชลบุรี" || r.Body["can_create_tokens"] != true {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		chonSession := h.login("chonburi", "province-pass-1")
		tok := h.do("POST", "/api/v1/auth/tokens", chonSession, map[string]string{"name": "province sync"})
		chonToken := tok.Body["token"].(string)
		errorOf(t, h.do("PATCH", accPath, admin, map[string]any{"unit_code": "2001"}), 422, "invalid", "unit_code")
		errorOf(t, h.do("PATCH", accPath, admin, map[string]any{"role": "inspector"}), 422, "invalid", "regions")
		errorOf(t, h.do("PATCH", "/api/v1/accounts/999999", admin, map[string]any{"disabled": true}), 404, "not_found", "")
		errorOf(t, h.do("PATCH", accPath, chonSession, map[string]any{"disabled": true}), 403, "forbidden", "")
		var adminID int64
		db.Model(&models.Account{}).Where("username = 'admin'").Pluck("id", &adminID)
		errorOf(t, h.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", adminID), admin, map[string]any{"disabled": true}), 409, "conflict", "")

		// Disabling kills the session and the token at once.
		if r := h.do("PATCH", accPath, admin, map[string]any{"disabled": true}); r.Status != 200 || r.Body["disabled"] != true {
			t.Fatalf("disable: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", chonSession, nil), 401, "unauthorized", "")
		errorOf(t, h.do("GET", "/api/v1/auth/me", chonToken, nil), 401, "unauthorized", "")
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "chonburi", "password": "province-pass-1"}), 403, "forbidden", "")
		if r := h.do("PATCH", accPath, admin, map[string]any{"disabled": false}); r.Status != 200 {
			t.Fatalf("enable: %d", r.Status)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", chonToken, nil), 401, "unauthorized", "")

		// Admin password reset: sessions of the account end.
		chonSession = h.login("chonburi", "province-pass-1")
		errorOf(t, h.do("POST", accPath+"/password", admin, map[string]string{"new_password": "short"}), 422, "invalid", "new_password")
		errorOf(t, h.do("POST", accPath+"/password", chonSession, map[string]string{"new_password": "reset-password-1"}), 403, "forbidden", "")
		if r := h.do("POST", accPath+"/password", admin, map[string]string{"new_password": "reset-password-1"}); r.Status != 204 {
			t.Fatalf("reset: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", chonSession, nil), 401, "unauthorized", "")

		// Own password change: the other session ends, this one stays.
		here := h.login("chonburi", "reset-password-1")
		elsewhere := h.login("chonburi", "reset-password-1")
		errorOf(t, h.do("POST", "/api/v1/auth/password", here, map[string]string{"current_password": "not-my-password", "new_password": "changed-password-1"}), 422, "invalid", "current_password")
		errorOf(t, h.do("POST", "/api/v1/auth/password", here, map[string]string{"current_password": "reset-password-1", "new_password": "chonburi"}), 422, "invalid", "new_password")
		if r := h.do("POST", "/api/v1/auth/password", here, map[string]string{"current_password": "reset-password-1", "new_password": "changed-password-1"}); r.Status != 204 {
			t.Fatalf("change: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", elsewhere, nil), 401, "unauthorized", "")
		if r := h.do("GET", "/api/v1/auth/me", here, nil); r.Status != 200 {
			t.Fatalf("the session used for the change: %d", r.Status)
		}
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "chonburi", "password": "reset-password-1"}), 401, "unauthorized", "")
		h.login("chonburi", "changed-password-1")

		got := auditActionsOf(t, db, "chonburi")
		for _, want := range []string{"account.update", "token.create", "account.password_reset", "account.password_change_failed", "account.password_change", "auth.login_failed"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit of chonburi lacks %s: %s", want, got)
			}
		}
	})
}

// TestClientAddress: X-Forwarded-For is believed only from trusted
// proxies, read from the right, and entries the client wrote itself (left
// of the first untrusted hop) are never used; without trusted proxies the
// connection's address counts.
func TestClientAddress(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	addressOf := func(user string) string {
		t.Helper()
		var ev models.AuditEvent
		if err := h.db.Where("action = 'auth.login' AND entity_id = ?", user).Order("id DESC").Take(&ev).Error; err != nil {
			t.Fatal(err)
		}
		var after struct{ Address string }
		_ = json.Unmarshal([]byte(ev.After), &after)
		return after.Address
	}
	spoofed := map[string]string{"X-Forwarded-For": "203.0.113.1, 192.0.2.77, 10.1.2.3"}
	login := map[string]string{"username": "sec", "password": "secretariat-pass"}
	if r, _ := h.send("POST", "/api/v1/auth/login", "", login, spoofed); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if got := addressOf("sec"); got != "0.0.0.0" {
		t.Fatalf("without trusted proxies: %q, want the connection's 0.0.0.0", got)
	}
	h.app = api.New(&api.Deps{DB: h.db, Auth: &auth.Service{DB: h.db, SessionTTL: time.Hour}, Logger: slog.New(slog.DiscardHandler),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8")}})
	if r, _ := h.send("POST", "/api/v1/auth/login", "", login, spoofed); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if got := addressOf("sec"); got != "192.0.2.77" {
		t.Fatalf("behind trusted proxies: %q, want 192.0.2.77", got)
	}
}
