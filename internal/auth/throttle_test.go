package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func from(addr string) context.Context {
	return reqctx.WithRequestID(reqctx.WithClientAddress(context.Background(), addr), "req-"+addr)
}

// auditActions returns the actions recorded on account/<username>, oldest
// first.
func auditActions(t *testing.T, db *gorm.DB, username string) []string {
	t.Helper()
	var actions []string
	if err := db.Model(&models.AuditEvent{}).Where("entity_type = 'account' AND entity_id = ?", username).
		Order("id").Pluck("action", &actions).Error; err != nil {
		t.Fatal(err)
	}
	return actions
}

// TestLoginThrottlePerAccount: ten wrong passwords within the window are
// 401, the eleventh attempt is 429 with a RetryAfter until the first
// failure leaves the window, even with the right password and from another
// address; once it has, one more attempt is allowed, and a success clears
// the account's count. Every attempt is audited.
func TestLoginThrottlePerAccount(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, clk := setup(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "somchai", Password: "somchai-password", Role: models.RoleObserver})
		mustCreate(t, s, auth.NewAccount{Username: "malee", Password: "malee-password-1", Role: models.RoleObserver})
		start := clk.Now()
		for i := range auth.DefaultMaxFailuresPerAccount {
			if c, _ := codeAndField(second(s.Login(from("192.0.2.1"), "somchai", fmt.Sprintf("guess-%d", i)))); c != apperr.Unauthorized {
				t.Fatalf("failure %d: code %s, want unauthorized", i+1, c)
			}
			clk.Advance(time.Minute)
		}
		// 10 minutes in: the first failure leaves the window at minute 15.
		for _, ctx := range []context.Context{from("192.0.2.1"), from("198.51.100.7")} {
			_, err := s.Login(ctx, "SomChai ", "somchai-password")
			e := apperr.As(err)
			if e == nil || e.Code != apperr.TooManyRequests || e.RetryAfter != 5*time.Minute ||
				!strings.Contains(e.Message, "300") || e.Details.(map[string]any)["retry_after_seconds"] != int64(300) {
				t.Fatalf("11th attempt: %v (retry after %v), want too_many_requests after 5m", err, e.RetryAfter)
			}
		}
		// Another account from the same address is not affected.
		if _, err := s.Login(from("192.0.2.1"), "malee", "malee-password-1"); err != nil {
			t.Fatalf("other account from the same address: %v", err)
		}
		clk.t = start.Add(auth.DefaultThrottleWindow)
		res, err := s.Login(from("192.0.2.1"), "somchai", "somchai-password")
		if err != nil {
			t.Fatalf("after the first failure left the window: %v", err)
		}
		var left int64
		db.Model(&models.LoginFailure{}).Where("username = ?", "somchai").Count(&left)
		if left != 0 {
			t.Fatalf("%d failures of somchai left after a success", left)
		}
		// They still count for the address they came from.
		db.Model(&models.LoginFailure{}).Where("address = ?", "192.0.2.1").Count(&left)
		if left != 10 {
			t.Fatalf("%d failures of the address left after the account's success, want 10", left)
		}
		actions := auditActions(t, db, "somchai")
		want := strings.Repeat("auth.login_failed ", 10) + "auth.login_throttled auth.login_throttled auth.login"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("audit = %s\nwant    %s", got, want)
		}
		var ok models.AuditEvent
		db.Where("action = 'auth.login' AND entity_id = 'somchai'").Take(&ok)
		if ok.Actor != "somchai" || ok.RequestID != "req-192.0.2.1" || !strings.Contains(ok.After, `"address":"192.0.2.1"`) ||
			!strings.Contains(ok.After, fmt.Sprintf(`"session_id":%d`, mustTokenID(t, db, res.Token))) {
			t.Fatalf("login audit row = %+v", ok)
		}
		var failed models.AuditEvent
		db.Where("action = 'auth.login_failed' AND entity_id = 'somchai'").Take(&failed)
		if failed.Actor != "anonymous" || !strings.Contains(failed.After, "bad_credentials") {
			t.Fatalf("failure audit row = %+v", failed)
		}
	})
}

func mustTokenID(t *testing.T, db *gorm.DB, token string) int64 {
	t.Helper()
	var row models.APIToken
	if err := db.Where("token_hash = ?", auth.HashToken(token)).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.ID
}

// TestLoginThrottlePerAddress: failures over many usernames (known or not)
// from one address lock that address out after MaxPerAddress, for every
// username, while other addresses still sign in; unknown usernames are
// throttled like real ones, so a 429 tells nothing about existence.
func TestLoginThrottlePerAddress(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, clk := setup(t, db)
		s.Throttle = auth.LoginThrottle{MaxPerAddress: 5, MaxPerAccount: 3}
		mustCreate(t, s, auth.NewAccount{Username: "somchai", Password: "somchai-password", Role: models.RoleObserver})
		for i := range 5 {
			if c, _ := codeAndField(second(s.Login(from("203.0.113.9"), fmt.Sprintf("nobody%d", i), "whatever-pass"))); c != apperr.Unauthorized {
				t.Fatalf("spray %d: %s", i, c)
			}
			clk.Advance(time.Second)
		}
		_, err := s.Login(from("203.0.113.9"), "somchai", "somchai-password")
		if e := apperr.As(err); e == nil || e.Code != apperr.TooManyRequests || e.RetryAfter != auth.DefaultThrottleWindow-5*time.Second {
			t.Fatalf("sixth attempt from the address: %v", err)
		}
		if _, err := s.Login(from("198.51.100.7"), "somchai", "somchai-password"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		// Unknown usernames are throttled per account as well.
		for range 3 {
			_, _ = s.Login(from(""), "ghost", "whatever-pass")
		}
		if c, _ := codeAndField(second(s.Login(from(""), "ghost", "whatever-pass"))); c != apperr.TooManyRequests {
			t.Fatalf("unknown username after 3 failures: %s", c)
		}
		// Old failures are pruned as new ones arrive.
		clk.Advance(auth.DefaultThrottleWindow)
		_, _ = s.Login(from("192.0.2.50"), "ghost2", "whatever-pass")
		var n int64
		db.Model(&models.LoginFailure{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d failure rows after the window, want 1", n)
		}
	})
}

// TestLoginThrottleConcurrentBurst: a burst of concurrent wrong guesses
// cannot get more than MaxPerAccount password checks.
func TestLoginThrottleConcurrentBurst(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _ := setup(t, db)
		s.Throttle = auth.LoginThrottle{MaxPerAccount: 4}
		mustCreate(t, s, auth.NewAccount{Username: "somchai", Password: "somchai-password", Role: models.RoleObserver})
		var mu sync.Mutex
		codes := map[apperr.Code]int{}
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Login(from(fmt.Sprintf("192.0.2.%d", i)), "somchai", "wrong-password")
				mu.Lock()
				codes[apperr.CodeOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[apperr.Unauthorized] > 4 || codes[apperr.Unauthorized]+codes[apperr.TooManyRequests] != 16 {
			t.Fatalf("outcomes %v: more than 4 password checks or unexpected errors", codes)
		}
	})
}

// TestChangePasswordThrottled: wrong current passwords count as failures
// of the account, so a stolen session cannot guess it.
func TestChangePasswordThrottled(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _ := setup(t, db)
		s.Throttle = auth.LoginThrottle{MaxPerAccount: 2}
		mustCreate(t, s, auth.NewAccount{Username: "somchai", Password: "somchai-password", Role: models.RoleObserver})
		res, err := s.Login(from("192.0.2.1"), "somchai", "somchai-password")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Authenticate(context.Background(), res.Token)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if c, f := codeAndField(s.ChangePassword(from("192.0.2.1"), p, "not-it-at-all", "a-brand-new-password")); c != apperr.Invalid || f != "current_password" {
				t.Fatalf("wrong current password: %s %s", c, f)
			}
		}
		if c, _ := codeAndField(s.ChangePassword(from("192.0.2.1"), p, "somchai-password", "a-brand-new-password")); c != apperr.TooManyRequests {
			t.Fatalf("third attempt: %s, want too_many_requests", c)
		}
		if got := strings.Join(auditActions(t, db, "somchai"), " "); got != "auth.login account.password_change_failed account.password_change_failed" {
			t.Fatalf("audit = %s", got)
		}
	})
}
