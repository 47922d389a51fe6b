package download

import (
	"bufio"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/export"
)

// Export sends t as a download in format f (export.CSV or export.XLSX)
// named t.Filename(f), never cached. The rows are read while the answer is
// written, after the handler returned: every check (authorization,
// filters) must be done before, so that a refusal is still a JSON error.
// An error met in the rows ends the file with a row saying it is
// incomplete (export.IncompleteText) and is logged with requestID, as is
// a client that went away.
func Export(c *fiber.Ctx, f export.Format, t export.Table, log *slog.Logger, requestID string) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, t.ContentDisposition(f))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		err := export.Write(w, f, t)
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		if err != nil {
			log.Warn("export not sent whole", "request_id", requestID, "file", t.Filename(f), "error", err)
		}
	})
	return nil
}
