package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// AccountView is an account as the API shows it (never the hash).
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

// LoginResponse is the answer to a successful sign-in.
type LoginResponse struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Account   AccountView `json:"account"`
}

// NewAccountRequest is the body of POST /accounts.
type NewAccountRequest struct {
	Username    string      `json:"username"`
	Password    string      `json:"password"`
	Role        models.Role `json:"role"`
	UnitCode    string      `json:"unit_code"`
	Regions     []int       `json:"regions"`
	DisplayName string      `json:"display_name"`
	Email       string      `json:"email"`
	Position    string      `json:"position"`
}

// APITokenRequest is the body of POST /auth/tokens.
type APITokenRequest struct {
	Name string `json:"name"`
}

func viewAccount(a models.Account) AccountView {
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

func login(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req LoginRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if req.Username == "" {
			return apperr.Field("username", "กรุณาระบุชื่อผู้ใช้ (username is required)")
		}
		if req.Password == "" {
			return apperr.Field("password", "กรุณาระบุรหัสผ่าน (password is required)")
		}
		res, err := d.Auth.Login(c.UserContext(), req.Username, req.Password)
		if err != nil {
			return err
		}
		return c.JSON(LoginResponse{Token: res.Token, ExpiresAt: res.ExpiresAt, Account: viewAccount(res.Account)})
	}
}

func logout(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token := c.Get(fiber.HeaderAuthorization)[len("Bearer "):]
		if err := d.Auth.RevokeToken(c.UserContext(), token); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func me(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var a models.Account
		if err := d.DB.WithContext(c.UserContext()).Preload("Regions").First(&a, principal(c).AccountID).Error; err != nil {
			return err
		}
		return c.JSON(viewAccount(a))
	}
}

func createAPIToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		var req APITokenRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if req.Name == "" || len(req.Name) > 128 {
			return apperr.Field("name", "กรุณาตั้งชื่อโทเคน 1–128 ตัวอักษร (name of 1–128 characters required)")
		}
		tok, err := d.Auth.CreateAPIToken(c.UserContext(), p.AccountID, req.Name)
		if err != nil {
			return err
		}
		if err := store.RecordAudit(d.DB.WithContext(c.UserContext()), models.AuditEvent{
			Actor: p.Username, Action: "token.create", EntityType: "account", EntityID: p.Username,
			After: `{"name":` + jsonString(req.Name) + `}`, RequestID: requestID(c),
		}); err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "name": req.Name})
	}
}

func listAccounts(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := principal(c).Require(models.RoleAdmin); err != nil {
			return err
		}
		var accs []models.Account
		if err := d.DB.WithContext(c.UserContext()).Preload("Regions").Order("username").Find(&accs).Error; err != nil {
			return err
		}
		out := page[AccountView]{Items: make([]AccountView, 0, len(accs)), Total: int64(len(accs))}
		for _, a := range accs {
			out.Items = append(out.Items, viewAccount(a))
		}
		return c.JSON(out)
	}
}

func createAccount(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleAdmin); err != nil {
			return err
		}
		var req NewAccountRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		acc, err := d.Auth.CreateAccount(c.UserContext(), auth.NewAccount{
			Username: req.Username, Password: req.Password, Role: req.Role, UnitCode: req.UnitCode,
			Regions: req.Regions, DisplayName: req.DisplayName, Email: req.Email, Position: req.Position,
		})
		if err != nil {
			return err
		}
		view := viewAccount(acc)
		if err := store.RecordAudit(d.DB.WithContext(c.UserContext()), models.AuditEvent{
			Actor: p.Username, Action: "account.create", EntityType: "account", EntityID: acc.Username,
			After: mustJSON(view), RequestID: requestID(c),
		}); err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(view)
	}
}
