package directives

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// EscalationView is one escalation of an overdue item, with the unit, the
// directive, the item's text and current state, and the actions taken.
// ActionsPath is where actions on it are posted.
type EscalationView struct {
	ID           string `json:"id"`
	ActionsPath  string `json:"actions_path"`
	AssignmentID string `json:"assignment_id"`
	DirectiveID  string `json:"directive_id"`
	DocNumber    string `json:"doc_number"`
	Subject      string `json:"subject"`
	UnitCode     string `json:"unit_code"`
	UnitName     string `json:"unit_name"`
	// ProvinceCode and ProvinceName are the unit's province: the unit
	// itself for a province centre, its parent for a district centre.
	ProvinceCode string            `json:"province_code"`
	ProvinceName string            `json:"province_name"`
	Region       int               `json:"region"`
	ItemNumber   int               `json:"item_number"`
	ItemText     string            `json:"item_text"`
	Cycle        int               `json:"cycle"`
	Level        int               `json:"level"`
	Reason       string            `json:"reason"`
	Open         bool              `json:"open"`
	OpenedAt     time.Time         `json:"opened_at"`
	ClosedAt     *time.Time        `json:"closed_at,omitempty"`
	CloseReason  string            `json:"close_reason,omitempty"`
	ItemStatus   models.ItemStatus `json:"item_status,omitempty"`
	ItemDueAt    *time.Time        `json:"item_due_at,omitempty"`
	// OverdueWorkingDays counts the working days since the item's due
	// while it is open and overdue; 0 otherwise.
	OverdueWorkingDays int                    `json:"overdue_working_days,omitempty"`
	AssignmentPath     string                 `json:"assignment_path"`
	Actions            []EscalationActionView `json:"actions"`
}

// EscalationActionView is one action recorded on an escalation.
type EscalationActionView struct {
	ID     string                      `json:"id"`
	Kind   models.EscalationActionKind `json:"kind"`
	Actor  string                      `json:"actor"`
	Reason string                      `json:"reason" validate:"max=2000"`
	NewDue *time.Time                  `json:"new_due,omitempty"`
	At     time.Time                   `json:"at"`
}

// EscalationActionRequest is the body of POST /escalations/{id}/actions.
// Kind is comment, new_deadline, extend, close or waive; Reason is always
// required; NewDue is required for new_deadline and extend and refused
// otherwise.
type EscalationActionRequest struct {
	Kind   string           `json:"kind" validate:"max=32,singleline"`
	Reason string           `json:"reason"`
	NewDue *DeadlineRequest `json:"new_due,omitempty"`
}

var actionKinds = map[string]models.EscalationActionKind{
	string(models.ActionComment): models.ActionComment, string(models.ActionNewDeadline): models.ActionNewDeadline,
	string(models.ActionExtend): models.ActionExtend, string(models.ActionClose): models.ActionClose,
	string(models.ActionWaive): models.ActionWaive,
}

// escalationRow is an escalation joined with what its view shows.
type escalationRow struct {
	models.Escalation
	DirectiveID string
	DocNumber   string
	Subject     string
	NameTH      string
	UnitType    models.UnitType
	ProvCode    string
	ProvName    string
	ItemText    string
	ItemStatus  models.ItemStatus
	ItemDueAt   *time.Time
}

// listEscalations answers GET /escalations?region=&level=&open=&directive=&unit=
// within the caller's scope, newest first.
// EscalationFilter selects escalations for ListEscalations. Empty strings
// and unset Has* flags do not filter.
type EscalationFilter struct {
	DirectiveID, UnitCode string
	Region                int
	HasRegion             bool
	Level                 int
	HasLevel              bool
	Open, HasOpen         bool
	listing.Window
}

func (s *service) ListEscalations(ctx context.Context, p *auth.Principal, f EscalationFilter) (listing.Page[EscalationView], error) {
	var out listing.Page[EscalationView]
	db := s.db(ctx)
	region, hasRegion := f.Region, f.HasRegion
	level, hasLevel := f.Level, f.HasLevel
	open, hasOpen := f.Open, f.HasOpen
	limit, offset := f.Limit, f.Offset
	directive, unit := f.DirectiveID, f.UnitCode
	filtered := func() *gorm.DB {
		q := db.Table("escalations")
		if !p.SeesAll() {
			q = q.Where("escalations.unit_code IN (?)", p.UnitCodes(db))
		}
		if hasRegion {
			q = q.Where("escalations.region = ?", region)
		}
		if hasLevel {
			q = q.Where("escalations.level = ?", level)
		}
		if hasOpen && open {
			q = q.Where("escalations.closed_at IS NULL")
		} else if hasOpen {
			q = q.Where("escalations.closed_at IS NOT NULL")
		}
		if directive != "" {
			q = q.Where("escalations.assignment_id IN (?)",
				db.Session(&gorm.Session{NewDB: true}).Model(&models.Assignment{}).Select("id").Where("directive_id = ?", directive))
		}
		if unit != "" {
			q = q.Where("escalations.unit_code = ?", unit)
		}
		return q
	}
	if err := filtered().Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []escalationRow
	if err := filtered().Select("escalations.*, a.directive_id AS directive_id, dr.doc_number AS doc_number, dr.subject AS subject, " +
		"u.name_th AS name_th, u.type AS unit_type, di.text AS item_text, ai.status AS item_status, ai.due_at AS item_due_at, " +
		"CASE WHEN u.type = 'province' THEN u.code ELSE COALESCE(pu.code, '') END AS prov_code, " +
		"CASE WHEN u.type = 'province' THEN u.name_th ELSE COALESCE(pu.name_th, '') END AS prov_name").
		Joins("JOIN assignments a ON a.id = escalations.assignment_id").
		Joins("JOIN directives dr ON dr.id = a.directive_id").
		Joins("JOIN units u ON u.code = escalations.unit_code").
		Joins("LEFT JOIN units pu ON pu.code = u.parent_code AND pu.type = 'province'").
		Joins("LEFT JOIN directive_items di ON di.directive_id = a.directive_id AND di.number = escalations.item_number").
		Joins("LEFT JOIN assignment_items ai ON ai.assignment_id = escalations.assignment_id AND ai.item_number = escalations.item_number AND ai.cycle = escalations.cycle").
		Order("escalations.opened_at DESC, escalations.id").Limit(limit).Offset(offset).Scan(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]EscalationView, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var actions []models.EscalationAction
	if err := db.Where("escalation_id IN ?", ids).Order("at, id").Find(&actions).Error; err != nil {
		return out, err
	}
	byEsc := map[string][]EscalationActionView{}
	for _, a := range actions {
		byEsc[a.EscalationID] = append(byEsc[a.EscalationID], EscalationActionView{ID: a.ID, Kind: a.Kind, Actor: a.Actor,
			Reason: a.Reason, NewDue: a.NewDue, At: a.At})
	}
	now := s.now()
	cal, err := s.calendar(ctx, now)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		v := EscalationView{
			ID: r.ID, ActionsPath: "/api/v1/escalations/" + EscalationKey(r.ID) + "/actions", AssignmentID: r.AssignmentID,
			DirectiveID: r.DirectiveID, DocNumber: r.DocNumber, Subject: r.Subject, UnitCode: r.UnitCode,
			UnitName: models.Unit{NameTH: r.NameTH, Type: r.UnitType}.DisplayNameTH(), Region: r.Region,
			ItemNumber: r.ItemNumber, ItemText: r.ItemText, Cycle: r.Cycle, Level: r.Level, Reason: r.Reason,
			Open: r.ClosedAt == nil, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, CloseReason: r.CloseReason,
			ItemStatus: r.ItemStatus, ItemDueAt: r.ItemDueAt, AssignmentPath: assignmentPath(r.DirectiveID, r.UnitCode),
			Actions: byEsc[r.ID], ProvinceCode: r.ProvCode, ProvinceName: r.ProvName,
		}
		if r.ItemDueAt != nil && r.ItemStatus.AwaitingReport() && now.After(*r.ItemDueAt) {
			v.OverdueWorkingDays = max(0, cal.WorkingDaysBetween(thaidate.FromTime(*r.ItemDueAt), thaidate.FromTime(now)))
		}
		if v.Actions == nil {
			v.Actions = []EscalationActionView{}
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

func (s *service) ActOnEscalation(ctx context.Context, p *auth.Principal, id string, req EscalationActionRequest) (workflows.AssignmentState, error) {
	var zero workflows.AssignmentState
	if err := p.Require(models.RoleInspector, models.RoleSecretariat, models.RoleAdmin); err != nil {
		return zero, err
	}
	db := s.db(ctx)
	q := db.Model(&models.Escalation{}).Where("escalations.id = ?", id)
	if !p.SeesAll() {
		q = q.Where("escalations.unit_code IN (?)", p.UnitCodes(db))
	}
	var esc models.Escalation
	err := q.First(&esc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return zero, apperr.New(apperr.NotFound, "ไม่พบการยกระดับรหัส %q (escalation not found)", id)
	} else if err != nil {
		return zero, err
	}
	kind, ok := actionKinds[strings.TrimSpace(req.Kind)]
	if !ok {
		return zero, apperr.Field("kind", "ประเภทการดำเนินการต้องเป็น comment, new_deadline, extend, close หรือ waive (unknown kind %q)", req.Kind)
	}
	if err := requireReason(req.Reason); err != nil {
		return zero, err
	}
	in := workflows.InspectorActionInput{Actor: p.Username, ActorRole: p.Role, ItemNumber: esc.ItemNumber, Cycle: esc.Cycle,
		Kind: kind, Reason: strings.TrimSpace(req.Reason)}
	switch kind {
	case models.ActionNewDeadline, models.ActionExtend:
		if in.NewDue, err = req.NewDue.parse("new_due"); err != nil {
			return zero, err
		}
	default:
		if req.NewDue != nil {
			return zero, apperr.Field("new_due", "ใช้ new_due เฉพาะ new_deadline และ extend (new_due applies only to new_deadline and extend)")
		}
	}
	if esc.ClosedAt != nil {
		return zero, apperr.New(apperr.Conflict, "การยกระดับนี้ปิดแล้ว (%s) (this escalation is already closed: %s)", esc.CloseReason, esc.CloseReason)
	}
	return s.updateAssignment(ctx, esc.AssignmentID, workflows.UpdateInspectorAction, in)
}

// EscalationKey is the one-segment form of an escalation ID used in paths:
// IDs contain slashes ("assignment/<directive>/<unit>/<item>/<cycle>/<level>[/r<round>]")
// and the app unescapes paths before routing, so each "/" is written "~",
// a character no directive or unit code may contain.
func EscalationKey(id string) string { return strings.ReplaceAll(id, "/", "~") }

// EscalationIDFromKey reverses EscalationKey.
func EscalationIDFromKey(key string) string { return strings.ReplaceAll(key, "~", "/") }
