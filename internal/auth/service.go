// Package auth signs people and integrations in and decides what they may
// see: password hashing (argon2id, with bcrypt accepted for imported
// accounts), opaque bearer tokens stored only as SHA-256, account creation
// with role validation, and the unit scope of each role.
package auth

import (
	"context"
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// DefaultSessionTTL is how long a login session lasts when
// Service.SessionTTL is zero: one working day plus slack, so a session
// started in the morning does not expire mid-afternoon.
const DefaultSessionTTL = 12 * time.Hour

// DefaultSessionIdle is how long a sign-in session may go unused before it
// ends, when Service.SessionIdle is zero.
const DefaultSessionIdle = time.Hour

// AdminUsername is the account EnsureAdmin creates.
const AdminUsername = "admin"

// lastUsedGranularity is how stale api_tokens.last_used_at may get. Writing
// it on every request would turn each read into a write.
const lastUsedGranularity = time.Minute

// Service authenticates accounts and manages accounts and tokens. DB is
// required; SessionTTL zero means DefaultSessionTTL; Now nil means
// time.Now; Throttle's zero fields take their defaults (LoginThrottle). A
// Service is safe for concurrent use.
type Service struct {
	DB         *gorm.DB
	SessionTTL time.Duration
	// SessionIdle ends a sign-in session unused for this long (checked to
	// the minute, as last use is recorded once a minute); zero means
	// DefaultSessionIdle. API tokens have no idle limit.
	SessionIdle time.Duration
	Now         func() time.Time
	Throttle    LoginThrottle
}

// LoginResult is a successful login: the bearer token to send as
// "Authorization: Bearer <Token>", when it expires, and the account with its
// Regions loaded and PasswordHash cleared.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	Account   models.Account
}

// NewAccount is the input of CreateAccount. Username is trimmed and
// lowercased before validation; UnitCode is required for province and
// district roles; Regions only for inspectors; CanCreateTokens lets an
// account of another role than admin and secretariat mint API tokens.
// It is also the body of POST /accounts.
type NewAccount struct {
	Username        string      `json:"username"`
	Password        string      `json:"password"`
	Role            models.Role `json:"role"`
	UnitCode        string      `json:"unit_code"`
	Regions         []int       `json:"regions"`
	DisplayName     string      `json:"display_name"`
	Email           string      `json:"email"`
	Position        string      `json:"position"`
	CanCreateTokens bool        `json:"can_create_tokens"`
}

var (
	errBadCredentials = apperr.New(apperr.Unauthorized,
		"ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (invalid username or password)")
	errSessionInvalid = apperr.New(apperr.Unauthorized,
		"เซสชันหมดอายุหรือไม่ถูกต้อง กรุณาเข้าสู่ระบบใหม่ (session expired or invalid; please sign in again)")
	errSignInRequired = apperr.New(apperr.Unauthorized,
		"กรุณาเข้าสู่ระบบ (please sign in)")
	errAccountDisabled = apperr.New(apperr.Forbidden,
		"บัญชีนี้ถูกระงับการใช้งาน (this account is disabled)")
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9._-]{3,64}$`)

// dummyHash is verified against when the username is unknown so that
// "no such user" takes as long as "wrong password" and cannot be told apart
// by timing. It is computed on first use with the current parameters.
var dummyHash = sync.OnceValues(func() (string, error) {
	return HashPassword("tidtam-dummy-password-for-timing")
})

func (s *Service) now() time.Time {
	// UTC so stored times read back identically whether the column is
	// PostgreSQL timestamp, timestamptz or SQLite text.
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

func (s *Service) sessionIdle() time.Duration {
	if s.SessionIdle > 0 {
		return s.SessionIdle
	}
	return DefaultSessionIdle
}

func normalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

func errInternal(err error, what string) error {
	return apperr.Wrap(apperr.Internal, err, "เกิดข้อผิดพลาดภายในระบบ (internal error: %s)", what)
}

// Login checks username and password and starts a session. Unknown user and
// wrong password give the same Unauthorized error in about the same time; a
// disabled account gives Forbidden, but only after the password was right,
// so the error does not reveal account state to a guesser. A bcrypt or
// outdated argon2id hash is replaced by a current one on success.
//
// Attempts are throttled (LoginThrottle): once the username, or the client
// address ctx carries (reqctx.ClientAddress), has too many failures within
// the window, Login answers TooManyRequests with RetryAfter set, without
// checking the password. A success clears the username's failures. Every
// attempt is audited on entity account/<username>: auth.login (actor the
// account), auth.login_failed and auth.login_throttled (actor "anonymous"),
// with the client address and, on success, the session's token ID.
func (s *Service) Login(ctx context.Context, username, password string) (LoginResult, error) {
	name := clip(normalizeUsername(username), 64)
	addr := reqctx.ClientAddress(ctx)
	att, err := s.beginAttempt(ctx, name, addr)
	if err != nil {
		if apperr.CodeOf(err) == apperr.TooManyRequests {
			if aerr := s.auditLogin(ctx, "auth.login_throttled", anonymousActor, name, addr, "throttled", 0); aerr != nil {
				return LoginResult{}, aerr
			}
		}
		return LoginResult{}, err
	}
	res, err := s.login(ctx, name, password, addr)
	switch {
	case err == nil:
		att.clearAccount(ctx)
		return res, nil
	case errors.Is(err, errBadCredentials):
		att.keep(ctx)
		if aerr := s.auditLogin(ctx, "auth.login_failed", anonymousActor, name, addr, "bad_credentials", 0); aerr != nil {
			return LoginResult{}, aerr
		}
	case errors.Is(err, errAccountDisabled):
		// The password was right: not a guess, so it does not count.
		att.drop(ctx)
		if aerr := s.auditLogin(ctx, "auth.login_failed", anonymousActor, name, addr, "account_disabled", 0); aerr != nil {
			return LoginResult{}, aerr
		}
	default:
		att.drop(ctx)
	}
	return LoginResult{}, err
}

// anonymousActor is the audit actor of sign-in attempts that did not
// prove who they are.
const anonymousActor = "anonymous"

// login is Login after throttling: it checks the credentials and, on
// success, stores the session together with its audit row.
func (s *Service) login(ctx context.Context, name, password, addr string) (LoginResult, error) {
	db := s.DB.WithContext(ctx)
	var acc models.Account
	err := db.Preload("Regions").Where("username = ?", name).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if h, herr := dummyHash(); herr == nil {
			_, _ = VerifyPassword(h, password)
		}
		return LoginResult{}, errBadCredentials
	}
	if err != nil {
		return LoginResult{}, errInternal(err, "loading account")
	}
	ok, err := VerifyPassword(acc.PasswordHash, password)
	if err != nil {
		return LoginResult{}, errInternal(err, "stored password hash of "+acc.Username)
	}
	if !ok {
		return LoginResult{}, errBadCredentials
	}
	if acc.Disabled {
		return LoginResult{}, errAccountDisabled
	}
	if NeedsRehash(acc.PasswordHash) {
		h, err := HashPassword(password)
		if err != nil {
			return LoginResult{}, errInternal(err, "rehashing password")
		}
		if err := db.Model(&models.Account{}).Where("id = ?", acc.ID).
			Update("password_hash", h).Error; err != nil {
			return LoginResult{}, errInternal(err, "rehashing password")
		}
	}
	expires := s.now().Add(s.sessionTTL())
	var token string
	err = db.Transaction(func(tx *gorm.DB) error {
		row, tok, err := s.issueToken(tx, acc.ID, KindSession, "login", ScopeReadWrite, &expires)
		if err != nil {
			return err
		}
		token = tok
		return s.auditLogin(ctx, "auth.login", acc.Username, acc.Username, addr, "ok", row.ID, tx)
	})
	if err != nil {
		if apperr.As(err) != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, errInternal(err, "starting session")
	}
	acc.PasswordHash = ""
	return LoginResult{Token: token, ExpiresAt: expires, Account: acc}, nil
}

// auditLogin records one sign-in attempt on entity account/name, through
// tx[0] when given. sessionID is the session's token row on success.
func (s *Service) auditLogin(ctx context.Context, action, actor, name, addr, outcome string, sessionID int64, tx ...*gorm.DB) error {
	db := s.DB.WithContext(ctx)
	if len(tx) > 0 {
		db = tx[0]
	}
	after := map[string]any{"address": addr, "outcome": outcome}
	if sessionID != 0 {
		after["session_id"] = sessionID
	}
	if name == "" {
		name = "-"
	}
	err := store.RecordAudit(db, models.AuditEvent{
		At: s.now(), Actor: clip(actor, 64), Action: action, EntityType: "account", EntityID: clip(name, 191),
		After: store.JSONText(after), RequestID: reqctx.RequestID(ctx),
	})
	if err != nil {
		return errInternal(err, "recording sign-in in the audit trail")
	}
	return nil
}

// clip returns s cut to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// issueToken stores, through db, the hash of a fresh token of kind and
// scope and returns its row and the token.
func (s *Service) issueToken(db *gorm.DB, accountID int64, kind, name, scope string, expires *time.Time) (models.APIToken, string, error) {
	token, err := newToken()
	if err != nil {
		return models.APIToken{}, "", errInternal(err, "generating token")
	}
	row := models.APIToken{
		AccountID: accountID,
		Name:      name,
		Kind:      kind,
		TokenHash: HashToken(token),
		Prefix:    displayPrefix(token),
		Scope:     scope,
		ExpiresAt: expires,
		CreatedAt: s.now(),
	}
	if err := db.Create(&row).Error; err != nil {
		return models.APIToken{}, "", errInternal(err, "storing token")
	}
	return row, token, nil
}

// Authenticate resolves a bearer token (the part after "Bearer ") to its
// principal, with the token's ID, kind and scope (Principal.TokenID,
// TokenKind, ReadOnly). Unknown, expired and revoked tokens, and tokens of
// disabled or deleted accounts, all give the same Unauthorized error asking
// the user to sign in again. It records last_used_at at most once a minute
// per token.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Principal, error) {
	if bearer == "" {
		return nil, errSignInRequired
	}
	if !strings.HasPrefix(bearer, TokenPrefix) {
		return nil, errSessionInvalid
	}
	db := s.DB.WithContext(ctx)
	now := s.now()
	// One round trip for token and account: this runs before every request.
	var row struct {
		TokenID    int64
		Kind       string
		Scope      string
		ExpiresAt  *time.Time
		LastUsedAt *time.Time
		CreatedAt  time.Time
		RevokedAt  *time.Time
		AccountID  int64
		Username   string
		Role       models.Role
		UnitCode   *string
		Disabled   bool
	}
	res := db.Table("api_tokens AS t").
		Select("t.id AS token_id, t.kind, t.scope, t.expires_at, t.last_used_at, t.created_at, t.revoked_at, a.id AS account_id, a.username, a.role, a.unit_code, a.disabled").
		Joins("JOIN accounts a ON a.id = t.account_id").
		Where("t.token_hash = ?", HashToken(bearer)).Limit(1).Scan(&row)
	if res.Error != nil {
		return nil, errInternal(res.Error, "loading token")
	}
	if res.RowsAffected == 0 {
		return nil, errSessionInvalid
	}
	tok := models.APIToken{ID: row.TokenID, ExpiresAt: row.ExpiresAt, LastUsedAt: row.LastUsedAt, RevokedAt: row.RevokedAt}
	acc := models.Account{ID: row.AccountID, Username: row.Username, Role: row.Role, UnitCode: row.UnitCode, Disabled: row.Disabled}
	if tok.RevokedAt != nil || (tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt)) {
		return nil, errSessionInvalid
	}
	if acc.Disabled {
		return nil, errSessionInvalid
	}
	if row.Kind == KindSession {
		last := row.CreatedAt
		if tok.LastUsedAt != nil {
			last = *tok.LastUsedAt
		}
		if now.Sub(last) > s.sessionIdle()+lastUsedGranularity {
			return nil, errSessionInvalid
		}
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= lastUsedGranularity {
		if err := db.Model(&models.APIToken{}).Where("id = ?", tok.ID).
			Update("last_used_at", now).Error; err != nil {
			return nil, errInternal(err, "recording token use")
		}
	}
	p := &Principal{AccountID: acc.ID, Username: acc.Username, Role: acc.Role,
		TokenID: row.TokenID, TokenKind: row.Kind, ReadOnly: row.Kind == KindAPI && row.Scope == ScopeReadOnly}
	if acc.UnitCode != nil {
		p.UnitCode = *acc.UnitCode
	}
	if acc.Role == models.RoleInspector {
		if err := db.Model(&models.AccountRegion{}).Where("account_id = ?", acc.ID).
			Order("region").Pluck("region", &p.Regions).Error; err != nil {
			return nil, errInternal(err, "loading inspection regions")
		}
	}
	return p, nil
}

// RevokeToken makes token, given by its secret, unusable from now on,
// without an audit row: Logout and RevokeAPIToken are the audited paths the
// API uses. It is idempotent: an unknown, expired or already revoked token
// is not an error.
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	err := s.DB.WithContext(ctx).Model(&models.APIToken{}).
		Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).
		Update("revoked_at", s.now()).Error
	if err != nil {
		return errInternal(err, "revoking token")
	}
	return nil
}

// CreateAccount validates a and stores it with its password hashed.
// Validation errors are apperr Invalid naming the field (username,
// password, role, unit_code, regions, display_name, email, position); an
// existing username gives Conflict. Province accounts need a province unit,
// district accounts a district unit, inspectors at least one region 0–18;
// regions are refused for other roles. The returned account has its
// Regions loaded and PasswordHash cleared.
func (s *Service) CreateAccount(ctx context.Context, a NewAccount) (models.Account, error) {
	db := s.DB.WithContext(ctx)
	acc, err := s.validateNewAccount(ctx, a)
	if err != nil {
		return models.Account{}, err
	}
	// Hash outside the transaction: it is the slow part and needs no lock.
	if acc.PasswordHash, err = HashPassword(a.Password); err != nil {
		return models.Account{}, errInternal(err, "hashing password")
	}
	regions := acc.Regions
	acc.Regions = nil // inserted explicitly below; region 0 is a real value
	err = db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Account{}).Where("username = ?", acc.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errUsernameTaken(acc.Username)
		}
		if err := tx.Create(&acc).Error; err != nil {
			return err
		}
		for i := range regions {
			regions[i].AccountID = acc.ID
		}
		if len(regions) > 0 {
			return tx.Create(&regions).Error
		}
		return nil
	})
	if err != nil {
		if apperr.As(err) != nil {
			return models.Account{}, err
		}
		// A concurrent insert of the same username passes the check above
		// and fails on the unique index. Drivers word that differently, so
		// look at the outcome instead of the message.
		var n int64
		if cerr := db.Model(&models.Account{}).Where("username = ?", acc.Username).Count(&n).Error; cerr == nil && n > 0 {
			return models.Account{}, errUsernameTaken(acc.Username)
		}
		return models.Account{}, errInternal(err, "creating account")
	}
	acc.Regions = regions
	acc.PasswordHash = ""
	return acc, nil
}

func errUsernameTaken(username string) error {
	return apperr.New(apperr.Conflict, "ชื่อผู้ใช้ %q มีอยู่แล้ว (username %q is already taken)", username, username)
}

// validateNewAccount checks a and returns the account to insert, without
// its password hash.
func (s *Service) validateNewAccount(ctx context.Context, a NewAccount) (models.Account, error) {
	acc := models.Account{
		Username:    normalizeUsername(a.Username),
		Role:        a.Role,
		DisplayName: strings.TrimSpace(a.DisplayName),
		Email:       strings.TrimSpace(a.Email),
		Position:    strings.TrimSpace(a.Position),
	}
	if !usernamePattern.MatchString(acc.Username) {
		return acc, apperr.Field("username",
			"ชื่อผู้ใช้ต้องยาว 3–64 ตัว ประกอบด้วย a-z 0-9 . _ - เท่านั้น (username must be 3–64 characters of a-z, 0-9, '.', '_', '-')")
	}
	if err := CheckNewPassword("password", acc.Username, a.Password); err != nil {
		return acc, err
	}
	if !ValidRole(a.Role) {
		return acc, apperr.Field("role",
			"บทบาทไม่ถูกต้อง ต้องเป็น admin, secretariat, province, district, inspector หรือ observer (role must be one of admin, secretariat, province, district, inspector, observer)")
	}
	if err := s.validateUnit(ctx, &acc, strings.TrimSpace(a.UnitCode)); err != nil {
		return acc, err
	}
	regions, err := validateRegions(a.Role, a.Regions)
	if err != nil {
		return acc, err
	}
	for _, r := range regions {
		acc.Regions = append(acc.Regions, models.AccountRegion{Region: r})
	}
	acc.CanCreateTokens = a.CanCreateTokens
	return acc, checkProfile(acc)
}

// checkProfile checks the display name, e-mail address and position of
// acc, already trimmed.
func checkProfile(acc models.Account) error {
	if utf8.RuneCountInString(acc.DisplayName) > 255 {
		return apperr.Field("display_name", "ชื่อที่แสดงยาวเกิน 255 ตัวอักษร (display name must be at most 255 characters)")
	}
	if acc.Email != "" {
		if addr, err := mail.ParseAddress(acc.Email); err != nil || addr.Address != acc.Email || len(acc.Email) > 255 {
			return apperr.Field("email", "อีเมลไม่ถูกต้อง (invalid email address)")
		}
	}
	if utf8.RuneCountInString(acc.Position) > 32 {
		return apperr.Field("position", "ตำแหน่งยาวเกิน 32 ตัวอักษร (position must be at most 32 characters)")
	}
	return nil
}

// validateUnit checks the unit rules of acc.Role and sets acc.UnitCode.
func (s *Service) validateUnit(ctx context.Context, acc *models.Account, code string) error {
	var want models.UnitType
	switch acc.Role {
	case models.RoleProvince:
		want = models.UnitProvince
	case models.RoleDistrict:
		want = models.UnitDistrict
	}
	if code == "" {
		if want != "" {
			return apperr.Field("unit_code",
				"บทบาท %s ต้องระบุหน่วยงานระดับ %s (role %s requires a %s unit)", acc.Role, want, acc.Role, want)
		}
		return nil
	}
	var unit models.Unit
	err := s.DB.WithContext(ctx).Where("code = ?", code).Take(&unit).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.Field("unit_code", "ไม่พบหน่วยงานรหัส %q (unknown unit code %q)", code, code)
	}
	if err != nil {
		return errInternal(err, "loading unit")
	}
	if want != "" && unit.Type != want {
		return apperr.Field("unit_code",
			"บทบาท %s ต้องสังกัดหน่วยงานระดับ %s แต่ %q เป็นระดับ %s (role %s requires a %s unit, %q is %s)",
			acc.Role, want, code, unit.Type, acc.Role, want, code, unit.Type)
	}
	acc.UnitCode = &unit.Code
	return nil
}

// validateRegions checks the inspection regions for role and returns them
// sorted without duplicates.
func validateRegions(role models.Role, regions []int) ([]int, error) {
	if role != models.RoleInspector {
		if len(regions) > 0 {
			return nil, apperr.Field("regions",
				"กำหนดเขตตรวจราชการได้เฉพาะบทบาท inspector (regions apply only to inspector accounts)")
		}
		return nil, nil
	}
	if len(regions) == 0 {
		return nil, apperr.Field("regions",
			"ผู้ตรวจราชการต้องมีเขตตรวจราชการอย่างน้อย 1 เขต (an inspector needs at least one inspection region)")
	}
	for _, r := range regions {
		if r < 0 || r > 18 {
			return nil, apperr.Field("regions",
				"เขตตรวจราชการ %d ไม่ถูกต้อง ต้องอยู่ระหว่าง 0–18 (inspection region %d must be 0–18)", r, r)
		}
	}
	out := slices.Clone(regions)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// EnsureAdmin creates the "admin" account (role admin, unit ONCB when that
// unit exists) if no account of that name exists, with password, or with a
// generated 16-character password when password is empty. generated is that
// password, non-empty only when one was generated, for the caller to show
// once. If "admin" exists nothing changes: a password is never reset
// silently. A given password must meet the password policy.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (generated string, created bool, err error) {
	db := s.DB.WithContext(ctx)
	var n int64
	if err := db.Model(&models.Account{}).Where("username = ?", AdminUsername).Count(&n).Error; err != nil {
		return "", false, errInternal(err, "looking up admin")
	}
	if n > 0 {
		return "", false, nil
	}
	if password == "" {
		if generated, err = generatePassword(16); err != nil {
			return "", false, errInternal(err, "generating password")
		}
		password = generated
	}
	var unitCode string
	var units int64
	if err := db.Model(&models.Unit{}).Where("code = ?", models.NationalUnitCode).Count(&units).Error; err != nil {
		return "", false, errInternal(err, "looking up national unit")
	}
	if units > 0 {
		unitCode = models.NationalUnitCode
	}
	_, err = s.CreateAccount(ctx, NewAccount{
		Username:    AdminUsername,
		Password:    password,
		Role:        models.RoleAdmin,
		UnitCode:    unitCode,
		DisplayName: "ผู้ดูแลระบบ (Administrator)",
	})
	if apperr.CodeOf(err) == apperr.Conflict {
		// Another process created it between our check and insert.
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return generated, true, nil
}
