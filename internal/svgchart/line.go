// Package svgchart draws small charts as server-rendered, accessible SVG:
// no script, no external font or data, scaled by its viewBox to the width
// of its container (a 390-pixel phone as well as a projector).
//
// Line draws a percentage series over labelled points, e.g. the on-time
// rate over the last 12 meetings:
//
//	html := svgchart.Line(svgchart.Series{
//		Title:  "อัตราการรายงานตรงเวลา",
//		Points: []svgchart.Point{{Label: "๑/๒๕๖๙", Value: 82, OK: true}, {Label: "๒/๒๕๖๙"}},
//	})
package svgchart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Point is one labelled value of a series. OK false is a missing value
// (no meeting data): the line breaks there and the table says so.
type Point struct {
	// Label names the point on the axis and in the table, e.g. "๑/๒๕๖๙".
	Label string
	// Value is a percentage, 0–100 (clamped when drawn).
	Value float64
	OK    bool
}

// Series is what Line draws.
type Series struct {
	// Title names the chart (SVG <title>, aria-label, table caption).
	Title string
	// Desc describes it for screen readers; empty derives it from the
	// points (how many, first and last value).
	Desc   string
	Points []Point
	// English writes the chart's own words (no data, the table's headers)
	// in English.
	English bool
}

// Geometry in SVG user units.
const (
	width   = 480
	height  = 250
	left    = 52
	right   = 24
	top     = 14
	bottom  = 64
	plotW   = width - left - right
	plotH   = height - top - bottom
	maxTick = 12 // at most this many x labels are written
)

// words are the chart's own words, Thai and English.
func (s Series) words() (noData, point, value string) {
	if s.English {
		return "no data", "Point", "Value (%)"
	}
	return "ไม่มีข้อมูล", "ครั้ง", "ค่า (%)"
}

func pct(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Line draws s as a line chart: the y axis from 0 to 100 % with grid lines
// every 25 %, one x position per point labelled below (when there are
// more than 12 points, every k-th label so that at most 12 show), the
// values joined by a line that breaks at missing values, a dot with a
// <title> ("label: 82%") at each value. With no point, or no value at
// all, it draws the empty axes with the words "no data". The values are
// also given as a visually hidden <table> after the SVG (class
// "visually-hidden", which the page's stylesheet must clip: inline styles
// would break a strict Content-Security-Policy; the drawing's size comes
// from the stylesheet too, class "svgchart"),
// which screen readers read instead of the drawing (the SVG is
// role="img" with an aria-label). All text is escaped.
func Line(s Series) template.HTML {
	esc := template.HTMLEscapeString
	noData, pointWord, valueWord := s.words()
	n := len(s.Points)
	x := func(i int) float64 {
		if n <= 1 {
			return left + plotW/2
		}
		return left + float64(i)*plotW/float64(n-1)
	}
	y := func(v float64) float64 { return top + plotH*(1-min(max(v, 0), 100)/100) }
	var b strings.Builder
	desc := s.Desc
	values := 0
	for _, p := range s.Points {
		if p.OK {
			values++
		}
	}
	if desc == "" {
		desc = describe(s, values)
	}
	fmt.Fprintf(&b, `<figure class="svgchart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`,
		width, height, esc(s.Title+". "+desc))
	fmt.Fprintf(&b, `<title>%s</title><desc>%s</desc>`, esc(s.Title), esc(desc))
	// Axes and grid.
	for _, t := range []float64{0, 25, 50, 75, 100} {
		stroke := "#d9d9d9"
		if t == 0 {
			stroke = "#666666"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y(t), width-right, y(t), stroke)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" font-size="14" fill="#444444">%s%%</text>`, left-6, y(t)+4, pct(t))
	}
	step := max(1, (n+maxTick-1)/maxTick)
	for i, p := range s.Points {
		// Every step-th label, and the last one, kept clear of the one
		// before it.
		if i != n-1 && (i%step != 0 || n-1-i < step) {
			continue
		}
		if n > 6 {
			// Many labels: slanted, so that long ones do not overlap.
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="end" font-size="14" fill="#444444" transform="rotate(-35 %.1f %d)">%s</text>`,
				x(i)+4, height-bottom+18, x(i)+4, height-bottom+18, esc(p.Label))
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="14" fill="#444444">%s</text>`, x(i), height-bottom+20, esc(p.Label))
	}
	if values == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="14" fill="#666666">%s</text>`, left+plotW/2, top+plotH/2, esc(noData))
	}
	// The line, in runs of consecutive values.
	var run []string
	flush := func() {
		if len(run) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2c7bb6" stroke-width="2.5" stroke-linejoin="round"/>`, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for i, p := range s.Points {
		if !p.OK {
			flush()
			continue
		}
		run = append(run, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Value)))
	}
	flush()
	for i, p := range s.Points {
		if !p.OK {
			continue
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="#2c7bb6" stroke="#ffffff" stroke-width="1.5"><title>%s: %s%%</title></circle>`,
			x(i), y(p.Value), esc(p.Label), pct(round1(p.Value)))
	}
	if n > 0 && s.Points[n-1].OK {
		last := s.Points[n-1]
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="14" font-weight="bold" fill="#1a4f7a">%s%%</text>`,
			x(n-1)-6, y(last.Value)-8, pct(round1(last.Value)))
	}
	b.WriteString(`</svg>`)
	// The table alternative, hidden from sight but not from screen readers.
	b.WriteString(`<table class="visually-hidden">`)
	fmt.Fprintf(&b, `<caption>%s</caption><thead><tr><th scope="col">%s</th><th scope="col">%s</th></tr></thead><tbody>`, esc(s.Title), esc(pointWord), esc(valueWord))
	for _, p := range s.Points {
		v := noData
		if p.OK {
			v = pct(round1(p.Value)) + "%"
		}
		fmt.Fprintf(&b, `<tr><th scope="row">%s</th><td>%s</td></tr>`, esc(p.Label), esc(v))
	}
	b.WriteString(`</tbody></table></figure>`)
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

func round1(v float64) float64 {
	return float64(int64(v*10+0.5*sign(v))) / 10
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// describe says what the chart shows in one sentence.
func describe(s Series, values int) string {
	n := len(s.Points)
	if values == 0 {
		if s.English {
			return "No data."
		}
		return "ไม่มีข้อมูล"
	}
	var first, last Point
	for _, p := range s.Points {
		if p.OK {
			if !first.OK {
				first = p
			}
			last = p
		}
	}
	if s.English {
		return fmt.Sprintf("%d points, %d with a value; from %s%% (%s) to %s%% (%s).", n, values,
			pct(round1(first.Value)), first.Label, pct(round1(last.Value)), last.Label)
	}
	return fmt.Sprintf("%d ครั้ง มีข้อมูล %d ครั้ง จาก %s%% (%s) ถึง %s%% (%s)", n, values,
		pct(round1(first.Value)), first.Label, pct(round1(last.Value)), last.Label)
}
