package auth_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// clock is a settable time source for Service.Now.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }
func ptr[T any](v T) *T                  { return &v }
func codeAndField(err error) (apperr.Code, string) {
	if e := apperr.As(err); e != nil {
		return e.Code, e.Field
	}
	return apperr.CodeOf(err), ""
}

// setup seeds the national unit and provinces, adds the district tree the
// tests use, and returns a Service on a controllable clock.
func setup(t *testing.T, db *gorm.DB) (*auth.Service, *clock) {
	t.Helper()
	ctx := context.Background()
	if err := store.SeedBase(ctx, db); err != nil {
		t.Fatalf("SeedBase: %v", err)
	}
	for _, u := range []models.Unit{
		{Code: "1001", Type: models.UnitDistrict, NameTH: "พระนคร", NameEN: "Phra Nakhon", ParentCode: ptr("10")},
		{Code: "1002", Type: models.UnitDistrict, NameTH: "ดุสิต", NameEN: "Dusit", ParentCode: ptr("10")},
		// Two levels below a district, to prove scope works at any depth.
		{Code: "1001-01", Type: models.UnitOther, NameTH: "ตำบลพระบรมมหาราชวัง", NameEN: "Phra Borom Maha Ratchawang", ParentCode: ptr("1001")},
		{Code: "1001-01-1", Type: models.UnitOther, NameTH: "ชุมชนทดสอบ", NameEN: "Test community", ParentCode: ptr("1001-01")},
		{Code: "1401", Type: models.UnitDistrict, NameTH: "พระนครศรีอยุธยา", NameEN: "Phra Nakhon Si Ayutthaya", ParentCode: ptr("14")},
		{Code: "5001", Type: models.UnitDistrict, NameTH: "เมืองเชียงใหม่", NameEN: "Mueang Chiang Mai", ParentCode: ptr("50")},
		{Code: "5002", Type: models.UnitDistrict, NameTH: "จอมทอง", NameEN: "Chom Thong", ParentCode: ptr("50")},
		// A non-province child of the national unit: only all-seeing roles see it.
		{Code: "MOI", Type: models.UnitMinistry, NameTH: "กระทรวงมหาดไทย", NameEN: "Ministry of Interior", ParentCode: ptr(models.NationalUnitCode)},
	} {
		if err := db.Create(&u).Error; err != nil {
			t.Fatalf("create unit %s: %v", u.Code, err)
		}
	}
	c := newClock()
	// Idle timeout beyond the session's life: tests of other rules may
	// leave a session unused for hours; TestSessionIdleTimeout sets its own.
	return &auth.Service{DB: db, SessionTTL: 8 * time.Hour, SessionIdle: 24 * time.Hour, Now: c.Now}, c
}

func mustCreate(t *testing.T, s *auth.Service, a auth.NewAccount) models.Account {
	t.Helper()
	acc, err := s.CreateAccount(context.Background(), a)
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", a.Username, err)
	}
	return acc
}

func TestLoginAuthenticateRoundTrip(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		created := mustCreate(t, s, auth.NewAccount{
			Username: "  Somchai.K ", Password: "รหัสผ่านยาวพอแล้ว", Role: models.RoleProvince,
			UnitCode: "10", DisplayName: "สมชาย", Email: "somchai@example.go.th", Position: "palad",
		})
		if created.Username != "somchai.k" || created.PasswordHash != "" || created.UnitCode == nil || *created.UnitCode != "10" {
			t.Fatalf("created account = %+v", created)
		}

		res, err := s.Login(ctx, "SOMCHAI.K", "รหัสผ่านยาวพอแล้ว")
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		if !strings.HasPrefix(res.Token, auth.TokenPrefix) || !res.ExpiresAt.Equal(clk.Now().Add(8*time.Hour)) {
			t.Fatalf("LoginResult token=%q expires=%v", res.Token, res.ExpiresAt)
		}
		if res.Account.ID != created.ID || res.Account.PasswordHash != "" {
			t.Fatalf("LoginResult.Account = %+v", res.Account)
		}

		// Only the hash is stored.
		var tok models.APIToken
		if err := db.Where("account_id = ?", created.ID).Take(&tok).Error; err != nil {
			t.Fatal(err)
		}
		if tok.TokenHash != auth.HashToken(res.Token) || tok.Kind != auth.KindSession || tok.ExpiresAt == nil || tok.LastUsedAt != nil {
			t.Fatalf("stored token = %+v", tok)
		}
		var raw int64
		db.Model(&models.APIToken{}).Where("token_hash = ?", res.Token).Count(&raw)
		if raw != 0 {
			t.Fatal("the plain token is stored")
		}

		p, err := s.Authenticate(ctx, res.Token)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		want := auth.Principal{AccountID: created.ID, Username: "somchai.k", Role: models.RoleProvince, UnitCode: "10"}
		if p.AccountID != want.AccountID || p.Username != want.Username || p.Role != want.Role || p.UnitCode != want.UnitCode || len(p.Regions) != 0 {
			t.Fatalf("principal = %+v, want %+v", *p, want)
		}

		// last_used_at is written on first use, then at most once a minute.
		lastUsed := func() time.Time {
			t.Helper()
			var row models.APIToken
			if err := db.Where("id = ?", tok.ID).Take(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.LastUsedAt == nil {
				t.Fatal("last_used_at not set")
			}
			return *row.LastUsedAt
		}
		first := lastUsed()
		if !first.Equal(clk.Now()) {
			t.Fatalf("last_used_at = %v, want %v", first, clk.Now())
		}
		clk.Advance(30 * time.Second)
		if _, err := s.Authenticate(ctx, res.Token); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(first) {
			t.Fatalf("last_used_at rewritten within a minute: %v", got)
		}
		clk.Advance(31 * time.Second)
		if _, err := s.Authenticate(ctx, res.Token); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(clk.Now()) {
			t.Fatalf("last_used_at = %v after a minute, want %v", got, clk.Now())
		}
	})
}

func TestLoginRejectsBadCredentials(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "obs", Password: "observer-password", Role: models.RoleObserver})

		_, wrongPw := s.Login(ctx, "obs", "observer-passwore")
		_, noUser := s.Login(ctx, "nobody", "observer-password")
		_, empty := s.Login(ctx, "obs", "")
		for name, err := range map[string]error{"wrong password": wrongPw, "unknown user": noUser, "empty password": empty} {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Unauthorized {
				t.Fatalf("%s: got %v, want Unauthorized", name, err)
			}
			if e.Message != "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (invalid username or password)" {
				t.Errorf("%s: message %q", name, e.Message)
			}
		}
		if apperr.As(wrongPw).Error() != apperr.As(noUser).Error() {
			t.Error("unknown user and wrong password are distinguishable")
		}
		var n int64
		db.Model(&models.APIToken{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d tokens issued for failed logins", n)
		}
	})
}

func TestSessionExpires(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		res, err := s.Login(ctx, "sec", "secretariat-pw")
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(8*time.Hour - time.Second)
		if _, err := s.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("one second before expiry: %v", err)
		}
		clk.Advance(time.Second)
		_, err = s.Authenticate(ctx, res.Token)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Unauthorized || !strings.Contains(e.Message, "เข้าสู่ระบบใหม่") || !strings.Contains(e.Message, "sign in again") {
			t.Fatalf("at expiry: got %v, want Unauthorized asking to sign in again", err)
		}
	})
}

// TestSessionIdleTimeout: a sign-in session used within the idle limit
// lives on (each use restarts the count); one left unused for longer ends.
func TestSessionIdleTimeout(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		s.SessionIdle = 30 * time.Minute
		mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		res, err := s.Login(ctx, "sec", "secretariat-pw")
		if err != nil {
			t.Fatal(err)
		}
		for range 4 { // two hours of use, 29 minutes apart
			clk.Advance(29 * time.Minute)
			if _, err := s.Authenticate(ctx, res.Token); err != nil {
				t.Fatalf("used within the idle limit: %v", err)
			}
		}
		clk.Advance(32 * time.Minute)
		if _, err := s.Authenticate(ctx, res.Token); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("after 32 idle minutes: %v, want Unauthorized", err)
		}
	})
}

func TestRevokeToken(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, clk := setup(t, db)
		acc := mustCreate(t, s, auth.NewAccount{Username: "sec", Password: "secretariat-pw", Role: models.RoleSecretariat})
		session, err := s.Login(ctx, "sec", "secretariat-pw")
		if err != nil {
			t.Fatal(err)
		}
		created, err := s.CreateAPIToken(ctx, acc.ID, auth.NewAPIToken{Name: "รายงานประจำวัน (daily report)", ExpiresInDays: 365})
		if err != nil {
			t.Fatal(err)
		}
		apiTok := created.Token

		if err := s.RevokeToken(ctx, session.Token); err != nil {
			t.Fatal(err)
		}
		if c, _ := codeAndField(second(s.Authenticate(ctx, session.Token))); c != apperr.Unauthorized {
			t.Fatalf("revoked session: code %s, want unauthorized", c)
		}
		// Revoking one token leaves the others alone; revoking twice is fine.
		if err := s.RevokeToken(ctx, session.Token); err != nil {
			t.Fatalf("second revoke: %v", err)
		}
		if err := s.RevokeToken(ctx, "tdt_never-issued"); err != nil {
			t.Fatalf("revoking unknown token: %v", err)
		}

		// API tokens outlive sessions, up to their expiry.
		var row models.APIToken
		if err := db.Where("token_hash = ?", auth.HashToken(apiTok)).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if row.Kind != auth.KindAPI || row.ExpiresAt == nil || !row.ExpiresAt.Equal(clk.Now().Add(365*24*time.Hour)) ||
			row.Name != "รายงานประจำวัน (daily report)" || row.Scope != auth.ScopeReadOnly || row.Prefix != apiTok[:12] {
			t.Fatalf("api token row = %+v", row)
		}
		clk.Advance(364 * 24 * time.Hour)
		if p, err := s.Authenticate(ctx, apiTok); err != nil || p.AccountID != acc.ID || !p.ReadOnly || !p.ViaAPIToken() {
			t.Fatalf("api token after 364 days: %+v, %v", p, err)
		}
		if err := s.RevokeToken(ctx, apiTok); err != nil {
			t.Fatal(err)
		}
		if c, _ := codeAndField(second(s.Authenticate(ctx, apiTok))); c != apperr.Unauthorized {
			t.Fatalf("revoked api token: code %s", c)
		}

		for _, bad := range []string{"", "tdt_", "Bearer " + apiTok, "not-a-token"} {
			if c, _ := codeAndField(second(s.Authenticate(ctx, bad))); c != apperr.Unauthorized {
				t.Errorf("Authenticate(%q): code %s", bad, c)
			}
		}
		if c, f := codeAndField(second(s.CreateAPIToken(ctx, acc.ID, auth.NewAPIToken{Name: "  "}))); c != apperr.Invalid || f != "name" {
			t.Errorf("empty token name: %s %s", c, f)
		}
		if c, _ := codeAndField(second(s.CreateAPIToken(ctx, 999999, auth.NewAPIToken{Name: "x"}))); c != apperr.NotFound {
			t.Errorf("token for unknown account: %s", c)
		}
	})
}

func second[A, B any](_ A, b B) B { return b }

func TestDisabledAccount(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)
		acc := mustCreate(t, s, auth.NewAccount{Username: "d1001", Password: "district-password", Role: models.RoleDistrict, UnitCode: "1001"})
		res, err := s.Login(ctx, "d1001", "district-password")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.Account{}).Where("id = ?", acc.ID).Update("disabled", true).Error; err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, res.Token)
		if e := apperr.As(err); e == nil || e.Code != apperr.Unauthorized || !strings.Contains(e.Message, "sign in again") {
			t.Fatalf("existing session of disabled account: %v", err)
		}
		if c, _ := codeAndField(second(s.Login(ctx, "d1001", "district-password"))); c != apperr.Forbidden {
			t.Fatalf("login to disabled account: code %s, want forbidden", c)
		}
		// Without the password, a disabled account looks like any failure.
		if c, _ := codeAndField(second(s.Login(ctx, "d1001", "wrong-password"))); c != apperr.Unauthorized {
			t.Fatalf("wrong password on disabled account: code %s, want unauthorized", c)
		}
		if c, _ := codeAndField(second(s.CreateAPIToken(ctx, acc.ID, auth.NewAPIToken{Name: "x"}))); c != apperr.Forbidden {
			t.Fatalf("api token for disabled account: code %s", c)
		}
	})
}

func TestLoginUpgradesBcryptHash(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)
		h, err := bcrypt.GenerateFromPassword([]byte("imported-password"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		acc := models.Account{Username: "legacy", PasswordHash: string(h), Role: models.RoleObserver}
		if err := db.Create(&acc).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, "legacy", "imported-password"); err != nil {
			t.Fatalf("bcrypt login: %v", err)
		}
		var got models.Account
		db.Where("id = ?", acc.ID).Take(&got)
		if !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
			t.Fatalf("hash not upgraded: %q", got.PasswordHash)
		}
		if _, err := s.Login(ctx, "legacy", "imported-password"); err != nil {
			t.Fatalf("login after upgrade: %v", err)
		}
	})
}

func TestEnsureAdmin(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)

		generated, created, err := s.EnsureAdmin(ctx, "")
		if err != nil || !created || len(generated) != 16 {
			t.Fatalf("EnsureAdmin(\"\") = %q, %v, %v", generated, created, err)
		}
		res, err := s.Login(ctx, "admin", generated)
		if err != nil {
			t.Fatalf("login with generated password: %v", err)
		}
		if res.Account.Role != models.RoleAdmin || res.Account.UnitCode == nil || *res.Account.UnitCode != models.NationalUnitCode {
			t.Fatalf("admin account = %+v", res.Account)
		}

		// Idempotent, and never resets the password.
		again, created, err := s.EnsureAdmin(ctx, "a-new-admin-password")
		if err != nil || created || again != "" {
			t.Fatalf("second EnsureAdmin = %q, %v, %v", again, created, err)
		}
		if _, err := s.Login(ctx, "admin", generated); err != nil {
			t.Fatalf("original password stopped working: %v", err)
		}
		if _, err := s.Login(ctx, "admin", "a-new-admin-password"); err == nil {
			t.Fatal("EnsureAdmin reset the password")
		}
		var n int64
		db.Model(&models.Account{}).Where("username = ?", "admin").Count(&n)
		if n != 1 {
			t.Fatalf("%d admin accounts", n)
		}
	})
}

func TestEnsureAdminGivenPassword(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		// No SeedBase: without the ONCB unit the admin has no unit.
		s := &auth.Service{DB: db}
		if c, f := codeAndField(third(s.EnsureAdmin(ctx, "short"))); c != apperr.Invalid || f != "password" {
			t.Fatalf("short password: %s %s", c, f)
		}
		generated, created, err := s.EnsureAdmin(ctx, "given-admin-password")
		if err != nil || !created || generated != "" {
			t.Fatalf("EnsureAdmin(given) = %q, %v, %v", generated, created, err)
		}
		res, err := s.Login(ctx, "admin", "given-admin-password")
		if err != nil {
			t.Fatalf("login with given password: %v", err)
		}
		if res.Account.UnitCode != nil {
			t.Fatalf("admin unit = %q without a national unit", *res.Account.UnitCode)
		}
	})
}

func third[A, B, C any](_ A, _ B, c C) C { return c }

func TestCreateAccountValidation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)
		ok := auth.NewAccount{Username: "valid.user", Password: "long-enough-pw", Role: models.RoleObserver}
		with := func(f func(*auth.NewAccount)) auth.NewAccount { a := ok; f(&a); return a }

		for _, tc := range []struct {
			name  string
			in    auth.NewAccount
			field string
		}{
			{"username too short", with(func(a *auth.NewAccount) { a.Username = "ab" }), "username"},
			{"username too long", with(func(a *auth.NewAccount) { a.Username = strings.Repeat("a", 65) }), "username"},
			{"username with space", with(func(a *auth.NewAccount) { a.Username = "som chai" }), "username"},
			{"username with Thai", with(func(a *auth.NewAccount) { a.Username = "สมชาย" }), "username"},
			{"short password", with(func(a *auth.NewAccount) { a.Password = "123456789" }), "password"},
			{"unknown role", with(func(a *auth.NewAccount) { a.Role = "root" }), "role"},
			{"empty role", with(func(a *auth.NewAccount) { a.Role = "" }), "role"},
			{"province without unit", with(func(a *auth.NewAccount) { a.Role = models.RoleProvince }), "unit_code"},
			{"province on district unit", with(func(a *auth.NewAccount) { a.Role = models.RoleProvince; a.UnitCode = "1001" }), "unit_code"},
			{"district without unit", with(func(a *auth.NewAccount) { a.Role = models.RoleDistrict }), "unit_code"},
			{"district on province unit", with(func(a *auth.NewAccount) { a.Role = models.RoleDistrict; a.UnitCode = "10" }), "unit_code"},
			{"district on sub-district unit", with(func(a *auth.NewAccount) { a.Role = models.RoleDistrict; a.UnitCode = "1001-01" }), "unit_code"},
			{"unknown unit", with(func(a *auth.NewAccount) { a.UnitCode = "XX" }), "unit_code"},
			{"inspector without regions", with(func(a *auth.NewAccount) { a.Role = models.RoleInspector }), "regions"},
			{"inspector region 19", with(func(a *auth.NewAccount) { a.Role = models.RoleInspector; a.Regions = []int{1, 19} }), "regions"},
			{"inspector region -1", with(func(a *auth.NewAccount) { a.Role = models.RoleInspector; a.Regions = []int{-1} }), "regions"},
			{"regions on non-inspector", with(func(a *auth.NewAccount) { a.Regions = []int{1} }), "regions"},
			{"bad email", with(func(a *auth.NewAccount) { a.Email = "not an email" }), "email"},
			{"long position", with(func(a *auth.NewAccount) { a.Position = strings.Repeat("ก", 33) }), "position"},
		} {
			_, err := s.CreateAccount(ctx, tc.in)
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != tc.field {
				t.Errorf("%s: got %v, want Invalid on %q", tc.name, err, tc.field)
			} else if !strings.Contains(e.Message, "(") {
				t.Errorf("%s: message %q lacks the English part", tc.name, e.Message)
			}
		}
		var n int64
		db.Model(&models.Account{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d accounts stored by invalid requests", n)
		}

		// Valid variants of each role.
		for _, a := range []auth.NewAccount{
			ok,
			{Username: "a_d-min.1", Password: "long-enough-pw", Role: models.RoleAdmin, UnitCode: "ONCB"},
			{Username: "p50", Password: "long-enough-pw", Role: models.RoleProvince, UnitCode: "50"},
			{Username: "d5001", Password: "long-enough-pw", Role: models.RoleDistrict, UnitCode: "5001"},
		} {
			mustCreate(t, s, a)
		}
		insp := mustCreate(t, s, auth.NewAccount{Username: "insp", Password: "long-enough-pw", Role: models.RoleInspector, Regions: []int{2, 0, 2}})
		if got := regionsOf(insp); !slices.Equal(got, []int{0, 2}) {
			t.Fatalf("inspector regions = %v, want [0 2]", got)
		}
		var stored []models.AccountRegion
		db.Where("account_id = ?", insp.ID).Order("region").Find(&stored)
		if got := regionsOf(models.Account{Regions: stored}); !slices.Equal(got, []int{0, 2}) {
			t.Fatalf("stored inspector regions = %v, want [0 2]", got)
		}

		for _, dup := range []string{"valid.user", "VALID.USER"} {
			if c, _ := codeAndField(second(s.CreateAccount(ctx, with(func(a *auth.NewAccount) { a.Username = dup })))); c != apperr.Conflict {
				t.Errorf("duplicate %q: code %s, want conflict", dup, c)
			}
		}
	})
}

func regionsOf(a models.Account) []int {
	var out []int
	for _, r := range a.Regions {
		out = append(out, r.Region)
	}
	return out
}

func TestAuthenticateLoadsInspectorRegions(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := setup(t, db)
		mustCreate(t, s, auth.NewAccount{Username: "insp", Password: "inspector-pw", Role: models.RoleInspector, Regions: []int{15, 0}})
		res, err := s.Login(ctx, "insp", "inspector-pw")
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Authenticate(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		if p.Role != models.RoleInspector || !slices.Equal(p.Regions, []int{0, 15}) {
			t.Fatalf("principal = %+v, want inspector with regions [0 15]", *p)
		}
	})
}

func TestCreateAccountConcurrentDuplicate(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _ := setup(t, db)
		const n = 4
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := s.CreateAccount(context.Background(), auth.NewAccount{Username: "same", Password: "long-enough-pw", Role: models.RoleObserver})
				errs <- err
			}()
		}
		var ok, conflict int
		for range n {
			switch err := <-errs; apperr.CodeOf(err) {
			case apperr.Conflict:
				conflict++
			default:
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				} else {
					ok++
				}
			}
		}
		if ok != 1 || conflict != n-1 {
			t.Fatalf("%d created, %d conflicts; want 1 and %d", ok, conflict, n-1)
		}
	})
}
