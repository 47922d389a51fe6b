package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// HolidayView is one government holiday; DateTH is its date in the
// Buddhist era with Thai month names.
type HolidayView struct {
	Date   string `json:"date"`
	DateTH string `json:"date_th"`
	NameTH string `json:"name_th" validate:"max=200,singleline"`
	NameEN string `json:"name_en" validate:"max=200,singleline"`
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

func (s *service) ListHolidays(ctx context.Context, p *auth.Principal, year int) (listing.Page[HolidayView], error) {
	from, to := "0000-01-01", "9999-12-31"
	if year != 0 {
		if year > 2400 {
			year -= 543
		}
		from, to = fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	}
	hs, err := store.ListHolidays(ctx, s.DB, from, to)
	if err != nil {
		return listing.Page[HolidayView]{}, err
	}
	out := listing.Page[HolidayView]{Items: make([]HolidayView, 0, len(hs)), Total: int64(len(hs))}
	for _, h := range hs {
		out.Items = append(out.Items, viewHoliday(h))
	}
	return out, nil
}

// holidayDate reads a date as typed (ISO or Thai) into YYYY-MM-DD.
func holidayDate(raw string) (string, error) {
	d, err := thaidate.Parse(raw)
	if err != nil {
		return "", apperr.Field("date", "%v", err)
	}
	return d.String(), nil
}

func (s *service) PutHoliday(ctx context.Context, p *auth.Principal, rawDate string, req HolidayRequest) (HolidayView, error) {
	if err := requireEditor(p); err != nil {
		return HolidayView{}, err
	}
	date, err := holidayDate(rawDate)
	if err != nil {
		return HolidayView{}, err
	}
	req.NameTH, req.NameEN = strings.TrimSpace(req.NameTH), strings.TrimSpace(req.NameEN)
	if req.NameTH == "" {
		return HolidayView{}, apperr.Field("name_th", "กรุณาระบุชื่อวันหยุดภาษาไทย (Thai name is required)")
	}
	h := models.Holiday{Date: date, NameTH: req.NameTH, NameEN: req.NameEN, UpdatedAt: s.now()}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var before models.Holiday
		found := tx.Where("date = ?", date).Limit(1).Find(&before).RowsAffected > 0
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "date"}},
			DoUpdates: clause.AssignmentColumns([]string{"name_th", "name_en", "updated_at"})}).Create(&h).Error; err != nil {
			return err
		}
		ev := models.AuditEvent{Actor: p.Username, Action: "holiday.put", EntityType: "holiday", EntityID: date,
			After: store.JSONText(viewHoliday(h)), RequestID: reqctx.RequestID(ctx)}
		if found {
			ev.Before = store.JSONText(viewHoliday(before))
		}
		return store.RecordAudit(tx, ev)
	})
	if err != nil {
		return HolidayView{}, err
	}
	return viewHoliday(h), nil
}

func (s *service) DeleteHoliday(ctx context.Context, p *auth.Principal, rawDate string) error {
	if err := requireEditor(p); err != nil {
		return err
	}
	date, err := holidayDate(rawDate)
	if err != nil {
		return err
	}
	return s.db(ctx).Transaction(func(tx *gorm.DB) error {
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
			EntityID: date, Before: store.JSONText(viewHoliday(before)), RequestID: reqctx.RequestID(ctx)})
	})
}
