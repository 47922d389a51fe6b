package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/download"
)

// Attachment downloads one attachment of a directive the reader may see
// (GET /directives/:id/attachments/:aid).
func (w *Pages) Attachment(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("aid"), 10, 64)
	if err != nil || id <= 0 {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	f, err := w.d.Directives.Attachment(c.UserContext(), principal(c), param(c, "id"), id)
	if err != nil {
		return w.fail(c, err)
	}
	return download.Send(c, f)
}

// Evidence downloads evidence file :i of a report the reader may see (GET
// /directives/:id/assignments/:unit/items/:n/reports/:rid/evidence/:i).
func (w *Pages) Evidence(c *fiber.Ctx) error {
	n, err := directives.ParseItemNumber(c.Params("n"))
	if err != nil {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	i, err := strconv.Atoi(c.Params("i"))
	if err != nil || i < 0 {
		return w.fail(c, apperr.New(apperr.NotFound, "not found"))
	}
	ref := directives.ReportRef{DirectiveID: param(c, "id"), UnitCode: param(c, "unit"), ItemNumber: n, ReportID: param(c, "rid")}
	f, err := w.d.Directives.Evidence(c.UserContext(), principal(c), ref, i)
	if err != nil {
		return w.fail(c, err)
	}
	return download.Send(c, f)
}
