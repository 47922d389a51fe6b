package meetings

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"

	ics "github.com/arran4/golang-ical"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/validate"
	"github.com/tidtam/tidtam/models"
)

// The iCalendar feed of a unit, GET /units/{code}/meetings.ics?token=…,
// lists the unit's meetings (every status) with a stable UID per meeting,
// SEQUENCE raised by each reschedule and the cancellation, and
// STATUS:CANCELLED for a cancelled meeting. The token is the unit's feed
// secret from IssueFeedToken (shown once; a new one replaces the old).

// MeetingUID is the iCalendar UID of meeting id; it never changes.
func MeetingUID(id string) string { return id + "@tidtam" }

// FeedPath is the path of unit code's feed with token, as IssueFeedToken
// returns it.
func FeedPath(code, token string) string {
	return "/api/v1/units/" + code + "/meetings.ics?token=" + token
}

// IssueFeedToken implements Service.
func (s *service) IssueFeedToken(ctx context.Context, p *auth.Principal, code string) (FeedToken, error) {
	if err := signedIn(p); err != nil {
		return FeedToken{}, err
	}
	if !p.HasRole(models.RoleAdmin, models.RoleSecretariat) {
		if err := requireUnitAccount(p); err != nil {
			return FeedToken{}, err
		}
		if p.UnitCode != code {
			return FeedToken{}, apperr.New(apperr.Forbidden, "ออกโทเคนปฏิทินได้เฉพาะหน่วยงานของตนเอง (only for your own unit)")
		}
	}
	db := s.db(ctx)
	var n int64
	if err := db.Model(&models.Unit{}).Where("code = ?", code).Count(&n).Error; err != nil {
		return FeedToken{}, err
	}
	if n == 0 {
		return FeedToken{}, apperr.New(apperr.NotFound, "ไม่พบหน่วยงาน (unit not found)")
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return FeedToken{}, err
	}
	tok := "ics_" + base64.RawURLEncoding.EncodeToString(b)
	row := models.MeetingFeedToken{UnitCode: code, TokenHash: auth.HashToken(tok), CreatedBy: p.Username, CreatedAt: s.now().UTC()}
	if err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "unit_code"}},
			DoUpdates: clause.AssignmentColumns([]string{"token_hash", "created_by", "created_at"})}).Create(&row).Error; err != nil {
			return err
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "meeting_feed.token",
			EntityType: "unit", EntityID: code, RequestID: reqctx.RequestID(ctx)})
	}); err != nil {
		return FeedToken{}, err
	}
	return FeedToken{UnitCode: code, Token: tok, URL: FeedPath(code, tok)}, nil
}

// Feed implements Service.
func (s *service) Feed(ctx context.Context, code, token string) (string, error) {
	if token == "" {
		return "", apperr.Field("token", "กรุณาระบุโทเคนปฏิทินของหน่วยงาน (token is required)")
	}
	db := s.db(ctx)
	var ft models.MeetingFeedToken
	err := db.Where("unit_code = ?", code).Take(&ft).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	if err != nil || subtle.ConstantTimeCompare([]byte(ft.TokenHash), []byte(auth.HashToken(token))) != 1 {
		return "", apperr.New(apperr.Forbidden, "โทเคนปฏิทินไม่ถูกต้อง (invalid feed token)")
	}
	var ms []models.Meeting
	if err := db.Where("participants LIKE ?", "%\""+code+"\"%").Order("starts_at, id").Find(&ms).Error; err != nil {
		return "", err
	}
	return calendar(code, ms), nil
}

// calendar is the feed of unit code: the events of those of ms the unit
// takes part in (the LIKE prefilter may match more).
func calendar(code string, ms []models.Meeting) string {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//tidtam//meetings//TH")
	cal.SetName("การประชุม ศปก.ครส. (" + code + ")")
	for _, m := range ms {
		if !slices.Contains(participantsOf(m), code) {
			continue
		}
		ev := cal.AddEvent(MeetingUID(m.ID))
		ev.SetDtStampTime(m.UpdatedAt.UTC())
		ev.SetModifiedAt(m.UpdatedAt.UTC())
		ev.SetStartAt(m.StartsAt.UTC())
		ev.SetEndAt(m.EndsAt.UTC())
		ev.SetSummary(m.Title)
		ev.SetSequence(m.Sequence)
		// Links are checked on input; one stored before that rule that is
		// not a plain http(s) URL (a line break would inject a property)
		// is left out.
		if m.Link != "" && validate.HTTPURL(m.Link) {
			ev.SetLocation(m.Link)
			ev.SetURL(m.Link)
		}
		desc := NumberLabel(m)
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
	// RFC 5545 §3.1: content lines end in CRLF.
	return cal.Serialize(ics.WithNewLineWindows)
}
