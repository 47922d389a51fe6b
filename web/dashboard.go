package web

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/dashboard"
	"github.com/tidtam/tidtam/internal/svgchart"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/internal/tilemap"
	"github.com/tidtam/tidtam/models"
)

// dashboardPage is the data of the national dashboard.
type dashboardPage struct {
	V                 dashboard.View
	Region            string
	Inspection        string
	Regions           []string
	InspectionRegions []int
	// Query is the filter as a query string ("" for none), for links.
	Query string
	// LiveTopic is the /live query naming this view.
	LiveTopic string
	// Tiles is the tile map of the provinces, coloured by on-time rate or
	// (Color "kpi") by the current KPI scheme's score.
	Tiles tileMap
	Color string
	// Scheme is the KPI scheme the map is coloured by, when it is.
	Scheme string
	// Trend is the on-time rate over recent meetings as a chart.
	Trend trendChart
}

// dashboardFilter reads ?region= and ?inspection_region= (Thai digits
// accepted); a malformed region number is passed on as out of range so
// that the service names the field.
func dashboardFilter(c *fiber.Ctx) (dashboard.Filter, string) {
	f := dashboard.Filter{GeoRegion: strings.TrimSpace(c.Query("region"))}
	raw := strings.TrimSpace(c.Query("inspection_region"))
	if raw != "" {
		n, err := thaidate.ParseInt(raw)
		if err != nil {
			n = -1
		}
		f.InspectionRegion = n
	}
	return f, raw
}

// filterQuery encodes f as a query string ("" for no filter).
func filterQuery(f dashboard.Filter) string {
	q := url.Values{}
	if f.GeoRegion != "" {
		q.Set("region", f.GeoRegion)
	}
	if f.InspectionRegion > 0 {
		q.Set("inspection_region", strconv.Itoa(f.InspectionRegion))
	}
	return q.Encode()
}

// Dashboard is the national dashboard (GET /dashboard, filters region and
// inspection_region): the open directives with their shares, the tile map
// of the provinces, the provinces × directives matrix and the on-time
// trend, live over /live. Admins, the secretariat, observers and
// inspectors (their regions).
func (w *Pages) Dashboard(c *fiber.Ctx) error {
	f, raw := dashboardFilter(c)
	data := dashboardPage{Region: f.GeoRegion, Inspection: raw, Regions: dashboard.GeoRegions, InspectionRegions: inspectionRegions()}
	v, err := w.d.Dashboard.National(c.UserContext(), principal(c), f)
	if err != nil {
		if errs, ok := fieldErrors(w.localizer(c), err, ""); ok {
			data.Region, data.Inspection = "", ""
			if v, err = w.d.Dashboard.National(c.UserContext(), principal(c), dashboard.Filter{}); err != nil {
				return w.fail(c, err)
			}
			data.V = v
			data.LiveTopic = "topic=dashboard"
			data.Tiles, data.Trend = w.tileMap(c, v), w.trendChart(c, v)
			return w.renderForm(c, fiber.StatusUnprocessableEntity, "dashboard", "nav_dashboard", data, errs)
		}
		return w.fail(c, err)
	}
	data.V, data.Query = v, filterQuery(f)
	data.LiveTopic = "topic=dashboard"
	if data.Query != "" {
		data.LiveTopic += "&" + data.Query
	}
	data.Tiles, data.Trend = w.tileMap(c, v), w.trendChart(c, v)
	if c.Query("color") == "kpi" {
		if scores, scheme := w.kpiTiles(c); scores != nil {
			data.Color, data.Scheme, data.Tiles = "kpi", scheme.Name, w.kpiTileMap(c, v, scores)
		}
	}
	return w.render(c, fiber.StatusOK, "dashboard", "nav_dashboard", data)
}

func inspectionRegions() []int {
	out := make([]int, 18)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// provincePage is the data of a province's picture.
type provincePage struct {
	V         dashboard.ProvinceView
	LiveTopic string
	// KPI is the province's score and rank in the current KPI scheme
	// (nil: none).
	KPI *provinceKPI
}

// Province is one province's picture (GET /provinces/:code): its open
// directives with the counts of the province and its districts, each
// district, and its on-time rate and rank, live over /live. Whoever sees
// the dashboard (inspectors: their regions) and the province's own and
// its districts' accounts.
func (w *Pages) Province(c *fiber.Ctx) error {
	code := param(c, "code")
	v, err := w.d.Dashboard.Province(c.UserContext(), principal(c), code)
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "province", "nav_province", provincePage{V: v,
		LiveTopic: "topic=province&code=" + url.QueryEscape(code), KPI: w.provinceScore(c, code)})
}

// liveTopic resolves the /live query to a topic key and the function that
// stamps it, checking once that p may see it (the error is the
// service's).
func (w *Pages) liveTopic(c *fiber.Ctx) (string, dashboard.StampFunc, error) {
	p := principal(c)
	switch c.Query("topic") {
	case "dashboard":
		f, _ := dashboardFilter(c)
		if _, err := w.d.Dashboard.National(c.UserContext(), p, f); err != nil {
			return "", nil, err
		}
		key := "dashboard|" + strconv.FormatBool(p.SeesAll()) + "|" + fmtInts(p.Regions) + "|" + filterQuery(f)
		return key, func(ctx context.Context) (string, error) {
			v, err := w.d.Dashboard.National(ctx, p, f)
			return v.Stamp, err
		}, nil
	case "province":
		code := c.Query("code")
		if _, err := w.d.Dashboard.Province(c.UserContext(), p, code); err != nil {
			return "", nil, err
		}
		return "province|" + code, func(ctx context.Context) (string, error) {
			v, err := w.d.Dashboard.Province(ctx, p, code)
			return v.Stamp, err
		}, nil
	case "directive":
		id := c.Query("id")
		if _, err := w.d.Directives.Directive(c.UserContext(), p, id); err != nil {
			return "", nil, err
		}
		return "directive|" + id, func(ctx context.Context) (string, error) { return w.d.Dashboard.DirectiveStamp(ctx, p, id) }, nil
	case "meeting":
		// The board's viewers: the same who may open it (MeetingBoard).
		id := c.Query("id")
		if err := p.Require(models.RoleAdmin, models.RoleSecretariat); err != nil {
			return "", nil, err
		}
		if _, err := w.d.Meetings.Meeting(c.UserContext(), p, id); err != nil {
			return "", nil, err
		}
		return "meeting|" + id, func(ctx context.Context) (string, error) { return w.boardStamp(ctx, p, id) }, nil
	}
	return "", nil, apperr.Field("topic", "หัวข้อต้องเป็น dashboard, province, directive หรือ meeting (topic must be dashboard, province, directive or meeting)")
}

func fmtInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

// tileMap is a rendered tile map of the provinces.
type tileMap = template.HTML

// tileMap draws v's provinces on the tile map, coloured by on-time rate,
// each linking to its province page.
func (w *Pages) tileMap(c *fiber.Ctx, v dashboard.View) tileMap {
	l := w.localizer(c)
	values := make(map[string]tilemap.Value, len(v.Provinces))
	for _, p := range v.Provinces {
		val := tilemap.Value{URL: "/provinces/" + url.PathEscape(p.Code)}
		if p.OnTimeRate != nil {
			val.Value, val.HasValue = *p.OnTimeRate, true
			val.Label = l.digits(strconv.FormatFloat(*p.OnTimeRate, 'f', 0, 64)) + "%"
		}
		values[p.Code] = val
	}
	return tilemap.SVG(tilemap.Provinces(), values, tilemap.Options{Title: l.T("dash_rate"), Unit: "%", English: l.EN()})
}

// ShareBar draws shares as a stacked horizontal bar (on time, late,
// overdue, not yet due) in an inline SVG, with its numbers as the
// accessible name, in the reader's language and digits.
func (l Localizer) ShareBar(s dashboard.Shares) template.HTML {
	parts := []struct {
		class string
		v     float64
	}{{"b-on-time", s.OnTimeShare}, {"b-late", s.LateShare}, {"b-overdue", s.OverdueShare}, {"b-pending", s.PendingShare}}
	label := l.Tf("share_label", s.OnTimeShare, s.LateShare, s.OverdueShare, s.PendingShare)
	var b strings.Builder
	b.WriteString(`<svg class="share-bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="`)
	b.WriteString(template.HTMLEscapeString(label))
	b.WriteString(`"><title>`)
	b.WriteString(template.HTMLEscapeString(label))
	b.WriteString(`</title>`)
	x := 0.0
	for _, p := range parts {
		if p.v <= 0 {
			continue
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="0" width="%.1f" height="6"/>`, p.class, x, p.v)
		x += p.v
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Rate writes an on-time rate ("—" for none) in the reader's digits.
func (l Localizer) Rate(r *float64) string {
	if r == nil {
		return "—"
	}
	return l.digits(strconv.FormatFloat(*r, 'f', 1, 64)) + "%"
}

// kpiTileMap draws v's provinces coloured by their KPI scores (0–100).
func (w *Pages) kpiTileMap(c *fiber.Ctx, v dashboard.View, scores map[string]float64) tileMap {
	l := w.localizer(c)
	values := make(map[string]tilemap.Value, len(v.Provinces))
	for _, p := range v.Provinces {
		val := tilemap.Value{URL: "/provinces/" + url.PathEscape(p.Code)}
		if sc, ok := scores[p.Code]; ok {
			val.Value, val.HasValue, val.Label = sc, true, l.digits(strconv.FormatFloat(sc, 'f', 0, 64))
		}
		values[p.Code] = val
	}
	return tilemap.SVG(tilemap.Provinces(), values, tilemap.Options{Title: l.T("dash_kpi_score"), English: l.EN()})
}

// trendChart is a rendered trend chart.
type trendChart = template.HTML

// trendChart draws v's on-time rate per recent meeting as a line chart,
// each point labelled with the meeting's number in the reader's digits.
func (w *Pages) trendChart(c *fiber.Ctx, v dashboard.View) trendChart {
	l := w.localizer(c)
	s := svgchart.Series{Title: l.T("dash_trend"), English: l.EN()}
	for _, p := range v.Trend {
		pt := svgchart.Point{Label: l.digits(p.Label)}
		if p.Rate != nil {
			pt.Value, pt.OK = *p.Rate, true
		}
		s.Points = append(s.Points, pt)
	}
	return svgchart.Line(s)
}

// SeesDashboard reports whether the signed-in person may open the
// national dashboard (admins, the secretariat, observers, inspectors).
func (p Page) SeesDashboard() bool {
	return p.User != nil && p.User.HasRole(models.RoleAdmin, models.RoleSecretariat, models.RoleObserver, models.RoleInspector)
}
