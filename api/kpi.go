package api

import (
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/download"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// The KPI handlers bind the request into the input types of package
// internal/kpi, call Deps.KPI, which decides who may do what, and render
// its answer. Rules and errors are documented on kpi.Service.

// pathID reads a positive integer path parameter (Thai digits accepted);
// anything else is NotFound, as for an unknown record.
func pathID(c *fiber.Ctx, name string) (int64, error) {
	n, err := strconv.ParseInt(thaidate.NormalizeDigits(strings.TrimSpace(c.Params(name))), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.New(apperr.NotFound, "ไม่พบรายการ %q (not found)", c.Params(name))
	}
	return n, nil
}

// kpiCell reads {id}, {code} and {n} of a KPI cell route.
func kpiCell(c *fiber.Ctx) (kpi.CriterionRef, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return kpi.CriterionRef{}, err
	}
	n, err := pathID(c, "n")
	if err != nil {
		return kpi.CriterionRef{}, err
	}
	return kpi.CriterionRef{SchemeID: id, UnitCode: c.Params("code"), Criterion: int(n)}, nil
}

// kpiEntry reads a KPI cell and {eid}.
func kpiEntry(c *fiber.Ctx) (kpi.EntryRef, error) {
	ref, err := kpiCell(c)
	if err != nil {
		return kpi.EntryRef{}, err
	}
	eid, err := pathID(c, "eid")
	if err != nil {
		return kpi.EntryRef{}, err
	}
	return kpi.EntryRef{CriterionRef: ref, EntryID: eid}, nil
}

// listKPITemplates answers GET /kpi/templates.
func listKPITemplates(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.KPI.Templates(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": out, "total": len(out)})
	}
}

// listKPISchemes answers GET /kpi/schemes.
func listKPISchemes(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.KPI.ListSchemes(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// createKPIScheme answers POST /kpi/schemes (201).
func createKPIScheme(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in kpi.SchemeInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		out, err := d.KPI.CreateScheme(c.UserContext(), principal(c), in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(out)
	}
}

// getKPIScheme answers GET /kpi/schemes/{id}.
func getKPIScheme(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		out, err := d.KPI.Scheme(c.UserContext(), principal(c), id)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// kpiScores answers GET /kpi/schemes/{id}/scores[?format=csv|xlsx&lang=en]:
// JSON, or the same rows as a spreadsheet download.
func kpiScores(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		format, err := export.ParseFormat(c.Query("format"))
		if err != nil {
			return err
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		ctx, p := c.UserContext(), principal(c)
		out, err := d.KPI.Scores(ctx, p, id)
		if err != nil {
			return err
		}
		if format == "" {
			return c.JSON(out)
		}
		det, err := d.KPI.Scheme(ctx, p, id)
		if err != nil {
			return err
		}
		return download.Export(c, format, kpi.ScoresTable(out, det.Criteria, c.Query("lang") == "en"), d.Logger, requestID(c))
	}
}

// kpiBreakdown answers GET /kpi/schemes/{id}/provinces/{code}.
func kpiBreakdown(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		out, err := d.KPI.Breakdown(c.UserContext(), principal(c), id, c.Params("code"))
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// submitKPIEntry answers POST …/criteria/{n}/entries (201): JSON
// kpi.EntryInput, or multipart/form-data with score, value, note and up to
// 10 evidence files.
func submitKPIEntry(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := kpiCell(c)
		if err != nil {
			return err
		}
		var sub kpi.EntrySubmission
		switch mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); mt {
		case "", fiber.MIMEApplicationJSON:
			if err := decodeJSON(c, &sub.EntryInput); err != nil {
				return err
			}
		case fiber.MIMEMultipartForm:
			form, err := formbody.Parsed(c)
			if err != nil {
				return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart/form-data ไม่ได้ (malformed multipart body): %v", err)
			}
			for k, v := range form.Value {
				switch k {
				case "score", "value", "note":
					if len(v) != 1 {
						return apperr.Field(k, "ต้องส่งช่องนี้ครั้งเดียว (send this field once)")
					}
				default:
					return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ ใช้ score, value, note และ evidence (unknown field; use score, value, note and evidence)")
				}
			}
			for k := range form.File {
				if k != kpi.EvidenceField {
					return apperr.Field(k, "ไฟล์หลักฐานต้องส่งในช่อง evidence (evidence files go in parts named evidence)")
				}
			}
			if v := form.Value["score"]; len(v) == 1 && strings.TrimSpace(v[0]) != "" {
				f, err := strconv.ParseFloat(thaidate.NormalizeDigits(strings.TrimSpace(v[0])), 64)
				if err != nil {
					return apperr.Field("score", "คะแนนต้องเป็นตัวเลข (score must be a number)")
				}
				sub.Score = &f
			}
			if v := form.Value["value"]; len(v) == 1 {
				sub.Value = v[0]
			}
			if v := form.Value["note"]; len(v) == 1 {
				sub.Note = v[0]
			}
			sub.Files = form.File[kpi.EvidenceField]
		default:
			return apperr.New(apperr.BadRequest,
				"ส่งเป็น application/json หรือ multipart/form-data เท่านั้น (send application/json or multipart/form-data, not %q)", mt)
		}
		out, err := d.KPI.SubmitEntry(c.UserContext(), principal(c), ref, sub)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(out)
	}
}

// reviewKPIEntry answers POST …/entries/{eid}/verify and …/return.
func reviewKPIEntry(d *Deps, verify bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := kpiEntry(c)
		if err != nil {
			return err
		}
		var in kpi.ReviewInput
		if err := decodeOptionalJSON(c, &in); err != nil {
			return err
		}
		review := d.KPI.ReturnEntry
		if verify {
			review = d.KPI.VerifyEntry
		}
		out, err := review(c.UserContext(), principal(c), ref, in)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// downloadKPIEvidence answers GET …/entries/{eid}/evidence/{i}.
func downloadKPIEvidence(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ref, err := kpiEntry(c)
		if err != nil {
			return err
		}
		i, err := thaidate.ParseInt(strings.TrimSpace(c.Params("i")))
		if err != nil || i < 0 {
			return apperr.New(apperr.NotFound, "ไม่พบไฟล์หลักฐาน (evidence file not found)")
		}
		f, err := d.KPI.Evidence(c.UserContext(), principal(c), ref, i)
		if err != nil {
			return err
		}
		return download.Send(c, f)
	}
}
