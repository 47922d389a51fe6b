// Package notify turns rows of the notification outbox (models.Notification)
// into messages people and systems receive: an item in each recipient
// account's in-app inbox, an e-mail per address (over SMTP, or into the
// development mailbox when no SMTP server is configured), and a signed JSON
// POST to each matching webhook.
//
// The pieces, in the order a notification meets them:
//
//   - Dispatcher polls the outbox for pending rows and starts one
//     DeliveryWorkflow per notification, with workflow ID
//     DeliveryWorkflowID(id, round) and a reuse policy that rejects
//     duplicates, so a notification is delivered by exactly one workflow
//     per round however many dispatchers run. An admin's retry of failed
//     deliveries (Service.RetryDelivery) resets them to pending and starts
//     the next round.
//   - The workflow (package workflows) calls the activities of package
//     activities, which call Prepare, SendEmail, SendWebhook, Fail and
//     Finish here. Prepare resolves the recipient spec (ResolveRecipients),
//     renders the templates (Render) and writes the inbox items and one
//     deliveries row per e-mail address and webhook. A send first consults
//     its deliveries row and does nothing when it is already sent, so a
//     retried activity never sends twice.
//   - Mail is built by BuildMIME and sent by SMTPSender; webhooks by
//     PostWebhook. Their errors are classified (SendError) into temporary
//     (retried with back-off within a bounded window), permanent for one
//     recipient, and configuration errors (ErrConfig, ErrAuth: not retried,
//     reported to the admins' inbox).
//   - The daily digest is a long-running DigestWorkflow (see DigestInput)
//     that enqueues one digest notification per inspector and per province
//     through CollectDigests.
//
// The package imports neither workflows nor activities (they import it), so
// the workflow contract shared with them (type names, IDs, inputs) lives
// here in contract.go.
package notify

// Notification kinds this package has templates for. The first ten are
// enqueued by the directive workflows (workflows.Notify*, same strings);
// the meeting kinds by the meeting feature; Digest by DigestWorkflow;
// SMTPConfig is the admin alert written when mail cannot be sent because of
// the SMTP settings (inbox only, never mailed).
const (
	KindAssigned        = "assigned"
	KindAckOverdue      = "ack_overdue"
	KindReminder        = "reminder"
	KindOverdue         = "overdue"
	KindEscalation      = "escalation"
	KindReturned        = "returned"
	KindDueChanged      = "due_changed"
	KindCycleOpened     = "cycle_opened"
	KindWithdrawn       = "withdrawn"
	KindReported        = "reported"
	KindInspectorAction = "inspector_action"
	KindMeetingNotice   = "meeting_notice"
	KindRSVPReminder    = "rsvp_reminder"
	KindMinutesReminder = "minutes_reminder"
	KindDigest          = "digest"
	KindSMTPConfig      = "smtp_config"
	// KindTip is every event of a tip-off's workflow (workflows.NotifyTip;
	// data "event" says which).
	KindTip = "tip"
)

// Kinds lists every kind with templates, in a stable order.
var Kinds = []string{
	KindAssigned, KindAckOverdue, KindReminder, KindOverdue, KindEscalation,
	KindReturned, KindDueChanged, KindCycleOpened, KindWithdrawn, KindReported,
	KindInspectorAction, KindMeetingNotice, KindRSVPReminder, KindMinutesReminder,
	KindDigest, KindSMTPConfig,
	KindTip,
}

// Languages. A notification in any other language is rendered in Thai.
const (
	LangThai    = "th"
	LangEnglish = "en"
)

// Keys of the notification data (models.Notification.Data, a JSON object)
// the templates read. Every value is a string, except DataItems. Instants
// are RFC 3339; dates YYYY-MM-DD (Common Era): the templates format both in
// the Buddhist Era. A key a kind does not use may be absent; templates
// render an absent key as empty, never as "<no value>".
//
// The directive workflows write DataDirectiveID … DataEscalationID (see
// workflows/assignment.go, assignment.data); Prepare adds DataUnitName from
// the units table when DataUnitCode is set.
const (
	DataDirectiveID  = "directive_id"
	DataAssignmentID = "assignment_id"
	DataUnitCode     = "unit_code"
	DataUnitName     = "unit_name"
	DataSubject      = "subject"
	DataDocNumber    = "doc_number"
	DataUrgency      = "urgency" // most_urgent | very_urgent | urgent | normal
	DataItem         = "item"    // item number
	DataCycle        = "cycle"
	DataItemText     = "item_text"
	DataDueAt        = "due_at"
	DataOldDueAt     = "old_due_at"
	DataAckDueAt     = "ack_due_at"
	DataReminder     = "reminder" // 1 for the first reminder, …
	DataLevel        = "level"    // escalation level: 1 unit, 2 head of parent, 3 inspector
	DataEscalationID = "escalation_id"
	DataReason       = "reason"
	DataActor        = "actor"
	DataAction       = "action" // inspector action: comment | new_deadline | extend | close | waive
	DataReportText   = "report_text"
	DataMeetingID    = "meeting_id"
	DataMeetingTitle = "meeting_title"
	DataMeetingAt    = "meeting_at"
	DataLocation     = "location"
	DataRSVPDueAt    = "rsvp_due_at"
	DataMinutesDueAt = "minutes_due_at"
	DataDate         = "date"  // digest day
	DataScope        = "scope" // digest: inspector | province
	DataRegions      = "regions"
	DataCount        = "count"
	DataMore         = "more" // digest: items left out of the list
	DataError        = "error"
	// DataLink overrides the link the message points to (absolute URL or a
	// path under the public URL); see LinkFor.
	DataLink = "link"
	// DataItems is a digest's list: an array of objects with the string
	// keys DataDirectiveID, DataAssignmentID, DataSubject, DataDocNumber,
	// DataUnitCode, DataUnitName, DataItem, DataDueAt, DataLevel and
	// "overdue" ("true"/"false").
	DataItems = "items"
)
