package web

import (
	"bytes"
	"testing"

	"github.com/tidtam/tidtam/internal/dashboard"
	"github.com/tidtam/tidtam/internal/meetings"
)

// TestDashboardTemplatesRender executes the dashboard, province and board
// templates on sample data with every cell state and a missing rate, so a
// template that names a field wrongly fails here rather than as a 500.
func TestDashboardTemplatesRender(t *testing.T) {
	v, err := parseViews()
	if err != nil {
		t.Fatal(err)
	}
	r := 50.0
	view := dashboard.View{Directives: []dashboard.DirectiveSummary{{ID: "a/b", Shares: dashboard.Shares{OnTimeRate: &r}}},
		Provinces: []dashboard.ProvinceRow{{Code: "20", Cells: []dashboard.Cell{{State: "overdue"}}}}, Trend: []dashboard.TrendPoint{{Label: "1/2569"}}}
	for name, data := range map[string]any{
		"dashboard": dashboardPage{V: view},
		"province":  provincePage{V: dashboard.ProvinceView{GeoRegion: "east", Districts: []dashboard.DistrictRow{{Code: "2001"}}, Directives: view.Directives}},
		"board":     boardPage{V: view, MeetingDetail: meetings.MeetingDetail{Directives: []meetings.DirectiveView{{ID: "x"}}}, Directives: []boardDirective{{DirectiveSummary: view.Directives[0], Late: view.Provinces}}},
	} {
		p := Page{L: Localizer{Lang: "th", Digits: "thai"}, Data: data}
		var buf bytes.Buffer
		if err := v.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
			t.Error(err)
		}
	}
}
