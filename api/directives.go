package api

import (
	"fmt"
	"hash/fnv"
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// The handlers of the directive domain: each binds the request, calls
// d.Directives with the caller (authorization is the service's) and
// renders the answer.

func issueDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.DirectiveRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.Issue(c.UserContext(), principal(c), req)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(out)
	}
}

func issueMeetingDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.MeetingDirectiveRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.IssueResolution(c.UserContext(), principal(c), c.Params("id"), req)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(out)
	}
}

func listDirectives(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := window(c)
		if err != nil {
			return err
		}
		out, err := d.Directives.List(c.UserContext(), principal(c), directives.DirectiveFilter{
			Status: c.Query("status"), Source: c.Query("source"), MeetingID: c.Query("meeting"), Query: c.Query("q"), Window: w})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func getDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Directives.Directive(c.UserContext(), principal(c), c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// directiveMatrix answers GET /directives/{id}/matrix: the units × items
// grid as JSON, or with format=csv|xlsx as a spreadsheet file
// (directives.MatrixTable) under the same filters and scope.
func directiveMatrix(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, hasRegion, err := queryInt(c, "region", 0, 18)
		if err != nil {
			return err
		}
		format, err := export.ParseFormat(c.Query("format"))
		if err != nil {
			return err
		}
		out, err := d.Directives.Matrix(c.UserContext(), principal(c), c.Params("id"), directives.MatrixFilter{
			Region: region, HasRegion: hasRegion, Province: c.Query("province"), UnitType: models.UnitType(c.Query("type"))})
		if err != nil {
			return err
		}
		if format != "" {
			return download.Export(c, format, directives.MatrixTable(out, false), d.Logger, requestID(c))
		}
		// The directive's stamp names its state; the grid also depends on
		// who asks (scope) and the filters, so the ETag carries both and a
		// browser shared by two accounts never revalidates one's grid as
		// the other's.
		etag := `"` + out.Stamp + "." + matrixViewKey(principal(c), string(c.Request().URI().QueryString())) + `"`
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		// A large grid is encoded once per reading, whoever asks.
		b, err := out.JSON()
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(b)
	}
}

func amendDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.AmendRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.Amend(c.UserContext(), principal(c), c.Params("id"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func addDirectiveTargets(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.AddTargetsRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.AddTargets(c.UserContext(), principal(c), c.Params("id"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func withdrawDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.WithdrawRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.Withdraw(c.UserContext(), principal(c), c.Params("id"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// uploadAttachments binds multipart/form-data with one or more parts named
// "file"; any other part is refused before anything is stored. The answer
// is 201 when a file was new, 200 when all were stored already.
func uploadAttachments(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); mt != fiber.MIMEMultipartForm {
			return apperr.New(apperr.BadRequest,
				"ส่งไฟล์แนบเป็น multipart/form-data ในช่อง file (send attachments as multipart/form-data parts named file, not %q)", mt)
		}
		form, err := formbody.Parsed(c)
		if err != nil {
			return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart/form-data ไม่ได้ (malformed multipart body): %v", err)
		}
		for k := range form.Value {
			return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ ส่งไฟล์ในช่อง file เท่านั้น (unknown field; send files in parts named file)")
		}
		for k := range form.File {
			if k != directives.AttachmentField {
				return apperr.Field(k, "ไฟล์แนบต้องส่งในช่อง file (attachments go in parts named file)")
			}
		}
		out, err := d.Directives.UploadAttachments(c.UserContext(), principal(c), c.Params("id"), form.File[directives.AttachmentField])
		if err != nil {
			return err
		}
		status := fiber.StatusOK
		for _, it := range out.Items {
			if it.Created {
				status = fiber.StatusCreated
			}
		}
		return c.Status(status).JSON(out)
	}
}

func downloadAttachment(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		aid, err := strconv.ParseInt(thaidate.NormalizeDigits(strings.TrimSpace(c.Params("aid"))), 10, 64)
		if err != nil || aid < 1 {
			return apperr.Field("aid", "รหัสไฟล์แนบต้องเป็นจำนวนเต็มบวก (attachment id must be a positive integer)")
		}
		f, err := d.Directives.Attachment(c.UserContext(), principal(c), c.Params("id"), aid)
		if err != nil {
			return err
		}
		return download.Send(c, f)
	}
}

// listAssignments answers GET /assignments: a page of the caller's
// assignments as JSON, or with format=csv|xlsx every assignment the
// filters select (limit and offset ignored) as a spreadsheet file, one row
// per item, streamed as it is read.
func listAssignments(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, hasRegion, err := queryInt(c, "region", 0, 18)
		if err != nil {
			return err
		}
		overdue, hasOverdue, err := queryBool(c, "overdue")
		if err != nil {
			return err
		}
		w, err := window(c)
		if err != nil {
			return err
		}
		format, err := export.ParseFormat(c.Query("format"))
		if err != nil {
			return err
		}
		f := directives.AssignmentFilter{
			DirectiveID: c.Query("directive"), UnitCode: c.Query("unit"), Status: c.Query("status"),
			Overdue: overdue, HasOverdue: hasOverdue, Region: region, HasRegion: hasRegion, Window: w}
		if format != "" {
			t, err := d.Directives.ExportAssignments(c.UserContext(), principal(c), f, false)
			if err != nil {
				return err
			}
			return download.Export(c, format, t, d.Logger, requestID(c))
		}
		out, err := d.Directives.ListAssignments(c.UserContext(), principal(c), f)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func getAssignment(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Directives.Assignment(c.UserContext(), principal(c), c.Params("id"), c.Params("unit"))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func acknowledgeAssignment(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.AcknowledgeRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.Acknowledge(c.UserContext(), principal(c), c.Params("id"), c.Params("unit"), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// reportRef binds the :id, :unit, :number and :rid path parameters.
func reportRef(c *fiber.Ctx) (directives.ReportRef, error) {
	n, err := directives.ParseItemNumber(c.Params("number"))
	if err != nil {
		return directives.ReportRef{}, err
	}
	return directives.ReportRef{DirectiveID: c.Params("id"), UnitCode: c.Params("unit"), ItemNumber: n, ReportID: c.Params("rid")}, nil
}

// submitReport binds a report sent as application/json ({"text","cycle"})
// or as multipart/form-data (text, cycle and files in parts named
// evidence; any other part is refused).
func submitReport(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := reportRef(c)
		if err != nil {
			return err
		}
		sub := directives.ReportSubmission{IdempotencyKey: c.Get(HeaderIdempotencyKey)}
		switch mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); mt {
		case "", fiber.MIMEApplicationJSON:
			var req directives.ReportRequest
			if err := decodeJSON(c, &req); err != nil {
				return err
			}
			sub.Text, sub.Cycle = req.Text, int(req.Cycle)
			sub.RecordSystem, sub.RecordNumber = req.RecordSystem, req.RecordNumber
		case fiber.MIMEMultipartForm:
			form, err := formbody.Parsed(c)
			if err != nil {
				return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart/form-data ไม่ได้ (malformed multipart body): %v", err)
			}
			for k, v := range form.Value {
				switch k {
				case "text", "cycle", "record_system", "record_number":
					if len(v) != 1 {
						return apperr.Field(k, "ต้องส่งช่องนี้ครั้งเดียว (send this field once)")
					}
				default:
					return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ ใช้ text, cycle, record_system, record_number และ evidence (unknown field; use text, cycle, record_system, record_number and evidence)")
				}
			}
			for k := range form.File {
				if k != "evidence" {
					return apperr.Field(k, "ไฟล์หลักฐานต้องส่งในช่อง evidence (evidence files go in parts named evidence)")
				}
			}
			if v := form.Value["text"]; len(v) == 1 {
				sub.Text = v[0]
			}
			if v := form.Value["record_system"]; len(v) == 1 {
				sub.RecordSystem = v[0]
			}
			if v := form.Value["record_number"]; len(v) == 1 {
				sub.RecordNumber = v[0]
			}
			if v := form.Value["cycle"]; len(v) == 1 && strings.TrimSpace(v[0]) != "" {
				n, err := thaidate.ParseInt(strings.TrimSpace(v[0]))
				if err != nil {
					return apperr.Field("cycle", "รอบต้องเป็นจำนวนเต็ม (cycle must be an integer)")
				}
				sub.Cycle = n
			}
			sub.Files = form.File["evidence"]
		default:
			return apperr.New(apperr.BadRequest,
				"ส่งรายงานเป็น application/json หรือ multipart/form-data เท่านั้น (send the report as application/json or multipart/form-data, not %q)", mt)
		}
		out, err := d.Directives.SubmitReport(c.UserContext(), principal(c), ref, sub)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func reviewReport(d *Deps, decision workflows.ReviewDecision) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := reportRef(c)
		if err != nil {
			return err
		}
		var req directives.ReviewRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.Review(c.UserContext(), principal(c), ref, decision, req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func downloadEvidence(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := reportRef(c)
		if err != nil {
			return err
		}
		n, err := thaidate.ParseInt(strings.TrimSpace(c.Params("n")))
		if err != nil {
			return apperr.Field("n", "ลำดับไฟล์หลักฐานต้องเป็นจำนวนเต็มตั้งแต่ 0 (evidence index must be an integer from 0)")
		}
		f, err := d.Directives.Evidence(c.UserContext(), principal(c), ref, n)
		if err != nil {
			return err
		}
		return download.Send(c, f)
	}
}

func listEscalations(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		region, hasRegion, err := queryInt(c, "region", 0, 18)
		if err != nil {
			return err
		}
		level, hasLevel, err := queryInt(c, "level", 1, 3)
		if err != nil {
			return err
		}
		open, hasOpen, err := queryBool(c, "open")
		if err != nil {
			return err
		}
		w, err := window(c)
		if err != nil {
			return err
		}
		out, err := d.Directives.ListEscalations(c.UserContext(), principal(c), directives.EscalationFilter{
			DirectiveID: c.Query("directive"), UnitCode: c.Query("unit"), Region: region, HasRegion: hasRegion,
			Level: level, HasLevel: hasLevel, Open: open, HasOpen: hasOpen, Window: w})
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func escalationAction(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req directives.EscalationActionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		out, err := d.Directives.ActOnEscalation(c.UserContext(), principal(c), directives.EscalationIDFromKey(c.Params("key")), req)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// matrixViewKey names what a matrix request may see besides the
// directive's state: the account's role, unit and regions and the query.
func matrixViewKey(p *auth.Principal, query string) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%v|%s", p.Role, p.UnitCode, p.Regions, query)
	return strconv.FormatUint(h.Sum64(), 36)
}
