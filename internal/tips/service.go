package tips

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// Deps are what the tips service runs on.
type Deps struct {
	DB *gorm.DB
	// Key is the tip key (LoadKey).
	Key Key
	// Now returns the current time; nil means time.Now. Only the civil
	// day in Asia/Bangkok is ever stored.
	Now func() time.Time
	// Submissions throttles tips per client address; nil means 20 at
	// once and one more every 30 seconds. An address over it may still
	// send a tip by solving a challenge (Challenges).
	Submissions *Throttle
	// Challenges are what an address over Submissions solves; nil means
	// NewChallenges(Key, ChallengeTTL, Now).
	Challenges *Challenges
	// Guesses throttles wrong receipt codes per client address; nil
	// means 10 at once and one more every 6 minutes.
	Guesses *Throttle
	// Logger receives what the service cannot answer with; nil means
	// slog.Default().
	Logger *slog.Logger
	// Temporal runs the officers' workflow of each tip
	// (workflows.TipWorkflow) on TaskQueue; nil leaves tips without one
	// (saved all the same, started later by a Starter) and makes the
	// officers' actions Unavailable.
	Temporal  client.Client
	TaskQueue string
	// Policy is the deadlines of new tips' workflows; zero means
	// workflows.DefaultTipPolicy with ActionDaysFromEnv.
	Policy workflows.TipPolicy
}

// NewService returns the tips domain over d.
func NewService(d Deps) Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Submissions == nil {
		d.Submissions = NewThrottle(30*time.Second, 20, d.Now)
	}
	if d.Guesses == nil {
		d.Guesses = NewThrottle(6*time.Minute, 10, d.Now)
	}
	if d.Challenges == nil {
		d.Challenges = NewChallenges(d.Key, ChallengeTTL, d.Now)
	}
	st := &Starter{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.TaskQueue, Policy: d.Policy, Logger: d.Logger}
	starts := newStartQueue(st.Start, d.Logger)
	return &service{d: d, k: deriveKeys(d.Key), starter: st, starts: starts}
}

type service struct {
	d       Deps
	k       keys
	starter *Starter
	starts  *startQueue
}

var bangkok = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Bangkok")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

func (s *service) today() string { return s.d.Now().In(bangkok).Format(time.DateOnly) }

func (s *service) db(ctx context.Context) *gorm.DB { return s.d.DB.WithContext(ctx) }

func (s *service) Provinces(ctx context.Context) ([]Place, error) {
	var units []models.Unit
	if err := s.db(ctx).Where("type = ?", models.UnitProvince).Order("code").Find(&units).Error; err != nil {
		return nil, err
	}
	return places(units), nil
}

func (s *service) Province(ctx context.Context, code string) (Place, []Place, error) {
	var p models.Unit
	err := s.db(ctx).Where("code = ? AND type = ?", code, models.UnitProvince).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Place{}, nil, apperr.New(apperr.NotFound, "ไม่พบจังหวัดนี้ (no such province)")
	}
	if err != nil {
		return Place{}, nil, err
	}
	var ds []models.Unit
	if err := s.db(ctx).Where("parent_code = ? AND type = ?", code, models.UnitDistrict).Order("code").Find(&ds).Error; err != nil {
		return Place{}, nil, err
	}
	return places([]models.Unit{p})[0], places(ds), nil
}

func (s *service) Target(ctx context.Context, code string) (Target, error) {
	var u models.Unit
	err := s.db(ctx).Where("code = ? AND type IN ?", code, []models.UnitType{models.UnitProvince, models.UnitDistrict}).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.Type == models.UnitDistrict && u.ParentCode == nil) {
		return Target{}, apperr.New(apperr.NotFound, "ไม่พบจังหวัดหรืออำเภอนี้ (no such province or district)")
	}
	if err != nil {
		return Target{}, err
	}
	unit := places([]models.Unit{u})[0]
	if u.Type == models.UnitProvince {
		return Target{Path: "/tip/" + url.PathEscape(u.Code), Unit: unit, Province: unit}, nil
	}
	p, _, err := s.Province(ctx, *u.ParentCode)
	if err != nil {
		return Target{}, err
	}
	return Target{Path: "/tip/" + url.PathEscape(p.Code) + "?district=" + url.QueryEscape(u.Code), Unit: unit, Province: p, District: true}, nil
}

func places(units []models.Unit) []Place {
	out := make([]Place, len(units))
	for i, u := range units {
		out[i] = Place{Code: u.Code, NameTH: u.NameTH, NameEN: u.NameEN}
	}
	return out
}

func tooMany(wait time.Duration) error {
	return apperr.New(apperr.TooManyRequests, "ส่งคำขอถี่เกินไป กรุณารอสักครู่แล้วลองใหม่ (too many requests, please wait and try again)").
		WithRetryAfter(max(wait, time.Second))
}

var errChallengeNeeded = apperr.New(apperr.TooManyRequests,
	"ส่งเบาะแสจากเครือข่ายนี้ถี่เกินไป พิมพ์ตัวเลขในภาพเพื่อส่งเบาะแสนี้ หรือรอสักครู่แล้วลองใหม่ (too many tips from this address: type the digits of the challenge to send this one, or wait and try again)")

// challenge is the TooManyRequests answer to an address over the
// submission throttle: wait, and a new challenge in its details; cause's
// field and message when an answer was refused.
func (s *service) challenge(wait time.Duration, cause error) error {
	c, _, err := s.d.Challenges.New()
	if err != nil {
		return err
	}
	e := apperr.New(apperr.TooManyRequests, "%s", errChallengeNeeded.Message)
	if ce := apperr.As(cause); ce != nil && ce.Field != "" {
		e.Field, e.Message = ce.Field, ce.Message
	}
	return e.WithRetryAfter(max(wait, time.Second)).WithDetails(ChallengeDetails{Challenge: c})
}

func (s *service) ChallengeImage(_ context.Context, id string) ([]byte, error) {
	return s.d.Challenges.Image(id)
}

func (s *service) ChallengeAudio(_ context.Context, id string) ([]byte, error) {
	return s.d.Challenges.Audio(id)
}

func checkText(field, v string, limit int) error {
	if strings.TrimSpace(v) == "" {
		return apperr.Field(field, "กรุณากรอกข้อความ (required)")
	}
	if n := utf8.RuneCountInString(v); n > limit || !utf8.ValidString(v) {
		return apperr.Field(field, "ยาวเกิน %d ตัวอักษร (at most %d characters)", limit, limit)
	}
	return nil
}

func (s *service) Submit(ctx context.Context, in SubmitInput) (Receipt, error) {
	in.ProvinceCode = strings.TrimSpace(in.ProvinceCode)
	in.DistrictCode = strings.TrimSpace(in.DistrictCode)
	in.When = strings.TrimSpace(in.When)
	sub := strings.TrimSpace(in.SubmissionID)
	if sub == "" || len(sub) > MaxSubmissionID {
		return Receipt{}, apperr.Field("submission_id", "ต้องมีรหัสการส่ง ไม่เกิน %d ตัวอักษร (required, at most %d bytes)", MaxSubmissionID, MaxSubmissionID)
	}
	s.starts.noteIntake()
	subLookup := lookup(s.k.submission, sub)
	// A retry answers before anything is spent or checked again (and
	// starts the tip's workflow if the first attempt could not).
	if r, ok, err := s.bySubmission(ctx, subLookup); err != nil || ok {
		return r, err
	}
	if err := checkText("text", in.Text, MaxTextRunes); err != nil {
		return Receipt{}, err
	}
	if utf8.RuneCountInString(in.When) > MaxWhenRunes {
		return Receipt{}, apperr.Field("when", "ยาวเกิน %d ตัวอักษร (at most %d characters)", MaxWhenRunes, MaxWhenRunes)
	}
	// The province and the district in one query.
	var places []models.Unit
	if err := s.db(ctx).Select("code", "type", "parent_code", "inspection_region").
		Where("code IN ?", []string{in.ProvinceCode, in.DistrictCode}).Find(&places).Error; err != nil {
		return Receipt{}, err
	}
	var province models.Unit
	districtOK := in.DistrictCode == ""
	for _, u := range places {
		switch {
		case u.Code == in.ProvinceCode && u.Type == models.UnitProvince:
			province = u
		case u.Code == in.DistrictCode && u.Type == models.UnitDistrict && u.ParentCode != nil && *u.ParentCode == in.ProvinceCode:
			districtOK = true
		}
	}
	if province.Code == "" {
		return Receipt{}, apperr.Field("province_code", "ไม่พบจังหวัดนี้ (no such province)")
	}
	if !districtOK {
		return Receipt{}, apperr.Field("district_code", "ไม่ใช่อำเภอของจังหวัดนี้ (not a district of this province)")
	}
	files, err := s.prepareFiles(in.Files)
	if err != nil {
		return Receipt{}, err
	}
	if wait, ok := s.d.Submissions.Spend(reqctx.ClientAddress(ctx)); !ok {
		// Over the throttle (and only then) a solved challenge lets the
		// tip through; anything else answers a new challenge.
		var cause error = errChallengeNeeded
		if in.ChallengeID != "" || in.ChallengeAnswer != "" {
			cause = s.d.Challenges.Verify(in.ChallengeID, in.ChallengeAnswer)
		}
		if cause != nil {
			return Receipt{}, s.challenge(wait, cause)
		}
	}

	receipt, err := newReceipt()
	if err != nil {
		return Receipt{}, err
	}
	tip := models.Tip{
		ReceiptLookup: lookup(s.k.receipt, receipt), SubmissionLookup: subLookup,
		ProvinceCode: province.Code, DistrictCode: in.DistrictCode, OfficialsInvolved: in.OfficialsInvolved,
		Status: models.TipReceived, SubmittedOn: s.today(),
	}
	switch {
	case in.OfficialsInvolved:
		tip.Route, tip.RouteUnitCode, tip.InspectionRegion = models.TipRouteOfficials, province.Code, province.InspectionRegion
	case in.DistrictCode != "":
		tip.Route, tip.RouteUnitCode = models.TipRouteDistrict, in.DistrictCode
	default:
		tip.Route, tip.RouteUnitCode = models.TipRouteProvince, province.Code
	}
	if tip.ReceiptHash, err = hashReceipt(receipt); err != nil {
		return Receipt{}, err
	}
	if tip.ReceiptSealed, err = s.k.sealText(receipt); err != nil {
		return Receipt{}, err
	}
	if tip.TextSealed, err = s.k.sealText(in.Text); err != nil {
		return Receipt{}, err
	}
	if in.When != "" {
		if tip.WhenSealed, err = s.k.sealText(in.When); err != nil {
			return Receipt{}, err
		}
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&tip).Error; err != nil {
			return err
		}
		return storeFiles(tx, tip.ID, files)
	})
	if err != nil {
		// A concurrent retry of the same submission won the unique index:
		// answer its receipt.
		if r, ok, err2 := s.bySubmission(ctx, subLookup); err2 == nil && ok {
			return r, nil
		}
		return Receipt{}, err
	}
	s.startSoon(tip)
	return Receipt{Receipt: receipt}, nil
}

// startSoon has tip's workflow started in the background (startQueue),
// after its row is committed and without making the informant wait for
// the engine. When Temporal does not answer, or too many wait, the tip
// stays saved with workflow_started false and a Starter's sweep (every
// worker process) starts it later.
func (s *service) startSoon(tip models.Tip) {
	if s.d.Temporal == nil {
		return
	}
	s.starts.enqueue(tip)
}

// bySubmission returns the receipt of the tip stored for subLookup.
func (s *service) bySubmission(ctx context.Context, subLookup string) (Receipt, bool, error) {
	var tip models.Tip
	err := s.db(ctx).Select("id", "receipt_sealed", "workflow_started", "province_code", "route", "route_unit_code", "officials_involved").
		Where("submission_lookup = ?", subLookup).Take(&tip).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Receipt{}, false, nil
	}
	if err != nil {
		return Receipt{}, false, err
	}
	r, err := s.k.openText(tip.ReceiptSealed)
	if err != nil {
		return Receipt{}, false, err
	}
	if !tip.WorkflowStarted {
		s.startSoon(tip)
	}
	return Receipt{Receipt: r}, true, nil
}

var errNoTip = apperr.New(apperr.NotFound, "ไม่พบ (not found)")

// find returns the tip of receipt, spending a guess of the caller's
// address when there is none.
func (s *service) find(ctx context.Context, receipt string) (models.Tip, error) {
	addr := reqctx.ClientAddress(ctx)
	if wait, blocked := s.d.Guesses.Blocked(addr); blocked {
		return models.Tip{}, tooMany(wait)
	}
	wrong := func() (models.Tip, error) {
		s.d.Guesses.Spend(addr)
		return models.Tip{}, errNoTip
	}
	code, ok := NormalizeReceipt(receipt)
	if !ok {
		return wrong()
	}
	var tip models.Tip
	err := s.db(ctx).Where("receipt_lookup = ?", lookup(s.k.receipt, code)).Take(&tip).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return wrong()
	}
	if err != nil {
		return models.Tip{}, err
	}
	if !verifyReceipt(code, tip.ReceiptHash) {
		return wrong()
	}
	return tip, nil
}

func (s *service) FollowUp(ctx context.Context, receipt string) (TipView, error) {
	tip, err := s.find(ctx, receipt)
	if err != nil {
		return TipView{}, err
	}
	return s.view(ctx, tip)
}

func (s *service) AddMessage(ctx context.Context, receipt, text string, files []FileInput) (TipView, error) {
	tip, err := s.find(ctx, receipt)
	if err != nil {
		return TipView{}, err
	}
	if strings.TrimSpace(text) != "" || len(files) == 0 {
		if err := checkText("text", text, MaxTextRunes); err != nil {
			return TipView{}, err
		}
	}
	prepared, err := s.prepareFiles(files)
	if err != nil {
		return TipView{}, err
	}
	var sealed, noteID string
	if strings.TrimSpace(text) != "" {
		if sealed, err = s.k.sealText(text); err != nil {
			return TipView{}, err
		}
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if len(prepared) > 0 {
			var had struct{ Seq, N int }
			if err := tx.Model(&models.TipFile{}).Select("COALESCE(MAX(seq), 0) AS seq, COUNT(*) AS n").
				Where("tip_id = ?", tip.ID).Scan(&had).Error; err != nil {
				return err
			}
			if had.N+len(prepared) > MaxTipFiles {
				return apperr.Field("files", "เรื่องหนึ่งมีไฟล์ได้ไม่เกิน %d ไฟล์ มีแล้ว %d ไฟล์ (a tip holds at most %d files; it has %d)",
					MaxTipFiles, had.N, MaxTipFiles, had.N)
			}
			if err := storeFilesFrom(tx, tip.ID, had.Seq+1, prepared); err != nil {
				return err
			}
			noteID = "f" + strconv.Itoa(had.Seq+1)
		}
		if sealed != "" {
			var last struct{ Seq int }
			if err := tx.Model(&models.TipMessage{}).Select("COALESCE(MAX(seq), 0) AS seq").Where("tip_id = ?", tip.ID).Scan(&last).Error; err != nil {
				return err
			}
			if err := tx.Create(&models.TipMessage{TipID: tip.ID, Seq: last.Seq + 1, Author: models.TipByInformant,
				TextSealed: sealed, SentOn: s.today()}).Error; err != nil {
				return err
			}
			noteID = "m" + strconv.Itoa(last.Seq+1)
		}
		return enqueueReplied(tx, tip, noteID, s.d.Now())
	})
	if err != nil {
		return TipView{}, err
	}
	return s.view(ctx, tip)
}

func (s *service) view(ctx context.Context, tip models.Tip) (TipView, error) {
	v := TipView{Status: tip.Status, ProvinceCode: tip.ProvinceCode, DistrictCode: tip.DistrictCode,
		OfficialsInvolved: tip.OfficialsInvolved, SubmittedOn: tip.SubmittedOn, Messages: []MessageView{}}
	var err error
	if v.Text, err = s.k.openText(tip.TextSealed); err != nil {
		return TipView{}, err
	}
	if tip.WhenSealed != "" {
		if v.When, err = s.k.openText(tip.WhenSealed); err != nil {
			return TipView{}, err
		}
	}
	if v.Files, err = s.fileViews(ctx, tip.ID); err != nil {
		return TipView{}, err
	}
	var msgs []models.TipMessage
	if err := s.db(ctx).Where("tip_id = ?", tip.ID).Order("seq").Find(&msgs).Error; err != nil {
		return TipView{}, err
	}
	for _, m := range msgs {
		text, err := s.k.openText(m.TextSealed)
		if err != nil {
			return TipView{}, err
		}
		v.Messages = append(v.Messages, MessageView{Author: m.Author, Text: text, SentOn: m.SentOn})
	}
	return v, nil
}

// enqueueReplied adds to tx the notification that the informant of tip
// sent more (noteID names the message or first file, so the ID is unique):
// to whoever handles the tip now, with no text of the tip.
func enqueueReplied(tx *gorm.DB, tip models.Tip, noteID string, now time.Time) error {
	row, err := activities.NotificationInput{
		ID:         workflows.TipWorkflowID(tip.ID) + "/informant/" + noteID,
		Kind:       workflows.NotifyTip,
		Recipients: workflows.TipHandlerRecipients(tip.Route, tip.RouteUnitCode, tip.ProvinceCode, tip.InspectionRegion),
		Template:   workflows.NotifyTip,
		Language:   workflows.NotificationLangTH,
		Data:       workflows.TipNotificationData(workflows.TipEventInformantReplied, tip.ID, tip.ProvinceCode, tip.RouteUnitCode, tip.Status, tip.DueAt),
		CreatedAt:  now.UTC(),
	}.Row()
	if err != nil {
		return err
	}
	return tx.Create(&row).Error
}
