package api

import (
	"errors"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
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

// scopedUnitCodes is a subquery of the unit codes p may see.
func scopedUnitCodes(db *gorm.DB, p *auth.Principal) *gorm.DB {
	return p.ScopeUnits(db.Session(&gorm.Session{NewDB: true}).Model(&models.Unit{})).Select("units.code")
}

// seesAll reports whether p reads every directive (national roles).
func seesAll(p *auth.Principal) bool {
	return p.HasRole(models.RoleAdmin, models.RoleSecretariat, models.RoleObserver)
}

// scopeDirectives restricts a directives query to those with an
// assignment in p's scope, unless p sees everything.
func scopeDirectives(db *gorm.DB, q *gorm.DB, p *auth.Principal) *gorm.DB {
	if seesAll(p) {
		return q
	}
	return q.Where("EXISTS (SELECT 1 FROM assignments a WHERE a.directive_id = directives.id AND a.unit_code IN (?))", scopedUnitCodes(db, p))
}

func listDirectives(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		db := d.DB.WithContext(c.UserContext())
		q := scopeDirectives(db, db.Model(&models.Directive{}), p)
		if s := c.Query("status"); s != "" {
			q = q.Where("status = ?", s)
		}
		if s := c.Query("source"); s != "" {
			q = q.Where("source = ?", s)
		}
		if s := c.Query("meeting"); s != "" {
			q = q.Where("meeting_id = ?", s)
		}
		if s := c.Query("q"); s != "" {
			// Document numbers match whichever digits were typed.
			like := "%" + workflows.NormalizeDocNumber(s) + "%"
			q = q.Where("(doc_number_norm LIKE ? OR subject LIKE ?)", like, "%"+s+"%")
		}
		limit, offset, err := limitOffset(c, 50, 500)
		if err != nil {
			return err
		}
		var total int64
		if err := q.Count(&total).Error; err != nil {
			return err
		}
		var rows []models.Directive
		if err := q.Order("issue_date DESC, created_at DESC").Limit(limit).Offset(offset).Find(&rows).Error; err != nil {
			return err
		}
		out := page[DirectiveView]{Items: make([]DirectiveView, 0, len(rows)), Total: total}
		for _, r := range rows {
			v := viewDirective(r)
			v.Body = ""
			out.Items = append(out.Items, v)
		}
		return c.JSON(out)
	}
}

// loadDirective reads one directive the caller may see, or 404.
func loadDirective(c *fiber.Ctx, d *Deps) (models.Directive, error) {
	db := d.DB.WithContext(c.UserContext())
	var m models.Directive
	err := scopeDirectives(db, db.Model(&models.Directive{}), principal(c)).Where("id = ?", c.Params("id")).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, apperr.New(apperr.NotFound, "ไม่พบข้อสั่งการรหัส %q (directive not found)", c.Params("id"))
	}
	return m, err
}

func getDirective(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		m, err := loadDirective(c, d)
		if err != nil {
			return err
		}
		db := d.DB.WithContext(c.UserContext())
		v := viewDirective(m)
		var items []models.DirectiveItem
		if err := db.Where("directive_id = ?", m.ID).Order("number").Find(&items).Error; err != nil {
			return err
		}
		for _, it := range items {
			iv := DirectiveItemView{Number: it.Number, NumberTH: thaidate.ToThaiDigits(itoa(it.Number)), Text: it.Text, Target: it.Target,
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
			return err
		}
		prog, err := directiveProgress(db, m.ID, principal(c))
		if err != nil {
			return err
		}
		v.Progress = prog
		return c.JSON(v)
	}
}

// directiveProgress counts from the read model, within the caller's scope.
func directiveProgress(db *gorm.DB, id string, p *auth.Principal) (*Progress, error) {
	asg := func() *gorm.DB {
		q := db.Model(&models.Assignment{}).Where("assignments.directive_id = ?", id)
		if !seesAll(p) {
			q = q.Where("assignments.unit_code IN (?)", scopedUnitCodes(db, p))
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

func directiveMatrix(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		m, err := loadDirective(c, d)
		if err != nil {
			return err
		}
		p := principal(c)
		db := d.DB.WithContext(c.UserContext())
		region, hasRegion, err := queryInt(c, "region", 0, 18)
		if err != nil {
			return err
		}
		prov, unitType := c.Query("province"), c.Query("type")
		if unitType != "" && !unitTypes[unitType] {
			return apperr.Field("type", "ประเภทหน่วยงานไม่ถูกต้อง (unknown unit type %q)", unitType)
		}
		// filtered builds a fresh query each time: a GORM chain must not be
		// reused once executed.
		filtered := func() *gorm.DB {
			q := db.Model(&models.Assignment{}).Where("assignments.directive_id = ?", m.ID)
			if !seesAll(p) {
				q = q.Where("assignments.unit_code IN (?)", scopedUnitCodes(db, p))
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
			return err
		}
		var numbers []int
		if err := db.Model(&models.DirectiveItem{}).Where("directive_id = ?", m.ID).Order("number").Pluck("number", &numbers).Error; err != nil {
			return err
		}
		var cells []models.AssignmentItem
		if err := db.Where("assignment_id IN (?)", filtered().Select("assignments.id")).
			Order("assignment_id, item_number, cycle").Find(&cells).Error; err != nil {
			return err
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
			mr := MatrixRow{AssignmentID: r.ID, UnitCode: r.UnitCode, UnitName: DisplayNameTH(models.Unit{NameTH: r.NameTH, Type: r.Type}),
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
		return c.JSON(out)
	}
}

func itoa(n int) string { return thaidate.NormalizeDigits(fmtInt(n)) }
