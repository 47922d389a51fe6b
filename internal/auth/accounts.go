package auth

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

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
}

// ViewAccount is the view of an account row (its Regions loaded).
func ViewAccount(a models.Account) AccountView {
	v := AccountView{ID: a.ID, Username: a.Username, Role: a.Role, DisplayName: a.DisplayName,
		Email: a.Email, Position: a.Position, Disabled: a.Disabled}
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
	var a models.Account
	if err := s.DB.WithContext(ctx).Preload("Regions").First(&a, p.AccountID).Error; err != nil {
		return AccountView{}, err
	}
	return ViewAccount(a), nil
}

// Accounts lists every account by username; admin only.
func (s *Service) Accounts(ctx context.Context, p *Principal) ([]AccountView, error) {
	if err := p.Require(models.RoleAdmin); err != nil {
		return nil, err
	}
	var accs []models.Account
	if err := s.DB.WithContext(ctx).Preload("Regions").Order("username").Find(&accs).Error; err != nil {
		return nil, err
	}
	out := make([]AccountView, 0, len(accs))
	for _, a := range accs {
		out = append(out, ViewAccount(a))
	}
	return out, nil
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

// AddAPIToken mints a named API token for the caller's own account, as
// CreateAPIToken does, and records it in the audit trail (the name, never
// the secret). The name is 1–128 characters.
func (s *Service) AddAPIToken(ctx context.Context, p *Principal, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 128 {
		return "", apperr.Field("name", "กรุณาตั้งชื่อโทเคน 1–128 ตัวอักษร (name of 1–128 characters required)")
	}
	tok, err := s.CreateAPIToken(ctx, p.AccountID, name)
	if err != nil {
		return "", err
	}
	return tok, store.RecordAudit(s.DB.WithContext(ctx), models.AuditEvent{
		Actor: p.Username, Action: "token.create", EntityType: "account", EntityID: p.Username,
		After: store.JSONText(map[string]string{"name": name}), RequestID: reqctx.RequestID(ctx),
	})
}
