package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The iCalendar feed of a unit, GET /units/{code}/meetings.ics?token=…, is
// built by meetings.Service.Feed. The route sits outside the
// bearer-authenticated group (routes.go) so calendar apps can subscribe to
// the link; the feed secret is read from ?token= or the X-Feed-Token
// header.

// issueFeedToken answers POST /units/{code}/meetings.ics/token (201).
func issueFeedToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok, err := d.Meetings.IssueFeedToken(c.UserContext(), principal(c), c.Params("code"))
		if err != nil {
			return err
		}
		// The feed secret is answered once: an Idempotency-Key replay gets
		// the answer without it.
		c.Locals(secretFieldsKey, []string{"token", "url"})
		return c.Status(fiber.StatusCreated).JSON(tok)
	}
}

// meetingFeed answers GET /units/{code}/meetings.ics with text/calendar.
func meetingFeed(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		code := c.Params("code")
		tok := c.Query("token")
		if tok == "" {
			tok = c.Get("X-Feed-Token")
		}
		cal, err := d.Meetings.Feed(c.UserContext(), code, tok)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `inline; filename="meetings-`+strings.ReplaceAll(code, `"`, "")+`.ics"`)
		return c.SendString(cal)
	}
}
