package kpi

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// Deps are what NewService needs. DB is required; DataDir and
// MaxUploadBytes are the evidence store's (as for report evidence).
type Deps struct {
	DB             *gorm.DB
	DataDir        string
	MaxUploadBytes int64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives what the service cannot answer with; nil means
	// slog.Default().
	Logger *slog.Logger
}

// NewService returns the KPI domain over d.
func NewService(d Deps) Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &service{d: d, files: directives.EvidenceStore{DataDir: d.DataDir, MaxUploadBytes: d.MaxUploadBytes}}
}

type service struct {
	d     Deps
	files directives.EvidenceStore
}

func (s *service) now() time.Time {
	if s.d.Now != nil {
		return s.d.Now()
	}
	return time.Now()
}

func (s *service) db(ctx context.Context) *gorm.DB { return s.d.DB.WithContext(ctx) }

func signedIn(p *auth.Principal) error {
	if p == nil {
		return apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	return nil
}

func requireSecretariat(p *auth.Principal) error {
	if err := p.RequireWritable(); err != nil {
		return err
	}
	return p.Require(models.RoleAdmin, models.RoleSecretariat)
}

//go:embed templates/*.json
var templateFS embed.FS

var (
	templatesOnce sync.Once
	templates     []Template
	templatesErr  error
)

// shippedTemplates parses the embedded templates once; each must be a
// valid scheme (checked by the same rules as CreateScheme).
func shippedTemplates() ([]Template, error) {
	templatesOnce.Do(func() {
		names, err := fs.Glob(templateFS, "templates/*.json")
		if err != nil {
			templatesErr = err
			return
		}
		for _, n := range names {
			b, err := templateFS.ReadFile(n)
			if err != nil {
				templatesErr = err
				return
			}
			var raw struct {
				Code       string           `json:"code"`
				NameTH     string           `json:"name_th"`
				NameEN     string           `json:"name_en"`
				PeriodFrom string           `json:"period_from"`
				PeriodTo   string           `json:"period_to"`
				Criteria   []CriterionInput `json:"criteria"`
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				templatesErr = fmt.Errorf("kpi: template %s: %w", n, err)
				return
			}
			if err := checkCriteria(raw.Criteria); err != nil {
				templatesErr = fmt.Errorf("kpi: template %s: %w", n, err)
				return
			}
			templates = append(templates, Template{Code: raw.Code, NameTH: raw.NameTH, NameEN: raw.NameEN,
				PeriodFrom: raw.PeriodFrom, PeriodTo: raw.PeriodTo, Criteria: criteriaViews(raw.Criteria)})
		}
		sort.Slice(templates, func(i, j int) bool { return templates[i].Code < templates[j].Code })
	})
	return templates, templatesErr
}

// criteriaViews numbers criteria and indicators as CreateScheme stores
// them.
func criteriaViews(in []CriterionInput) []CriterionView {
	out := make([]CriterionView, len(in))
	for i, c := range in {
		v := CriterionView{Number: i + 1, TitleTH: strings.TrimSpace(c.TitleTH), TitleEN: strings.TrimSpace(c.TitleEN),
			Points: c.Points, Kind: c.Kind, Formula: c.Formula, Indicators: []IndicatorView{}}
		for j, ind := range c.Indicators {
			v.Indicators = append(v.Indicators, IndicatorView{Number: j + 1, TextTH: strings.TrimSpace(ind.TextTH), TextEN: strings.TrimSpace(ind.TextEN)})
		}
		out[i] = v
	}
	return out
}

// formulas are the known formulas of computed criteria.
var formulas = map[string]bool{FormulaAttendanceByHead: true, FormulaOnTimeOperation: true}

// checkCriteria applies CreateScheme's rules to criteria.
func checkCriteria(cs []CriterionInput) error {
	if len(cs) == 0 {
		return apperr.Field("criteria", "กรุณาระบุเกณฑ์อย่างน้อยหนึ่งข้อ หรือเลือกแม่แบบ (give the criteria or a template)")
	}
	if len(cs) > MaxCriteria {
		return apperr.Field("criteria", "มีเกณฑ์ได้ไม่เกิน %d ข้อ (at most %d criteria)", MaxCriteria, MaxCriteria)
	}
	sum := 0
	for i, c := range cs {
		f := fmt.Sprintf("criteria[%d]", i)
		switch {
		case strings.TrimSpace(c.TitleTH) == "":
			return apperr.Field(f+".title_th", "กรุณาระบุชื่อเกณฑ์ (title_th is required)")
		case c.Points < 1 || c.Points > TotalPoints:
			return apperr.Field(f+".points", "คะแนนต้องอยู่ระหว่าง 1 ถึง %d (points must be 1–%d)", TotalPoints, TotalPoints)
		case c.Kind != models.KPIComputed && c.Kind != models.KPIEntered:
			return apperr.Field(f+".kind", "ชนิดต้องเป็น computed หรือ entered (kind must be computed or entered)")
		case c.Kind == models.KPIComputed && !formulas[c.Formula]:
			return apperr.Field(f+".formula", "ไม่รู้จักสูตร %q: ใช้ %s หรือ %s (unknown formula)", c.Formula, FormulaAttendanceByHead, FormulaOnTimeOperation)
		case c.Kind == models.KPIEntered && c.Formula != "":
			return apperr.Field(f+".formula", "เกณฑ์ที่จังหวัดกรอกเองไม่มีสูตร (an entered criterion has no formula)")
		case len(c.Indicators) > MaxIndicators:
			return apperr.Field(f+".indicators", "ตัวชี้วัดได้ไม่เกิน %d ข้อต่อเกณฑ์ (at most %d indicators)", MaxIndicators, MaxIndicators)
		}
		for j, ind := range c.Indicators {
			if strings.TrimSpace(ind.TextTH) == "" {
				return apperr.Field(fmt.Sprintf("%s.indicators[%d].text_th", f, j), "กรุณาระบุตัวชี้วัด (text_th is required)")
			}
		}
		sum += c.Points
	}
	if sum != TotalPoints {
		return apperr.Field("criteria", "คะแนนของทุกเกณฑ์รวมกันต้องเท่ากับ %d พอดี แต่รวมได้ %d (the points must sum to exactly %d; they sum to %d)",
			TotalPoints, sum, TotalPoints, sum).WithDetails(map[string]int{"sum": sum, "required": TotalPoints})
	}
	return nil
}

// Templates implements Service.
func (s *service) Templates(_ context.Context, p *auth.Principal) ([]Template, error) {
	if err := signedIn(p); err != nil {
		return nil, err
	}
	return shippedTemplates()
}

func findTemplate(code string) (Template, bool, error) {
	ts, err := shippedTemplates()
	if err != nil {
		return Template{}, false, err
	}
	for _, t := range ts {
		if t.Code == code {
			return t, true, nil
		}
	}
	return Template{}, false, nil
}

// parsePeriod reads the period's two dates for field names from/to.
func parsePeriod(fromS, toS string) (thaidate.Date, thaidate.Date, error) {
	var from, to thaidate.Date
	var err error
	if strings.TrimSpace(fromS) == "" {
		return from, to, apperr.Field("period_from", "กรุณาระบุวันเริ่มประเมิน (period_from is required)")
	}
	if strings.TrimSpace(toS) == "" {
		return from, to, apperr.Field("period_to", "กรุณาระบุวันสิ้นสุดการประเมิน (period_to is required)")
	}
	if from, err = thaidate.Parse(fromS); err != nil {
		return from, to, apperr.Field("period_from", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
	}
	if to, err = thaidate.Parse(toS); err != nil {
		return from, to, apperr.Field("period_to", "วันที่ไม่ถูกต้อง (invalid date): %v", err)
	}
	if to.Before(from) {
		return from, to, apperr.Field("period_to", "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม (period_to is before period_from)")
	}
	return from, to, nil
}

// CreateScheme implements Service.
func (s *service) CreateScheme(ctx context.Context, p *auth.Principal, in SchemeInput) (SchemeDetail, error) {
	var out SchemeDetail
	if err := requireSecretariat(p); err != nil {
		return out, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return out, apperr.Field("name", "กรุณาตั้งชื่อชุดตัวชี้วัด (name is required)")
	}
	if utf8.RuneCountInString(name) > 200 {
		return out, apperr.Field("name", "ชื่อยาวเกิน 200 ตัวอักษร (name longer than 200 characters)")
	}
	criteria := in.Criteria
	tmpl := strings.TrimSpace(in.Template)
	if tmpl != "" {
		if len(in.Criteria) > 0 {
			return out, apperr.Field("criteria", "เลือกแม่แบบหรือระบุเกณฑ์อย่างใดอย่างหนึ่ง (give a template or criteria, not both)")
		}
		t, ok, err := findTemplate(tmpl)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, apperr.Field("template", "ไม่พบแม่แบบ %q (unknown template)", tmpl)
		}
		criteria = make([]CriterionInput, len(t.Criteria))
		for i, c := range t.Criteria {
			ci := CriterionInput{TitleTH: c.TitleTH, TitleEN: c.TitleEN, Points: c.Points, Kind: c.Kind, Formula: c.Formula}
			for _, ind := range c.Indicators {
				ci.Indicators = append(ci.Indicators, IndicatorInput{TextTH: ind.TextTH, TextEN: ind.TextEN})
			}
			criteria[i] = ci
		}
		if strings.TrimSpace(in.PeriodFrom) == "" && strings.TrimSpace(in.PeriodTo) == "" {
			in.PeriodFrom, in.PeriodTo = t.PeriodFrom, t.PeriodTo
		}
	}
	from, to, err := parsePeriod(in.PeriodFrom, in.PeriodTo)
	if err != nil {
		return out, err
	}
	if err := checkCriteria(criteria); err != nil {
		return out, err
	}
	views := criteriaViews(criteria)
	row := models.KPIScheme{Name: name, PeriodFrom: from.String(), PeriodTo: to.String(), Template: tmpl,
		CreatedBy: p.Username, CreatedAt: s.now().UTC()}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		for _, c := range views {
			if err := tx.Create(&models.KPICriterion{SchemeID: row.ID, Number: c.Number, TitleTH: c.TitleTH, TitleEN: c.TitleEN,
				Points: c.Points, Kind: c.Kind, Formula: c.Formula}).Error; err != nil {
				return err
			}
			for _, ind := range c.Indicators {
				if err := tx.Create(&models.KPIIndicator{SchemeID: row.ID, CriterionNumber: c.Number, Number: ind.Number,
					TextTH: ind.TextTH, TextEN: ind.TextEN}).Error; err != nil {
					return err
				}
			}
		}
		out = SchemeDetail{SchemeView: viewScheme(row), Criteria: views}
		return store.RecordAudit(tx, models.AuditEvent{Actor: p.Username, Action: "kpi.scheme_create", EntityType: "kpi_scheme",
			EntityID: fmt.Sprint(row.ID), After: store.JSONText(out), RequestID: reqctx.RequestID(ctx)})
	})
	return out, err
}

func viewScheme(m models.KPIScheme) SchemeView {
	v := SchemeView{ID: m.ID, Name: m.Name, PeriodFrom: m.PeriodFrom, PeriodTo: m.PeriodTo, Template: m.Template,
		CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt}
	if d, err := thaidate.ParseISO(m.PeriodFrom); err == nil {
		v.PeriodFromBE = thaidate.FormatBE(d)
	}
	if d, err := thaidate.ParseISO(m.PeriodTo); err == nil {
		v.PeriodToBE = thaidate.FormatBE(d)
	}
	return v
}

// ListSchemes implements Service.
func (s *service) ListSchemes(ctx context.Context, p *auth.Principal) (listing.Page[SchemeView], error) {
	out := listing.Page[SchemeView]{Items: []SchemeView{}}
	if err := signedIn(p); err != nil {
		return out, err
	}
	var rows []models.KPIScheme
	if err := s.db(ctx).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		out.Items = append(out.Items, viewScheme(r))
	}
	out.Total = int64(len(out.Items))
	return out, nil
}

// loadScheme reads scheme id with its criteria and indicators.
func (s *service) loadScheme(ctx context.Context, id int64) (models.KPIScheme, SchemeDetail, error) {
	var row models.KPIScheme
	err := s.db(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, SchemeDetail{}, apperr.New(apperr.NotFound, "ไม่พบชุดตัวชี้วัดรหัส %d (KPI scheme not found)", id)
	} else if err != nil {
		return row, SchemeDetail{}, err
	}
	var crit []models.KPICriterion
	if err := s.db(ctx).Where("scheme_id = ?", id).Order("number").Find(&crit).Error; err != nil {
		return row, SchemeDetail{}, err
	}
	var inds []models.KPIIndicator
	if err := s.db(ctx).Where("scheme_id = ?", id).Order("criterion_number, number").Find(&inds).Error; err != nil {
		return row, SchemeDetail{}, err
	}
	out := SchemeDetail{SchemeView: viewScheme(row), Criteria: make([]CriterionView, len(crit))}
	at := map[int]int{}
	for i, c := range crit {
		out.Criteria[i] = CriterionView{Number: c.Number, TitleTH: c.TitleTH, TitleEN: c.TitleEN, Points: c.Points,
			Kind: c.Kind, Formula: c.Formula, Indicators: []IndicatorView{}}
		at[c.Number] = i
	}
	for _, ind := range inds {
		if i, ok := at[ind.CriterionNumber]; ok {
			out.Criteria[i].Indicators = append(out.Criteria[i].Indicators, IndicatorView{Number: ind.Number, TextTH: ind.TextTH, TextEN: ind.TextEN})
		}
	}
	return row, out, nil
}

// Scheme implements Service.
func (s *service) Scheme(ctx context.Context, p *auth.Principal, id int64) (SchemeDetail, error) {
	if err := signedIn(p); err != nil {
		return SchemeDetail{}, err
	}
	_, out, err := s.loadScheme(ctx, id)
	return out, err
}
