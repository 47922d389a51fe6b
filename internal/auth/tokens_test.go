package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// signIn logs username in and returns the session's principal.
// setupWithAdmin is setup with the admin account created (password
// "admin-password-1") and signed in.
func setupWithAdmin(t *testing.T, db *gorm.DB) (*auth.Service, *clock, *auth.Principal) {
	t.Helper()
	s, clk := setup(t, db)
	if _, _, err := s.EnsureAdmin(context.Background(), "admin-password-1"); err != nil {
		t.Fatal(err)
	}
	admin, _ := signIn(t, s, "admin", "admin-password-1")
	return s, clk, admin
}

func signIn(t *testing.T, s *auth.Service, username, password string) (*auth.Principal, string) {
	t.Helper()
	res, err := s.Login(context.Background(), username, password)
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	p, err := s.Authenticate(context.Background(), res.Token)
	if err != nil {
		t.Fatal(err)
	}
	return p, res.Token
}

// TestAPITokenRules: who may mint (admin, secretariat, accounts an admin
// allowed; not from an API token), defaults (read-only, 90 days), limits
// (1 year), and the audit row that never holds the secret.
func TestAPITokenRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		mustCreate(t, s, auth.NewAccount{Username: "d1001", Password: "district-password", Role: models.RoleDistrict, UnitCode: "1001"})
		mustCreate(t, s, auth.NewAccount{Username: "watch", Password: "observer-password", Role: models.RoleObserver})
		mustCreate(t, s, auth.NewAccount{Username: "nispa", Password: "integration-pw-1", Role: models.RoleObserver, CanCreateTokens: true})

		sec, _ := signIn(t, s, "sec", "secretariat-pw")
		tok, err := s.AddAPIToken(ctx, sec, auth.NewAPIToken{Name: " NISPA sync "})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Name != "NISPA sync" || tok.Scope != auth.ScopeReadOnly || !tok.ExpiresAt.Equal(clk.Now().Add(90*24*time.Hour)) ||
			tok.ID == 0 || !strings.HasPrefix(tok.Token, tok.Prefix) || len(tok.Prefix) != 12 || tok.LastUsedAt != nil {
			t.Fatalf("token = %+v", tok)
		}
		var audit models.AuditEvent
		if err := db.Where("action = 'token.create'").Take(&audit).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(audit.After, tok.Token) || !strings.Contains(audit.After, tok.Prefix) || audit.EntityID != "sec" {
			t.Fatalf("audit row = %+v", audit)
		}

		for _, who := range []struct{ user, pass string }{{"d1001", "district-password"}, {"watch", "observer-password"}} {
			p, _ := signIn(t, s, who.user, who.pass)
			if c, _ := codeAndField(second(s.AddAPIToken(ctx, p, auth.NewAPIToken{Name: "x"}))); c != apperr.Forbidden {
				t.Errorf("%s mints a token: %s, want forbidden", who.user, c)
			}
		}
		nispa, _ := signIn(t, s, "nispa", "integration-pw-1")
		rw, err := s.AddAPIToken(ctx, nispa, auth.NewAPIToken{Name: "sync", Scope: auth.ScopeReadWrite, ExpiresInDays: 365})
		if err != nil || rw.Scope != auth.ScopeReadWrite || !rw.ExpiresAt.Equal(clk.Now().Add(365*24*time.Hour)) {
			t.Fatalf("granted observer: %+v, %v", rw, err)
		}
		// A token cannot mint tokens, even a read-write one.
		viaToken, err := s.Authenticate(ctx, rw.Token)
		if err != nil || !viaToken.ViaAPIToken() || viaToken.ReadOnly || viaToken.TokenID != rw.ID {
			t.Fatalf("authenticate rw token: %+v, %v", viaToken, err)
		}
		if c, _ := codeAndField(second(s.AddAPIToken(ctx, viaToken, auth.NewAPIToken{Name: "child"}))); c != apperr.Forbidden {
			t.Fatalf("token minted a token: %s", c)
		}
		for _, bad := range []struct {
			in    auth.NewAPIToken
			field string
		}{
			{auth.NewAPIToken{Name: ""}, "name"},
			{auth.NewAPIToken{Name: strings.Repeat("ก", 129)}, "name"},
			{auth.NewAPIToken{Name: "x", Scope: "admin"}, "scope"},
			{auth.NewAPIToken{Name: "x", ExpiresInDays: 366}, "expires_in_days"},
			{auth.NewAPIToken{Name: "x", ExpiresInDays: -1}, "expires_in_days"},
		} {
			if c, f := codeAndField(second(s.AddAPIToken(ctx, sec, bad.in))); c != apperr.Invalid || f != bad.field {
				t.Errorf("%+v: %s %s, want invalid %s", bad.in, c, f, bad.field)
			}
		}
		// Read-only tokens authenticate as read-only principals.
		ro, err := s.Authenticate(ctx, tok.Token)
		if err != nil || !ro.ReadOnly || ro.CanWrite() {
			t.Fatalf("read-only token: %+v, %v", ro, err)
		}
		if c, _ := codeAndField(ro.RequireWritable()); c != apperr.Forbidden {
			t.Fatalf("RequireWritable of a read-only token: %s", c)
		}
		// Expired tokens stop working.
		clk.Advance(90 * 24 * time.Hour)
		if c, _ := codeAndField(second(s.Authenticate(ctx, tok.Token))); c != apperr.Unauthorized {
			t.Fatalf("expired token: %s", c)
		}
	})
}

// TestAPITokenListRevokeLogout: the list shows tokens in force without
// secrets; tokens survive the logout of the session that minted them;
// revoking works for the owner and admins only; logout is audited.
func TestAPITokenListRevokeLogout(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		if _, _, err := s.EnsureAdmin(ctx, "admin-password-1"); err != nil {
			t.Fatal(err)
		}
		sec := mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		mustCreate(t, s, auth.NewAccount{Username: "sec2", Password: "secretariat-pw2", Role: models.RoleSecretariat})
		p, session := signIn(t, s, "sec", "secretariat-pw")
		a, _ := s.AddAPIToken(ctx, p, auth.NewAPIToken{Name: "a", ExpiresInDays: 1})
		b, _ := s.AddAPIToken(ctx, p, auth.NewAPIToken{Name: "b"})
		clk.Advance(2 * time.Minute)
		if _, err := s.Authenticate(ctx, b.Token); err != nil {
			t.Fatal(err)
		}
		list := mustList(t, s, p, 0)
		if list.Total != 2 || list.Items[0].Name != "a" || list.Items[1].LastUsedAt == nil || list.Items[1].Prefix != b.Prefix {
			t.Fatalf("list = %+v", list)
		}
		// The secret is nowhere in the database.
		var leaks int64
		db.Model(&models.APIToken{}).Where("token_hash = ? OR prefix = ?", b.Token, b.Token).Count(&leaks)
		if leaks != 0 {
			t.Fatal("a token's secret is stored")
		}
		// Logout ends the session and keeps the API tokens.
		if err := s.Logout(ctx, p); err != nil {
			t.Fatalf("%v: %v", err, errors.Unwrap(err))
		}
		if c, _ := codeAndField(second(s.Authenticate(ctx, session))); c != apperr.Unauthorized {
			t.Fatalf("session after logout: %s", c)
		}
		bp, err := s.Authenticate(ctx, b.Token)
		if err != nil {
			t.Fatalf("API token after the session's logout: %v", err)
		}
		// Another secretariat account cannot see or revoke them; an admin can.
		other, _ := signIn(t, s, "sec2", "secretariat-pw2")
		if c, _ := codeAndField(second(s.APITokens(ctx, other, sec.ID))); c != apperr.Forbidden {
			t.Fatalf("listing another account's tokens: %s", c)
		}
		if c, _ := codeAndField(s.RevokeAPIToken(ctx, other, b.ID)); c != apperr.NotFound {
			t.Fatalf("revoking another account's token: %s", c)
		}
		admin, _ := signIn(t, s, "admin", "admin-password-1")
		if got := mustList(t, s, admin, sec.ID); got.Total != 2 {
			t.Fatalf("admin's list of sec's tokens: %+v", got)
		}
		if err := s.RevokeAPIToken(ctx, admin, a.ID); err != nil {
			t.Fatal(err)
		}
		// A token may revoke itself; the session ID is not a token's.
		if err := s.RevokeAPIToken(ctx, bp, b.ID); err != nil {
			t.Fatal(err)
		}
		if c, _ := codeAndField(s.RevokeAPIToken(ctx, admin, b.ID)); c != apperr.NotFound {
			t.Fatalf("revoking twice: %s", c)
		}
		if c, _ := codeAndField(s.RevokeAPIToken(ctx, admin, p.TokenID)); c != apperr.NotFound {
			t.Fatalf("revoking a session through the token API: %s", c)
		}
		for _, tok := range []string{a.Token, b.Token} {
			if c, _ := codeAndField(second(s.Authenticate(ctx, tok))); c != apperr.Unauthorized {
				t.Fatalf("revoked token: %s", c)
			}
		}
		if got := mustList(t, s, admin, sec.ID); got.Total != 0 || got.Items == nil {
			t.Fatalf("list after revoking: %+v", got)
		}
		want := "auth.login token.create token.create auth.logout token.revoke token.revoke"
		if got := strings.Join(auditActions(t, db, "sec"), " "); got != want {
			t.Fatalf("audit = %s\nwant    %s", got, want)
		}
	})
}

func mustList(t *testing.T, s *auth.Service, p *auth.Principal, account int64) listing.Page[auth.APITokenView] {
	t.Helper()
	out, err := s.APITokens(context.Background(), p, account)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
