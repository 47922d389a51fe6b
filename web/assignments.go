package web

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// workPage is the data of "My work" (/assignments).
type workPage struct {
	Items      []directives.AssignmentView
	Directives []directives.DirectiveView // the filter's choices
	Total      int64
	Directive  string
	Status     string
	Overdue    bool
	Statuses   []string
}

// assignmentPath is the page of one unit's assignment.
func assignmentPath(directiveID, unit string) string {
	return "/directives/" + url.PathEscape(directiveID) + "/assignments/" + url.PathEscape(unit)
}

// AssignmentPath is assignmentPath for templates.
func (workPage) AssignmentPath(a directives.AssignmentView) string {
	return assignmentPath(a.DirectiveID, a.UnitCode)
}

// openFirst orders assignments still waiting on the unit (assigned, or
// acknowledged with an item awaiting a report) before the others, keeping
// the service's order (newest first) within each group.
func openFirst(items []directives.AssignmentView) {
	open := func(a directives.AssignmentView) bool {
		if a.Status == models.AssignmentAssigned {
			return true
		}
		if a.Status != models.AssignmentAcknowledged {
			return false
		}
		return slices.ContainsFunc(a.Items, func(it directives.AssignmentItemView) bool { return it.Status.AwaitingReport() })
	}
	slices.SortStableFunc(items, func(a, b directives.AssignmentView) int {
		switch oa, ob := open(a), open(b); {
		case oa && !ob:
			return -1
		case ob && !oa:
			return 1
		}
		return 0
	})
}

// Work is "My work" (GET /assignments): the assignments in the reader's
// scope, open ones first, filtered by directive, status and overdue.
func (w *Pages) Work(c *fiber.Ctx) error {
	if c.Query("format") != "" {
		return w.exportWork(c)
	}
	p := principal(c)
	f := directives.AssignmentFilter{
		DirectiveID: strings.TrimSpace(c.Query("directive")),
		Status:      c.Query("status"),
		Window:      listing.Window{Limit: 200},
	}
	if len(f.DirectiveID) > 100 {
		f.DirectiveID = ""
	}
	if p.HasRole(models.RoleProvince, models.RoleDistrict) && !p.HasRole(models.RoleProvince) {
		f.UnitCode = p.UnitCode
	}
	data := workPage{Directive: f.DirectiveID, Status: f.Status, Overdue: c.Query("overdue") == "on",
		Statuses: []string{"assigned", "acknowledged", "closed", "withdrawn"}}
	if data.Overdue {
		f.Overdue, f.HasOverdue = true, true
	}
	dirs, err := w.d.Directives.List(c.UserContext(), p, directives.DirectiveFilter{Window: listing.Window{Limit: 100}})
	if err != nil {
		return w.fail(c, err)
	}
	data.Directives = dirs.Items
	page, err := w.d.Directives.ListAssignments(c.UserContext(), p, f)
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			data.Status, f.Status = "", ""
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "assignments", "work_title", data, errs)
		}
		return w.fail(c, err)
	}
	openFirst(page.Items)
	data.Items, data.Total = page.Items, page.Total
	return w.render(c, fiber.StatusOK, "assignments", "work_title", data)
}

// assignmentPage is the data of one assignment's page.
type assignmentPage struct {
	A          directives.AssignmentDetail
	Directive  directives.DirectiveView
	CanAct     bool // the reader is an officer of the assigned unit
	CanReview  bool // the reader may accept or return this unit's reports
	Done       string
	ReportKey  string
	MaxUpload  int64
	MaxFiles   int
	Systems    []string
	FormItem   int               // the item whose report form has errors
	FormText   string            // the text sent with that form
	FormSystem string            // the record system sent with that form
	FormNumber string            // the record number sent with that form
	FormErrors map[string]string // errors of that form
}

// ReportsOf returns the reports on item number n, cycle cycle.
func (a assignmentPage) ReportsOf(n, cycle int) []directives.ReportView {
	var out []directives.ReportView
	for _, r := range a.A.Reports {
		if r.ItemNumber == n && r.Cycle == cycle {
			out = append(out, r)
		}
	}
	return out
}

// UploadMB is the per-file limit in megabytes, for the form's hint.
func (a assignmentPage) UploadMB() string {
	return strconv.FormatFloat(float64(a.MaxUpload)/(1<<20), 'f', -1, 64)
}

// Attachment is the download path of one attachment of the directive.
func (a assignmentPage) Attachment(id int64) string {
	return "/directives/" + url.PathEscape(a.A.DirectiveID) + "/attachments/" + strconv.FormatInt(id, 10)
}

// EvidencePath is the download path of evidence file n of report r.
func (a assignmentPage) EvidencePath(r directives.ReportView, n int) string {
	return assignmentPath(a.A.DirectiveID, a.A.UnitCode) + "/items/" + strconv.Itoa(r.ItemNumber) +
		"/reports/" + url.PathEscape(r.ID) + "/evidence/" + strconv.Itoa(n)
}

// eventAfter is the part of an event's after-view the timeline shows:
// the remark recorded with the change and the items it changed.
type eventAfter struct {
	Note  string `json:"note"`
	Items []struct {
		DueAt *time.Time `json:"due_at"`
	} `json:"items"`
}

func afterOf(ev directives.AssignmentEventView) eventAfter {
	var a eventAfter
	_ = json.Unmarshal(ev.After, &a)
	return a
}

// EventNote is the remark recorded with a timeline event (a reason, a
// note); "" when none.
func (assignmentPage) EventNote(ev directives.AssignmentEventView) string { return afterOf(ev).Note }

// EventDue is the new due a timeline event set (a return, an amendment,
// an extension or new deadline), or nil.
func (assignmentPage) EventDue(ev directives.AssignmentEventView) *time.Time {
	switch ev.Action {
	case "review.return", "amend", "inspector.extend", "inspector.new_deadline":
		if a := afterOf(ev); len(a.Items) > 0 {
			return a.Items[0].DueAt
		}
	}
	return nil
}

// Path is this assignment's page.
func (a assignmentPage) Path() string { return assignmentPath(a.A.DirectiveID, a.A.UnitCode) }

// canReview reports whether p reviews the reports of unit: the
// secretariat and admins always; a province officer for its districts.
func canReview(p *auth.Principal, a directives.AssignmentView) bool {
	if p.HasRole(models.RoleSecretariat, models.RoleAdmin) {
		return true
	}
	return p.HasRole(models.RoleProvince) && a.ParentCode == p.UnitCode && a.UnitCode != p.UnitCode
}

// Assignment is one unit's assignment (GET
// /directives/:id/assignments/:unit): the letter, the unit's items with
// their deadlines, the รับทราบ button, a report form per item waiting for
// one, the reports sent and the timeline.
func (w *Pages) Assignment(c *fiber.Ctx) error {
	return w.showAssignment(c, fiber.StatusOK, assignmentPage{Done: c.Query("done")})
}

func (w *Pages) showAssignment(c *fiber.Ctx, status int, data assignmentPage) error {
	p := principal(c)
	ctx := c.UserContext()
	dir, unit := param(c, "id"), param(c, "unit")
	a, err := w.d.Directives.Assignment(ctx, p, dir, unit)
	if err != nil {
		return w.fail(c, err)
	}
	d, err := w.d.Directives.Directive(ctx, p, dir)
	if err != nil {
		return w.fail(c, err)
	}
	data.A, data.Directive = a, d
	data.CanAct = p.HasRole(models.RoleProvince, models.RoleDistrict) && p.UnitCode == a.UnitCode
	data.CanReview = canReview(p, a.AssignmentView)
	data.ReportKey = uuid.NewString()
	data.MaxUpload, data.MaxFiles = w.d.MaxUploadBytes, directives.MaxEvidenceFiles
	data.Systems = []string{"NISPA", "บสต.", "MOI Drugs GIS"}
	return w.renderForm(c, status, "assignment", "letter", data, data.FormErrors)
}

// param is a path parameter, unescaped.
func param(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// Acknowledge records the unit's รับทราบ (POST
// /directives/:id/assignments/:unit/acknowledge, optional note) and shows
// the page again with the confirmation.
func (w *Pages) Acknowledge(c *fiber.Ctx) error {
	dir, unit := param(c, "id"), param(c, "unit")
	note := strings.TrimSpace(formbody.Value(c, "note"))
	if len([]rune(note)) > 2000 {
		return w.showAssignment(c, fiber.StatusUnprocessableEntity, assignmentPage{
			FormErrors: map[string]string{"note": w.localizer(c).Tf("too_long", 2000)}})
	}
	_, err := w.d.Directives.Acknowledge(c.UserContext(), principal(c), dir, unit, directives.AcknowledgeRequest{Note: note})
	if err != nil && apperr.CodeOf(err) != apperr.Conflict {
		return w.fail(c, err)
	}
	return c.Redirect(assignmentPath(dir, unit)+"?done=ack", fiber.StatusSeeOther)
}

// Report sends the unit's report on one item (POST
// /directives/:id/assignments/:unit/items/:n/report, multipart: text,
// evidence files, key). The key, drawn when the form was shown, makes a
// double submission one report. Errors come back next to the form.
func (w *Pages) Report(c *fiber.Ctx) error {
	dir, unit := param(c, "id"), param(c, "unit")
	l := w.localizer(c)
	n, err := directives.ParseItemNumber(c.Params("n"))
	if err != nil {
		return w.fail(c, err)
	}
	sub := directives.ReportSubmission{Text: formbody.Value(c, "text"),
		RecordSystem: formbody.Value(c, "record_system"), RecordNumber: formbody.Value(c, "record_number")}
	if key := formbody.Value(c, "key"); key != "" {
		if _, err := uuid.Parse(key); err == nil {
			sub.IdempotencyKey = key
		}
	}
	if form, err := formbody.Parsed(c); err == nil {
		sub.Files = form.File["evidence"]
		for field, dst := range map[string]*string{"text": &sub.Text, "record_system": &sub.RecordSystem, "record_number": &sub.RecordNumber} {
			if v := form.Value[field]; len(v) > 0 {
				*dst = v[0]
			}
		}
	}
	_, err = w.d.Directives.SubmitReport(c.UserContext(), principal(c),
		directives.ReportRef{DirectiveID: dir, UnitCode: unit, ItemNumber: n}, sub)
	if err != nil {
		if errs, ok := fieldErrors(l, err, ""); ok {
			for k, v := range errs {
				if strings.HasPrefix(k, "evidence[") { // one file of several: shown under the files
					delete(errs, k)
					errs["evidence"] = v
				}
			}
			return w.showAssignment(c, fiber.StatusUnprocessableEntity, assignmentPage{FormItem: n, FormText: sub.Text,
				FormSystem: sub.RecordSystem, FormNumber: sub.RecordNumber, FormErrors: errs})
		}
		if apperr.CodeOf(err) == apperr.Conflict {
			return w.showAssignment(c, fiber.StatusConflict, assignmentPage{FormItem: n, FormText: sub.Text,
				FormErrors: map[string]string{"text": messageIn(l, apperr.As(err).Message)}})
		}
		return w.fail(c, err)
	}
	return c.Redirect(assignmentPath(dir, unit)+"?done=report-"+strconv.Itoa(n), fiber.StatusSeeOther)
}

// Review accepts or returns a report (POST
// /directives/:id/assignments/:unit/items/:n/reports/:rid/review with
// decision accept|return, reason, and for return the new due date).
func (w *Pages) Review(c *fiber.Ctx) error {
	dir, unit := param(c, "id"), param(c, "unit")
	l := w.localizer(c)
	n, err := directives.ParseItemNumber(c.Params("n"))
	if err != nil {
		return w.fail(c, err)
	}
	decision := workflows.ReviewDecision(formbody.Value(c, "decision"))
	req := directives.ReviewRequest{Reason: strings.TrimSpace(formbody.Value(c, "reason"))}
	if decision == workflows.ReviewReturn {
		req.NewDue = &directives.DeadlineRequest{Date: strings.TrimSpace(formbody.Value(c, "new_due"))}
	} else if decision != workflows.ReviewAccept {
		return w.fail(c, apperr.Field("decision", "ต้องเลือกผ่านหรือส่งกลับ (decision must be accept or return)"))
	}
	ref := directives.ReportRef{DirectiveID: dir, UnitCode: unit, ItemNumber: n, ReportID: param(c, "rid")}
	if _, err := w.d.Directives.Review(c.UserContext(), principal(c), ref, decision, req); err != nil {
		if errs, ok := fieldErrors(l, err, "review_"); ok {
			return w.showAssignment(c, fiber.StatusUnprocessableEntity, assignmentPage{FormItem: n, FormErrors: errs})
		}
		return w.fail(c, err)
	}
	return c.Redirect(assignmentPath(dir, unit)+"?done=review", fiber.StatusSeeOther)
}

// MailAssignment opens the assignment a notice links to (GET
// /assignments/*, the rest being the workflow ID
// "assignment/<directive>/<unit>", path-escaped or not).
func (w *Pages) MailAssignment(c *fiber.Ctx) error {
	rest, ok := strings.CutPrefix(param(c, "*"), "assignment/")
	dir, unit, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || dir == "" || unit == "" {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	return c.Redirect(assignmentPath(dir, unit), fiber.StatusSeeOther)
}

func (w *Pages) hasAssignment(ctx context.Context, p *auth.Principal, dir, unit string) (bool, error) {
	page, err := w.d.Directives.ListAssignments(ctx, p, directives.AssignmentFilter{DirectiveID: dir, UnitCode: unit,
		Window: listing.Window{Limit: 1}})
	if err != nil {
		return false, err
	}
	return len(page.Items) > 0, nil
}

// Home sends a signed-in reader to where their work is (GET /): unit
// officers to their assignments, inspectors to their queue, everyone else
// to the directives.
func (w *Pages) Home(c *fiber.Ctx) error {
	p := principal(c)
	switch {
	case p.HasRole(models.RoleProvince, models.RoleDistrict):
		return c.Redirect("/assignments", fiber.StatusSeeOther)
	case p.HasRole(models.RoleInspector):
		return c.Redirect("/inspector", fiber.StatusSeeOther)
	case p.HasRole(models.RoleObserver):
		return c.Redirect("/dashboard", fiber.StatusSeeOther)
	}
	return c.Redirect("/directives", fiber.StatusSeeOther)
}
