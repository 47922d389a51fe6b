package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/models"
)

// The handlers of the administration domain (units, holidays, target sets,
// audit): bind, call d.Admin with the caller, render.

func listUnits(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, hasRegion, err := queryInt(c, "region", 0, 18)
		if err != nil {
			return err
		}
		limit, offset, err := limitOffset(c, 1000, 5000)
		if err != nil {
			return err
		}
		f := admin.UnitFilter{Type: models.UnitType(c.Query("type")), Region: region, HasRegion: hasRegion, ParentCode: c.Query("parent")}
		f.Limit, f.Offset = limit, offset
		out, err := d.Admin.ListUnits(c.UserContext(), principal(c), f)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func getUnit(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Admin.Unit(c.UserContext(), principal(c), c.Params("code"))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// listHolidays answers GET /holidays?year=2568 (Buddhist or Christian era).
func listHolidays(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		year, _, err := queryInt(c, "year", 1900, 2700)
		if err != nil {
			return err
		}
		out, err := d.Admin.ListHolidays(c.UserContext(), principal(c), year)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func putHoliday(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req admin.HolidayRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Admin.PutHoliday(c.UserContext(), principal(c), c.Params("date"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func deleteHoliday(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := d.Admin.DeleteHoliday(c.UserContext(), principal(c), c.Params("date")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func listTargetSets(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Admin.ListTargetSets(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func getTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Admin.TargetSet(c.UserContext(), principal(c), c.Params("code"))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func putTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req admin.TargetSetRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Admin.PutTargetSet(c.UserContext(), principal(c), c.Params("code"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func deleteTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := d.Admin.DeleteTargetSet(c.UserContext(), principal(c), c.Params("code")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// listAudit answers GET /audit?entity_type=&entity_id=&actor=.
func listAudit(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit, offset, err := limitOffset(c, 100, 1000)
		if err != nil {
			return err
		}
		f := admin.AuditFilter{EntityType: c.Query("entity_type"), EntityID: c.Query("entity_id"), Actor: c.Query("actor")}
		f.Limit, f.Offset = limit, offset
		out, err := d.Admin.Audit(c.UserContext(), principal(c), f)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// exportAudit answers GET /audit/export?from=&to=&format=csv|xlsx: the
// audit events of a period, oldest first, as a CSV file (the default) or an
// Excel workbook (internal/export: a Thai header row; CSV in UTF-8 with a
// byte-order mark and every cell neutralised against formulas), streamed
// as it is read. Rules and errors are the admin service's, all checked
// before the first byte; a database error in mid-stream ends the file with
// a row saying the export is incomplete.
func exportAudit(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		exp, err := d.Admin.ExportAudit(c.UserContext(), principal(c),
			admin.AuditExportFilter{From: c.Query("from"), To: c.Query("to"), Format: c.Query("format")})
		if err != nil {
			return err
		}
		return download.Export(c, exp.Format, exp.Table(), d.Logger, requestID(c))
	}
}
