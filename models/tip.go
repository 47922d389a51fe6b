package models

// Tip states. A tip starts received; the officers' workflow (a later slice
// of issue #15) moves it on.
const (
	TipReceived = "received"
)

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
