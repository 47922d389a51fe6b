package api

import (
	"errors"
	"regexp"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

func init() {
	extraRoutes = append(extraRoutes, func(r fiber.Router, d *Deps) {
		r.Get("/target-sets", listTargetSets(d))
		r.Get("/target-sets/:code", getTargetSet(d))
		r.Put("/target-sets/:code", putTargetSet(d))
		r.Delete("/target-sets/:code", deleteTargetSet(d))
	})
}

// TargetSetRequest is the body of PUT /target-sets/{code}: the whole set.
// Members are provinces by code or name, or unit codes.
type TargetSetRequest struct {
	NameTH  string   `json:"name_th"`
	NameEN  string   `json:"name_en"`
	Members []string `json:"members"`
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
		v.Members = append(v.Members, viewUnit(u))
	}
	return v, nil
}

func listTargetSets(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		db := d.DB.WithContext(c.UserContext())
		var sets []models.TargetSet
		if err := db.Order("code").Find(&sets).Error; err != nil {
			return err
		}
		out := page[TargetSetView]{Items: make([]TargetSetView, 0, len(sets)), Total: int64(len(sets))}
		for _, s := range sets {
			v, err := loadTargetSet(db, s.Code)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		return c.JSON(out)
	}
}

func getTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := loadTargetSet(d.DB.WithContext(c.UserContext()), c.Params("code"))
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

// putTargetSet creates or replaces a set (secretariat, admin). Directives
// already issued keep the units they were resolved to.
func putTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
			return err
		}
		code := c.Params("code")
		if !setCodeRE.MatchString(code) {
			return apperr.Field("code", "รหัสชุดเป้าหมายใช้ a-z 0-9 - _ ไม่เกิน 64 ตัว เช่น pilot-10 (use lowercase letters, digits, - and _)")
		}
		var req TargetSetRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if strings.TrimSpace(req.NameTH) == "" {
			return apperr.Field("name_th", "กรุณาระบุชื่อชุดเป้าหมาย (Thai name is required)")
		}
		if len(req.Members) == 0 {
			return apperr.Field("members", "ต้องมีสมาชิกอย่างน้อยหนึ่งหน่วยงาน (at least one member)")
		}
		ctx := c.UserContext()
		ix, err := loadUnitIndex(ctx, d.DB)
		if err != nil {
			return err
		}
		var codes []string
		var unknown []UnknownTarget
		seen := map[string]bool{}
		for i, m := range req.Members {
			code, ok := ix.names[normName(m)]
			if !ok {
				if _, isUnit := ix.byCode[strings.TrimSpace(m)]; isUnit {
					code, ok = strings.TrimSpace(m), true
				}
			}
			if !ok {
				u := UnknownTarget{Field: "members[" + itoa(i) + "]", Value: m}
				if s, near := closest(normName(m), ix.nameList); near {
					u.Suggestion = s
				}
				unknown = append(unknown, u)
				continue
			}
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
		if len(unknown) > 0 {
			return unknownTargetsError(unknown)
		}
		sort.Strings(codes)
		set := models.TargetSet{Code: code, NameTH: strings.TrimSpace(req.NameTH), NameEN: strings.TrimSpace(req.NameEN)}
		err = d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
				After: mustJSON(map[string]any{"name_th": set.NameTH, "name_en": set.NameEN, "members": codes}), RequestID: requestID(c)}
			if existed {
				ev.Before = mustJSON(before)
			}
			return store.RecordAudit(tx, ev)
		})
		if err != nil {
			return err
		}
		v, err := loadTargetSet(d.DB.WithContext(ctx), code)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

func deleteTargetSet(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleSecretariat, models.RoleAdmin); err != nil {
			return err
		}
		code := c.Params("code")
		return d.DB.WithContext(c.UserContext()).Transaction(func(tx *gorm.DB) error {
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
			if err := store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "target_set.delete", EntityType: "target_set",
				EntityID: code, Before: mustJSON(before), RequestID: requestID(c)}); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})
	}
}
