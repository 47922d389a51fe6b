package api

import (
	"bytes"
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the OpenAPI 3 description of the HTTP interface, served at
// GET /api/v1/openapi.json.
//
// The document is written by hand, not generated from the handlers: it is
// the API contract, reviewed like code, and it says what the handlers
// cannot (which roles may call, which errors each operation answers, what
// Thai forms an input accepts). The tests keep it true instead: they load
// it with kin-openapi and validate it, check that it documents exactly the
// registered routes, and validate every request and response the API
// tests make against it, so it cannot drift from the code.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIDocument returns the OpenAPI 3 document (JSON) served at
// GET /api/v1/openapi.json. The slice is a copy: callers may change it.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDoc) }

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}
