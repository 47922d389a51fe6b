package admin

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// TargetSetRequest is the body of PUT /target-sets/{code}: the whole set.
// Members are provinces by code or name, or unit codes.
type TargetSetRequest struct {
	NameTH  string   `json:"name_th" validate:"max=200,singleline"`
	NameEN  string   `json:"name_en" validate:"max=200,singleline"`
	Members []string `json:"members" validate:"max=1000,dive,max=100"`
}

// TargetSetView is a named set of target units.
type TargetSetView struct {
	Code    string     `json:"code"`
	NameTH  string     `json:"name_th"`
	NameEN  string     `json:"name_en"`
	Members []UnitView `json:"members"`
}

var setCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func loadTargetSet(db *gorm.DB, code string) (TargetSetView, error) {
	var s models.TargetSet
	if err := db.Where("code = ?", code).First(&s).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return TargetSetView{}, apperr.New(apperr.NotFound, "ไม่พบชุดเป้าหมาย %q (target set not found)", code)
	} else if err != nil {
		return TargetSetView{}, err
	}
	var units []models.Unit
	if err := db.Where("code IN (SELECT unit_code FROM target_set_members WHERE set_code = ?)", code).Order("code").Find(&units).Error; err != nil {
		return TargetSetView{}, err
	}
	v := TargetSetView{Code: s.Code, NameTH: s.NameTH, NameEN: s.NameEN, Members: make([]UnitView, 0, len(units))}
	for _, u := range units {
		v.Members = append(v.Members, ViewUnit(u))
	}
	return v, nil
}

func (s *service) ListTargetSets(ctx context.Context, p *auth.Principal) (listing.Page[TargetSetView], error) {
	db := s.db(ctx)
	var sets []models.TargetSet
	if err := db.Order("code").Find(&sets).Error; err != nil {
		return listing.Page[TargetSetView]{}, err
	}
	out := listing.Page[TargetSetView]{Items: make([]TargetSetView, 0, len(sets)), Total: int64(len(sets))}
	for _, set := range sets {
		v, err := loadTargetSet(db, set.Code)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

func (s *service) TargetSet(ctx context.Context, p *auth.Principal, code string) (TargetSetView, error) {
	return loadTargetSet(s.db(ctx), code)
}

func (s *service) PutTargetSet(ctx context.Context, p *auth.Principal, code string, req TargetSetRequest) (TargetSetView, error) {
	if err := requireEditor(p); err != nil {
		return TargetSetView{}, err
	}
	if !setCodeRE.MatchString(code) {
		return TargetSetView{}, apperr.Field("code", "รหัสชุดเป้าหมายใช้ a-z 0-9 - _ ไม่เกิน 64 ตัว เช่น pilot-10 (use lowercase letters, digits, - and _)")
	}
	if strings.TrimSpace(req.NameTH) == "" {
		return TargetSetView{}, apperr.Field("name_th", "กรุณาระบุชื่อชุดเป้าหมาย (Thai name is required)")
	}
	if len(req.Members) == 0 {
		return TargetSetView{}, apperr.Field("members", "ต้องมีสมาชิกอย่างน้อยหนึ่งหน่วยงาน (at least one member)")
	}
	codes, err := directives.ResolveMembers(ctx, s.DB, "members", req.Members)
	if err != nil {
		return TargetSetView{}, err
	}
	set := models.TargetSet{Code: code, NameTH: strings.TrimSpace(req.NameTH), NameEN: strings.TrimSpace(req.NameEN)}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := loadTargetSet(tx, code)
		existed := err == nil
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		if err := tx.Save(&set).Error; err != nil {
			return err
		}
		if err := tx.Where("set_code = ?", code).Delete(&models.TargetSetMember{}).Error; err != nil {
			return err
		}
		members := make([]models.TargetSetMember, len(codes))
		for i, u := range codes {
			members[i] = models.TargetSetMember{SetCode: code, UnitCode: u}
		}
		if err := tx.Create(&members).Error; err != nil {
			return err
		}
		ev := models.AuditEvent{Actor: p.Username, Action: "target_set.put", EntityType: "target_set", EntityID: code,
			After:     store.JSONText(map[string]any{"name_th": set.NameTH, "name_en": set.NameEN, "members": codes}),
			RequestID: reqctx.RequestID(ctx)}
		if existed {
			ev.Before = store.JSONText(before)
		}
		return store.RecordAudit(tx, ev)
	})
	if err != nil {
		return TargetSetView{}, err
	}
	return loadTargetSet(s.db(ctx), code)
}

func (s *service) DeleteTargetSet(ctx context.Context, p *auth.Principal, code string) error {
	if err := requireEditor(p); err != nil {
		return err
	}
	return s.db(ctx).Transaction(func(tx *gorm.DB) error {
		before, err := loadTargetSet(tx, code)
		if err != nil {
			return err
		}
		if err := tx.Where("set_code = ?", code).Delete(&models.TargetSetMember{}).Error; err != nil {
			return err
		}
		if err := tx.Where("code = ?", code).Delete(&models.TargetSet{}).Error; err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "target_set.delete", EntityType: "target_set",
			EntityID: code, Before: store.JSONText(before), RequestID: reqctx.RequestID(ctx)})
	})
}
