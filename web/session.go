package web

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/formbody"
)

// Cookie names. The session cookie holds the sign-in session's token
// (auth.Service.Login): HttpOnly, SameSite=Lax, Secure over https, and
// expiring with the session; the server enforces the idle and absolute
// timeouts (auth.Service.Authenticate).
const (
	sessionCookie    = "tidtam_session"
	preSessionCookie = "tidtam_pre"
	principalKey     = "tidtam.web.principal"
)

// principal is the signed-in person of a page request (RequireSession).
func principal(c *fiber.Ctx) *auth.Principal {
	p, _ := c.Locals(principalKey).(*auth.Principal)
	return p
}

// secure reports whether cookies of this request must be Secure.
func (w *Pages) secure(c *fiber.Ctx) bool { return w.d.SecureCookies || c.Protocol() == "https" }

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site;
// expires zero makes it last for the browser session.
func (w *Pages) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", Expires: expires,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: w.secure(c)})
}

func (w *Pages) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: w.secure(c)})
}

// RequireSession lets a request through only with a valid session cookie,
// putting its principal in the request; otherwise it sends the browser to
// /login with the page it asked for as next (htmx requests get an
// HX-Redirect, so the whole page changes).
func (w *Pages) RequireSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token != "" {
		p, err := w.d.Auth.Authenticate(c.UserContext(), token)
		if err == nil {
			c.Locals(principalKey, p)
			return c.Next()
		}
		if apperr.CodeOf(err) != apperr.Unauthorized {
			return w.fail(c, err)
		}
		w.clearCookie(c, sessionCookie)
	}
	target := "/login?next=" + url.QueryEscape(string(c.Request().URI().RequestURI()))
	if c.Method() != fiber.MethodGet {
		target = "/login"
	}
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// localPath returns next when it is a path on this site ("/…", not "//…"
// nor "/\…", no scheme or host), else "/". It is what login redirects to,
// so it must never lead to another origin.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return u.RequestURI()
}

// loginPage is the data of the sign-in page.
type loginPage struct {
	Next     string
	Username string
}

// LoginForm shows the sign-in form (GET /login); a signed-in visitor goes
// straight to next.
func (w *Pages) LoginForm(c *fiber.Ctx) error {
	next := localPath(c.Query("next"))
	if token := c.Cookies(sessionCookie); token != "" {
		if _, err := w.d.Auth.Authenticate(c.UserContext(), token); err == nil {
			return c.Redirect(next, fiber.StatusSeeOther)
		}
	}
	return w.render(c, fiber.StatusOK, "login", "sign_in", loginPage{Next: next})
}

// Login signs in (POST /login with username, password, next): on success
// it sets the session cookie and redirects to next (a local path only);
// otherwise the form comes back with the error next to it.
func (w *Pages) Login(c *fiber.Ctx) error {
	form := loginPage{Next: localPath(formbody.Value(c, "next")), Username: strings.TrimSpace(formbody.Value(c, "username"))}
	if len(form.Username) > 64 {
		form.Username = form.Username[:64]
	}
	password := formbody.Value(c, "password")
	l := w.localizer(c)
	errs := map[string]string{}
	switch {
	case form.Username == "":
		errs["username"] = l.T("required")
	case password == "":
		errs["password"] = l.T("required")
	case len(password) > 1024:
		errs["password"] = l.T("err_login")
	}
	if len(errs) > 0 {
		return w.renderForm(c, fiber.StatusUnprocessableEntity, "login", "sign_in", form, errs)
	}
	res, err := w.d.Auth.Login(c.UserContext(), form.Username, password)
	if err != nil {
		e := apperr.As(err)
		switch {
		case e != nil && e.Code == apperr.TooManyRequests:
			mins := max(1, int(math.Ceil(e.RetryAfter.Minutes())))
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(math.Ceil(e.RetryAfter.Seconds())))))
			errs["password"] = l.Tf("err_throttled", mins)
			return w.renderForm(c, fiber.StatusTooManyRequests, "login", "sign_in", form, errs)
		case e != nil && (e.Code == apperr.Unauthorized || e.Code == apperr.Forbidden || e.Code == apperr.Invalid):
			errs["password"] = l.T("err_login")
			return w.renderForm(c, fiber.StatusUnauthorized, "login", "sign_in", form, errs)
		}
		return w.fail(c, err)
	}
	w.setCookie(c, sessionCookie, res.Token, res.ExpiresAt)
	w.clearCookie(c, preSessionCookie)
	return c.Redirect(form.Next, fiber.StatusSeeOther)
}

// Logout ends the session (POST /logout, after RequireSession; audited by
// auth.Service.Logout) and shows the sign-in page.
func (w *Pages) Logout(c *fiber.Ctx) error {
	if err := w.d.Auth.Logout(c.UserContext(), principal(c)); err != nil {
		return w.fail(c, err)
	}
	w.clearCookie(c, sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
