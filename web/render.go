package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/models"
)

var timeZero time.Time

// unreadCountOnly asks the inbox for its unread count with one item.
var unreadCountOnly = notify.InboxFilter{Unread: true, Window: listing.Window{Limit: 1}}

// pageNames are the templates in templates/, each rendered inside
// layout.html.
var pageNames = []string{"login", "error", "inbox", "assignments", "assignment", "districts", "meetings", "meeting", "inspector", "accounts", "account", "deliveries", "directives", "directive", "meeting_print", "holidays", "targetsets", "audit", "tokens", "units", "issue", "calendar", "kpi", "kpi_scheme", "kpi_province", "attendance", "dashboard", "province", "board", "tip", "tip_form", "tip_receipt", "tip_followup", "tip_poster", "tip_inbox", "tip_officer", "tip_counts"}

// views are the parsed page templates by name.
type views struct{ pages map[string]*template.Template }

func parseViews() (*views, error) {
	v := &views{pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"lower":   strings.ToLower,
		"pathesc": url.PathEscape,
		"list":    func(v ...string) []string { return v },
		"add":     func(a, b int) int { return a + b },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/fanout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// Page is what every template receives: the reader's Localizer, the
// signed-in person (nil on public pages) with their unit's name and unread
// count, the CSRF token for forms, the current path (for the language
// links), the page's title key, errors by field name, a confirmation
// message, and the page's own Data.
type Page struct {
	L        Localizer
	Now      time.Time
	User     *auth.Principal
	UserName string
	UnitName string
	Unread   int64
	CSRF     string
	Path     string
	TitleKey string
	Errors   map[string]string
	Flash    string
	Data     any
}

// Title is the page's title in the reader's language.
func (p Page) Title() string { return p.L.T(p.TitleKey) }

// RoleLabel names the signed-in person's role.
func (p Page) RoleLabel() string {
	if p.User == nil {
		return ""
	}
	return p.L.T("role_" + string(p.User.Role))
}

// IsUnitOfficer reports whether the signed-in person works for a province
// or district centre.
func (p Page) IsUnitOfficer() bool {
	return p.User != nil && p.User.HasRole(models.RoleProvince, models.RoleDistrict)
}

// WorksQueue reports whether the signed-in person works the follow-up
// queue of escalated items (inspectors, the secretariat, admins).
func (p Page) WorksQueue() bool {
	return p.User != nil && p.User.HasRole(models.RoleInspector, models.RoleSecretariat, models.RoleAdmin)
}

// IsNational reports whether the signed-in person is of the secretariat
// or an admin, who keep the reference data and read the audit trail.
func (p Page) IsNational() bool {
	return p.User != nil && p.User.HasRole(models.RoleSecretariat, models.RoleAdmin)
}

// SeesTips reports whether the signed-in person has a tip-off page: the
// officers' inbox (provinces, districts, inspectors, the secretariat) or
// the national counts (admins, observers).
func (p Page) SeesTips() bool { return p.User != nil }

// IsAdmin reports whether the signed-in person is an admin.
func (p Page) IsAdmin() bool { return p.User != nil && p.User.HasRole(models.RoleAdmin) }

// IsProvince reports whether the signed-in person is a province officer.
func (p Page) IsProvince() bool { return p.User != nil && p.User.HasRole(models.RoleProvince) }

// LangLink is the current path with the other language chosen.
func (p Page) LangLink() string {
	other := langEN
	if p.L.EN() {
		other = langTH
	}
	return withQuery(p.Path, "lang", other)
}

// DigitsLink is the current path with the other digits chosen.
func (p Page) DigitsLink() string {
	other := digitsThai
	if p.L.Digits == digitsThai {
		other = digitsArabic
	}
	return withQuery(p.Path, "digits", other)
}

// withQuery sets key=value in the query of the local path p.
func withQuery(p, key, value string) string {
	path, query, _ := strings.Cut(p, "?")
	var kept []string
	for _, kv := range strings.Split(query, "&") {
		if kv != "" && !strings.HasPrefix(kv, key+"=") {
			kept = append(kept, kv)
		}
	}
	kept = append(kept, key+"="+value)
	return path + "?" + strings.Join(kept, "&")
}

// localizer reads the reader's language and digits: ?lang= and ?digits=
// choose and are remembered in cookies for a year; otherwise the cookies;
// otherwise Thai. Digits not chosen follow the language: Thai digits in
// Thai, Arabic digits in English. The public tip pages (TipPublic) are
// never remembered in cookies, nor is the choice in the URL of an htmx
// request that is not a boosted navigation: a live region fetching its
// page's own URL again (which keeps that page's ?lang=) must not undo a
// language the reader has chosen since, in another tab or just now.
func (w *Pages) localizer(c *fiber.Ctx) Localizer {
	l := Localizer{Lang: langTH}
	keep := c.Locals(noCookies) == nil && (c.Get("HX-Request") != "true" || c.Get("HX-Boosted") == "true")
	remember := func(q, cookie string, allowed ...string) string {
		for _, v := range []string{c.Query(q), c.Cookies(cookie)} {
			for _, a := range allowed {
				if v == a {
					if v == c.Query(q) && v != c.Cookies(cookie) && keep {
						w.setCookie(c, cookie, v, w.now().AddDate(1, 0, 0))
					}
					return v
				}
			}
		}
		return ""
	}
	if v := remember("lang", langCookie, langTH, langEN); v != "" {
		l.Lang = v
	}
	l.Digits = digitsThai
	if l.Lang == langEN {
		l.Digits = digitsArabic
	}
	if v := remember("digits", digitsCookie, digitsThai, digitsArabic); v != "" {
		l.Digits = v
	}
	return l
}

// page builds the Page of a request: for a signed-in person it looks up
// their name, unit and unread count (failures there leave them blank: the
// page still renders).
func (w *Pages) page(c *fiber.Ctx, titleKey string, data any) Page {
	p := Page{L: w.localizer(c), Now: w.now(), User: principal(c), CSRF: w.csrfToken(c),
		Path: string(c.Request().URI().RequestURI()), TitleKey: titleKey, Data: data}
	if p.User != nil {
		ctx := c.UserContext()
		p.UserName = p.User.Username
		if acc, err := w.d.Auth.Account(ctx, p.User); err == nil && acc.DisplayName != "" {
			p.UserName = acc.DisplayName
		}
		if p.User.UnitCode != "" {
			if u, err := w.d.Admin.Unit(ctx, p.User, p.User.UnitCode); err == nil {
				p.UnitName = u.DisplayNameTH
				if p.L.EN() && u.NameEN != "" {
					p.UnitName = u.NameEN
				}
			}
		}
		if inbox, err := w.d.Notifications.Inbox(ctx, p.User, unreadCountOnly); err == nil {
			p.Unread = inbox.Unread
		}
	}
	return p
}

// render writes page name with status.
func (w *Pages) render(c *fiber.Ctx, status int, name, titleKey string, data any) error {
	return w.write(c, status, name, w.page(c, titleKey, data))
}

// renderForm is render with errors by field and the form's values in data.
func (w *Pages) renderForm(c *fiber.Ctx, status int, name, titleKey string, data any, errs map[string]string) error {
	p := w.page(c, titleKey, data)
	p.Errors = errs
	return w.write(c, status, name, p)
}

func (w *Pages) write(c *fiber.Ctx, status int, name string, p Page) error {
	t, ok := w.views.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		w.d.Logger.Error("rendering a page failed", "page", name, "error", err)
		return c.Status(fiber.StatusInternalServerError).SendString("ระบบขัดข้อง กรุณาลองใหม่ (internal error)")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", pageCSP)
	return c.Status(status).Send(buf.Bytes())
}

// fragment writes the partial template name alone (no layout), for htmx
// to swap into a page, with the reader's Localizer as .L and data as
// .Data.
func (w *Pages) fragment(c *fiber.Ctx, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := w.views.pages["directive"].ExecuteTemplate(&buf, name, map[string]any{"L": w.localizer(c), "Data": data}); err != nil {
		w.d.Logger.Error("rendering a fragment failed", "fragment", name, "error", err)
		return c.Status(fiber.StatusInternalServerError).SendString("ระบบขัดข้อง กรุณาลองใหม่ (internal error)")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", pageCSP)
	return c.Status(status).Send(buf.Bytes())
}

// pageCSP lets a page load only this site's own scripts, styles, fonts and
// images, and post forms only to this site.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// errorData is the data of the error page.
type errorData struct {
	Status  int
	Message string
	Retry   bool
}

// errorPage renders the calm error page with status and message.
func (w *Pages) errorPage(c *fiber.Ctx, status int, message string) error {
	return w.render(c, status, "error", "err_title", errorData{Status: status, Message: message,
		Retry: status == fiber.StatusServiceUnavailable})
}

// fail answers err as a page: a domain error with its status and message
// (in the reader's language where the page has one), an outage of the
// database or the workflow engine as 503 "please try again", anything else
// as 500 without details (logged). Never a stack trace.
func (w *Pages) fail(c *fiber.Ctx, err error) error {
	l := w.localizer(c)
	if e := apperr.As(err); e != nil {
		switch e.Code {
		case apperr.Unavailable:
			return w.errorPage(c, fiber.StatusServiceUnavailable, l.T("err_unavailable"))
		case apperr.NotFound:
			return w.errorPage(c, fiber.StatusNotFound, l.T("err_not_found"))
		case apperr.Forbidden:
			return w.errorPage(c, fiber.StatusForbidden, l.T("err_forbidden")+" — "+messageIn(l, e.Message))
		}
		if e.Code != apperr.Internal {
			return w.errorPage(c, e.Code.HTTPStatus(), messageIn(l, e.Message))
		}
	}
	// An unreachable database or workflow engine, or anything unforeseen:
	// logged with its details, shown as a calm "try again" (the request
	// either happened or left nothing behind).
	w.d.Logger.Error("page failed", "path", c.Path(), "error", err, "engine_unavailable", engine.IsUnavailable(err))
	return w.errorPage(c, fiber.StatusServiceUnavailable, l.T("err_unavailable"))
}

// messageIn picks the part of a bilingual domain message ("ไทย (English)",
// the convention of every domain error) in the reader's language; a
// message without an English part is returned whole.
func messageIn(l Localizer, msg string) string {
	i := strings.LastIndex(msg, " (")
	if i <= 0 || !strings.HasSuffix(msg, ")") {
		return msg
	}
	if l.EN() {
		return msg[i+2 : len(msg)-1]
	}
	return msg[:i]
}

// fieldErrors turns a domain error naming a field into a map for the
// form; ok is false for any other error.
func fieldErrors(l Localizer, err error, prefix string) (map[string]string, bool) {
	e := apperr.As(err)
	if e == nil || e.Field == "" {
		return nil, false
	}
	return map[string]string{prefix + e.Field: messageIn(l, e.Message)}, true
}

// NotFound answers an unknown path outside /api/ with the HTML 404 page;
// /api/… goes on to the JSON 404.
func (w *Pages) NotFound(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.Next()
	}
	return w.errorPage(c, fiber.StatusNotFound, w.localizer(c).T("err_not_found"))
}
