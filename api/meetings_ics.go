package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// The iCalendar feed of a unit, GET /units/{code}/meetings.ics?token=…,
// lists the unit's meetings (every status) with a stable UID per meeting,
// SEQUENCE raised by each reschedule and the cancellation, and
// STATUS:CANCELLED for a cancelled meeting. The token is the unit's feed
// secret from POST /units/{code}/meetings.ics/token (shown once; a new one
// replaces the old). The route sits outside the bearer-authenticated group
// (api/server.go) so calendar apps can subscribe to the link; the feed
// secret is read from ?token= or the X-Feed-Token header.

// meetingUID is the iCalendar UID of a meeting; it never changes.
func meetingUID(id string) string { return id + "@tidtam" }

func issueFeedToken(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		code := c.Params("code")
		if !p.HasRole(models.RoleAdmin, models.RoleSecretariat) && p.UnitCode != code {
			return apperr.New(apperr.Forbidden, "ออกโทเคนปฏิทินได้เฉพาะหน่วยงานของตนเอง (only for your own unit)")
		}
		db := d.DB.WithContext(c.UserContext())
		var n int64
		if err := db.Model(&models.Unit{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "ไม่พบหน่วยงาน (unit not found)")
		}
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		tok := "ics_" + base64.RawURLEncoding.EncodeToString(b)
		row := models.MeetingFeedToken{UnitCode: code, TokenHash: auth.HashToken(tok), CreatedBy: p.Username, CreatedAt: time.Now().UTC()}
		if err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "unit_code"}},
				DoUpdates: clause.AssignmentColumns([]string{"token_hash", "created_by", "created_at"})}).Create(&row).Error; err != nil {
				return err
			}
			return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "meeting_feed.token",
				EntityType: "unit", EntityID: code, RequestID: requestID(c)})
		}); err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"unit_code": code, "token": tok,
			"url": "/api/v1/units/" + code + "/meetings.ics?token=" + tok})
	}
}

func meetingFeed(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		code := c.Params("code")
		tok := c.Query("token")
		if tok == "" {
			tok = c.Get("X-Feed-Token")
		}
		if tok == "" {
			return apperr.Field("token", "กรุณาระบุโทเคนปฏิทินของหน่วยงาน (token is required)")
		}
		db := d.DB.WithContext(c.UserContext())
		var ft models.MeetingFeedToken
		err := db.Where("unit_code = ?", code).Take(&ft).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err != nil || subtle.ConstantTimeCompare([]byte(ft.TokenHash), []byte(auth.HashToken(tok))) != 1 {
			return apperr.New(apperr.Forbidden, "โทเคนปฏิทินไม่ถูกต้อง (invalid feed token)")
		}
		var ms []models.Meeting
		if err := db.Where("participants LIKE ?", "%\""+code+"\"%").Order("starts_at, id").Find(&ms).Error; err != nil {
			return err
		}
		cal := ics.NewCalendar()
		cal.SetMethod(ics.MethodPublish)
		cal.SetProductId("-//tidtam//meetings//TH")
		cal.SetName("การประชุม ศปก.ครส. (" + code + ")")
		for _, m := range ms {
			var parts []string
			_ = json.Unmarshal([]byte(m.Participants), &parts)
			found := false
			for _, p := range parts {
				found = found || p == code
			}
			if !found {
				continue
			}
			ev := cal.AddEvent(meetingUID(m.ID))
			ev.SetDtStampTime(m.UpdatedAt.UTC())
			ev.SetModifiedAt(m.UpdatedAt.UTC())
			ev.SetStartAt(m.StartsAt.UTC())
			ev.SetEndAt(m.EndsAt.UTC())
			ev.SetSummary(m.Title)
			ev.SetSequence(m.Sequence)
			if m.Link != "" {
				ev.SetLocation(m.Link)
				ev.SetURL(m.Link)
			}
			desc := "ครั้งที่ " + fmtInt(m.Number) + "/" + fmtInt(m.YearBE)
			if m.Reason != "" {
				desc += "\n" + m.Reason
			}
			ev.SetDescription(desc)
			if m.Status == models.MeetingCancelled {
				ev.SetStatus(ics.ObjectStatusCancelled)
			} else {
				ev.SetStatus(ics.ObjectStatusConfirmed)
			}
		}
		c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `inline; filename="meetings-`+strings.ReplaceAll(code, `"`, "")+`.ics"`)
		return c.SendString(cal.Serialize())
	}
}
