package auth

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// lastAdminLock is the PostgreSQL advisory lock key that serialises the
// "last enabled admin" check of UpdateAccount.
const lastAdminLock = 0x7469647461_01

// AccountView is an account as callers see it (never the password hash).
type AccountView struct {
	ID          int64       `json:"id"`
	Username    string      `json:"username"`
	Role        models.Role `json:"role"`
	UnitCode    string      `json:"unit_code,omitempty"`
	Regions     []int       `json:"regions,omitempty"`
	DisplayName string      `json:"display_name,omitempty"`
	Email       string      `json:"email,omitempty"`
	Position    string      `json:"position,omitempty"`
	Disabled    bool        `json:"disabled"`
	// CanCreateTokens is the admin's grant to mint API tokens; admin and
	// secretariat accounts may mint them whatever its value.
	CanCreateTokens bool `json:"can_create_tokens"`
}

// ViewAccount is the view of an account row (its Regions loaded).
func ViewAccount(a models.Account) AccountView {
	v := AccountView{ID: a.ID, Username: a.Username, Role: a.Role, DisplayName: a.DisplayName,
		Email: a.Email, Position: a.Position, Disabled: a.Disabled, CanCreateTokens: a.CanCreateTokens}
	if a.UnitCode != nil {
		v.UnitCode = *a.UnitCode
	}
	for _, r := range a.Regions {
		v.Regions = append(v.Regions, r.Region)
	}
	return v
}

// Account returns the signed-in caller's own account.
func (s *Service) Account(ctx context.Context, p *Principal) (AccountView, error) {
	if p == nil {
		return AccountView{}, errSignInRequired
	}
	var a models.Account
	if err := s.DB.WithContext(ctx).Preload("Regions").First(&a, p.AccountID).Error; err != nil {
		return AccountView{}, errInternal(err, "loading account")
	}
	return ViewAccount(a), nil
}

// AccountFilter selects accounts for ListAccounts; zero fields do not
// filter. Query matches a substring of the username or the display name,
// ignoring case; Window pages the result (Limit 0 means no limit).
type AccountFilter struct {
	Role     models.Role
	UnitCode string
	Disabled *bool
	Query    string
	listing.Window
}

// ListAccounts lists the accounts matching f by username, with the total
// number matching; admin only. An unknown Role is Invalid on field role, a
// Query over 100 characters Invalid on field q.
func (s *Service) ListAccounts(ctx context.Context, p *Principal, f AccountFilter) (listing.Page[AccountView], error) {
	out := listing.Page[AccountView]{Items: []AccountView{}}
	if err := p.Require(models.RoleAdmin); err != nil {
		return out, err
	}
	q := s.DB.WithContext(ctx).Model(&models.Account{})
	if f.Role != "" {
		if !ValidRole(f.Role) {
			return out, apperr.Field("role", "ไม่รู้จักบทบาท %q (unknown role %q)", f.Role, f.Role)
		}
		q = q.Where("role = ?", f.Role)
	}
	if code := strings.TrimSpace(f.UnitCode); code != "" {
		q = q.Where("unit_code = ?", code)
	}
	if f.Disabled != nil {
		q = q.Where("disabled = ?", *f.Disabled)
	}
	if term := strings.ToLower(strings.TrimSpace(f.Query)); term != "" {
		if utf8.RuneCountInString(term) > 100 {
			return out, apperr.Field("q", "คำค้นยาวเกิน 100 ตัวอักษร (search term must be at most 100 characters)")
		}
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(term) + "%"
		q = q.Where(`(LOWER(username) LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\')`, like, like)
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, errInternal(err, "counting accounts")
	}
	q = q.Preload("Regions").Order("username").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var accs []models.Account
	if err := q.Find(&accs).Error; err != nil {
		return out, errInternal(err, "listing accounts")
	}
	for _, a := range accs {
		out.Items = append(out.Items, ViewAccount(a))
	}
	return out, nil
}

// GetAccount returns the account id; admin only; an unknown id is
// NotFound.
func (s *Service) GetAccount(ctx context.Context, p *Principal, id int64) (AccountView, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return AccountView{}, err
	}
	var acc models.Account
	err := s.DB.WithContext(ctx).Preload("Regions").Where("id = ?", id).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return AccountView{}, apperr.New(apperr.NotFound, "ไม่พบบัญชีผู้ใช้ (account %d not found)", id)
	}
	if err != nil {
		return AccountView{}, errInternal(err, "loading account")
	}
	return ViewAccount(acc), nil
}

// AddAccount creates an account as CreateAccount does and records it in
// the audit trail; admin only.
func (s *Service) AddAccount(ctx context.Context, p *Principal, a NewAccount) (AccountView, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return AccountView{}, err
	}
	acc, err := s.CreateAccount(ctx, a)
	if err != nil {
		return AccountView{}, err
	}
	view := ViewAccount(acc)
	return view, store.RecordAudit(s.DB.WithContext(ctx), models.AuditEvent{
		Actor: p.Username, Action: "account.create", EntityType: "account", EntityID: acc.Username,
		After: store.JSONText(view), RequestID: reqctx.RequestID(ctx),
	})
}

// AccountUpdate is the input of UpdateAccount: nil fields stay as they
// are. UnitCode "" removes the unit (refused for province and district
// roles); Regions apply to inspectors only. When Role changes and Regions
// is nil, an inspector keeps its regions and any other role loses them.
type AccountUpdate struct {
	Disabled        *bool
	Role            *models.Role
	UnitCode        *string
	Regions         *[]int
	DisplayName     *string
	Email           *string
	Position        *string
	CanCreateTokens *bool
}

// errLastAdmin refuses a change that would leave no enabled admin.
var errLastAdmin = apperr.New(apperr.Conflict,
	"ต้องมีผู้ดูแลระบบที่ใช้งานได้อย่างน้อย 1 บัญชี (at least one enabled admin account must remain)")

// UpdateAccount changes the account id as u says and records
// account.update (before and after) in the audit trail; admin only.
// Unknown id → NotFound; a result that breaks the account rules of
// CreateAccount → Invalid naming the field (role, unit_code, regions,
// display_name, email, position); disabling or demoting the last enabled
// admin → Conflict. Disabling an account revokes all its sessions and API
// tokens in the same transaction, so they stop working at once and do not
// come back when it is enabled again; an account that loses the right to
// mint API tokens (role, CanCreateTokens) loses its API tokens the same
// way. The audit's after state counts the revoked tokens.
func (s *Service) UpdateAccount(ctx context.Context, p *Principal, id int64, u AccountUpdate) (AccountView, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return AccountView{}, err
	}
	var view AccountView
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var acc models.Account
		err := tx.Preload("Regions").Where("id = ?", id).Take(&acc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบบัญชีผู้ใช้ (account %d not found)", id)
		}
		if err != nil {
			return err
		}
		before := ViewAccount(acc)
		next, err := s.applyUpdate(ctx, tx, acc, u)
		if err != nil {
			return err
		}
		if acc.Role == models.RoleAdmin && !acc.Disabled && (next.Role != models.RoleAdmin || next.Disabled) {
			// Two admins demoting each other at once must not both see the
			// other as the remaining admin: on PostgreSQL the check is
			// serialised by a transaction lock; SQLite already runs one
			// writing transaction at a time.
			if store.IsPostgres(tx) {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", lastAdminLock).Error; err != nil {
					return err
				}
			}
			var others int64
			if err := tx.Model(&models.Account{}).Where("role = ? AND disabled = ? AND id <> ?",
				models.RoleAdmin, false, acc.ID).Count(&others).Error; err != nil {
				return err
			}
			if others == 0 {
				return errLastAdmin
			}
		}
		next.UpdatedAt = s.now()
		if err := tx.Model(&models.Account{}).Where("id = ?", acc.ID).Updates(map[string]any{
			"role": next.Role, "unit_code": next.UnitCode, "display_name": next.DisplayName, "email": next.Email,
			"position": next.Position, "disabled": next.Disabled, "can_create_tokens": next.CanCreateTokens,
			"updated_at": next.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		if err := tx.Where("account_id = ?", acc.ID).Delete(&models.AccountRegion{}).Error; err != nil {
			return err
		}
		if len(next.Regions) > 0 {
			if err := tx.Create(&next.Regions).Error; err != nil {
				return err
			}
		}
		var revoked int64
		switch {
		case next.Disabled && !acc.Disabled:
			revoked, err = s.revokeTokens(tx, acc.ID, 0)
		case mayCreateTokens(acc) && !mayCreateTokens(next):
			revoked, err = s.revokeTokens(tx, acc.ID, 0, KindAPI)
		}
		if err != nil {
			return err
		}
		view = ViewAccount(next)
		return store.RecordAudit(tx, models.AuditEvent{
			At: s.now(), Actor: p.Username, Action: "account.update", EntityType: "account", EntityID: acc.Username,
			Before: store.JSONText(before),
			After: store.JSONText(struct {
				AccountView
				RevokedTokens int64 `json:"revoked_tokens,omitempty"`
			}{view, revoked}),
			RequestID: reqctx.RequestID(ctx),
		})
	})
	if err != nil {
		return AccountView{}, asDomainError(err, "updating account")
	}
	return view, nil
}

// applyUpdate returns acc changed by u and validated by the rules of
// CreateAccount, its Regions replaced.
func (s *Service) applyUpdate(ctx context.Context, tx *gorm.DB, acc models.Account, u AccountUpdate) (models.Account, error) {
	next := acc
	next.Regions = nil
	if u.Role != nil {
		if !ValidRole(*u.Role) {
			return next, apperr.Field("role",
				"บทบาทไม่ถูกต้อง ต้องเป็น admin, secretariat, province, district, inspector หรือ observer (role must be one of admin, secretariat, province, district, inspector, observer)")
		}
		next.Role = *u.Role
	}
	code := ""
	if acc.UnitCode != nil {
		code = *acc.UnitCode
	}
	if u.UnitCode != nil {
		code = strings.TrimSpace(*u.UnitCode)
	}
	next.UnitCode = nil
	if err := (&Service{DB: tx}).validateUnit(ctx, &next, code); err != nil {
		return next, err
	}
	var regions []int
	switch {
	case u.Regions != nil:
		regions = *u.Regions
	case next.Role == models.RoleInspector:
		for _, r := range acc.Regions {
			regions = append(regions, r.Region)
		}
	}
	regions, err := validateRegions(next.Role, regions)
	if err != nil {
		return next, err
	}
	for _, r := range regions {
		next.Regions = append(next.Regions, models.AccountRegion{AccountID: acc.ID, Region: r})
	}
	if u.DisplayName != nil {
		next.DisplayName = strings.TrimSpace(*u.DisplayName)
	}
	if u.Email != nil {
		next.Email = strings.TrimSpace(*u.Email)
	}
	if u.Position != nil {
		next.Position = strings.TrimSpace(*u.Position)
	}
	if u.Disabled != nil {
		next.Disabled = *u.Disabled
	}
	if u.CanCreateTokens != nil {
		next.CanCreateTokens = *u.CanCreateTokens
	}
	return next, checkProfile(next)
}

// ResetPassword sets a new password for the account id, revokes all its
// sessions (its API tokens stay: they do not depend on the password),
// clears its failed sign-ins so a throttled account can sign in again, and
// records account.password_reset in the audit trail; admin only. The
// password must meet the policy (Invalid on field new_password); unknown
// id → NotFound.
func (s *Service) ResetPassword(ctx context.Context, p *Principal, id int64, newPassword string) error {
	if err := p.Require(models.RoleAdmin); err != nil {
		return err
	}
	db := s.DB.WithContext(ctx)
	var acc models.Account
	err := db.Where("id = ?", id).Take(&acc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.New(apperr.NotFound, "ไม่พบบัญชีผู้ใช้ (account %d not found)", id)
	}
	if err != nil {
		return errInternal(err, "loading account")
	}
	if err := CheckNewPassword("new_password", acc.Username, newPassword); err != nil {
		return err
	}
	hash, err := HashPassword(newPassword)
	if err != nil {
		return errInternal(err, "hashing password")
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Account{}).Where("id = ?", acc.ID).
			Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		revoked, err := s.revokeTokens(tx, acc.ID, 0, KindSession)
		if err != nil {
			return err
		}
		if err := clearFailures(tx, acc.Username); err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At: s.now(), Actor: p.Username, Action: "account.password_reset", EntityType: "account", EntityID: acc.Username,
			After: store.JSONText(map[string]any{"revoked_sessions": revoked}), RequestID: reqctx.RequestID(ctx),
		})
	})
	return asDomainError(err, "resetting password")
}

// ChangePassword replaces the caller's own password. current must be the
// password in force (a wrong one is Invalid on field current_password and
// counts as a failed sign-in for throttling, so a stolen session cannot
// guess it: over the limit the answer is TooManyRequests); newPassword must
// meet the policy and differ from current (Invalid on field new_password).
// Only a signed-in session may do this (an API token gets Forbidden). On
// success every other session of the account is revoked (the one used
// stays; API tokens stay), the account's failed sign-ins are cleared, and
// account.password_change is audited; a wrong current password is audited
// as account.password_change_failed.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, newPassword string) error {
	if p == nil {
		return errSignInRequired
	}
	if p.ViaAPIToken() {
		return apperr.New(apperr.Forbidden,
			"เปลี่ยนรหัสผ่านด้วยโทเค็น API ไม่ได้ กรุณาเข้าสู่ระบบ (an API token cannot change the password; sign in)")
	}
	if current == "" {
		return apperr.Field("current_password", "กรุณาระบุรหัสผ่านปัจจุบัน (current password is required)")
	}
	if err := CheckNewPassword("new_password", p.Username, newPassword); err != nil {
		return err
	}
	addr := reqctx.ClientAddress(ctx)
	att, err := s.beginAttempt(ctx, p.Username, addr)
	if err != nil {
		return err
	}
	db := s.DB.WithContext(ctx)
	var acc models.Account
	if err := db.Where("id = ?", p.AccountID).Take(&acc).Error; err != nil {
		att.drop(ctx)
		return errInternal(err, "loading account")
	}
	ok, err := VerifyPassword(acc.PasswordHash, current)
	if err != nil {
		att.drop(ctx)
		return errInternal(err, "stored password hash of "+acc.Username)
	}
	if !ok {
		att.keep(ctx)
		if err := store.RecordAudit(db, models.AuditEvent{
			At: s.now(), Actor: p.Username, Action: "account.password_change_failed", EntityType: "account", EntityID: acc.Username,
			After: store.JSONText(map[string]any{"address": addr, "outcome": "wrong_current_password"}), RequestID: reqctx.RequestID(ctx),
		}); err != nil {
			return errInternal(err, "recording password change in the audit trail")
		}
		return apperr.Field("current_password", "รหัสผ่านปัจจุบันไม่ถูกต้อง (current password is wrong)")
	}
	att.drop(ctx)
	if newPassword == current {
		return apperr.Field("new_password", "รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านปัจจุบัน (new password must differ from the current one)")
	}
	hash, err := HashPassword(newPassword)
	if err != nil {
		return errInternal(err, "hashing password")
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Account{}).Where("id = ?", acc.ID).
			Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		revoked, err := s.revokeTokens(tx, acc.ID, p.TokenID, KindSession)
		if err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At: s.now(), Actor: p.Username, Action: "account.password_change", EntityType: "account", EntityID: acc.Username,
			After:     store.JSONText(map[string]any{"address": addr, "revoked_sessions": revoked}),
			RequestID: reqctx.RequestID(ctx),
		})
	})
	if err != nil {
		return asDomainError(err, "changing password")
	}
	att.clearAccount(ctx)
	return nil
}
