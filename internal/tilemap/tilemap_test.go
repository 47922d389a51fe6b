package tilemap_test

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/tilemap"
)

func tileOf(t *testing.T, l tilemap.Layout, code string) tilemap.Tile {
	t.Helper()
	for _, tl := range l.Tiles {
		if tl.Code == code {
			return tl
		}
	}
	t.Fatalf("no tile %s", code)
	return tilemap.Tile{}
}

// TestProvincesLayout: 77 tiles on 77 distinct cells inside the grid, and
// the country's shape: north above south, east right of west.
func TestProvincesLayout(t *testing.T) {
	l := tilemap.Provinces()
	if len(l.Tiles) != 77 {
		t.Fatalf("%d tiles", len(l.Tiles))
	}
	seen := map[[2]int]string{}
	for _, tl := range l.Tiles {
		k := [2]int{tl.Col, tl.Row}
		if o, dup := seen[k]; dup {
			t.Errorf("%s and %s share cell %v", tl.Code, o, k)
		}
		seen[k] = tl.Code
		if tl.Col < 0 || tl.Row < 0 || tl.Col >= l.Cols || tl.Row >= l.Rows || tl.AbbrTH == "" || tl.NameTH == "" {
			t.Errorf("tile %+v outside %dx%d or unnamed", tl, l.Cols, l.Rows)
		}
	}
	if l.Cols > 16 || l.Rows > 26 {
		t.Errorf("grid %dx%d too sparse", l.Cols, l.Rows)
	}
	tile := func(code string) tilemap.Tile { return tileOf(t, l, code) }
	minRow, maxRow, maxCol := l.Rows, 0, 0
	for _, tl := range l.Tiles {
		minRow, maxRow, maxCol = min(minRow, tl.Row), max(maxRow, tl.Row), max(maxCol, tl.Col)
	}
	chiangRai, bangkok, kanchanaburi, ubon := tile("57"), tile("10"), tile("71"), tile("34")
	if chiangRai.Row != minRow {
		t.Errorf("Chiang Rai in row %d, the top is %d", chiangRai.Row, minRow)
	}
	if tile("96").Row != maxRow || tile("95").Row != maxRow {
		t.Errorf("Narathiwat (%d) and Yala (%d) not in the bottom row %d", tile("96").Row, tile("95").Row, maxRow)
	}
	if ubon.Col != maxCol {
		t.Errorf("Ubon Ratchathani in column %d, the right edge is %d", ubon.Col, maxCol)
	}
	for _, c := range []struct{ a, b, how string }{
		{"57", "50", "north"}, {"50", "10", "north"}, {"10", "84", "north"}, {"12", "10", "north"}, {"60", "10", "north"},
		{"10", "86", "north"}, {"43", "40", "north"}, {"40", "30", "north"}, {"84", "90", "north"},
		{"34", "30", "east"}, {"30", "10", "east"}, {"10", "71", "east"}, {"24", "10", "east"}, {"22", "20", "east"},
		{"48", "41", "east"}, {"96", "91", "east"}, {"71", "30", "west"},
	} {
		a, b := tile(c.a), tile(c.b)
		ok := map[string]bool{"north": a.Row < b.Row, "east": a.Col > b.Col, "west": a.Col < b.Col}[c.how]
		if !ok {
			t.Errorf("%s (%s %d,%d) not %s of %s (%s %d,%d)", a.NameEN, a.Code, a.Col, a.Row, c.how, b.NameEN, b.Code, b.Col, b.Row)
		}
	}
	// Bangkok in the centre-south: between the west and east edges, below
	// the middle of the mainland, above the peninsula.
	if bangkok.Col <= kanchanaburi.Col || bangkok.Col >= ubon.Col || bangkok.Row <= tile("60").Row || bangkok.Row >= tile("77").Row {
		t.Errorf("Bangkok at %d,%d", bangkok.Col, bangkok.Row)
	}
}

// TestArrangeStable: the same points give the same cells, whatever their
// order; points on one spot spread to distinct cells next to it.
func TestArrangeStable(t *testing.T) {
	pts := []tilemap.Point{{"a", 10, 100}, {"b", 10, 100}, {"c", 10, 100}, {"d", 10, 100}, {"e", 12, 101}}
	first := tilemap.Arrange(pts, 0.5)
	rev := make([]tilemap.Point, len(pts))
	for i, p := range pts {
		rev[len(pts)-1-i] = p
	}
	again := tilemap.Arrange(rev, 0.5)
	if fmt.Sprint(first) != fmt.Sprint(again) {
		t.Errorf("order changed the layout: %v vs %v", first, again)
	}
	cells := map[tilemap.Cell]bool{}
	for id, c := range first {
		if cells[c] {
			t.Errorf("%s shares a cell", id)
		}
		cells[c] = true
		// a–d share a spot 4 cells south of e: they fill the 2×2 block there.
		if id != "e" && (c.Row < 4 || c.Row > 5 || c.Col > 1) {
			t.Errorf("%s pushed away to %v", id, c)
		}
	}
	if first["e"].Row != 0 {
		t.Errorf("the northern point is in row %d", first["e"].Row)
	}
	if len(tilemap.Arrange(nil, 1)) != 0 {
		t.Error("no points, some cells")
	}
	if fmt.Sprint(tilemap.Provinces()) != fmt.Sprint(tilemap.Provinces()) {
		t.Error("Provinces changes")
	}
}

// TestSVG: well-formed, one titled tile per province with its link and
// colour, escaped text, a legend, no script and nothing external.
func TestSVG(t *testing.T) {
	vals := map[string]tilemap.Value{
		"10": {Value: 95, HasValue: true, URL: "/dashboard/provinces/10?x=1&y=2"},
		"57": {Value: 5, HasValue: true, Label: "5% <b>"},
		"96": {URL: "/p/96"},
	}
	out := string(tilemap.SVG(tilemap.Provinces(), vals, tilemap.Options{Title: "อัตราตรงเวลา", Unit: "%"}))
	if err := xml.Unmarshal([]byte(out), new(any)); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	for _, want := range []string{
		`viewBox="0 0 `, `role="img"`, `aria-label="อัตราตรงเวลา"`,
		`<a href="/dashboard/provinces/10?x=1&amp;y=2" aria-label="กรุงเทพมหานคร: 95%">`,
		`<title>กรุงเทพมหานคร: 95%</title>`, `fill="` + tilemap.Colours[4] + `"`,
		`<title>เชียงราย: 5% &lt;b&gt;</title>`, `fill="` + tilemap.Colours[0] + `"`,
		`<a href="/p/96" aria-label="นราธิวาส: ไม่มีข้อมูล">`, `fill="` + tilemap.NoData + `"`,
		`>80–100%<`, `>ไม่มีข้อมูล<`, `>กทม<`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if n := strings.Count(out, "<rect "); n != 77+6 {
		t.Errorf("%d rects, want 77 tiles and 6 legend swatches", n)
	}
	for _, bad := range []string{"<script", "http://", "https://", "@import", "url("} {
		if strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	en := string(tilemap.SVG(tilemap.Provinces(), nil, tilemap.Options{English: true, Min: 0, Max: 14}))
	if !strings.Contains(en, "<title>Bangkok: no data</title>") || !strings.Contains(en, ">11–14<") {
		t.Error("English map without English names or the 0–14 scale")
	}
}
