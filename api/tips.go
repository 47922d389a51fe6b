package api

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/internal/validate"
)

// TipReceiptRequest is the body of POST /api/v1/tips/follow-up: the
// receipt code, in the body so that it never reaches a URL or a log.
type TipReceiptRequest struct {
	Receipt string `json:"receipt" validate:"max=64,singleline"`
}

// TipMessageRequest is the body of POST /api/v1/tips/messages: the
// receipt code and the informant's text (blank allowed when files come
// with it, as multipart/form-data).
type TipMessageRequest struct {
	Receipt string `json:"receipt" validate:"max=64,singleline"`
	Text    string `json:"text" validate:"max=5000"`
}

// registerTipRoutes: the informant's side of the tip-off channel, public
// (no account: the receipt code is the only credential) and not behind
// the Idempotency-Key store, which would keep the receipt; submission_id
// makes a submission's retry safe instead.
func registerTipRoutes(r fiber.Router, d *Deps) {
	r.Post("/tips", submitTip(d))
	r.Post("/tips/follow-up", followUpTip(d))
	r.Post("/tips/messages", addTipMessage(d))
	r.Get("/tips/challenges/:id/image.png", tipChallenge(d, "png"))
	r.Get("/tips/challenges/:id/audio.wav", tipChallenge(d, "wav"))
	r.Get("/units/:code/tip-qr.png", tipQR(d, "png"))
	r.Get("/units/:code/tip-qr.svg", tipQR(d, "svg"))
}

// submitTip answers POST /api/v1/tips (201 with the receipt): a JSON
// body (tips.SubmitInput), or multipart/form-data with the same fields
// and up to tips.MaxFiles parts named "files" (readTipForm).
func submitTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req tips.SubmitInput
		var err error
		if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
			err = readTipForm(c, &req)
		} else {
			err = decodeJSON(c, &req)
		}
		if err != nil {
			return err
		}
		r, err := d.Tips.Submit(c.UserContext(), req)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(r)
	}
}

// tipFormFields are the multipart fields of POST /api/v1/tips besides
// "files".
var tipFormFields = map[string]bool{"province_code": true, "district_code": true, "text": true, "when": true,
	"officials_involved": true, "submission_id": true, "challenge_id": true, "challenge_answer": true}

// readTipForm reads a multipart tip into req, in memory: a body over
// tips.MaxFormBytes is refused before the form is parsed, so no part is
// ever spilled to a temporary file. Invalid naming an unknown field or
// officials_involved that is not a boolean; then as decodeJSON's
// validation.
func readTipForm(c *fiber.Ctx, req *tips.SubmitInput) error {
	if formbody.TooLarge(c) {
		return apperr.Field("files", "ไฟล์รวมกันใหญ่เกิน %d ไบต์ (files larger than %d bytes together)", tips.MaxFilesBytes, tips.MaxFilesBytes)
	}
	form, err := formbody.Parsed(c)
	if err != nil {
		return apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart ไม่ได้ (cannot read multipart/form-data): %v", err)
	}
	for k := range form.Value {
		if !tipFormFields[k] {
			return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ (unknown field)")
		}
	}
	for k := range form.File {
		if k != "files" {
			return apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ (unknown field)")
		}
	}
	get := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	req.ProvinceCode, req.DistrictCode, req.Text = get("province_code"), get("district_code"), get("text")
	req.When, req.SubmissionID = get("when"), get("submission_id")
	req.ChallengeID, req.ChallengeAnswer = get("challenge_id"), get("challenge_answer")
	switch strings.ToLower(get("officials_involved")) {
	case "", "false", "0", "off":
	case "true", "1", "on":
		req.OfficialsInvolved = true
	default:
		return apperr.Field("officials_involved", "ต้องเป็น true หรือ false (must be true or false)")
	}
	if err := validate.Struct(req); err != nil {
		return err
	}
	req.Files, err = tips.FilesFromForm(form, "files")
	return err
}

func followUpTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipReceiptRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := d.Tips.FollowUp(c.UserContext(), req.Receipt)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(v)
	}
}

// addTipMessage answers POST /api/v1/tips/messages (201 with the tip as
// at follow-up): a JSON body (TipMessageRequest), or multipart/form-data
// with the fields "receipt" and "text" and up to tips.MaxFiles parts named
// "files", read wholly in memory (readTipMessageForm) and checked,
// stripped and sealed as at submission (tips.Service.AddMessage).
func addTipMessage(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipMessageRequest
		var files []tips.FileInput
		var err error
		if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
			files, err = readTipMessageForm(c, &req)
		} else {
			err = decodeJSON(c, &req)
		}
		if err != nil {
			return err
		}
		v, err := d.Tips.AddMessage(c.UserContext(), req.Receipt, req.Text, files)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(v)
	}
}

// readTipMessageForm reads a multipart follow-up message into req and
// returns its files, all in memory (a body over tips.MaxFormBytes was left
// unread: Invalid on "files"). Invalid naming an unknown field; then as
// decodeJSON's validation.
func readTipMessageForm(c *fiber.Ctx, req *TipMessageRequest) ([]tips.FileInput, error) {
	if formbody.TooLarge(c) {
		return nil, apperr.Field("files", "ไฟล์รวมกันใหญ่เกิน %d ไบต์ (files larger than %d bytes together)", tips.MaxFilesBytes, tips.MaxFilesBytes)
	}
	form, err := formbody.Parsed(c)
	if err != nil {
		return nil, apperr.New(apperr.BadRequest, "อ่านข้อมูล multipart ไม่ได้ (cannot read multipart/form-data): %v", err)
	}
	for k := range form.Value {
		if k != "receipt" && k != "text" {
			return nil, apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ (unknown field)")
		}
	}
	for k := range form.File {
		if k != "files" {
			return nil, apperr.Field(k, "ไม่รู้จักช่องข้อมูลนี้ (unknown field)")
		}
	}
	req.Receipt, req.Text = formbody.Value(c, "receipt"), formbody.Value(c, "text")
	if err := validate.Struct(req); err != nil {
		return nil, err
	}
	return tips.FilesFromForm(form, "files")
}

// tipChallenge answers GET /api/v1/tips/challenges/{id}/image.png (the image)
// or audio.wav (the digits read in English) of the challenge an address over
// the submission throttle was given (public; the ID carries the digits
// sealed, nothing is looked up about the caller).
func tipChallenge(d *Deps, format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var data []byte
		var err error
		if format == "wav" {
			data, err = d.Tips.ChallengeAudio(c.UserContext(), c.Params("id"))
			c.Set(fiber.HeaderContentType, "audio/wav")
		} else {
			data, err = d.Tips.ChallengeImage(c.UserContext(), c.Params("id"))
			c.Set(fiber.HeaderContentType, "image/png")
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(data)
	}
}

// tipQR answers the printable QR code of unit code's tip form (GET
// /api/v1/units/{code}/tip-qr.png or .svg; public: it holds only a
// link), for the signs the MOI letter asks every province and district to
// put up.
func tipQR(d *Deps, format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		target, err := d.Tips.Target(c.UserContext(), c.Params("code"))
		if err != nil {
			return err
		}
		path := target.Path
		base := strings.TrimRight(d.PublicURL, "/")
		if base == "" {
			base = c.BaseURL()
		}
		var img []byte
		if format == "svg" {
			img, err = tips.QRSVG(base + path)
			c.Set(fiber.HeaderContentType, "image/svg+xml")
		} else {
			img, err = tips.QRPNG(base+path, 512)
			c.Set(fiber.HeaderContentType, "image/png")
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		return c.Send(img)
	}
}

// listTips answers GET /api/v1/tips: the tips routed to the caller, each
// read audited (tips.Service.List).
func listTips(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := window(c)
		if err != nil {
			return err
		}
		out, err := d.Tips.List(c.UserContext(), principal(c), w)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(out)
	}
}

// tipCounts answers GET /api/v1/tips/counts: the national picture,
// without content (tips.Service.Counts).
func tipCounts(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := d.Tips.Counts(c.UserContext(), principal(c))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": out})
	}
}

// tipFile answers GET /api/v1/tips/{id}/files/{n}: file n of a tip,
// decrypted, as an attachment, to an officer who may read the tip; the
// read is audited (tips.Service.File).
func tipFile(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, _ := strconv.ParseInt(c.Params("id"), 10, 64) // 0: no such tip, after the role check
		seq, _ := strconv.Atoi(c.Params("n"))
		f, err := d.Tips.File(c.UserContext(), principal(c), id, seq)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderContentType, f.ContentType)
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set(fiber.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
		return c.Send(f.Data)
	}
}

// TipReplyRequest is the body of POST /api/v1/tips/{id}/messages.
type TipReplyRequest struct {
	Text string `json:"text" validate:"max=5000"`
}

// replyTip answers POST /api/v1/tips/{id}/messages (201): an officer's
// message to the informant (tips.Service.Reply).
func replyTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipReplyRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		id, _ := strconv.ParseInt(c.Params("id"), 10, 64) // 0: no such tip, after the role check
		v, err := d.Tips.Reply(c.UserContext(), principal(c), id, req.Text)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(v)
	}
}
