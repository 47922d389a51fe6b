package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/tips"
)

// TipReceiptRequest is the body of POST /api/v1/tips/follow-up: the
// receipt code, in the body so that it never reaches a URL or a log.
type TipReceiptRequest struct {
	Receipt string `json:"receipt" validate:"max=64,singleline"`
}

// TipMessageRequest is the body of POST /api/v1/tips/messages.
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
	r.Get("/units/:code/tip-qr.png", tipQR(d, "png"))
	r.Get("/units/:code/tip-qr.svg", tipQR(d, "svg"))
}

func submitTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req tips.SubmitInput
		if err := decodeJSON(c, &req); err != nil {
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

func addTipMessage(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipMessageRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := d.Tips.AddMessage(c.UserContext(), req.Receipt, req.Text)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(v)
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
