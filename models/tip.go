package models

import "time"

// Tip stages (Tip.Status). A tip starts received; its officers' workflow
// (workflows.TipWorkflow) moves it on, forward only: received →
// under_investigation → referred (to an agency) → arrest_made or
// no_grounds → closed. A stage may be skipped; closed ends the workflow.
const (
	TipReceived           = "received"
	TipUnderInvestigation = "under_investigation"
	TipReferred           = "referred"
	TipArrestMade         = "arrest_made"
	TipNoGrounds          = "no_grounds"
	TipClosed             = "closed"
)

// TipStages lists every stage in workflow order.
var TipStages = []string{TipReceived, TipUnderInvestigation, TipReferred, TipArrestMade, TipNoGrounds, TipClosed}

// Tip routes: who handles a tip. A tip naming a district goes to that
// district's centre; one without a district to the province's centre; one
// involving officials to the province head and the region's inspector,
// never to a district.
const (
	TipRouteDistrict  = "district"
	TipRouteProvince  = "province"
	TipRouteOfficials = "province_head_inspector"
)

// Message authors of a tip's conversation.
const (
	TipByInformant = "informant"
	TipByOfficer   = "officer"
)

// Tip is one confidential tip-off. Nothing about the informant is stored:
// no address, user agent or time of day, only the civil day it came
// (SubmittedOn, ISO "YYYY-MM-DD" in Asia/Bangkok). The informant's texts
// are sealed (NaCl secretbox under the tip key, base64): TextSealed,
// WhenSealed. The receipt code is stored three ways, none readable without
// the tip key or a brute force of argon2id: ReceiptLookup is a keyed
// HMAC-SHA256 (hex) to find the row, ReceiptHash an argon2id hash to
// verify it, ReceiptSealed the code sealed so that a retry of the same
// submission (SubmissionLookup, a keyed HMAC of the client's submission ID)
// can be answered with the same code.
type Tip struct {
	ID                int64  `gorm:"primaryKey"`
	ReceiptLookup     string `gorm:"size:64;not null;uniqueIndex:idx_tips_receipt_lookup"`
	ReceiptHash       string `gorm:"size:160;not null"`
	ReceiptSealed     string `gorm:"size:200;not null"`
	SubmissionLookup  string `gorm:"size:64;not null;uniqueIndex:idx_tips_submission_lookup"`
	ProvinceCode      string `gorm:"size:32;not null;index:idx_tips_province"`
	DistrictCode      string `gorm:"size:32;not null"`
	OfficialsInvolved bool   `gorm:"not null"`
	// Route is TipRouteDistrict, TipRouteProvince or TipRouteOfficials;
	// RouteUnitCode the centre that handles the tip; InspectionRegion the
	// region whose inspector also sees it (TipRouteOfficials only).
	Route            string `gorm:"size:32;not null"`
	RouteUnitCode    string `gorm:"size:32;not null;index:idx_tips_route_unit"`
	InspectionRegion *int
	Status           string `gorm:"size:32;not null"`
	TextSealed       string `gorm:"size:24000;not null"`
	WhenSealed       string `gorm:"size:1200;not null"`
	SubmittedOn      string `gorm:"size:10;not null"`

	// The officers' side, written by the tip's workflow (migration 17).
	// WorkflowStarted is false until the workflow's start reached
	// Temporal (a sweep starts the rest). DueAt is the pending deadline
	// (acknowledgement, then first action), nil when none is pending;
	// EscalationLevel the highest level reached (2 the province head, 3
	// the region's inspectors); ReferredUp whether a province referred the
	// tip to the secretariat, which may then read it; Agency the agency it
	// was referred to (stage referred); Version the workflow's sequence
	// number of the change written last.
	WorkflowStarted bool       `gorm:"not null;index:idx_tips_workflow_started"`
	DueAt           *time.Time `gorm:""`
	AcknowledgedAt  *time.Time `gorm:""`
	AcknowledgedBy  string     `gorm:"size:100;not null"`
	FirstActionAt   *time.Time `gorm:""`
	Agency          string     `gorm:"size:200;not null"`
	ReferredUp      bool       `gorm:"not null"`
	EscalationLevel int        `gorm:"not null"`
	Version         int64      `gorm:"not null"`
}

// TableName keeps the table name the migration creates.
func (Tip) TableName() string { return "tips" }

// TipMessage is message Seq (1, 2, …) of a tip's conversation between the
// informant and the officers: its author (TipByInformant or TipByOfficer),
// its text sealed like the tip's, and its civil day only.
type TipMessage struct {
	TipID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq        int    `gorm:"primaryKey;autoIncrement:false"`
	Author     string `gorm:"size:16;not null"`
	TextSealed string `gorm:"size:24000;not null"`
	SentOn     string `gorm:"size:10;not null"`
}

// TableName keeps the table name the migration creates.
func (TipMessage) TableName() string { return "tip_messages" }

// TipFile is file Seq (1, 2, …) of a tip, sent by the informant: its name
// and content sealed like the tip's texts (base64 of NaCl secretbox under
// the tip key), its content type and size in bytes (of the content as
// stored, after metadata was stripped from images). No plaintext of the
// file is kept anywhere.
type TipFile struct {
	TipID       int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq         int    `gorm:"primaryKey;autoIncrement:false"`
	NameSealed  string `gorm:"size:800;not null"`
	ContentType string `gorm:"size:64;not null"`
	Size        int64  `gorm:"not null"`
	DataSealed  string `gorm:"type:text;not null"`
}

// TableName keeps the table name the migration creates.
func (TipFile) TableName() string { return "tip_files" }
