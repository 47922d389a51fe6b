package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// rollup is one directive's districts × items table of a province.
type rollup struct {
	DirectiveID  string
	DocNumber    string
	Subject      string
	Urgency      string
	ItemNumbers  []int
	Rows         []rollupRow
	Acknowledged int
	Reported     int
	Overdue      int
}

// rollupRow is one district's assignment in a rollup: its items' latest
// cycles by number (absent where the item is not addressed to it).
type rollupRow struct {
	directives.AssignmentView
	ByNumber map[int]directives.AssignmentItemView
}

// Cell returns the row's item n; the zero item (empty Status) when the
// item is not addressed to the district.
func (r rollupRow) Cell(n int) directives.AssignmentItemView { return r.ByNumber[n] }

// Path is the district's assignment page.
func (r rollupRow) Path() string { return assignmentPath(r.DirectiveID, r.UnitCode) }

// districtsPage is the data of a province's districts page.
type districtsPage struct{ Rollups []rollup }

// Districts shows a province officer the roll-up of its district
// centres' assignments (GET /districts): per directive, districts × items
// with counts of acknowledged, reported and overdue units, each district
// linking to its assignment, where the province reviews its reports.
func (w *Pages) Districts(c *fiber.Ctx) error {
	p := principal(c)
	if !p.HasRole(models.RoleProvince) {
		return w.fail(c, apperr.New(apperr.Forbidden, "เฉพาะ ศอ.ปส.จ. (province centres only)"))
	}
	page, err := w.d.Directives.ListAssignments(c.UserContext(), p, directives.AssignmentFilter{Window: listing.Window{Limit: 500}})
	if err != nil {
		return w.fail(c, err)
	}
	return w.render(c, fiber.StatusOK, "districts", "nav_districts", districtsPage{Rollups: buildRollups(page.Items, p.UnitCode)})
}

// buildRollups groups the district assignments (those whose parent is
// province) by directive, in the order the assignments came (newest
// directive first), districts by code.
func buildRollups(items []directives.AssignmentView, province string) []rollup {
	var out []rollup
	index := map[string]int{}
	for _, a := range items {
		if a.ParentCode != province || a.UnitCode == province {
			continue
		}
		i, ok := index[a.DirectiveID]
		if !ok {
			i = len(out)
			index[a.DirectiveID] = i
			out = append(out, rollup{DirectiveID: a.DirectiveID, DocNumber: a.DocNumber, Subject: a.Subject, Urgency: a.Urgency})
		}
		r := &out[i]
		row := rollupRow{AssignmentView: a, ByNumber: map[int]directives.AssignmentItemView{}}
		reported, overdue := len(a.Items) > 0, false
		for _, it := range a.Items {
			row.ByNumber[it.Number] = it
			if !slices.Contains(r.ItemNumbers, it.Number) {
				r.ItemNumbers = append(r.ItemNumbers, it.Number)
			}
			reported = reported && !it.Status.AwaitingReport()
			overdue = overdue || it.Overdue
		}
		if a.AcknowledgedAt != nil {
			r.Acknowledged++
		}
		if reported {
			r.Reported++
		}
		if overdue || a.Overdue {
			r.Overdue++
		}
		r.Rows = append(r.Rows, row)
	}
	for i := range out {
		slices.Sort(out[i].ItemNumbers)
		slices.SortFunc(out[i].Rows, func(a, b rollupRow) int {
			switch {
			case a.UnitCode < b.UnitCode:
				return -1
			case a.UnitCode > b.UnitCode:
				return 1
			}
			return 0
		})
	}
	return out
}
