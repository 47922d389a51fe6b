package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// issueRows is how many item rows the issue form offers (rows left empty
// are ignored; a letter has rarely more).
const issueRows = 8

// issueItem is one item row of the issue form as typed.
type issueItem struct {
	Text, Provinces, Units, Sets, DueDate, ReportInto string
	AllProvinces, AllDistricts, Evidence              bool
}

// issueForm is the issue form as typed, kept when it comes back with
// errors.
type issueForm struct {
	Source, Issuer, DocNumber, IssueDate, Urgency, Subject, Body string
	Items                                                        []issueItem
}

// issuePage is the data of the page that issues a directive. Letter is
// the pasted letter; Parsed, after "read the letter", what was read from
// it (warnings and unknown names with their suggestions).
type issuePage struct {
	Letter  string
	Parsed  *directives.ParsedLetter
	Counts  []directives.TargetCount // per form row, when counted
	F       issueForm
	Sources []string
	Urgency []string
	Systems []string
}

// Count is how many units form row i reaches, once counted; nil otherwise.
func (p issuePage) Count(i int) *directives.TargetCount {
	if i < len(p.Counts) && (p.Counts[i].Total > 0 || len(p.Counts[i].Unknown) > 0) {
		return &p.Counts[i]
	}
	return nil
}

// ItemField names item i's field for errors (items[i].field).
func (issuePage) ItemField(i int, field string) string {
	return "items[" + strconv.Itoa(i) + "]." + field
}

func newIssuePage(f issueForm) issuePage {
	for len(f.Items) < issueRows {
		f.Items = append(f.Items, issueItem{})
	}
	return issuePage{F: f, Sources: []string{"ministry", "meeting", "prime_minister", "oncb", "province"},
		Urgency: []string{"most_urgent", "very_urgent", "urgent", "normal"}, Systems: []string{"none", "NISPA", "บสต.", "MOI Drugs GIS"}}
}

// NewDirective shows the form that issues a directive (GET
// /directives/new): the letter's header, its numbered items with their
// targets, deadlines and reporting system, and its attachments.
// Secretariat and admins.
func (w *Pages) NewDirective(c *fiber.Ctx) error {
	if err := principal(c).Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "issue", "issue_title", newIssuePage(issueForm{Source: "ministry", Urgency: "most_urgent"}))
}

// readIssueForm reads the posted form.
func readIssueForm(c *fiber.Ctx) issueForm {
	v := func(k string) string { return strings.TrimSpace(formbody.Value(c, k)) }
	f := issueForm{Source: v("source"), Issuer: v("issuer"), DocNumber: v("doc_number"), IssueDate: v("issue_date"),
		Urgency: v("urgency"), Subject: v("subject"), Body: strings.TrimSpace(formbody.Value(c, "body"))}
	for i := range issueRows {
		k := func(name string) string { return "item_" + name + "_" + strconv.Itoa(i) }
		f.Items = append(f.Items, issueItem{Text: v(k("text")), Provinces: v(k("provinces")), Units: v(k("units")), Sets: v(k("sets")),
			DueDate: v(k("due")), ReportInto: v(k("report_into")), AllProvinces: v(k("all_provinces")) == "on",
			AllDistricts: v(k("all_districts")) == "on", Evidence: v(k("evidence")) == "on"})
	}
	return f
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// targets are the targets of every row of the form, empty rows included
// (so that index i is row i).
func (f issueForm) targets() []directives.TargetsRequest {
	out := make([]directives.TargetsRequest, len(f.Items))
	for i, it := range f.Items {
		out[i].AllProvinces, out[i].AllDistricts = it.AllProvinces, it.AllDistricts
		out[i].Provinces, out[i].Units, out[i].Sets = splitList(it.Provinces), splitList(it.Units), splitList(it.Sets)
	}
	return out
}

// withCounts counts the units each row of page's form reaches; a failure
// leaves the counts out (the form still shows).
func (w *Pages) withCounts(c *fiber.Ctx, page issuePage) issuePage {
	counts, err := w.d.Directives.CountTargets(c.UserContext(), principal(c), page.F.targets())
	if err != nil {
		w.d.Logger.Warn("counting a draft's targets failed", "error", err)
		return page
	}
	page.Counts = counts
	return page
}

// PreviewDirective counts how many units each item of the form reaches
// without issuing (POST /directives/new/preview, the form's second
// button), and shows the form again with the counts.
func (w *Pages) PreviewDirective(c *fiber.Ctx) error {
	return w.render(c, fiber.StatusOK, "issue", "issue_title", w.withCounts(c, newIssuePage(readIssueForm(c))))
}

// request turns the form into the issue endpoint's request: non-empty
// rows become items numbered 1, 2, … in order.
func (f issueForm) request() directives.DirectiveRequest {
	req := directives.DirectiveRequest{Source: f.Source, Issuer: f.Issuer, DocNumber: f.DocNumber, IssueDate: f.IssueDate,
		Urgency: f.Urgency, Subject: f.Subject, Body: f.Body}
	for _, it := range f.Items {
		if it.Text == "" {
			continue
		}
		item := directives.ItemRequest{Number: thaidate.FlexInt(len(req.Items) + 1), Text: it.Text, DueDate: it.DueDate,
			EvidenceRequired: it.Evidence, ReportInto: it.ReportInto}
		item.Targets.AllProvinces, item.Targets.AllDistricts = it.AllProvinces, it.AllDistricts
		item.Targets.Provinces, item.Targets.Units, item.Targets.Sets = splitList(it.Provinces), splitList(it.Units), splitList(it.Sets)
		req.Items = append(req.Items, item)
	}
	return req
}

// IssueDirective issues the directive of the form (POST /directives/new,
// multipart with optional "attachments") and goes to its page, where the
// fan-out's progress shows. Errors come back next to their fields; unknown
// target names with the closest real ones.
func (w *Pages) IssueDirective(c *fiber.Ctx) error {
	p := principal(c)
	l := w.localizer(c)
	f := readIssueForm(c)
	acc, err := w.d.Directives.Issue(c.UserContext(), p, f.request())
	if err != nil {
		e := apperr.As(err)
		if e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			page := w.withCounts(c, newIssuePage(f))
			// The message at the top, and next to its field where the form
			// has one (items[i].targets… under item i's targets).
			errs := map[string]string{"_": messageIn(l, e.Message)}
			field := e.Field
			if i := strings.Index(field, ".targets"); i > 0 {
				field = field[:i+len(".targets")]
			}
			if field != "" {
				errs[field] = messageIn(l, e.Message)
			}
			return w.renderForm(c, e.Code.HTTPStatus(), "issue", "issue_title", page, errs)
		}
		return w.fail(c, err)
	}
	// The directive's workflow writes its row a moment after the start;
	// the page and the attachments need it.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, err := w.d.Directives.Directive(c.UserContext(), p, acc.ID); apperr.CodeOf(err) != apperr.NotFound {
			break
		}
	}
	if form, err := formbody.Parsed(c); err == nil && len(form.File["attachments"]) > 0 {
		if _, err := w.d.Directives.UploadAttachments(c.UserContext(), p, acc.ID, form.File["attachments"]); err != nil {
			w.d.Logger.Warn("attachments of a new directive were refused", "directive", acc.ID, "error", err)
			return c.Redirect("/directives/"+url.PathEscape(acc.ID)+"?done=issued_no_files", fiber.StatusSeeOther)
		}
	}
	return c.Redirect("/directives/"+url.PathEscape(acc.ID)+"?done=issued", fiber.StatusSeeOther)
}

// fanOutData is the progress bar of a directive's fan-out.
type fanOutData struct {
	ID              string
	Assigned, Total int
}

// Done reports whether every unit has its assignment.
func (f fanOutData) Done() bool { return f.Assigned >= f.Total }

// Percent is the share of units assigned, 0–100.
func (f fanOutData) Percent() int {
	if f.Total == 0 {
		return 100
	}
	return 100 * f.Assigned / f.Total
}

// FanOut is the fan-out progress of a directive as a fragment (GET
// /directives/:id/fanout), which the directive's page polls every second
// while units are being assigned; once all are, it answers 286 so htmx
// stops polling.
func (w *Pages) FanOut(c *fiber.Ctx) error {
	d, err := w.d.Directives.Directive(c.UserContext(), principal(c), param(c, "id"))
	if err != nil {
		return w.fail(c, err)
	}
	data := fanOutData{ID: d.ID, Assigned: d.UnitsAssigned, Total: d.UnitsTotal}
	status := fiber.StatusOK
	if data.Done() {
		status = 286 // htmx: stop polling
	}
	return w.fragment(c, status, "fanout", data)
}

// ReadLetter reads a pasted letter into the issue form (POST
// /directives/new/letter with letter): the draft fills the form, which the
// secretariat corrects before issuing; what could not be read for sure is
// listed with the part of the letter it concerns, and every unknown name
// with the closest real ones. Nothing is issued.
func (w *Pages) ReadLetter(c *fiber.Ctx) error {
	text := formbody.Value(c, "letter")
	parsed, err := w.d.Directives.ParseLetter(c.UserContext(), principal(c), text)
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, "letter_"); ok {
			page := newIssuePage(issueForm{Source: "ministry", Urgency: "most_urgent"})
			page.Letter = text
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "issue", "issue_title", page, errs)
		}
		return w.fail(c, err)
	}
	page := w.withCounts(c, newIssuePage(formOfDraft(parsed.Draft)))
	page.Letter, page.Parsed = text, &parsed
	return w.render(c, fiber.StatusOK, "issue", "issue_title", page)
}

// formOfDraft fills the issue form from a parsed letter's draft.
func formOfDraft(d directives.DirectiveRequest) issueForm {
	f := issueForm{Source: d.Source, Issuer: d.Issuer, DocNumber: d.DocNumber, IssueDate: d.IssueDate, Urgency: d.Urgency,
		Subject: d.Subject, Body: d.Body}
	for _, it := range d.Items {
		f.Items = append(f.Items, issueItem{Text: it.Text, Provinces: strings.Join(it.Targets.Provinces, ", "),
			Units: strings.Join(it.Targets.Units, ", "), Sets: strings.Join(it.Targets.Sets, ", "), DueDate: it.DueDate,
			ReportInto: it.ReportInto, AllProvinces: it.Targets.AllProvinces, AllDistricts: it.Targets.AllDistricts,
			Evidence: it.EvidenceRequired})
	}
	return f
}
