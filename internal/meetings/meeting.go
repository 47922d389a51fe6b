package meetings

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// ListMeetings implements Service.
func (s *service) ListMeetings(ctx context.Context, p *auth.Principal, f MeetingFilter) (listing.Page[MeetingView], error) {
	var out listing.Page[MeetingView]
	if err := signedIn(p); err != nil {
		return out, err
	}
	from, to, err := parseRange(f.From, f.To)
	if err != nil {
		return out, err
	}
	var ms []models.Meeting
	q := s.db(ctx).Where("starts_at >= ? AND starts_at < ?", from, to)
	if f.Series != "" {
		q = q.Where("series_id = ?", f.Series)
	}
	if err := q.Order("starts_at, id").Find(&ms).Error; err != nil {
		return out, err
	}
	out.Items, out.Total = make([]MeetingView, 0, len(ms)), int64(len(ms))
	for _, m := range ms {
		out.Items = append(out.Items, viewMeeting(m))
	}
	return out, nil
}

// Meeting implements Service.
func (s *service) Meeting(ctx context.Context, p *auth.Principal, id string) (MeetingDetail, error) {
	if err := signedIn(p); err != nil {
		return MeetingDetail{}, err
	}
	m, err := Find(ctx, s.d.DB, id)
	if err != nil {
		return MeetingDetail{}, err
	}
	db := s.db(ctx)
	var rsvps []models.MeetingRSVP
	var att []models.MeetingAttendance
	var mins []models.MeetingMinutes
	if err := db.Where("meeting_id = ?", m.ID).Order("unit_code").Find(&rsvps).Error; err != nil {
		return MeetingDetail{}, err
	}
	if err := db.Where("meeting_id = ?", m.ID).Order("unit_code").Find(&att).Error; err != nil {
		return MeetingDetail{}, err
	}
	if err := db.Where("meeting_id = ?", m.ID).Order("version").Find(&mins).Error; err != nil {
		return MeetingDetail{}, err
	}
	visible, all, err := s.visibleUnits(ctx, p)
	if err != nil {
		return MeetingDetail{}, err
	}
	if !all {
		rsvps = slices.DeleteFunc(rsvps, func(r models.MeetingRSVP) bool { return !visible[r.UnitCode] })
		att = slices.DeleteFunc(att, func(a models.MeetingAttendance) bool { return !visible[a.UnitCode] })
		if !slices.ContainsFunc(participantsOf(m), func(code string) bool { return visible[code] }) {
			mins = nil // the minutes go to the meeting's participants
		}
	}
	out := MeetingDetail{Meeting: viewMeeting(m), RSVPs: make([]RSVPView, 0, len(rsvps)),
		Attendance: make([]AttendanceView, 0, len(att)), Minutes: make([]MinutesView, 0, len(mins))}
	for _, r := range rsvps {
		out.RSVPs = append(out.RSVPs, RSVPView{UnitCode: r.UnitCode, Declined: r.Declined, Reason: r.Reason,
			Attendees: json.RawMessage(r.Attendees), RespondedBy: r.RespondedBy, RespondedAt: r.RespondedAt})
	}
	for _, a := range att {
		out.Attendance = append(out.Attendance, AttendanceView{UnitCode: a.UnitCode, Present: a.Present, ByHead: a.ByHead,
			UnderRepresented: a.UnderRepresented, Attendees: json.RawMessage(a.Attendees), RecordedBy: a.RecordedBy})
	}
	for _, x := range mins {
		out.Minutes = append(out.Minutes, MinutesView{Version: x.Version, Text: x.Text, PublishedBy: x.PublishedBy, PublishedAt: x.PublishedAt})
	}
	if out.Directives, err = s.directives(ctx, p, m); err != nil {
		return MeetingDetail{}, err
	}
	return out, nil
}

// visibleUnits returns the units whose RSVPs and attendance p may read:
// all (true) for the national roles; otherwise the units of p's scope
// (a province: itself and its districts; an inspector: the provinces of its
// regions and their districts; a district: itself).
func (s *service) visibleUnits(ctx context.Context, p *auth.Principal) (map[string]bool, bool, error) {
	if p.SeesAll() {
		return nil, true, nil
	}
	var codes []string
	if err := p.ScopeUnits(s.db(ctx).Model(&models.Unit{})).Pluck("units.code", &codes).Error; err != nil {
		return nil, false, err
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, false, nil
}

// requireUnitAccount allows only province and district accounts to act for
// their unit: another role holding a unit code (an inspector created with
// one) gains no unit rights from it.
func requireUnitAccount(p *auth.Principal) error {
	if !p.HasRole(models.RoleProvince, models.RoleDistrict) {
		return apperr.New(apperr.Forbidden, "เฉพาะบัญชีของหน่วยงานดำเนินการแทนหน่วยงานได้ (only a unit's own account may act for it)")
	}
	return nil
}

// RSVP implements Service.
func (s *service) RSVP(ctx context.Context, p *auth.Principal, id string, in RSVPInput) (workflows.MeetingState, error) {
	if !p.CanWrite() {
		if err := signedIn(p); err != nil {
			return workflows.MeetingState{}, err
		}
		return workflows.MeetingState{}, apperr.New(apperr.Forbidden, "บัญชีนี้อ่านได้อย่างเดียว (read-only account)")
	}
	m, err := Find(ctx, s.d.DB, id)
	if err != nil {
		return workflows.MeetingState{}, err
	}
	unit := in.UnitCode
	if !p.HasRole(models.RoleAdmin, models.RoleSecretariat) {
		if err := requireUnitAccount(p); err != nil {
			return workflows.MeetingState{}, err
		}
		if unit != "" && unit != p.UnitCode {
			return workflows.MeetingState{}, apperr.New(apperr.Forbidden, "ตอบรับแทนหน่วยงานอื่นไม่ได้ (you may answer only for your own unit)")
		}
		unit = p.UnitCode
	}
	if unit == "" {
		return workflows.MeetingState{}, apperr.Field("unit_code", "กรุณาระบุหน่วยงาน (unit_code is required)")
	}
	for i, a := range in.Attendees {
		if !workflows.ValidAttendeeRole(a.Role) {
			return workflows.MeetingState{}, apperr.Field("role", "ตำแหน่งไม่ถูกต้อง ต้องเป็น governor, vice_governor, palad หรือ other (unknown role %q at attendees[%d])", a.Role, i)
		}
	}
	return s.update(ctx, p.Username, m, workflows.UpdateRSVP, workflows.RSVPInput{UnitCode: unit, Actor: p.Username,
		Declined: in.Declined, Reason: in.Reason, Attendees: in.Attendees})
}

// RecordAttendance implements Service.
func (s *service) RecordAttendance(ctx context.Context, p *auth.Principal, id string, in AttendanceInput) (workflows.MeetingState, error) {
	return s.change(ctx, p, id, func(m models.Meeting, actor string) (string, any, error) {
		if s.now().Before(m.StartsAt) && m.Status != models.MeetingCancelled {
			return "", nil, apperr.New(apperr.Conflict, "การประชุมยังไม่เริ่ม บันทึกการเข้าประชุมไม่ได้ (the meeting has not started yet)")
		}
		return workflows.UpdateAttendance, workflows.AttendanceInput{Actor: actor, Units: in.Units}, nil
	})
}

// PublishMinutes implements Service.
func (s *service) PublishMinutes(ctx context.Context, p *auth.Principal, id string, in MinutesInput) (workflows.MeetingState, error) {
	return s.change(ctx, p, id, func(_ models.Meeting, actor string) (string, any, error) {
		if strings.TrimSpace(in.Text) == "" {
			return "", nil, apperr.Field("text", "กรุณาระบุเนื้อหารายงานการประชุม (text is required)")
		}
		refs, err := store.SaveTexts(ctx, s.d.DB, in.Text)
		if err != nil {
			return "", nil, err
		}
		return workflows.UpdateMinutes, workflows.MinutesInput{Actor: actor, TextRef: refs[0]}, nil
	})
}

// Reschedule implements Service.
func (s *service) Reschedule(ctx context.Context, p *auth.Principal, id string, in TimeInput) (workflows.MeetingState, error) {
	return s.change(ctx, p, id, func(m models.Meeting, actor string) (string, any, error) {
		start, err := in.start()
		if err != nil {
			return "", nil, err
		}
		if !start.After(s.now()) {
			return "", nil, apperr.Field("starts_at", "วันและเวลาใหม่ต้องอยู่ในอนาคต (the new time is in the past)")
		}
		if o, err := s.overlapping(ctx, m.SeriesID, m.ID, start, m.EndsAt.Sub(m.StartsAt)); err != nil {
			return "", nil, err
		} else if o != nil {
			return "", nil, overlapError(o)
		}
		return workflows.UpdateReschedule, workflows.RescheduleInput{StartsAt: start, Actor: actor, Reason: in.Reason}, nil
	})
}

// Cancel implements Service.
func (s *service) Cancel(ctx context.Context, p *auth.Principal, id string, in CancelInput) (workflows.MeetingState, error) {
	return s.change(ctx, p, id, func(_ models.Meeting, actor string) (string, any, error) {
		return workflows.UpdateCancel, workflows.CancelInput{Actor: actor, Reason: in.Reason}, nil
	})
}

// AddAgendaItem implements Service.
func (s *service) AddAgendaItem(ctx context.Context, p *auth.Principal, id string, in AgendaItemInput) (workflows.MeetingState, error) {
	return s.change(ctx, p, id, func(_ models.Meeting, actor string) (string, any, error) {
		return workflows.UpdateAddAgendaItem, workflows.AddAgendaItemInput{Actor: actor, Title: in.Title, Detail: in.Detail}, nil
	})
}
