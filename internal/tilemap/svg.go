package tilemap

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Value is what a province's tile shows.
type Value struct {
	// Value places the tile on the colour scale; ignored unless HasValue.
	Value    float64
	HasValue bool
	// Label is the value as written on the tile and in its title, e.g.
	// "82%" or "๘๒"; empty writes Value rounded, with Options.Unit.
	Label string
	// URL is where a click on the tile goes (e.g. the province's page);
	// empty makes the tile no link.
	URL string
}

// Options tune SVG. The zero value draws a 0–100 scale in Thai.
type Options struct {
	// Title names the map for screen readers and as its heading in the
	// legend, e.g. "อัตราการรายงานตรงเวลา".
	Title string
	// Min and Max bound the colour scale; both zero means 0–100.
	Min, Max float64
	// Unit follows values written from Value, e.g. "%".
	Unit string
	// English names provinces in English in titles and the legend.
	English bool
}

// Colours is the colour scale, low to high: ColorBrewer's RdYlBu (5
// classes), which readers with colour-blindness can tell apart. NoData
// fills a tile without a value.
var (
	Colours = [...]string{"#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"}
	NoData  = "#e3e3e3"
)

// Geometry of the drawing, in SVG user units (the viewBox scales it).
const (
	tileSize = 40
	tileGap  = 3
	legendH  = 58
	margin   = 4
)

// classOf is the colour class of v on [lo, hi].
func classOf(v, lo, hi float64) int {
	if hi <= lo {
		return len(Colours) - 1
	}
	f := (v - lo) / (hi - lo)
	return int(math.Min(math.Max(math.Floor(f*float64(len(Colours))), 0), float64(len(Colours)-1)))
}

// SVG draws l as an inline SVG: a square per province, filled by the
// class of its value on the colour scale (Colours, NoData without a
// value), with its Thai abbreviation and its label written on it, a
// <title> naming the province and its value (read by screen readers and
// shown on hover), a link to its URL, and a legend of the classes below
// the map. The SVG scales to the width of its container through its
// viewBox (it reads on a 390-pixel phone), uses no script, no external
// font or data, and is safe to put in a page: every text is escaped.
// values are keyed by province code; provinces without one show NoData.
func SVG(l Layout, values map[string]Value, o Options) template.HTML {
	lo, hi := o.Min, o.Max
	if lo == 0 && hi == 0 {
		hi = 100
	}
	w := l.Cols*(tileSize+tileGap) + 2*margin
	h := l.Rows*(tileSize+tileGap) + 2*margin + legendH
	esc := template.HTMLEscapeString
	var b strings.Builder
	title := o.Title
	if title == "" {
		title = map[bool]string{false: "แผนที่จังหวัด", true: "Map of the provinces"}[o.English]
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="tilemap" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, w, h, esc(title))
	desc := "ตารางสี่เหลี่ยมหนึ่งช่องต่อหนึ่งจังหวัด วางตามตำแหน่งจริงโดยประมาณ สีแสดงค่า"
	if o.English {
		desc = "One square per province, placed roughly where the province lies; the colour shows the value."
	}
	fmt.Fprintf(&b, `<title>%s</title><desc>%s</desc>`, esc(title), esc(desc))
	for _, t := range l.Tiles {
		v, ok := values[t.Code]
		fill, label := NoData, ""
		if ok && v.HasValue {
			fill = Colours[classOf(v.Value, lo, hi)]
			label = v.Label
			if label == "" {
				label = fmt.Sprintf("%.0f%s", v.Value, o.Unit)
			}
		}
		name := t.NameTH
		if o.English {
			name = t.NameEN
		}
		tip := name
		if label != "" {
			tip += ": " + label
		} else if o.English {
			tip += ": no data"
		} else {
			tip += ": ไม่มีข้อมูล"
		}
		x, y := margin+t.Col*(tileSize+tileGap), margin+t.Row*(tileSize+tileGap)
		ink := "#1a1a1a"
		if fill == Colours[0] || fill == Colours[len(Colours)-1] {
			ink = "#ffffff"
		}
		if ok && v.URL != "" {
			fmt.Fprintf(&b, `<a href="%s" aria-label="%s">`, esc(v.URL), esc(tip))
		} else {
			b.WriteString(`<g>`)
		}
		fmt.Fprintf(&b, `<title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#ffffff" stroke-width="1"/>`,
			esc(tip), x, y, tileSize, tileSize, fill)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="%s" aria-hidden="true">%s</text>`,
			x+tileSize/2, y+17, ink, esc(t.AbbrTH))
		if label != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" fill="%s" aria-hidden="true">%s</text>`,
				x+tileSize/2, y+32, ink, esc(label))
		}
		if ok && v.URL != "" {
			b.WriteString(`</a>`)
		} else {
			b.WriteString(`</g>`)
		}
	}
	// The legend: one swatch per class with its range, and no data.
	ly := h - legendH + 8
	fmt.Fprintf(&b, `<g class="tilemap-legend"><text x="%d" y="%d" font-size="12" fill="#1a1a1a">%s</text>`, margin, ly+8, esc(title))
	sw := (w - 2*margin) / (len(Colours) + 1)
	for i, c := range Colours {
		a := lo + (hi-lo)*float64(i)/float64(len(Colours))
		z := lo + (hi-lo)*float64(i+1)/float64(len(Colours))
		x := margin + i*sw
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="%s"/><text x="%d" y="%d" font-size="11" fill="#1a1a1a">%s</text>`,
			x, ly+16, sw-2, c, x, ly+42, esc(fmt.Sprintf("%.0f–%.0f%s", a, z, o.Unit)))
	}
	nd := map[bool]string{false: "ไม่มีข้อมูล", true: "no data"}[o.English]
	x := margin + len(Colours)*sw
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="%s"/><text x="%d" y="%d" font-size="11" fill="#1a1a1a">%s</text></g>`,
		x, ly+16, sw-2, NoData, x, ly+42, esc(nd))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}
