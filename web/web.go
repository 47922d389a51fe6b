// Package web serves tidtam's pages: server-rendered HTML (html/template)
// improved by htmx, from the same Fiber app and binary as the JSON API.
// Handlers bind the form, call the same domain services as the JSON
// handlers (no query is written here) and render a template; every page
// works without JavaScript. Templates and static assets (htmx, the Sarabun
// typeface, app.css, app.js) are embedded, so nothing loads from another
// origin. Routes are registered in api/routes.go with the others.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"time"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/dashboard"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/tips"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the domain services the pages call, the same the JSON API
// uses. Auth, Directives, Notifications, Meetings, Admin and KPI are
// required.
type Deps struct {
	Auth          *auth.Service
	Directives    directives.Service
	Notifications notify.Service
	Meetings      meetings.Service
	Admin         admin.Service
	KPI           kpi.Service
	Dashboard     dashboard.Service
	// Tips is the tip-off domain behind the public /tip pages.
	Tips tips.Service
	// PublicURL is the base of the link a printed tip sign shows; empty
	// means the request's own.
	PublicURL string
	// Live tells live pages (dashboard, matrix, meeting board) of changes
	// over Server-Sent Events.
	Live   *dashboard.Hub
	Logger *slog.Logger
	// SecureCookies marks every cookie Secure (set it when the public URL
	// is https); cookies of a request that arrived over https are Secure
	// anyway.
	SecureCookies bool
	// MaxUploadBytes is the largest evidence file, which the report form
	// checks before uploading where the browser can.
	MaxUploadBytes int64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Pages is the web interface: one method per page or form action, each a
// fiber.Handler. Build it with New.
type Pages struct {
	d     Deps
	views *views
}

// New parses the embedded templates and returns the pages over d. A
// template that does not parse is an error here, never at request time.
func New(d Deps) (*Pages, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	v, err := parseViews()
	if err != nil {
		return nil, err
	}
	return &Pages{d: d, views: v}, nil
}

func (w *Pages) now() time.Time {
	if w.d.Now != nil {
		return w.d.Now()
	}
	return time.Now()
}

// StaticFS is the embedded static assets (app.css, app.js, vendor/,
// fonts/), served under /static/.
func StaticFS() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}
