// Package directives is the directive domain: letters (ข้อสั่งการ) with
// numbered items issued to units, each unit's assignment, its reports with
// evidence, their review, escalations of overdue items and the inspectors'
// actions on them, and directive attachments.
//
// Service is the contract the JSON handlers (package api) and the web pages
// share, so no query is written twice. Durable state lives in Temporal
// (DirectiveWorkflow, AssignmentWorkflow); commands go to the workflows as
// Updates through internal/engine, reads come from the relational read
// model. Authorization is part of every method: p is the signed-in caller,
// and a caller outside a record's scope gets apperr.NotFound (records are
// not confirmed to exist) or apperr.Forbidden (a role that may never do it).
// Errors are *apperr.Error values: Invalid with Field for bad input,
// NotFound, Conflict, Forbidden, Unavailable when the database or the
// workflow engine cannot be reached (nothing changed; retry).
package directives

import (
	"context"
	"mime/multipart"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/workflows"
)

// Service is what callers may do with directives and their assignments.
type Service interface {
	// Issue validates a letter, resolves its targets to units (typos in
	// province names come back as one Invalid error listing every unknown
	// name with its closest real names) and starts its DirectiveWorkflow,
	// which assigns every unit in the background. Secretariat and admin
	// only. The same issuer and document number again is Conflict (the
	// workflow ID derives from both).
	Issue(ctx context.Context, p *auth.Principal, req DirectiveRequest) (DirectiveAccepted, error)
	// ParseLetter reads an official letter pasted as text (letters.Parse)
	// into a draft of Issue's request, resolving the names it targets
	// against the provinces and districts of the unit table and the target
	// sets: the draft, warnings naming each part of the text to check, and
	// every target name that matches no unit with the closest real names,
	// best first. It issues nothing and writes nothing. Secretariat and
	// admin only; text is required and at most MaxLetterRunes characters
	// (Invalid "text").
	ParseLetter(ctx context.Context, p *auth.Principal, text string) (ParsedLetter, error)
	// IssueResolution issues a resolution of meeting meetingID
	// (มติที่ประชุม … ข้อ K): Issue with source, issuer and document number
	// taken from the meeting, K the next free number. Secretariat and admin
	// only; a cancelled meeting is Conflict; an unknown one NotFound.
	IssueResolution(ctx context.Context, p *auth.Principal, meetingID string, req MeetingDirectiveRequest) (MeetingDirectiveAccepted, error)
	// CountTargets resolves the targets of each item as Issue would,
	// without issuing anything: how many province, district and other
	// units each reaches, and its unknown names with the closest real
	// ones. Secretariat and admin only.
	CountTargets(ctx context.Context, p *auth.Principal, items []TargetsRequest) ([]TargetCount, error)
	// List returns the directives p may see (national roles: all; others:
	// those with an assignment in their scope), newest first, without
	// bodies.
	List(ctx context.Context, p *auth.Principal, f DirectiveFilter) (listing.Page[DirectiveView], error)
	// Directive returns one directive with its items, attachments and
	// progress counted within p's scope; NotFound outside it.
	Directive(ctx context.Context, p *auth.Principal, id string) (DirectiveView, error)
	// Matrix returns the units × items status grid of a directive within
	// p's scope, ordered by unit code. An unknown unit type is Invalid.
	// The grid may be up to Deps.MatrixTTL old (many viewers of one
	// directive share one reading per TTL); its Stamp says which state
	// of the directive it shows (store.DirectiveStamp, taken before the
	// reading), and JSON gives its encoding, computed once.
	Matrix(ctx context.Context, p *auth.Principal, id string, f MatrixFilter) (MatrixView, error)
	// Amend sets a new due for one item of every assignment; AddTargets
	// assigns more units; Withdraw ends the directive. Secretariat and admin
	// only, a reason is required, and the answer is the directive
	// workflow's progress after the change.
	Amend(ctx context.Context, p *auth.Principal, id string, req AmendRequest) (workflows.DirectiveProgress, error)
	AddTargets(ctx context.Context, p *auth.Principal, id string, req AddTargetsRequest) (workflows.DirectiveProgress, error)
	Withdraw(ctx context.Context, p *auth.Principal, id string, req WithdrawRequest) (workflows.DirectiveProgress, error)
	// UploadAttachments stores files of a directive (the letter, its
	// annexes), checked like report evidence; content the directive
	// already holds is not stored again (Created false). Secretariat and
	// admin only; audited.
	UploadAttachments(ctx context.Context, p *auth.Principal, directiveID string, files []*multipart.FileHeader) (AttachmentsUploaded, error)
	// Attachment opens one attachment of a directive p may see.
	Attachment(ctx context.Context, p *auth.Principal, directiveID string, attachmentID int64) (StoredFile, error)

	// ListAssignments returns the assignments in p's scope (province: its
	// centre and districts; district: its own; inspector: its regions;
	// national roles: all), newest first, each item at its latest cycle.
	ListAssignments(ctx context.Context, p *auth.Principal, f AssignmentFilter) (listing.Page[AssignmentView], error)
	// ExportAssignments is ListAssignments as a spreadsheet table
	// (internal/export): same filter, scope and errors, checked before it
	// returns; every matching assignment (no window), one row per item at
	// its latest cycle, read in batches while the table is written.
	ExportAssignments(ctx context.Context, p *auth.Principal, f AssignmentFilter, english bool) (export.Table, error)
	// Assignment returns one unit's assignment with every cycle of its
	// items, its reports and its latest events; NotFound outside p's scope.
	Assignment(ctx context.Context, p *auth.Principal, directiveID, unit string) (AssignmentDetail, error)
	// Acknowledge records the unit's รับทราบ. Only an account of that very
	// province or district unit may; a second acknowledgement is Conflict.
	// The answer is the assignment's new state, already in the read model.
	Acknowledge(ctx context.Context, p *auth.Principal, directiveID, unit string, req AcknowledgeRequest) (workflows.AssignmentState, error)
	// SubmitReport records the unit's report on one item with its evidence
	// files (type checked by content, size bounded, stored by checksum).
	// Only the unit's own accounts; an IdempotencyKey makes a retry answer
	// the first result.
	SubmitReport(ctx context.Context, p *auth.Principal, ref ReportRef, sub ReportSubmission) (workflows.AssignmentState, error)
	// Review accepts or returns (with a reason and a new due) a report.
	// Secretariat and admin review all; a province centre reviews only the
	// reports of its own district centres (Forbidden otherwise). A report
	// already reviewed is Conflict.
	Review(ctx context.Context, p *auth.Principal, ref ReportRef, decision workflows.ReviewDecision, req ReviewRequest) (workflows.AssignmentState, error)
	// Evidence opens the n-th (0-based) evidence file of a report of an
	// assignment p may see.
	Evidence(ctx context.Context, p *auth.Principal, ref ReportRef, n int) (StoredFile, error)

	// ListEscalations returns the escalations in p's scope (an inspector:
	// its regions), newest first, with the actions taken on them.
	ListEscalations(ctx context.Context, p *auth.Principal, f EscalationFilter) (listing.Page[EscalationView], error)
	// ActOnEscalation records an inspector's action (comment, new deadline,
	// extend, close, waive; always with a reason) on an open escalation of
	// the units in p's scope. Inspectors, secretariat and admin only; a
	// closed escalation is Conflict. id is the escalation ID (see
	// EscalationIDFromKey for its path form).
	ActOnEscalation(ctx context.Context, p *auth.Principal, id string, req EscalationActionRequest) (workflows.AssignmentState, error)
}
