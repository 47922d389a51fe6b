// Package meetings is the meetings domain: the recurring meeting series
// (ศปก.ครส. with the province centres), their meetings, RSVPs, attendance,
// minutes, reschedules, cancellations and agenda, attendance statistics,
// and each unit's iCalendar feed with its feed token.
//
// Service lists every read and command; the HTTP handlers (package api)
// and the web pages call it and nothing below it. Each method states who
// may call it, what it validates, what it changes and which apperr codes it
// returns; authorization and unit scope are decided here, from the
// *auth.Principal passed in, never by the caller. A nil principal is "not
// signed in" (apperr.Unauthorized) wherever a caller is required.
//
// Lifecycles are owned by Temporal: a series is a MeetingSeriesWorkflow, a
// meeting a MeetingWorkflow (package workflows), and every change to a
// meeting is an Update of its workflow sent through internal/engine. Reads
// come from the read model the workflows' activities write. Errors other
// than *apperr.Error (an unreachable database or Temporal) are returned as
// they are; the API classifies them (503 when a dependency is down).
package meetings

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Service is the meetings domain. Implementations: NewService (database
// and Temporal); tests substitute fakes.
type Service interface {
	// ListSeries returns every meeting series, ordered by ID. Any signed-in
	// caller may list them (meeting series are not unit-scoped).
	// Errors: Unauthorized (nil principal).
	ListSeries(ctx context.Context, p *auth.Principal) (listing.Page[SeriesView], error)

	// CreateSeries creates a meeting series and starts its
	// MeetingSeriesWorkflow (ID workflows.MeetingSeriesWorkflowID(in.ID)).
	// Only admin and secretariat (Forbidden otherwise).
	//
	// Validation (Invalid with Field): id matches ^[a-z0-9][a-z0-9-]{0,19}$;
	// name not blank; numbering "calendar" (default) or "fiscal";
	// holiday_rule "move" (default) or "skip"; at least one cadence rule,
	// each with a weekday (English or Thai name, or 0–6 with Sunday 0),
	// weeks 1–5 or -1 (last) and a time "HH:MM" (field
	// "cadence[i].weekday|weeks|time"); start_date (ISO or Thai forms) not
	// in the past, default today (Bangkok); participants known unit codes
	// without repeats, default every province centre. Organiser defaults to
	// the national unit (ONCB).
	//
	// The series row and its audit event are committed first; the workflow
	// is started afterwards, never inside the transaction. When the start
	// fails the row stays and the error is Unavailable (503): repeating the
	// same request finds the stored row equal to the request (start_date
	// compared only when given), writes nothing and starts the workflow.
	// Conflict when a series with this ID exists with a different
	// definition, or its workflow already runs (a repeated submission);
	// Unavailable when Temporal is not configured, checked before anything
	// is written.
	CreateSeries(ctx context.Context, p *auth.Principal, in SeriesInput) (SeriesCreated, error)

	// AddMeeting asks series seriesID for an extra meeting at in's time
	// (Update workflows.UpdateAddMeeting); the series numbers it. Only
	// admin and secretariat (Forbidden). Invalid "starts_at"/"date"/"time"
	// for an unreadable time, Invalid "starts_at" for a time not in the
	// future; NotFound for an unknown series; Conflict with Field
	// "starts_at" when it overlaps a meeting of the series that is not
	// cancelled; errors the workflow's validator raises come back as they
	// are (engine.Update).
	AddMeeting(ctx context.Context, p *auth.Principal, seriesID string, in TimeInput) (workflows.MeetingRef, error)

	// ListMeetings returns the meetings starting within f's period
	// (optionally of one series), by start time then ID, every status. Any
	// signed-in caller (meetings are not unit-scoped). Invalid "from"/"to"
	// for an unreadable date or to before from.
	ListMeetings(ctx context.Context, p *auth.Principal, f MeetingFilter) (listing.Page[MeetingView], error)

	// Meeting returns one meeting with its RSVPs and attendance (by unit),
	// its minutes (by version) and the directives issued at it
	// (resolutions by their number K, then others). Any signed-in caller.
	// NotFound for an unknown ID.
	Meeting(ctx context.Context, p *auth.Principal, id string) (MeetingDetail, error)

	// RSVP records a unit's answer to meeting id's invitation (Update
	// workflows.UpdateRSVP) and returns the meeting's state. Any role that
	// may write (not observers: Forbidden). Admin and secretariat answer for
	// in.UnitCode (required: Invalid "unit_code"); everybody else only for
	// their own unit, the default (Forbidden for another). Attendee roles
	// must be governor, vice_governor, palad or other (Invalid "role").
	// NotFound for an unknown meeting; Conflict when it is cancelled, has
	// started, or its workflow is closed; the workflow's validation errors
	// (e.g. Invalid "attendees[i].reason") come back as they are.
	RSVP(ctx context.Context, p *auth.Principal, id string, in RSVPInput) (workflows.MeetingState, error)

	// RecordAttendance records who attended meeting id (Update
	// workflows.UpdateAttendance); a unit recorded again is replaced. Only
	// admin and secretariat (Forbidden). NotFound for an unknown meeting;
	// Conflict before the meeting's start, when it is cancelled or its
	// workflow is closed.
	RecordAttendance(ctx context.Context, p *auth.Principal, id string, in AttendanceInput) (workflows.MeetingState, error)

	// PublishMinutes publishes a new version of meeting id's minutes
	// (Update workflows.UpdateMinutes). Only admin and secretariat
	// (Forbidden). Invalid "text" when blank; NotFound for an unknown
	// meeting; Conflict when cancelled, not started or closed.
	PublishMinutes(ctx context.Context, p *auth.Principal, id string, in MinutesInput) (workflows.MeetingState, error)

	// Reschedule moves meeting id to in's time, keeping its number and
	// raising its iCalendar SEQUENCE (Update workflows.UpdateReschedule).
	// Only admin and secretariat (Forbidden). NotFound for an unknown
	// meeting; Invalid as in AddMeeting; Conflict with Field "starts_at"
	// when the new time overlaps another meeting of the series; Conflict
	// when cancelled, started or closed.
	Reschedule(ctx context.Context, p *auth.Principal, id string, in TimeInput) (workflows.MeetingState, error)

	// Cancel cancels meeting id (Update workflows.UpdateCancel): its feed
	// event becomes STATUS:CANCELLED. Only admin and secretariat
	// (Forbidden). Invalid "reason" when blank; NotFound; Conflict when
	// already cancelled, started or closed.
	Cancel(ctx context.Context, p *auth.Principal, id string, in CancelInput) (workflows.MeetingState, error)

	// AddAgendaItem appends an item to meeting id's agenda (Update
	// workflows.UpdateAddAgendaItem). Only admin and secretariat
	// (Forbidden). NotFound; Conflict when cancelled or closed; the
	// workflow's validation errors (Invalid "title") as they are.
	AddAgendaItem(ctx context.Context, p *auth.Principal, id string, in AgendaItemInput) (workflows.MeetingState, error)

	// AttendanceStats counts, per province centre within the caller's unit
	// scope (auth.Principal.ScopeUnits: admin, secretariat and observer
	// all 77, a province its own row, an inspector the provinces of its
	// regions, a district none), the meetings held in f's period up to now
	// (started, not cancelled, the unit a participant; of series f.Series
	// when given), those it attended, and those attended by its governor
	// or a vice governor, with the rates. Any signed-in caller; units
	// ordered by code. Invalid "from"/"to" as in ListMeetings; Invalid
	// "series" for an unknown series.
	AttendanceStats(ctx context.Context, p *auth.Principal, f StatsFilter) (listing.Page[AttendanceStat], error)

	// IssueFeedToken issues a new secret for unit unitCode's iCalendar feed,
	// replacing the previous one (only its SHA-256 is stored), and audits
	// it; the token is in the answer and never shown again. Admin and
	// secretariat for any unit, others for their own unit only
	// (Forbidden). NotFound for an unknown unit.
	IssueFeedToken(ctx context.Context, p *auth.Principal, unitCode string) (FeedToken, error)

	// Feed returns unit unitCode's iCalendar (RFC 5545) feed: every meeting
	// the unit takes part in, every status, one event per meeting with a
	// stable UID (MeetingUID), SEQUENCE from the meeting and
	// STATUS:CANCELLED once cancelled. It needs no principal: token, the
	// unit's feed secret, authorizes it (calendar apps send no headers).
	// Invalid "token" when empty; Forbidden when it is not the unit's
	// current token (or the unit has none).
	Feed(ctx context.Context, unitCode, token string) (string, error)
}

// CadenceInput is one regular slot of SeriesInput: weekday (English or Thai
// name, or 0–6 with Sunday = 0), weeks of the month (1–5, -1 the last; Thai
// digits accepted) and time "HH:MM" Bangkok.
type CadenceInput struct {
	Weekday json.RawMessage    `json:"weekday"`
	Weeks   []thaidate.FlexInt `json:"weeks" validate:"max=5"`
	Time    string             `json:"time" validate:"max=16,singleline"`
}

// SeriesInput is the body of POST /meeting-series (CreateSeries).
// Participants default to every province centre, Organiser to ONCB,
// Numbering to "calendar" (or "fiscal"), HolidayRule to "move" (or "skip"),
// StartDate to today.
type SeriesInput struct {
	ID           string                  `json:"id" validate:"max=64,singleline"`
	Name         string                  `json:"name" validate:"max=200,singleline"`
	Organiser    string                  `json:"organiser,omitempty" validate:"max=32,singleline"`
	Participants []string                `json:"participants,omitempty" validate:"max=1000,dive,max=32"`
	Cadence      []CadenceInput          `json:"cadence" validate:"max=10,dive"`
	Link         string                  `json:"link,omitempty" validate:"omitempty,max=2048,httpurl"`
	Numbering    string                  `json:"numbering,omitempty" validate:"max=16"`
	HolidayRule  string                  `json:"holiday_rule,omitempty" validate:"max=16"`
	StartDate    string                  `json:"start_date,omitempty" validate:"max=40,singleline"`
	Policy       workflows.MeetingPolicy `json:"policy"`
}

// SeriesCreated answers CreateSeries: the series ID, its workflow ID and
// the series as started.
type SeriesCreated struct {
	ID         string                      `json:"id"`
	WorkflowID string                      `json:"workflow_id"`
	Series     workflows.MeetingSeriesSpec `json:"series"`
}

// SeriesView is a stored meeting series. Participants, Cadence and Policy
// are the stored JSON (unit codes, workflows.CadenceRule list,
// workflows.MeetingPolicy with defaults applied).
type SeriesView struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	OrganiserCode string          `json:"organiser_code"`
	Participants  json.RawMessage `json:"participants"`
	Cadence       json.RawMessage `json:"cadence"`
	Link          string          `json:"link" validate:"omitempty,max=2048,httpurl"`
	Numbering     string          `json:"numbering"`
	HolidayRule   string          `json:"holiday_rule"`
	Policy        json.RawMessage `json:"policy"`
	StartDate     string          `json:"start_date"`
}

// TimeInput gives a meeting time (AddMeeting, Reschedule): StartsAt (RFC
// 3339), or Date (ISO or Thai forms) with Time "HH:MM" Bangkok. Title and
// Link apply to AddMeeting only; Reason is recorded with the change.
type TimeInput struct {
	StartsAt string `json:"starts_at,omitempty" validate:"max=40,singleline"`
	Date     string `json:"date,omitempty" validate:"max=40,singleline"`
	Time     string `json:"time,omitempty" validate:"max=16,singleline"`
	Title    string `json:"title,omitempty" validate:"max=200,singleline"`
	Link     string `json:"link,omitempty"`
	Reason   string `json:"reason,omitempty" validate:"max=2000"`
}

// RSVPInput is the body of POST /meetings/{id}/rsvp. UnitCode defaults to
// the caller's unit; only admin and secretariat may name another.
type RSVPInput struct {
	UnitCode  string               `json:"unit_code,omitempty" validate:"max=32,singleline"`
	Declined  bool                 `json:"declined,omitempty"`
	Reason    string               `json:"reason,omitempty" validate:"max=2000"`
	Attendees []workflows.Attendee `json:"attendees,omitempty" validate:"max=50,dive"`
}

// AttendanceInput is the body of POST /meetings/{id}/attendance: who of
// each unit attended (no attendees: absent).
type AttendanceInput struct {
	Units []workflows.UnitAttendanceInput `json:"units" validate:"max=1000,dive"`
}

// MinutesInput is the body of PUT /meetings/{id}/minutes. The text is
// stored first and the meeting workflow's Update carries its ref
// (models.TextRef); 50,000 characters bound one version.
type MinutesInput struct {
	Text string `json:"text" validate:"max=50000"`
}

// CancelInput is the body of POST /meetings/{id}/cancel.
type CancelInput struct {
	Reason string `json:"reason" validate:"max=2000"`
}

// AgendaItemInput is the body of POST /meetings/{id}/agenda.
type AgendaItemInput struct {
	Title  string `json:"title" validate:"max=200,singleline"`
	Detail string `json:"detail,omitempty" validate:"max=5000"`
}

// MeetingFilter selects meetings for ListMeetings: From and To are dates
// (ISO or Thai forms, both inclusive, either may be empty) and Series a
// series ID (empty: all).
type MeetingFilter struct {
	From   string
	To     string
	Series string
}

// StatsFilter is the period of AttendanceStats: dates as in MeetingFilter
// (ISO or Thai forms, Buddhist-era years and Thai digits accepted, both
// inclusive, either may be empty), and optionally one series (empty: all).
type StatsFilter struct {
	From   string
	To     string
	Series string
}

// MeetingView is a meeting as the API shows it. NumberLabel is
// "ครั้งที่ N/YYYY"; Participants (unit codes) and Agenda
// (workflows.AgendaItem list) are the stored JSON.
type MeetingView struct {
	ID           string               `json:"id"`
	SeriesID     string               `json:"series_id"`
	YearBE       int                  `json:"year_be"`
	Number       int                  `json:"number"`
	NumberLabel  string               `json:"number_label"`
	Title        string               `json:"title"`
	StartsAt     time.Time            `json:"starts_at"`
	StartsAtBE   string               `json:"starts_at_be"`
	EndsAt       time.Time            `json:"ends_at"`
	Link         string               `json:"link"`
	Extra        bool                 `json:"extra"`
	Status       models.MeetingStatus `json:"status"`
	Sequence     int                  `json:"sequence"`
	Reason       string               `json:"reason,omitempty"`
	MinutesDueAt *time.Time           `json:"minutes_due_at,omitempty"`
	NoticeSentAt *time.Time           `json:"notice_sent_at,omitempty"`
	Participants json.RawMessage      `json:"participants"`
	Agenda       json.RawMessage      `json:"agenda"`
}

// MeetingDetail answers Meeting: the meeting and everything recorded
// about it.
type MeetingDetail struct {
	Meeting    MeetingView      `json:"meeting"`
	RSVPs      []RSVPView       `json:"rsvps"`
	Attendance []AttendanceView `json:"attendance"`
	Minutes    []MinutesView    `json:"minutes"`
	Directives []DirectiveView  `json:"directives"`
}

// RSVPView is one unit's current answer; Attendees is the stored JSON
// (workflows.Attendee list).
type RSVPView struct {
	UnitCode    string          `json:"unit_code"`
	Declined    bool            `json:"declined"`
	Reason      string          `json:"reason"`
	Attendees   json.RawMessage `json:"attendees"`
	RespondedBy string          `json:"responded_by"`
	RespondedAt time.Time       `json:"responded_at"`
}

// AttendanceView is who of one unit attended; Attendees is the stored JSON.
type AttendanceView struct {
	UnitCode         string          `json:"unit_code"`
	Present          bool            `json:"present"`
	ByHead           bool            `json:"by_head"`
	UnderRepresented bool            `json:"under_represented"`
	Attendees        json.RawMessage `json:"attendees"`
	RecordedBy       string          `json:"recorded_by"`
}

// MinutesView is one published version of the minutes.
type MinutesView struct {
	Version     int       `json:"version"`
	Text        string    `json:"text"`
	PublishedBy string    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// DirectiveView is one directive issued at a meeting. Number is K of
// "ข้อ K" for a resolution (ResolutionDocNumber), 0 for a directive linked
// to the meeting with its own document number.
type DirectiveView struct {
	ID            string                 `json:"id"`
	DocNumber     string                 `json:"doc_number"`
	Number        int                    `json:"number,omitempty"`
	Subject       string                 `json:"subject"`
	IssueDate     string                 `json:"issue_date"`
	Urgency       string                 `json:"urgency"`
	Status        models.DirectiveStatus `json:"status"`
	UnitsTotal    int                    `json:"units_total"`
	UnitsAssigned int                    `json:"units_assigned"`
	CreatedAt     time.Time              `json:"created_at"`
}

// AttendanceStat is one unit's attendance over a period: meetings held
// (started, not cancelled, the unit a participant), attended (present),
// and attended by the governor or a vice governor (ByHead). Rate is
// Attended ÷ Held and HeadRate AttendedByHead ÷ Held, from 0 to 1 rounded
// to 4 decimals, both 0 when no meeting was held.
type AttendanceStat struct {
	UnitCode         string  `json:"unit_code"`
	NameTH           string  `json:"name_th"`
	NameEN           string  `json:"name_en"`
	InspectionRegion *int    `json:"inspection_region,omitempty"`
	Held             int     `json:"held"`
	Attended         int     `json:"attended"`
	AttendedByHead   int     `json:"attended_by_head"`
	Rate             float64 `json:"rate"`
	HeadRate         float64 `json:"head_rate"`
}

// FeedToken answers IssueFeedToken: the new secret and the feed's path
// with it.
type FeedToken struct {
	UnitCode string `json:"unit_code"`
	Token    string `json:"token"`
	URL      string `json:"url"`
}
