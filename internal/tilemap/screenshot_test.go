package tilemap_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tidtam/tidtam/internal/browsertest"
	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/svgchart"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/tilemap"
)

// TestScreenshot renders the tile map and a trend chart into a page and
// photographs it in Chromium at phone and desktop size, for a person to
// look at (screenshots/TestScreenshot/…): tiles legible at 390 pixels,
// colours and legend, the chart's axis, line break and labels. The page
// loads nothing but itself, and the tiles are links.
func TestScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	vals := map[string]tilemap.Value{}
	for i, p := range refdata.Provinces {
		v := tilemap.Value{URL: "/dashboard/provinces/" + p.Code}
		if i%11 != 5 {
			v.Value, v.HasValue = float64((i*37)%101), true
		}
		vals[p.Code] = v
	}
	var pts []svgchart.Point
	for i := range 12 {
		pts = append(pts, svgchart.Point{Label: thaidate.ToThaiDigits(fmt.Sprintf("%d/2569", i+1)), Value: float64(40 + (i*13)%55), OK: i != 7})
	}
	page := template.Must(template.New("p").Parse(`<!doctype html><html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>tilemap</title><link rel="icon" href="data:,">
<style>body{font-family:"Sarabun","Loma","Garuda",sans-serif;margin:12px;max-width:960px}</style></head><body>
<h1>แผนที่ ๗๗ จังหวัด</h1>{{.Map}}<h2>แนวโน้ม</h2>{{.Chart}}<h2>ไม่มีข้อมูล</h2>{{.Empty}}</body></html>`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		_ = page.Execute(w, map[string]template.HTML{
			"Map":   tilemap.SVG(tilemap.Provinces(), vals, tilemap.Options{Title: "อัตราการรายงานตรงเวลา (%)", Unit: "%"}),
			"Chart": svgchart.Line(svgchart.Series{Title: "อัตราการรายงานตรงเวลา ๑๒ ครั้งล่าสุด", Points: pts}),
			"Empty": svgchart.Line(svgchart.Series{Title: "ว่าง"}),
		})
	}))
	defer srv.Close()
	b := browsertest.New(t, srv.URL)
	for _, size := range browsertest.Sizes {
		tab := b.Tab(t, size)
		tab.Open(t, "/")
		if !tab.Exists(t, `svg.tilemap a[href="/dashboard/provinces/57"]`) {
			t.Errorf("%s: no link on Chiang Rai's tile", size.Name)
		}
		tab.Shot(t, "tilemap-and-trend")
		tab.AssertClean(t)
	}
}
