package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Deps are what NewService needs. DB is required. Temporal may be nil: the
// commands that need the workflow engine then fail with apperr.Unavailable
// and the reads still work. Audit events record the request ID ctx carries
// (internal/reqctx).
type Deps struct {
	DB       *gorm.DB
	Temporal client.Client
	// TaskQueue is where the series workflows started by CreateSeries run.
	TaskQueue string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives what the service cannot answer with; nil means
	// slog.Default().
	Logger *slog.Logger
}

// NewService returns the meetings domain on d's database and Temporal
// client.
func NewService(d Deps) Service { return &service{d: d} }

type service struct{ d Deps }

func (s *service) logger() *slog.Logger {
	if s.d.Logger != nil {
		return s.d.Logger
	}
	return slog.Default()
}

func (s *service) now() time.Time {
	if s.d.Now != nil {
		return s.d.Now()
	}
	return time.Now()
}

func (s *service) db(ctx context.Context) *gorm.DB { return s.d.DB.WithContext(ctx) }

// signedIn rejects the anonymous caller of a read open to every account.
func signedIn(p *auth.Principal) error {
	if p == nil {
		return apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	return nil
}

// requireSecretariat is the rule of every change to series and meetings
// but RSVPs: admin or secretariat.
func requireSecretariat(p *auth.Principal) error {
	return p.Require(models.RoleAdmin, models.RoleSecretariat)
}

var (
	seriesIDRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)
	clockTimeRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$`)
	weekdays    = map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
		"อาทิตย์": 0, "จันทร์": 1, "อังคาร": 2, "พุธ": 3, "พฤหัสบดี": 4, "ศุกร์": 5, "เสาร์": 6}
)

// parseClock reads "HH:MM" (or "HH.MM", Thai digits accepted) for field.
func parseClock(field, s string) (int, int, error) {
	m := clockTimeRE.FindStringSubmatch(thaidate.NormalizeDigits(strings.TrimSpace(s)))
	if m == nil {
		return 0, 0, apperr.Field(field, "เวลาต้องอยู่ในรูป HH:MM (time must be HH:MM)")
	}
	h, _ := thaidate.ParseInt(m[1])
	mi, _ := thaidate.ParseInt(m[2])
	return h, mi, nil
}

// start returns the instant r names (see TimeInput).
func (r TimeInput) start() (time.Time, error) {
	if r.StartsAt != "" {
		t, err := time.Parse(time.RFC3339, r.StartsAt)
		if err != nil {
			return time.Time{}, apperr.Field("starts_at", "ต้องเป็นเวลาแบบ RFC 3339 (must be RFC 3339)")
		}
		return t, nil
	}
	if r.Date == "" {
		return time.Time{}, apperr.Field("starts_at", "กรุณาระบุ starts_at หรือ date และ time (starts_at, or date and time, required)")
	}
	d, err := thaidate.Parse(r.Date)
	if err != nil {
		return time.Time{}, apperr.Field("date", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
	}
	h, m, err := parseClock("time", r.Time)
	if err != nil {
		return time.Time{}, err
	}
	return d.At(h, m), nil
}

// parseRange turns the dates from and to (either empty) into the period
// [from 00:00, the day after to 00:00) Bangkok.
func parseRange(fromS, toS string) (time.Time, time.Time, error) {
	from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if fromS != "" {
		dt, err := thaidate.Parse(fromS)
		if err != nil {
			return from, to, apperr.Field("from", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
		}
		from = dt.At(0, 0)
	}
	if toS != "" {
		dt, err := thaidate.Parse(toS)
		if err != nil {
			return from, to, apperr.Field("to", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
		}
		to = dt.AddDays(1).At(0, 0)
	}
	if to.Before(from) {
		return from, to, apperr.Field("to", "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม (to is before from)")
	}
	return from, to, nil
}

// Find returns the stored meeting id, or apperr.NotFound. It is for other
// domains acting on a meeting (resolutions issued at it); their own rules
// (role, cancelled meeting) are theirs to check.
func Find(ctx context.Context, db *gorm.DB, id string) (models.Meeting, error) {
	var m models.Meeting
	err := db.WithContext(ctx).Where("id = ?", id).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, apperr.New(apperr.NotFound, "ไม่พบการประชุม (meeting not found)")
	}
	return m, err
}

// NumberLabel is the meeting's number as people write it: "ครั้งที่ N/YYYY".
func NumberLabel(m models.Meeting) string {
	return "ครั้งที่ " + strconv.Itoa(m.Number) + "/" + strconv.Itoa(m.YearBE)
}

func viewMeeting(m models.Meeting) MeetingView {
	return MeetingView{ID: m.ID, SeriesID: m.SeriesID, YearBE: m.YearBE, Number: m.Number,
		NumberLabel: NumberLabel(m), Title: m.Title, StartsAt: m.StartsAt,
		StartsAtBE: thaidate.FormatDateTimeBE(m.StartsAt), EndsAt: m.EndsAt, Link: m.Link, Extra: m.Extra, Status: m.Status,
		Sequence: m.Sequence, Reason: m.Reason, MinutesDueAt: m.MinutesDueAt, NoticeSentAt: m.NoticeSentAt,
		Participants: json.RawMessage(m.Participants), Agenda: json.RawMessage(m.Agenda)}
}

// participantsOf decodes a meeting's participant unit codes.
func participantsOf(m models.Meeting) []string {
	var parts []string
	_ = json.Unmarshal([]byte(m.Participants), &parts)
	return parts
}

// overlapping returns a non-cancelled meeting of the series that overlaps
// [start, start+dur), other than except.
func (s *service) overlapping(ctx context.Context, seriesID, except string, start time.Time, dur time.Duration) (*models.Meeting, error) {
	var ms []models.Meeting
	if err := s.db(ctx).Where("series_id = ? AND id <> ? AND status <> ? AND starts_at < ? AND ends_at > ?",
		seriesID, except, models.MeetingCancelled, start.Add(dur), start).Limit(1).Find(&ms).Error; err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return &ms[0], nil
}

func overlapError(m *models.Meeting) error {
	e := apperr.Field("starts_at", "เวลาประชุมทับซ้อนกับ %s เวลา %s (overlaps another meeting)", m.Title, thaidate.FormatDateTimeBE(m.StartsAt))
	e.Code = apperr.Conflict
	return e
}

// update sends Update name with arg to meeting m's workflow after the
// stored-state check every change shares (not cancelled) and returns the
// meeting's new state.
func (s *service) update(ctx context.Context, actor string, m models.Meeting, name string, arg any) (workflows.MeetingState, error) {
	var st workflows.MeetingState
	if m.Status == models.MeetingCancelled {
		return st, apperr.New(apperr.Conflict, "การประชุมนี้ถูกยกเลิกแล้ว (meeting cancelled)")
	}
	if err := engine.Update(ctx, s.d.Temporal, workflows.MeetingWorkflowID(m.ID), name, arg, &st); err != nil {
		return st, err
	}
	return s.withMinutesTexts(ctx, st), s.audit(ctx, actor, "meeting."+name, "meeting", m.ID, arg)
}

// withMinutesTexts fills in the text of every minutes version of st that
// the workflow holds by ref (models.TextRef), for answers. A failed read
// is logged and leaves the ref in place: the change itself has happened.
func (s *service) withMinutesTexts(ctx context.Context, st workflows.MeetingState) workflows.MeetingState {
	if err := store.FillTexts(ctx, s.d.DB, st.Minutes, func(m *workflows.MinutesVersion) (*models.TextRef, *string) {
		return &m.TextRef, &m.Text
	}); err != nil {
		s.logger().Warn("reading minutes texts for an answer failed", "meeting", st.ID, "error", err)
	}
	return st
}

// audit records a meeting write that the workflow accepted: who, what
// (action), on which entity, and the request as sent. The Update has
// happened when this runs, so a failure to audit is reported to the caller
// (503 on an outage) rather than hidden.
func (s *service) audit(ctx context.Context, actor, action, entityType, entityID string, arg any) error {
	return store.RecordAudit(s.db(ctx), models.AuditEvent{Actor: actor, Action: action, EntityType: entityType,
		EntityID: entityID, After: store.JSONText(arg), RequestID: reqctx.RequestID(ctx)})
}

// change is the common path of the secretariat's changes to a meeting:
// role, the meeting, then build turns the request into an Update of the
// meeting's workflow (or rejects it).
func (s *service) change(ctx context.Context, p *auth.Principal, id string,
	build func(m models.Meeting, actor string) (update string, arg any, err error)) (workflows.MeetingState, error) {
	if err := requireSecretariat(p); err != nil {
		return workflows.MeetingState{}, err
	}
	m, err := Find(ctx, s.d.DB, id)
	if err != nil {
		return workflows.MeetingState{}, err
	}
	name, arg, err := build(m, p.Username)
	if err != nil {
		return workflows.MeetingState{}, err
	}
	return s.update(ctx, p.Username, m, name, arg)
}
