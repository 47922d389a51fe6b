package web

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/formbody"
	"github.com/tidtam/tidtam/internal/tips"
)

// The tip pages (issue #15) are for a member of the public with no
// account. They set no cookie but the CSRF token's pre-session cookie:
// the language travels in the query string (?lang=en), never in a cookie,
// and the receipt code only in form bodies, never in a URL.

// noCookies marks a request whose pages must not remember the language or
// digits in cookies.
const noCookies = "tidtam_no_cookies"

// tipChooseData is the data of /tip.
type tipChooseData struct {
	Provinces []tips.Place
	Lang      string
}

// tipFormData is the data of /tip/{province}: the province, its
// districts, and the form's values.
type tipFormData struct {
	Province  tips.Place
	Districts []tips.Place
	Lang      string
	In        tips.SubmitInput
	// Challenge, when the address is over the submission throttle, is
	// shown to be solved with the next send.
	Challenge *tips.Challenge
}

// tipReceiptData is the data of the receipt page.
type tipReceiptData struct {
	Receipt string // grouped in fives for reading
	Lang    string
}

// tipFollowUpData is the data of /tip/follow-up: the receipt typed (kept
// in the message form's body) and, once found, the tip.
type tipFollowUpData struct {
	Receipt string
	Tip     *tips.TipView
	Message string
	Lang    string
}

// TipPublic runs before every tip page and form, before CSRF: the pages
// set no cookie but the CSRF token's and send no referrer on.
//
// A request body over tips.MaxFormBytes is refused here, before CSRF or
// the handler parse the form: a form within it is parsed in memory only,
// so the informant's files never reach a temporary file in plaintext.
func (w *Pages) TipPublic(c *fiber.Ctx) error {
	c.Locals(noCookies, true)
	c.Set("Referrer-Policy", "no-referrer")
	if formbody.TooLarge(c) {
		return w.errorPage(c, fiber.StatusRequestEntityTooLarge, w.localizer(c).T("tip_files_too_large"))
	}
	return c.Next()
}

// publicTip is the language a tip page keeps in its links ("" for Thai).
func publicTip(c *fiber.Ctx) string {
	if c.Query("lang") == langEN {
		return langEN
	}
	return ""
}

// TipChoose shows the provinces (GET /tip); ?province= goes to its form.
func (w *Pages) TipChoose(c *fiber.Ctx) error {
	lang := publicTip(c)
	if code := c.Query("province"); code != "" {
		if _, _, err := w.d.Tips.Province(c.UserContext(), code); err == nil {
			return c.Redirect(tipPath("/tip/"+code, lang), fiber.StatusSeeOther)
		}
	}
	ps, err := w.d.Tips.Provinces(c.UserContext())
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "tip", "tip_title", tipChooseData{Provinces: ps, Lang: lang})
}

func tipPath(p, lang string) string {
	if lang != "" {
		return p + "?lang=" + lang
	}
	return p
}

// TipForm shows the tip form of a province (GET /tip/{province}), with a
// submission ID made now so that sending the form twice stores one tip.
func (w *Pages) TipForm(c *fiber.Ctx) error {
	lang := publicTip(c)
	p, ds, err := w.d.Tips.Province(c.UserContext(), c.Params("code"))
	if err != nil {
		return w.fail(c, err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	in := tips.SubmitInput{SubmissionID: hex.EncodeToString(b)}
	if d := c.Query("district"); d != "" {
		in.DistrictCode = d
	}
	return w.render(c, fiber.StatusOK, "tip_form", "tip_title", tipFormData{Province: p, Districts: ds, Lang: lang, In: in})
}

// SubmitTip sends the form (POST /tip/{province}) and shows the receipt
// once; errors come back next to their fields. An address over the
// submission throttle gets the form back (429) with a challenge (an image
// of digits, and the digits read in English) whose answer goes with the
// next send; no JavaScript is needed.
func (w *Pages) SubmitTip(c *fiber.Ctx) error {
	lang := publicTip(c)
	ctx := c.UserContext()
	p, ds, err := w.d.Tips.Province(ctx, c.Params("code"))
	if err != nil {
		return w.fail(c, err)
	}
	in := tips.SubmitInput{ProvinceCode: p.Code, DistrictCode: bounded(formbody.Value(c, "district_code"), 32),
		Text: bounded(formbody.Value(c, "text"), 4*tips.MaxTextRunes+4), When: bounded(formbody.Value(c, "when"), 4*tips.MaxWhenRunes+4),
		OfficialsInvolved: formbody.Value(c, "officials_involved") != "", SubmissionID: bounded(formbody.Value(c, "submission_id"), tips.MaxSubmissionID+1),
		ChallengeID: bounded(formbody.Value(c, "challenge_id"), tips.MaxChallengeID+1), ChallengeAnswer: bounded(formbody.Value(c, "challenge_answer"), tips.MaxChallengeAnswer+1)}
	form := formbody.Form(c) // nil for a form without files
	in.Files, err = tips.FilesFromForm(form, "files")
	var r tips.Receipt
	if err == nil {
		r, err = w.d.Tips.Submit(ctx, in)
	}
	if err != nil {
		data := tipFormData{Province: p, Districts: ds, Lang: lang, In: in}
		errs, status, ferr := w.tipErrors(c, err)
		if ferr != nil {
			return ferr
		}
		for k, v := range errs { // files[i]: shown at the file input
			if strings.HasPrefix(k, "files[") {
				errs["files"] = v
			}
		}
		if e := apperr.As(err); e != nil && e.Code == apperr.TooManyRequests {
			// Over the throttle: a challenge to solve with the next send.
			if cd, ok := e.Details.(tips.ChallengeDetails); ok {
				data.Challenge = &cd.Challenge
				l := w.localizer(c)
				errs = map[string]string{"_": l.T("tip_challenge_needed")}
				if e.Field != "" {
					errs["challenge_answer"] = l.T("tip_challenge_wrong")
				}
			}
		}
		data.In.ChallengeID, data.In.ChallengeAnswer = "", "" // a challenge is answered once
		return w.renderForm(c, status, "tip_form", "tip_title", data, errs)
	}
	return w.render(c, fiber.StatusCreated, "tip_receipt", "tip_receipt_title", tipReceiptData{Receipt: groupReceipt(r.Receipt), Lang: lang})
}

// tipErrors turns a domain error into errors by field ("_" for the form)
// and a status; anything else is answered as a page (ferr).
func (w *Pages) tipErrors(c *fiber.Ctx, err error) (map[string]string, int, error) {
	l := w.localizer(c)
	e := apperr.As(err)
	switch {
	case e != nil && e.Code == apperr.Invalid:
		return map[string]string{e.Field: messageIn(l, e.Message)}, fiber.StatusUnprocessableEntity, nil
	case e != nil && e.Code == apperr.TooManyRequests:
		secs := max(1, int(math.Ceil(e.RetryAfter.Seconds())))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return map[string]string{"_": l.Tf("tip_throttled", max(1, (secs+59)/60))}, fiber.StatusTooManyRequests, nil
	case e != nil && e.Code == apperr.NotFound:
		return map[string]string{"receipt": l.T("tip_no_such_receipt")}, fiber.StatusNotFound, nil
	}
	return nil, 0, w.fail(c, err)
}

func bounded(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// groupReceipt writes a receipt in groups of five digits.
func groupReceipt(r string) string {
	var b strings.Builder
	for i, ch := range r {
		if i > 0 && i%5 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// TipFollowUpForm asks for the receipt code (GET /tip/follow-up).
func (w *Pages) TipFollowUpForm(c *fiber.Ctx) error {
	lang := publicTip(c)
	return w.render(c, fiber.StatusOK, "tip_followup", "tip_followup_title", tipFollowUpData{Lang: lang})
}

// TipFollowUp shows the tip of the receipt in the form body (POST
// /tip/follow-up).
func (w *Pages) TipFollowUp(c *fiber.Ctx) error {
	lang := publicTip(c)
	d := tipFollowUpData{Receipt: bounded(formbody.Value(c, "receipt"), 64), Lang: lang}
	v, err := w.d.Tips.FollowUp(c.UserContext(), d.Receipt)
	if err != nil {
		errs, status, ferr := w.tipErrors(c, err)
		if ferr != nil {
			return ferr
		}
		return w.renderForm(c, status, "tip_followup", "tip_followup_title", d, errs)
	}
	d.Tip = &v
	return w.render(c, fiber.StatusOK, "tip_followup", "tip_followup_title", d)
}

// TipMessage adds the informant's message (POST /tip/follow-up/messages
// with receipt, text and files, multipart and read in memory; text alone
// may come urlencoded) and shows the tip again.
func (w *Pages) TipMessage(c *fiber.Ctx) error {
	lang := publicTip(c)
	d := tipFollowUpData{Receipt: bounded(formbody.Value(c, "receipt"), 64), Lang: lang,
		Message: bounded(formbody.Value(c, "text"), 4*tips.MaxTextRunes+4)}
	files, err := tips.FilesFromForm(formbody.Form(c), "files") // no form: no files
	var v tips.TipView
	if err == nil {
		v, err = w.d.Tips.AddMessage(c.UserContext(), d.Receipt, d.Message, files)
	}
	if err != nil {
		errs, status, ferr := w.tipErrors(c, err)
		if ferr != nil {
			return ferr
		}
		for k, v := range errs { // files[i]: shown at the file input
			if strings.HasPrefix(k, "files[") {
				errs["files"] = v
			}
		}
		if errs["text"] != "" || errs["files"] != "" {
			// The receipt was right: show the tip with the error.
			if tv, err := w.d.Tips.FollowUp(c.UserContext(), d.Receipt); err == nil {
				d.Tip = &tv
			}
		}
		return w.renderForm(c, status, "tip_followup", "tip_followup_title", d, errs)
	}
	d.Tip, d.Message = &v, ""
	p := w.page(c, "tip_followup_title", d)
	p.Flash = p.L.T("tip_message_sent")
	return w.write(c, fiber.StatusOK, "tip_followup", p)
}

// tipPosterData is the data of a unit's printable sign.
type tipPosterData struct {
	Target tips.Target
	Link   string // the absolute link the QR code holds
	QR     string // the QR code's SVG, from the API
}

// TipPoster shows the printable A4 sign of a province's or district's tip
// channel (GET /units/{code}/tip-poster, signed in): the unit's name, the
// QR code of its tip form, the link written out and the hotline, as the
// MOI letter 0311.3/ว1757 item 3 asks every province and district to put
// up.
func (w *Pages) TipPoster(c *fiber.Ctx) error {
	t, err := w.d.Tips.Target(c.UserContext(), c.Params("code"))
	if err != nil {
		return w.fail(c, err)
	}
	base := strings.TrimRight(w.d.PublicURL, "/")
	if base == "" {
		base = c.BaseURL()
	}
	return w.render(c, fiber.StatusOK, "tip_poster", "tip_poster_title", tipPosterData{Target: t, Link: base + t.Path,
		QR: "/api/v1/units/" + url.PathEscape(t.Unit.Code) + "/tip-qr.svg"})
}
