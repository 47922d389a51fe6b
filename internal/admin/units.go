package admin

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// UnitView is one organisation unit as the API shows it.
type UnitView struct {
	Code             string          `json:"code"`
	Type             models.UnitType `json:"type"`
	NameTH           string          `json:"name_th"`
	NameEN           string          `json:"name_en"`
	DisplayNameTH    string          `json:"display_name_th"`
	ParentCode       string          `json:"parent_code,omitempty"`
	ISOCode          string          `json:"iso_code,omitempty"`
	InspectionRegion *int            `json:"inspection_region,omitempty"`
}

// ViewUnit is the view of a unit row.
func ViewUnit(u models.Unit) UnitView {
	v := UnitView{Code: u.Code, Type: u.Type, NameTH: u.NameTH, NameEN: u.NameEN, DisplayNameTH: u.DisplayNameTH(),
		ISOCode: u.ISOCode, InspectionRegion: u.InspectionRegion}
	if u.ParentCode != nil {
		v.ParentCode = *u.ParentCode
	}
	return v
}

// UnitFilter selects units for ListUnits. Empty fields and an unset
// HasRegion do not filter; a district's region is its province's.
type UnitFilter struct {
	Type       models.UnitType
	Region     int
	HasRegion  bool
	ParentCode string
	listing.Window
}

func (s *service) ListUnits(ctx context.Context, p *auth.Principal, f UnitFilter) (listing.Page[UnitView], error) {
	var out listing.Page[UnitView]
	q := p.ScopeUnits(s.db(ctx).Model(&models.Unit{}))
	if f.Type != "" {
		if !models.ValidUnitType(f.Type) {
			return out, apperr.Field("type", "ประเภทหน่วยงานต้องเป็น national, ministry, province, district หรือ other (unknown unit type %q)", f.Type)
		}
		q = q.Where("units.type = ?", f.Type)
	}
	if f.HasRegion {
		q = q.Where("(units.inspection_region = ? OR units.parent_code IN (SELECT code FROM units p WHERE p.inspection_region = ?))", f.Region, f.Region)
	}
	if f.ParentCode != "" {
		q = q.Where("units.parent_code = ?", f.ParentCode)
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var units []models.Unit
	if err := q.Order("units.code").Limit(f.Limit).Offset(f.Offset).Find(&units).Error; err != nil {
		return out, err
	}
	out.Items = make([]UnitView, 0, len(units))
	for _, u := range units {
		out.Items = append(out.Items, ViewUnit(u))
	}
	return out, nil
}

func (s *service) Unit(ctx context.Context, p *auth.Principal, code string) (UnitView, error) {
	var u models.Unit
	err := p.ScopeUnits(s.db(ctx).Model(&models.Unit{})).Where("units.code = ?", code).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return UnitView{}, apperr.New(apperr.NotFound, "ไม่พบหน่วยงานรหัส %q หรือไม่อยู่ในขอบเขตสิทธิ์ของท่าน (unit not found or outside your scope)", code)
	} else if err != nil {
		return UnitView{}, err
	}
	return ViewUnit(u), nil
}
