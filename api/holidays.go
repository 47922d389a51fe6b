package api

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// HolidayView is a government holiday with its Buddhist-era rendering.
type HolidayView struct {
	Date   string `json:"date"`
	DateTH string `json:"date_th"`
	NameTH string `json:"name_th"`
	NameEN string `json:"name_en"`
}

// HolidayRequest is the body of PUT /holidays/{date}.
type HolidayRequest struct {
	NameTH string `json:"name_th"`
	NameEN string `json:"name_en"`
}

func viewHoliday(h models.Holiday) HolidayView {
	v := HolidayView{Date: h.Date, NameTH: h.NameTH, NameEN: h.NameEN}
	if d, err := thaidate.ParseISO(h.Date); err == nil {
		v.DateTH = thaidate.FormatBE(d)
	}
	return v
}

// listHolidays answers GET /holidays?year=2568 (Buddhist or Christian era).
func listHolidays(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		from, to := "0000-01-01", "9999-12-31"
		if y, ok, err := queryInt(c, "year", 1900, 2700); err != nil {
			return err
		} else if ok {
			if y > 2400 {
				y -= 543
			}
			from, to = fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y)
		}
		hs, err := store.ListHolidays(c.UserContext(), d.DB, from, to)
		if err != nil {
			return err
		}
		out := page[HolidayView]{Items: make([]HolidayView, 0, len(hs)), Total: int64(len(hs))}
		for _, h := range hs {
			out.Items = append(out.Items, viewHoliday(h))
		}
		return c.JSON(out)
	}
}

func holidayDate(c *fiber.Ctx) (string, error) {
	d, err := thaidate.Parse(c.Params("date"))
	if err != nil {
		return "", apperr.Field("date", "%v", err)
	}
	return d.String(), nil
}

// putHoliday creates or renames one holiday (admin, secretariat). Running
// workflows keep the calendar they recorded; new deadlines use the change.
func putHoliday(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		date, err := holidayDate(c)
		if err != nil {
			return err
		}
		var req HolidayRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		req.NameTH, req.NameEN = strings.TrimSpace(req.NameTH), strings.TrimSpace(req.NameEN)
		if req.NameTH == "" {
			return apperr.Field("name_th", "กรุณาระบุชื่อวันหยุดภาษาไทย (Thai name is required)")
		}
		h := models.Holiday{Date: date, NameTH: req.NameTH, NameEN: req.NameEN, UpdatedAt: d.now()}
		err = d.DB.WithContext(c.UserContext()).Transaction(func(tx *gorm.DB) error {
			var before models.Holiday
			found := tx.Where("date = ?", date).Limit(1).Find(&before).RowsAffected > 0
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "date"}},
				DoUpdates: clause.AssignmentColumns([]string{"name_th", "name_en", "updated_at"})}).Create(&h).Error; err != nil {
				return err
			}
			ev := models.AuditEvent{Actor: p.Username, Action: "holiday.put", EntityType: "holiday", EntityID: date,
				After: mustJSON(viewHoliday(h)), RequestID: requestID(c)}
			if found {
				ev.Before = mustJSON(viewHoliday(before))
			}
			return store.RecordAudit(tx, ev)
		})
		if err != nil {
			return err
		}
		return c.JSON(viewHoliday(h))
	}
}

func deleteHoliday(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return err
		}
		date, err := holidayDate(c)
		if err != nil {
			return err
		}
		err = d.DB.WithContext(c.UserContext()).Transaction(func(tx *gorm.DB) error {
			var before models.Holiday
			if err := tx.Where("date = ?", date).First(&before).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, "ไม่มีวันหยุดวันที่ %s (no holiday on that date)", date)
			} else if err != nil {
				return err
			}
			if err := tx.Delete(&before).Error; err != nil {
				return err
			}
			return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "holiday.delete", EntityType: "holiday",
				EntityID: date, Before: mustJSON(viewHoliday(before)), RequestID: requestID(c)})
		})
		if err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
