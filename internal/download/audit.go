package download

import (
	"bufio"
	"log/slog"
	"mime"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/csvout"
)

// AuditCSV streams an audit export as a CSV download named after its
// period (tidtam-audit-from-…-to-….csv), reading the rows while it writes
// them. A database error met on the way ends the file with a line saying
// the export is incomplete, and is logged with requestID.
func AuditCSV(c *fiber.Ctx, exp admin.AuditExport, log *slog.Logger, requestID string) error {
	name := "tidtam-audit"
	if exp.From != "" {
		name += "-from-" + exp.From
	}
	if exp.To != "" {
		name += "-to-" + exp.To
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name + ".csv"}))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		cw := csvout.NewWriter(w)
		err := cw.Write(admin.AuditCSVHeader)
		for v, rerr := range exp.Rows {
			if err != nil {
				break
			}
			if rerr != nil {
				log.Error("audit export failed", "request_id", requestID, "error", rerr)
				err = cw.Write([]string{"การส่งออกไม่สมบูรณ์ (export incomplete): อ่านฐานข้อมูลไม่ได้ (the database could not be read)"})
				break
			}
			err = cw.Write(admin.AuditCSVRow(v))
		}
		if ferr := cw.Flush(); err == nil {
			err = ferr
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Warn("audit export not sent whole", "request_id", requestID, "error", err)
		}
	})
	return nil
}
