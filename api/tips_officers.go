package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/tips"
)

// The officers' handling of a tip (issue #15): read one, acknowledge,
// forward to a district, change the stage (with an optional note to the
// informant), refer up to the secretariat. Each action is an Update of the
// tip's workflow, sent by the tips service; every answer carries the tip's
// content and is audited as a read.

// TipForwardRequest is the body of POST /api/v1/tips/{id}/forward: the
// district (DOPA code) of the tip's province to hand the tip to.
type TipForwardRequest struct {
	DistrictCode string `json:"district_code" validate:"max=32,singleline"`
}

// TipStageRequest is the body of POST /api/v1/tips/{id}/stage: the new
// stage (under_investigation, referred, arrest_made, no_grounds, closed),
// the agency for referred (one line, at most 200 characters), and an
// optional note to the informant (at most 5,000 characters), sealed and
// shown at follow-up.
type TipStageRequest struct {
	Stage  string `json:"stage" validate:"max=32,singleline"`
	Agency string `json:"agency,omitempty" validate:"max=200,singleline"`
	Note   string `json:"note,omitempty" validate:"max=5000"`
}

func tipID(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64) // 0: no such tip, after the role check
	return id
}

func answerTip(c *fiber.Ctx, v tips.OfficerView, err error) error {
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

// getTip answers GET /api/v1/tips/{id} (tips.Service.Get).
func getTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := d.Tips.Get(c.UserContext(), principal(c), tipID(c))
		return answerTip(c, v, err)
	}
}

// acknowledgeTip answers POST /api/v1/tips/{id}/acknowledge
// (tips.Service.Acknowledge).
func acknowledgeTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := d.Tips.Acknowledge(c.UserContext(), principal(c), tipID(c))
		return answerTip(c, v, err)
	}
}

// forwardTip answers POST /api/v1/tips/{id}/forward (tips.Service.Forward).
func forwardTip(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipForwardRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := d.Tips.Forward(c.UserContext(), principal(c), tipID(c), req.DistrictCode)
		return answerTip(c, v, err)
	}
}

// tipStage answers POST /api/v1/tips/{id}/stage (tips.Service.ChangeStage).
func tipStage(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req TipStageRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := d.Tips.ChangeStage(c.UserContext(), principal(c), tipID(c),
			tips.StageInput{Stage: req.Stage, Agency: req.Agency, Note: req.Note})
		return answerTip(c, v, err)
	}
}

// referTipUp answers POST /api/v1/tips/{id}/refer-up (tips.Service.ReferUp).
func referTipUp(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := d.Tips.ReferUp(c.UserContext(), principal(c), tipID(c))
		return answerTip(c, v, err)
	}
}
