package directives

import (
	"context"
	"strings"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// DeadlineRequest is a new due: a date (ISO or Thai) or a span ("5"
// working days, "PT1M").
type DeadlineRequest struct {
	Date   string `json:"date,omitempty" validate:"max=40,singleline"`
	Within string `json:"within,omitempty" validate:"max=40,singleline"`
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
	ItemNumber thaidate.FlexInt `json:"item_number"`
	NewDue     *DeadlineRequest `json:"new_due"`
	Reason     string           `json:"reason" validate:"max=2000"`
}

// AddTargetsRequest is the body of POST /directives/{id}/targets: new units
// for the listed items (all items when empty).
type AddTargetsRequest struct {
	ItemNumbers []thaidate.FlexInt `json:"item_numbers,omitempty" validate:"max=100"`
	Targets     TargetsRequest     `json:"targets"`
	Reason      string             `json:"reason" validate:"max=2000"`
}

// WithdrawRequest is the body of POST /directives/{id}/withdraw.
type WithdrawRequest struct {
	Reason string `json:"reason" validate:"max=2000"`
}

func requireReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return apperr.Field("reason", "กรุณาระบุเหตุผล (reason is required)")
	}
	return nil
}

// change is the common path of every change to an issued directive: p must
// be secretariat or admin, the directive in p's scope, the request carry a
// reason; build turns it into a Temporal Update on the directive workflow,
// whose progress is the answer.
func (s *service) change(ctx context.Context, p *auth.Principal, id, reason string,
	build func(m models.Directive) (update string, arg any, err error)) (workflows.DirectiveProgress, error) {
	var out workflows.DirectiveProgress
	if err := requireIssuer(p); err != nil {
		return out, err
	}
	m, err := s.loadDirective(ctx, p, id)
	if err != nil {
		return out, err
	}
	if err := requireReason(reason); err != nil {
		return out, err
	}
	name, arg, err := build(m)
	if err != nil {
		return out, err
	}
	if err = engine.Update(ctx, s.Temporal, workflows.DirectiveWorkflowID(m.ID), name, arg, &out); err != nil {
		return out, err
	}
	return s.withDirectiveItemTexts(ctx, out), nil
}

// withDirectiveItemTexts fills in the text of every item of pr that the
// workflow holds by ref (models.TextRef), for answers. A failed read is
// logged and leaves the ref in place: the change itself has happened.
func (s *service) withDirectiveItemTexts(ctx context.Context, pr workflows.DirectiveProgress) workflows.DirectiveProgress {
	if err := store.FillTexts(ctx, s.DB, pr.Items, func(it *workflows.DirectiveItem) (*models.TextRef, *string) {
		return &it.TextRef, &it.Text
	}); err != nil {
		s.Logger.Warn("reading item texts for an answer failed", "directive", pr.DirectiveID, "error", err)
	}
	return pr
}

func (s *service) Amend(ctx context.Context, p *auth.Principal, id string, req AmendRequest) (workflows.DirectiveProgress, error) {
	return s.change(ctx, p, id, req.Reason, func(models.Directive) (string, any, error) {
		due, err := req.NewDue.parse("new_due")
		if err != nil {
			return "", nil, err
		}
		return workflows.UpdateAmend, workflows.AmendInput{ItemNumber: int(req.ItemNumber), NewDue: *due, Actor: p.Username, Reason: req.Reason}, nil
	})
}

func (s *service) AddTargets(ctx context.Context, p *auth.Principal, id string, req AddTargetsRequest) (workflows.DirectiveProgress, error) {
	return s.change(ctx, p, id, req.Reason, func(m models.Directive) (string, any, error) {
		ix, err := loadUnitIndex(ctx, s.DB)
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
		if err := s.db(ctx).Model(&models.DirectiveItem{}).Where("directive_id = ?", m.ID).
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
		return workflows.UpdateAddTargets, workflows.AddTargetsInput{Targets: ix.unitTargets(perItem), Actor: p.Username, Reason: req.Reason}, nil
	})
}

func (s *service) Withdraw(ctx context.Context, p *auth.Principal, id string, req WithdrawRequest) (workflows.DirectiveProgress, error) {
	return s.change(ctx, p, id, req.Reason, func(models.Directive) (string, any, error) {
		return workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: p.Username, Reason: req.Reason}, nil
	})
}
