package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// maxUnitFileBytes bounds an uploaded units file (the 928 districts are
// about 60 KB).
const maxUnitFileBytes = 5 << 20

// unitsPage is the data of the units import page: the result of an import
// or the errors of the rows that stopped it, by line.
type unitsPage struct {
	Result  *store.ImportResult
	Rows    []store.RowError
	Message string
}

// Units shows the form that imports units from a CSV file (GET
// /admin/units), with the upload's progress bar. Admins only.
func (w *Pages) Units(c *fiber.Ctx) error {
	if err := principal(c).Require(models.RoleAdmin); err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "units", "nav_units", unitsPage{})
}

// ImportUnits imports the uploaded file (POST /admin/units, multipart
// "file"): all rows or none; every wrong row is listed with its line.
func (w *Pages) ImportUnits(c *fiber.Ctx) error {
	l := w.localizer(c)
	fh, err := formbody.File(c, "file")
	if err != nil {
		return w.render(c, fiber.StatusUnprocessableEntity, "units", "nav_units", unitsPage{Message: l.T("units_no_file")})
	}
	if fh.Size > maxUnitFileBytes {
		return w.render(c, fiber.StatusUnprocessableEntity, "units", "nav_units", unitsPage{Message: l.T("units_too_big")})
	}
	f, err := fh.Open()
	if err != nil {
		return w.fail(c, err)
	}
	defer f.Close()
	res, err := w.d.Admin.ImportUnits(c.UserContext(), principal(c), f, fh.Filename)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
			rows, _ := e.Details.([]store.RowError)
			return w.render(c, fiber.StatusUnprocessableEntity, "units", "nav_units", unitsPage{Rows: rows, Message: messageIn(l, e.Message)})
		}
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "units", "nav_units", unitsPage{Result: &res})
}
