package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// NewAPIToken is the input of AddAPIToken and CreateAPIToken. Name (1–128
// characters, trimmed) says what the token is for; Scope is ScopeReadOnly
// (the default when empty) or ScopeReadWrite; ExpiresInDays is its lifetime
// in days, 1–365, zero meaning DefaultAPITokenTTL (90 days).
type NewAPIToken struct {
	Name          string
	Scope         string
	ExpiresInDays int
}

// APITokenView is an API token as listed: never its secret, only the
// Prefix it starts with.
type APITokenView struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  time.Time  `json:"expires_at"`
}

// CreatedAPIToken is an API token just minted: its view and Token, the
// secret to send as "Authorization: Bearer <Token>". Only its hash is kept,
// so it is shown now or never.
type CreatedAPIToken struct {
	APITokenView
	Token string `json:"token"`
}

// viewAPIToken is the view of an api_tokens row.
func viewAPIToken(t models.APIToken) APITokenView {
	v := APITokenView{ID: t.ID, AccountID: t.AccountID, Name: t.Name, Prefix: t.Prefix, Scope: t.Scope,
		CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
	if t.ExpiresAt != nil {
		v.ExpiresAt = *t.ExpiresAt
	}
	return v
}

var (
	errTokenFromToken = apperr.New(apperr.Forbidden,
		"โทเค็น API สร้างโทเค็นใหม่ไม่ได้ กรุณาเข้าสู่ระบบแล้วสร้างจากเซสชัน (an API token cannot create API tokens; sign in and create it from a session)")
	errTokensNotAllowed = apperr.New(apperr.Forbidden,
		"บัญชีนี้สร้างโทเค็น API ไม่ได้ ต้องเป็นผู้ดูแลระบบ ฝ่ายเลขานุการ หรือบัญชีที่ผู้ดูแลระบบอนุญาต (only admin and secretariat accounts, and accounts an admin allowed, may create API tokens)").
		WithDetails(map[string]any{"required_roles": []models.Role{models.RoleAdmin, models.RoleSecretariat}})
)

// mayCreateTokens reports whether acc may mint API tokens: admin and
// secretariat accounts always, any other when an admin set
// CanCreateTokens.
func mayCreateTokens(acc models.Account) bool {
	return acc.Role == models.RoleAdmin || acc.Role == models.RoleSecretariat || acc.CanCreateTokens
}

// checkNewAPIToken validates t and returns its trimmed name, its scope and
// its lifetime.
func checkNewAPIToken(t NewAPIToken) (string, string, time.Duration, error) {
	name := strings.TrimSpace(t.Name)
	if name == "" || utf8.RuneCountInString(name) > 128 {
		return "", "", 0, apperr.Field("name",
			"ต้องระบุชื่อโทเค็น ไม่เกิน 128 ตัวอักษร (token name is required, at most 128 characters)")
	}
	scope := t.Scope
	switch scope {
	case "":
		scope = ScopeReadOnly
	case ScopeReadOnly, ScopeReadWrite:
	default:
		return "", "", 0, apperr.Field("scope",
			"ขอบเขตต้องเป็น read_only หรือ read_write (scope must be read_only or read_write)")
	}
	ttl := DefaultAPITokenTTL
	if t.ExpiresInDays != 0 {
		maxDays := int(MaxAPITokenTTL / (24 * time.Hour))
		if t.ExpiresInDays < 1 || t.ExpiresInDays > maxDays {
			return "", "", 0, apperr.Field("expires_in_days",
				"อายุโทเค็นต้องอยู่ระหว่าง 1–%d วัน (token lifetime must be 1–%d days)", maxDays, maxDays)
		}
		ttl = time.Duration(t.ExpiresInDays) * 24 * time.Hour
	}
	return name, scope, ttl, nil
}

// CreateAPIToken mints a kind "api" token for an integration acting as
// accountID, valid from now for t's lifetime with t's scope, and returns it
// with its secret. Validation errors are Invalid naming name, scope or
// expires_in_days; unknown account → NotFound; disabled account →
// Forbidden. Whether the caller may issue tokens for that account is the
// caller's decision (AddAPIToken decides it for the HTTP API).
func (s *Service) CreateAPIToken(ctx context.Context, accountID int64, t NewAPIToken) (CreatedAPIToken, error) {
	return s.createAPIToken(s.DB.WithContext(ctx), accountID, t)
}

func (s *Service) createAPIToken(db *gorm.DB, accountID int64, t NewAPIToken) (CreatedAPIToken, error) {
	name, scope, ttl, err := checkNewAPIToken(t)
	if err != nil {
		return CreatedAPIToken{}, err
	}
	var acc models.Account
	err = db.Where("id = ?", accountID).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return CreatedAPIToken{}, apperr.New(apperr.NotFound, "ไม่พบบัญชีผู้ใช้ (account %d not found)", accountID)
	}
	if err != nil {
		return CreatedAPIToken{}, errInternal(err, "loading account")
	}
	if acc.Disabled {
		return CreatedAPIToken{}, errAccountDisabled
	}
	expires := s.now().Add(ttl)
	row, tok, err := s.issueToken(db, acc.ID, KindAPI, name, scope, &expires)
	if err != nil {
		return CreatedAPIToken{}, err
	}
	return CreatedAPIToken{APITokenView: viewAPIToken(row), Token: tok}, nil
}

// AddAPIToken mints an API token for the caller's own account, as
// CreateAPIToken does, and records it in the audit trail (token.create on
// account/<username>: id, name, prefix, scope, expiry, never the secret).
// Only a signed-in session may mint tokens (an API token gets Forbidden),
// and only for an admin or secretariat account or one an admin allowed
// (models.Account.CanCreateTokens); others get Forbidden. The token is
// independent of the session: it survives logout and lives until it
// expires or is revoked (RevokeAPIToken, or its account being disabled).
func (s *Service) AddAPIToken(ctx context.Context, p *Principal, t NewAPIToken) (CreatedAPIToken, error) {
	if p == nil {
		return CreatedAPIToken{}, errSignInRequired
	}
	if p.ViaAPIToken() {
		return CreatedAPIToken{}, errTokenFromToken
	}
	if err := p.RequireWritable(); err != nil {
		return CreatedAPIToken{}, err
	}
	// Whether the caller may mint tokens at all is decided before its
	// request is validated: a refused caller learns nothing about the rules.
	var out CreatedAPIToken
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var acc models.Account
		if err := tx.Where("id = ?", p.AccountID).Take(&acc).Error; err != nil {
			return err
		}
		if !mayCreateTokens(acc) {
			return errTokensNotAllowed
		}
		var err error
		if out, err = s.createAPIToken(tx, acc.ID, t); err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At: s.now(), Actor: p.Username, Action: "token.create", EntityType: "account", EntityID: p.Username,
			After: store.JSONText(out.APITokenView), RequestID: reqctx.RequestID(ctx),
		})
	})
	if err != nil {
		return CreatedAPIToken{}, asDomainError(err, "creating API token")
	}
	return out, nil
}

// asDomainError returns err when it is nil or an apperr error, otherwise
// an internal error about what.
func asDomainError(err error, what string) error {
	if err == nil || apperr.As(err) != nil {
		return err
	}
	return errInternal(err, what)
}

// APITokens lists the API tokens in force (neither revoked nor expired) of
// accountID, oldest first; accountID 0 means the caller's own. Listing
// another account's tokens is for admins only (Forbidden otherwise). The
// views never carry the secret.
func (s *Service) APITokens(ctx context.Context, p *Principal, accountID int64) (listing.Page[APITokenView], error) {
	out := listing.Page[APITokenView]{Items: []APITokenView{}}
	if p == nil {
		return out, errSignInRequired
	}
	if accountID == 0 {
		accountID = p.AccountID
	}
	if accountID != p.AccountID {
		if err := p.Require(models.RoleAdmin); err != nil {
			return out, err
		}
	}
	var rows []models.APIToken
	if err := s.DB.WithContext(ctx).
		Where("account_id = ? AND kind = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
			accountID, KindAPI, s.now()).
		Order("id").Find(&rows).Error; err != nil {
		return out, errInternal(err, "listing API tokens")
	}
	for _, r := range rows {
		out.Items = append(out.Items, viewAPIToken(r))
	}
	out.Total = int64(len(out.Items))
	return out, nil
}

// RevokeAPIToken revokes the API token id at once (its next request is
// Unauthorized) and records token.revoke in the audit trail. The caller may
// revoke its own tokens, an admin anyone's; an unknown, already revoked or
// someone else's token, and a session's ID, are NotFound.
func (s *Service) RevokeAPIToken(ctx context.Context, p *Principal, id int64) error {
	if p == nil {
		return errSignInRequired
	}
	notFound := apperr.New(apperr.NotFound, "ไม่พบโทเค็น API (API token %d not found)", id)
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row models.APIToken
		err := tx.Where("id = ? AND kind = ? AND revoked_at IS NULL", id, KindAPI).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return notFound
		}
		if err != nil {
			return err
		}
		if row.AccountID != p.AccountID && !p.HasRole(models.RoleAdmin) {
			return notFound
		}
		now := s.now()
		if err := tx.Model(&models.APIToken{}).Where("id = ?", row.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		var owner models.Account
		if err := tx.Select("username").Where("id = ?", row.AccountID).Take(&owner).Error; err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At: now, Actor: p.Username, Action: "token.revoke", EntityType: "account", EntityID: owner.Username,
			Before: store.JSONText(viewAPIToken(row)), RequestID: reqctx.RequestID(ctx),
		})
	})
	return asDomainError(err, "revoking API token")
}

// Logout revokes the token the caller came with (p.TokenID: the session,
// or the API token when one was used) and records auth.logout in the audit
// trail. API tokens minted from the session are not touched: they are
// independent credentials, listed by APITokens and revoked with
// RevokeAPIToken.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil {
		return errSignInRequired
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now()
		if err := tx.Model(&models.APIToken{}).Where("id = ? AND revoked_at IS NULL", p.TokenID).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		kind := p.TokenKind
		if kind == "" {
			kind = KindSession
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At: now, Actor: p.Username, Action: "auth.logout", EntityType: "account", EntityID: p.Username,
			After:     store.JSONText(map[string]any{"token_id": p.TokenID, "kind": kind, "address": reqctx.ClientAddress(ctx)}),
			RequestID: reqctx.RequestID(ctx),
		})
	})
	return asDomainError(err, "signing out")
}

// revokeTokens revokes, through tx, every token in force of accountID of
// the given kinds (all kinds when none given) except the token keep, and
// returns how many it revoked.
func (s *Service) revokeTokens(tx *gorm.DB, accountID, keep int64, kinds ...string) (int64, error) {
	q := tx.Model(&models.APIToken{}).Where("account_id = ? AND revoked_at IS NULL AND id <> ?", accountID, keep)
	if len(kinds) > 0 {
		q = q.Where("kind IN ?", kinds)
	}
	res := q.Update("revoked_at", s.now())
	return res.RowsAffected, res.Error
}
