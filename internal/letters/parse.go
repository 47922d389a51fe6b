package letters

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/workflows"
)

// Limits of the draft, those POST /api/v1/directives enforces: a longer
// text is cut, with a warning.
const (
	maxSubject   = 500
	maxBody      = 20000
	maxItemText  = 10000
	maxItems     = 100
	maxDocNumber = 100
	maxIssuer    = 200
	maxNames     = 100
)

// Parse reads text, an official letter as pasted (any line ends, Thai or
// Arabic digits, zero-width spaces and the nikhahit-plus-sara-aa of PDF
// copies tolerated), into a draft directive, resolving target names
// against names. It never fails: what it cannot read is left empty in the
// draft and named by a warning, and it reads nothing but its arguments.
//
// The draft has: the urgency as the issue endpoint's code (most_urgent,
// very_urgent, urgent; normal when the letter has no stamp); the document
// number as written; the issuer code of the issuing body (MOI, PM, ONCB or
// a province's code; empty with a warning when unknown) and the matching
// source; the date as ISO; the subject; a body made of the addressee,
// references, enclosures and the paragraphs around the items; and one item
// per numbered paragraph with the targets, reporting system, evidence and
// due its wording names (targets.go, reporting.go).
func Parse(text string, names Names) Letter {
	p := &parser{lines: splitLines(text), ix: newIndex(names)}
	p.out.Draft.Items = []request.Item{}
	bodyStart := p.header()
	body, closing := p.items(bodyStart, p.signature(bodyStart))
	p.finishDraft(body, closing)
	return p.out
}

// parser holds the state of one Parse.
type parser struct {
	lines []line
	ix    *index
	out   Letter
	// lead is the paragraph before the first item, whose wording ("ขอให้
	// ศอ.ปส.จ. และ ศป.ปส.อ. ดำเนินการ ดังนี้") addresses every item that
	// names no unit itself; addressee is the เรียน field.
	lead, addressee text
	// to is what the addressee targets, read once (scopeOf).
	to *itemTargets
}

// line is one line of the pasted text: its 1-based number, the raw text
// (spacing kept, for side-by-side header columns) and the trimmed text.
type line struct {
	n         int
	raw, text string
}

// splitLines cleans text and splits it into lines.
func splitLines(text string) []line {
	text = cleanText(text)
	raw := strings.Split(text, "\n")
	out := make([]line, len(raw))
	for i, r := range raw {
		out[i] = line{n: i + 1, raw: r, text: strings.Join(strings.Fields(r), " ")}
	}
	return out
}

// cleanText makes pasted text uniform: line ends to \n, tabs kept, other
// control characters, zero-width characters and byte-order marks dropped,
// no-break spaces to spaces, and the two-character "ํา" of PDF copies to ำ.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0E4D\u0E32", "\u0E33").Replace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\u00A0' || r == '\u2007' || r == '\u202F' || r == '\u3000':
			return ' '
		case r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF':
			return -1
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// warn adds a warning about part at line n.
func (p *parser) warn(part string, n int, format string, args ...any) {
	p.out.Warnings = append(p.out.Warnings, Warning{Part: part, Line: n, Message: fmt.Sprintf(format, args...)})
}

// signatureRE matches the signer's name in parentheses that a memo
// (บันทึกข้อความ), which has no "ขอแสดงความนับถือ", signs with.
var signatureRE = regexp.MustCompile(`^\((?:นาย|นางสาว|นาง|ว่าที่|พล\.|พ\.ต\.|ร\.ต\.|ดร\.|รศ\.|ผศ\.)`)

// signature returns the index of the line that starts the signature
// block ("ขอแสดงความนับถือ", or a memo's signer), or len(lines).
func (p *parser) signature(from int) int {
	for i := from; i < len(p.lines); i++ {
		if t := p.lines[i].text; strings.HasPrefix(t, "ขอแสดงความนับถือ") || signatureRE.MatchString(t) {
			return i
		}
	}
	return len(p.lines)
}

// finishDraft fills the body and the fields derived from others, and
// bounds every field by the endpoint's limits.
func (p *parser) finishDraft(body, closing []string) {
	d := &p.out.Draft
	var parts []string
	if p.out.Addressee != "" {
		parts = append(parts, "เรียน "+p.out.Addressee)
	}
	if len(p.out.Reference) > 0 {
		parts = append(parts, "อ้างถึง "+numbered(p.out.Reference))
	}
	if len(p.out.Enclosures) > 0 {
		parts = append(parts, "สิ่งที่ส่งมาด้วย "+numbered(p.out.Enclosures))
	}
	if len(parts) > 0 {
		parts = []string{strings.Join(parts, "\n")}
	}
	parts = append(parts, body...)
	parts = append(parts, closing...)
	d.Body = cut(strings.Join(parts, "\n\n"), maxBody, func() {
		p.warn("body", 0, "เนื้อความยาวเกิน %d ตัวอักษร ตัดส่วนท้ายออก (the body is longer than %d characters and was cut)", maxBody, maxBody)
	})
	d.Subject = cut(d.Subject, maxSubject, func() {
		p.warn("subject", 0, "เรื่องยาวเกิน %d ตัวอักษร ตัดส่วนท้ายออก (the subject is longer than %d characters and was cut)", maxSubject, maxSubject)
	})
	if d.DocNumber != "" {
		p.out.DocNumberNorm = workflows.NormalizeDocNumber(d.DocNumber)
	}
	if len(d.Items) > maxItems {
		p.warn("items", 0, "มีข้อสั่งการ %d ข้อ เกินกว่าที่ออกได้ในหนังสือเดียว (%d) (%d items: at most %d may be issued in one directive)", len(d.Items), maxItems, len(d.Items), maxItems)
	}
	if p.out.IssuingBody == nil {
		p.out.IssuingBody = []string{}
	}
	for _, s := range []*[]string{&p.out.Reference, &p.out.Enclosures} {
		if *s == nil {
			*s = []string{}
		}
	}
	if p.out.Warnings == nil {
		p.out.Warnings = []Warning{}
	}
	if p.out.UnknownNames == nil {
		p.out.UnknownNames = []UnknownName{}
	}
}

// numbered writes entries as "๑. a ๒. b", or the single entry alone.
func numbered(entries []string) string {
	if len(entries) == 1 {
		return entries[0]
	}
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = fmt.Sprintf("%s. %s", thaiNumber(i+1), e)
	}
	return strings.Join(parts, "\n")
}

// cut shortens s to at most limit runes, calling cutting when it does.
func cut(s string, limit int, cutting func()) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cutting()
	return string([]rune(s)[:limit])
}
