package models

import "time"

// KPI criterion kinds: computed from tidtam's own records by a named
// formula, or entered by the province with evidence and verified by the
// secretariat.
const (
	KPIComputed = "computed"
	KPIEntered  = "entered"
)

// KPI entry states: submitted by the province, verified by the secretariat
// (its score counts), or returned with a reason (it does not count).
const (
	KPIEntrySubmitted = "submitted"
	KPIEntryVerified  = "verified"
	KPIEntryReturned  = "returned"
)

// KPIScheme is a KPI scorecard such as the 3-month urgent plan (ระยะเร่งด่วน
// 3 เดือน): a name and an assessment period of civil dates (ISO
// "YYYY-MM-DD", both included), scored on KPICriterion rows whose points
// sum to 100. Template is the code of the shipped template it was made from
// ("" when its criteria were given by hand).
type KPIScheme struct {
	ID         int64     `gorm:"primaryKey"`
	Name       string    `gorm:"size:200;not null"`
	PeriodFrom string    `gorm:"size:10;not null"`
	PeriodTo   string    `gorm:"size:10;not null"`
	Template   string    `gorm:"size:64;not null"`
	CreatedBy  string    `gorm:"size:64;not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (KPIScheme) TableName() string { return "kpi_schemes" }

// KPICriterion is criterion Number (1, 2, …) of a scheme: its title, its
// points, its kind (KPIComputed with Formula naming the formula, or
// KPIEntered with Formula empty).
type KPICriterion struct {
	SchemeID int64  `gorm:"primaryKey;autoIncrement:false"`
	Number   int    `gorm:"primaryKey;autoIncrement:false"`
	TitleTH  string `gorm:"column:title_th;size:500;not null"`
	TitleEN  string `gorm:"column:title_en;size:500;not null"`
	Points   int    `gorm:"not null"`
	Kind     string `gorm:"size:16;not null"`
	Formula  string `gorm:"size:32;not null"`
}

// TableName keeps the table name the migration creates.
func (KPICriterion) TableName() string { return "kpi_criteria" }

// KPIIndicator is indicator Number (1, 2, … within its criterion) of
// criterion CriterionNumber of a scheme.
type KPIIndicator struct {
	SchemeID        int64  `gorm:"primaryKey;autoIncrement:false"`
	CriterionNumber int    `gorm:"primaryKey;autoIncrement:false"`
	Number          int    `gorm:"primaryKey;autoIncrement:false"`
	TextTH          string `gorm:"column:text_th;size:500;not null"`
	TextEN          string `gorm:"column:text_en;size:500;not null"`
}

// TableName keeps the table name the migration creates.
func (KPIIndicator) TableName() string { return "kpi_indicators" }

// KPIEntry is one score a province entered for an entered criterion of a
// scheme, with a value in words (optional) and a note; Status is
// KPIEntrySubmitted until the secretariat verifies or returns it. The
// province's score for the criterion is that of its latest verified entry.
type KPIEntry struct {
	ID              int64     `gorm:"primaryKey"`
	SchemeID        int64     `gorm:"not null;index:idx_kpi_entries_cell,priority:1"`
	UnitCode        string    `gorm:"size:32;not null;index:idx_kpi_entries_cell,priority:2"`
	CriterionNumber int       `gorm:"not null;index:idx_kpi_entries_cell,priority:3"`
	Score           float64   `gorm:"not null"`
	Value           string    `gorm:"size:200;not null"`
	Note            string    `gorm:"size:2000;not null"`
	Status          string    `gorm:"size:16;not null"`
	SubmittedBy     string    `gorm:"size:64;not null"`
	SubmittedAt     time.Time `gorm:"not null"`
	ReviewedBy      string    `gorm:"size:64;not null"`
	ReviewedAt      *time.Time
	Reason          string `gorm:"size:2000;not null"`
}

// TableName keeps the table name the migration creates.
func (KPIEntry) TableName() string { return "kpi_entries" }

// KPIEvidence is evidence file Seq (0, 1, …) of a KPI entry, stored
// content-addressed like report evidence (by its SHA-256 under the data
// directory).
type KPIEvidence struct {
	EntryID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq         int    `gorm:"primaryKey;autoIncrement:false"`
	Name        string `gorm:"size:255;not null"`
	Size        int64  `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index"`
	ContentType string `gorm:"size:128;not null"`
}

// TableName keeps the table name the migration creates.
func (KPIEvidence) TableName() string { return "kpi_evidence" }
