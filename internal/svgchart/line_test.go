package svgchart_test

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/svgchart"
)

func wellFormed(t *testing.T, out string) {
	t.Helper()
	if err := xml.Unmarshal([]byte("<root>"+out+"</root>"), new(any)); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out)
	}
	if strings.Contains(out, "<script") || strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), "http") {
		t.Error("script or external reference")
	}
}

var polyline = regexp.MustCompile(`<polyline points="([^"]*)"`)

// TestLineMany: twelve meetings, one missing: the line breaks there, a dot
// with a title per value, the axis 0–100 %, the hidden table lists all 12.
func TestLineMany(t *testing.T) {
	var pts []svgchart.Point
	for i := range 12 {
		pts = append(pts, svgchart.Point{Label: fmt.Sprintf("%d/๒๕๖๙", i+1), Value: float64(50 + 4*i), OK: i != 5})
	}
	out := string(svgchart.Line(svgchart.Series{Title: "อัตราตรงเวลา <ทดสอบ>", Points: pts}))
	wellFormed(t, out)
	for _, want := range []string{`role="img"`, `aria-label="อัตราตรงเวลา &lt;ทดสอบ&gt;. 12 ครั้ง มีข้อมูล 11 ครั้ง จาก 50% (1/๒๕๖๙) ถึง 94% (12/๒๕๖๙)"`,
		`<title>อัตราตรงเวลา &lt;ทดสอบ&gt;</title>`, `>0%<`, `>100%<`, `<title>1/๒๕๖๙: 50%</title>`, `<title>12/๒๕๖๙: 94%</title>`,
		`<caption>อัตราตรงเวลา &lt;ทดสอบ&gt;</caption>`, `<tr><th scope="row">6/๒๕๖๙</th><td>ไม่มีข้อมูล</td></tr>`, `class="visually-hidden"`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if n := strings.Count(out, "<circle"); n != 11 {
		t.Errorf("%d dots, want 11", n)
	}
	runs := polyline.FindAllStringSubmatch(out, -1)
	if len(runs) != 2 || len(strings.Fields(runs[0][1])) != 5 || len(strings.Fields(runs[1][1])) != 6 {
		t.Errorf("line runs = %q, want 5 and 6 points", runs)
	}
	if n := strings.Count(out, "<tr><th scope=\"row\">"); n != 12 {
		t.Errorf("%d table rows", n)
	}
	if strings.Count(out, "/๒๕๖๙</text>") != 12 {
		t.Error("not every label on the axis")
	}
}

// TestLineEdges: no point, one point, values out of range, many points
// (labels thinned), English.
func TestLineEdges(t *testing.T) {
	empty := string(svgchart.Line(svgchart.Series{Title: "ว่าง"}))
	wellFormed(t, empty)
	if !strings.Contains(empty, ">ไม่มีข้อมูล</text>") || strings.Contains(empty, "<polyline") || strings.Contains(empty, "<circle") {
		t.Error("empty chart")
	}
	one := string(svgchart.Line(svgchart.Series{Title: "หนึ่ง", Points: []svgchart.Point{{Label: "๑/๒๕๖๙", Value: 0, OK: true}}}))
	wellFormed(t, one)
	if strings.Count(one, "<circle") != 1 || strings.Contains(one, "<polyline") || !strings.Contains(one, "<title>๑/๒๕๖๙: 0%</title>") {
		t.Errorf("one point: %s", one)
	}
	allMissing := string(svgchart.Line(svgchart.Series{Points: []svgchart.Point{{Label: "a"}, {Label: "b"}}, English: true}))
	wellFormed(t, allMissing)
	if !strings.Contains(allMissing, ">no data</text>") || !strings.Contains(allMissing, "<td>no data</td>") {
		t.Error("no values in English")
	}
	var pts []svgchart.Point
	for i := range 40 {
		pts = append(pts, svgchart.Point{Label: fmt.Sprintf("p%02d", i), Value: float64(i*7) - 20, OK: true})
	}
	many := string(svgchart.Line(svgchart.Series{Title: "many", Points: pts}))
	wellFormed(t, many)
	labels := regexp.MustCompile(`>p\d\d</text>`).FindAllString(many, -1)
	if len(labels) > 13 || len(labels) < 8 || labels[len(labels)-1] != ">p39</text>" {
		t.Errorf("labels = %v", labels)
	}
	if !strings.Contains(many, "<title>p00: -20%</title>") || !strings.Contains(many, "<title>p39: 253%</title>") {
		t.Error("values out of range not told as they are")
	}
	// Clamped into the plot: no dot above the top or below the axis.
	for _, m := range regexp.MustCompile(`cy="([0-9.-]+)"`).FindAllStringSubmatch(many, -1) {
		var y float64
		fmt.Sscan(m[1], &y)
		if y < 14 || y > 186 {
			t.Errorf("dot at y=%v outside the plot", y)
		}
	}
}
