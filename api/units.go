package api

import (
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/models"
)

// UnitView is an organisation unit as the API shows it.
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

// DisplayNameTH is how a unit is named in Thai documents: the centre's
// prefix (ศอ.ปส.จ. for a province, ศป.ปส.อ. for a district) before the
// place name.
func DisplayNameTH(u models.Unit) string {
	switch u.Type {
	case models.UnitProvince:
		return "ศอ.ปส.จ." + u.NameTH
	case models.UnitDistrict:
		return "ศป.ปส.อ." + u.NameTH
	}
	return u.NameTH
}

func viewUnit(u models.Unit) UnitView {
	v := UnitView{Code: u.Code, Type: u.Type, NameTH: u.NameTH, NameEN: u.NameEN, DisplayNameTH: DisplayNameTH(u),
		ISOCode: u.ISOCode, InspectionRegion: u.InspectionRegion}
	if u.ParentCode != nil {
		v.ParentCode = *u.ParentCode
	}
	return v
}

var unitTypes = map[string]bool{"national": true, "ministry": true, "province": true, "district": true, "other": true}

func listUnits(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := principal(c).ScopeUnits(d.DB.WithContext(c.UserContext()).Model(&models.Unit{}))
		if t := c.Query("type"); t != "" {
			if !unitTypes[t] {
				return apperr.Field("type", "ประเภทหน่วยงานต้องเป็น national, ministry, province, district หรือ other (unknown unit type %q)", t)
			}
			q = q.Where("units.type = ?", t)
		}
		if region, ok, err := queryInt(c, "region", 0, 18); err != nil {
			return err
		} else if ok {
			// A district's region is its province's.
			q = q.Where("(units.inspection_region = ? OR units.parent_code IN (SELECT code FROM units p WHERE p.inspection_region = ?))", region, region)
		}
		if parent := c.Query("parent"); parent != "" {
			q = q.Where("units.parent_code = ?", parent)
		}
		limit, offset, err := limitOffset(c, 1000, 5000)
		if err != nil {
			return err
		}
		var total int64
		if err := q.Count(&total).Error; err != nil {
			return err
		}
		var units []models.Unit
		if err := q.Order("units.code").Limit(limit).Offset(offset).Find(&units).Error; err != nil {
			return err
		}
		out := page[UnitView]{Items: make([]UnitView, 0, len(units)), Total: total}
		for _, u := range units {
			out.Items = append(out.Items, viewUnit(u))
		}
		return c.JSON(out)
	}
}

func getUnit(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		code := c.Params("code")
		var u models.Unit
		err := principal(c).ScopeUnits(d.DB.WithContext(c.UserContext()).Model(&models.Unit{})).
			Where("units.code = ?", code).First(&u).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบหน่วยงานรหัส %q หรือไม่อยู่ในขอบเขตสิทธิ์ของท่าน (unit not found or outside your scope)", code)
		} else if err != nil {
			return err
		}
		return c.JSON(viewUnit(u))
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only API view structs are passed; they always marshal
	}
	return string(b)
}

func jsonString(s string) string { return mustJSON(s) }
