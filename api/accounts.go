package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
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

// AccountPatchRequest is the body of PATCH /accounts/{id}: absent (or
// null) fields stay as they are.
type AccountPatchRequest struct {
	Disabled        *bool        `json:"disabled"`
	Role            *models.Role `json:"role"`
	UnitCode        *string      `json:"unit_code"`
	Regions         *[]int       `json:"regions"`
	DisplayName     *string      `json:"display_name"`
	Email           *string      `json:"email"`
	Position        *string      `json:"position"`
	CanCreateTokens *bool        `json:"can_create_tokens"`
}

// PasswordResetRequest is the body of POST /accounts/{id}/password.
type PasswordResetRequest struct {
	NewPassword string `json:"new_password"`
}

// PasswordChangeRequest is the body of POST /auth/password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// APITokenRequest is the body of POST /auth/tokens: scope read_only
// (default) or read_write, lifetime 1–365 days (default 90).
type APITokenRequest struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	ExpiresInDays int    `json:"expires_in_days"`
}

// secretFieldsKey names the Locals entry in which a handler lists the
// top-level JSON fields of its answer that are secrets (a new API token):
// the idempotency store keeps the answer without them, so a replay never
// returns a secret.
const secretFieldsKey = "tidtam.secretFields"

// readOnlyGuard answers 403 to a read-only API token on any request other
// than GET and HEAD (auth.Principal.RequireWritable), before the handler
// runs and before an Idempotency-Key is claimed.
func readOnlyGuard(c *fiber.Ctx) error {
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		if err := principal(c).RequireWritable(); err != nil {
			return err
		}
	}
	return c.Next()
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
		if err := d.Auth.Logout(c.UserContext(), principal(c)); err != nil {
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

// changePassword answers POST /auth/password (204).
func changePassword(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req PasswordChangeRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if err := d.Auth.ChangePassword(c.UserContext(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// createAPIToken answers POST /auth/tokens (201 with the secret, once).
func createAPIToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req APITokenRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		tok, err := d.Auth.AddAPIToken(c.UserContext(), principal(c),
			auth.NewAPIToken{Name: req.Name, Scope: req.Scope, ExpiresInDays: req.ExpiresInDays})
		if err != nil {
			return err
		}
		c.Locals(secretFieldsKey, []string{"token"})
		return c.Status(fiber.StatusCreated).JSON(tok)
	}
}

// listAPITokens answers GET /auth/tokens[?account_id=].
func listAPITokens(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, _, err := queryInt(c, "account_id", 1, 1<<62)
		if err != nil {
			return err
		}
		out, err := d.Auth.APITokens(c.UserContext(), principal(c), int64(id))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// revokeAPIToken answers DELETE /auth/tokens/{id} (204). An ID that is not
// a number is passed as 0, which no token has.
func revokeAPIToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := c.ParamsInt("id")
		if err != nil {
			id = 0
		}
		if err := d.Auth.RevokeAPIToken(c.UserContext(), principal(c), int64(id)); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// listAccounts answers GET /accounts?role=&unit=&disabled=&q=&limit=&offset=.
func listAccounts(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := window(c)
		if err != nil {
			return err
		}
		f := auth.AccountFilter{Role: models.Role(c.Query("role")), UnitCode: c.Query("unit"), Query: c.Query("q"), Window: w}
		if v, ok, err := queryBool(c, "disabled"); err != nil {
			return err
		} else if ok {
			f.Disabled = &v
		}
		out, err := d.Auth.ListAccounts(c.UserContext(), principal(c), f)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func createAccount(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req auth.NewAccount
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		view, err := d.Auth.AddAccount(c.UserContext(), principal(c), req)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(view)
	}
}

// updateAccount answers PATCH /accounts/{id} with the changed account.
func updateAccount(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := c.ParamsInt("id")
		if err != nil {
			id = 0
		}
		var req AccountPatchRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		view, err := d.Auth.UpdateAccount(c.UserContext(), principal(c), int64(id), auth.AccountUpdate{
			Disabled: req.Disabled, Role: req.Role, UnitCode: req.UnitCode, Regions: req.Regions,
			DisplayName: req.DisplayName, Email: req.Email, Position: req.Position, CanCreateTokens: req.CanCreateTokens,
		})
		if err != nil {
			return err
		}
		return c.JSON(view)
	}
}

// resetAccountPassword answers POST /accounts/{id}/password (204).
func resetAccountPassword(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := c.ParamsInt("id")
		if err != nil {
			id = 0
		}
		var req PasswordResetRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if err := d.Auth.ResetPassword(c.UserContext(), principal(c), int64(id), req.NewPassword); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
