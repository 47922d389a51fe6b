package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// holidaysPage is the data of the holidays page.
type holidaysPage struct {
	Year  int // Buddhist era
	Items []admin.HolidayView
	Form  map[string]string
	Done  string
}

// Holidays lists one year's holidays (GET /holidays?year=2569, Buddhist
// or Christian era; this year by default) with the form that adds or
// renames one; the secretariat and admins may change them.
func (w *Pages) Holidays(c *fiber.Ctx) error {
	return w.showHolidays(c, fiber.StatusOK, holidaysPage{Done: c.Query("done")}, nil)
}

func (w *Pages) showHolidays(c *fiber.Ctx, status int, data holidaysPage, errs map[string]string) error {
	year := w.now().In(bangkok).Year() + 543
	if y, err := thaidate.ParseInt(c.Query("year")); err == nil && y > 1900 && y < 2800 {
		year = y
		if y < 2400 {
			year = y + 543
		}
	}
	data.Year = year
	page, err := w.d.Admin.ListHolidays(c.UserContext(), principal(c), year)
	if err != nil {
		return w.fail(c, err)
	}
	data.Items = page.Items
	return w.renderForm(c, status, "holidays", "nav_holidays", data, errs)
}

// PutHoliday adds or renames the holiday on date (POST /holidays with
// date, name_th, name_en); DeleteHoliday removes one (POST
// /holidays/:date/delete). Running workflows keep their calendar.
func (w *Pages) PutHoliday(c *fiber.Ctx) error {
	form := map[string]string{"date": strings.TrimSpace(formbody.Value(c, "date")), "name_th": strings.TrimSpace(formbody.Value(c, "name_th")),
		"name_en": strings.TrimSpace(formbody.Value(c, "name_en"))}
	_, err := w.d.Admin.PutHoliday(c.UserContext(), principal(c), form["date"], admin.HolidayRequest{NameTH: form["name_th"], NameEN: form["name_en"]})
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.showHolidays(c, fiber.StatusUnprocessableEntity, holidaysPage{Form: form}, errs)
		}
		return w.fail(c, err)
	}
	year := form["date"]
	if d, err := thaidate.Parse(form["date"]); err == nil {
		year = strconv.Itoa(d.Year + 543)
	}
	return c.Redirect("/holidays?done=saved&year="+url.QueryEscape(year), fiber.StatusSeeOther)
}

// DeleteHoliday removes the holiday on :date (POST /holidays/:date/delete).
func (w *Pages) DeleteHoliday(c *fiber.Ctx) error {
	if err := w.d.Admin.DeleteHoliday(c.UserContext(), principal(c), param(c, "date")); err != nil {
		return w.fail(c, err)
	}
	return c.Redirect("/holidays?done=deleted", fiber.StatusSeeOther)
}

// targetSetsPage is the data of the target sets page.
type targetSetsPage struct {
	Items []admin.TargetSetView
	Form  map[string]string
	Done  string
}

// MemberNames lists a set's members by name for the form.
func (targetSetsPage) MemberNames(s admin.TargetSetView) string {
	names := make([]string, len(s.Members))
	for i, m := range s.Members {
		names[i] = m.NameTH
	}
	return strings.Join(names, ", ")
}

// TargetSets lists the named sets of units (GET /target-sets), e.g. the
// 10 pilot provinces, with the form that creates or replaces one.
func (w *Pages) TargetSets(c *fiber.Ctx) error {
	return w.showTargetSets(c, fiber.StatusOK, targetSetsPage{Done: c.Query("done")}, nil)
}

func (w *Pages) showTargetSets(c *fiber.Ctx, status int, data targetSetsPage, errs map[string]string) error {
	page, err := w.d.Admin.ListTargetSets(c.UserContext(), principal(c))
	if err != nil {
		return w.fail(c, err)
	}
	data.Items = page.Items
	return w.renderForm(c, status, "targetsets", "nav_targetsets", data, errs)
}

// PutTargetSet creates or replaces a set (POST /target-sets with code,
// name_th, name_en and members: provinces by name or unit codes,
// comma-separated). Unknown names come back with the closest real ones.
func (w *Pages) PutTargetSet(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range []string{"code", "name_th", "name_en", "members"} {
		form[k] = strings.TrimSpace(formbody.Value(c, k))
	}
	var members []string
	for _, m := range strings.Split(form["members"], ",") {
		if m = strings.TrimSpace(m); m != "" {
			members = append(members, m)
		}
	}
	_, err := w.d.Admin.PutTargetSet(c.UserContext(), principal(c), form["code"],
		admin.TargetSetRequest{NameTH: form["name_th"], NameEN: form["name_en"], Members: members})
	if err != nil {
		l := w.localizer(c)
		if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
			field := e.Field
			if strings.HasPrefix(field, "members") || field == "" {
				field = "members"
			}
			return w.showTargetSets(c, fiber.StatusUnprocessableEntity, targetSetsPage{Form: form}, map[string]string{field: messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return c.Redirect("/target-sets?done=saved", fiber.StatusSeeOther)
}

// auditPage is the data of the audit trail page.
type auditPage struct {
	Items             []admin.AuditView
	Total             int64
	Actor, EntityType string
	From, To          string
}

// ExportLink is the CSV export of the chosen period.
func (a auditPage) ExportLink() string {
	return "/audit/export?from=" + url.QueryEscape(a.From) + "&to=" + url.QueryEscape(a.To)
}

// Audit shows the audit trail, newest first (GET /audit, filter by actor
// and entity type), with the CSV export of a period. Admins and the
// secretariat.
func (w *Pages) Audit(c *fiber.Ctx) error {
	data := auditPage{Actor: strings.TrimSpace(c.Query("actor")), EntityType: strings.TrimSpace(c.Query("entity_type")),
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	page, err := w.d.Admin.Audit(c.UserContext(), principal(c), admin.AuditFilter{Actor: data.Actor, EntityType: data.EntityType,
		Window: listing.Window{Limit: 200}})
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "audit", "nav_audit", data, errs)
		}
		return w.fail(c, err)
	}
	data.Items, data.Total = page.Items, page.Total
	return w.render(c, fiber.StatusOK, "audit", "nav_audit", data)
}

// ExportAudit downloads the audit trail of a period as CSV or, with
// format=xlsx, as an Excel workbook (GET /audit/export?from=&to=&format=,
// dates as ISO or Thai); the export is audited.
func (w *Pages) ExportAudit(c *fiber.Ctx) error {
	exp, err := w.d.Admin.ExportAudit(c.UserContext(), principal(c),
		admin.AuditExportFilter{From: c.Query("from"), To: c.Query("to"), Format: c.Query("format")})
	if err != nil {
		return w.fail(c, err)
	}
	return download.Export(c, exp.Format, exp.Table(), w.d.Logger, "")
}
