package letters

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tidtam/tidtam/internal/directives/request"
	"github.com/tidtam/tidtam/internal/thaidate"
)

// markerRE matches an item number at the start of a line: "๑. ", "1.",
// "(๑)", "1)". A number followed by another ("๑.๑") is a sub-item.
var markerRE = regexp.MustCompile(`^(\(?)([0-9๐-๙]{1,3})([.)])(\s+|$)`)

// subRE matches the start of a sub-item line inside an item ("๑.๑",
// "(๑)", "ก.", "-", "•"), which keeps its own line in the item's text.
var subRE = regexp.MustCompile(`^(\(?[0-9๐-๙]{1,3}[.)]|[0-9๐-๙]{1,3}\.[0-9๐-๙]|\([ก-ฮ]\)|[ก-ฮ][.)]\s|[-•–*])`)

// closers start the paragraphs after the last item: "ทั้งนี้" and "อนึ่ง"
// after a blank line, "จึงเรียน" on any line.
var (
	closersAfterBlank = []string{"ทั้งนี้", "อนึ่ง", "อย่างไรก็ตาม"}
	closersAnywhere   = []string{"จึงเรียน"}
)

// marker is one item number found at the start of a line.
type marker struct {
	at     int // index in p.lines
	number int
	style  string // "(" + ")" / "." / ")": the numbering's form
	rest   string // the line after the number
}

func markerOf(text string) (marker, bool) {
	m := markerRE.FindStringSubmatch(text)
	if m == nil {
		return marker{}, false
	}
	n, err := thaidate.ParseInt(m[2])
	if err != nil {
		return marker{}, false
	}
	style := m[3]
	if m[1] == "(" {
		if style != ")" {
			return marker{}, false
		}
		style = "()"
	}
	return marker{number: n, style: style, rest: strings.TrimSpace(text[len(m[0]):])}, true
}

// itemSpan is one item's lines: its marker and its end (exclusive).
type itemSpan struct {
	marker
	end int
}

// items finds the numbered items of the body (lines start to end): the
// first line numbered 1 sets the numbering's form, and each next number in
// that form starts the next item, so sub-lists in another form and
// numbers out of sequence stay in their item. The last item ends at the
// closing paragraph. It adds the items to the draft and returns the
// paragraphs before the first item and after the last, for the body.
func (p *parser) items(start, end int) (before, after []string) {
	var spans []itemSpan
	for i := start; i < end; i++ {
		m, ok := markerOf(p.lines[i].text)
		if !ok {
			continue
		}
		m.at = i
		switch {
		case len(spans) == 0 && m.number == 1:
		case len(spans) > 0 && m.style == spans[0].style && m.number == len(spans)+1:
		default:
			continue
		}
		if len(spans) > 0 {
			spans[len(spans)-1].end = i
		}
		spans = append(spans, itemSpan{marker: m, end: end})
	}
	if len(spans) == 0 {
		paras := paragraphs(p.lines[start:end])
		if len(paras) == 0 {
			p.warn("items", 0, "ไม่พบข้อสั่งการ: หนังสือไม่มีเนื้อความ (no items: the letter has no body)")
			return nil, nil
		}
		// A letter without numbered items asks for one thing: its last
		// paragraph before the closing.
		last := len(paras) - 1
		for last > 0 && hasAnyPrefix(paras[last].text, append(closersAnywhere, closersAfterBlank...)) {
			last--
		}
		pa := paras[last]
		p.warn("items", pa.n, "ไม่พบข้อที่มีเลขข้อ (๑. หรือ 1.) ใช้ย่อหน้าที่ขึ้นต้นบรรทัดที่ %s เป็นข้อ ๑ (no numbered items: the paragraph at line %d is item 1)", thaiNumber(pa.n), pa.n)
		p.lead = text{text: pa.text, starts: []lineStart{{0, pa.n}}}
		p.addItem(0, []line{{n: pa.n, text: pa.text}})
		return texts(paras[:last]), texts(paras[last+1:])
	}
	last := &spans[len(spans)-1]
	afterStart := last.end
	for i := last.at + 1; i < last.end; i++ {
		t := p.lines[i].text
		if hasAnyPrefix(t, closersAnywhere) || (p.lines[i-1].text == "" && hasAnyPrefix(t, closersAfterBlank)) {
			afterStart, last.end = i, i
			break
		}
	}
	beforeParas := paragraphs(p.lines[start:spans[0].at])
	if len(beforeParas) > 0 {
		pa := beforeParas[len(beforeParas)-1]
		p.lead = text{text: pa.text, starts: []lineStart{{0, pa.n}}}
	}
	for k, s := range spans {
		lines := append([]line{{n: p.lines[s.at].n, text: s.rest}}, p.lines[s.at+1:s.end]...)
		p.addItem(k, lines)
	}
	return texts(beforeParas), texts(paragraphs(p.lines[afterStart:end]))
}

// addItem adds item k (0-based) made of lines, the first without its
// number, and reads its targets, reporting system, evidence and due.
func (p *parser) addItem(k int, lines []line) {
	it := itemText(lines)
	part := fmt.Sprintf("items[%d]", k)
	item := request.Item{Number: thaidate.FlexInt(k + 1)}
	item.Text = cut(it.text, maxItemText, func() {
		p.warn(part+".text", lines[0].n, "ข้อความของข้อ %s ยาวเกิน %d ตัวอักษร ตัดส่วนท้ายออก (item text longer than %d characters was cut)", thaiNumber(k+1), maxItemText, maxItemText)
	})
	if strings.TrimSpace(item.Text) == "" {
		p.warn(part+".text", lines[0].n, "ข้อ %s ไม่มีข้อความ (item %d has no text)", thaiNumber(k+1), k+1)
	}
	p.out.Draft.Items = append(p.out.Draft.Items, item)
	p.targets(k, it)
	p.reporting(k, it)
}

// text is an item's text with, for each rune offset where a line
// starts, that line's number.
type text struct {
	text   string
	starts []lineStart
}

type lineStart struct{ offset, n int }

// lineAt returns the line of the text at byte offset off.
func (t text) lineAt(off int) int {
	n := 0
	for _, s := range t.starts {
		if s.offset > off {
			break
		}
		n = s.n
	}
	return n
}

// itemText joins an item's lines: continuation lines (and those after a
// page break's blank line) with a space, a sub-item on its own line.
func itemText(lines []line) text {
	var b strings.Builder
	var starts []lineStart
	for _, l := range lines {
		if l.text == "" {
			continue
		}
		if b.Len() > 0 {
			if subRE.MatchString(l.text) {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		starts = append(starts, lineStart{b.Len(), l.n})
		b.WriteString(l.text)
	}
	return text{text: b.String(), starts: starts}
}

// paragraph is lines between blank lines joined with spaces, and the
// number of its first line.
type paragraph struct {
	n    int
	text string
}

func paragraphs(lines []line) []paragraph {
	var out []paragraph
	open := false
	for _, l := range lines {
		if l.text == "" {
			open = false
			continue
		}
		if open {
			out[len(out)-1].text += " " + l.text
			continue
		}
		out = append(out, paragraph{n: l.n, text: l.text})
		open = true
	}
	return out
}

func texts(ps []paragraph) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.text
	}
	return out
}

// thaiNumber writes n in Thai digits.
func thaiNumber(n int) string { return thaidate.ToThaiDigits(fmt.Sprint(n)) }
