// Package activities holds every side effect of tidtam's workflows: database
// writes, holiday look-ups, notification outbox rows, and starting or
// signalling other workflows through the Temporal client.
//
// Every write is an idempotent upsert keyed by what the workflow supplies
// (business keys, workflow IDs, deterministic event keys), so an activity
// retried after a lost reply changes nothing twice. Database and Temporal
// errors are returned as they are, which Temporal retries; only input that
// can never succeed is reported as a non-retryable error.
//
// The package does not import workflows (which references these methods);
// its inputs are the model rows of package models plus a few small structs.
package activities

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// Activities carries the dependencies of tidtam's activities. Register a
// pointer to it with a worker; the workflows call its methods through a
// typed nil reference.
type Activities struct {
	// DB is the application database.
	DB *gorm.DB
	// Temporal starts and signals assignment workflows (FanOut,
	// SignalAssignments).
	Temporal client.Client
	// TaskQueue is where FanOut starts assignment workflows; empty means
	// "tidtam".
	TaskQueue string
	// Logger may be nil (slog.Default is used).
	Logger *slog.Logger
}

// ErrTypeInvalidInput is the application error type of inputs an activity
// can never accept; such errors are not retried.
const ErrTypeInvalidInput = "invalid_input"

func invalid(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalidInput, nil)
}

func (a *Activities) log() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *Activities) db(ctx context.Context) (*gorm.DB, error) {
	if a.DB == nil {
		return nil, invalid("activities: no database configured")
	}
	return a.DB.WithContext(ctx), nil
}

// PersistDirectiveInput is the directive row and its items to upsert.
// Actor is recorded in the audit trail. BodyRef, when set, names the
// stored body (models.TextRef) the row gets.
type PersistDirectiveInput struct {
	Directive models.Directive     `json:"directive"`
	BodyRef   models.TextRef       `json:"body_ref,omitempty"`
	Items     []DirectiveItemInput `json:"items"`
	Actor     string               `json:"actor"`
}

// DirectiveItemInput is one directive item row to upsert. TargetSpec and
// RecurrenceSpec, when given, are encoded into the row's target and
// recurrence columns (a null RecurrenceSpec leaves recurrence NULL), so
// workflow code hands over the values, not their JSON. TextRef, when set,
// names the stored text the row gets.
type DirectiveItemInput struct {
	models.DirectiveItem
	TextRef        models.TextRef `json:"text_ref,omitempty"`
	TargetSpec     JSON           `json:"target_spec,omitzero"`
	RecurrenceSpec JSON           `json:"recurrence_spec,omitzero"`
}

// rows returns the item rows of in, with the JSON columns and the texts
// (from texts, by ref) filled in.
func (in PersistDirectiveInput) rows(texts map[models.TextRef]string) ([]models.DirectiveItem, error) {
	rows := make([]models.DirectiveItem, len(in.Items))
	for i, it := range in.Items {
		r := it.DirectiveItem
		r.DirectiveID = in.Directive.ID
		if it.TextRef != "" {
			r.Text = texts[it.TextRef]
		}
		if !it.TargetSpec.IsZero() {
			b, err := it.TargetSpec.Bytes()
			if err != nil {
				return nil, invalid("PersistDirective: item target: " + err.Error())
			}
			r.Target = string(b)
		}
		if !it.RecurrenceSpec.IsZero() {
			b, err := it.RecurrenceSpec.Bytes()
			if err != nil {
				return nil, invalid("PersistDirective: item recurrence: " + err.Error())
			}
			r.Recurrence = nil
			if s := string(b); s != "null" {
				r.Recurrence = &s
			}
		}
		rows[i] = r
	}
	return rows, nil
}

// PersistDirective upserts the directive and its items. The directive's
// content, status, reason and units_total are overwritten; units_assigned
// is owned by FanOut and never lowered here; created_at is kept. When
// anything changed, one audit event ("directive.persist") is written in the
// same transaction, so a retry that changes nothing writes no audit row. A
// different directive already holding the same issuer and normalised
// document number is a non-retryable conflict.
func (a *Activities) PersistDirective(ctx context.Context, in PersistDirectiveInput) error {
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	d := in.Directive
	if d.ID == "" || d.IssueDate == "" || d.Status == "" {
		return invalid("PersistDirective: id, issue_date and status are required")
	}
	refs := []models.TextRef{in.BodyRef}
	for _, it := range in.Items {
		refs = append(refs, it.TextRef)
	}
	texts, err := loadTexts(ctx, db, refs...)
	if err != nil {
		return err
	}
	if in.BodyRef != "" {
		d.Body = texts[in.BodyRef]
	}
	items, err := in.rows(texts)
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if d.DocNumberNorm != "" {
			var other []string
			if err := tx.Model(&models.Directive{}).Where("issuer_code = ? AND doc_number_norm = ? AND id <> ?",
				d.IssuerCode, d.DocNumberNorm, d.ID).Pluck("id", &other).Error; err != nil {
				return err
			}
			if len(other) > 0 {
				return temporal.NewNonRetryableApplicationError(
					"หนังสือเลขนี้ของหน่วยงานนี้มีอยู่แล้ว / a directive with this issuer and document number exists: "+other[0],
					"conflict", nil)
			}
		}
		var before models.Directive
		found := true
		if err := tx.Where("id = ?", d.ID).Take(&before).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			found = false
		} else if err != nil {
			return err
		}
		var beforeItems []models.DirectiveItem
		if found {
			if err := tx.Where("directive_id = ?", d.ID).Order("number").Find(&beforeItems).Error; err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		if d.CreatedAt.IsZero() {
			d.CreatedAt = now
		}
		d.UpdatedAt = now
		if found {
			d.UnitsAssigned = max(d.UnitsAssigned, before.UnitsAssigned)
		}
		if err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"source", "issuer_code", "doc_number", "doc_number_norm",
				"issue_date", "urgency", "subject", "body", "meeting_id", "status", "status_reason",
				"units_total", "created_by", "updated_at"}),
		}).Create(&d).Error; err != nil {
			return err
		}
		if len(items) > 0 {
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "directive_id"}, {Name: "number"}},
				DoUpdates: clause.AssignmentColumns([]string{"text", "target", "due_date", "due_working_days", "due_within", "recurrence", "evidence_required", "report_into"}),
			}).Create(&items).Error; err != nil {
				return err
			}
		}
		if found && sameDirective(before, d) && sameItems(beforeItems, items) {
			return nil
		}
		var beforeJSON string
		if found {
			beforeJSON = store.JSONText(struct {
				Directive models.Directive       `json:"directive"`
				Items     []models.DirectiveItem `json:"items"`
			}{before, beforeItems})
		}
		return store.RecordAudit(tx, models.AuditEvent{
			At:         now,
			Actor:      orSystem(in.Actor),
			Action:     "directive.persist",
			EntityType: "directive",
			EntityID:   d.ID,
			Before:     beforeJSON,
			After: store.JSONText(struct {
				Directive models.Directive       `json:"directive"`
				Items     []models.DirectiveItem `json:"items"`
			}{d, items}),
		})
	})
}

func sameDirective(a, b models.Directive) bool {
	a.CreatedAt, a.UpdatedAt, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	a.UnitsAssigned, b.UnitsAssigned = 0, 0
	return store.JSONText(a) == store.JSONText(b)
}

func sameItems(a, b []models.DirectiveItem) bool {
	byNumber := map[int]string{}
	for _, it := range a {
		byNumber[it.Number] = store.JSONText(it)
	}
	for _, it := range b {
		if byNumber[it.Number] != store.JSONText(it) {
			return false
		}
	}
	return true
}

// SaveAssignmentInput is one state change of an assignment: the full
// assignment row and item rows (version = the workflow's event sequence),
// the reports written or decided by this change, and the event row
// (deterministic ID) describing it. Event may be nil for a save without a
// history entry.
type SaveAssignmentInput struct {
	Assignment models.Assignment       `json:"assignment"`
	Items      []models.AssignmentItem `json:"items"`
	Reports    []models.Report         `json:"reports,omitempty"`
	Event      *models.AssignmentEvent `json:"event,omitempty"`
}

// SaveAssignment writes one state change of an assignment in one
// transaction: the assignment and item rows are upserted unless the stored
// version is already at least as new (so a late retry never rolls them
// back); reports are inserted, and a report's decision columns are updated
// when the input carries a decision; the event row is inserted once, and
// only when it is new an audit event is written.
func (a *Activities) SaveAssignment(ctx context.Context, in SaveAssignmentInput) error {
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error { return saveAssignment(tx, in) })
}

func (in SaveAssignmentInput) check() error {
	as := in.Assignment
	if as.ID == "" || as.DirectiveID == "" || as.UnitCode == "" {
		return invalid("SaveAssignment: assignment id, directive_id and unit_code are required")
	}
	if in.Event != nil && (in.Event.Action == "" || in.Event.ID == "") {
		return invalid("SaveAssignment: event id and action are required")
	}
	return nil
}

// saveAssignment does SaveAssignment's writes in tx (in is checked).
func saveAssignment(tx *gorm.DB, in SaveAssignmentInput) error {
	as := in.Assignment
	now := time.Now().UTC()
	if as.CreatedAt.IsZero() {
		as.CreatedAt = now
	}
	if as.UpdatedAt.IsZero() {
		as.UpdatedAt = now
	}
	// What the change replaces, read under the assignment's row lock, so
	// that the dashboard counters move by exactly the difference.
	keys := make([][2]int, len(in.Items))
	for i, it := range in.Items {
		keys[i] = [2]int{it.ItemNumber, it.Cycle}
	}
	before, found, beforeItems, err := store.BeforeAssignmentSave(tx, as.ID, keys)
	if err != nil {
		return err
	}
	if err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"parent_code", "region", "status", "ack_due_at",
			"acknowledged_at", "acknowledged_by", "overdue", "escalation_level", "close_reason", "version", "updated_at"}),
		Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "assignments.version < excluded.version"}}},
	}).Create(&as).Error; err != nil {
		return err
	}
	items := make([]models.AssignmentItem, len(in.Items))
	for i, it := range in.Items {
		it.AssignmentID = as.ID
		if it.UpdatedAt.IsZero() {
			it.UpdatedAt = as.UpdatedAt
		}
		items[i] = it
	}
	if len(items) > 0 {
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "assignment_id"}, {Name: "item_number"}, {Name: "cycle"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "due_at", "reported_at", "escalation_level", "reason", "version", "updated_at"}),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "assignment_items.version < excluded.version"}}},
		}).Create(&items).Error; err != nil {
			return err
		}
	}
	if err := applyProgress(tx, as, found, before, items, beforeItems); err != nil {
		return err
	}
	for _, r := range in.Reports {
		r.AssignmentID = as.ID
		if r.Evidence == "" {
			r.Evidence = "[]"
		}
		if err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.Set{
				{Column: clause.Column{Name: "decision"}, Value: clause.Expr{SQL: "COALESCE(excluded.decision, reports.decision)"}},
				{Column: clause.Column{Name: "decided_by"}, Value: clause.Expr{SQL: "COALESCE(excluded.decided_by, reports.decided_by)"}},
				{Column: clause.Column{Name: "decided_at"}, Value: clause.Expr{SQL: "COALESCE(excluded.decided_at, reports.decided_at)"}},
				{Column: clause.Column{Name: "reason"}, Value: clause.Expr{SQL: "CASE WHEN excluded.decision IS NULL THEN reports.reason ELSE excluded.reason END"}},
			},
			Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "reports.assignment_id = excluded.assignment_id"}}},
		}).Create(&r).Error; err != nil {
			return err
		}
	}
	if in.Event == nil {
		return nil
	}
	ev := *in.Event
	ev.AssignmentID = as.ID
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ev)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil // already written by an earlier attempt
	}
	return store.RecordAudit(tx, models.AuditEvent{
		At:         ev.At,
		Actor:      orSystem(ev.Actor),
		Action:     "assignment." + ev.Action,
		EntityType: "assignment",
		EntityID:   as.ID,
		Before:     ev.Before,
		After:      ev.After,
	})
}

// applyProgress moves the dashboard counters (store.ProgressDeltas) from
// what a change replaced (before, beforeItems) to what it wrote (as,
// items), counting only the rows the version guard let through.
func applyProgress(tx *gorm.DB, as models.Assignment, found bool, before models.Assignment,
	items []models.AssignmentItem, beforeItems map[[2]int]models.AssignmentItem) error {
	province, err := store.ProvinceOf(tx, as.UnitCode)
	if err != nil {
		return err
	}
	d := store.ProgressDeltas{}
	if !found || before.Version < as.Version {
		if found {
			d.AddAssignment(province, before, -1)
		}
		d.AddAssignment(province, as, 1)
	}
	for _, it := range items {
		old, had := beforeItems[[2]int{it.ItemNumber, it.Cycle}]
		if had && old.Version >= it.Version {
			continue
		}
		if had {
			d.AddItem(as.DirectiveID, province, old, -1)
		}
		d.AddItem(as.DirectiveID, province, it, 1)
	}
	return store.WriteProgress(tx, d, store.ProgressShard(as.ID))
}

// EscalationClose closes one escalation.
type EscalationClose struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// RecordEscalationInput opens escalations, records actions on them, and
// closes them, in that order.
type RecordEscalationInput struct {
	Open    []models.Escalation       `json:"open,omitempty"`
	Actions []models.EscalationAction `json:"actions,omitempty"`
	Close   []EscalationClose         `json:"close,omitempty"`
}

func (in RecordEscalationInput) empty() bool {
	return len(in.Open)+len(in.Actions)+len(in.Close) == 0
}

func (in RecordEscalationInput) check() error {
	for _, e := range in.Open {
		if e.ID == "" {
			return invalid("RecordEscalation: escalation id is required")
		}
	}
	for _, ac := range in.Actions {
		if ac.ID == "" {
			return invalid("RecordEscalation: action id is required")
		}
	}
	return nil
}

// RecordEscalation writes escalation rows in one transaction: opened
// escalations and actions are inserted once (by their deterministic IDs);
// a close sets closed_at and close_reason only on a still-open escalation,
// so repeating it changes nothing.
func (a *Activities) RecordEscalation(ctx context.Context, in RecordEscalationInput) error {
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error { return recordEscalation(tx, in) })
}

// recordEscalation does RecordEscalation's writes in tx (in is checked).
func recordEscalation(tx *gorm.DB, in RecordEscalationInput) error {
	for _, e := range in.Open {
		if e.Recipients == "" {
			e.Recipients = "{}"
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&e).Error; err != nil {
			return err
		}
	}
	for _, ac := range in.Actions {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ac).Error; err != nil {
			return err
		}
	}
	for _, c := range in.Close {
		if err := tx.Model(&models.Escalation{}).Where("id = ? AND closed_at IS NULL", c.ID).
			Updates(map[string]any{"closed_at": c.At, "close_reason": c.Reason}).Error; err != nil {
			return err
		}
	}
	return nil
}

// NotificationInput is one outbox entry. ID is deterministic (the
// assignment's workflow ID and event sequence); Data is rendered into the
// template; Language defaults to "th".
type NotificationInput struct {
	ID         string               `json:"id"`
	Kind       string               `json:"kind"`
	Recipients notify.RecipientSpec `json:"recipients"`
	Template   string               `json:"template"`
	Language   string               `json:"language"`
	Data       map[string]string    `json:"data"`
	CreatedAt  time.Time            `json:"created_at"`
}

// Row returns the pending notifications row of in, for a caller that
// enqueues it in its own transaction; invalid without an ID and a kind.
func (in NotificationInput) Row() (models.Notification, error) {
	if in.ID == "" || in.Kind == "" {
		return models.Notification{}, invalid("EnqueueNotification: id and kind are required")
	}
	n := models.Notification{
		ID:         in.ID,
		Kind:       in.Kind,
		Recipients: store.JSONText(in.Recipients),
		Template:   in.Template,
		Language:   in.Language,
		Data:       store.JSONText(in.Data),
		Status:     models.NotificationPending,
		CreatedAt:  in.CreatedAt,
	}
	if n.Template == "" {
		n.Template = in.Kind
	}
	if n.Language == "" {
		n.Language = "th"
	}
	if n.Data == "null" {
		n.Data = "{}"
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now().UTC()
	}
	return n, nil
}

// EnqueueNotification inserts one pending notification, once: a second
// call with the same ID changes nothing (even if delivery already changed
// the row's status).
func (a *Activities) EnqueueNotification(ctx context.Context, in NotificationInput) error {
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	if err := resolveDataTexts(ctx, db, in.Data); err != nil {
		return err
	}
	n, err := in.Row()
	if err != nil {
		return err
	}
	return db.Clauses(clause.OnConflict{DoNothing: true}).Create(&n).Error
}

// CommitAssignmentInput is everything one state change of an assignment
// writes; AssignmentWorkflow runs CommitAssignment once per change, as a
// local activity. Assignment, Items and Event are as in
// SaveAssignmentInput, Reports too with their evidence given as a value;
// OpenEscalations, EscalationActions and CloseEscalations as in
// RecordEscalationInput; Notifications are the outbox entries.
type CommitAssignmentInput struct {
	Assignment        models.Assignment         `json:"assignment"`
	Items             []models.AssignmentItem   `json:"items"`
	Reports           []ReportRow               `json:"reports,omitempty"`
	Event             *EventRow                 `json:"event,omitempty"`
	OpenEscalations   []OpenEscalation          `json:"open_escalations,omitempty"`
	EscalationActions []models.EscalationAction `json:"escalation_actions,omitempty"`
	CloseEscalations  []EscalationClose         `json:"close_escalations,omitempty"`
	Notifications     []NotificationInput       `json:"notifications,omitempty"`
}

// ReportRow is a report written or decided by a change. EvidenceFiles,
// when given, is encoded into the row's evidence column; TextRef, when
// set, names the stored text the row gets.
type ReportRow struct {
	models.Report
	TextRef       models.TextRef `json:"text_ref,omitempty"`
	EvidenceFiles JSON           `json:"evidence_files,omitzero"`
}

// EventRow is the event row of a change. BeforeView and AfterView, when
// given, are encoded into its before and after columns (a null view is
// stored as "").
type EventRow struct {
	models.AssignmentEvent
	BeforeView JSON `json:"before_view,omitzero"`
	AfterView  JSON `json:"after_view,omitzero"`
}

// OpenEscalation is an escalation to open; To is encoded into its
// recipients column unless that is already set.
type OpenEscalation struct {
	models.Escalation
	To notify.RecipientSpec `json:"to"`
}

// CommitAssignment writes one state change of an assignment in ONE
// transaction: what SaveAssignment, RecordEscalation and
// EnqueueNotification write, in that order and with the same idempotence
// (rows keyed by the workflow's IDs, versioned upserts, events, actions and
// notifications inserted once), so a retry after a lost reply changes
// nothing twice and the outbox entries exist exactly when the change does.
func (a *Activities) CommitAssignment(ctx context.Context, in CommitAssignmentInput) error {
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	return WriteAssignmentCommit(ctx, db, in)
}

// WriteAssignmentCommit is the read-model write of CommitAssignment, for
// the API's read-your-write path: after an Update completed, the directive
// service writes the commit the workflow handed back, so the caller's next
// read sees it, while the workflow's own CommitAssignment activity writes
// the same rows (a second write of the same commit changes nothing). It is
// a plain function over db, not an activity: callers outside a worker must
// not run activity bodies.
func WriteAssignmentCommit(ctx context.Context, db *gorm.DB, in CommitAssignmentInput) error {
	return writeAssignmentCommit(ctx, db, in, false)
}

// WriteUpdateCommit is WriteAssignmentCommit for the API's write of the
// commit a completed Update handed back, with one difference: on
// PostgreSQL the transaction commits without waiting for its WAL to reach
// disk (synchronous_commit off for this transaction only). The database
// then holds the row locks this write takes (the dashboard counters of the
// directive and province, the audit chain's head) for microseconds instead
// of a disk flush, which otherwise serialises concurrent acknowledgements.
// This is safe because the database is not where such a change lives
// first: the assignment workflow holds it, and writes the same commit
// itself (durably, with WriteAssignmentCommit) in its next ordinary task or
// after workflows.DefaultFlushAfter (revision 3; by activity at once in
// revision 2). A database crash within the WAL writer's delay (at most
// three times wal_writer_delay, 600 ms by default) can lose this write,
// never the change: the workflow's write finds no event row and writes it.
func WriteUpdateCommit(ctx context.Context, db *gorm.DB, in CommitAssignmentInput) error {
	return writeAssignmentCommit(ctx, db, in, true)
}

func writeAssignmentCommit(ctx context.Context, db *gorm.DB, in CommitAssignmentInput, relaxed bool) error {
	db = db.WithContext(ctx)
	refs := make([]models.TextRef, 0, len(in.Reports))
	for _, r := range in.Reports {
		refs = append(refs, r.TextRef)
	}
	texts, err := loadTexts(ctx, db, refs...)
	if err != nil {
		return err
	}
	save := SaveAssignmentInput{Assignment: in.Assignment, Items: in.Items}
	for _, r := range in.Reports {
		row := r.Report
		if r.TextRef != "" {
			row.Text = texts[r.TextRef]
		}
		if !r.EvidenceFiles.IsZero() {
			if row.Evidence, err = jsonText(r.EvidenceFiles, "report evidence"); err != nil {
				return err
			}
		}
		save.Reports = append(save.Reports, row)
	}
	if in.Event != nil {
		ev := in.Event.AssignmentEvent
		if !in.Event.BeforeView.IsZero() {
			if ev.Before, err = jsonText(in.Event.BeforeView, "event before"); err != nil {
				return err
			}
		}
		if !in.Event.AfterView.IsZero() {
			if ev.After, err = jsonText(in.Event.AfterView, "event after"); err != nil {
				return err
			}
		}
		save.Event = &ev
	}
	esc := RecordEscalationInput{Actions: in.EscalationActions, Close: in.CloseEscalations}
	for _, o := range in.OpenEscalations {
		e := o.Escalation
		if e.Recipients == "" {
			e.Recipients = store.JSONText(o.To)
		}
		esc.Open = append(esc.Open, e)
	}
	notes := make([]models.Notification, len(in.Notifications))
	for i, n := range in.Notifications {
		if err := resolveDataTexts(ctx, db, n.Data); err != nil {
			return err
		}
		if notes[i], err = n.Row(); err != nil {
			return err
		}
	}
	if err := save.check(); err != nil {
		return err
	}
	if err := esc.check(); err != nil {
		return err
	}
	// Written already? Everything of a change is written in one
	// transaction with its event row, so an existing event means there is
	// nothing left to do. Revision-2 changes are written twice (by the API
	// and by the workflow's activity): this keeps the second to one read.
	// The API's write (relaxed) skips this read: its change is new almost
	// always, and everything below is idempotent anyway.
	if save.Event != nil && !relaxed {
		var n int64
		if err := db.Model(&models.AssignmentEvent{}).Where("id = ?", save.Event.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if relaxed && store.IsPostgres(tx) {
			if err := tx.Exec("SET LOCAL synchronous_commit TO OFF").Error; err != nil {
				return err
			}
		}
		if err := saveAssignment(tx, save); err != nil {
			return err
		}
		if !esc.empty() {
			if err := recordEscalation(tx, esc); err != nil {
				return err
			}
		}
		if len(notes) == 0 {
			return nil
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&notes).Error
	})
}

// jsonText encodes v; "null" becomes "".
func jsonText(v JSON, what string) (string, error) {
	b, err := v.Bytes()
	if err != nil {
		return "", invalid("CommitAssignment: " + what + ": " + err.Error())
	}
	if s := string(b); s != "null" {
		return s, nil
	}
	return "", nil
}

// LoadHolidaysInput asks for the holidays of the given years.
type LoadHolidaysInput struct {
	Years []int `json:"years"`
}

// LoadHolidaysResult lists the holidays found (ISO dates, ascending) and
// the years among those asked that have at least one holiday in the table
// (a year without any is taken as not yet published).
type LoadHolidaysResult struct {
	Holidays []string `json:"holidays"`
	Years    []int    `json:"years"`
}

// LoadHolidays reads the holidays of the requested years from the holidays
// table. Its result is recorded in the workflow history, so a replay sees
// the same calendar even if the table changes later.
func (a *Activities) LoadHolidays(ctx context.Context, in LoadHolidaysInput) (LoadHolidaysResult, error) {
	db, err := a.db(ctx)
	if err != nil {
		return LoadHolidaysResult{}, err
	}
	out := LoadHolidaysResult{Holidays: []string{}, Years: []int{}}
	for _, y := range in.Years {
		if y < 1900 || y > 2399 {
			return out, invalid("LoadHolidays: year out of range")
		}
		from, to := yearBounds(y)
		dates, err := store.HolidayDates(ctx, db, from, to)
		if err != nil {
			return LoadHolidaysResult{}, err
		}
		if len(dates) > 0 {
			out.Years = append(out.Years, y)
			out.Holidays = append(out.Holidays, dates...)
		}
	}
	return out, nil
}

func yearBounds(y int) (string, string) {
	t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return t.Format("2006-01-02"), t.AddDate(1, 0, -1).Format("2006-01-02")
}

func orSystem(actor string) string {
	if actor == "" {
		return "system"
	}
	return actor
}

// loadTexts is store.LoadTexts for activities: a missing text cannot appear
// by retrying (the API stores every text before it sends its ref), so it
// fails the activity for good instead of retrying forever.
func loadTexts(ctx context.Context, db *gorm.DB, refs ...models.TextRef) (map[models.TextRef]string, error) {
	texts, err := store.LoadTexts(ctx, db, refs...)
	if errors.Is(err, store.ErrTextMissing) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "text_missing", err)
	}
	return texts, err
}

// resolveDataTexts replaces every entry of data whose key ends in "_ref"
// and whose value is a TextRef with the stored text under the key without
// the suffix (item_text_ref → item_text).
func resolveDataTexts(ctx context.Context, db *gorm.DB, data map[string]string) error {
	var keys []string
	var refs []models.TextRef
	for k, v := range data {
		if strings.HasSuffix(k, "_ref") && models.TextRef(v).Valid() {
			keys = append(keys, k)
			refs = append(refs, models.TextRef(v))
		}
	}
	if len(refs) == 0 {
		return nil
	}
	texts, err := loadTexts(ctx, db, refs...)
	if err != nil {
		return err
	}
	for i, k := range keys {
		delete(data, k)
		data[strings.TrimSuffix(k, "_ref")] = texts[refs[i]]
	}
	return nil
}
