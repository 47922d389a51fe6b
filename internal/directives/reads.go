package directives

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// DirectiveView is a directive with its progress counts.
type DirectiveView struct {
	ID            string                 `json:"id"`
	Source        string                 `json:"source"`
	IssuerCode    string                 `json:"issuer_code"`
	DocNumber     string                 `json:"doc_number"`
	IssueDate     string                 `json:"issue_date"`
	IssueDateTH   string                 `json:"issue_date_th"`
	Urgency       string                 `json:"urgency"`
	UrgencyTH     string                 `json:"urgency_th"`
	Subject       string                 `json:"subject"`
	Body          string                 `json:"body,omitempty"`
	MeetingID     *string                `json:"meeting_id,omitempty"`
	Status        models.DirectiveStatus `json:"status"`
	StatusReason  string                 `json:"status_reason,omitempty"`
	UnitsTotal    int                    `json:"units_total"`
	UnitsAssigned int                    `json:"units_assigned"`
	CreatedBy     string                 `json:"created_by"`
	CreatedAt     time.Time              `json:"created_at"`
	Items         []DirectiveItemView    `json:"items,omitempty"`
	// Attachments are the directive's files (the letter, annexes), oldest
	// first; in the detail view only, and absent when there are none.
	Attachments []AttachmentView `json:"attachments,omitempty"`
	Progress    *Progress        `json:"progress,omitempty"`
}

// DirectiveItemView is one item of a directive.
type DirectiveItemView struct {
	Number           int    `json:"number"`
	NumberTH         string `json:"number_th"`
	Text             string `json:"text"`
	Target           string `json:"target"`
	DueDate          string `json:"due_date,omitempty"`
	DueWithin        string `json:"due_within,omitempty"`
	Recurrence       string `json:"recurrence,omitempty"`
	EvidenceRequired bool   `json:"evidence_required"`
	ReportInto       string `json:"report_into"`
}

// Progress counts a directive's assignments as stored in the read model.
type Progress struct {
	Units           int64 `json:"units"`
	Acknowledged    int64 `json:"acknowledged"`
	ItemAssignments int64 `json:"item_assignments"`
	ItemsReported   int64 `json:"items_reported"`
	ItemsAccepted   int64 `json:"items_accepted"`
	ItemsReturned   int64 `json:"items_returned"`
	Overdue         int64 `json:"overdue"`
	Escalated       int64 `json:"escalated"`
	OpenEscalations int64 `json:"open_escalations"`
}

var urgencyTH = map[string]string{
	string(workflows.UrgencyNormal): "ปกติ", string(workflows.UrgencyUrgent): "ด่วน",
	string(workflows.UrgencyVeryUrgent): "ด่วนมาก", string(workflows.UrgencyMostUrgent): "ด่วนที่สุด",
}

func viewDirective(m models.Directive) DirectiveView {
	v := DirectiveView{ID: m.ID, Source: m.Source, IssuerCode: m.IssuerCode, DocNumber: m.DocNumber, IssueDate: m.IssueDate,
		Urgency: m.Urgency, UrgencyTH: urgencyTH[m.Urgency], Subject: m.Subject, Body: m.Body, MeetingID: m.MeetingID,
		Status: m.Status, StatusReason: m.StatusReason, UnitsTotal: m.UnitsTotal, UnitsAssigned: m.UnitsAssigned,
		CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt}
	if d, err := thaidate.ParseISO(m.IssueDate); err == nil {
		v.IssueDateTH = thaidate.FormatBE(d)
	}
	return v
}

// scopeDirectives restricts a directives query to those with an
// assignment in p's scope, unless p sees everything.
func scopeDirectives(db *gorm.DB, q *gorm.DB, p *auth.Principal) *gorm.DB {
	if p.SeesAll() {
		return q
	}
	return q.Where("EXISTS (SELECT 1 FROM assignments a WHERE a.directive_id = directives.id AND a.unit_code IN (?))", p.UnitCodes(db))
}

// DirectiveFilter selects directives for List. Empty fields do not filter.
type DirectiveFilter struct {
	Status, Source, MeetingID string
	// Query matches the document number (whichever digits were typed) or
	// a part of the subject.
	Query string
	listing.Window
}

func (s *service) List(ctx context.Context, p *auth.Principal, f DirectiveFilter) (listing.Page[DirectiveView], error) {
	switch models.DirectiveStatus(f.Status) {
	case "", models.DirectiveIssued, models.DirectiveWithdrawn, models.DirectiveClosed:
	default:
		return listing.Page[DirectiveView]{}, apperr.Field("status", "สถานะต้องเป็น issued, withdrawn หรือ closed (unknown status %q)", f.Status)
	}
	if f.Source != "" && !contains(sources, f.Source) {
		return listing.Page[DirectiveView]{}, apperr.Field("source", "แหล่งที่มาต้องเป็นหนึ่งใน %s (unknown source %q)", strings.Join(sources, ", "), f.Source)
	}
	db := s.db(ctx)
	q := scopeDirectives(db, db.Model(&models.Directive{}), p)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if f.MeetingID != "" {
		q = q.Where("meeting_id = ?", f.MeetingID)
	}
	if f.Query != "" {
		like := "%" + workflows.NormalizeDocNumber(f.Query) + "%"
		q = q.Where("(doc_number_norm LIKE ? OR subject LIKE ?)", like, "%"+f.Query+"%")
	}
	var out listing.Page[DirectiveView]
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.Directive
	if err := q.Order("issue_date DESC, created_at DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items = make([]DirectiveView, 0, len(rows))
	for _, r := range rows {
		v := viewDirective(r)
		v.Body = ""
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// loadDirective reads one directive p may see, or answers 404.
func (s *service) loadDirective(ctx context.Context, p *auth.Principal, id string) (models.Directive, error) {
	db := s.db(ctx)
	var m models.Directive
	err := scopeDirectives(db, db.Model(&models.Directive{}), p).Where("id = ?", id).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, notFound(id)
	}
	return m, err
}

func (s *service) Directive(ctx context.Context, p *auth.Principal, id string) (DirectiveView, error) {
	m, err := s.loadDirective(ctx, p, id)
	if err != nil {
		return DirectiveView{}, err
	}
	db := s.db(ctx)
	v := viewDirective(m)
	var items []models.DirectiveItem
	if err := db.Where("directive_id = ?", m.ID).Order("number").Find(&items).Error; err != nil {
		return v, err
	}
	for _, it := range items {
		iv := DirectiveItemView{Number: it.Number, NumberTH: thaidate.ToThaiDigits(strconv.Itoa(it.Number)), Text: it.Text, Target: it.Target,
			EvidenceRequired: it.EvidenceRequired, ReportInto: it.ReportInto}
		if it.DueDate != nil {
			iv.DueDate = *it.DueDate
		}
		if it.DueWithin != nil {
			iv.DueWithin = *it.DueWithin
		}
		if it.Recurrence != nil {
			iv.Recurrence = *it.Recurrence
		}
		v.Items = append(v.Items, iv)
	}
	if v.Attachments, err = directiveAttachments(db, m.ID); err != nil {
		return v, err
	}
	if v.Progress, err = directiveProgress(db, m.ID, p); err != nil {
		return v, err
	}
	return v, nil
}

// directiveProgress counts from the read model, within the caller's scope.
func directiveProgress(db *gorm.DB, id string, p *auth.Principal) (*Progress, error) {
	asg := func() *gorm.DB {
		q := db.Model(&models.Assignment{}).Where("assignments.directive_id = ?", id)
		if !p.SeesAll() {
			q = q.Where("assignments.unit_code IN (?)", p.UnitCodes(db))
		}
		return q
	}
	items := func() *gorm.DB {
		return db.Model(&models.AssignmentItem{}).Where("assignment_id IN (?)", asg().Select("assignments.id"))
	}
	var pr Progress
	steps := []struct {
		q   *gorm.DB
		out *int64
	}{
		{asg(), &pr.Units},
		{asg().Where("acknowledged_at IS NOT NULL"), &pr.Acknowledged},
		{asg().Where("overdue = ?", true), &pr.Overdue},
		{asg().Where("escalation_level > 0"), &pr.Escalated},
		{items(), &pr.ItemAssignments},
		{items().Where("status = ?", models.ItemReported), &pr.ItemsReported},
		{items().Where("status = ?", models.ItemAccepted), &pr.ItemsAccepted},
		{items().Where("status = ?", models.ItemReturned), &pr.ItemsReturned},
		{db.Model(&models.Escalation{}).Where("closed_at IS NULL AND assignment_id IN (?)", asg().Select("assignments.id")), &pr.OpenEscalations},
	}
	for _, s := range steps {
		if err := s.q.Count(s.out).Error; err != nil {
			return nil, err
		}
	}
	return &pr, nil
}

// MatrixView is the units × items status grid of one directive.
type MatrixView struct {
	DirectiveID string      `json:"directive_id"`
	Items       []int       `json:"items"`
	Rows        []MatrixRow `json:"rows"`
	// Stamp is the directive's change stamp (store.DirectiveStamp) taken
	// before the grid was read: a later stamp means the grid may be old.
	Stamp string `json:"-"`

	enc *encodedJSON // shared by the copies of one cached grid
}

// encodedJSON is a grid's JSON, encoded once.
type encodedJSON struct {
	once sync.Once
	b    []byte
	err  error
}

// JSON returns the grid encoded as JSON; the copies of one cached grid
// share one encoding, so a large grid read by many costs one encoding.
func (m MatrixView) JSON() ([]byte, error) {
	if m.enc == nil {
		return json.Marshal(m)
	}
	m.enc.once.Do(func() { m.enc.b, m.enc.err = json.Marshal(m) })
	return m.enc.b, m.enc.err
}

// MatrixRow is one unit's line of the grid; Cells follow MatrixView.Items,
// with an empty status where the item is not addressed to the unit.
type MatrixRow struct {
	AssignmentID    string                  `json:"assignment_id"`
	UnitCode        string                  `json:"unit_code"`
	UnitName        string                  `json:"unit_name"`
	Region          int                     `json:"region"`
	Status          models.AssignmentStatus `json:"status"`
	Acknowledged    bool                    `json:"acknowledged"`
	Overdue         bool                    `json:"overdue"`
	EscalationLevel int                     `json:"escalation_level"`
	Cells           []MatrixCell            `json:"cells"`
}

// MatrixCell is one item of one unit, at its latest cycle.
type MatrixCell struct {
	Status          models.ItemStatus `json:"status,omitempty"`
	Cycle           int               `json:"cycle,omitempty"`
	DueAt           *time.Time        `json:"due_at,omitempty"`
	EscalationLevel int               `json:"escalation_level,omitempty"`
}

// MatrixFilter narrows Matrix. Region is used when HasRegion; Province
// keeps a province and its districts; UnitType keeps one unit type.
type MatrixFilter struct {
	Region    int
	HasRegion bool
	Province  string
	UnitType  models.UnitType
}

func (s *service) Matrix(ctx context.Context, p *auth.Principal, id string, f MatrixFilter) (MatrixView, error) {
	m, err := s.loadDirective(ctx, p, id)
	if err != nil {
		return MatrixView{}, err
	}
	if f.UnitType != "" && !models.ValidUnitType(f.UnitType) {
		return MatrixView{}, apperr.Field("type", "ประเภทหน่วยงานไม่ถูกต้อง (unknown unit type %q)", f.UnitType)
	}
	// The grid depends on the directive, the filter and the caller's
	// scope (everything, a unit's subtree, or inspection regions).
	scope := "all"
	if !p.SeesAll() {
		scope = fmt.Sprintf("%s|%s|%v", p.Role, p.UnitCode, p.Regions)
	}
	key := fmt.Sprintf("%s|%s|%d|%t|%s|%s", m.ID, scope, f.Region, f.HasRegion, f.Province, f.UnitType)
	current, err := store.DirectiveStamp(s.db(ctx), m.ID)
	if err != nil {
		return MatrixView{}, err
	}
	return s.matrices().GetCurrent(ctx, key, current, func(v MatrixView) string { return v.Stamp },
		func(ctx context.Context) (MatrixView, error) {
			stamp, err := store.DirectiveStamp(s.db(ctx), m.ID)
			if err != nil {
				return MatrixView{}, err
			}
			out, err := s.readMatrix(ctx, p, m, f)
			out.Stamp, out.enc = stamp, &encodedJSON{}
			return out, err
		})
}

// readMatrix reads directive m's grid within p's scope (see Matrix).
func (s *service) readMatrix(ctx context.Context, p *auth.Principal, m models.Directive, f MatrixFilter) (MatrixView, error) {
	db := s.db(ctx)
	region, hasRegion := f.Region, f.HasRegion
	prov, unitType := f.Province, f.UnitType
	// filtered builds a fresh query each time: a GORM chain must not be
	// reused once executed.
	filtered := func() *gorm.DB {
		q := db.Model(&models.Assignment{}).Where("assignments.directive_id = ?", m.ID)
		if !p.SeesAll() {
			q = q.Where("assignments.unit_code IN (?)", p.UnitCodes(db))
		}
		if hasRegion {
			q = q.Where("assignments.region = ?", region)
		}
		if prov != "" {
			q = q.Where("(assignments.unit_code = ? OR assignments.parent_code = ?)", prov, prov)
		}
		if unitType != "" {
			q = q.Where("assignments.unit_code IN (SELECT code FROM units WHERE type = ?)", unitType)
		}
		return q
	}
	type row struct {
		models.Assignment
		NameTH string
		Type   models.UnitType
	}
	var rows []row
	if err := filtered().Select("assignments.*, units.name_th AS name_th, units.type AS type").
		Joins("JOIN units ON units.code = assignments.unit_code").Order("assignments.unit_code").Scan(&rows).Error; err != nil {
		return MatrixView{}, err
	}
	var numbers []int
	if err := db.Model(&models.DirectiveItem{}).Where("directive_id = ?", m.ID).Order("number").Pluck("number", &numbers).Error; err != nil {
		return MatrixView{}, err
	}
	var cells []models.AssignmentItem
	if err := db.Where("assignment_id IN (?)", filtered().Select("assignments.id")).
		Order("assignment_id, item_number, cycle").Find(&cells).Error; err != nil {
		return MatrixView{}, err
	}
	latest := map[string]map[int]models.AssignmentItem{}
	for _, ai := range cells {
		if latest[ai.AssignmentID] == nil {
			latest[ai.AssignmentID] = map[int]models.AssignmentItem{}
		}
		latest[ai.AssignmentID][ai.ItemNumber] = ai // ordered by cycle: last wins
	}
	pos := map[int]int{}
	for i, n := range numbers {
		pos[n] = i
	}
	out := MatrixView{DirectiveID: m.ID, Items: numbers, Rows: make([]MatrixRow, 0, len(rows))}
	for _, r := range rows {
		mr := MatrixRow{AssignmentID: r.ID, UnitCode: r.UnitCode, UnitName: models.Unit{NameTH: r.NameTH, Type: r.Type}.DisplayNameTH(),
			Region: r.Region, Status: r.Status, Acknowledged: r.AcknowledgedAt != nil, Overdue: r.Overdue,
			EscalationLevel: r.EscalationLevel, Cells: make([]MatrixCell, len(numbers))}
		for n, ai := range latest[r.ID] {
			if i, ok := pos[n]; ok {
				mr.Cells[i] = MatrixCell{Status: ai.Status, Cycle: ai.Cycle, DueAt: ai.DueAt, EscalationLevel: ai.EscalationLevel}
			}
		}
		out.Rows = append(out.Rows, mr)
	}
	sort.SliceStable(out.Rows, func(i, j int) bool { return out.Rows[i].UnitCode < out.Rows[j].UnitCode })
	return out, nil
}
