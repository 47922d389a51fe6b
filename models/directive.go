package models

import "time"

// DirectiveStatus is the life-cycle state of a directive (ข้อสั่งการ).
type DirectiveStatus string

// Directive states: issued from the moment it is recorded; withdrawn when the
// issuer cancels it (every open assignment then ends); closed when the
// secretariat closes it.
const (
	DirectiveIssued    DirectiveStatus = "issued"
	DirectiveWithdrawn DirectiveStatus = "withdrawn"
	DirectiveClosed    DirectiveStatus = "closed"
)

// AssignmentStatus is the state of one unit's assignment under a directive.
type AssignmentStatus string

// Assignment states: assigned until the unit acknowledges (รับทราบ) once;
// closed when every item is resolved; withdrawn when the directive is.
const (
	AssignmentAssigned     AssignmentStatus = "assigned"
	AssignmentAcknowledged AssignmentStatus = "acknowledged"
	AssignmentClosed       AssignmentStatus = "closed"
	AssignmentWithdrawn    AssignmentStatus = "withdrawn"
)

// ItemStatus is the state of one item (ข้อ) of an assignment in one cycle.
type ItemStatus string

// Item states. open, returned and extended wait for a report from the unit;
// reported waits for the secretariat's review; accepted, waived, closed and
// lapsed are final (lapsed: a recurring cycle that ended unresolved).
const (
	ItemOpen     ItemStatus = "open"
	ItemReported ItemStatus = "reported"
	ItemAccepted ItemStatus = "accepted"
	ItemReturned ItemStatus = "returned"
	ItemExtended ItemStatus = "extended"
	ItemWaived   ItemStatus = "waived"
	ItemClosed   ItemStatus = "closed"
	ItemLapsed   ItemStatus = "lapsed"
)

// Final reports whether s ends the item's cycle (no report is expected and
// no timer runs any more).
func (s ItemStatus) Final() bool {
	switch s {
	case ItemAccepted, ItemWaived, ItemClosed, ItemLapsed:
		return true
	}
	return false
}

// AwaitingReport reports whether the unit owes a report for an item in
// state s (deadline timers, reminders and escalations run only then).
func (s ItemStatus) AwaitingReport() bool {
	switch s {
	case ItemOpen, ItemReturned, ItemExtended:
		return true
	}
	return false
}

// ReportDecision is the secretariat's decision on a report.
type ReportDecision string

// Report decisions; a report with no decision yet has a NULL decision.
const (
	DecisionAccepted ReportDecision = "accepted"
	DecisionReturned ReportDecision = "returned"
)

// EscalationActionKind is what a secretariat officer or MOI inspector did
// on an escalated or overdue item.
type EscalationActionKind string

// Escalation actions. Every action carries a reason. new_deadline and
// extend carry the new due instant; close and waive end the item.
const (
	ActionComment     EscalationActionKind = "comment"
	ActionNewDeadline EscalationActionKind = "new_deadline"
	ActionExtend      EscalationActionKind = "extend"
	ActionClose       EscalationActionKind = "close"
	ActionWaive       EscalationActionKind = "waive"
)

// NotificationPending is the status of a notification that has not been
// delivered yet; the delivery service owns every later status.
const NotificationPending = "pending"

// Directive is one directive (ข้อสั่งการ): a letter, meeting resolution or
// order, keyed by a stable business key ID (see workflows.DirectiveKey).
// IssueDate is a Gregorian civil date YYYY-MM-DD. DocNumberNorm is DocNumber
// with Thai digits turned into Arabic ones and spaces collapsed; together with
// IssuerCode it is unique when not empty.
type Directive struct {
	ID            string          `gorm:"primaryKey;size:128"`
	Source        string          `gorm:"size:32;not null"`
	IssuerCode    string          `gorm:"size:32;not null;uniqueIndex:idx_directives_doc,where:doc_number_norm <> ''"`
	DocNumber     string          `gorm:"size:128;not null"`
	DocNumberNorm string          `gorm:"size:128;not null;uniqueIndex:idx_directives_doc,where:doc_number_norm <> ''"`
	IssueDate     string          `gorm:"size:10;not null"`
	Urgency       string          `gorm:"size:16;not null"`
	Subject       string          `gorm:"type:text;not null"`
	Body          string          `gorm:"type:text;not null"`
	MeetingID     *string         `gorm:"size:64"`
	Status        DirectiveStatus `gorm:"size:16;not null;index"`
	// StatusReason is the reason given when the directive was withdrawn or
	// closed; empty while issued.
	StatusReason  string    `gorm:"type:text;not null"`
	UnitsTotal    int       `gorm:"not null"`
	UnitsAssigned int       `gorm:"not null"`
	CreatedBy     string    `gorm:"size:64;not null"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// DirectiveItem is one numbered item (ข้อ) of a directive. Target is the
// target specification as JSON (as the issuer wrote it, before resolution to
// units). A due is a civil date (DueDate), or a span after assignment:
// DueWorkingDays for a span in working days, DueWithin for the span's text
// form (ISO-8601 duration such as "PT30S" for drills, or a working-day
// count). Recurrence is JSON (workflows.Recurrence) or NULL.
type DirectiveItem struct {
	DirectiveID      string  `gorm:"primaryKey;size:128"`
	Number           int     `gorm:"primaryKey;autoIncrement:false"`
	Text             string  `gorm:"type:text;not null"`
	Target           string  `gorm:"type:text;not null"`
	DueDate          *string `gorm:"size:10"`
	DueWorkingDays   *int
	DueWithin        *string `gorm:"size:32"`
	Recurrence       *string `gorm:"type:text"`
	EvidenceRequired bool    `gorm:"not null"`
	ReportInto       string  `gorm:"type:text;not null"`
}

// Assignment is one unit's share of one directive. ID is the Temporal
// workflow ID (workflows.AssignmentWorkflowID) and (DirectiveID, UnitCode) is
// unique. Version is the workflow's event sequence number of the last save:
// a save carrying a lower version than the stored one is ignored, so late or
// retried writes never roll the row back.
type Assignment struct {
	ID              string           `gorm:"primaryKey;size:255"`
	DirectiveID     string           `gorm:"size:128;not null;uniqueIndex:idx_assignments_directive_unit"`
	UnitCode        string           `gorm:"size:32;not null;uniqueIndex:idx_assignments_directive_unit;index"`
	ParentCode      string           `gorm:"size:32;not null;index"`
	Region          int              `gorm:"not null;index"`
	Status          AssignmentStatus `gorm:"size:16;not null"`
	AckDueAt        time.Time        `gorm:"not null"`
	AcknowledgedAt  *time.Time
	AcknowledgedBy  string    `gorm:"size:64;not null"`
	Overdue         bool      `gorm:"not null"`
	EscalationLevel int       `gorm:"not null"`
	CloseReason     string    `gorm:"type:text;not null"`
	Version         int64     `gorm:"not null"`
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

// AssignmentItem is the state of one item of an assignment in one cycle
// (cycle 1 for a one-off item; 1, 2, … for a recurring one). Version works as
// in Assignment.
type AssignmentItem struct {
	AssignmentID    string     `gorm:"primaryKey;size:255"`
	ItemNumber      int        `gorm:"primaryKey;autoIncrement:false"`
	Cycle           int        `gorm:"primaryKey;autoIncrement:false"`
	Status          ItemStatus `gorm:"size:16;not null"`
	DueAt           *time.Time
	ReportedAt      *time.Time
	EscalationLevel int       `gorm:"not null"`
	Reason          string    `gorm:"type:text;not null"`
	Version         int64     `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

// Report is one report a unit submitted for one item and cycle. ID comes
// from the caller (an idempotency key). Evidence is a JSON array of file
// references (name, size, sha256, storage_path, content_type). Decision is
// NULL until reviewed.
type Report struct {
	ID           string          `gorm:"primaryKey;size:128"`
	AssignmentID string          `gorm:"size:255;not null;index:idx_reports_item"`
	ItemNumber   int             `gorm:"not null;index:idx_reports_item"`
	Cycle        int             `gorm:"not null;index:idx_reports_item"`
	Text         string          `gorm:"type:text;not null"`
	Evidence     string          `gorm:"type:text;not null"`
	SubmittedBy  string          `gorm:"size:64;not null"`
	SubmittedAt  time.Time       `gorm:"not null"`
	Decision     *ReportDecision `gorm:"size:16"`
	DecidedBy    *string         `gorm:"size:64"`
	DecidedAt    *time.Time
	Reason       string `gorm:"type:text;not null"`
	// RecordSystem and RecordNumber point at the same result recorded in
	// a national system (NISPA, บสต., MOI Drugs GIS) and its record
	// number there; both empty when the unit gave none.
	RecordSystem string `gorm:"size:32;not null"`
	RecordNumber string `gorm:"size:64;not null"`
}

// Escalation is one escalation level opened on an overdue item. ID is the
// deterministic key assignment/item/cycle/level (with a deadline round
// suffix after the item's due changed, see workflows.EscalationID).
// Recipients is a JSON recipient spec. ClosedAt is NULL while open.
type Escalation struct {
	ID           string    `gorm:"primaryKey;size:255"`
	AssignmentID string    `gorm:"size:255;not null;index"`
	ItemNumber   int       `gorm:"not null"`
	Cycle        int       `gorm:"not null"`
	Level        int       `gorm:"not null"`
	Reason       string    `gorm:"type:text;not null"`
	Recipients   string    `gorm:"type:text;not null"`
	Region       int       `gorm:"not null;index"`
	UnitCode     string    `gorm:"size:32;not null"`
	OpenedAt     time.Time `gorm:"not null"`
	ClosedAt     *time.Time
	CloseReason  string `gorm:"type:text;not null"`
}

// EscalationAction is one action taken on an escalation. ID is
// deterministic (supplied by the workflow). NewDue is set for new_deadline
// and extend.
type EscalationAction struct {
	ID           string               `gorm:"primaryKey;size:255"`
	EscalationID string               `gorm:"size:255;not null;index"`
	Kind         EscalationActionKind `gorm:"size:16;not null"`
	Actor        string               `gorm:"size:64;not null"`
	Reason       string               `gorm:"type:text;not null"`
	NewDue       *time.Time
	At           time.Time `gorm:"not null"`
}

// AssignmentEvent is one entry of an assignment's own history: the action,
// who did it, and the assignment state before and after as JSON. ID and Seq
// are supplied by the workflow, so a retried write is a no-op.
type AssignmentEvent struct {
	ID           string    `gorm:"primaryKey;size:255"`
	AssignmentID string    `gorm:"size:255;not null;uniqueIndex:idx_assignment_events_seq"`
	Seq          int64     `gorm:"not null;uniqueIndex:idx_assignment_events_seq"`
	Actor        string    `gorm:"size:64;not null"`
	Action       string    `gorm:"size:64;not null"`
	Before       string    `gorm:"type:text;not null"`
	After        string    `gorm:"type:text;not null"`
	At           time.Time `gorm:"not null"`
}

// Notification is one row of the notification outbox. ID is deterministic
// (supplied by the workflow). Recipients is a JSON recipient spec (unit
// codes, account ids, role plus region, unit positions); Data is the JSON
// object the template is rendered with. Rows are written with status
// pending; delivery belongs to another service.
type Notification struct {
	ID         string    `gorm:"primaryKey;size:255"`
	Kind       string    `gorm:"size:64;not null"`
	Recipients string    `gorm:"type:text;not null"`
	Template   string    `gorm:"size:128;not null"`
	Language   string    `gorm:"size:8;not null"`
	Data       string    `gorm:"type:text;not null"`
	Status     string    `gorm:"size:16;not null;index:idx_notifications_status"`
	CreatedAt  time.Time `gorm:"not null;index:idx_notifications_status"`
	// Round counts the admin's retries of the notification's failed
	// deliveries: 0 for the first delivery; each round has its own
	// delivery workflow.
	Round int `gorm:"not null;default:0"`
}

// TargetSet is a named set of units a directive can target, e.g. the ten
// pilot provinces.
type TargetSet struct {
	Code   string `gorm:"primaryKey;size:64"`
	NameTH string `gorm:"column:name_th;size:255;not null"`
	NameEN string `gorm:"column:name_en;size:255;not null"`
}

// TargetSetMember puts one unit in one target set.
type TargetSetMember struct {
	SetCode  string `gorm:"primaryKey;size:64"`
	UnitCode string `gorm:"primaryKey;size:32;index"`
}
