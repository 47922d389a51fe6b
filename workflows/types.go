// Package workflows holds tidtam's durable core: the Temporal workflows that
// carry a directive (ข้อสั่งการ) from issue to result. DirectiveWorkflow owns
// one directive and fans it out; AssignmentWorkflow owns one unit's share
// (acknowledgement, items, reports, deadlines, reminders and the escalation
// ladder). This file is the contract the HTTP API codes against: workflow
// IDs, message names, and every input, result and view type.
//
// Workflow code here does no I/O and is deterministic; all reads and writes
// go through the activities package.
package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// TaskQueue is the default task queue of tidtam's workflows and activities.
const TaskQueue = "tidtam"

// Registered workflow type names (the function names).
const (
	DirectiveWorkflowType  = "DirectiveWorkflow"
	AssignmentWorkflowType = "AssignmentWorkflow"
)

// Update, signal and query names. Updates run a validator first: a rejected
// update changes nothing and leaves no trace in the workflow history.
const (
	// UpdateAcknowledge (AssignmentWorkflow): AcknowledgeInput → AssignmentUpdateResult.
	UpdateAcknowledge = "acknowledge"
	// UpdateReport (AssignmentWorkflow): ReportInput → AssignmentUpdateResult.
	UpdateReport = "report"
	// UpdateReview (AssignmentWorkflow): ReviewInput → AssignmentUpdateResult.
	UpdateReview = "review"
	// UpdateInspectorAction (AssignmentWorkflow): InspectorActionInput → AssignmentUpdateResult.
	UpdateInspectorAction = "inspector_action"
	// UpdateAmend: AmendInput → AssignmentUpdateResult on AssignmentWorkflow,
	// → DirectiveProgress on DirectiveWorkflow (which forwards it to every
	// assignment that carries the item).
	UpdateAmend = "amend"
	// UpdateAddTargets (DirectiveWorkflow): AddTargetsInput → DirectiveProgress.
	UpdateAddTargets = "add_targets"
	// UpdateWithdraw: WithdrawInput → AssignmentUpdateResult on AssignmentWorkflow,
	// → DirectiveProgress on DirectiveWorkflow (which then completes).
	UpdateWithdraw = "withdraw"
	// SignalWithdraw (AssignmentWorkflow): WithdrawInput; same effect as the
	// update, for callers that need not wait. Repeating it is harmless.
	SignalWithdraw = "withdraw"
	// SignalAmend (AssignmentWorkflow): AmendInput with DueAt resolved; used
	// by DirectiveWorkflow to forward amendments. Repeating it is harmless.
	SignalAmend = "amend"
	// SignalFlush (AssignmentWorkflow, revision 3 on): FlushInput; asks the
	// workflow to write its pending commits now. The API sends it when its
	// own write of a completed Update's commit failed, so the database gets
	// the change as soon as it takes writes again rather than when the
	// workflow's flush timer fires.
	SignalFlush = "flush"
	// QueryState (AssignmentWorkflow) → AssignmentState.
	QueryState = "state"
	// QueryProgress (DirectiveWorkflow) → DirectiveProgress.
	QueryProgress = "progress"
)

// Clock times in Asia/Bangkok. A deadline counted in working days falls at
// DeadlineHour:DeadlineMinute of its day; reminders and escalations counted
// in working days fire at NoticeHour:00.
const (
	DeadlineHour   = 16
	DeadlineMinute = 30
	NoticeHour     = 9
)

// DefaultHistoryLimit is the number of history events after which an
// AssignmentWorkflow continues as new at its next quiet point (after a
// recurring cycle opens), and a DirectiveWorkflow after its next message.
const DefaultHistoryLimit = 1000

// DirectiveWorkflowID returns the workflow ID of a directive:
// "directive/" + directiveID.
func DirectiveWorkflowID(directiveID string) string { return "directive/" + directiveID }

// AssignmentWorkflowID returns the workflow ID of a unit's assignment, which
// is also the assignments.id primary key: "assignment/" + directiveID + "/" +
// unitCode.
func AssignmentWorkflowID(directiveID, unitCode string) string {
	return "assignment/" + directiveID + "/" + unitCode
}

// DirectiveKey returns the stable business key of a directive issued by
// issuerCode under the normalised document number docNumberNorm (see
// NormalizeDocNumber): issuerCode + "-" + the first 16 hex digits of
// SHA-256(issuerCode + "\n" + docNumberNorm). The same letter therefore maps
// to the same directive ID and workflow however often it is submitted.
func DirectiveKey(issuerCode, docNumberNorm string) string {
	sum := sha256.Sum256([]byte(issuerCode + "\n" + docNumberNorm))
	return issuerCode + "-" + hex.EncodeToString(sum[:])[:16]
}

// NormalizeDocNumber turns a document number as written (e.g. "ที่ ยธ ๐๖๐๐/ว ๑๒๓")
// into its comparable form: Thai digits become Arabic digits, leading and
// trailing spaces are dropped and every run of white space becomes one
// space. Letters are kept as written.
func NormalizeDocNumber(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r >= '๐' && r <= '๙' {
			r = '0' + (r - '๐')
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Urgency is the urgency class printed on a letter (ชั้นความเร็ว).
type Urgency string

// Urgency classes, stored and exchanged by their ASCII code.
const (
	UrgencyMostUrgent Urgency = "most_urgent" // ด่วนที่สุด
	UrgencyVeryUrgent Urgency = "very_urgent" // ด่วนมาก
	UrgencyUrgent     Urgency = "urgent"      // ด่วน
	UrgencyNormal     Urgency = "normal"      // ปกติ
)

// Directive is the directive row data carried by DirectiveWorkflow. ID is
// the business key (DirectiveKey). IssueDate is a civil date. The body
// travels as BodyRef (the text is in free_texts, see models.TextRef); Body
// is set only in inputs recorded before texts travelled by reference.
type Directive struct {
	ID            string         `json:"id"`
	Source        string         `json:"source"`
	IssuerCode    string         `json:"issuer_code"`
	DocNumber     string         `json:"doc_number"`
	DocNumberNorm string         `json:"doc_number_norm"`
	IssueDate     thaidate.Date  `json:"issue_date"`
	Urgency       Urgency        `json:"urgency"`
	Subject       string         `json:"subject"`
	Body          string         `json:"body,omitempty"`
	BodyRef       models.TextRef `json:"body_ref,omitempty"`
	MeetingID     *string        `json:"meeting_id,omitempty"`
	CreatedBy     string         `json:"created_by"`
}

// DirectiveRef is the part of a directive every assignment carries (for
// notifications and views); the body stays with the directive.
type DirectiveRef struct {
	ID         string        `json:"id"`
	IssuerCode string        `json:"issuer_code"`
	DocNumber  string        `json:"doc_number"`
	IssueDate  thaidate.Date `json:"issue_date"`
	Urgency    Urgency       `json:"urgency"`
	Subject    string        `json:"subject"`
}

// TargetSpec records how the issuer described an item's targets, before the
// API resolved it to units; it is stored for display and audit only.
// Levels selects whole levels ("province", "district"), Sets names target
// sets, Regions inspection regions, Units unit codes, Names the names as
// written.
type TargetSpec struct {
	Levels  []models.UnitType `json:"levels,omitempty"`
	Sets    []string          `json:"sets,omitempty"`
	Regions []int             `json:"regions,omitempty"`
	Units   []string          `json:"units,omitempty"`
	Names   []string          `json:"names,omitempty"`
}

// Recurrence makes an item monthly: each calendar month from the assignment
// on is one cycle, due at DeadlineHour:DeadlineMinute on the
// MonthlyWorkingDay-th working day of that month (1 = first working day),
// for every month whose due date is on or before Until. A cycle opens at the
// start of its month (the first one when the assignment starts); when the
// next one opens, a cycle still waiting for a report becomes lapsed.
type Recurrence struct {
	MonthlyWorkingDay int           `json:"monthly_working_day"`
	Until             thaidate.Date `json:"until"`
}

// DirectiveItem is one numbered item of a directive. Its due is DueDate (a
// civil date; due at DeadlineHour:DeadlineMinute), or DueWithin after the
// assignment started, or for a recurring item given by Recurrence; an item
// with none of these has no deadline (no reminders, no escalation). When
// EvidenceRequired, a report must carry at least one evidence file.
// ReportInto says where the result is reported (free text, e.g. a form).
// The item's text travels as TextRef (see models.TextRef); Text is set only
// in inputs recorded before texts travelled by reference, and in answers
// the API has filled in.
type DirectiveItem struct {
	Number           int            `json:"number"`
	Text             string         `json:"text"`
	TextRef          models.TextRef `json:"text_ref,omitempty"`
	Target           TargetSpec     `json:"target"`
	DueDate          *thaidate.Date `json:"due_date,omitempty"`
	DueWithin        *Span          `json:"due_within,omitempty"`
	Recurrence       *Recurrence    `json:"recurrence,omitempty"`
	EvidenceRequired bool           `json:"evidence_required"`
	ReportInto       string         `json:"report_into,omitempty"`
}

// UnitTarget is one resolved target unit and the item numbers addressed to
// it (empty means every item). ParentCode is the unit's parent (the
// province centre of a district; models.NationalUnitCode for a province);
// Region is its inspection region (0–18). Type is the unit's level; when
// empty, a unit whose parent is the national unit counts as a province.
type UnitTarget struct {
	UnitCode    string          `json:"unit_code"`
	ParentCode  string          `json:"parent_code"`
	Region      int             `json:"region"`
	Type        models.UnitType `json:"type,omitempty"`
	ItemNumbers []int           `json:"item_numbers,omitempty"`
}

// Deadline is a new due given by a person: a civil Date (due at
// DeadlineHour:DeadlineMinute Bangkok), a span Within from the moment it is
// applied, or an absolute instant At. Exactly one must be set.
// DirectiveWorkflow resolves Date and Within to At before forwarding.
type Deadline struct {
	Date   *thaidate.Date `json:"date,omitempty"`
	Within *Span          `json:"within,omitempty"`
	At     *time.Time     `json:"at,omitempty"`
}

// DirectiveInput starts a DirectiveWorkflow (workflow ID
// DirectiveWorkflowID(Directive.ID)). Targets are already resolved to units
// by the caller. Holidays is the holiday list (ISO dates) the deadlines are
// computed with, recorded so a replay sees the same calendar; HolidayYears
// lists years for which Holidays is complete even where it names no date
// (so they are not looked up again). Carry is nil
// on the first run and set by the workflow itself when it continues as new.
type DirectiveInput struct {
	Directive    Directive       `json:"directive"`
	Items        []DirectiveItem `json:"items"`
	Targets      []UnitTarget    `json:"targets"`
	Policy       Policy          `json:"policy"`
	Holidays     []string        `json:"holidays"`
	HolidayYears []int           `json:"holiday_years,omitempty"`
	Actor        string          `json:"actor"`
	HistoryLimit int             `json:"history_limit,omitempty"`
	Carry        *DirectiveCarry `json:"carry,omitempty"`
}

// DirectiveCarry is the state a DirectiveWorkflow hands to its next run.
type DirectiveCarry struct {
	Status    models.DirectiveStatus `json:"status"`
	FannedOut int                    `json:"fanned_out"`
	Seq       int64                  `json:"seq"`
	IssuedAt  time.Time              `json:"issued_at"`
}

// DirectiveResult is what a completed DirectiveWorkflow returns.
type DirectiveResult struct {
	DirectiveID   string                 `json:"directive_id"`
	Status        models.DirectiveStatus `json:"status"`
	Reason        string                 `json:"reason,omitempty"`
	UnitsTotal    int                    `json:"units_total"`
	UnitsAssigned int                    `json:"units_assigned"`
}

// DirectiveProgress is the query view of a DirectiveWorkflow and the result
// of its updates. UnitsAssigned counts the assignment workflows started so
// far; FanOutDone is true when every target has one.
type DirectiveProgress struct {
	DirectiveID   string                 `json:"directive_id"`
	Status        models.DirectiveStatus `json:"status"`
	Reason        string                 `json:"reason,omitempty"`
	UnitsTotal    int                    `json:"units_total"`
	UnitsAssigned int                    `json:"units_assigned"`
	FanOutDone    bool                   `json:"fan_out_done"`
	Items         []DirectiveItem        `json:"items"`
	IssuedAt      time.Time              `json:"issued_at"`
}

// AddTargetsInput adds units to a directive (update UpdateAddTargets). The
// validator rejects an empty list, a unit listed twice, a unit that already
// has an assignment, and unknown item numbers.
type AddTargetsInput struct {
	Targets []UnitTarget `json:"targets"`
	Actor   string       `json:"actor"`
	Reason  string       `json:"reason,omitempty"`
}

// AmendInput changes the due of one item (update UpdateAmend on either
// workflow, or signal SignalAmend on an assignment). NewDue is required;
// Reason is recorded. On a recurring item it moves the due of the current
// cycle only.
type AmendInput struct {
	ItemNumber int      `json:"item_number"`
	NewDue     Deadline `json:"new_due"`
	Actor      string   `json:"actor"`
	Reason     string   `json:"reason"`
}

// WithdrawInput withdraws a directive or one assignment. Reason is
// required. Every open item ends (closed, reason "withdrawn") and every open
// escalation closes.
type WithdrawInput struct {
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
}

// AssignmentInput starts an AssignmentWorkflow (workflow ID
// AssignmentWorkflowID(Directive.ID, Target.UnitCode)). Items are the
// directive's items; only those in Target.ItemNumbers (all when empty) are
// assigned. Holidays and HolidayYears seed the working-day calendar as in
// DirectiveInput; the directive fills both so that a fan-out does not look
// the holidays up once per unit. State is nil on the first run and set by
// the workflow itself when it continues as new. HistoryLimit 0 means
// DefaultHistoryLimit.
type AssignmentInput struct {
	Directive    DirectiveRef     `json:"directive"`
	Target       UnitTarget       `json:"target"`
	Items        []DirectiveItem  `json:"items"`
	Policy       Policy           `json:"policy"`
	Holidays     []string         `json:"holidays"`
	HolidayYears []int            `json:"holiday_years,omitempty"`
	Actor        string           `json:"actor"`
	HistoryLimit int              `json:"history_limit,omitempty"`
	State        *AssignmentState `json:"state,omitempty"`
	// Revision selects behaviour that must not change under runs already
	// started (versioning by input, fixed for the run: unlike
	// workflow.GetVersion it costs no marker and no search-attribute upsert
	// in each of thousands of assignments). 0 is the original;
	// AssignmentRevision is what the directive starts now.
	Revision int `json:"revision,omitempty"`
	// FlushAfter bounds how long (revision 3 on) a change made by an Update
	// waits for the workflow's own write when no ordinary workflow task
	// comes sooner; 0 means DefaultFlushAfter. The API writes the change at
	// once; this write only matters when the API's did not happen (the API
	// died in between, or the database refused it).
	FlushAfter time.Duration `json:"flush_after,omitempty"`
}

// AssignmentRevision is the AssignmentInput.Revision new assignments get:
// 1 dates the assignment from its workflow's start event; 2 also commits
// each change made by an Update or signal with a regular activity and
// hands the commit to the caller in AssignmentUpdateResult; 3 hands the
// commit to the caller the same way but schedules nothing: the workflow
// keeps the commit pending and writes it with a local activity in its next
// ordinary workflow task (a timer fired or a signal received, never an
// Update's speculative task), at the latest FlushAfter later. An
// acknowledgement then costs the server one workflow task, as a bare
// Update does, instead of a task, an activity and a second task.
const AssignmentRevision = 3

// DefaultFlushAfter is AssignmentInput.FlushAfter's default.
const DefaultFlushAfter = time.Minute

// FlushInput is the input of signal SignalFlush (empty; a struct so that
// fields can be added).
type FlushInput struct{}

// AssignmentUpdateResult is what an assignment Update returns: the new
// state and, from revision 2 on, the commit that writes it. A caller
// holding a completed Update's result may write Commit itself with
// activities.CommitAssignment (the API does, so its caller reads its own
// write): the workflow writes the same rows by activity, and the second
// write changes nothing. In JSON the state's fields sit at the top level,
// so results of earlier revisions decode unchanged.
type AssignmentUpdateResult struct {
	AssignmentState
	Commit *activities.CommitAssignmentInput `json:"commit,omitempty"`
}

// AssignmentResult is what a completed AssignmentWorkflow returns: its
// final state (status closed or withdrawn).
type AssignmentResult struct {
	State AssignmentState `json:"state"`
}

// AssignmentState is the whole state of one assignment: the query view
// (QueryState), the result of every update, and what continue-as-new
// carries. Items holds one entry per item and cycle, ordered by item number
// then cycle. Seq counts the assignment's events; it is the version of the
// stored rows and the suffix of every deterministic ID the workflow writes.
type AssignmentState struct {
	AssignmentID    string                  `json:"assignment_id"`
	DirectiveID     string                  `json:"directive_id"`
	UnitCode        string                  `json:"unit_code"`
	ParentCode      string                  `json:"parent_code"`
	Region          int                     `json:"region"`
	Status          models.AssignmentStatus `json:"status"`
	AssignedAt      time.Time               `json:"assigned_at"`
	AckDueAt        time.Time               `json:"ack_due_at"`
	AckOverdue      bool                    `json:"ack_overdue"`
	AcknowledgedAt  *time.Time              `json:"acknowledged_at,omitempty"`
	AcknowledgedBy  string                  `json:"acknowledged_by,omitempty"`
	AckNote         string                  `json:"ack_note,omitempty"`
	Overdue         bool                    `json:"overdue"`
	EscalationLevel int                     `json:"escalation_level"`
	CloseReason     string                  `json:"close_reason,omitempty"`
	ClosedAt        *time.Time              `json:"closed_at,omitempty"`
	Items           []ItemState             `json:"items"`
	Seq             int64                   `json:"seq"`
	// HolidayYears lists the years the working-day calendar is known to
	// cover (from the input's holiday list and from LoadHolidays).
	HolidayYears []int `json:"holiday_years,omitempty"`
}

// ItemState is one item of an assignment in one cycle. For a recurring
// item Period is the cycle's month ("2026-03") and PeriodEnded is set once
// that month is over. DueAt is nil for an
// item without deadline. DueRound counts changes of the due (return,
// extension, amendment) and keys escalations. RemindersSent counts the
// reminders sent for the current due. EscalationLevel is the highest level
// reached for the current due (0 none, 1 unit, 2 parent, 3 inspector);
// OpenEscalations are the IDs of the escalations not yet closed. TextRef
// names the item's text (models.TextRef); Text is set only in states
// started before texts travelled by reference, and in answers the API has
// filled in.
type ItemState struct {
	Number           int               `json:"number"`
	Cycle            int               `json:"cycle"`
	Text             string            `json:"text"`
	TextRef          models.TextRef    `json:"text_ref,omitempty"`
	EvidenceRequired bool              `json:"evidence_required"`
	Recurring        bool              `json:"recurring,omitempty"`
	Period           string            `json:"period,omitempty"`
	PeriodEnded      bool              `json:"period_ended,omitempty"`
	Status           models.ItemStatus `json:"status"`
	OpenedAt         time.Time         `json:"opened_at"`
	DueAt            *time.Time        `json:"due_at,omitempty"`
	DueRound         int               `json:"due_round"`
	RemindersSent    int               `json:"reminders_sent"`
	Overdue          bool              `json:"overdue"`
	EscalationLevel  int               `json:"escalation_level"`
	OpenEscalations  []string          `json:"open_escalations,omitempty"`
	ReportedAt       *time.Time        `json:"reported_at,omitempty"`
	Reason           string            `json:"reason,omitempty"`
	Reports          []ReportRef       `json:"reports,omitempty"`
}

// ReportRef is a report as the assignment remembers it (the text and
// evidence are in the reports table).
type ReportRef struct {
	ReportID    string                 `json:"report_id"`
	SubmittedBy string                 `json:"submitted_by"`
	SubmittedAt time.Time              `json:"submitted_at"`
	Evidence    int                    `json:"evidence"`
	Decision    *models.ReportDecision `json:"decision,omitempty"`
	DecidedBy   string                 `json:"decided_by,omitempty"`
	DecidedAt   *time.Time             `json:"decided_at,omitempty"`
	Reason      string                 `json:"reason,omitempty"`
}

// AcknowledgeInput is a unit's acknowledgement (รับทราบ) of its assignment.
// UnitCode is the acting account's unit and must be the assignment's unit.
// Rejected when already acknowledged, withdrawn or closed.
type AcknowledgeInput struct {
	UnitCode string `json:"unit_code"`
	Actor    string `json:"actor"`
	Note     string `json:"note,omitempty"`
}

// EvidenceFile is a reference to an uploaded evidence file; the bytes live
// in file storage at StoragePath.
type EvidenceFile struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	StoragePath string `json:"storage_path"`
	ContentType string `json:"content_type"`
}

// ReportInput is a unit's report on one item. ReportID is the caller's
// idempotency key (the reports.id). Cycle 0 means the item's current cycle.
// The report's text travels as TextRef (stored first, see models.TextRef);
// Text is set only in Updates recorded before texts travelled by reference.
// Rejected for the wrong unit, an unknown item, an item not waiting for a
// report (already reported, accepted, closed, …), an empty text, a reused
// ReportID, or no evidence when the item requires it. A report on an
// unacknowledged assignment acknowledges it too.
type ReportInput struct {
	ReportID   string         `json:"report_id"`
	UnitCode   string         `json:"unit_code"`
	Actor      string         `json:"actor"`
	ItemNumber int            `json:"item_number"`
	Cycle      int            `json:"cycle,omitempty"`
	Text       string         `json:"text,omitempty"`
	TextRef    models.TextRef `json:"text_ref,omitempty"`
	Evidence   []EvidenceFile `json:"evidence,omitempty"`
	// RecordSystem and RecordNumber name the same result in a national
	// system (see models.Report); both empty when none.
	RecordSystem string `json:"record_system,omitempty"`
	RecordNumber string `json:"record_number,omitempty"`
}

// ReviewDecision is the secretariat's decision on a reported item.
type ReviewDecision string

// Review decisions.
const (
	ReviewAccept ReviewDecision = "accept"
	ReviewReturn ReviewDecision = "return"
)

// ReviewInput reviews the latest report of an item (Cycle 0: the latest
// reported cycle). Return requires Reason and NewDue; the item becomes
// returned and waits for a new report. Rejected when the item is not
// reported.
type ReviewInput struct {
	Actor      string         `json:"actor"`
	ItemNumber int            `json:"item_number"`
	Cycle      int            `json:"cycle,omitempty"`
	Decision   ReviewDecision `json:"decision"`
	Reason     string         `json:"reason,omitempty"`
	NewDue     *Deadline      `json:"new_due,omitempty"`
}

// InspectorActionInput is an action by a secretariat officer or an MOI
// inspector on an item (Cycle 0: the current cycle). Reason is always
// required; NewDue for new_deadline and extend. An inspector
// (ActorRole models.RoleInspector) may act only on an item that is
// escalated or overdue; secretariat and admin on any item waiting for a
// report. comment records only; new_deadline moves the due (the item keeps
// its status); extend moves it and marks the item extended; close and waive
// end the item. Every kind but comment closes the item's open escalations.
type InspectorActionInput struct {
	Actor      string                      `json:"actor"`
	ActorRole  models.Role                 `json:"actor_role"`
	ItemNumber int                         `json:"item_number"`
	Cycle      int                         `json:"cycle,omitempty"`
	Kind       models.EscalationActionKind `json:"kind"`
	Reason     string                      `json:"reason"`
	NewDue     *Deadline                   `json:"new_due,omitempty"`
}

// Notification kinds the workflows enqueue (notifications.kind and
// template); internal/notify has a template for each. Data keys: see
// assignment.data (directive_id, assignment_id, unit_code, subject,
// doc_number, urgency, item, cycle, item_text, due_at, and per kind
// ack_due_at, reminder, level, escalation_id, reason, actor, action,
// old_due_at, report_id, report_text). Long texts are sent as refs under
// the key + "_ref" (item_text_ref, report_text_ref), which the activity
// that enqueues the notification replaces with the stored text.
const (
	NotifyAssigned    = "assigned"
	NotifyAckOverdue  = "ack_overdue"
	NotifyReminder    = "reminder"
	NotifyOverdue     = "overdue"
	NotifyEscalation  = "escalation"
	NotifyReturned    = "returned"
	NotifyDueChanged  = "due_changed"
	NotifyCycleOpened = "cycle_opened"
	NotifyWithdrawn   = "withdrawn"
	NotifyReported    = "reported"
	// NotifyInspectorAction tells the unit of any inspector or secretariat
	// action on one of its items (data: action, actor, reason, and due_at
	// plus old_due_at when the due moved).
	NotifyInspectorAction = "inspector_action"
	NotificationLangTH    = "th"
)

// EscalationID returns the deterministic key of an escalation:
// assignmentID/item/cycle/level, plus "/r" + round when the item's due has
// been changed round times.
func EscalationID(assignmentID string, item, cycle, level, round int) string {
	id := assignmentID + "/" + itoa(item) + "/" + itoa(cycle) + "/" + itoa(level)
	if round > 0 {
		id += "/r" + itoa(round)
	}
	return id
}
