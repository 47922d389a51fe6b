package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"
	"github.com/tidtam/tidtam/internal/formbody"
)

// csrfField is the form field (and csrfHeader the header, for htmx) that
// carries the CSRF token.
const (
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

// csrfToken returns the CSRF token of this browser: an HMAC-SHA256, keyed
// by the browser's secret session cookie (or, before sign-in, a random
// pre-session cookie it sets now), of a fixed label. Only a page of this
// site can know it: the key is in an HttpOnly cookie that other origins
// can neither read nor set, and the server stores nothing, so any replica
// verifies it (a signed double-submit token, as OWASP recommends).
func (w *Pages) csrfToken(c *fiber.Ctx) string {
	key := c.Cookies(sessionCookie)
	if key == "" {
		key = c.Cookies(preSessionCookie)
	}
	if key == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		key = hex.EncodeToString(b)
		w.setCookie(c, preSessionCookie, key, timeZero)
		c.Request().Header.SetCookie(preSessionCookie, key)
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("tidtam-csrf-v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// CSRF refuses every unsafe request (POST, PUT, PATCH, DELETE) whose
// token (form field _csrf or header X-CSRF-Token) is not this browser's
// csrfToken, and any with an Origin header naming another site, with a
// 403 page asking to reload. Safe requests pass.
func (w *Pages) CSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != "null" && origin != c.BaseURL() {
		return w.csrfFailed(c)
	}
	if c.Cookies(sessionCookie) == "" && c.Cookies(preSessionCookie) == "" {
		return w.csrfFailed(c)
	}
	given := c.Get(csrfHeader)
	if given == "" {
		given = formbody.Value(c, csrfField)
	}
	if !hmac.Equal([]byte(given), []byte(w.csrfToken(c))) {
		return w.csrfFailed(c)
	}
	return c.Next()
}

func (w *Pages) csrfFailed(c *fiber.Ctx) error {
	return w.errorPage(c, fiber.StatusForbidden, w.localizer(c).T("err_csrf"))
}
