package activities

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// Meetings carries the dependencies of the meeting activities (the
// MeetingSeriesWorkflow and MeetingWorkflow side effects). Register a
// pointer to it with a worker next to Activities.
type Meetings struct {
	// DB is the application database.
	DB *gorm.DB
}

func (m *Meetings) db(ctx context.Context) (*gorm.DB, error) {
	if m == nil || m.DB == nil {
		return nil, invalid("meetings: no database configured")
	}
	return m.DB.WithContext(ctx), nil
}

// MeetingAttendee is one person a unit sends (RSVP) or sent (attendance)
// to a meeting: a name and a role (models.Attendee*); Reason is required
// for the role "other".
type MeetingAttendee struct {
	Name   string `json:"name" validate:"max=200,singleline"`
	Role   string `json:"role" validate:"max=32,singleline"`
	Reason string `json:"reason,omitempty" validate:"max=500"`
}

// MeetingAgendaItem is one agenda entry: Kind "follow_up" (built from an
// open directive, FollowUp set) or "item" (added by the secretariat).
type MeetingAgendaItem struct {
	Kind     string    `json:"kind"`
	Title    string    `json:"title"`
	Detail   string    `json:"detail,omitempty"`
	AddedBy  string    `json:"added_by,omitempty"`
	FollowUp *FollowUp `json:"follow_up,omitempty"`
}

// MeetingRSVPRow is one unit's current answer to a meeting invitation.
type MeetingRSVPRow struct {
	UnitCode    string            `json:"unit_code"`
	Declined    bool              `json:"declined"`
	Reason      string            `json:"reason,omitempty"`
	Attendees   []MeetingAttendee `json:"attendees"`
	RespondedBy string            `json:"responded_by"`
	RespondedAt time.Time         `json:"responded_at"`
}

// MeetingAttendanceRow is who of one unit attended. ByHead is set when the
// governor or a vice governor attended; UnderRepresented when the unit was
// present without either.
type MeetingAttendanceRow struct {
	UnitCode         string            `json:"unit_code"`
	Present          bool              `json:"present"`
	ByHead           bool              `json:"by_head"`
	UnderRepresented bool              `json:"under_represented"`
	Attendees        []MeetingAttendee `json:"attendees"`
	RecordedBy       string            `json:"recorded_by"`
	RecordedAt       time.Time         `json:"recorded_at"`
}

// SaveMeetingInput is the whole stored state of one meeting as its workflow
// sees it: the meeting row (Version = the workflow's event sequence; its
// JSON columns are filled from Participants and Agenda) and every RSVP,
// attendance and minutes row so far.
type SaveMeetingInput struct {
	Meeting      models.Meeting         `json:"meeting"`
	Participants []string               `json:"participants"`
	Agenda       []MeetingAgendaItem    `json:"agenda"`
	RSVPs        []MeetingRSVPRow       `json:"rsvps,omitempty"`
	Attendance   []MeetingAttendanceRow `json:"attendance,omitempty"`
	Minutes      []MeetingMinutesRow    `json:"minutes,omitempty"`
}

// MeetingMinutesRow is one minutes version to insert: its text by TextRef
// (models.TextRef), or as Text for versions published before texts
// travelled by reference.
type MeetingMinutesRow struct {
	Version     int            `json:"version"`
	Text        string         `json:"text,omitempty"`
	TextRef     models.TextRef `json:"text_ref,omitempty"`
	PublishedBy string         `json:"published_by"`
	PublishedAt time.Time      `json:"published_at"`
}

// SaveMeeting writes one meeting's state in one transaction. The meeting
// row is upserted only when the stored version is older, so a late retry
// never rolls it back; RSVP and attendance rows are upserted (the workflow
// sends the current answer of each unit); minutes versions are inserted once
// and never changed. It is short and runs as a local activity.
func (m *Meetings) SaveMeeting(ctx context.Context, in SaveMeetingInput) error {
	db, err := m.db(ctx)
	if err != nil {
		return err
	}
	mt := in.Meeting
	if mt.ID == "" || mt.SeriesID == "" || mt.Number <= 0 || mt.Status == "" {
		return invalid("SaveMeeting: id, series_id, number and status are required")
	}
	now := time.Now().UTC()
	if mt.CreatedAt.IsZero() {
		mt.CreatedAt = now
	}
	mt.UpdatedAt = now
	mt.Participants = store.JSONText(nonNil(in.Participants))
	mt.Agenda = store.JSONText(nonNil(in.Agenda))
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"title", "starts_at", "ends_at", "link", "status", "sequence",
				"participants", "agenda", "reason", "minutes_due_at", "notice_sent_at", "version", "updated_at"}),
			Where: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "meetings.version < excluded.version"}}},
		}).Create(&mt).Error; err != nil {
			return err
		}
		for _, r := range in.RSVPs {
			row := models.MeetingRSVP{MeetingID: mt.ID, UnitCode: r.UnitCode, Declined: r.Declined, Reason: r.Reason,
				Attendees: store.JSONText(nonNil(r.Attendees)), RespondedBy: r.RespondedBy, RespondedAt: r.RespondedAt}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "meeting_id"}, {Name: "unit_code"}},
				DoUpdates: clause.AssignmentColumns([]string{"declined", "reason", "attendees", "responded_by", "responded_at"}),
			}).Create(&row).Error; err != nil {
				return err
			}
		}
		for _, a := range in.Attendance {
			row := models.MeetingAttendance{MeetingID: mt.ID, UnitCode: a.UnitCode, Present: a.Present, ByHead: a.ByHead,
				UnderRepresented: a.UnderRepresented, Attendees: store.JSONText(nonNil(a.Attendees)),
				RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "meeting_id"}, {Name: "unit_code"}},
				DoUpdates: clause.AssignmentColumns([]string{"present", "by_head", "under_represented", "attendees", "recorded_by", "recorded_at"}),
			}).Create(&row).Error; err != nil {
				return err
			}
		}
		for _, x := range in.Minutes {
			mm := models.MeetingMinutes{MeetingID: mt.ID, Version: x.Version, Text: x.Text,
				PublishedBy: x.PublishedBy, PublishedAt: x.PublishedAt}
			if x.TextRef != "" {
				var n int64
				if err := tx.Model(&models.MeetingMinutes{}).Where("meeting_id = ? AND version = ?", mt.ID, x.Version).
					Count(&n).Error; err != nil {
					return err
				}
				if n > 0 {
					continue // written by an earlier save; versions never change
				}
				texts, err := loadTexts(ctx, tx, x.TextRef)
				if err != nil {
					return err
				}
				mm.Text = texts[x.TextRef]
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&mm).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// EnqueueMeetingNotificationsInput is a batch of outbox entries (one per
// recipient unit) with deterministic IDs.
type EnqueueMeetingNotificationsInput struct {
	Notifications []NotificationInput `json:"notifications"`
}

// EnqueueMeetingNotifications inserts every notification of the batch once,
// in one transaction; entries already present are left alone.
func (m *Meetings) EnqueueMeetingNotifications(ctx context.Context, in EnqueueMeetingNotificationsInput) error {
	db, err := m.db(ctx)
	if err != nil {
		return err
	}
	a := &Activities{DB: db}
	return db.Transaction(func(tx *gorm.DB) error {
		a.DB = tx
		for _, n := range in.Notifications {
			if err := a.EnqueueNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// FollowUpInput asks for the follow-up section of a meeting's agenda:
// every directive still issued that came from another meeting.
type FollowUpInput struct {
	MeetingID string `json:"meeting_id"`
}

// FollowUp is one open directive from an earlier meeting with how its
// units stand: Units assigned, Acknowledged, Reported (at least one item
// reported or accepted), Overdue and Escalated (escalation level > 0).
type FollowUp struct {
	DirectiveID  string `json:"directive_id"`
	MeetingID    string `json:"meeting_id"`
	DocNumber    string `json:"doc_number"`
	Subject      string `json:"subject"`
	Units        int    `json:"units"`
	Acknowledged int    `json:"acknowledged"`
	Reported     int    `json:"reported"`
	Overdue      int    `json:"overdue"`
	Escalated    int    `json:"escalated"`
}

// BuildFollowUp reads the open directives of earlier meetings (status
// issued, issued at a meeting that started before this one) with their
// unit counts,
// ordered by issue date and ID. It only reads, so retrying it is harmless.
func (m *Meetings) BuildFollowUp(ctx context.Context, in FollowUpInput) ([]FollowUp, error) {
	db, err := m.db(ctx)
	if err != nil {
		return nil, err
	}
	var ds []models.Directive
	// Only meetings that started before this one: a resolution of a later
	// meeting is not "earlier business" on this agenda.
	earlier := db.Session(&gorm.Session{NewDB: true}).Model(&models.Meeting{}).Select("id").
		Where("starts_at < (SELECT m2.starts_at FROM meetings m2 WHERE m2.id = ?)", in.MeetingID)
	if err := db.Where("status = ? AND meeting_id IS NOT NULL AND meeting_id <> ? AND meeting_id IN (?)", models.DirectiveIssued, in.MeetingID, earlier).
		Order("issue_date, id").Find(&ds).Error; err != nil {
		return nil, err
	}
	out := make([]FollowUp, 0, len(ds))
	for _, d := range ds {
		f := FollowUp{DirectiveID: d.ID, MeetingID: *d.MeetingID, DocNumber: d.DocNumber, Subject: d.Subject}
		var row struct {
			Units, Acknowledged, Overdue, Escalated int
		}
		if err := db.Model(&models.Assignment{}).Where("directive_id = ?", d.ID).Select(
			"COUNT(*) AS units, " +
				"COALESCE(SUM(CASE WHEN acknowledged_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS acknowledged, " +
				"COALESCE(SUM(CASE WHEN overdue THEN 1 ELSE 0 END), 0) AS overdue, " +
				"COALESCE(SUM(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END), 0) AS escalated").
			Scan(&row).Error; err != nil {
			return nil, err
		}
		f.Units, f.Acknowledged, f.Overdue, f.Escalated = row.Units, row.Acknowledged, row.Overdue, row.Escalated
		var reported int64
		if err := db.Model(&models.AssignmentItem{}).
			Joins("JOIN assignments ON assignments.id = assignment_items.assignment_id").
			Where("assignments.directive_id = ? AND assignment_items.status IN ?", d.ID,
				[]models.ItemStatus{models.ItemReported, models.ItemAccepted}).
			Distinct("assignment_items.assignment_id").Count(&reported).Error; err != nil {
			return nil, err
		}
		f.Reported = int(reported)
		out = append(out, f)
	}
	return out, nil
}
