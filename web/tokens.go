package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/formbody"
)

// tokensPage is the data of the API tokens page.
type tokensPage struct {
	Items   []auth.APITokenView
	Created *auth.CreatedAPIToken
	Form    map[string]string
	Done    string
}

// Tokens lists the reader's API tokens in force (GET /tokens) with the
// form that creates one: a name, a scope and a lifetime (read-only and 90
// days by default). Who may create them is the auth service's rule.
func (w *Pages) Tokens(c *fiber.Ctx) error {
	return w.showTokens(c, fiber.StatusOK, tokensPage{Done: c.Query("done")}, nil)
}

func (w *Pages) showTokens(c *fiber.Ctx, status int, data tokensPage, errs map[string]string) error {
	page, err := w.d.Auth.APITokens(c.UserContext(), principal(c), 0)
	if err != nil {
		return w.fail(c, err)
	}
	data.Items = page.Items
	return w.renderForm(c, status, "tokens", "nav_tokens", data, errs)
}

// CreateToken mints an API token (POST /tokens: name, scope,
// expires_in_days) and shows its secret this once.
func (w *Pages) CreateToken(c *fiber.Ctx) error {
	form := map[string]string{"name": strings.TrimSpace(formbody.Value(c, "name")), "scope": formbody.Value(c, "scope"),
		"expires_in_days": strings.TrimSpace(formbody.Value(c, "expires_in_days"))}
	in := auth.NewAPIToken{Name: form["name"], Scope: form["scope"]}
	if form["expires_in_days"] != "" {
		n, err := strconv.Atoi(form["expires_in_days"])
		if err != nil {
			return w.showTokens(c, fiber.StatusUnprocessableEntity, tokensPage{Form: form},
				map[string]string{"expires_in_days": w.localizer(c).T("token_days_number")})
		}
		in.ExpiresInDays = n
	}
	created, err := w.d.Auth.AddAPIToken(c.UserContext(), principal(c), in)
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.showTokens(c, fiber.StatusUnprocessableEntity, tokensPage{Form: form}, errs)
		}
		return w.fail(c, err)
	}
	return w.showTokens(c, fiber.StatusOK, tokensPage{Created: &created}, nil)
}

// RevokeToken revokes one of the reader's API tokens at once (POST
// /tokens/:id/revoke).
func (w *Pages) RevokeToken(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	if err := w.d.Auth.RevokeAPIToken(c.UserContext(), principal(c), id); err != nil {
		return w.fail(c, err)
	}
	return c.Redirect("/tokens?done=revoked", fiber.StatusSeeOther)
}
