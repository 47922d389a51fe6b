package tips

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/engine"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// This file is the officers' handling of a tip: reading one, and the
// actions sent to its workflow as Updates (workflows.UpdateTip*). The
// workflow writes the tips row with a regular activity before the Update
// returns, so the answer read afterwards is the caller's own write.

var errNoSuchTip = apperr.New(apperr.NotFound, "ไม่พบเบาะแสนี้ (no such tip)")

// load returns tip id if p may read it.
func (s *service) load(ctx context.Context, p *auth.Principal, id int64) (models.Tip, error) {
	q, err := scope(p, s.db(ctx).Model(&models.Tip{}))
	if err != nil {
		return models.Tip{}, err
	}
	var tip models.Tip
	err = q.Where("id = ?", id).Take(&tip).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Tip{}, errNoSuchTip
	}
	return tip, err
}

// audit records actions on tip id by p in one transaction.
func (s *service) audit(ctx context.Context, p *auth.Principal, id int64, after string, actions ...string) error {
	return s.db(ctx).Transaction(func(tx *gorm.DB) error {
		for _, a := range actions {
			ev := models.AuditEvent{Actor: p.Username, Action: a, EntityType: "tip", EntityID: fmt.Sprint(id),
				RequestID: reqctx.RequestID(ctx)}
			if a != "tip.read" {
				ev.After = after
			}
			if err := store.RecordAudit(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *service) Get(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error) {
	tip, err := s.load(ctx, p, id)
	if err != nil {
		return OfficerView{}, err
	}
	v, err := s.officerView(ctx, tip)
	if err != nil {
		return OfficerView{}, err
	}
	if err := s.audit(ctx, p, id, "", "tip.read"); err != nil {
		return OfficerView{}, err
	}
	return v, nil
}

// handler returns tip id if p's unit handles it and may change it.
func (s *service) handler(ctx context.Context, p *auth.Principal, id int64) (models.Tip, error) {
	tip, err := s.load(ctx, p, id)
	if err != nil {
		return models.Tip{}, err
	}
	if err := p.RequireWritable(); err != nil {
		return models.Tip{}, err
	}
	if !p.HasRole(models.RoleProvince, models.RoleDistrict) || p.UnitCode != tip.RouteUnitCode {
		return models.Tip{}, apperr.New(apperr.Forbidden,
			"เฉพาะหน่วยงานที่รับผิดชอบเบาะแสนี้ดำเนินการได้ (only the unit handling this tip may act on it)")
	}
	if tip.Status == models.TipClosed {
		return models.Tip{}, apperr.New(apperr.Conflict, "เบาะแสนี้ปิดแล้ว (this tip is closed)")
	}
	return tip, nil
}

// update sends an Update to tip's workflow, starting the workflow first
// if the submission could not, and retrying for a few seconds while it is
// still starting.
func (s *service) update(ctx context.Context, tip models.Tip, name string, arg any) (workflows.TipState, error) {
	var out workflows.TipState
	if err := s.ensureStarted(ctx, &tip); err != nil {
		return out, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := engine.Update(ctx, s.d.Temporal, workflows.TipWorkflowID(tip.ID), name, arg, &out)
		if apperr.CodeOf(err) != apperr.Unavailable || time.Now().Add(wait).After(deadline) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(wait):
		}
	}
}

// ensureStarted makes sure tip's workflow runs (starting it if the
// submission could not), so that an action can reach it. Unavailable
// without a workflow engine or when the start fails: nothing was changed.
func (s *service) ensureStarted(ctx context.Context, tip *models.Tip) error {
	if s.d.Temporal == nil {
		return engine.ErrUnavailable()
	}
	if !tip.WorkflowStarted {
		if err := s.starter.Start(ctx, *tip); err != nil {
			return err
		}
		tip.WorkflowStarted = true
	}
	return nil
}

// act runs one action: the Update, then the audit of the action and of
// the read its answer is, then the answer.
func (s *service) act(ctx context.Context, p *auth.Principal, tip models.Tip, name string, arg any, action string, after any) (OfficerView, error) {
	if _, err := s.update(ctx, tip, name, arg); err != nil {
		return OfficerView{}, err
	}
	b, _ := json.Marshal(after)
	if err := s.audit(ctx, p, tip.ID, string(b), action, "tip.read"); err != nil {
		return OfficerView{}, err
	}
	var fresh models.Tip
	if err := s.db(ctx).Where("id = ?", tip.ID).Take(&fresh).Error; err != nil {
		return OfficerView{}, err
	}
	return s.officerView(ctx, fresh)
}

func (s *service) Acknowledge(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error) {
	tip, err := s.handler(ctx, p, id)
	if err != nil {
		return OfficerView{}, err
	}
	return s.act(ctx, p, tip, workflows.UpdateTipAcknowledge, workflows.TipActionInput{Actor: p.Username, UnitCode: p.UnitCode},
		"tip.acknowledge", map[string]string{"unit_code": p.UnitCode})
}

func (s *service) Forward(ctx context.Context, p *auth.Principal, id int64, districtCode string) (OfficerView, error) {
	tip, err := s.handler(ctx, p, id)
	if err != nil {
		return OfficerView{}, err
	}
	districtCode = strings.TrimSpace(districtCode)
	if tip.Route != models.TipRouteProvince {
		return OfficerView{}, apperr.New(apperr.Conflict,
			"ส่งต่อได้เฉพาะเบาะแสที่ส่งถึงจังหวัด ไม่ใช่เรื่องเกี่ยวกับเจ้าหน้าที่รัฐ (only a tip routed to the province, not involving officials, may be forwarded)")
	}
	var n int64
	if districtCode != "" {
		if err := s.db(ctx).Model(&models.Unit{}).Where("code = ? AND type = ? AND parent_code = ?",
			districtCode, models.UnitDistrict, tip.ProvinceCode).Count(&n).Error; err != nil {
			return OfficerView{}, err
		}
	}
	if n == 0 {
		return OfficerView{}, apperr.Field("district_code", "ไม่ใช่อำเภอของจังหวัดนี้ (not a district of this province)")
	}
	return s.act(ctx, p, tip, workflows.UpdateTipForward,
		workflows.TipForwardInput{Actor: p.Username, UnitCode: p.UnitCode, DistrictCode: districtCode},
		"tip.forward", map[string]string{"district_code": districtCode})
}

func (s *service) ChangeStage(ctx context.Context, p *auth.Principal, id int64, in StageInput) (OfficerView, error) {
	tip, err := s.handler(ctx, p, id)
	if err != nil {
		return OfficerView{}, err
	}
	in.Stage, in.Agency = strings.TrimSpace(in.Stage), strings.TrimSpace(in.Agency)
	if !slices.Contains(models.TipStages, in.Stage) || in.Stage == models.TipReceived {
		return OfficerView{}, apperr.Field("stage", "ขั้นตอนไม่ถูกต้อง (stage must be one of under_investigation, referred, arrest_made, no_grounds, closed)")
	}
	switch {
	case in.Stage == models.TipReferred && in.Agency == "":
		return OfficerView{}, apperr.Field("agency", "ต้องระบุหน่วยงานที่ส่งต่อ (the agency is required)")
	case in.Stage != models.TipReferred && in.Agency != "":
		return OfficerView{}, apperr.Field("agency", "ระบุหน่วยงานได้เฉพาะขั้นส่งต่อหน่วยงาน (an agency goes only with referred)")
	case utf8.RuneCountInString(in.Agency) > workflows.TipMaxAgencyRunes || strings.ContainsAny(in.Agency, "\r\n"):
		return OfficerView{}, apperr.Field("agency", "ไม่เกิน %d ตัวอักษร บรรทัดเดียว (at most %d characters on one line)",
			workflows.TipMaxAgencyRunes, workflows.TipMaxAgencyRunes)
	case utf8.RuneCountInString(in.Note) > MaxTextRunes:
		return OfficerView{}, apperr.Field("note", "ยาวเกิน %d ตัวอักษร (at most %d characters)", MaxTextRunes, MaxTextRunes)
	}
	if !workflows.TipStageAllowed(tip.Status, in.Stage) {
		e := apperr.New(apperr.Conflict, "เปลี่ยนจาก %s เป็น %s ไม่ได้ (cannot move from %s to %s)", tip.Status, in.Stage, tip.Status, in.Stage)
		e.Field = "stage"
		return OfficerView{}, e
	}
	// The note is stored only once the workflow can be reached.
	if err := s.ensureStarted(ctx, &tip); err != nil {
		return OfficerView{}, err
	}
	noteSeq := 0
	if strings.TrimSpace(in.Note) != "" {
		if noteSeq, err = s.addOfficerMessage(ctx, tip.ID, in.Note); err != nil {
			return OfficerView{}, err
		}
	}
	v, err := s.act(ctx, p, tip, workflows.UpdateTipStage,
		workflows.TipStageInput{Actor: p.Username, UnitCode: p.UnitCode, Stage: in.Stage, Agency: in.Agency, NoteSeq: noteSeq},
		"tip.stage", map[string]any{"stage": in.Stage, "agency": in.Agency, "note_seq": noteSeq})
	if c := apperr.CodeOf(err); err != nil && noteSeq > 0 &&
		(c == apperr.Invalid || c == apperr.Conflict || c == apperr.Forbidden || c == apperr.NotFound) {
		// The workflow refused the change: the note must not reach the
		// informant. (When the engine did not answer the change may still
		// have happened, so the note stays.)
		if derr := s.db(ctx).Where("tip_id = ? AND seq = ?", tip.ID, noteSeq).Delete(&models.TipMessage{}).Error; derr != nil {
			s.d.Logger.Warn("removing the note of a refused stage change failed", "tip", tip.ID, "error", derr)
		}
	}
	return v, err
}

// addOfficerMessage seals text as the tip's next officer message and
// returns its number.
func (s *service) addOfficerMessage(ctx context.Context, tipID int64, text string) (int, error) {
	sealed, err := s.k.sealText(text)
	if err != nil {
		return 0, err
	}
	var seq int
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var last struct{ Seq int }
		if err := tx.Model(&models.TipMessage{}).Select("COALESCE(MAX(seq), 0) AS seq").Where("tip_id = ?", tipID).Scan(&last).Error; err != nil {
			return err
		}
		seq = last.Seq + 1
		return tx.Create(&models.TipMessage{TipID: tipID, Seq: seq, Author: models.TipByOfficer, TextSealed: sealed, SentOn: s.today()}).Error
	})
	return seq, err
}

func (s *service) ReferUp(ctx context.Context, p *auth.Principal, id int64) (OfficerView, error) {
	tip, err := s.handler(ctx, p, id)
	if err != nil {
		return OfficerView{}, err
	}
	if tip.Route == models.TipRouteDistrict {
		return OfficerView{}, apperr.New(apperr.Conflict, "เฉพาะจังหวัดส่งเบาะแสถึงฝ่ายเลขานุการได้ (only a province refers a tip up)")
	}
	return s.act(ctx, p, tip, workflows.UpdateTipReferUp, workflows.TipActionInput{Actor: p.Username, UnitCode: p.UnitCode},
		"tip.refer_up", map[string]string{"unit_code": p.UnitCode})
}
