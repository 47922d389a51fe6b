// Package kpi is the KPI scorecard domain: schemes (a name, an assessment
// period and criteria worth 100 points in all, each with indicators), the
// shipped templates a scheme is made from (the 14 criteria and 34
// indicators of the urgent 3-month plan), each province's score per
// criterion and in total with a ranking, and the scores provinces enter
// for entered criteria with evidence files, which the secretariat verifies
// or returns.
//
// A criterion is either computed from tidtam's own records by a named
// formula (FormulaAttendanceByHead, FormulaOnTimeOperation; docs/KPI.md
// states each exactly) or entered. Computed scores are computed when they
// are read, from the records as they are at that moment, so a criterion's
// score follows its data (a late report lowers "efficient operation" on the
// next read) and nothing needs to be recomputed.
//
// Service is what the JSON handlers (package api) and the web pages call;
// each method decides who may call it from the *auth.Principal passed in.
// Errors are *apperr.Error values (Invalid with Field, NotFound, Conflict,
// Forbidden, Unauthorized for a nil principal) or, for an unreachable
// database, the error as it is.
package kpi

import (
	"context"
	"mime/multipart"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/listing"
)

// The formulas of computed criteria.
const (
	// FormulaAttendanceByHead: points × (meetings attended by the governor
	// or a vice governor ÷ meetings held in the period).
	FormulaAttendanceByHead = "attendance_by_head"
	// FormulaOnTimeOperation: points × the mean of the on-time
	// acknowledgement rate and the on-time reporting rate of the province
	// and its districts in the period.
	FormulaOnTimeOperation = "on_time_operation"
)

// Limits of a scheme.
const (
	// TotalPoints is what the points of a scheme's criteria must sum to.
	TotalPoints = 100
	// MaxCriteria bounds the criteria of a scheme.
	MaxCriteria = 30
	// MaxIndicators bounds the indicators of one criterion.
	MaxIndicators = 20
)

// Service is the KPI domain. Implementation: NewService.
type Service interface {
	// Templates returns the shipped templates (embedded in the binary), by
	// code, with their criteria. Any signed-in caller (Unauthorized
	// otherwise).
	Templates(ctx context.Context, p *auth.Principal) ([]Template, error)

	// ListSchemes returns every scheme, newest first, without criteria.
	// Any signed-in caller: schemes are not unit-scoped (scores are).
	ListSchemes(ctx context.Context, p *auth.Principal) (listing.Page[SchemeView], error)

	// CreateScheme creates a scheme from template in.Template (its criteria
	// and indicators copied; the period defaults to the template's) or
	// from in.Criteria, and audits it (kpi.scheme_create). Secretariat and
	// admin only (Forbidden). Invalid with Field: "name" blank;
	// "period_from"/"period_to" missing (without a template) or unreadable
	// (ISO, Thai or Buddhist-era forms, Thai digits accepted), or to before
	// from; "template" unknown; "template" and "criteria" both given, or
	// neither ("criteria"); "criteria" more than MaxCriteria or points not
	// summing to exactly TotalPoints (the message gives the sum);
	// "criteria[i].title_th" blank; "criteria[i].points" outside 1–100;
	// "criteria[i].kind" not computed or entered; "criteria[i].formula"
	// unknown for a computed criterion or given for an entered one;
	// "criteria[i].indicators[j].text_th" blank. Criteria are numbered 1, 2,
	// … in the order given.
	CreateScheme(ctx context.Context, p *auth.Principal, in SchemeInput) (SchemeDetail, error)

	// Scheme returns scheme id with its criteria and indicators. Any
	// signed-in caller. NotFound for an unknown id.
	Scheme(ctx context.Context, p *auth.Principal, id int64) (SchemeDetail, error)

	// Scores returns scheme id's score of each province centre within the
	// caller's unit scope (auth.Principal.ScopeUnits: admin, secretariat,
	// observer all; a province its own; an inspector the provinces of its
	// regions; a district none), computed now: per criterion and in total,
	// with the rank among all provinces (highest total first; equal totals,
	// compared at two decimals, share a rank and the next rank skips, 1, 1,
	// 3). Ordered by rank, then unit code. NotFound for an unknown scheme.
	Scores(ctx context.Context, p *auth.Principal, id int64) (Scoreboard, error)

	// Breakdown returns province code's score for scheme id criterion by
	// criterion, computed now: each computed criterion with the inputs of
	// its formula, each entered criterion with its entries (newest first,
	// with their evidence) and the verified one that counts; the total and
	// the rank as in Scores. NotFound for an unknown scheme, or a unit that
	// is not a province centre or is outside the caller's scope.
	Breakdown(ctx context.Context, p *auth.Principal, id int64, code string) (Breakdown, error)

	// SubmitEntry records province ref.UnitCode's score for entered
	// criterion ref.Criterion of scheme ref.SchemeID, with evidence files
	// checked and stored as report evidence is (directives.EvidenceStore),
	// as a submitted entry waiting for the secretariat, and audits it
	// (kpi.entry_submit). Only the province's own account (Forbidden for
	// any other role or unit; read-only tokens Forbidden). NotFound for an
	// unknown scheme, criterion or province; Conflict for a computed
	// criterion. Invalid "score" when missing, negative, above the
	// criterion's points or with more than two decimals; "value" over 200
	// characters; "note" over 2,000; "evidence[i]" for a refused file
	// (directives.EvidenceStore.Save).
	SubmitEntry(ctx context.Context, p *auth.Principal, ref CriterionRef, in EntrySubmission) (EntryView, error)

	// VerifyEntry accepts a submitted entry: its score counts from now on
	// (the latest verified entry of a criterion is the one that counts).
	// ReturnEntry sends it back with in.Reason (required: Invalid
	// "reason"); it never counts. Both are audited (kpi.entry_verify,
	// kpi.entry_return). Secretariat and admin only (Forbidden). NotFound
	// for an unknown scheme, province, criterion or entry (an entry of
	// another cell is unknown); Conflict when the entry is not waiting
	// (already verified or returned).
	VerifyEntry(ctx context.Context, p *auth.Principal, ref EntryRef, in ReviewInput) (EntryView, error)
	ReturnEntry(ctx context.Context, p *auth.Principal, ref EntryRef, in ReviewInput) (EntryView, error)

	// Evidence opens evidence file i (0-based) of entry ref for download.
	// The caller sees it when it may see the province (as Breakdown).
	// NotFound for anything unknown or outside the caller's scope.
	Evidence(ctx context.Context, p *auth.Principal, ref EntryRef, i int) (directives.StoredFile, error)
}

// IndicatorInput is one indicator of a criterion of SchemeInput.
type IndicatorInput struct {
	TextTH string `json:"text_th" validate:"max=500,singleline"`
	TextEN string `json:"text_en,omitempty" validate:"max=500,singleline"`
}

// CriterionInput is one criterion of SchemeInput: Kind "computed" with a
// known Formula, or "entered" without one.
type CriterionInput struct {
	TitleTH    string           `json:"title_th" validate:"max=500,singleline"`
	TitleEN    string           `json:"title_en,omitempty" validate:"max=500,singleline"`
	Points     int              `json:"points"`
	Kind       string           `json:"kind" validate:"max=16,singleline"`
	Formula    string           `json:"formula,omitempty" validate:"max=32,singleline"`
	Indicators []IndicatorInput `json:"indicators,omitempty" validate:"max=20,dive"`
}

// SchemeInput is the body of POST /kpi/schemes (CreateScheme): a name, the
// period (civil dates, both included) and either a template's code or the
// criteria.
type SchemeInput struct {
	Name       string           `json:"name" validate:"max=200,singleline"`
	PeriodFrom string           `json:"period_from,omitempty" validate:"max=40,singleline"`
	PeriodTo   string           `json:"period_to,omitempty" validate:"max=40,singleline"`
	Template   string           `json:"template,omitempty" validate:"max=64,singleline"`
	Criteria   []CriterionInput `json:"criteria,omitempty" validate:"max=30,dive"`
}

// Template is a shipped scheme template: its code, names, default period
// (ISO civil dates) and criteria.
type Template struct {
	Code       string          `json:"code"`
	NameTH     string          `json:"name_th"`
	NameEN     string          `json:"name_en"`
	PeriodFrom string          `json:"period_from"`
	PeriodTo   string          `json:"period_to"`
	Criteria   []CriterionView `json:"criteria"`
}

// SchemeView is a stored scheme. PeriodFrom and PeriodTo are ISO civil
// dates; the _be fields render them in the Buddhist era ("1 มิถุนายน
// 2567").
type SchemeView struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	PeriodFrom   string    `json:"period_from"`
	PeriodTo     string    `json:"period_to"`
	PeriodFromBE string    `json:"period_from_be"`
	PeriodToBE   string    `json:"period_to_be"`
	Template     string    `json:"template,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// SchemeDetail is a scheme with its criteria.
type SchemeDetail struct {
	SchemeView
	Criteria []CriterionView `json:"criteria"`
}

// CriterionView is one criterion: number, titles, points, kind and formula
// ("" for an entered criterion) and indicators.
type CriterionView struct {
	Number     int             `json:"number"`
	TitleTH    string          `json:"title_th"`
	TitleEN    string          `json:"title_en"`
	Points     int             `json:"points"`
	Kind       string          `json:"kind"`
	Formula    string          `json:"formula,omitempty"`
	Indicators []IndicatorView `json:"indicators"`
}

// IndicatorView is one indicator of a criterion.
type IndicatorView struct {
	Number int    `json:"number"`
	TextTH string `json:"text_th"`
	TextEN string `json:"text_en"`
}

// Scoreboard answers Scores: the scheme and one row per province in the
// caller's scope.
type Scoreboard struct {
	Scheme SchemeView      `json:"scheme"`
	Items  []ProvinceScore `json:"items"`
	Total  int64           `json:"total"`
	// Ranked is how many provinces the ranks are among (all of them,
	// whatever the caller sees).
	Ranked int `json:"ranked"`
	// ComputedAt is when the scores were computed (now: they follow the
	// data).
	ComputedAt time.Time `json:"computed_at"`
}

// ProvinceScore is one province's total (0–100, two decimals) and rank,
// and its score per criterion.
type ProvinceScore struct {
	Rank             int         `json:"rank"`
	UnitCode         string      `json:"unit_code"`
	NameTH           string      `json:"name_th"`
	NameEN           string      `json:"name_en"`
	InspectionRegion *int        `json:"inspection_region,omitempty"`
	Score            float64     `json:"score"`
	Criteria         []CellScore `json:"criteria"`
	Pending          int         `json:"pending"`
}

// CellScore is one criterion's score for a province: Score from 0 to the
// criterion's points, two decimals; NoData when nothing could be scored
// yet (no meeting held, no assignment due, no verified entry), the score
// then being 0.
type CellScore struct {
	Number int     `json:"number"`
	Score  float64 `json:"score"`
	NoData bool    `json:"no_data"`
}

// Breakdown answers Breakdown: one province's scores criterion by
// criterion.
type Breakdown struct {
	Scheme     SchemeView           `json:"scheme"`
	UnitCode   string               `json:"unit_code"`
	NameTH     string               `json:"name_th"`
	NameEN     string               `json:"name_en"`
	Score      float64              `json:"score"`
	Rank       int                  `json:"rank"`
	Ranked     int                  `json:"ranked"`
	Criteria   []CriterionBreakdown `json:"criteria"`
	ComputedAt time.Time            `json:"computed_at"`
}

// CriterionBreakdown is one criterion of a Breakdown: the criterion, its
// score, and what the score came from: Attendance for
// FormulaAttendanceByHead, Operation for FormulaOnTimeOperation, Entries
// (newest first) and Counted (the verified entry that counts, if any) for
// an entered criterion.
type CriterionBreakdown struct {
	CriterionView
	Score      float64          `json:"score"`
	NoData     bool             `json:"no_data"`
	Attendance *AttendanceInput `json:"attendance,omitempty"`
	Operation  *OperationInput  `json:"operation,omitempty"`
	Entries    []EntryView      `json:"entries,omitempty"`
	Counted    *int64           `json:"counted_entry_id,omitempty"`
}

// AttendanceInput is what FormulaAttendanceByHead read: meetings held in
// the period (up to now), attended, attended by the governor or a vice
// governor, and HeadRate = AttendedByHead ÷ Held (0 when none held).
type AttendanceInput struct {
	Held           int     `json:"held"`
	Attended       int     `json:"attended"`
	AttendedByHead int     `json:"attended_by_head"`
	HeadRate       float64 `json:"head_rate"`
}

// OperationInput is what FormulaOnTimeOperation read, over the province's
// and its districts' assignments: acknowledgements due in the period (up
// to now, or already made) and those made by their deadline; item reports
// due in the period (up to now, or already made) and those made by the
// item's due. The rates are nil when nothing was due.
type OperationInput struct {
	AcksDue       int      `json:"acks_due"`
	AcksOnTime    int      `json:"acks_on_time"`
	AckRate       *float64 `json:"ack_rate"`
	ReportsDue    int      `json:"reports_due"`
	ReportsOnTime int      `json:"reports_on_time"`
	ReportRate    *float64 `json:"report_rate"`
}

// CriterionRef names one cell of a scheme: a province centre's criterion.
type CriterionRef struct {
	SchemeID  int64
	UnitCode  string
	Criterion int
}

// EntryRef names one entry of a cell.
type EntryRef struct {
	CriterionRef
	EntryID int64
}

// EntryInput is the JSON body of POST …/criteria/{n}/entries: the score
// (required, from 0 to the criterion's points, at most two decimals), the
// value measured in words (e.g. "ร้อยละ 85") and a note. The multipart form
// carries the same fields and "evidence" files.
type EntryInput struct {
	Score *float64 `json:"score"`
	Value string   `json:"value,omitempty" validate:"max=200,singleline"`
	Note  string   `json:"note,omitempty" validate:"max=2000"`
}

// EntrySubmission is an entry as the HTTP layer or a page read it, with its
// evidence files (at most directives.MaxEvidenceFiles).
type EntrySubmission struct {
	EntryInput
	Files []*multipart.FileHeader
}

// ReviewInput is the body of POST …/entries/{eid}/verify and …/return; a
// return needs the reason.
type ReviewInput struct {
	Reason string `json:"reason,omitempty" validate:"max=2000"`
}

// EntryView is one entry with its evidence files; DownloadPath of each is
// where the API serves it.
type EntryView struct {
	ID              int64          `json:"id"`
	SchemeID        int64          `json:"scheme_id"`
	UnitCode        string         `json:"unit_code"`
	CriterionNumber int            `json:"criterion"`
	Score           float64        `json:"score"`
	Value           string         `json:"value"`
	Note            string         `json:"note"`
	Status          string         `json:"status"`
	SubmittedBy     string         `json:"submitted_by"`
	SubmittedAt     time.Time      `json:"submitted_at"`
	ReviewedBy      string         `json:"reviewed_by,omitempty"`
	ReviewedAt      *time.Time     `json:"reviewed_at,omitempty"`
	Reason          string         `json:"reason,omitempty"`
	Evidence        []EvidenceView `json:"evidence"`
}

// EvidenceView is one evidence file of an entry.
type EvidenceView struct {
	Name         string `json:"name"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	ContentType  string `json:"content_type"`
	DownloadPath string `json:"download_path"`
}
