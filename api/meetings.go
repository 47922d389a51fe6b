package api

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

func init() {
	extraRoutes = append(extraRoutes, func(r fiber.Router, d *Deps) {
		r.Get("/meeting-series", listMeetingSeries(d))
		r.Post("/meeting-series", createMeetingSeries(d))
		r.Post("/meeting-series/:id/meetings", addExtraMeeting(d))
		r.Get("/meetings", listMeetings(d))
		r.Get("/meetings/attendance-stats", attendanceStats(d))
		r.Get("/meetings/:id", getMeeting(d))
		r.Post("/meetings/:id/rsvp", meetingRSVP(d))
		r.Post("/meetings/:id/attendance", meetingAttendance(d))
		r.Put("/meetings/:id/minutes", meetingMinutes(d))
		r.Post("/meetings/:id/reschedule", rescheduleMeeting(d))
		r.Post("/meetings/:id/cancel", cancelMeeting(d))
		r.Post("/meetings/:id/agenda", addAgendaItem(d))
		r.Post("/units/:code/meetings.ics/token", issueFeedToken(d))
	})
}

// CadenceRequest is one regular slot: weekday (English name or 0–6,
// Sunday = 0), weeks of the month (1–5, -1 last) and time "HH:MM".
type CadenceRequest struct {
	Weekday json.RawMessage `json:"weekday"`
	Weeks   []FlexInt       `json:"weeks"`
	Time    string          `json:"time"`
}

// MeetingSeriesRequest is the body of POST /meeting-series. Participants
// default to every province centre, Organiser to ONCB, Numbering to
// "calendar" (or "fiscal"), HolidayRule to "move" (or "skip"), StartDate to
// today.
type MeetingSeriesRequest struct {
	ID           string                  `json:"id"`
	Name         string                  `json:"name"`
	Organiser    string                  `json:"organiser,omitempty"`
	Participants []string                `json:"participants,omitempty"`
	Cadence      []CadenceRequest        `json:"cadence"`
	Link         string                  `json:"link,omitempty"`
	Numbering    string                  `json:"numbering,omitempty"`
	HolidayRule  string                  `json:"holiday_rule,omitempty"`
	StartDate    string                  `json:"start_date,omitempty"`
	Policy       workflows.MeetingPolicy `json:"policy"`
}

// MeetingTimeRequest gives a meeting time: StartsAt (RFC 3339), or Date
// (ISO or Thai forms) with Time "HH:MM" Bangkok.
type MeetingTimeRequest struct {
	StartsAt string `json:"starts_at,omitempty"`
	Date     string `json:"date,omitempty"`
	Time     string `json:"time,omitempty"`
	Title    string `json:"title,omitempty"`
	Link     string `json:"link,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// RSVPRequest is the body of POST /meetings/{id}/rsvp. UnitCode defaults
// to the caller's unit; a province account may answer only for its own.
type RSVPRequest struct {
	UnitCode  string               `json:"unit_code,omitempty"`
	Declined  bool                 `json:"declined,omitempty"`
	Reason    string               `json:"reason,omitempty"`
	Attendees []workflows.Attendee `json:"attendees,omitempty"`
}

var (
	seriesIDRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)
	clockTimeRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$`)
	weekdays    = map[string]time.Weekday{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
		"อาทิตย์": 0, "จันทร์": 1, "อังคาร": 2, "พุธ": 3, "พฤหัสบดี": 4, "ศุกร์": 5, "เสาร์": 6}
)

func requireSecretariat(c *fiber.Ctx) error {
	return principal(c).Require(models.RoleAdmin, models.RoleSecretariat)
}

func parseClock(field, s string) (int, int, error) {
	m := clockTimeRE.FindStringSubmatch(thaidate.NormalizeDigits(strings.TrimSpace(s)))
	if m == nil {
		return 0, 0, apperr.Field(field, "เวลาต้องอยู่ในรูป HH:MM (time must be HH:MM)")
	}
	h, _ := thaidate.ParseInt(m[1])
	mi, _ := thaidate.ParseInt(m[2])
	return h, mi, nil
}

func (r MeetingTimeRequest) parse() (time.Time, error) {
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

func createMeetingSeries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := requireSecretariat(c); err != nil {
			return err
		}
		var req MeetingSeriesRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		ctx := c.UserContext()
		db := d.DB.WithContext(ctx)
		spec := workflows.MeetingSeriesSpec{ID: req.ID, Name: strings.TrimSpace(req.Name), OrganiserCode: req.Organiser,
			Link: req.Link, Numbering: workflows.Numbering(req.Numbering), HolidayRule: workflows.HolidayRule(req.HolidayRule), Policy: req.Policy}
		if !seriesIDRE.MatchString(spec.ID) {
			return apperr.Field("id", "รหัสชุดการประชุมต้องเป็น a-z 0-9 และ - ไม่เกิน 20 ตัว (id: lowercase letters, digits, hyphens, up to 20)")
		}
		if spec.Name == "" {
			return apperr.Field("name", "กรุณาระบุชื่อการประชุม (name is required)")
		}
		if spec.OrganiserCode == "" {
			spec.OrganiserCode = models.NationalUnitCode
		}
		switch spec.Numbering {
		case "":
			spec.Numbering = workflows.NumberingCalendar
		case workflows.NumberingCalendar, workflows.NumberingFiscal:
		default:
			return apperr.Field("numbering", "ต้องเป็น calendar หรือ fiscal (must be calendar or fiscal)")
		}
		switch spec.HolidayRule {
		case "":
			spec.HolidayRule = workflows.HolidayMove
		case workflows.HolidayMove, workflows.HolidaySkip:
		default:
			return apperr.Field("holiday_rule", "ต้องเป็น move หรือ skip (must be move or skip)")
		}
		if len(req.Cadence) == 0 {
			return apperr.Field("cadence", "กรุณาระบุรอบการประชุมอย่างน้อย 1 รายการ (at least one cadence rule)")
		}
		for i, cr := range req.Cadence {
			f := "cadence[" + fmtInt(i) + "]"
			var rule workflows.CadenceRule
			var name string
			var num int
			if json.Unmarshal(cr.Weekday, &name) == nil {
				wd, ok := weekdays[strings.ToLower(strings.TrimSpace(name))]
				if !ok {
					return apperr.Field(f+".weekday", "ไม่รู้จักวันนี้ (unknown weekday)")
				}
				rule.Weekday = wd
			} else if json.Unmarshal(cr.Weekday, &num) == nil && num >= 0 && num <= 6 {
				rule.Weekday = time.Weekday(num)
			} else {
				return apperr.Field(f+".weekday", "ต้องเป็นชื่อวันหรือเลข 0–6 (weekday name or 0–6)")
			}
			if len(cr.Weeks) == 0 {
				return apperr.Field(f+".weeks", "กรุณาระบุสัปดาห์ของเดือน (weeks required)")
			}
			for _, w := range cr.Weeks {
				if (w < 1 || w > 5) && w != -1 {
					return apperr.Field(f+".weeks", "สัปดาห์ต้องเป็น 1–5 หรือ -1 (weeks must be 1–5 or -1)")
				}
				rule.Weeks = append(rule.Weeks, int(w))
			}
			h, m, err := parseClock(f+".time", cr.Time)
			if err != nil {
				return err
			}
			rule.Hour, rule.Minute = h, m
			spec.Cadence = append(spec.Cadence, rule)
		}
		today := thaidate.Today(d.now())
		spec.StartDate = today
		if req.StartDate != "" {
			sd, err := thaidate.Parse(req.StartDate)
			if err != nil {
				return apperr.Field("start_date", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
			}
			if sd.Before(today) {
				return apperr.Field("start_date", "วันเริ่มต้องไม่อยู่ในอดีต (start_date is in the past)")
			}
			spec.StartDate = sd
		}
		if len(req.Participants) == 0 {
			if err := db.Model(&models.Unit{}).Where("type = ?", models.UnitProvince).Order("code").Pluck("code", &spec.Participants).Error; err != nil {
				return err
			}
		} else {
			var n int64
			if err := db.Model(&models.Unit{}).Where("code IN ?", req.Participants).Count(&n).Error; err != nil {
				return err
			}
			if int(n) != len(req.Participants) {
				return apperr.Field("participants", "มีรหัสหน่วยงานที่ไม่รู้จักหรือซ้ำ (unknown or repeated unit codes)")
			}
			spec.Participants = req.Participants
		}
		if d.Temporal == nil {
			return apperr.New(apperr.Unavailable, "ระบบงาน (Temporal) ไม่พร้อม (workflow engine unavailable)")
		}
		var hols []string
		if err := db.Model(&models.Holiday{}).Where("date >= ? AND date <= ?", itoaYear(today.Year)+"-01-01", itoaYear(today.Year+1)+"-12-31").
			Order("date").Pluck("date", &hols).Error; err != nil {
			return err
		}
		p := principal(c)
		row := models.MeetingSeries{ID: spec.ID, Name: spec.Name, OrganiserCode: spec.OrganiserCode,
			Participants: mustJSONString(spec.Participants), Cadence: mustJSONString(spec.Cadence), Link: spec.Link,
			Numbering: string(spec.Numbering), HolidayRule: string(spec.HolidayRule), Policy: mustJSONString(spec.Policy.WithDefaults()),
			StartDate: spec.StartDate.String(), CreatedBy: p.Username, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		err := db.Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Model(&models.MeetingSeries{}).Where("id = ?", spec.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "มีชุดการประชุมรหัสนี้แล้ว (a series with this id exists)")
			}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "meeting_series.create",
				EntityType: "meeting_series", EntityID: spec.ID, After: row.Cadence, RequestID: requestID(c)}); err != nil {
				return err
			}
			_, err := d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: workflows.MeetingSeriesWorkflowID(spec.ID), TaskQueue: d.TaskQueue,
			}, workflows.MeetingSeriesWorkflow, workflows.MeetingSeriesInput{Series: spec, Holidays: hols, Actor: p.Username})
			return err
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": spec.ID, "workflow_id": workflows.MeetingSeriesWorkflowID(spec.ID), "series": spec})
	}
}

func itoaYear(y int) string { return fmtInt(y) }

func mustJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func listMeetingSeries(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var rows []models.MeetingSeries
		if err := d.DB.WithContext(c.UserContext()).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		out := page[fiber.Map]{Items: []fiber.Map{}, Total: int64(len(rows))}
		for _, r := range rows {
			out.Items = append(out.Items, fiber.Map{"id": r.ID, "name": r.Name, "organiser_code": r.OrganiserCode,
				"participants": json.RawMessage(r.Participants), "cadence": json.RawMessage(r.Cadence), "link": r.Link,
				"numbering": r.Numbering, "holiday_rule": r.HolidayRule, "policy": json.RawMessage(r.Policy), "start_date": r.StartDate})
		}
		return c.JSON(out)
	}
}

// overlapping returns a non-cancelled meeting of the series that overlaps
// [start, start+dur), other than except.
func overlapping(ctx context.Context, db *gorm.DB, seriesID, except string, start time.Time, dur time.Duration) (*models.Meeting, error) {
	var ms []models.Meeting
	if err := db.WithContext(ctx).Where("series_id = ? AND id <> ? AND status <> ? AND starts_at < ? AND ends_at > ?",
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

func addExtraMeeting(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := requireSecretariat(c); err != nil {
			return err
		}
		var req MeetingTimeRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		start, err := req.parse()
		if err != nil {
			return err
		}
		if !start.After(d.now()) {
			return apperr.Field("starts_at", "วันและเวลาประชุมต้องอยู่ในอนาคต (starts_at is in the past)")
		}
		var s models.MeetingSeries
		if err := d.DB.WithContext(c.UserContext()).Where("id = ?", c.Params("id")).Take(&s).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบชุดการประชุม (meeting series not found)")
		} else if err != nil {
			return err
		}
		var pol workflows.MeetingPolicy
		_ = json.Unmarshal([]byte(s.Policy), &pol)
		pol = pol.WithDefaults()
		if m, err := overlapping(c.UserContext(), d.DB, s.ID, "", start, time.Duration(pol.DurationMinutes)*time.Minute); err != nil {
			return err
		} else if m != nil {
			return overlapError(m)
		}
		var ref workflows.MeetingRef
		if err := updateWorkflow(c.UserContext(), d.Temporal, workflows.MeetingSeriesWorkflowID(s.ID), workflows.UpdateAddMeeting,
			workflows.AddMeetingInput{StartsAt: start, Title: req.Title, Link: req.Link, Actor: principal(c).Username, Reason: req.Reason}, &ref); err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(ref)
	}
}

func parseRange(c *fiber.Ctx) (time.Time, time.Time, error) {
	from, to := time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if s := c.Query("from"); s != "" {
		dt, err := thaidate.Parse(s)
		if err != nil {
			return from, to, apperr.Field("from", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
		}
		from = dt.At(0, 0)
	}
	if s := c.Query("to"); s != "" {
		dt, err := thaidate.Parse(s)
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

// MeetingView is a meeting as the API shows it.
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

func viewMeeting(m models.Meeting) MeetingView {
	return MeetingView{ID: m.ID, SeriesID: m.SeriesID, YearBE: m.YearBE, Number: m.Number,
		NumberLabel: "ครั้งที่ " + fmtInt(m.Number) + "/" + fmtInt(m.YearBE), Title: m.Title, StartsAt: m.StartsAt,
		StartsAtBE: thaidate.FormatDateTimeBE(m.StartsAt), EndsAt: m.EndsAt, Link: m.Link, Extra: m.Extra, Status: m.Status,
		Sequence: m.Sequence, Reason: m.Reason, MinutesDueAt: m.MinutesDueAt, NoticeSentAt: m.NoticeSentAt,
		Participants: json.RawMessage(m.Participants), Agenda: json.RawMessage(m.Agenda)}
}

func listMeetings(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, to, err := parseRange(c)
		if err != nil {
			return err
		}
		var ms []models.Meeting
		q := d.DB.WithContext(c.UserContext()).Where("starts_at >= ? AND starts_at < ?", from, to)
		if s := c.Query("series"); s != "" {
			q = q.Where("series_id = ?", s)
		}
		if err := q.Order("starts_at, id").Find(&ms).Error; err != nil {
			return err
		}
		out := page[MeetingView]{Items: make([]MeetingView, 0, len(ms)), Total: int64(len(ms))}
		for _, m := range ms {
			out.Items = append(out.Items, viewMeeting(m))
		}
		return c.JSON(out)
	}
}

func loadMeeting(c *fiber.Ctx, d *Deps) (models.Meeting, error) {
	var m models.Meeting
	err := d.DB.WithContext(c.UserContext()).Where("id = ?", c.Params("id")).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, apperr.New(apperr.NotFound, "ไม่พบการประชุม (meeting not found)")
	}
	return m, err
}

func getMeeting(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		m, err := loadMeeting(c, d)
		if err != nil {
			return err
		}
		db := d.DB.WithContext(c.UserContext())
		var rsvps []models.MeetingRSVP
		var att []models.MeetingAttendance
		var mins []models.MeetingMinutes
		if err := db.Where("meeting_id = ?", m.ID).Order("unit_code").Find(&rsvps).Error; err != nil {
			return err
		}
		if err := db.Where("meeting_id = ?", m.ID).Order("unit_code").Find(&att).Error; err != nil {
			return err
		}
		if err := db.Where("meeting_id = ?", m.ID).Order("version").Find(&mins).Error; err != nil {
			return err
		}
		rs := make([]fiber.Map, 0, len(rsvps))
		for _, r := range rsvps {
			rs = append(rs, fiber.Map{"unit_code": r.UnitCode, "declined": r.Declined, "reason": r.Reason,
				"attendees": json.RawMessage(r.Attendees), "responded_by": r.RespondedBy, "responded_at": r.RespondedAt})
		}
		as := make([]fiber.Map, 0, len(att))
		for _, a := range att {
			as = append(as, fiber.Map{"unit_code": a.UnitCode, "present": a.Present, "by_head": a.ByHead,
				"under_represented": a.UnderRepresented, "attendees": json.RawMessage(a.Attendees), "recorded_by": a.RecordedBy})
		}
		ms := make([]fiber.Map, 0, len(mins))
		for _, x := range mins {
			ms = append(ms, fiber.Map{"version": x.Version, "text": x.Text, "published_by": x.PublishedBy, "published_at": x.PublishedAt})
		}
		dirs, err := listMeetingDirectives(c.UserContext(), d.DB, m)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"meeting": viewMeeting(m), "rsvps": rs, "attendance": as, "minutes": ms, "directives": dirs})
	}
}

// meetingUpdate runs a meeting update after the stored-state checks every
// write shares: the meeting exists and is not cancelled.
func meetingUpdate(c *fiber.Ctx, d *Deps, m models.Meeting, name string, arg any) error {
	if m.Status == models.MeetingCancelled {
		return apperr.New(apperr.Conflict, "การประชุมนี้ถูกยกเลิกแล้ว (meeting cancelled)")
	}
	var st workflows.MeetingState
	err := updateWorkflow(c.UserContext(), d.Temporal, workflows.MeetingWorkflowID(m.ID), name, arg, &st)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return apperr.New(apperr.Conflict, "การประชุมนี้ปิดแล้ว (meeting closed)")
	}
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func meetingRSVP(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if !p.CanWrite() {
			return apperr.New(apperr.Forbidden, "บัญชีนี้อ่านได้อย่างเดียว (read-only account)")
		}
		var req RSVPRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		m, err := loadMeeting(c, d)
		if err != nil {
			return err
		}
		unit := req.UnitCode
		if !p.HasRole(models.RoleAdmin, models.RoleSecretariat) {
			if unit != "" && unit != p.UnitCode {
				return apperr.New(apperr.Forbidden, "ตอบรับแทนหน่วยงานอื่นไม่ได้ (you may answer only for your own unit)")
			}
			unit = p.UnitCode
		}
		if unit == "" {
			return apperr.Field("unit_code", "กรุณาระบุหน่วยงาน (unit_code is required)")
		}
		for i, a := range req.Attendees {
			if !workflows.ValidAttendeeRole(a.Role) {
				return apperr.Field("role", "ตำแหน่งไม่ถูกต้อง ต้องเป็น governor, vice_governor, palad หรือ other (unknown role %q at attendees[%d])", a.Role, i)
			}
		}
		return meetingUpdate(c, d, m, workflows.UpdateRSVP, workflows.RSVPInput{UnitCode: unit, Actor: p.Username,
			Declined: req.Declined, Reason: req.Reason, Attendees: req.Attendees})
	}
}

// meetingChange is the common path of the secretariat's changes to a
// meeting: role, body, the meeting, then build turns the request into a
// Temporal Update on the meeting workflow.
func meetingChange[R any](d *Deps, build func(c *fiber.Ctx, m models.Meeting, actor string, req *R) (update string, arg any, err error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := requireSecretariat(c); err != nil {
			return err
		}
		var req R
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		m, err := loadMeeting(c, d)
		if err != nil {
			return err
		}
		name, arg, err := build(c, m, principal(c).Username, &req)
		if err != nil {
			return err
		}
		return meetingUpdate(c, d, m, name, arg)
	}
}

// attendanceRequest is the body of POST /meetings/{id}/attendance.
type attendanceRequest struct {
	Units []workflows.UnitAttendanceInput `json:"units"`
}

func meetingAttendance(d *Deps) fiber.Handler {
	return meetingChange(d, func(_ *fiber.Ctx, m models.Meeting, actor string, req *attendanceRequest) (string, any, error) {
		if d.now().Before(m.StartsAt) && m.Status != models.MeetingCancelled {
			return "", nil, apperr.New(apperr.Conflict, "การประชุมยังไม่เริ่ม บันทึกการเข้าประชุมไม่ได้ (the meeting has not started yet)")
		}
		return workflows.UpdateAttendance, workflows.AttendanceInput{Actor: actor, Units: req.Units}, nil
	})
}

// minutesRequest is the body of PUT /meetings/{id}/minutes.
type minutesRequest struct {
	Text string `json:"text"`
}

func meetingMinutes(d *Deps) fiber.Handler {
	return meetingChange(d, func(_ *fiber.Ctx, _ models.Meeting, actor string, req *minutesRequest) (string, any, error) {
		return workflows.UpdateMinutes, workflows.MinutesInput{Actor: actor, Text: req.Text}, nil
	})
}

func rescheduleMeeting(d *Deps) fiber.Handler {
	return meetingChange(d, func(c *fiber.Ctx, m models.Meeting, actor string, req *MeetingTimeRequest) (string, any, error) {
		start, err := req.parse()
		if err != nil {
			return "", nil, err
		}
		if !start.After(d.now()) {
			return "", nil, apperr.Field("starts_at", "วันและเวลาใหม่ต้องอยู่ในอนาคต (the new time is in the past)")
		}
		if o, err := overlapping(c.UserContext(), d.DB, m.SeriesID, m.ID, start, m.EndsAt.Sub(m.StartsAt)); err != nil {
			return "", nil, err
		} else if o != nil {
			return "", nil, overlapError(o)
		}
		return workflows.UpdateReschedule, workflows.RescheduleInput{StartsAt: start, Actor: actor, Reason: req.Reason}, nil
	})
}

// cancelRequest is the body of POST /meetings/{id}/cancel.
type cancelRequest struct {
	Reason string `json:"reason"`
}

func cancelMeeting(d *Deps) fiber.Handler {
	return meetingChange(d, func(_ *fiber.Ctx, _ models.Meeting, actor string, req *cancelRequest) (string, any, error) {
		return workflows.UpdateCancel, workflows.CancelInput{Actor: actor, Reason: req.Reason}, nil
	})
}

// agendaItemRequest is the body of POST /meetings/{id}/agenda.
type agendaItemRequest struct {
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

func addAgendaItem(d *Deps) fiber.Handler {
	return meetingChange(d, func(_ *fiber.Ctx, _ models.Meeting, actor string, req *agendaItemRequest) (string, any, error) {
		return workflows.UpdateAddAgendaItem, workflows.AddAgendaItemInput{Actor: actor, Title: req.Title, Detail: req.Detail}, nil
	})
}

// AttendanceStat is one unit's attendance over a period: meetings held
// (started, not cancelled, the unit a participant), attended, and attended
// by the governor or a vice governor.
type AttendanceStat struct {
	UnitCode       string `json:"unit_code"`
	NameTH         string `json:"name_th"`
	Held           int    `json:"held"`
	Attended       int    `json:"attended"`
	AttendedByHead int    `json:"attended_by_head"`
}

func attendanceStats(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, to, err := parseRange(c)
		if err != nil {
			return err
		}
		db := d.DB.WithContext(c.UserContext())
		now := d.now()
		if to.After(now) {
			to = now
		}
		var ms []models.Meeting
		if err := db.Where("starts_at >= ? AND starts_at < ? AND status <> ?", from, to, models.MeetingCancelled).Find(&ms).Error; err != nil {
			return err
		}
		var units []models.Unit
		if err := principal(c).ScopeUnits(db.Model(&models.Unit{})).Where("type = ?", models.UnitProvince).Order("code").Find(&units).Error; err != nil {
			return err
		}
		stats := make([]AttendanceStat, len(units))
		idx := map[string]int{}
		for i, u := range units {
			stats[i] = AttendanceStat{UnitCode: u.Code, NameTH: u.NameTH}
			idx[u.Code] = i
		}
		ids := make([]string, 0, len(ms))
		for _, m := range ms {
			ids = append(ids, m.ID)
			var parts []string
			_ = json.Unmarshal([]byte(m.Participants), &parts)
			for _, p := range parts {
				if i, ok := idx[p]; ok {
					stats[i].Held++
				}
			}
		}
		if len(ids) > 0 {
			var att []models.MeetingAttendance
			if err := db.Where("meeting_id IN ? AND present", ids).Find(&att).Error; err != nil {
				return err
			}
			for _, a := range att {
				if i, ok := idx[a.UnitCode]; ok {
					stats[i].Attended++
					if a.ByHead {
						stats[i].AttendedByHead++
					}
				}
			}
		}
		return c.JSON(page[AttendanceStat]{Items: stats, Total: int64(len(stats))})
	}
}
