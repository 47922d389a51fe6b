package kpi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/models"
)

// EvidenceField is the multipart part name of an entry's evidence files.
const EvidenceField = "evidence"

// criterion returns criterion n of scheme id, or NotFound.
func (s *service) criterion(ctx context.Context, id int64, n int) (models.KPICriterion, error) {
	var c models.KPICriterion
	err := s.db(ctx).Where("id = ?", id).Take(&models.KPIScheme{}).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, apperr.New(apperr.NotFound, "ไม่พบชุดตัวชี้วัดรหัส %d (KPI scheme not found)", id)
	} else if err != nil {
		return c, err
	}
	err = s.db(ctx).Where("scheme_id = ? AND number = ?", id, n).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return c, apperr.New(apperr.NotFound, "ไม่พบเกณฑ์ข้อ %d ของชุดตัวชี้วัดนี้ (criterion not found)", n)
	}
	return c, err
}

// SubmitEntry implements Service.
func (s *service) SubmitEntry(ctx context.Context, p *auth.Principal, ref CriterionRef, in EntrySubmission) (EntryView, error) {
	var out EntryView
	if err := p.RequireWritable(); err != nil {
		return out, err
	}
	if err := p.Require(models.RoleProvince); err != nil {
		return out, err
	}
	if p.UnitCode != ref.UnitCode {
		return out, apperr.New(apperr.Forbidden, "กรอกคะแนนได้เฉพาะของจังหวัดตนเอง (a province enters only its own scores)")
	}
	var sc models.KPIScheme
	if err := s.db(ctx).Where("id = ?", ref.SchemeID).Take(&sc).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return out, apperr.New(apperr.NotFound, "ไม่พบชุดตัวชี้วัดรหัส %d (KPI scheme not found)", ref.SchemeID)
	} else if err != nil {
		return out, err
	}
	if _, err := s.province(ctx, p, ref.UnitCode); err != nil {
		return out, err
	}
	c, err := s.criterion(ctx, ref.SchemeID, ref.Criterion)
	if err != nil {
		return out, err
	}
	if c.Kind != models.KPIEntered {
		return out, apperr.New(apperr.Conflict, "เกณฑ์ข้อ %d คำนวณจากข้อมูลในระบบ กรอกคะแนนเองไม่ได้ (criterion %d is computed; it cannot be entered)", c.Number, c.Number)
	}
	value, note := strings.TrimSpace(in.Value), strings.TrimSpace(in.Note)
	switch {
	case in.Score == nil:
		return out, apperr.Field("score", "กรุณาระบุคะแนน (score is required)")
	case math.IsNaN(*in.Score) || *in.Score < 0 || *in.Score > float64(c.Points):
		return out, apperr.Field("score", "คะแนนต้องอยู่ระหว่าง 0 ถึง %d (score must be from 0 to %d)", c.Points, c.Points)
	case math.Abs(*in.Score*100-math.Round(*in.Score*100)) > 1e-6:
		return out, apperr.Field("score", "คะแนนมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (at most two decimals)")
	case utf8.RuneCountInString(value) > 200 || strings.ContainsAny(value, "\r\n"):
		return out, apperr.Field("value", "ค่าที่วัดได้ต้องเป็นข้อความบรรทัดเดียว ไม่เกิน 200 ตัวอักษร (one line, at most 200 characters)")
	case utf8.RuneCountInString(note) > 2000:
		return out, apperr.Field("note", "หมายเหตุยาวเกิน 2,000 ตัวอักษร (note longer than 2,000 characters)")
	}
	files, err := s.files.Save(EvidenceField, in.Files)
	if err != nil {
		return out, err
	}
	row := models.KPIEntry{SchemeID: ref.SchemeID, UnitCode: ref.UnitCode, CriterionNumber: c.Number, Score: round2(*in.Score),
		Value: value, Note: note, Status: models.KPIEntrySubmitted, SubmittedBy: p.Username, SubmittedAt: s.now().UTC()}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for i, f := range files {
			if err := tx.Create(&models.KPIEvidence{EntryID: row.ID, Seq: i, Name: f.Name, Size: f.Size, SHA256: f.SHA256,
				ContentType: f.ContentType}).Error; err != nil {
				return err
			}
		}
		ev, err := loadEntries(tx, row.SchemeID, row.UnitCode, row.CriterionNumber, row.ID)
		if err != nil {
			return err
		}
		out = ev[0]
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "kpi.entry_submit", EntityType: "kpi_entry",
			EntityID: fmt.Sprint(row.ID), After: store.JSONText(out), RequestID: reqctx.RequestID(ctx)})
	})
	return out, err
}

// VerifyEntry implements Service.
func (s *service) VerifyEntry(ctx context.Context, p *auth.Principal, ref EntryRef, in ReviewInput) (EntryView, error) {
	return s.review(ctx, p, ref, models.KPIEntryVerified, strings.TrimSpace(in.Reason))
}

// ReturnEntry implements Service.
func (s *service) ReturnEntry(ctx context.Context, p *auth.Principal, ref EntryRef, in ReviewInput) (EntryView, error) {
	reason := strings.TrimSpace(in.Reason)
	if err := requireSecretariat(p); err != nil {
		return EntryView{}, err
	}
	if reason == "" {
		return EntryView{}, apperr.Field("reason", "กรุณาระบุเหตุผลที่ส่งกลับ (reason is required)")
	}
	return s.review(ctx, p, ref, models.KPIEntryReturned, reason)
}

func (s *service) review(ctx context.Context, p *auth.Principal, ref EntryRef, status, reason string) (EntryView, error) {
	var out EntryView
	if err := requireSecretariat(p); err != nil {
		return out, err
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return out, apperr.Field("reason", "เหตุผลยาวเกิน 2,000 ตัวอักษร (reason longer than 2,000 characters)")
	}
	if _, err := s.province(ctx, p, ref.UnitCode); err != nil {
		return out, err
	}
	if _, err := s.criterion(ctx, ref.SchemeID, ref.Criterion); err != nil {
		return out, err
	}
	now := s.now().UTC()
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.KPIEntry
		err := tx.Where("id = ? AND scheme_id = ? AND unit_code = ? AND criterion_number = ?", ref.EntryID, ref.SchemeID, ref.UnitCode, ref.Criterion).Take(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, "ไม่พบรายการคะแนนรหัส %d (entry not found)", ref.EntryID)
		} else if err != nil {
			return err
		}
		if e.Status != models.KPIEntrySubmitted {
			return apperr.New(apperr.Conflict, "รายการนี้ได้รับการพิจารณาแล้ว (%s) (the entry was already reviewed: %s)", e.Status, e.Status)
		}
		res := tx.Model(&models.KPIEntry{}).Where("id = ? AND status = ?", e.ID, models.KPIEntrySubmitted).
			Updates(map[string]any{"status": status, "reviewed_by": p.Username, "reviewed_at": now, "reason": reason})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.Conflict, "รายการนี้ได้รับการพิจารณาแล้ว (the entry was already reviewed)")
		}
		ev, err := loadEntries(tx, e.SchemeID, e.UnitCode, e.CriterionNumber, e.ID)
		if err != nil {
			return err
		}
		out = ev[0]
		action := "kpi.entry_verify"
		if status == models.KPIEntryReturned {
			action = "kpi.entry_return"
		}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: action, EntityType: "kpi_entry",
			EntityID: fmt.Sprint(e.ID), Before: store.JSONText(map[string]string{"status": e.Status}),
			After: store.JSONText(map[string]string{"status": status, "reason": reason}), RequestID: reqctx.RequestID(ctx)})
	})
	return out, err
}

// entries lists the entries of one province in a scheme (of criterion n
// when n > 0), newest first, with their evidence.
func (s *service) entries(ctx context.Context, schemeID int64, unit string, n int) ([]EntryView, error) {
	return loadEntries(s.db(ctx), schemeID, unit, n, 0)
}

// loadEntries reads entries (one entry when id > 0) with evidence.
func loadEntries(db *gorm.DB, schemeID int64, unit string, n int, id int64) ([]EntryView, error) {
	q := db.Where("scheme_id = ? AND unit_code = ?", schemeID, unit)
	if n > 0 {
		q = q.Where("criterion_number = ?", n)
	}
	if id > 0 {
		q = q.Where("id = ?", id)
	}
	var rows []models.KPIEntry
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]EntryView, len(rows))
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	for i, e := range rows {
		out[i] = EntryView{ID: e.ID, SchemeID: e.SchemeID, UnitCode: e.UnitCode, CriterionNumber: e.CriterionNumber, Score: e.Score,
			Value: e.Value, Note: e.Note, Status: e.Status, SubmittedBy: e.SubmittedBy, SubmittedAt: e.SubmittedAt,
			ReviewedBy: e.ReviewedBy, ReviewedAt: e.ReviewedAt, Reason: e.Reason, Evidence: []EvidenceView{}}
		ids[i] = e.ID
		at[e.ID] = i
	}
	if len(ids) > 0 {
		var files []models.KPIEvidence
		if err := db.Session(&gorm.Session{NewDB: true}).Where("entry_id IN ?", ids).Order("entry_id, seq").Find(&files).Error; err != nil {
			return nil, err
		}
		for _, f := range files {
			i := at[f.EntryID]
			e := out[i]
			out[i].Evidence = append(out[i].Evidence, EvidenceView{Name: f.Name, Size: f.Size, SHA256: f.SHA256, ContentType: f.ContentType,
				DownloadPath: fmt.Sprintf("/api/v1/kpi/schemes/%d/provinces/%s/criteria/%d/entries/%d/evidence/%d", e.SchemeID, e.UnitCode, e.CriterionNumber, e.ID, f.Seq)})
		}
	}
	return out, nil
}

// Evidence implements Service.
func (s *service) Evidence(ctx context.Context, p *auth.Principal, ref EntryRef, i int) (directives.StoredFile, error) {
	var zero directives.StoredFile
	if err := signedIn(p); err != nil {
		return zero, err
	}
	if _, err := s.province(ctx, p, ref.UnitCode); err != nil {
		return zero, err
	}
	var f models.KPIEvidence
	err := s.db(ctx).Table("kpi_evidence").Select("kpi_evidence.*").
		Joins("JOIN kpi_entries e ON e.id = kpi_evidence.entry_id").
		Where("e.id = ? AND e.scheme_id = ? AND e.unit_code = ? AND e.criterion_number = ? AND kpi_evidence.seq = ?",
			ref.EntryID, ref.SchemeID, ref.UnitCode, ref.Criterion, i).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return zero, apperr.New(apperr.NotFound, "ไม่พบไฟล์หลักฐาน (evidence file not found)")
	} else if err != nil {
		return zero, err
	}
	return s.files.Open(f.SHA256, f.Name, f.ContentType)
}
