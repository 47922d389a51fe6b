package api

import (
	"github.com/gofiber/fiber/v2"
)

// LetterParseRequest is the body of POST /directives/parse: an official
// letter as pasted.
type LetterParseRequest struct {
	Text string `json:"text" validate:"max=100000"`
}

// parseLetter answers POST /directives/parse: the letter read into a
// draft for POST /directives, with warnings and the target names that
// match no unit (directives.ParsedLetter). Nothing is issued.
func parseLetter(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req LetterParseRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.ParseLetter(c.UserContext(), principal(c), req.Text)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}
