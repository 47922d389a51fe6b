package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// directivesPage is the data of the directive list.
type directivesPage struct {
	Items  []directives.DirectiveView
	Total  int64
	Query  string
	Status string
}

// Directives lists the directives the reader may see, newest first (GET
// /directives; ?q= matches the document number or the subject, ?status=).
func (w *Pages) Directives(c *fiber.Ctx) error {
	data := directivesPage{Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status")}
	if len(data.Query) > 100 {
		data.Query = data.Query[:100]
	}
	page, err := w.d.Directives.List(c.UserContext(), principal(c), directives.DirectiveFilter{Query: data.Query,
		Status: data.Status, Window: listing.Window{Limit: 200}})
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "directives", "nav_directives", data, errs)
		}
		return w.fail(c, err)
	}
	data.Items, data.Total = page.Items, page.Total
	return w.render(c, fiber.StatusOK, "directives", "nav_directives", data)
}

// directivePage is the data of one directive's page.
type directivePage struct {
	D        directives.DirectiveView
	M        directives.MatrixView
	Region   string
	Province string
	CanEdit  bool
	Done     string
	Form     string // the form that has errors: amend, targets or withdraw
	// Stamp is the directive's change stamp when the matrix was read
	// (MatrixView.Stamp): the live matrix refreshes when it moves on.
	Stamp string
	// Self is the page's own path and query, which the live matrix
	// fetches again.
	Self string
}

// LiveTopic is the /live query of the directive's matrix.
func (d directivePage) LiveTopic() string { return "topic=directive&id=" + url.QueryEscape(d.D.ID) }

// FanOut is the progress of the directive's fan-out, for the bar the
// page shows while units are being assigned.
func (d directivePage) FanOut() fanOutData {
	return fanOutData{ID: d.D.ID, Assigned: d.D.UnitsAssigned, Total: d.D.UnitsTotal}
}

// UnitPath is a unit's assignment page.
func (d directivePage) UnitPath(unit string) string { return assignmentPath(d.D.ID, unit) }

// Path is the directive's page.
func (d directivePage) Path() string { return "/directives/" + url.PathEscape(d.D.ID) }

// Directive is one directive's page (GET /directives/:id): a unit officer
// with an assignment of it goes straight to that (the e-mail links land
// here); everyone else sees the letter, the progress counts and the units
// × items matrix (filter ?region= and ?province=) linking to each unit's
// assignment; the secretariat also the forms to amend a due, add targets
// and withdraw.
func (w *Pages) Directive(c *fiber.Ctx) error {
	p := principal(c)
	id := param(c, "id")
	if c.Query("format") != "" {
		return w.exportMatrix(c)
	}
	if p.UnitCode != "" && p.HasRole(models.RoleProvince, models.RoleDistrict) {
		ok, err := w.hasAssignment(c.UserContext(), p, id, p.UnitCode)
		if err != nil {
			return w.fail(c, err)
		}
		if ok {
			return c.Redirect(assignmentPath(id, p.UnitCode), fiber.StatusSeeOther)
		}
	}
	return w.showDirective(c, fiber.StatusOK, directivePage{Done: c.Query("done")}, nil)
}

func (w *Pages) showDirective(c *fiber.Ctx, status int, data directivePage, errs map[string]string) error {
	p := principal(c)
	ctx := c.UserContext()
	id := param(c, "id")
	d, err := w.d.Directives.Directive(ctx, p, id)
	if err != nil {
		return w.fail(c, err)
	}
	f := directives.MatrixFilter{Province: strings.TrimSpace(c.Query("province"))}
	data.Region, data.Province = c.Query("region"), f.Province
	if data.Region != "" {
		n, err := thaidate.ParseInt(data.Region)
		if err != nil || n < 0 || n > 18 {
			return w.fail(c, apperr.Field("region", "เขตตรวจราชการต้องเป็น 0–18 (region must be 0–18)"))
		}
		f.Region, f.HasRegion = n, true
	}
	m, err := w.d.Directives.Matrix(ctx, p, id, f)
	if err != nil {
		return w.fail(c, err)
	}
	// The grid's own stamp (taken before it was read): if it is behind,
	// the live page is told at once and fetches it again.
	data.D, data.M, data.Stamp = d, m, m.Stamp
	data.Self = data.Path()
	if q := c.Request().URI().QueryString(); len(q) > 0 && c.Method() == fiber.MethodGet {
		data.Self += "?" + string(q)
	}
	data.CanEdit = p.HasRole(models.RoleSecretariat, models.RoleAdmin) && d.Status == models.DirectiveIssued
	return w.renderForm(c, status, "directive", "letter", data, errs)
}

// changeFailed shows the directive page again with the error of form
// (amend, targets, withdraw) next to its field.
func (w *Pages) changeFailed(c *fiber.Ctx, form string, err error) error {
	l := w.localizer(c)
	if errs, ok := fieldErrors(l, err, form+"_"); ok {
		return w.showDirective(c, fiber.StatusUnprocessableEntity, directivePage{Form: form}, errs)
	}
	if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
		return w.showDirective(c, fiber.StatusConflict, directivePage{Form: form}, map[string]string{form + "_reason": messageIn(l, e.Message)})
	}
	return w.fail(c, err)
}

// Amend moves the due of one item for every unit (POST
// /directives/:id/amend: item_number, new_due, reason).
func (w *Pages) Amend(c *fiber.Ctx) error {
	id := param(c, "id")
	n, err := thaidate.ParseInt(strings.TrimSpace(formbody.Value(c, "item_number")))
	if err != nil {
		return w.changeFailed(c, "amend", apperr.Field("item_number", "เลือกข้อ (choose an item)"))
	}
	req := directives.AmendRequest{ItemNumber: thaidate.FlexInt(n), Reason: strings.TrimSpace(formbody.Value(c, "reason")),
		NewDue: &directives.DeadlineRequest{Date: strings.TrimSpace(formbody.Value(c, "new_due"))}}
	if _, err := w.d.Directives.Amend(c.UserContext(), principal(c), id, req); err != nil {
		return w.changeFailed(c, "amend", err)
	}
	return c.Redirect("/directives/"+url.PathEscape(id)+"?done=amend", fiber.StatusSeeOther)
}

// AddTargets assigns the directive to more units (POST
// /directives/:id/targets: provinces by name, units by code, each comma-
// separated, reason).
func (w *Pages) AddTargets(c *fiber.Ctx) error {
	id := param(c, "id")
	split := func(s string) []string {
		var out []string
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	req := directives.AddTargetsRequest{Reason: strings.TrimSpace(formbody.Value(c, "reason"))}
	req.Targets.Provinces = split(formbody.Value(c, "provinces"))
	req.Targets.Units = split(formbody.Value(c, "units"))
	if _, err := w.d.Directives.AddTargets(c.UserContext(), principal(c), id, req); err != nil {
		return w.changeFailed(c, "targets", err)
	}
	return c.Redirect("/directives/"+url.PathEscape(id)+"?done=targets", fiber.StatusSeeOther)
}

// Withdraw ends the directive for every unit (POST /directives/:id/withdraw
// with a reason).
func (w *Pages) Withdraw(c *fiber.Ctx) error {
	id := param(c, "id")
	if _, err := w.d.Directives.Withdraw(c.UserContext(), principal(c), id,
		directives.WithdrawRequest{Reason: strings.TrimSpace(formbody.Value(c, "reason"))}); err != nil {
		return w.changeFailed(c, "withdraw", err)
	}
	return c.Redirect("/directives/"+url.PathEscape(id)+"?done=withdraw", fiber.StatusSeeOther)
}
