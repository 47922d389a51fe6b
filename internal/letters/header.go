package letters

import (
	"regexp"
	"strings"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// stamps are the words of the stamp line above the document number:
// the urgency classes (longest first) and the security classes, which the
// draft has no field for.
var (
	urgencyWords  = []string{"ด่วนที่สุด", "ด่วนมาก", "ด่วน"}
	securityWords = []string{"ลับที่สุด", "ลับมาก", "ลับ", "ปกปิด"}
)

// docNumberRE matches the document-number line: "ที่" then the issuing
// body's letters and a number ("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", "ที่ยธ 0605/123").
var docNumberRE = regexp.MustCompile(`^ที่\s*([ก-ฮA-Za-z][ก-ฮA-Za-z. ]{0,15}[0-9๐-๙].*)$`)

// gapRE splits a header line into columns: a tab or two spaces and more.
var gapRE = regexp.MustCompile(`\t+| {2,}`)

// fieldKeys are the header fields after the date, each at the start of
// its line, with the Letter field they fill.
var fieldKeys = []struct{ key, field string }{
	{"เรื่อง", "subject"}, {"เรียน", "addressee"}, {"อ้างถึง", "reference"},
	{"สิ่งที่ส่งมาด้วย", "enclosures"}, {"สิ่งที่แนบมาด้วย", "enclosures"},
}

// bodyOpeners start the first paragraph of a body: a header field (other
// than the subject) running into one without a blank line ends there.
var bodyOpeners = []string{"ด้วย", "ตามที่", "ตามหนังสือ", "อนุสนธิ", "เนื่องด้วย", "เนื่องจาก"}

// segment is one column of a header line.
type segment struct {
	n    int
	text string
}

// header reads everything before the body: the stamps, the document
// number, the issuing body, the date, then the fields เรื่อง, เรียน,
// อ้างถึง and สิ่งที่ส่งมาด้วย. It returns the index of the body's first
// line.
func (p *parser) header() int {
	d := &p.out.Draft
	urgencyLine, docLine, dateLine, subjectAt := 0, 0, 0, -1
	var before, after []segment // issuing-body candidates around the number
	lastHeader := -1
	for i, l := range p.lines {
		if fieldOf(l.text) != "" {
			subjectAt = i
			break
		}
		if dateLine == 0 && l.text != "" {
			// A centred date is often spaced out: "๓  มีนาคม  ๒๕๖๘".
			if dt, err := thaidate.Parse(l.text); err == nil {
				d.IssueDate, dateLine, lastHeader = dt.String(), l.n, i
				continue
			}
		}
		for _, seg := range gapRE.Split(strings.TrimSpace(l.raw), -1) {
			seg = strings.Join(strings.Fields(seg), " ")
			if seg == "" {
				continue
			}
			if strings.HasPrefix(seg, "บันทึกข้อความ") {
				lastHeader = i
				continue
			}
			if u, ok := stampUrgency(seg); ok {
				if urgencyLine == 0 && u != "" {
					urgencyLine, d.Urgency = l.n, u
				}
				lastHeader = i
				continue
			}
			if rest, ok := strings.CutPrefix(seg, "ส่วนราชการ"); ok && strings.TrimSpace(rest) != "" {
				// A memo (บันทึกข้อความ) names its issuing body here.
				before = append(before, segment{l.n, strings.TrimSpace(rest)})
				lastHeader = i
				continue
			}
			if m := docNumberRE.FindStringSubmatch(seg); m != nil && docLine == 0 {
				doc, date, _ := strings.Cut(m[1], "วันที่")
				d.DocNumber, docLine, lastHeader = strings.TrimSpace(seg[:len(seg)-len(m[1])]+doc), l.n, i
				if date != "" && dateLine == 0 {
					if dt, err := thaidate.Parse(date); err == nil {
						d.IssueDate, dateLine = dt.String(), l.n
					}
				}
				continue
			}
			if dateLine == 0 {
				if dt, err := thaidate.Parse(seg); err == nil {
					d.IssueDate, dateLine, lastHeader = dt.String(), l.n, i
					continue
				}
			}
			switch {
			case docLine == 0:
				before = append(before, segment{l.n, seg})
			case dateLine == 0 || dateLine <= docLine:
				after = append(after, segment{l.n, seg})
			default:
				continue // between the date and the subject
			}
			lastHeader = i
		}
	}
	if d.Urgency == "" {
		d.Urgency = "normal"
	}
	switch {
	case docLine == 0:
		p.warn("doc_number", 0, "ไม่พบเลขที่หนังสือ (บรรทัดที่ขึ้นต้นด้วย \"ที่\") (no document number: no line starts with \"ที่\")")
	default:
		d.DocNumber = cut(d.DocNumber, maxDocNumber, func() {
			p.warn("doc_number", docLine, "เลขที่หนังสือยาวเกิน %d ตัวอักษร ตัดส่วนท้ายออก (the document number is longer than %d characters and was cut)", maxDocNumber, maxDocNumber)
		})
	}
	if dateLine == 0 {
		p.warn("issue_date", 0, "ไม่พบวันที่ของหนังสือ เช่น ๑๗ ธันวาคม ๒๕๖๗ (no date such as ๑๗ ธันวาคม ๒๕๖๗ before the subject)")
	}
	body := after
	if len(body) == 0 {
		body = before
	}
	if subjectAt < 0 && dateLine == 0 && len(body) > 1 {
		// Without a subject or a date the header's end is unknown: only
		// the first line is taken for the issuing body.
		body = body[:1]
	}
	p.issuer(body)
	if subjectAt < 0 {
		p.warn("subject", 0, "ไม่พบเรื่อง (บรรทัดที่ขึ้นต้นด้วย \"เรื่อง\") (no subject: no line starts with \"เรื่อง\")")
		start := lastHeader + 1
		if len(body) > 0 && dateLine == 0 {
			start = indexOfLine(p.lines, body[len(body)-1].n) + 1
		}
		return start
	}
	return p.fields(subjectAt)
}

// stampUrgency reads a stamp segment (every word an urgency or security
// class): the urgency's code, "" for a stamp without one; ok is false
// when seg is not a stamp.
func stampUrgency(seg string) (code string, ok bool) {
	best := ""
	for _, w := range strings.Fields(seg) {
		switch {
		case contains(urgencyWords, w):
			if len(w) > len(best) {
				best = w
			}
		case contains(securityWords, w):
		default:
			return "", false
		}
	}
	if best == "" {
		return "", true
	}
	u, _ := request.Urgency(best)
	return string(u), true
}

// fieldOf returns the field a header line starts ("subject", …), or "".
func fieldOf(text string) string {
	for _, k := range fieldKeys {
		if strings.HasPrefix(text, k.key) {
			return k.field
		}
	}
	return ""
}

// fields reads the header fields from line i (a เรื่อง line) and returns
// the index of the body's first line. A field runs on over the next lines
// until a blank line, another field or, except for the subject, the
// opening of a body paragraph.
func (p *parser) fields(i int) int {
	field, n := "", 0
	var text []string
	var lines []line
	flush := func() {
		if field == "" {
			return
		}
		p.setField(field, n, text, lines)
		field, text, lines = "", nil, nil
	}
	for ; i < len(p.lines); i++ {
		l := p.lines[i]
		if f := fieldOf(l.text); f != "" {
			flush()
			field, n = f, l.n
			rest := strings.TrimSpace(strings.TrimPrefix(l.text, keyOf(l.text)))
			if rest != "" {
				text = append(text, rest)
				lines = append(lines, line{n: l.n, text: rest})
			}
			continue
		}
		if l.text == "" {
			flush()
			continue
		}
		if field == "" || (field != "subject" && hasAnyPrefix(l.text, bodyOpeners)) {
			break
		}
		text = append(text, l.text)
		lines = append(lines, l)
	}
	flush()
	return i
}

// keyOf returns the field key text starts with.
func keyOf(text string) string {
	for _, k := range fieldKeys {
		if strings.HasPrefix(text, k.key) {
			return k.key
		}
	}
	return ""
}

// setField stores one header field read from lines (first at line n).
func (p *parser) setField(field string, n int, text []string, lines []line) {
	joined := strings.Join(text, " ")
	switch field {
	case "subject":
		if p.out.Draft.Subject != "" {
			p.warn("subject", n, "มีเรื่องมากกว่าหนึ่งบรรทัด ใช้เรื่องแรก (a second subject line; the first is kept)")
			return
		}
		p.out.Draft.Subject = joined
		if joined == "" {
			p.warn("subject", n, "บรรทัดเรื่องไม่มีข้อความ (the subject line is empty)")
		}
	case "addressee":
		p.out.Addressee, p.addressee = joined, itemText(lines)
	case "reference":
		p.out.Reference = append(p.out.Reference, entries(lines)...)
	case "enclosures":
		p.out.Enclosures = append(p.out.Enclosures, entries(lines)...)
	}
}

// entryRE matches a numbered entry at the start of a line: "๑. ", "2) ".
var entryRE = regexp.MustCompile(`^\(?[0-9๐-๙]{1,2}[.)]\s*`)

// entries splits the lines of a list field into its numbered entries
// (continuation lines joined with a space); an unnumbered field is one
// entry.
func entries(lines []line) []string {
	var out []string
	for _, l := range lines {
		if loc := entryRE.FindStringIndex(l.text); loc != nil || len(out) == 0 {
			t := l.text
			if loc != nil {
				t = strings.TrimSpace(t[loc[1]:])
			}
			out = append(out, t)
			continue
		}
		out[len(out)-1] += " " + l.text
	}
	return out
}

func indexOfLine(lines []line, n int) int {
	for i, l := range lines {
		if l.n == n {
			return i
		}
	}
	return len(lines) - 1
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
