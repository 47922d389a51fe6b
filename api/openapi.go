package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the OpenAPI 3 description of /api/v1. A test checks that
// every registered route is documented here.
//
//go:embed openapi.json
var openAPIDoc []byte

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}
