package directives

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/workdays"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// AssignmentView is one unit's share of a directive as stored in the read
// model. Items holds the latest cycle of each item in lists and every cycle
// in the detail view (AssignmentDetail).
type AssignmentView struct {
	ID              string                  `json:"id"`
	Path            string                  `json:"path"`
	DirectiveID     string                  `json:"directive_id"`
	DocNumber       string                  `json:"doc_number"`
	Subject         string                  `json:"subject"`
	Urgency         string                  `json:"urgency"`
	UnitCode        string                  `json:"unit_code"`
	UnitName        string                  `json:"unit_name"`
	ParentCode      string                  `json:"parent_code"`
	Region          int                     `json:"region"`
	Status          models.AssignmentStatus `json:"status"`
	AckDueAt        time.Time               `json:"ack_due_at"`
	AcknowledgedAt  *time.Time              `json:"acknowledged_at,omitempty"`
	AcknowledgedBy  string                  `json:"acknowledged_by,omitempty"`
	Overdue         bool                    `json:"overdue"`
	EscalationLevel int                     `json:"escalation_level"`
	CloseReason     string                  `json:"close_reason,omitempty"`
	Version         int64                   `json:"version"`
	CreatedAt       time.Time               `json:"created_at"`
	UpdatedAt       time.Time               `json:"updated_at"`
	Items           []AssignmentItemView    `json:"items"`
}

// AssignmentDetail is one assignment with every item cycle, its reports
// (oldest first) and its history events (newest first, at most
// maxAssignmentEvents of EventsTotal).
type AssignmentDetail struct {
	AssignmentView
	Reports     []ReportView          `json:"reports"`
	Events      []AssignmentEventView `json:"events"`
	EventsTotal int64                 `json:"events_total"`
}

// AssignmentItemView is one item of an assignment in one cycle. Overdue is
// computed at read time: the item waits for a report and its due has passed.
type AssignmentItemView struct {
	Number           int               `json:"number"`
	Cycle            int               `json:"cycle"`
	Text             string            `json:"text"`
	EvidenceRequired bool              `json:"evidence_required"`
	Status           models.ItemStatus `json:"status"`
	DueAt            *time.Time        `json:"due_at,omitempty"`
	DueTH            string            `json:"due_th,omitempty"`
	ReportedAt       *time.Time        `json:"reported_at,omitempty"`
	Overdue          bool              `json:"overdue"`
	// OverdueWorkingDays counts the Thai working days from the due day
	// (exclusive) to today (inclusive) of an overdue item; 0 otherwise.
	OverdueWorkingDays int    `json:"overdue_working_days,omitempty"`
	EscalationLevel    int    `json:"escalation_level"`
	Reason             string `json:"reason,omitempty"`
}

// ReportView is one report with its evidence metadata and decision.
type ReportView struct {
	ID          string                 `json:"id"`
	ItemNumber  int                    `json:"item_number"`
	Cycle       int                    `json:"cycle"`
	Text        string                 `json:"text"`
	Evidence    []EvidenceView         `json:"evidence"`
	SubmittedBy string                 `json:"submitted_by"`
	SubmittedAt time.Time              `json:"submitted_at"`
	Decision    *models.ReportDecision `json:"decision,omitempty"`
	DecidedBy   *string                `json:"decided_by,omitempty"`
	DecidedAt   *time.Time             `json:"decided_at,omitempty"`
	Reason      string                 `json:"reason,omitempty"`
	// RecordSystem and RecordNumber name the same result in a national
	// system; absent when the unit gave none.
	RecordSystem string `json:"record_system,omitempty"`
	RecordNumber string `json:"record_number,omitempty"`
}

// EvidenceView is the metadata of one evidence file; the storage path
// stays internal.
type EvidenceView struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
}

// AssignmentEventView is one entry of an assignment's history; Before and
// After are the JSON snapshots the workflow recorded.
type AssignmentEventView struct {
	Seq    int64           `json:"seq"`
	Action string          `json:"action"`
	Actor  string          `json:"actor"`
	At     time.Time       `json:"at"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// AcknowledgeRequest is the body of POST …/acknowledge.
type AcknowledgeRequest struct {
	Note string `json:"note,omitempty" validate:"max=2000"`
}

// ReviewRequest is the body of POST …/reports/{rid}/accept (optional
// reason, no new_due) and …/return (reason and new_due required).
type ReviewRequest struct {
	Reason string           `json:"reason,omitempty" validate:"max=2000"`
	NewDue *DeadlineRequest `json:"new_due,omitempty"`
}

// ReportRef names one report: the assignment of UnitCode in DirectiveID,
// the item ItemNumber and the report's ID.
type ReportRef struct {
	DirectiveID, UnitCode string
	ItemNumber            int
	ReportID              string
}

// maxAssignmentEvents bounds the events returned with one assignment.
const maxAssignmentEvents = 200

var assignmentStatuses = map[string]bool{
	string(models.AssignmentAssigned): true, string(models.AssignmentAcknowledged): true,
	string(models.AssignmentClosed): true, string(models.AssignmentWithdrawn): true,
}

// assignmentPath is the API path of an assignment's detail view.
func assignmentPath(directiveID, unitCode string) string {
	return "/api/v1/directives/" + directiveID + "/assignments/" + unitCode
}

// assignmentRow is an assignment joined with its unit and directive.
type assignmentRow struct {
	models.Assignment
	NameTH    string
	UnitType  models.UnitType
	DocNumber string
	Subject   string
	Urgency   string
}

func selectAssignmentRows(q *gorm.DB) *gorm.DB {
	return q.Select("assignments.*, units.name_th AS name_th, units.type AS unit_type, " +
		"directives.doc_number AS doc_number, directives.subject AS subject, directives.urgency AS urgency").
		Joins("JOIN units ON units.code = assignments.unit_code").
		Joins("JOIN directives ON directives.id = assignments.directive_id")
}

func viewAssignment(r assignmentRow) AssignmentView {
	return AssignmentView{
		ID: r.ID, Path: assignmentPath(r.DirectiveID, r.UnitCode), DirectiveID: r.DirectiveID,
		DocNumber: r.DocNumber, Subject: r.Subject, Urgency: r.Urgency,
		UnitCode: r.UnitCode, UnitName: models.Unit{NameTH: r.NameTH, Type: r.UnitType}.DisplayNameTH(),
		ParentCode: r.ParentCode, Region: r.Region, Status: r.Status, AckDueAt: r.AckDueAt,
		AcknowledgedAt: r.AcknowledgedAt, AcknowledgedBy: r.AcknowledgedBy, Overdue: r.Overdue,
		EscalationLevel: r.EscalationLevel, CloseReason: r.CloseReason, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Items: []AssignmentItemView{},
	}
}

func viewItem(ai models.AssignmentItem, def models.DirectiveItem, now time.Time, cal *workdays.Calendar) AssignmentItemView {
	v := AssignmentItemView{Number: ai.ItemNumber, Cycle: ai.Cycle, Text: def.Text, EvidenceRequired: def.EvidenceRequired,
		Status: ai.Status, DueAt: ai.DueAt, ReportedAt: ai.ReportedAt, EscalationLevel: ai.EscalationLevel, Reason: ai.Reason}
	if ai.DueAt != nil {
		v.DueTH = thaidate.FormatDateTimeBE(*ai.DueAt)
		v.Overdue = ai.Status.AwaitingReport() && !now.Before(*ai.DueAt)
		if v.Overdue {
			v.OverdueWorkingDays = max(0, cal.WorkingDaysBetween(thaidate.FromTime(*ai.DueAt), thaidate.FromTime(now)))
		}
	}
	return v
}

// calendar is the working-day calendar of the holidays stored for the
// two years up to now and the next, for counting working days overdue.
func (s *service) calendar(ctx context.Context, now time.Time) (*workdays.Calendar, error) {
	hols, err := store.HolidayDates(ctx, s.DB, now.AddDate(-2, 0, 0).Format("2006-01-02"), now.AddDate(1, 0, 0).Format("2006-01-02"))
	if err != nil {
		return nil, err
	}
	return workdays.ParseHolidays(hols)
}

// directiveItemDefs loads the item definitions of the given directives,
// keyed by directive and number.
func directiveItemDefs(db *gorm.DB, directiveIDs []string) (map[string]map[int]models.DirectiveItem, error) {
	out := map[string]map[int]models.DirectiveItem{}
	if len(directiveIDs) == 0 {
		return out, nil
	}
	var defs []models.DirectiveItem
	if err := db.Where("directive_id IN ?", directiveIDs).Find(&defs).Error; err != nil {
		return nil, err
	}
	for _, d := range defs {
		if out[d.DirectiveID] == nil {
			out[d.DirectiveID] = map[int]models.DirectiveItem{}
		}
		out[d.DirectiveID][d.Number] = d
	}
	return out, nil
}

// AssignmentFilter selects assignments for ListAssignments. Empty strings
// and unset Has* flags do not filter.
type AssignmentFilter struct {
	DirectiveID, UnitCode, Status string
	Overdue, HasOverdue           bool
	Region                        int
	HasRegion                     bool
	listing.Window
}

func (s *service) ListAssignments(ctx context.Context, p *auth.Principal, f AssignmentFilter) (listing.Page[AssignmentView], error) {
	var out listing.Page[AssignmentView]
	db := s.db(ctx)
	filtered, err := assignmentQuery(db, p, f)
	if err != nil {
		return out, err
	}
	if err := filtered().Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []assignmentRow
	if err := selectAssignmentRows(filtered()).Order("assignments.created_at DESC, assignments.id").
		Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error; err != nil {
		return out, err
	}
	now := s.now()
	cal, err := s.calendar(ctx, now)
	if err != nil {
		return out, err
	}
	out.Items, err = assignmentViews(db, rows, now, cal)
	return out, err
}

// assignmentQuery checks f and returns a function building the query of
// the assignments it selects within p's scope; a fresh chain each time,
// since a GORM chain must not be reused once executed.
func assignmentQuery(db *gorm.DB, p *auth.Principal, f AssignmentFilter) (func() *gorm.DB, error) {
	if f.Status != "" && !assignmentStatuses[f.Status] {
		return nil, apperr.Field("status", "สถานะต้องเป็น assigned, acknowledged, closed หรือ withdrawn (unknown status %q)", f.Status)
	}
	return func() *gorm.DB {
		q := db.Model(&models.Assignment{})
		if !p.SeesAll() {
			q = q.Where("assignments.unit_code IN (?)", p.UnitCodes(db))
		}
		if f.DirectiveID != "" {
			q = q.Where("assignments.directive_id = ?", f.DirectiveID)
		}
		if f.UnitCode != "" {
			q = q.Where("assignments.unit_code = ?", f.UnitCode)
		}
		if f.Status != "" {
			q = q.Where("assignments.status = ?", f.Status)
		}
		if f.HasOverdue {
			q = q.Where("assignments.overdue = ?", f.Overdue)
		}
		if f.HasRegion {
			q = q.Where("assignments.region = ?", f.Region)
		}
		return q
	}, nil
}

// assignmentViews turns rows into views with the latest cycle of each of
// their items.
func assignmentViews(db *gorm.DB, rows []assignmentRow, now time.Time, cal *workdays.Calendar) ([]AssignmentView, error) {
	out := make([]AssignmentView, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	dirSet := map[string]bool{}
	var dirIDs []string
	for i, r := range rows {
		ids[i] = r.ID
		if !dirSet[r.DirectiveID] {
			dirSet[r.DirectiveID] = true
			dirIDs = append(dirIDs, r.DirectiveID)
		}
	}
	defs, err := directiveItemDefs(db, dirIDs)
	if err != nil {
		return nil, err
	}
	var items []models.AssignmentItem
	if err := db.Where("assignment_id IN ?", ids).Order("assignment_id, item_number, cycle").Find(&items).Error; err != nil {
		return nil, err
	}
	byAssignment := map[string][]models.AssignmentItem{}
	for _, ai := range items {
		list := byAssignment[ai.AssignmentID]
		if n := len(list); n > 0 && list[n-1].ItemNumber == ai.ItemNumber {
			list[n-1] = ai // ordered by cycle: the latest wins
		} else {
			list = append(list, ai)
		}
		byAssignment[ai.AssignmentID] = list
	}
	for _, r := range rows {
		v := viewAssignment(r)
		for _, ai := range byAssignment[r.ID] {
			v.Items = append(v.Items, viewItem(ai, defs[r.DirectiveID][ai.ItemNumber], now, cal))
		}
		out = append(out, v)
	}
	return out, nil
}

// loadAssignment reads the assignment of unit in directive directiveID if
// p may see it, or answers 404.
func (s *service) loadAssignment(ctx context.Context, p *auth.Principal, directiveID, unit string) (assignmentRow, error) {
	db := s.db(ctx)
	q := db.Model(&models.Assignment{}).Where("assignments.id = ?", workflows.AssignmentWorkflowID(directiveID, unit))
	// A unit account always sees its own unit: skip the scope subquery (a
	// recursive CTE) on the acknowledge and report paths.
	ownUnit := p.HasRole(models.RoleProvince, models.RoleDistrict) && p.UnitCode == unit
	if !p.SeesAll() && !ownUnit {
		q = q.Where("assignments.unit_code IN (?)", p.UnitCodes(db))
	}
	var rows []assignmentRow
	if err := selectAssignmentRows(q).Limit(1).Scan(&rows).Error; err != nil {
		return assignmentRow{}, err
	}
	if len(rows) == 0 {
		return assignmentRow{}, apperr.New(apperr.NotFound,
			"ไม่พบงานของหน่วยงาน %q ในข้อสั่งการ %q (assignment not found)", unit, directiveID)
	}
	return rows[0], nil
}

func (s *service) Assignment(ctx context.Context, p *auth.Principal, directiveID, unit string) (AssignmentDetail, error) {
	var v AssignmentDetail
	r, err := s.loadAssignment(ctx, p, directiveID, unit)
	if err != nil {
		return v, err
	}
	db := s.db(ctx)
	v.AssignmentView = viewAssignment(r)
	defs, err := directiveItemDefs(db, []string{r.DirectiveID})
	if err != nil {
		return v, err
	}
	var items []models.AssignmentItem
	if err := db.Where("assignment_id = ?", r.ID).Order("item_number, cycle").Find(&items).Error; err != nil {
		return v, err
	}
	now := s.now()
	cal, err := s.calendar(ctx, now)
	if err != nil {
		return v, err
	}
	for _, ai := range items {
		v.Items = append(v.Items, viewItem(ai, defs[r.DirectiveID][ai.ItemNumber], now, cal))
	}
	var reports []models.Report
	if err := db.Where("assignment_id = ?", r.ID).Order("submitted_at, id").Find(&reports).Error; err != nil {
		return v, err
	}
	v.Reports = make([]ReportView, 0, len(reports))
	for _, rep := range reports {
		v.Reports = append(v.Reports, viewReport(rep))
	}
	evq := func() *gorm.DB { return db.Model(&models.AssignmentEvent{}).Where("assignment_id = ?", r.ID) }
	if err := evq().Count(&v.EventsTotal).Error; err != nil {
		return v, err
	}
	var events []models.AssignmentEvent
	if err := evq().Order("seq DESC").Limit(maxAssignmentEvents).Find(&events).Error; err != nil {
		return v, err
	}
	v.Events = make([]AssignmentEventView, 0, len(events))
	for _, e := range events {
		v.Events = append(v.Events, AssignmentEventView{Seq: e.Seq, Action: e.Action, Actor: e.Actor, At: e.At,
			Before: rawJSON(e.Before), After: rawJSON(e.After)})
	}
	return v, nil
}

func viewReport(r models.Report) ReportView {
	v := ReportView{ID: r.ID, ItemNumber: r.ItemNumber, Cycle: r.Cycle, Text: r.Text, Evidence: []EvidenceView{},
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, Decision: r.Decision, DecidedBy: r.DecidedBy,
		DecidedAt: r.DecidedAt, Reason: r.Reason, RecordSystem: r.RecordSystem, RecordNumber: r.RecordNumber}
	var files []workflows.EvidenceFile
	if err := json.Unmarshal([]byte(r.Evidence), &files); err == nil {
		for _, f := range files {
			v.Evidence = append(v.Evidence, EvidenceView{Name: f.Name, Size: f.Size, SHA256: f.SHA256, ContentType: f.ContentType})
		}
	}
	return v
}

// rawJSON returns s as raw JSON, or nil when it is empty or not JSON.
func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

// requireOwnUnit allows only a province or district account whose unit is
// unit: acknowledging and reporting are the unit's own acts.
func requireOwnUnit(p *auth.Principal, unit string) error {
	if err := p.Require(models.RoleProvince, models.RoleDistrict); err != nil {
		return err
	}
	if p.UnitCode != unit {
		return apperr.New(apperr.Forbidden,
			"บัญชีนี้เป็นของหน่วยงาน %q ดำเนินการแทนหน่วยงาน %q ไม่ได้ (this account belongs to unit %q and cannot act for unit %q)",
			p.UnitCode, unit, p.UnitCode, unit)
	}
	return nil
}

func (s *service) Acknowledge(ctx context.Context, p *auth.Principal, directiveID, unit string, req AcknowledgeRequest) (workflows.AssignmentState, error) {
	if err := requireOwnUnit(p, unit); err != nil {
		return workflows.AssignmentState{}, err
	}
	leave, err := s.updates.enter(ctx, workflows.AssignmentWorkflowID(directiveID, unit))
	if err != nil {
		return workflows.AssignmentState{}, err
	}
	defer leave()
	// Read after waiting: a request queued behind another finds that one's
	// commit in the read model and is answered as the workflow's validator
	// would, without another Update.
	a, err := s.loadAssignment(ctx, p, directiveID, unit)
	if err != nil {
		return workflows.AssignmentState{}, err
	}
	if a.AcknowledgedAt != nil {
		return workflows.AssignmentState{}, apperr.New(apperr.Conflict, "%s", workflows.AlreadyAcknowledgedMessage(*a.AcknowledgedAt, a.AcknowledgedBy))
	}
	return s.updateAssignmentHeld(ctx, a.ID, workflows.UpdateAcknowledge,
		workflows.AcknowledgeInput{UnitCode: p.UnitCode, Actor: p.Username, Note: strings.TrimSpace(req.Note)})
}

// ParseItemNumber reads an item number as typed in a path or form (Thai
// digits accepted); anything but a positive integer is apperr.Invalid on
// field "number".
func ParseItemNumber(raw string) (int, error) {
	n, err := thaidate.ParseInt(strings.TrimSpace(raw))
	if err != nil || n < 1 {
		return 0, apperr.Field("number", "เลขข้อต้องเป็นจำนวนเต็มบวก เช่น 1 หรือ ๑ (item number must be a positive integer)")
	}
	return n, nil
}

// reviewReport answers POST …/reports/{rid}/accept and …/return. The
// secretariat and admins review every report; a province centre reviews the
// reports of the district centres under it (the level that supervises them
// and receives their level-2 escalations), never its own.
func (s *service) Review(ctx context.Context, p *auth.Principal, ref ReportRef, decision workflows.ReviewDecision, req ReviewRequest) (workflows.AssignmentState, error) {
	var zero workflows.AssignmentState
	if err := p.Require(models.RoleSecretariat, models.RoleAdmin, models.RoleProvince); err != nil {
		return zero, err
	}
	number := ref.ItemNumber
	if p.HasRole(models.RoleProvince) {
		// Decided on the unit table, before visibility: the answer is
		// the same whether or not such an assignment exists.
		var n int64
		if err := s.db(ctx).Model(&models.Unit{}).
			Where("code = ? AND parent_code = ? AND code <> ?", ref.UnitCode, p.UnitCode, p.UnitCode).Count(&n).Error; err != nil {
			return zero, err
		}
		if n == 0 {
			return zero, apperr.New(apperr.Forbidden,
				"ศอ.ปส.จ. พิจารณาได้เฉพาะรายงานของ ศป.ปส.อ. ในจังหวัดของตน (a province centre reviews only the reports of its own district centres)")
		}
	}
	a, err := s.loadAssignment(ctx, p, ref.DirectiveID, ref.UnitCode)
	if err != nil {
		return zero, err
	}
	in := workflows.ReviewInput{Actor: p.Username, ItemNumber: number, Decision: decision, Reason: strings.TrimSpace(req.Reason)}
	if decision == workflows.ReviewReturn {
		if err := requireReason(req.Reason); err != nil {
			return zero, err
		}
		if in.NewDue, err = req.NewDue.parse("new_due"); err != nil {
			return zero, err
		}
	} else if req.NewDue != nil {
		return zero, apperr.Field("new_due", "การยอมรับผลไม่มีกำหนดใหม่ ใช้ new_due เฉพาะการส่งกลับ (new_due applies only to return)")
	}
	db := s.db(ctx)
	rid := ref.ReportID
	var rep models.Report
	err = db.Where("id = ? AND assignment_id = ? AND item_number = ?", rid, a.ID, number).First(&rep).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return zero, apperr.New(apperr.NotFound, "ไม่พบรายงาน %q ของข้อ %d (report not found for this item)", rid, number)
	} else if err != nil {
		return zero, err
	}
	if rep.Decision != nil {
		return zero, apperr.New(apperr.Conflict, "รายงาน %q ได้รับการพิจารณาแล้ว (%s) (this report was already reviewed: %s)", rid, *rep.Decision, *rep.Decision)
	}
	// The workflow reviews the latest report of the cycle; an undecided
	// report is always the latest one of its cycle.
	in.Cycle = rep.Cycle
	return s.updateAssignment(ctx, a.ID, workflows.UpdateReview, in)
}

// startRetryWindow bounds how long updateAssignment waits for an
// assignment workflow that is still starting.
const startRetryWindow = 10 * time.Second

// updateAssignment runs an update on an assignment workflow like
// engine.Update, retrying for a few seconds while the workflow answers
// that it is still starting (its validators reject with Unavailable until
// its first save is done; a rejected update leaves no trace, so the retry
// is safe). Any other answer is returned at once. It waits for the
// assignment's turn in s.updates first, so this process sends one Update
// at a time to each assignment.
func (s *service) updateAssignment(ctx context.Context, assignmentID, name string, arg any) (workflows.AssignmentState, error) {
	leave, err := s.updates.enter(ctx, assignmentID)
	if err != nil {
		return workflows.AssignmentState{}, err
	}
	defer leave()
	return s.updateAssignmentHeld(ctx, assignmentID, name, arg)
}

// updateAssignmentHeld is updateAssignment for a caller already holding
// the assignment's turn in s.updates. When the workflow hands back its
// commit (revision 2 on) it writes it before returning, so the caller's
// next read sees the change; the workflow writes the same rows itself (by
// activity at once in revision 2, in its next ordinary task in revision 3).
// If this write fails the Update has still happened (it is recorded in the
// workflow), so the state is returned and the failure only logged, and the
// workflow is asked to write now (askToFlush): its write retries until the
// database takes it.
func (s *service) updateAssignmentHeld(ctx context.Context, assignmentID, name string, arg any) (workflows.AssignmentState, error) {
	var out workflows.AssignmentUpdateResult
	deadline := time.Now().Add(startRetryWindow)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := engine.Update(ctx, s.Temporal, assignmentID, name, arg, &out)
		if s.Temporal == nil || apperr.CodeOf(err) != apperr.Unavailable || time.Now().Add(wait).After(deadline) {
			if err != nil {
				return workflows.AssignmentState{}, err
			}
			break
		}
		select {
		case <-ctx.Done():
			return workflows.AssignmentState{}, err
		case <-time.After(wait):
		}
	}
	if out.Commit != nil {
		if err := activities.WriteUpdateCommit(ctx, s.DB, *out.Commit); err != nil {
			s.Logger.Warn("writing a completed update's commit failed; the workflow will write it",
				"assignment", assignmentID, "update", name, "error", err)
			s.askToFlush(assignmentID)
		}
	}
	return s.withItemTexts(ctx, out.AssignmentState), nil
}

// askToFlush signals an assignment workflow (revision 3 on) to write its
// pending commits now, after this process failed to write a completed
// Update's commit: the workflow's write then retries until the database
// takes it. Without the signal the workflow writes anyway once its flush
// time (workflows.DefaultFlushAfter) is up, so a failed signal is only
// logged. An older run ignores the signal; it wrote by activity already.
func (s *service) askToFlush(assignmentID string) {
	if s.Temporal == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), engine.UpdateTimeout)
	defer cancel()
	if err := s.Temporal.SignalWorkflow(ctx, assignmentID, "", workflows.SignalFlush, workflows.FlushInput{}); err != nil {
		s.Logger.Warn("asking the workflow to write its pending commits failed; it writes them when its flush time is up",
			"assignment", assignmentID, "error", err)
	}
}

// withItemTexts fills in the text of every item of st that the workflow
// holds by ref (models.TextRef), for answers. A failed read is logged and
// leaves the ref in place: the change itself has happened.
func (s *service) withItemTexts(ctx context.Context, st workflows.AssignmentState) workflows.AssignmentState {
	if err := store.FillTexts(ctx, s.DB, st.Items, func(it *workflows.ItemState) (*models.TextRef, *string) {
		return &it.TextRef, &it.Text
	}); err != nil {
		s.Logger.Warn("reading item texts for an answer failed", "assignment", st.AssignmentID, "error", err)
	}
	return st
}

// queryAssignmentState asks the assignment workflow for its state.
func (s *service) queryAssignmentState(ctx context.Context, assignmentID string) (workflows.AssignmentState, error) {
	var st workflows.AssignmentState
	if s.Temporal == nil {
		return st, engine.ErrUnavailable()
	}
	ctx, cancel := context.WithTimeout(ctx, engine.UpdateTimeout)
	defer cancel()
	v, err := s.Temporal.QueryWorkflow(ctx, assignmentID, "", workflows.QueryState)
	if err != nil {
		return st, workflows.AppError(err)
	}
	if err := v.Get(&st); err != nil {
		return st, err
	}
	return s.withItemTexts(ctx, st), nil
}
