package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/tidtam/tidtam/web"

	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// This file lists every route of the HTTP interface, one registration
// function per domain, called in order from registerRoutes (the model is
// benbjohnson/wtf's http/server.go calling registerDialRoutes). A new route
// is added here and nowhere else; the OpenAPI test and the route tests read
// the app's route table, which is exactly what these functions register.

// registerRoutes adds every route to app: the unauthenticated probes,
// login and calendar feed, then each domain's routes behind requireAuth and
// idempotent.
func registerRoutes(app *fiber.App, d *Deps) {
	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(d))
	if d.Metrics != nil {
		// Prometheus scrapes with an admin's API token; the metrics name
		// the service's internals, so nobody else reads them.
		app.Get("/metrics", requireAuth(d), requireRole(models.RoleAdmin), adaptor.HTTPHandler(d.Metrics.Handler))
	}

	v1 := app.Group("/api/v1")
	v1.Get("/openapi.json", serveOpenAPI)
	v1.Post("/auth/login", login(d))
	// Calendar apps cannot send headers: the feed is authorised by the
	// unit's feed token in the query string instead of a bearer token.
	v1.Get("/units/:code/meetings.ics", meetingFeed(d))
	// The informant of a tip has no account (issue #15).
	registerTipRoutes(v1, d)

	// readOnlyGuard refuses unsafe methods to read-only API tokens before
	// anything else runs.
	authed := v1.Group("", requireAuth(d), readOnlyGuard, idempotent(d))
	registerAuthRoutes(authed, d)
	registerAdminRoutes(authed, d)
	registerDirectiveRoutes(authed, d)
	registerAssignmentRoutes(authed, d)
	registerEscalationRoutes(authed, d)
	registerMeetingRoutes(authed, d)
	registerNotificationRoutes(authed, d)
	registerDashboardRoutes(authed, d)
	registerKPIRoutes(authed, d)
	authed.Get("/tips", listTips(d)) // the officers' side of issue #15
	authed.Get("/tips/counts", tipCounts(d))
	authed.Post("/tips/:id/messages", replyTip(d))
	authed.Get("/tips/:id/files/:n", tipFile(d))
	authed.Get("/tips/:id", getTip(d))
	authed.Post("/tips/:id/acknowledge", acknowledgeTip(d))
	authed.Post("/tips/:id/forward", forwardTip(d))
	authed.Post("/tips/:id/stage", tipStage(d))
	authed.Post("/tips/:id/refer-up", referTipUp(d))
}

// registerWebRoutes: the pages (package web), after the API so that
// /api/… never reaches them. Sign-in and the static assets are public; a
// mail link to /assignments/{workflow id} only redirects; every other page
// needs a session (RequireSession sends the browser to /login?next=…), and
// every form is checked for its CSRF token. Unknown paths outside /api get
// an HTML 404.
func registerWebRoutes(app *fiber.App, w *web.Pages) {
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(web.StaticFS()), MaxAge: 3600}))
	app.Get("/login", w.LoginForm)
	app.Post("/login", w.CSRF, w.Login)
	// The tip-off pages are public (issue #15): no session, no cookie but
	// the CSRF token's.
	tip := w.TipPublic
	app.Get("/tip", tip, w.TipChoose)
	app.Get("/tip/follow-up", tip, w.TipFollowUpForm) // before /tip/:code
	app.Post("/tip/follow-up", tip, w.CSRF, w.TipFollowUp)
	app.Post("/tip/follow-up/messages", tip, w.CSRF, w.TipMessage)
	app.Get("/tip/:code", tip, w.TipForm)
	app.Post("/tip/:code", tip, w.CSRF, w.SubmitTip)

	s, form := w.RequireSession, []fiber.Handler{w.RequireSession, w.CSRF}
	app.Get("/", s, w.Home)
	app.Post("/logout", append(form, w.Logout)...)
	app.Get("/inbox", s, w.Inbox)
	app.Post("/inbox/read-all", append(form, w.MarkAllNoticesRead)...)
	app.Post("/inbox/:id/read", append(form, w.MarkNoticeRead)...)
	app.Post("/inbox/:id/open", append(form, w.OpenNotice)...)
	app.Get("/assignments", s, w.Work)
	// After /assignments, which the wildcard would match too.
	app.Get("/assignments/*", w.MailAssignment)
	app.Get("/directives", s, w.Directives)
	app.Get("/directives/new", s, w.NewDirective) // before /directives/:id
	app.Post("/directives/new", append(form, w.IssueDirective)...)
	app.Post("/directives/new/letter", append(form, w.ReadLetter)...)
	app.Post("/directives/new/preview", append(form, w.PreviewDirective)...)
	app.Get("/directives/:id", s, w.Directive)
	app.Get("/directives/:id/fanout", s, w.FanOut)
	app.Post("/directives/:id/amend", append(form, w.Amend)...)
	app.Post("/directives/:id/targets", append(form, w.AddTargets)...)
	app.Post("/directives/:id/withdraw", append(form, w.Withdraw)...)
	app.Get("/directives/:id/attachments/:aid", s, w.Attachment)
	app.Get("/directives/:id/assignments/:unit", s, w.Assignment)
	app.Post("/directives/:id/assignments/:unit/acknowledge", append(form, w.Acknowledge)...)
	app.Post("/directives/:id/assignments/:unit/items/:n/report", append(form, w.Report)...)
	app.Post("/directives/:id/assignments/:unit/items/:n/reports/:rid/review", append(form, w.Review)...)
	app.Get("/directives/:id/assignments/:unit/items/:n/reports/:rid/evidence/:i", s, w.Evidence)
	app.Get("/districts", s, w.Districts)
	app.Get("/inspector", s, w.Queue)
	app.Post("/inspector/escalations/:key", append(form, w.Act)...)
	app.Get("/admin/accounts", s, w.Accounts)
	app.Post("/admin/accounts", append(form, w.CreateAccount)...)
	app.Get("/admin/accounts/:id", s, w.Account)
	app.Post("/admin/accounts/:id", append(form, w.UpdateAccount)...)
	app.Post("/admin/accounts/:id/password", append(form, w.ResetAccountPassword)...)
	app.Get("/admin/deliveries", s, w.Deliveries)
	app.Post("/admin/deliveries/retry", append(form, w.RetryDelivery)...)
	app.Get("/admin/units", s, w.Units)
	app.Post("/admin/units", append(form, w.ImportUnits)...)
	app.Get("/holidays", s, w.Holidays)
	app.Post("/holidays", append(form, w.PutHoliday)...)
	app.Post("/holidays/:date/delete", append(form, w.DeleteHoliday)...)
	app.Get("/target-sets", s, w.TargetSets)
	app.Post("/target-sets", append(form, w.PutTargetSet)...)
	app.Get("/audit", s, w.Audit)
	app.Get("/audit/export", s, w.ExportAudit)
	app.Get("/tokens", s, w.Tokens)
	app.Post("/tokens", append(form, w.CreateToken)...)
	app.Post("/tokens/:id/revoke", append(form, w.RevokeToken)...)
	app.Get("/meetings", s, w.Meetings)
	app.Post("/meetings/feed", append(form, w.FeedLink)...)
	app.Get("/meetings/calendar", s, w.Calendar) // before /meetings/:id
	app.Get("/meetings/attendance", s, w.Attendance)
	app.Get("/meetings/:id", s, w.Meeting)
	app.Post("/meetings/:id/rsvp", append(form, w.RSVP)...)
	app.Post("/meetings/:id/attendance", append(form, w.RecordAttendance)...)
	app.Post("/meetings/:id/minutes", append(form, w.PublishMinutes)...)
	app.Get("/meetings/:id/print", s, w.PrintMeeting)
	app.Get("/meetings/:id/board", s, w.MeetingBoard)
	app.Get("/dashboard", s, w.Dashboard)
	app.Get("/provinces/:code", s, w.Province)
	app.Get("/live", s, w.Live)
	app.Get("/units/:code/tip-poster", s, w.TipPoster)
	app.Get("/tips", s, w.TipInbox) // the officers' side of issue #15
	app.Get("/tips/counts", s, w.TipCounts)
	app.Get("/tips/:id", s, w.TipPage)
	app.Post("/tips/:id/acknowledge", append(form, w.TipAcknowledge)...)
	app.Post("/tips/:id/forward", append(form, w.TipForward)...)
	app.Post("/tips/:id/stage", append(form, w.TipStage)...)
	app.Post("/tips/:id/refer-up", append(form, w.TipReferUp)...)
	app.Post("/tips/:id/messages", append(form, w.TipReply)...)
	app.Get("/tips/:id/files/:n", s, w.TipFile)
	app.Get("/kpi", s, w.KPISchemes)
	app.Post("/kpi", append(form, w.CreateKPIScheme)...)
	app.Get("/kpi/:id", s, w.KPIScheme)
	app.Get("/kpi/:id/provinces/:code", s, w.KPIProvince)
	app.Post("/kpi/:id/provinces/:code/criteria/:n/entries", append(form, w.SubmitKPIEntry)...)
	app.Post("/kpi/:id/provinces/:code/criteria/:n/entries/:eid/review", append(form, w.ReviewKPIEntry)...)
	app.Get("/kpi/:id/provinces/:code/criteria/:n/entries/:eid/evidence/:i", s, w.KPIEvidence)
	app.Use(w.NotFound)
}

// registerDashboardRoutes: the national dashboard and each province's
// picture, from the incremental counters.
func registerDashboardRoutes(r fiber.Router, d *Deps) {
	r.Get("/dashboard", getDashboard(d))
	r.Get("/provinces/:code/dashboard", getProvinceDashboard(d))
}

// registerAuthRoutes: the caller's own session and tokens.
func registerAuthRoutes(r fiber.Router, d *Deps) {
	r.Post("/auth/logout", logout(d))
	r.Get("/auth/me", me(d))
	r.Post("/auth/password", changePassword(d))
	r.Get("/auth/tokens", listAPITokens(d))
	r.Post("/auth/tokens", createAPIToken(d))
	r.Delete("/auth/tokens/:id", revokeAPIToken(d))
}

// registerAdminRoutes: accounts (admin only, checked before the body is
// read so that others learn nothing of its rules; the service checks
// again), units, holidays, target sets and the audit
// trail.
func registerAdminRoutes(r fiber.Router, d *Deps) {
	r.Get("/accounts", listAccounts(d))
	r.Post("/accounts", requireRole(models.RoleAdmin), createAccount(d))
	r.Patch("/accounts/:id", requireRole(models.RoleAdmin), updateAccount(d))
	r.Post("/accounts/:id/password", requireRole(models.RoleAdmin), resetAccountPassword(d))
	r.Get("/units", listUnits(d))
	r.Get("/units/:code", getUnit(d))
	r.Get("/holidays", listHolidays(d))
	r.Put("/holidays/:date", putHoliday(d))
	r.Delete("/holidays/:date", deleteHoliday(d))
	r.Get("/target-sets", listTargetSets(d))
	r.Get("/target-sets/:code", getTargetSet(d))
	r.Put("/target-sets/:code", putTargetSet(d))
	r.Delete("/target-sets/:code", deleteTargetSet(d))
	r.Get("/audit", listAudit(d))
	r.Get("/audit/export", exportAudit(d))
}

// registerDirectiveRoutes: letters, their attachments and changes.
func registerDirectiveRoutes(r fiber.Router, d *Deps) {
	r.Post("/directives", issueDirective(d))
	r.Post("/directives/parse", parseLetter(d))
	r.Get("/directives", listDirectives(d))
	r.Get("/directives/:id", getDirective(d))
	r.Get("/directives/:id/matrix", directiveMatrix(d))
	r.Post("/directives/:id/amend", amendDirective(d))
	r.Post("/directives/:id/targets", addDirectiveTargets(d))
	r.Post("/directives/:id/withdraw", withdrawDirective(d))
	r.Post("/directives/:id/attachments", uploadAttachments(d))
	r.Get("/directives/:id/attachments/:aid", downloadAttachment(d))
}

// registerAssignmentRoutes: one unit's share of a directive. Assignment IDs
// contain slashes ("assignment/<directive>/<unit>") and the app unescapes
// paths before routing (UnescapePath), so an ID cannot travel URL-encoded
// in one path segment: an assignment is addressed by its two parts,
// /directives/{id}/assignments/{unit}.
func registerAssignmentRoutes(r fiber.Router, d *Deps) {
	r.Get("/assignments", listAssignments(d))
	r.Get("/directives/:id/assignments/:unit", getAssignment(d))
	r.Post("/directives/:id/assignments/:unit/acknowledge", acknowledgeAssignment(d))
	r.Post("/directives/:id/assignments/:unit/items/:number/reports", submitReport(d))
	r.Post("/directives/:id/assignments/:unit/items/:number/reports/:rid/accept", reviewReport(d, workflows.ReviewAccept))
	r.Post("/directives/:id/assignments/:unit/items/:number/reports/:rid/return", reviewReport(d, workflows.ReviewReturn))
	r.Get("/directives/:id/assignments/:unit/items/:number/reports/:rid/evidence/:n", downloadEvidence(d))
}

// registerEscalationRoutes: overdue items escalated to province heads and
// inspectors. An escalation is addressed by its key, its ID with each "/"
// written "~" (escalationKey), as listed in its actions_path.
func registerEscalationRoutes(r fiber.Router, d *Deps) {
	r.Get("/escalations", listEscalations(d))
	r.Post("/escalations/:key/actions", escalationAction(d))
}

// registerMeetingRoutes: the twice-monthly meeting series, RSVPs,
// attendance, minutes, resolutions and each unit's calendar-feed token.
func registerMeetingRoutes(r fiber.Router, d *Deps) {
	r.Get("/meeting-series", listMeetingSeries(d))
	r.Post("/meeting-series", createMeetingSeries(d))
	r.Post("/meeting-series/:id/meetings", addExtraMeeting(d))
	r.Get("/meetings", listMeetings(d))
	r.Get("/meetings/attendance-stats", attendanceStats(d))
	r.Get("/meetings/:id", getMeeting(d))
	r.Post("/meetings/:id/rsvp", meetingRSVP(d))
	r.Post("/meetings/:id/attendance", meetingAttendance(d))
	r.Put("/meetings/:id/minutes", meetingMinutes(d))
	r.Post("/meetings/:id/reschedule", rescheduleMeeting(d))
	r.Post("/meetings/:id/cancel", cancelMeeting(d))
	r.Post("/meetings/:id/agenda", addAgendaItem(d))
	r.Post("/meetings/:id/directives", issueMeetingDirective(d))
	r.Post("/units/:code/meetings.ics/token", issueFeedToken(d))
}

// registerKPIRoutes: KPI schemes, their templates, the provinces' scores
// and breakdowns, and the entries provinces make for entered criteria with
// their review and evidence.
func registerKPIRoutes(r fiber.Router, d *Deps) {
	r.Get("/kpi/templates", listKPITemplates(d))
	r.Get("/kpi/schemes", listKPISchemes(d))
	r.Post("/kpi/schemes", createKPIScheme(d))
	r.Get("/kpi/schemes/:id", getKPIScheme(d))
	r.Get("/kpi/schemes/:id/scores", kpiScores(d))
	r.Get("/kpi/schemes/:id/provinces/:code", kpiBreakdown(d))
	r.Post("/kpi/schemes/:id/provinces/:code/criteria/:n/entries", submitKPIEntry(d))
	r.Post("/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/verify", reviewKPIEntry(d, true))
	r.Post("/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/return", reviewKPIEntry(d, false))
	r.Get("/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/evidence/:i", downloadKPIEvidence(d))
}

// registerNotificationRoutes: the in-app inbox, delivery status, the dev
// mailbox and webhooks.
func registerNotificationRoutes(r fiber.Router, d *Deps) {
	r.Get("/inbox", listInbox(d))
	r.Post("/inbox/read-all", readAllInbox(d))
	r.Post("/inbox/:id/read", readInboxItem(d))
	r.Get("/deliveries", listDeliveries(d))
	r.Post("/deliveries/retry", requireRole(models.RoleAdmin), retryDelivery(d))
	r.Get("/dev-mailbox", listDevMailbox(d))
	r.Get("/webhooks", listWebhooks(d))
	r.Post("/webhooks", createWebhook(d))
	r.Delete("/webhooks/:id", deleteWebhook(d))
}
