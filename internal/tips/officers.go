package tips

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// scope narrows a query on tips to those whose content p may read, or
// says none may be read: a province account its province's tips (those
// forwarded to its districts included); a district account the tips routed
// to it; an inspector its regions' tips that involve officials or reached
// escalation level 3; the secretariat the tips a province referred up.
// Admins and observers read none.
func scope(p *auth.Principal, q *gorm.DB) (*gorm.DB, error) {
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	switch {
	case p.HasRole(models.RoleProvince) && p.UnitCode != "":
		return q.Where("province_code = ?", p.UnitCode), nil
	case p.HasRole(models.RoleDistrict) && p.UnitCode != "":
		return q.Where("route = ? AND route_unit_code = ?", models.TipRouteDistrict, p.UnitCode), nil
	case p.HasRole(models.RoleInspector):
		if len(p.Regions) == 0 {
			return q.Where("1 = 0"), nil
		}
		return q.Where("province_code IN (SELECT code FROM units WHERE inspection_region IN ?)", p.Regions).
			Where("(officials_involved = ? OR escalation_level >= ?)", true, 3), nil
	case p.HasRole(models.RoleSecretariat):
		return q.Where("referred_up = ?", true), nil
	}
	return nil, apperr.New(apperr.Forbidden,
		"เนื้อหาเบาะแสเปิดดูได้เฉพาะหน่วยงานที่ได้รับเรื่อง (only the centres a tip is routed to may read it)")
}

func (s *service) List(ctx context.Context, p *auth.Principal, w listing.Window) (listing.Page[OfficerView], error) {
	out := listing.Page[OfficerView]{Items: []OfficerView{}}
	q, err := scope(p, s.db(ctx).Model(&models.Tip{}))
	if err != nil {
		return out, err
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []models.Tip
	if err := q.Order("id DESC").Limit(w.Limit).Offset(w.Offset).Find(&rows).Error; err != nil {
		return out, err
	}
	for _, t := range rows {
		v, err := s.officerView(ctx, t)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	// Every read of a tip's content is on the audit trail: who, when.
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		for _, t := range rows {
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "tip.read", EntityType: "tip",
				EntityID: fmt.Sprint(t.ID), Before: "", After: "", RequestID: reqctx.RequestID(ctx)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return listing.Page[OfficerView]{}, err
	}
	return out, nil
}

func (s *service) Counts(ctx context.Context, p *auth.Principal) ([]ProvinceCount, error) {
	if err := p.Require(models.RoleSecretariat, models.RoleAdmin, models.RoleObserver); err != nil {
		return nil, err
	}
	var flags []struct {
		ProvinceCode string
		Overdue      int64
		Escalated    int64
		ReferredUp   int64
	}
	now := s.d.Now().UTC()
	if err := s.db(ctx).Model(&models.Tip{}).
		Select("province_code, "+
			"SUM(CASE WHEN due_at IS NOT NULL AND due_at <= ? THEN 1 ELSE 0 END) AS overdue, "+
			"SUM(CASE WHEN escalation_level >= 2 THEN 1 ELSE 0 END) AS escalated, "+
			"SUM(CASE WHEN referred_up THEN 1 ELSE 0 END) AS referred_up", now).
		Group("province_code").Scan(&flags).Error; err != nil {
		return nil, err
	}
	var rows []struct {
		ProvinceCode      string
		Status            string
		OfficialsInvolved bool
		N                 int64
	}
	if err := s.db(ctx).Model(&models.Tip{}).
		Select("province_code, status, officials_involved, COUNT(*) AS n").
		Group("province_code, status, officials_involved").
		Order("province_code, status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := []ProvinceCount{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ProvinceCode != r.ProvinceCode {
			out = append(out, ProvinceCount{ProvinceCode: r.ProvinceCode, ByStatus: map[string]int{}})
		}
		c := &out[len(out)-1]
		c.Total += r.N
		c.ByStatus[r.Status] += int(r.N)
		if r.OfficialsInvolved {
			c.Officials += r.N
		}
	}
	for i := range out {
		for _, f := range flags {
			if f.ProvinceCode == out[i].ProvinceCode {
				out[i].Overdue, out[i].Escalated, out[i].ReferredUp = f.Overdue, f.Escalated, f.ReferredUp
			}
		}
	}
	return out, nil
}

func (s *service) Reply(ctx context.Context, p *auth.Principal, id int64, text string) (OfficerView, error) {
	q, err := scope(p, s.db(ctx).Model(&models.Tip{}))
	if err != nil {
		return OfficerView{}, err
	}
	if !p.HasRole(models.RoleProvince, models.RoleDistrict, models.RoleInspector) {
		return OfficerView{}, apperr.New(apperr.Forbidden,
			"เฉพาะหน่วยงานที่ได้รับเรื่องเขียนถึงผู้แจ้งได้ (only the centres a tip is routed to write to the informant)")
	}
	if err := p.RequireWritable(); err != nil {
		return OfficerView{}, err
	}
	var tip models.Tip
	err = q.Where("id = ?", id).Take(&tip).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OfficerView{}, apperr.New(apperr.NotFound, "ไม่พบเบาะแสนี้ (no such tip)")
	}
	if err != nil {
		return OfficerView{}, err
	}
	if err := checkText("text", text, MaxTextRunes); err != nil {
		return OfficerView{}, err
	}
	sealed, err := s.k.sealText(text)
	if err != nil {
		return OfficerView{}, err
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var last struct{ Seq int }
		if err := tx.Model(&models.TipMessage{}).Select("COALESCE(MAX(seq), 0) AS seq").Where("tip_id = ?", tip.ID).Scan(&last).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.TipMessage{TipID: tip.ID, Seq: last.Seq + 1, Author: models.TipByOfficer,
			TextSealed: sealed, SentOn: s.today()}).Error; err != nil {
			return err
		}
		for _, action := range []string{"tip.reply", "tip.read"} {
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: action, EntityType: "tip",
				EntityID: fmt.Sprint(tip.ID), RequestID: reqctx.RequestID(ctx)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return OfficerView{}, err
	}
	return s.officerView(ctx, tip)
}

// officerView is tip with its content as the officers read it, with the
// workflow's columns; overdue is judged at the service's clock.
func (s *service) officerView(ctx context.Context, tip models.Tip) (OfficerView, error) {
	v, err := s.view(ctx, tip)
	if err != nil {
		return OfficerView{}, err
	}
	return OfficerView{ID: tip.ID, Route: tip.Route, RouteUnitCode: tip.RouteUnitCode, InspectionRegion: tip.InspectionRegion,
		DueAt: tip.DueAt, Overdue: tip.DueAt != nil && !s.d.Now().Before(*tip.DueAt), AcknowledgedAt: tip.AcknowledgedAt,
		AcknowledgedBy: tip.AcknowledgedBy, FirstActionAt: tip.FirstActionAt, Agency: tip.Agency, ReferredUp: tip.ReferredUp,
		EscalationLevel: tip.EscalationLevel, WorkflowStarted: tip.WorkflowStarted, TipView: v}, nil
}
