package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse is the answer to a successful sign-in.
type LoginResponse struct {
	Token     string           `json:"token"`
	ExpiresAt time.Time        `json:"expires_at"`
	Account   auth.AccountView `json:"account"`
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
		return c.JSON(LoginResponse{Token: res.Token, ExpiresAt: res.ExpiresAt, Account: auth.ViewAccount(res.Account)})
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
		out, err := d.Auth.Account(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func createAPIToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req APITokenRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		tok, err := d.Auth.AddAPIToken(c.UserContext(), principal(c), req.Name)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "name": strings.TrimSpace(req.Name)})
	}
}

func listAccounts(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		accs, err := d.Auth.Accounts(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(listing.Page[auth.AccountView]{Items: accs, Total: int64(len(accs))})
	}
}

func createAccount(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req NewAccountRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		view, err := d.Auth.AddAccount(c.UserContext(), principal(c), auth.NewAccount{
			Username: req.Username, Password: req.Password, Role: req.Role, UnitCode: req.UnitCode,
			Regions: req.Regions, DisplayName: req.DisplayName, Email: req.Email, Position: req.Position,
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(view)
	}
}
