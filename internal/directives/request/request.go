// Package request is the form in which a directive is issued: the JSON body
// of POST /api/v1/directives (a letter as it is written, before
// validation) and the words that form accepts for the issuing body, the
// urgency and the reporting system. It is a leaf package so that the
// directive service, which validates and issues the form, and the letter
// parser (internal/letters), which drafts it from a letter's text, share
// one type and one vocabulary; package directives re-exports the types
// under their names there (DirectiveRequest, ItemRequest, …).
package request

import (
	"strings"

	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/workflows"
)

// Directive is the body of POST /directives: a letter as it is written.
// Dates accept ISO and Thai forms ("๑๗ ธันวาคม ๒๕๖๗", "17 ธ.ค. 67");
// numbers accept Thai digits.
type Directive struct {
	// Source is meeting, prime_minister, ministry, oncb or province.
	Source string `json:"source" validate:"max=32,singleline"`
	// Issuer is the issuing body: a known code (MOI, PM, ONCB), its Thai
	// name, or a unit code.
	Issuer    string  `json:"issuer" validate:"max=200,singleline"`
	DocNumber string  `json:"doc_number" validate:"max=100,singleline"`
	IssueDate string  `json:"issue_date" validate:"max=40,singleline"`
	Urgency   string  `json:"urgency" validate:"max=32,singleline"`
	Subject   string  `json:"subject" validate:"max=500,singleline"`
	Body      string  `json:"body" validate:"max=20000"`
	MeetingID *string `json:"meeting_id,omitempty" validate:"omitempty,max=128,singleline"`
	Policy    *Policy `json:"policy,omitempty"`
	Items     []Item  `json:"items" validate:"max=100,dive"`
}

// Policy overrides the default clocks. Each span is a number of working
// days ("3", "๓") or an ISO-8601 duration ("PT30S") for drills.
type Policy struct {
	AckWithin   string   `json:"ack_within,omitempty" validate:"max=40"`
	Reminders   []string `json:"reminders,omitempty" validate:"max=10,dive,max=40"`
	Escalations []string `json:"escalations,omitempty" validate:"max=3,dive,max=40"`
}

// Item is one numbered action item.
type Item struct {
	Number           thaidate.FlexInt `json:"number"`
	Text             string           `json:"text" validate:"max=10000"`
	Targets          Targets          `json:"targets"`
	DueDate          string           `json:"due_date,omitempty" validate:"max=40,singleline"`
	DueWithin        string           `json:"due_within,omitempty" validate:"max=40,singleline"`
	Recurrence       *Recurrence      `json:"recurrence,omitempty"`
	EvidenceRequired bool             `json:"evidence_required,omitempty"`
	// ReportInto names the external system the result is reported into:
	// NISPA, บสต., MOI Drugs GIS, or none.
	ReportInto string `json:"report_into,omitempty" validate:"max=32,singleline"`
}

// Recurrence makes an item a monthly report due on the N-th working day of
// each month until a date.
type Recurrence struct {
	MonthlyWorkingDay thaidate.FlexInt `json:"monthly_working_day"`
	Until             string           `json:"until" validate:"max=40,singleline"`
}

// Targets says which units an item is addressed to. Every selector adds
// units; at least one must select something.
type Targets struct {
	// AllProvinces selects the 77 province centres (ศอ.ปส.จ.).
	AllProvinces bool `json:"all_provinces,omitempty"`
	// AllDistricts selects the 878 district centres (ศป.ปส.อ.) outside
	// Bangkok; Bangkok's 50 เขต are selected only by code or through
	// DistrictsOfProvinces with Bangkok among the provinces.
	AllDistricts bool `json:"all_districts,omitempty"`
	// DistrictsOfProvinces adds every district of the provinces this item
	// selects (by name, set, region or AllProvinces).
	DistrictsOfProvinces bool `json:"districts_of_provinces,omitempty"`
	// Provinces by DOPA code, ISO code, Thai or English name ("เชียงใหม่",
	// "จังหวัดเชียงใหม่", "50", "TH-50", "Chiang Mai").
	Provinces []string `json:"provinces,omitempty" validate:"max=100,dive,max=100"`
	// Sets by code or Thai name, e.g. the 10 pilot provinces.
	Sets []string `json:"sets,omitempty" validate:"max=20,dive,max=100"`
	// Regions selects the provinces of MOI inspection regions (0–18).
	Regions []int `json:"regions,omitempty" validate:"max=19"`
	// Units by exact unit code.
	Units []string `json:"units,omitempty" validate:"max=2000,dive,max=32"`
}

// issuers maps the known issuing bodies, by code, Thai name or document
// number prefix (lower case), to their codes.
var issuers = map[string]string{
	"moi": "MOI", "กระทรวงมหาดไทย": "MOI", "มท": "MOI", "มท.": "MOI",
	"pm": "PM", "นายกรัฐมนตรี": "PM", "สำนักนายกรัฐมนตรี": "PM",
	"oncb": "ONCB", "สำนักงาน ป.ป.ส.": "ONCB", "ป.ป.ส.": "ONCB", "ศปก.ครส.": "ONCB",
	"สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด": "ONCB",
}

// IssuerCode returns the code (MOI, PM, ONCB) of a known issuing body
// written as its code, its Thai name or its document-number prefix ("มท"),
// in any case and with surrounding spaces; ok is false for any other name
// (unit codes are the caller's to resolve).
func IssuerCode(name string) (code string, ok bool) {
	code, ok = issuers[strings.ToLower(strings.TrimSpace(name))]
	return code, ok
}

var urgencies = map[string]workflows.Urgency{
	"ปกติ": workflows.UrgencyNormal, "normal": workflows.UrgencyNormal,
	"ด่วน": workflows.UrgencyUrgent, "urgent": workflows.UrgencyUrgent,
	"ด่วนมาก": workflows.UrgencyVeryUrgent, "very_urgent": workflows.UrgencyVeryUrgent,
	"ด่วนที่สุด": workflows.UrgencyMostUrgent, "most_urgent": workflows.UrgencyMostUrgent,
}

// Urgency reads an urgency class written in Thai (ปกติ, ด่วน, ด่วนมาก,
// ด่วนที่สุด) or as its code (normal, urgent, very_urgent, most_urgent), in
// any case and with surrounding spaces; ok is false for anything else.
func Urgency(s string) (u workflows.Urgency, ok bool) {
	u, ok = urgencies[strings.ToLower(strings.TrimSpace(s))]
	return u, ok
}

var reportSystems = map[string]string{
	"": "none", "none": "none", "ไม่มี": "none", "nispa": "NISPA", "บสต.": "บสต.", "บสต": "บสต.",
	"moi drugs gis": "MOI Drugs GIS", "gis": "MOI Drugs GIS",
}

// ReportSystem returns the canonical name of a reporting system (NISPA,
// บสต., MOI Drugs GIS, or none for an empty name), read in any case and
// with surrounding spaces; ok is false for an unknown system.
func ReportSystem(s string) (name string, ok bool) {
	name, ok = reportSystems[strings.ToLower(strings.TrimSpace(s))]
	return name, ok
}
