package workflows

import (
	"slices"
	"time"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/workdays"
	"github.com/tidtam/tidtam/models"
)

// Registered meeting workflow type names.
const (
	MeetingSeriesWorkflowType = "MeetingSeriesWorkflow"
	MeetingWorkflowType       = "MeetingWorkflow"
)

// Meeting update and query names.
const (
	// UpdateAddMeeting (MeetingSeriesWorkflow): AddMeetingInput → MeetingRef.
	UpdateAddMeeting = "add_meeting"
	// QuerySeries (MeetingSeriesWorkflow) → MeetingSeriesState.
	QuerySeries = "series"
	// UpdateRSVP (MeetingWorkflow): RSVPInput → MeetingState.
	UpdateRSVP = "rsvp"
	// UpdateAttendance (MeetingWorkflow): AttendanceInput → MeetingState.
	UpdateAttendance = "attendance"
	// UpdateMinutes (MeetingWorkflow): MinutesInput → MeetingState.
	UpdateMinutes = "minutes"
	// UpdateReschedule (MeetingWorkflow): RescheduleInput → MeetingState.
	UpdateReschedule = "reschedule"
	// UpdateCancel (MeetingWorkflow): CancelInput → MeetingState.
	UpdateCancel = "cancel"
	// UpdateAddAgendaItem (MeetingWorkflow): AddAgendaItemInput → MeetingState.
	UpdateAddAgendaItem = "add_agenda_item"
	// QueryMeeting (MeetingWorkflow) → MeetingState.
	QueryMeeting = "meeting"
)

// Meeting notification kinds (templates in internal/notify).
const (
	NotifyMeetingNotice   = "meeting_notice"
	NotifyRSVPReminder    = "rsvp_reminder"
	NotifyMinutesReminder = "minutes_reminder"
)

// MeetingSeriesWorkflowID returns the workflow ID of a series:
// "meeting-series/" + seriesID.
func MeetingSeriesWorkflowID(seriesID string) string { return "meeting-series/" + seriesID }

// MeetingID returns the business key of meeting number of yearBE in a
// series: seriesID + "-" + yearBE + "-" + number (e.g. "oncb-prov-2569-5"
// for ครั้งที่ 5/2569).
func MeetingID(seriesID string, yearBE, number int) string {
	return seriesID + "-" + itoa(yearBE) + "-" + itoa(number)
}

// MeetingWorkflowID returns the workflow ID of a meeting: "meeting/" + meetingID.
func MeetingWorkflowID(meetingID string) string { return "meeting/" + meetingID }

// Numbering says when the meeting numbers restart.
type Numbering string

// Numbering schemes: each Buddhist-era calendar year, or each fiscal year
// (from 1 October).
const (
	NumberingCalendar Numbering = "calendar"
	NumberingFiscal   Numbering = "fiscal"
)

// HolidayRule says what happens to a regular meeting that falls on a
// non-working day.
type HolidayRule string

// Holiday rules: move to the next working day (same time), or skip.
const (
	HolidayMove HolidayRule = "move"
	HolidaySkip HolidayRule = "skip"
)

// CadenceRule is one recurring slot: the Weeks-th Weekday of every month
// (1–5, or -1 for the last) at Hour:Minute Bangkok, e.g. {3, [2, 4], 13, 30}
// for the 2nd and 4th Wednesday at 13:30.
type CadenceRule struct {
	Weekday time.Weekday `json:"weekday"`
	Weeks   []int        `json:"weeks"`
	Hour    int          `json:"hour"`
	Minute  int          `json:"minute"`
}

// MeetingPolicy holds the clocks of a series, in working days except
// DurationMinutes and AmendDays (calendar days a meeting stays open for new
// minutes versions after the first). Zero values take the defaults of
// WithDefaults.
type MeetingPolicy struct {
	CreateAheadWorkingDays  int `json:"create_ahead_working_days,omitempty" validate:"gte=0,lte=60"`
	NoticeWorkingDays       int `json:"notice_working_days,omitempty" validate:"gte=0,lte=60"`
	RSVPReminderWorkingDays int `json:"rsvp_reminder_working_days,omitempty" validate:"gte=0,lte=30"`
	MinutesDueWorkingDays   int `json:"minutes_due_working_days,omitempty" validate:"gte=0,lte=60"`
	MinutesReminders        int `json:"minutes_reminders,omitempty" validate:"gte=0,lte=20"`
	DurationMinutes         int `json:"duration_minutes,omitempty" validate:"gte=0,lte=1440"`
	AmendDays               int `json:"amend_days,omitempty" validate:"gte=0,lte=366"`
}

// WithDefaults fills zero fields: created 10 working days ahead, notice 5
// and RSVP reminder 1 working day before, minutes due 7 working days after
// with up to 5 reminders, 120 minutes long, open 30 days for new minutes
// versions. The creation lead is never shorter than the notice.
func (p MeetingPolicy) WithDefaults() MeetingPolicy {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&p.CreateAheadWorkingDays, 10)
	def(&p.NoticeWorkingDays, 5)
	def(&p.RSVPReminderWorkingDays, 1)
	def(&p.MinutesDueWorkingDays, 7)
	def(&p.MinutesReminders, 5)
	def(&p.DurationMinutes, 120)
	def(&p.AmendDays, 30)
	p.CreateAheadWorkingDays = max(p.CreateAheadWorkingDays, p.NoticeWorkingDays)
	return p
}

// MeetingSeriesSpec describes a series: Participants are unit codes (the
// API fills in every province centre by default), Cadence its regular
// slots, StartDate the first day a regular meeting may fall on.
type MeetingSeriesSpec struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	OrganiserCode string        `json:"organiser_code"`
	Participants  []string      `json:"participants"`
	Cadence       []CadenceRule `json:"cadence"`
	Link          string        `json:"link,omitempty"`
	Numbering     Numbering     `json:"numbering"`
	HolidayRule   HolidayRule   `json:"holiday_rule"`
	Policy        MeetingPolicy `json:"policy"`
	StartDate     thaidate.Date `json:"start_date"`
}

// MeetingSeriesInput starts a MeetingSeriesWorkflow (ID
// MeetingSeriesWorkflowID(Series.ID)). Holidays (ISO dates) seed the
// calendar; missing years are loaded with LoadHolidays. State is nil on the
// first run and carried by continue-as-new. HistoryLimit 0 means
// DefaultHistoryLimit.
type MeetingSeriesInput struct {
	Series       MeetingSeriesSpec   `json:"series"`
	Holidays     []string            `json:"holidays"`
	Actor        string              `json:"actor"`
	HistoryLimit int                 `json:"history_limit,omitempty"`
	State        *MeetingSeriesState `json:"state,omitempty"`
}

// YearCounter is the last number given in one numbering year (BE).
type YearCounter struct {
	YearBE int `json:"year_be"`
	Last   int `json:"last"`
}

// MeetingRef identifies one meeting a series created.
type MeetingRef struct {
	ID         string    `json:"id"`
	WorkflowID string    `json:"workflow_id"`
	YearBE     int       `json:"year_be"`
	Number     int       `json:"number"`
	Title      string    `json:"title"`
	StartsAt   time.Time `json:"starts_at"`
	Extra      bool      `json:"extra"`
}

// MeetingSeriesState is the query view and continue-as-new carry of a
// series. Cursor is the nominal (rule) time of the last regular slot
// handled; Counters the numbers given per year (never reused); Recent the
// last meetings created and Skipped the last slots skipped for holidays
// (both bounded); Created counts every meeting created; Runs counts runs
// (1 + continue-as-new count).
type MeetingSeriesState struct {
	SeriesID     string          `json:"series_id"`
	Cursor       time.Time       `json:"cursor"`
	Counters     []YearCounter   `json:"counters"`
	Recent       []MeetingRef    `json:"recent"`
	Skipped      []thaidate.Date `json:"skipped,omitempty"`
	Created      int             `json:"created"`
	Runs         int             `json:"runs"`
	HolidayYears []int           `json:"holiday_years,omitempty"`
}

// AddMeetingInput asks a series for an extra meeting at StartsAt (update
// UpdateAddMeeting). Rejected when StartsAt is in the past or overlaps a
// meeting the series knows of.
type AddMeetingInput struct {
	StartsAt time.Time `json:"starts_at"`
	Title    string    `json:"title,omitempty"`
	Link     string    `json:"link,omitempty"`
	Actor    string    `json:"actor"`
	Reason   string    `json:"reason,omitempty"`
}

// Attendee is a person a unit sends to a meeting.
type Attendee = activities.MeetingAttendee

// AgendaItem is one agenda entry.
type AgendaItem = activities.MeetingAgendaItem

// UnitRSVP is one unit's answer.
type UnitRSVP = activities.MeetingRSVPRow

// UnitAttendance is one unit's recorded attendance.
type UnitAttendance = activities.MeetingAttendanceRow

// MeetingInfo is what a meeting is: its number, title, time, link and
// participant units.
type MeetingInfo struct {
	ID              string    `json:"id"`
	SeriesID        string    `json:"series_id"`
	SeriesName      string    `json:"series_name"`
	YearBE          int       `json:"year_be"`
	Number          int       `json:"number"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Link            string    `json:"link,omitempty"`
	OrganiserCode   string    `json:"organiser_code"`
	Participants    []string  `json:"participants"`
	Extra           bool      `json:"extra"`
}

// MeetingInput starts a MeetingWorkflow (ID MeetingWorkflowID(Meeting.ID)).
type MeetingInput struct {
	Meeting  MeetingInfo   `json:"meeting"`
	Policy   MeetingPolicy `json:"policy"`
	Holidays []string      `json:"holidays"`
	Actor    string        `json:"actor"`
}

// MeetingResult is what a completed MeetingWorkflow returns.
type MeetingResult struct {
	State MeetingState `json:"state"`
}

// MeetingState is the query view of a meeting and the result of its
// updates. Absent and UnderRepresented are derived from Attendance once
// recorded. Sequence is the iCalendar SEQUENCE.
type MeetingState struct {
	ID                   string               `json:"id"`
	SeriesID             string               `json:"series_id"`
	YearBE               int                  `json:"year_be"`
	Number               int                  `json:"number"`
	Title                string               `json:"title"`
	Status               models.MeetingStatus `json:"status"`
	StartsAt             time.Time            `json:"starts_at"`
	EndsAt               time.Time            `json:"ends_at"`
	Link                 string               `json:"link,omitempty"`
	Extra                bool                 `json:"extra"`
	Sequence             int                  `json:"sequence"`
	Participants         []string             `json:"participants"`
	RSVPs                []UnitRSVP           `json:"rsvps"`
	Attendance           []UnitAttendance     `json:"attendance"`
	Absent               []string             `json:"absent"`
	UnderRepresented     []string             `json:"under_represented"`
	Agenda               []AgendaItem         `json:"agenda"`
	Minutes              []MinutesVersion     `json:"minutes"`
	NoticeSentAt         *time.Time           `json:"notice_sent_at,omitempty"`
	MinutesDueAt         time.Time            `json:"minutes_due_at"`
	RSVPReminded         bool                 `json:"rsvp_reminded"`
	DayOfReminded        bool                 `json:"day_of_reminded"`
	MinutesRemindersSent int                  `json:"minutes_reminders_sent"`
	Reason               string               `json:"reason,omitempty"`
	Seq                  int64                `json:"seq"`
	Organiser            string               `json:"organiser_code"`
}

// RSVPInput is a unit's answer (update UpdateRSVP): either Attendees (at
// least one; Role one of governor, vice_governor, palad, other, and Reason
// for other) or Declined with a Reason. Allowed until the meeting starts.
type RSVPInput struct {
	UnitCode  string     `json:"unit_code" validate:"max=32,singleline"`
	Actor     string     `json:"actor"`
	Declined  bool       `json:"declined,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Attendees []Attendee `json:"attendees,omitempty" validate:"max=50,dive"`
}

// UnitAttendanceInput is who of one unit attended (empty: absent).
type UnitAttendanceInput struct {
	UnitCode  string     `json:"unit_code" validate:"max=32,singleline"`
	Attendees []Attendee `json:"attendees" validate:"max=50,dive"`
}

// AttendanceInput records attendance (update UpdateAttendance), allowed
// once the meeting has started; a unit recorded again is replaced.
type AttendanceInput struct {
	Actor string                `json:"actor"`
	Units []UnitAttendanceInput `json:"units"`
}

// MinutesInput publishes a new version of the minutes (update
// UpdateMinutes), allowed once the meeting has started and not for a
// cancelled meeting. The text travels as TextRef (stored first, see
// models.TextRef); Text is set only in Updates recorded before texts
// travelled by reference.
type MinutesInput struct {
	Actor   string         `json:"actor"`
	Text    string         `json:"text,omitempty"`
	TextRef models.TextRef `json:"text_ref,omitempty"`
}

// MinutesVersion is one published version (1, 2, …) of a meeting's
// minutes as the meeting workflow keeps it and SaveMeeting writes it: the
// text by TextRef (Text only for versions published before texts
// travelled by reference, and in answers the API has filled in).
type MinutesVersion = activities.MeetingMinutesRow

// RescheduleInput moves a meeting that has not started (update
// UpdateReschedule) to StartsAt, which must be in the future. The number is
// kept; the iCalendar SEQUENCE is raised.
type RescheduleInput struct {
	StartsAt time.Time `json:"starts_at"`
	Actor    string    `json:"actor"`
	Reason   string    `json:"reason"`
}

// CancelInput cancels a meeting that has not started (update UpdateCancel).
// The number stays used. Reason is required.
type CancelInput struct {
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
}

// AddAgendaItemInput adds an agenda item (update UpdateAddAgendaItem) to a
// meeting not cancelled and without published minutes.
type AddAgendaItemInput struct {
	Actor  string `json:"actor"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

// ValidAttendeeRole reports whether role is one of models.Attendee*.
func ValidAttendeeRole(role string) bool {
	return slices.Contains([]string{models.AttendeeGovernor, models.AttendeeViceGovernor, models.AttendeePalad, models.AttendeeOther}, role)
}

// NumberingYearBE is the Buddhist-era year a meeting on d is numbered in.
func NumberingYearBE(n Numbering, d thaidate.Date) int {
	if n == NumberingFiscal {
		return thaidate.FiscalYearBE(d)
	}
	return thaidate.YearBE(d)
}

// MeetingTitle is the title of meeting number of yearBE: name + " ครั้งที่
// number/yearBE".
func MeetingTitle(name string, yearBE, number int) string {
	return name + " ครั้งที่ " + itoa(number) + "/" + itoa(yearBE)
}

// NominalSlots returns the regular slots of the cadence in one month, in
// time order, without duplicates (Bangkok).
func NominalSlots(rules []CadenceRule, year int, month time.Month) []time.Time {
	var out []time.Time
	first := time.Date(year, month, 1, 0, 0, 0, 0, thaidate.Bangkok)
	days := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	for _, r := range rules {
		offset := (int(r.Weekday) - int(first.Weekday()) + 7) % 7
		for _, w := range r.Weeks {
			day := 1 + offset + 7*(w-1)
			if w == -1 {
				day = 1 + offset
				for day+7 <= days {
					day += 7
				}
			}
			if w == 0 || day > days || day < 1 {
				continue
			}
			t := time.Date(year, month, day, r.Hour, r.Minute, 0, 0, thaidate.Bangkok)
			if !slices.ContainsFunc(out, t.Equal) {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// NextSlot finds the first regular slot whose nominal time is after
// `after` and whose date is on or after from. actual is the nominal time
// moved to the next working day under HolidayMove; slots falling on a
// non-working day under HolidaySkip are returned in skipped and passed
// over. ok is false when no slot exists in the next 36 months.
func NextSlot(cal *workdays.Calendar, rules []CadenceRule, rule HolidayRule, from thaidate.Date, after time.Time) (nominal, actual time.Time, skipped []thaidate.Date, ok bool) {
	start := after.In(thaidate.Bangkok)
	if f := from.At(0, 0); f.After(start) {
		start = f.Add(-time.Nanosecond)
	}
	y, m := start.Year(), start.Month()
	for range 36 {
		for _, t := range NominalSlots(rules, y, m) {
			if !t.After(start) || !t.After(after) {
				continue
			}
			d := thaidate.FromTime(t)
			if cal.IsWorkingDay(d) {
				return t, t, skipped, true
			}
			if rule == HolidaySkip {
				skipped = append(skipped, d)
				continue
			}
			moved := cal.OnOrAfter(d)
			return t, moved.At(t.Hour(), t.Minute()), skipped, true
		}
		m++
		if m > time.December {
			m, y = time.January, y+1
		}
	}
	return time.Time{}, time.Time{}, skipped, false
}
