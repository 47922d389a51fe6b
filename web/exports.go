package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// matrixFilter binds the matrix filters of the directive page (region,
// province).
func matrixFilter(c *fiber.Ctx) (directives.MatrixFilter, error) {
	f := directives.MatrixFilter{Province: strings.TrimSpace(c.Query("province"))}
	if r := c.Query("region"); r != "" {
		n, err := thaidate.ParseInt(r)
		if err != nil || n < 0 || n > 18 {
			return f, apperr.Field("region", "เขตตรวจราชการต้องเป็น 0–18 (region must be 0–18)")
		}
		f.Region, f.HasRegion = n, true
	}
	return f, nil
}

// exportMatrix downloads a directive's units × items matrix as a
// spreadsheet (GET /directives/:id?format=xlsx|csv&region=&province=),
// within the reader's scope, headed in the page's language.
func (w *Pages) exportMatrix(c *fiber.Ctx) error {
	format, err := export.ParseFormat(c.Query("format"))
	if err != nil {
		return w.fail(c, err)
	}
	f, err := matrixFilter(c)
	if err != nil {
		return w.fail(c, err)
	}
	id := param(c, "id")
	m, err := w.d.Directives.Matrix(c.UserContext(), principal(c), id, f)
	if err != nil {
		return w.fail(c, err)
	}
	if format == "" { // format=json: the page
		return c.Redirect("/directives/"+url.PathEscape(id), fiber.StatusSeeOther)
	}
	return download.Export(c, format, directives.MatrixTable(m, w.localizer(c).EN()), w.d.Logger, "")
}

// ExportPath is the download of the matrix as shown (its filters) in
// format (xlsx or csv).
func (d directivePage) ExportPath(format string) string {
	q := url.Values{"format": {format}}
	if d.Region != "" {
		q.Set("region", d.Region)
	}
	if d.Province != "" {
		q.Set("province", d.Province)
	}
	return d.Path() + "?" + q.Encode()
}

// exportWork downloads "my work" as a spreadsheet (GET
// /assignments?format=xlsx|csv&directive=&status=&overdue=on): every
// assignment the filters select in the reader's scope, one row per item.
func (w *Pages) exportWork(c *fiber.Ctx) error {
	p := principal(c)
	format, err := export.ParseFormat(c.Query("format"))
	if err != nil {
		return w.fail(c, err)
	}
	f := directives.AssignmentFilter{DirectiveID: strings.TrimSpace(c.Query("directive")), Status: c.Query("status")}
	if p.HasRole(models.RoleDistrict) && !p.HasRole(models.RoleProvince) {
		f.UnitCode = p.UnitCode
	}
	if c.Query("overdue") == "on" {
		f.Overdue, f.HasOverdue = true, true
	}
	if format == "" {
		return c.Redirect("/assignments", fiber.StatusSeeOther)
	}
	t, err := w.d.Directives.ExportAssignments(c.UserContext(), p, f, w.localizer(c).EN())
	if err != nil {
		return w.fail(c, err)
	}
	return download.Export(c, format, t, w.d.Logger, "")
}

// ExportPath is the download of the list as filtered in format (xlsx or
// csv).
func (d workPage) ExportPath(format string) string {
	q := url.Values{"format": {format}}
	if d.Directive != "" {
		q.Set("directive", d.Directive)
	}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	if d.Overdue {
		q.Set("overdue", "on")
	}
	return "/assignments?" + q.Encode()
}
