package meetings

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// ListSeries implements Service.
func (s *service) ListSeries(ctx context.Context, p *auth.Principal) (listing.Page[SeriesView], error) {
	var out listing.Page[SeriesView]
	if err := signedIn(p); err != nil {
		return out, err
	}
	var rows []models.MeetingSeries
	if err := s.db(ctx).Order("id").Find(&rows).Error; err != nil {
		return out, err
	}
	out.Items, out.Total = make([]SeriesView, 0, len(rows)), int64(len(rows))
	for _, r := range rows {
		out.Items = append(out.Items, SeriesView{ID: r.ID, Name: r.Name, OrganiserCode: r.OrganiserCode,
			Participants: json.RawMessage(r.Participants), Cadence: json.RawMessage(r.Cadence), Link: r.Link,
			Numbering: r.Numbering, HolidayRule: r.HolidayRule, Policy: json.RawMessage(r.Policy), StartDate: r.StartDate})
	}
	return out, nil
}

// seriesSpec validates in into the series it describes, defaults filled in
// (see Service.CreateSeries); today is the current date in Bangkok.
func (s *service) seriesSpec(ctx context.Context, in SeriesInput, today thaidate.Date) (workflows.MeetingSeriesSpec, error) {
	spec := workflows.MeetingSeriesSpec{ID: in.ID, Name: strings.TrimSpace(in.Name), OrganiserCode: in.Organiser,
		Link: in.Link, Numbering: workflows.Numbering(in.Numbering), HolidayRule: workflows.HolidayRule(in.HolidayRule), Policy: in.Policy}
	if !seriesIDRE.MatchString(spec.ID) {
		return spec, apperr.Field("id", "รหัสชุดการประชุมต้องเป็น a-z 0-9 และ - ไม่เกิน 20 ตัว (id: lowercase letters, digits, hyphens, up to 20)")
	}
	if spec.Name == "" {
		return spec, apperr.Field("name", "กรุณาระบุชื่อการประชุม (name is required)")
	}
	if spec.OrganiserCode == "" {
		spec.OrganiserCode = models.NationalUnitCode
	}
	switch spec.Numbering {
	case "":
		spec.Numbering = workflows.NumberingCalendar
	case workflows.NumberingCalendar, workflows.NumberingFiscal:
	default:
		return spec, apperr.Field("numbering", "ต้องเป็น calendar หรือ fiscal (must be calendar or fiscal)")
	}
	switch spec.HolidayRule {
	case "":
		spec.HolidayRule = workflows.HolidayMove
	case workflows.HolidayMove, workflows.HolidaySkip:
	default:
		return spec, apperr.Field("holiday_rule", "ต้องเป็น move หรือ skip (must be move or skip)")
	}
	if len(in.Cadence) == 0 {
		return spec, apperr.Field("cadence", "กรุณาระบุรอบการประชุมอย่างน้อย 1 รายการ (at least one cadence rule)")
	}
	for i, cr := range in.Cadence {
		rule, err := cadenceRule("cadence["+strconv.Itoa(i)+"]", cr)
		if err != nil {
			return spec, err
		}
		spec.Cadence = append(spec.Cadence, rule)
	}
	spec.StartDate = today
	if in.StartDate != "" {
		sd, err := thaidate.Parse(in.StartDate)
		if err != nil {
			return spec, apperr.Field("start_date", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
		}
		if sd.Before(today) {
			return spec, apperr.Field("start_date", "วันเริ่มต้องไม่อยู่ในอดีต (start_date is in the past)")
		}
		spec.StartDate = sd
	}
	db := s.db(ctx)
	if len(in.Participants) == 0 {
		if err := db.Model(&models.Unit{}).Where("type = ?", models.UnitProvince).Order("code").Pluck("code", &spec.Participants).Error; err != nil {
			return spec, err
		}
	} else {
		var n int64
		if err := db.Model(&models.Unit{}).Where("code IN ?", in.Participants).Count(&n).Error; err != nil {
			return spec, err
		}
		if int(n) != len(in.Participants) {
			return spec, apperr.Field("participants", "มีรหัสหน่วยงานที่ไม่รู้จักหรือซ้ำ (unknown or repeated unit codes)")
		}
		spec.Participants = in.Participants
	}
	return spec, nil
}

// cadenceRule validates one cadence slot; f names it in errors.
func cadenceRule(f string, cr CadenceInput) (workflows.CadenceRule, error) {
	var rule workflows.CadenceRule
	var name string
	var num int
	if json.Unmarshal(cr.Weekday, &name) == nil {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return rule, apperr.Field(f+".weekday", "ไม่รู้จักวันนี้ (unknown weekday)")
		}
		rule.Weekday = wd
	} else if json.Unmarshal(cr.Weekday, &num) == nil && num >= 0 && num <= 6 {
		rule.Weekday = time.Weekday(num)
	} else {
		return rule, apperr.Field(f+".weekday", "ต้องเป็นชื่อวันหรือเลข 0–6 (weekday name or 0–6)")
	}
	if len(cr.Weeks) == 0 {
		return rule, apperr.Field(f+".weeks", "กรุณาระบุสัปดาห์ของเดือน (weeks required)")
	}
	for _, w := range cr.Weeks {
		if (w < 1 || w > 5) && w != -1 {
			return rule, apperr.Field(f+".weeks", "สัปดาห์ต้องเป็น 1–5 หรือ -1 (weeks must be 1–5 or -1)")
		}
		rule.Weeks = append(rule.Weeks, int(w))
	}
	h, m, err := parseClock(f+".time", cr.Time)
	if err != nil {
		return rule, err
	}
	rule.Hour, rule.Minute = h, m
	return rule, nil
}

// seriesRow is the stored form of spec.
func seriesRow(spec workflows.MeetingSeriesSpec, actor string, now time.Time) models.MeetingSeries {
	return models.MeetingSeries{ID: spec.ID, Name: spec.Name, OrganiserCode: spec.OrganiserCode,
		Participants: store.JSONText(spec.Participants), Cadence: store.JSONText(spec.Cadence), Link: spec.Link,
		Numbering: string(spec.Numbering), HolidayRule: string(spec.HolidayRule), Policy: store.JSONText(spec.Policy.WithDefaults()),
		StartDate: spec.StartDate.String(), CreatedBy: actor, CreatedAt: now, UpdatedAt: now}
}

// sameSeries reports whether the stored series a has the definition of b;
// the start dates are compared only when withStart is set.
func sameSeries(a, b models.MeetingSeries, withStart bool) bool {
	return a.ID == b.ID && a.Name == b.Name && a.OrganiserCode == b.OrganiserCode && a.Participants == b.Participants &&
		a.Cadence == b.Cadence && a.Link == b.Link && a.Numbering == b.Numbering && a.HolidayRule == b.HolidayRule &&
		a.Policy == b.Policy && (!withStart || a.StartDate == b.StartDate)
}

func errSeriesExists() error {
	return apperr.New(apperr.Conflict, "มีชุดการประชุมรหัสนี้แล้ว (a series with this id exists)")
}

// CreateSeries implements Service.
func (s *service) CreateSeries(ctx context.Context, p *auth.Principal, in SeriesInput) (SeriesCreated, error) {
	if err := requireSecretariat(p); err != nil {
		return SeriesCreated{}, err
	}
	now := s.now()
	today := thaidate.Today(now)
	spec, err := s.seriesSpec(ctx, in, today)
	if err != nil {
		return SeriesCreated{}, err
	}
	if s.d.Temporal == nil {
		return SeriesCreated{}, engine.ErrUnavailable()
	}
	db := s.db(ctx)
	hols, err := store.HolidayDates(ctx, db, strconv.Itoa(today.Year)+"-01-01", strconv.Itoa(today.Year+1)+"-12-31")
	if err != nil {
		return SeriesCreated{}, err
	}
	row := seriesRow(spec, p.Username, now.UTC())
	// Commit the row (and its audit event) first. A row already stored
	// with the same definition is a repeat of a request whose workflow
	// start failed: nothing is written and the start is tried again.
	err = db.Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var stored models.MeetingSeries
			if err := tx.Where("id = ?", spec.ID).Take(&stored).Error; err != nil {
				return err
			}
			if !sameSeries(stored, row, in.StartDate != "") {
				return errSeriesExists()
			}
			if in.StartDate == "" {
				// Started on an earlier day: keep the stored start.
				if sd, err := thaidate.ParseISO(stored.StartDate); err == nil {
					spec.StartDate = sd
				}
			}
			return nil
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "meeting_series.create",
			EntityType: "meeting_series", EntityID: spec.ID, After: row.Cadence, RequestID: reqctx.RequestID(ctx)})
	})
	if err != nil {
		return SeriesCreated{}, err
	}
	// Then start the workflow by its business-key ID: one series, one
	// workflow, however often the request is repeated.
	wfID := workflows.MeetingSeriesWorkflowID(spec.ID)
	_, err = s.d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       wfID,
		TaskQueue:                                s.d.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.MeetingSeriesWorkflowType, workflows.MeetingSeriesInput{Series: spec, Holidays: hols, Actor: p.Username})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		return SeriesCreated{}, errSeriesExists()
	case err != nil:
		return SeriesCreated{}, apperr.Wrap(apperr.Unavailable, err,
			"บันทึกชุดการประชุมแล้ว แต่เริ่มตารางการประชุมไม่ได้ กรุณาส่งคำขอเดิมอีกครั้ง (series saved but its schedule could not be started; repeat the request)")
	}
	return SeriesCreated{ID: spec.ID, WorkflowID: wfID, Series: spec}, nil
}

// AddMeeting implements Service.
func (s *service) AddMeeting(ctx context.Context, p *auth.Principal, seriesID string, in TimeInput) (workflows.MeetingRef, error) {
	var ref workflows.MeetingRef
	if err := requireSecretariat(p); err != nil {
		return ref, err
	}
	start, err := in.start()
	if err != nil {
		return ref, err
	}
	if !start.After(s.now()) {
		return ref, apperr.Field("starts_at", "วันและเวลาประชุมต้องอยู่ในอนาคต (starts_at is in the past)")
	}
	var ser models.MeetingSeries
	if err := s.db(ctx).Where("id = ?", seriesID).Take(&ser).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return ref, apperr.New(apperr.NotFound, "ไม่พบชุดการประชุม (meeting series not found)")
	} else if err != nil {
		return ref, err
	}
	var pol workflows.MeetingPolicy
	_ = json.Unmarshal([]byte(ser.Policy), &pol)
	pol = pol.WithDefaults()
	if m, err := s.overlapping(ctx, ser.ID, "", start, time.Duration(pol.DurationMinutes)*time.Minute); err != nil {
		return ref, err
	} else if m != nil {
		return ref, overlapError(m)
	}
	arg := workflows.AddMeetingInput{StartsAt: start, Title: in.Title, Link: in.Link, Actor: p.Username, Reason: in.Reason}
	if err := engine.Update(ctx, s.d.Temporal, workflows.MeetingSeriesWorkflowID(ser.ID), workflows.UpdateAddMeeting, arg, &ref); err != nil {
		return ref, err
	}
	return ref, s.audit(ctx, p.Username, "meeting_series."+workflows.UpdateAddMeeting, "meeting_series", ser.ID, arg)
}
