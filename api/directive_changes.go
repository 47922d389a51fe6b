package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// DeadlineRequest is a new due: a date (ISO or Thai) or a span ("5"
// working days, "PT1M").
type DeadlineRequest struct {
	Date   string `json:"date,omitempty"`
	Within string `json:"within,omitempty"`
}

func (r *DeadlineRequest) parse(field string) (*workflows.Deadline, error) {
	if r == nil || (r.Date == "" && r.Within == "") {
		return nil, apperr.Field(field, "กรุณาระบุกำหนดใหม่: date หรือ within (new due is required)")
	}
	if r.Date != "" && r.Within != "" {
		return nil, apperr.Field(field, "ระบุได้อย่างเดียว: date หรือ within (give either date or within)")
	}
	if r.Date != "" {
		d, err := thaidate.Parse(r.Date)
		if err != nil {
			return nil, apperr.Field(field+".date", "%v", err)
		}
		return &workflows.Deadline{Date: &d}, nil
	}
	s, err := workflows.ParseSpan(thaidate.NormalizeDigits(r.Within))
	if err != nil || s.IsZero() {
		return nil, apperr.Field(field+".within", "ต้องเป็นจำนวนวันทำการหรือระยะเวลา ISO-8601 (working days or an ISO-8601 duration)")
	}
	return &workflows.Deadline{Within: &s}, nil
}

// AmendRequest is the body of POST /directives/{id}/amend.
type AmendRequest struct {
	ItemNumber FlexInt          `json:"item_number"`
	NewDue     *DeadlineRequest `json:"new_due"`
	Reason     string           `json:"reason"`
}

// AddTargetsRequest is the body of POST /directives/{id}/targets: new units
// for the listed items (all items when empty).
type AddTargetsRequest struct {
	ItemNumbers []FlexInt      `json:"item_numbers,omitempty"`
	Targets     TargetsRequest `json:"targets"`
	Reason      string         `json:"reason"`
}

// WithdrawRequest is the body of POST /directives/{id}/withdraw.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

func requireReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return apperr.Field("reason", "กรุณาระบุเหตุผล (reason is required)")
	}
	return nil
}

// directiveChange is the common path of every change to an issued
// directive: the caller must be secretariat or admin, the directive in
// scope, the body valid with a reason; build then turns the request into a
// Temporal Update on the directive workflow, whose progress view is the
// answer.
func directiveChange[R any](d *Deps, reason func(*R) string,
	build func(c *fiber.Ctx, m models.Directive, actor string, req *R) (update string, arg any, err error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
			return err
		}
		m, err := loadDirective(c, d)
		if err != nil {
			return err
		}
		var req R
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if err := requireReason(reason(&req)); err != nil {
			return err
		}
		name, arg, err := build(c, m, p.Username, &req)
		if err != nil {
			return err
		}
		var out workflows.DirectiveProgress
		if err := updateWorkflow(c.UserContext(), d.Temporal, workflows.DirectiveWorkflowID(m.ID), name, arg, &out); err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func amendDirective(d *Deps) fiber.Handler {
	return directiveChange(d, func(r *AmendRequest) string { return r.Reason },
		func(_ *fiber.Ctx, _ models.Directive, actor string, req *AmendRequest) (string, any, error) {
			due, err := req.NewDue.parse("new_due")
			if err != nil {
				return "", nil, err
			}
			return workflows.UpdateAmend, workflows.AmendInput{ItemNumber: int(req.ItemNumber), NewDue: *due, Actor: actor, Reason: req.Reason}, nil
		})
}

func addDirectiveTargets(d *Deps) fiber.Handler {
	return directiveChange(d, func(r *AddTargetsRequest) string { return r.Reason },
		func(c *fiber.Ctx, m models.Directive, actor string, req *AddTargetsRequest) (string, any, error) {
			ix, err := loadUnitIndex(c.UserContext(), d.DB)
			if err != nil {
				return "", nil, err
			}
			codes, unknown := ix.resolveItemTargets("targets", req.Targets)
			if len(unknown) > 0 {
				return "", nil, unknownTargetsError(unknown)
			}
			if len(codes) == 0 {
				return "", nil, apperr.Field("targets", "ยังไม่ได้ระบุหน่วยงานเป้าหมาย (no target units selected)")
			}
			var numbers []int
			if err := d.DB.WithContext(c.UserContext()).Model(&models.DirectiveItem{}).Where("directive_id = ?", m.ID).
				Order("number").Pluck("number", &numbers).Error; err != nil {
				return "", nil, err
			}
			if len(req.ItemNumbers) > 0 {
				numbers = numbers[:0]
				for _, n := range req.ItemNumbers {
					numbers = append(numbers, int(n))
				}
			}
			perItem := map[int][]string{}
			for _, n := range numbers {
				perItem[n] = codes
			}
			return workflows.UpdateAddTargets, workflows.AddTargetsInput{Targets: ix.unitTargets(perItem), Actor: actor, Reason: req.Reason}, nil
		})
}

func withdrawDirective(d *Deps) fiber.Handler {
	return directiveChange(d, func(r *WithdrawRequest) string { return r.Reason },
		func(_ *fiber.Ctx, _ models.Directive, actor string, req *WithdrawRequest) (string, any, error) {
			return workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: actor, Reason: req.Reason}, nil
		})
}
