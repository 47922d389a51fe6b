package models

import "time"

// MeetingStatus is the life-cycle state of one meeting.
type MeetingStatus string

// Meeting states: scheduled until its start, started from its start until
// the secretariat publishes minutes (published), or cancelled.
const (
	MeetingScheduled MeetingStatus = "scheduled"
	MeetingStarted   MeetingStatus = "started"
	MeetingPublished MeetingStatus = "published"
	MeetingCancelled MeetingStatus = "cancelled"
)

// Attendee roles of a province at a meeting: the governor, a vice governor
// assigned by the governor, the permanent secretary of the province
// (ปลัดจังหวัด), or someone else (a reason is then required).
const (
	AttendeeGovernor     = "governor"
	AttendeeViceGovernor = "vice_governor"
	AttendeePalad        = "palad"
	AttendeeOther        = "other"
)

// MeetingSeries is a recurring meeting series such as the twice-monthly
// ศปก.ครส. meeting with the 77 province centres. ID is the business key
// (lowercase letters, digits and hyphens); Participants, Cadence and Policy
// are JSON (workflows.MeetingSeriesSpec holds their typed form). Numbering
// is "calendar" or "fiscal"; HolidayRule "move" or "skip".
type MeetingSeries struct {
	ID            string    `gorm:"primaryKey;size:32"`
	Name          string    `gorm:"type:text;not null"`
	OrganiserCode string    `gorm:"size:32;not null"`
	Participants  string    `gorm:"type:text;not null"`
	Cadence       string    `gorm:"type:text;not null"`
	Link          string    `gorm:"type:text;not null"`
	Numbering     string    `gorm:"size:16;not null"`
	HolidayRule   string    `gorm:"size:16;not null"`
	Policy        string    `gorm:"type:text;not null"`
	StartDate     string    `gorm:"size:10;not null"`
	CreatedBy     string    `gorm:"size:64;not null"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// Meeting is one meeting of a series, written by its MeetingWorkflow. ID is
// SeriesID + "-" + YearBE + "-" + Number ("ครั้งที่ Number/YearBE"); the
// pair (SeriesID, YearBE, Number) is unique and never reused. Sequence is
// the iCalendar SEQUENCE (raised by every reschedule and the
// cancellation); Version is the workflow's event sequence, and an upsert
// only overwrites an older version. Agenda is JSON
// (workflows.AgendaItem list); Participants a JSON list of unit codes.
type Meeting struct {
	ID           string        `gorm:"primaryKey;size:64"`
	SeriesID     string        `gorm:"size:32;not null;uniqueIndex:idx_meetings_number"`
	YearBE       int           `gorm:"column:year_be;not null;uniqueIndex:idx_meetings_number"`
	Number       int           `gorm:"not null;uniqueIndex:idx_meetings_number"`
	Title        string        `gorm:"type:text;not null"`
	StartsAt     time.Time     `gorm:"not null;index"`
	EndsAt       time.Time     `gorm:"not null"`
	Link         string        `gorm:"type:text;not null"`
	Extra        bool          `gorm:"not null"`
	Status       MeetingStatus `gorm:"size:16;not null"`
	Sequence     int           `gorm:"not null"`
	Participants string        `gorm:"type:text;not null"`
	Agenda       string        `gorm:"type:text;not null"`
	Reason       string        `gorm:"type:text;not null"`
	MinutesDueAt *time.Time
	NoticeSentAt *time.Time
	Version      int64     `gorm:"not null"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// MeetingRSVP is one unit's answer to a meeting invitation. Attendees is
// JSON (workflows.Attendee list); empty with Declined set when the unit
// will not attend.
type MeetingRSVP struct {
	MeetingID   string    `gorm:"primaryKey;size:64"`
	UnitCode    string    `gorm:"primaryKey;size:32"`
	Declined    bool      `gorm:"not null"`
	Reason      string    `gorm:"type:text;not null"`
	Attendees   string    `gorm:"type:text;not null"`
	RespondedBy string    `gorm:"size:64;not null"`
	RespondedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (MeetingRSVP) TableName() string { return "meeting_rsvps" }

// MeetingAttendance is who of one unit actually attended, as recorded by
// the secretariat after the meeting started. UnderRepresented is set when
// the unit attended without its governor or a vice governor.
type MeetingAttendance struct {
	MeetingID        string    `gorm:"primaryKey;size:64"`
	UnitCode         string    `gorm:"primaryKey;size:32;index"`
	Present          bool      `gorm:"not null"`
	ByHead           bool      `gorm:"not null"`
	UnderRepresented bool      `gorm:"not null"`
	Attendees        string    `gorm:"type:text;not null"`
	RecordedBy       string    `gorm:"size:64;not null"`
	RecordedAt       time.Time `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (MeetingAttendance) TableName() string { return "meeting_attendance" }

// MeetingMinutes is one published version (1, 2, …) of a meeting's minutes.
type MeetingMinutes struct {
	MeetingID   string    `gorm:"primaryKey;size:64"`
	Version     int       `gorm:"primaryKey;autoIncrement:false"`
	Text        string    `gorm:"type:text;not null"`
	PublishedBy string    `gorm:"size:64;not null"`
	PublishedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (MeetingMinutes) TableName() string { return "meeting_minutes" }

// MeetingFeedToken is the secret of a unit's iCalendar feed, stored only as
// its SHA-256 (hex).
type MeetingFeedToken struct {
	UnitCode  string    `gorm:"primaryKey;size:32"`
	TokenHash string    `gorm:"size:64;not null"`
	CreatedBy string    `gorm:"size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
}
