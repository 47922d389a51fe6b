package workflows

import (
	"strconv"
	"time"

	"github.com/tidtam/tidtam/models"
)

// This file is the contract of TipWorkflow, the officers' side of a
// confidential tip-off (issue #15): its input, state, Updates and result.
// Only IDs and small values travel: the informant's texts and an officer's
// note to the informant are sealed in the database by the tips service,
// which passes the note's message number (NoteSeq), never its text.

// Updates and the query of TipWorkflow.
const (
	// UpdateTipAcknowledge (TipActionInput) acknowledges the tip for its
	// handling unit.
	UpdateTipAcknowledge = "tip_acknowledge"
	// UpdateTipForward (TipForwardInput) forwards a tip routed to a
	// province to one of its districts.
	UpdateTipForward = "tip_forward"
	// UpdateTipStage (TipStageInput) moves the tip to a later stage.
	UpdateTipStage = "tip_stage"
	// UpdateTipReferUp (TipActionInput) refers the tip up to the
	// secretariat, which may then read it.
	UpdateTipReferUp = "tip_refer_up"
	// QueryTipState (TipWorkflow) → TipState.
	QueryTipState = "tip_state"
)

// NotifyTip is the notification kind of every tip event (notify.KindTip):
// the data key "event" says which (TipEvent*). Notifications about tips
// carry no text of the tip, only its number, province, stage and due.
const NotifyTip = "tip"

// Events of a tip's notifications (data key "event").
const (
	TipEventNew        = "new"       // routed to the unit
	TipEventForwarded  = "forwarded" // forwarded by the province to the district
	TipEventAckOverdue = "ack_overdue"
	TipEventReminder   = "reminder"   // the pending deadline approaches
	TipEventOverdue    = "overdue"    // level 1, to the handling unit
	TipEventEscalation = "escalation" // level 2 the province head, 3 the region's inspectors
	TipEventReferredUp = "referred_up"
	// TipEventInformantReplied is written by the tips service, not the
	// workflow: the informant sent a message or files (internal/tips).
	TipEventInformantReplied = "informant_replied"
)

// TipMaxAgencyRunes bounds the agency a tip is referred to (a single-line
// label, carried by value).
const TipMaxAgencyRunes = 200

// TipWorkflowID is the workflow ID of tip id: "tip/<id>". The ID is the
// business key, so a retried submission (or a sweep) never starts a second
// workflow for one tip.
func TipWorkflowID(id int64) string { return "tip/" + strconv.FormatInt(id, 10) }

// TipPolicy are the deadlines of a tip. AckWithin (default 1 working day)
// and ActionWithin (the first action: a stage after received; default 3
// working days) count from the receipt, or from the forwarding for a tip
// forwarded to a district. Reminders fire that long before the pending
// deadline (default 1 working day before the first action is due);
// Escalations[i] fires level i+1 that long after the pending deadline
// (default at the due, +1 and +2 working days): level 1 the handling
// unit, level 2 the province head (governor, vice governors, ปลัดจังหวัด),
// level 3 the inspectors of the province's region.
type TipPolicy struct {
	AckWithin    Span   `json:"ack_within"`
	ActionWithin Span   `json:"action_within"`
	Reminders    []Span `json:"reminders,omitempty"`
	Escalations  []Span `json:"escalations,omitempty"`
}

// DefaultTipPolicy returns the default TipPolicy with the first action due
// actionDays working days after the receipt (3 when actionDays ≤ 0).
func DefaultTipPolicy(actionDays int) TipPolicy {
	if actionDays <= 0 {
		actionDays = 3
	}
	return TipPolicy{AckWithin: WorkingDays(1), ActionWithin: WorkingDays(actionDays),
		Reminders: []Span{WorkingDays(1)}, Escalations: []Span{{}, WorkingDays(1), WorkingDays(2)}}
}

// TipInput starts TipWorkflow for tip TipID, as the tips service stored
// it: where it is routed (models.TipRoute*, RouteUnitCode), its province
// and the province's inspection region (nil when the province has none).
// Holidays may be empty: the workflow loads the years it needs.
type TipInput struct {
	TipID             int64     `json:"tip_id"`
	ProvinceCode      string    `json:"province_code"`
	Route             string    `json:"route"`
	RouteUnitCode     string    `json:"route_unit_code"`
	Region            *int      `json:"region,omitempty"`
	OfficialsInvolved bool      `json:"officials_involved"`
	Policy            TipPolicy `json:"policy"`
	Holidays          []string  `json:"holidays,omitempty"`
	// Revision is the revision of the workflow code the run follows
	// (TipRevision when started).
	Revision int `json:"revision"`
}

// TipRevision is the revision new tip workflows start with.
const TipRevision = 1

// TipState is a tip as its workflow holds it (QueryTipState, every
// Update's result). DueAt is the pending deadline: AckDueAt until the tip
// is acknowledged, then ActionDueAt until the first action, then none.
type TipState struct {
	TipID           int64      `json:"tip_id"`
	ProvinceCode    string     `json:"province_code"`
	Route           string     `json:"route"`
	UnitCode        string     `json:"unit_code"`
	Region          *int       `json:"region,omitempty"`
	Stage           string     `json:"stage"`
	ReceivedAt      time.Time  `json:"received_at"`
	AckDueAt        time.Time  `json:"ack_due_at"`
	ActionDueAt     time.Time  `json:"action_due_at"`
	AcknowledgedAt  *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy  string     `json:"acknowledged_by,omitempty"`
	FirstActionAt   *time.Time `json:"first_action_at,omitempty"`
	Agency          string     `json:"agency,omitempty"`
	ReferredUp      bool       `json:"referred_up,omitempty"`
	RemindersSent   int        `json:"reminders_sent"`
	Level           int        `json:"level"`            // escalation level of the pending deadline
	EscalationLevel int        `json:"escalation_level"` // highest level ever reached
	Seq             int64      `json:"seq"`
	HolidayYears    []int      `json:"holiday_years,omitempty"`
}

// DueAt returns the pending deadline, or nil when none is pending (both
// met, or the tip closed).
func (s TipState) DueAt() *time.Time {
	switch {
	case s.Stage == models.TipClosed:
		return nil
	case s.AcknowledgedAt == nil:
		t := s.AckDueAt
		return &t
	case s.FirstActionAt == nil:
		t := s.ActionDueAt
		return &t
	}
	return nil
}

// TipActionInput is the argument of UpdateTipAcknowledge and
// UpdateTipReferUp: the account acting and its unit, which must be the
// tip's handling unit (the province for a tip involving officials).
type TipActionInput struct {
	Actor    string `json:"actor"`
	UnitCode string `json:"unit_code"`
}

// TipForwardInput is the argument of UpdateTipForward: the province's
// account and unit, and the district to forward to (the API checks that
// it is a district of the province). Only a tip routed to the province
// (models.TipRouteProvince) may be forwarded, and never a closed one.
type TipForwardInput struct {
	Actor        string `json:"actor"`
	UnitCode     string `json:"unit_code"`
	DistrictCode string `json:"district_code"`
}

// TipStageInput is the argument of UpdateTipStage: who acts for which
// unit, the new stage (a later one, TipStageAllowed), the agency for
// models.TipReferred (at most TipMaxAgencyRunes, one line) and NoteSeq,
// the number of the message to the informant the API stored first (0:
// none; the workflow only records it).
type TipStageInput struct {
	Actor    string `json:"actor"`
	UnitCode string `json:"unit_code"`
	Stage    string `json:"stage"`
	Agency   string `json:"agency,omitempty"`
	NoteSeq  int    `json:"note_seq,omitempty"`
}

// TipResult is what TipWorkflow returns when the tip is closed.
type TipResult struct {
	State TipState `json:"state"`
}

// tipStageRank orders the stages; arrest_made and no_grounds share a rank.
func tipStageRank(stage string) int {
	switch stage {
	case models.TipReceived:
		return 0
	case models.TipUnderInvestigation:
		return 1
	case models.TipReferred:
		return 2
	case models.TipArrestMade, models.TipNoGrounds:
		return 3
	case models.TipClosed:
		return 4
	}
	return -1
}

// TipStageAllowed reports whether a tip at stage from may move to stage
// to: forward only (stages may be skipped), never from closed, never
// between arrest_made and no_grounds, never back to received.
func TipStageAllowed(from, to string) bool {
	f, t := tipStageRank(from), tipStageRank(to)
	return f >= 0 && t > 0 && t > f && from != models.TipClosed
}
