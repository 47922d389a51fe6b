package auth_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func ptrTo[T any](v T) *T { return &v }

// TestUpdateAccount: admins change role, unit, regions, profile and the
// token grant under the CreateAccount rules; disabling revokes every
// session and token at once (and enabling does not bring them back);
// losing the token grant revokes the API tokens; the last enabled admin
// cannot be disabled or demoted; all of it is audited.
func TestUpdateAccount(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _, admin := setupWithAdmin(t, db)
		ops := mustCreate(t, s, auth.NewAccount{Username: "ops", Password: "ops-password-1", Role: models.RoleDistrict, UnitCode: "1001"})

		// A non-admin may not.
		opsP, opsSession := signIn(t, s, "ops", "ops-password-1")
		if c, _ := codeAndField(second(s.UpdateAccount(ctx, opsP, ops.ID, auth.AccountUpdate{Disabled: ptrTo(true)}))); c != apperr.Forbidden {
			t.Fatalf("district updates an account: %s", c)
		}
		// Grant tokens, move to a province role: the unit must follow.
		if c, f := codeAndField(second(s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Role: ptrTo(models.RoleProvince)}))); c != apperr.Invalid || f != "unit_code" {
			t.Fatalf("province role with a district unit: %s %s", c, f)
		}
		v, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Role: ptrTo(models.RoleProvince), UnitCode: ptrTo("10"),
			CanCreateTokens: ptrTo(true), DisplayName: ptrTo(" ศอ.ปส.จ. "), Email: ptrTo("ops@example.go.th")})
		if err != nil || v.Role != models.RoleProvince || v.UnitCode != "10" || !v.CanCreateTokens || v.DisplayName != "ศอ.ปส.จ." || v.Email != "ops@example.go.th" {
			t.Fatalf("update = %+v, %v", v, err)
		}
		for _, bad := range []struct {
			u     auth.AccountUpdate
			field string
		}{
			{auth.AccountUpdate{Role: ptrTo(models.Role("root"))}, "role"},
			{auth.AccountUpdate{Role: ptrTo(models.RoleInspector)}, "regions"},
			{auth.AccountUpdate{Role: ptrTo(models.RoleInspector), Regions: &[]int{19}}, "regions"},
			{auth.AccountUpdate{Regions: &[]int{3}}, "regions"},
			{auth.AccountUpdate{UnitCode: ptrTo("")}, "unit_code"},
			{auth.AccountUpdate{Email: ptrTo("not an address")}, "email"},
			{auth.AccountUpdate{Position: ptrTo(strings.Repeat("x", 33))}, "position"},
		} {
			if c, f := codeAndField(second(s.UpdateAccount(ctx, admin, ops.ID, bad.u))); c != apperr.Invalid || f != bad.field {
				t.Errorf("%+v: %s %s, want invalid %s", bad.u, c, f, bad.field)
			}
		}
		if c, _ := codeAndField(second(s.UpdateAccount(ctx, admin, 999999, auth.AccountUpdate{}))); c != apperr.NotFound {
			t.Fatalf("unknown account: %s", c)
		}
		// An inspector keeps its regions when only its profile changes.
		insp, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Role: ptrTo(models.RoleInspector), UnitCode: ptrTo(""), Regions: &[]int{8, 3, 8}})
		if err != nil || len(insp.Regions) != 2 || insp.Regions[0] != 3 || insp.UnitCode != "" {
			t.Fatalf("to inspector: %+v, %v", insp, err)
		}
		if v, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Position: ptrTo("inspector")}); err != nil || len(v.Regions) != 2 {
			t.Fatalf("profile change lost the regions: %+v, %v", v, err)
		}

		// The account mints a token; taking the grant away revokes it.
		opsP, _ = signIn(t, s, "ops", "ops-password-1")
		tok1, err := s.AddAPIToken(ctx, opsP, auth.NewAPIToken{Name: "feed"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{CanCreateTokens: ptrTo(false)}); err != nil {
			t.Fatal(err)
		}
		if c, _ := codeAndField(second(s.Authenticate(ctx, tok1.Token))); c != apperr.Unauthorized {
			t.Fatalf("token after the grant was withdrawn: %s", c)
		}
		if _, err := s.Authenticate(ctx, opsSession); err != nil {
			t.Fatalf("withdrawing the grant ended a session: %v", err)
		}

		// Disabling kills sessions and tokens; enabling does not revive them.
		if _, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{CanCreateTokens: ptrTo(true)}); err != nil {
			t.Fatal(err)
		}
		tok2, err := s.AddAPIToken(ctx, opsP, auth.NewAPIToken{Name: "feed 2"})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Disabled: ptrTo(true)}); err != nil || !v.Disabled {
			t.Fatalf("disable: %+v, %v", v, err)
		}
		var live int64
		db.Model(&models.APIToken{}).Where("account_id = ? AND revoked_at IS NULL", ops.ID).Count(&live)
		if live != 0 {
			t.Fatalf("%d tokens of the disabled account still in force", live)
		}
		if _, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Disabled: ptrTo(false)}); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{opsSession, tok2.Token} {
			if c, _ := codeAndField(second(s.Authenticate(ctx, tok))); c != apperr.Unauthorized {
				t.Fatalf("token of a disabled then enabled account: %s", c)
			}
		}
		var disable models.AuditEvent
		db.Where("action = 'account.update' AND after LIKE ?", `%"disabled":true%`).Take(&disable)
		if !strings.Contains(disable.After, `"revoked_tokens":3`) || disable.Actor != "admin" {
			t.Fatalf("disable audit = %+v", disable)
		}

		// The last enabled admin stays.
		adminAcc := mustAccount(t, db, "admin")
		for _, u := range []auth.AccountUpdate{{Disabled: ptrTo(true)}, {Role: ptrTo(models.RoleObserver)}} {
			if c, _ := codeAndField(second(s.UpdateAccount(ctx, admin, adminAcc.ID, u))); c != apperr.Conflict {
				t.Fatalf("last admin %+v: %s", u, c)
			}
		}
		if _, err := s.UpdateAccount(ctx, admin, ops.ID, auth.AccountUpdate{Role: ptrTo(models.RoleAdmin), Regions: &[]int{}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateAccount(ctx, admin, adminAcc.ID, auth.AccountUpdate{Role: ptrTo(models.RoleObserver)}); err != nil {
			t.Fatalf("demoting one of two admins: %v", err)
		}
	})
}

func mustAccount(t *testing.T, db *gorm.DB, username string) models.Account {
	t.Helper()
	var a models.Account
	if err := db.Where("username = ?", username).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a
}

// TestListAccounts filters by role, unit, state and a search term, pages,
// and is for admins only.
func TestListAccounts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _, admin := setupWithAdmin(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "bkk", Password: "province-pass-1", Role: models.RoleProvince, UnitCode: "10", DisplayName: "ศอ.ปส.จ.กรุงเทพ"})
		mustCreate(t, s, auth.NewAccount{Username: "cmi", Password: "province-pass-2", Role: models.RoleProvince, UnitCode: "50", DisplayName: "Chiang Mai Ops"})
		gone := mustCreate(t, s, auth.NewAccount{Username: "d1001", Password: "district-password", Role: models.RoleDistrict, UnitCode: "1001"})
		if _, err := s.UpdateAccount(ctx, admin, gone.ID, auth.AccountUpdate{Disabled: ptrTo(true)}); err != nil {
			t.Fatal(err)
		}
		names := func(f auth.AccountFilter) (string, int64) {
			t.Helper()
			page, err := s.ListAccounts(ctx, admin, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range page.Items {
				out = append(out, a.Username)
			}
			return strings.Join(out, ","), page.Total
		}
		for _, c := range []struct {
			f     auth.AccountFilter
			want  string
			total int64
		}{
			{auth.AccountFilter{}, "admin,bkk,cmi,d1001", 4},
			{auth.AccountFilter{Role: models.RoleProvince}, "bkk,cmi", 2},
			{auth.AccountFilter{UnitCode: "50"}, "cmi", 1},
			{auth.AccountFilter{Disabled: ptrTo(true)}, "d1001", 1},
			{auth.AccountFilter{Disabled: ptrTo(false), Role: models.RoleDistrict}, "", 0},
			{auth.AccountFilter{Query: "CHIANG"}, "cmi", 1},
			{auth.AccountFilter{Query: "กรุงเทพ"}, "bkk", 1},
			{auth.AccountFilter{Query: "D100"}, "d1001", 1},
			{auth.AccountFilter{Query: "%"}, "", 0},
			{auth.AccountFilter{Window: listing.Window{Limit: 2, Offset: 1}}, "bkk,cmi", 4},
		} {
			if got, total := names(c.f); got != c.want || total != c.total {
				t.Errorf("%+v: %q (%d), want %q (%d)", c.f, got, total, c.want, c.total)
			}
		}
		if c, f := codeAndField(second(s.ListAccounts(ctx, admin, auth.AccountFilter{Role: "root"}))); c != apperr.Invalid || f != "role" {
			t.Errorf("unknown role: %s %s", c, f)
		}
		bkk, _ := signIn(t, s, "bkk", "province-pass-1")
		if c, _ := codeAndField(second(s.ListAccounts(ctx, bkk, auth.AccountFilter{}))); c != apperr.Forbidden {
			t.Errorf("province lists accounts: %s", c)
		}
	})
}

// TestPasswordChangeAndReset: one's own change needs the current password,
// ends one's other sessions only; an admin's reset ends all sessions of
// the account and lifts its throttle; API tokens survive both.
func TestPasswordChangeAndReset(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _, admin := setupWithAdmin(t, db)
		sec := mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		here, hereTok := signIn(t, s, "sec", "secretariat-pw")
		_, elsewhere := signIn(t, s, "sec", "secretariat-pw")
		api, err := s.AddAPIToken(ctx, here, auth.NewAPIToken{Name: "sync", Scope: auth.ScopeReadWrite})
		if err != nil {
			t.Fatal(err)
		}
		apiP, _ := s.Authenticate(ctx, api.Token)

		for _, c := range []struct {
			p            *auth.Principal
			current, new string
			code         apperr.Code
			field        string
		}{
			{here, "", "new-password-123", apperr.Invalid, "current_password"},
			{here, "wrong-password", "new-password-123", apperr.Invalid, "current_password"},
			{here, "secretariat-pw", "short", apperr.Invalid, "new_password"},
			{here, "secretariat-pw", " SEC ", apperr.Invalid, "new_password"},
			{here, "secretariat-pw", "secretariat-pw", apperr.Invalid, "new_password"},
			{apiP, "secretariat-pw", "new-password-123", apperr.Forbidden, ""},
			{nil, "secretariat-pw", "new-password-123", apperr.Unauthorized, ""},
		} {
			if code, field := codeAndField(s.ChangePassword(ctx, c.p, c.current, c.new)); code != c.code || field != c.field {
				t.Errorf("change %q → %q: %s %s, want %s %s", c.current, c.new, code, field, c.code, c.field)
			}
		}
		if err := s.ChangePassword(ctx, here, "secretariat-pw", "new-password-123"); err != nil {
			t.Fatal(err)
		}
		for tok, wantOK := range map[string]bool{hereTok: true, elsewhere: false, api.Token: true} {
			if _, err := s.Authenticate(ctx, tok); (err == nil) != wantOK {
				t.Errorf("after the change, token works = %v, want %v", err == nil, wantOK)
			}
		}
		if c, _ := codeAndField(second(s.Login(ctx, "sec", "secretariat-pw"))); c != apperr.Unauthorized {
			t.Fatalf("old password: %s", c)
		}
		signIn(t, s, "sec", "new-password-123")

		// Lock the account out, then an admin resets the password.
		for range auth.DefaultMaxFailuresPerAccount {
			_, _ = s.Login(ctx, "sec", "wrong-password")
		}
		if c, _ := codeAndField(second(s.Login(ctx, "sec", "new-password-123"))); c != apperr.TooManyRequests {
			t.Fatalf("locked out: %s", c)
		}
		if c, f := codeAndField(s.ResetPassword(ctx, admin, sec.ID, "sec")); c != apperr.Invalid || f != "new_password" {
			t.Fatalf("weak reset: %s %s", c, f)
		}
		if c, _ := codeAndField(s.ResetPassword(ctx, here, sec.ID, "reset-password-1")); c != apperr.Forbidden {
			t.Fatalf("non-admin reset: %s", c)
		}
		if c, _ := codeAndField(s.ResetPassword(ctx, admin, 999999, "reset-password-1")); c != apperr.NotFound {
			t.Fatalf("reset of unknown account: %s", c)
		}
		if err := s.ResetPassword(ctx, admin, sec.ID, "reset-password-1"); err != nil {
			t.Fatal(err)
		}
		if c, _ := codeAndField(second(s.Authenticate(ctx, hereTok))); c != apperr.Unauthorized {
			t.Fatalf("session after reset: %s", c)
		}
		if _, err := s.Authenticate(ctx, api.Token); err != nil {
			t.Fatalf("API token after reset: %v", err)
		}
		signIn(t, s, "sec", "reset-password-1")
		got := strings.Join(auditActions(t, db, "sec"), " ")
		for _, want := range []string{"account.password_change_failed", "account.password_change", "account.password_reset"} {
			if !strings.Contains(got, want+" ") {
				t.Errorf("audit lacks %s: %s", want, got)
			}
		}
	})
}

func TestCheckNewPasswordRefusesUsername(t *testing.T) {
	if c, f := codeAndField(auth.CheckNewPassword("new_password", "somchai.k", "  SomChai.K ")); c != apperr.Invalid || f != "new_password" {
		t.Fatalf("username as password: %s %s", c, f)
	}
	if err := auth.CheckNewPassword("new_password", "somchai.k", "somchai.k-2569!"); err != nil {
		t.Fatalf("password containing the username: %v", err)
	}
	if c, f := codeAndField(auth.CheckPasswordPolicy("12345678901")); c != apperr.Invalid || f != "password" {
		t.Fatalf("11 characters: %s %s", c, f)
	}
}
