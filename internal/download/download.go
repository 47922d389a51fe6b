// Package download sends stored files (directive attachments, report
// evidence) as HTTP downloads; the JSON API and the web pages share it.
package download

import (
	"mime"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/directives"
)

// Send streams an opened attachment or evidence file as a download named
// by its original name, never rendered in place (fasthttp closes the file
// once sent).
func Send(c *fiber.Ctx, f directives.StoredFile) error {
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})
	if disposition == "" {
		disposition = "attachment"
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, `"`+f.SHA256+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.SendStream(f.File, int(f.Size))
}
