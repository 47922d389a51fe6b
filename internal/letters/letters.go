// Package letters reads an official Thai letter (หนังสือราชการ) pasted as
// text into a draft directive: the body POST /api/v1/directives takes
// (request.Directive), with warnings naming each part of the text that
// could not be read for sure and the target names that match no unit,
// each with the closest real names. Nothing is issued and nothing is
// stored: Parse is pure (no database, no I/O), and the unit and set names
// it resolves against are given by the caller (the directive service
// loads them from the unit table).
//
// A letter has the layout of the regulations on official correspondence
// (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ): an urgency stamp
// (ด่วนที่สุด, ด่วนมาก, ด่วน), the document number ("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗"),
// the issuing body and its address, the date ("๑๗ ธันวาคม ๒๕๖๗"), then
// เรื่อง, เรียน, อ้างถึง and สิ่งที่ส่งมาด้วย, the body with its numbered
// items (๑. …, 1. …, (๑) …) and the closing and signature. The files are:
//
//   - letters.go: the result types and the names resolved against;
//   - parse.go: Parse, the text cleaned and split into lines, the body,
//     the limits of the draft;
//   - header.go: urgency, document number, issuing body, date, the
//     เรื่อง / เรียน / อ้างถึง / สิ่งที่ส่งมาด้วย fields;
//   - issuer.go: the issuing body as an issuer code and source;
//   - items.go: the numbered items and their text;
//   - targets.go: each item's targets from its wording;
//   - lists.go: the provinces and districts listed after "ได้แก่";
//   - names.go: the names resolved against, indexed;
//   - reporting.go: each item's reporting system, evidence and due.
//
// Misspelt names are suggested with internal/thainame, the function POST
// /api/v1/directives suggests with too.
package letters

import "github.com/tidtam/tidtam/internal/directives/request"

// Letter is what Parse read from a letter.
type Letter struct {
	// Draft is the body for POST /api/v1/directives, complete as far as
	// the letter gave it: a field the letter did not give is empty (or
	// the default, urgency normal and source ministry) and has a warning.
	// Target names that match no unit stay as written (UnknownNames).
	Draft request.Directive `json:"draft"`
	// DocNumberNorm is the document number as the issue endpoint compares
	// it (workflows.NormalizeDocNumber), to find an earlier issue.
	DocNumberNorm string `json:"doc_number_norm"`
	// IssuingBody is the issuing body's lines as written (its name, then
	// its address); Addressee the เรียน line; Reference the อ้างถึง
	// entries; Enclosures the สิ่งที่ส่งมาด้วย entries, one per number.
	IssuingBody []string `json:"issuing_body"`
	Addressee   string   `json:"addressee"`
	Reference   []string `json:"reference"`
	Enclosures  []string `json:"enclosures"`
	// Warnings name what could not be read for sure, in text order.
	Warnings []Warning `json:"warnings"`
	// UnknownNames are the target names of the draft that match no unit,
	// each with the closest real names.
	UnknownNames []UnknownName `json:"unknown_names"`
}

// Warning is one thing the secretariat should check. Part names the field
// of the draft it concerns ("issuer", "items[2].targets"); Line is the
// 1-based line of the pasted text it comes from (0: no single line).
// Message is Thai, then English in parentheses.
type Warning struct {
	Part    string `json:"part"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// UnknownName is a target name that matches no unit. Field is where it
// stands in the draft ("items[0].targets.provinces[0]") and Value is what
// stands there, as the letter wrote it. Suggestions are values to put
// there instead, best first, never empty: province names for a province,
// unit codes for a district, with Labels naming each code ("กันตัง
// (ตรัง)") when they are codes.
type UnknownName struct {
	Field       string   `json:"field"`
	Line        int      `json:"line,omitempty"`
	Value       string   `json:"value"`
	Suggestions []string `json:"suggestions"`
	Labels      []string `json:"labels,omitempty"`
}

// Names are the names a letter may target, from the unit table.
type Names struct {
	// Provinces are the province units; Districts the district units,
	// each with its province as Parent; Sets the named target sets
	// (Code and NameTH).
	Provinces, Districts, Sets []Name
}

// Name is one unit or target set: its code, Thai and English names and,
// for a district, its province's code.
type Name struct {
	Code, NameTH, NameEN, Parent string
}
