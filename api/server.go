// Package api is tidtam's HTTP interface: JSON under /api/v1, health and
// metrics endpoints, and the OpenAPI document. Handlers take their
// dependencies explicitly from Deps, pass c.UserContext() down to the
// database, and return domain errors (internal/apperr) that ErrorHandler
// maps to HTTP status codes in one place.
package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/dashboard"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/telemetry"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/web"
)

// Deps are everything the handlers use. DB, Auth and Logger are required;
// Temporal may be nil only in tests that do not touch workflows (readyz then
// reports Temporal as unavailable).
type Deps struct {
	DB       *gorm.DB
	Temporal client.Client
	Auth     *auth.Service
	Logger   *slog.Logger
	Metrics  *telemetry.Metrics
	// TaskQueue is where workflows started by the API run.
	TaskQueue string
	// DataDir holds uploaded evidence files.
	DataDir string
	// MaxUploadBytes limits one evidence file.
	MaxUploadBytes int64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Meetings is the meetings domain; nil means meetings.NewService on
	// DB, Temporal, TaskQueue and Now.
	Meetings meetings.Service
	// Dashboard is the dashboard domain (national picture, provinces);
	// nil means dashboard.NewService on DB and Now.
	Dashboard dashboard.Service
	// Live tells live pages of changes; nil means a Hub that runs until
	// the app shuts down.
	Live *dashboard.Hub
	// Notifications is the notifications domain (inbox, deliveries,
	// webhooks); nil means notify.NewService on DB, Webhooks and Now.
	Notifications notify.Service
	// Webhooks is the address policy a webhook URL must pass to be
	// registered (notify.WebhookPolicy); nil means the strict default:
	// public https hosts only.
	Webhooks *notify.WebhookPolicy
	// Directives is the directive domain (directives, assignments,
	// reports, escalations, attachments); nil means directives.NewService
	// on DB, Temporal, TaskQueue, DataDir, MaxUploadBytes, Logger and Now.
	Directives directives.Service
	// Admin is the administration domain (units, holidays, target sets,
	// audit); nil means admin.NewService on DB and Now.
	Admin admin.Service
	// KPI is the KPI scorecard domain; nil means kpi.NewService on DB,
	// DataDir, MaxUploadBytes, Now and Logger.
	KPI kpi.Service
	// Tips is the tip-off domain (informant's side); nil means
	// tips.NewService on DB, TipKey and Now.
	Tips tips.Service
	// PublicURL is the base of links printed in QR codes (TIDTAM_PUBLIC_URL);
	// empty means the request's own base URL.
	PublicURL string
	// TipKey seals tips at rest; nil means the key in DataDir (generated
	// there when absent, tips.LoadKey), or without DataDir a random key
	// held in memory (tests).
	TipKey *tips.Key
	// SecureCookies marks the web pages' cookies Secure whatever the
	// request's scheme (set when the public URL is https, behind a proxy
	// that ends TLS).
	SecureCookies bool
	// TrustedProxies are the reverse proxies (addresses or CIDR prefixes)
	// whose X-Forwarded-For header is believed when finding the client's
	// address (clientAddress), which sign-in throttling and the audit
	// trail use; empty means the connection's own address.
	TrustedProxies []netip.Prefix
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// New returns the Fiber application with every route registered.
func New(d *Deps) *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "tidtam",
		ErrorHandler:          errorHandler(d.Logger),
		DisableStartupMessage: true,
		// Thai dates and names arrive percent-encoded in paths.
		UnescapePath: true,
		// Bodies are streamed: fasthttp reads at most a body's first 8 KiB
		// before the handler (a body over BodyLimit is streamed too, not
		// refused). formbody.Middleware reads a multipart body (a report
		// with its evidence files) once with its files on disk, reads any
		// other body whole up to formbody.InMemoryLimit and refuses a
		// larger one with 413. What a handler leaves unread, fasthttp
		// (v1.75 and later) discards before the next request.
		BodyLimit:                    formbody.InMemoryLimit,
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  60 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
	})
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Use(requestid.New(requestid.Config{Generator: uuid.NewString}))
	app.Use(securityHeaders())
	app.Use(accessLog(d.Logger, d.Metrics))
	// A report may carry 10 evidence files of MaxUploadBytes each. An
	// informant's files (the public tip forms) are kept in memory, never in
	// a temporary file: they are stored only encrypted.
	app.Use(formbody.Middleware(formbody.Config{MaxBytes: 10*max(d.MaxUploadBytes, 1<<20) + 1<<20, KeepInMemory: tipForm}))
	// The domain services record the request ID from the context.
	app.Use(func(c *fiber.Ctx) error {
		ctx := reqctx.WithRequestID(c.UserContext(), requestID(c))
		c.SetUserContext(reqctx.WithClientAddress(ctx, clientAddress(c, d.TrustedProxies)))
		return c.Next()
	})
	if d.Meetings == nil {
		d.Meetings = meetings.NewService(meetings.Deps{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.TaskQueue, Now: d.now, Logger: d.Logger})
	}
	if d.Admin == nil {
		d.Admin = admin.NewService(admin.Deps{DB: d.DB, Now: d.Now})
	}
	if d.Directives == nil {
		d.Directives = directives.NewService(directives.Deps{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.TaskQueue,
			DataDir: d.DataDir, MaxUploadBytes: d.MaxUploadBytes, Logger: d.Logger, Now: d.Now})
	}
	if d.Notifications == nil {
		d.Notifications = notify.NewService(notify.Deps{DB: d.DB, Webhooks: d.Webhooks, Now: d.now})
	}
	if d.Dashboard == nil {
		d.Dashboard = dashboard.NewService(dashboard.Deps{DB: d.DB, Now: d.Now})
	}
	if d.Live == nil {
		d.Live = &dashboard.Hub{Logger: d.Logger}
		ctx, stop := context.WithCancel(context.Background())
		go d.Live.Run(ctx)
		app.Hooks().OnShutdown(func() error { stop(); return nil })
	}
	if d.KPI == nil {
		d.KPI = kpi.NewService(kpi.Deps{DB: d.DB, DataDir: d.DataDir, MaxUploadBytes: d.MaxUploadBytes, Now: d.Now, Logger: d.Logger})
	}

	if d.Tips == nil {
		key := d.TipKey
		if key == nil && d.DataDir == "" {
			// Tests without a data folder: a key for this process only.
			var k tips.Key
			_, _ = rand.Read(k[:])
			key = &k
		}
		if key == nil {
			k, _, err := tips.LoadKey("", d.DataDir)
			if err != nil {
				panic(fmt.Sprintf("api: tip key: %v", err)) // cmd/tidtam loads it first and reports
			}
			key = &k
		}
		d.Tips = tips.NewService(tips.Deps{DB: d.DB, Key: *key, Now: d.Now, Logger: d.Logger, Temporal: d.Temporal, TaskQueue: d.TaskQueue})
	}

	pages, err := web.New(web.Deps{Auth: d.Auth, Directives: d.Directives, Notifications: d.Notifications,
		Meetings: d.Meetings, Admin: d.Admin, KPI: d.KPI, Dashboard: d.Dashboard, Tips: d.Tips, PublicURL: d.PublicURL, Live: d.Live, Logger: d.Logger, SecureCookies: d.SecureCookies,
		MaxUploadBytes: d.MaxUploadBytes, Now: d.Now})
	if err != nil {
		panic(err) // the templates are embedded: a build defect, caught by every test
	}
	registerRoutes(app, d)
	registerWebRoutes(app, pages)
	return app
}

// securityHeaders sets the headers every answer carries (Fiber's helmet):
// no MIME sniffing, no framing, no referrer beyond the origin, and a
// Content-Security-Policy that lets nothing load: JSON and file downloads
// need nothing; web pages will set their own, equally strict one.
func securityHeaders() fiber.Handler {
	return helmet.New(helmet.Config{
		ContentTypeNosniff:        "nosniff",
		XFrameOptions:             "DENY",
		ReferrerPolicy:            "strict-origin-when-cross-origin",
		ContentSecurityPolicy:     "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
		CrossOriginResourcePolicy: "same-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=()",
	})
}

// healthz answers 200 while the process runs; readiness is /readyz.
func healthz(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) }

// tipForm is formbody.Config.KeepInMemory: the informant's submissions
// and messages (POST /api/v1/tips, /api/v1/tips/messages and the public
// pages under /tip) up to tips.MaxFormBytes.
func tipForm(c *fiber.Ctx) int64 {
	switch p := c.Path(); {
	case p == "/api/v1/tips", p == "/api/v1/tips/messages", p == "/tip", strings.HasPrefix(p, "/tip/"):
		return tips.MaxFormBytes
	}
	return 0
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error *apperr.Error `json:"error"`
}

func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			code := apperr.BadRequest
			switch fe.Code {
			case http.StatusNotFound:
				code = apperr.NotFound
			case http.StatusMethodNotAllowed:
				code = apperr.BadRequest
			case http.StatusRequestEntityTooLarge:
				code = apperr.Invalid
			}
			return c.Status(fe.Code).JSON(errorBody{&apperr.Error{Code: code, Message: thaiHTTPMessage(fe)}})
		}
		e := apperr.As(err)
		if e == nil {
			e = classify(err)
		} else if cause := e.Unwrap(); e.Code == apperr.Internal && cause != nil {
			// A lower layer (auth: "loading token") wrapped an unreachable
			// database or Temporal as internal; it is still 503, "retry"
			// (fault test R4 got 500 here during a PostgreSQL outage).
			if c := classify(cause); c.Code == apperr.Unavailable {
				e = c
			}
		}
		status := e.Code.HTTPStatus()
		if status >= 500 {
			log.Error("request failed", "request_id", c.Locals(requestid.ConfigDefault.ContextKey), "path", c.Path(), "error", err)
			if e.Code == apperr.Internal {
				// Never leak internals; the request ID finds the log line.
				e = &apperr.Error{Code: apperr.Internal, Message: "เกิดข้อผิดพลาดภายในระบบ (internal error); request id " + requestID(c)}
			}
		}
		if e.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
		}
		return c.Status(status).JSON(errorBody{e})
	}
}

// classify turns infrastructure errors into domain errors: an unreachable
// database or Temporal is 503 so clients retry; anything else is 500.
func classify(err error) *apperr.Error {
	if errors.Is(err, context.DeadlineExceeded) || engine.IsUnavailable(err) {
		return apperr.Wrap(apperr.Unavailable, err, "ระบบฐานข้อมูลหรือระบบงานไม่พร้อมชั่วคราว กรุณาลองใหม่ (service temporarily unavailable, retry)")
	}
	return apperr.Wrap(apperr.Internal, err, "internal error")
}

func thaiHTTPMessage(fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusNotFound:
		return "ไม่พบหน้าที่ร้องขอ (not found)"
	case http.StatusMethodNotAllowed:
		return "ไม่รองรับวิธีการร้องขอนี้ (method not allowed)"
	case http.StatusRequestEntityTooLarge:
		return "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด (request body too large)"
	}
	return fe.Message
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return v
	}
	return ""
}

func accessLog(log *slog.Logger, m *telemetry.Metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// Let the error handler write the response now, so the status
			// logged is the one the client sees.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		route := c.Route().Path
		dur := time.Since(start)
		if m != nil {
			tags := map[string]string{"method": c.Method(), "route": route, "status": statusClass(status)}
			m.Scope.Tagged(tags).Counter("http_requests").Inc(1)
			m.Scope.Tagged(tags).Timer("http_request_latency").Record(dur)
		}
		level := slog.LevelInfo
		if route == "/healthz" || route == "/readyz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		log.Log(c.UserContext(), level, "http", "method", c.Method(), "path", c.Path(), "status", status,
			"duration_ms", dur.Milliseconds(), "request_id", requestID(c))
		return nil
	}
}

func statusClass(s int) string {
	return string(rune('0'+s/100)) + "xx"
}

func readyz(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
		defer cancel()
		checks := fiber.Map{}
		ok := true
		if err := store.Ping(ctx, d.DB); err != nil {
			checks["database"] = err.Error()
			ok = false
		} else {
			checks["database"] = "ok"
		}
		if d.Temporal == nil {
			checks["temporal"] = "not configured"
			ok = false
		} else if _, err := d.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			checks["temporal"] = err.Error()
			ok = false
		} else {
			checks["temporal"] = "ok"
		}
		if !ok {
			return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "checks": checks})
		}
		return c.JSON(fiber.Map{"status": "ok", "checks": checks})
	}
}
