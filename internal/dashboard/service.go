// Package dashboard serves the live national picture: open directives with
// their on-time, late and overdue shares, the provinces × directives
// matrix, each province's own picture with its districts, and the trend of
// the on-time rate over recent meetings. It reads the incremental counters
// of progress_counts (models.ProgressCount, kept by the transaction that
// saves each assignment change), so a dashboard costs O(provinces ×
// directives) rows, and it keeps each answer for a short time (Deps.TTL)
// so that many viewers cost little.
package dashboard

import (
	"context"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
)

// Service is the dashboard domain. Each method decides who may call it
// from the *auth.Principal it is given (nil: Unauthorized). Errors other
// than *apperr.Error (an unreachable database) are returned as they are.
// Implementation: NewService.
type Service interface {
	// National returns the national dashboard within p's scope: admins,
	// the secretariat and observers see every province; inspectors the
	// provinces of their inspection regions; anyone else is Forbidden.
	// f narrows it to a geographic region (GeoRegions) and an inspection
	// region (1–18); Invalid "region" or "inspection_region" otherwise.
	// The answer may be up to Deps.TTL old (GeneratedAt says when it was
	// computed); Stamp changes whenever its content does.
	National(ctx context.Context, p *auth.Principal, f Filter) (View, error)

	// Province returns province code's own picture: its open directives
	// with the counts of the province's centre and its districts
	// together, each district's counts, and the province's on-time rate
	// and rank among all provinces. Those who see the national dashboard
	// (inspectors: in their regions) and the province's and its
	// districts' own accounts may read it; others are Forbidden, an
	// unknown province NotFound. Up to Deps.TTL old.
	Province(ctx context.Context, p *auth.Principal, code string) (ProvinceView, error)

	// DirectiveStamp returns a stamp of directive id's assignments that
	// changes with every saved change of any of them (and of the
	// directive), for live units × items matrices. Any signed-in caller
	// (Unauthorized otherwise); it reveals nothing of the content, and an
	// unknown directive has a stamp too.
	DirectiveStamp(ctx context.Context, p *auth.Principal, id string) (string, error)
}

// Filter narrows the national dashboard: GeoRegion is one of GeoRegions
// ("" for all), InspectionRegion 1–18 (0 for all).
type Filter struct {
	GeoRegion        string `json:"region,omitempty"`
	InspectionRegion int    `json:"inspection_region,omitempty"`
}

// Counts are the counters of a directive, a province or a cell summed:
// assignments (Units) and their acknowledgement, then items (one per item
// and cycle) by state. AckOverdue and Overdue are what is past its due at
// the moment the view was computed.
type Counts struct {
	Units        int64 `json:"units"`
	Acknowledged int64 `json:"acknowledged"`
	AckOnTime    int64 `json:"ack_on_time"`
	AckLate      int64 `json:"ack_late"`
	AckOverdue   int64 `json:"ack_overdue"`
	Escalated    int64 `json:"escalated"`
	Items        int64 `json:"items"`
	Awaiting     int64 `json:"awaiting"`
	Overdue      int64 `json:"overdue"`
	Reported     int64 `json:"reported"`
	Accepted     int64 `json:"accepted"`
	Returned     int64 `json:"returned"`
	Ended        int64 `json:"ended"`
	OnTime       int64 `json:"on_time"`
	Late         int64 `json:"late"`
}

// Shares are percentages (0–100, one decimal) of a Counts' items (named
// apart from the counts so that both can be embedded in one row):
// reported on time, reported late, overdue now, and the rest still within
// their due (pending). OnTimeRate is on-time ÷ (on-time + late + overdue):
// the share of what has fallen due that came in on time; nil while
// nothing has fallen due.
type Shares struct {
	OnTimeShare  float64  `json:"on_time_share"`
	LateShare    float64  `json:"late_share"`
	OverdueShare float64  `json:"overdue_share"`
	PendingShare float64  `json:"pending_share"`
	OnTimeRate   *float64 `json:"on_time_rate"`
}

// DirectiveSummary is one open directive on the dashboard.
type DirectiveSummary struct {
	ID        string `json:"id"`
	DocNumber string `json:"doc_number"`
	Subject   string `json:"subject"`
	IssueDate string `json:"issue_date"`
	Urgency   string `json:"urgency"`
	Counts
	Shares
}

// Cell states of the provinces × directives matrix, from worst: overdue
// (something past its due and not in), late (everything due is in, some
// of it late), on_track (nothing late, some still within its due), done
// (every item in on time or ended), none (the directive reaches no unit
// of the province).
const (
	CellOverdue = "overdue"
	CellLate    = "late"
	CellOnTrack = "on_track"
	CellDone    = "done"
	CellNone    = "none"
)

// Cell is one province × directive of the matrix.
type Cell struct {
	State   string `json:"state"`
	Units   int64  `json:"units"`
	Items   int64  `json:"items"`
	Overdue int64  `json:"overdue"`
	Late    int64  `json:"late"`
	OnTime  int64  `json:"on_time"`
}

// ProvinceRow is one province on the national dashboard: its totals over
// the open directives and one Cell per View.Directives entry, in order.
type ProvinceRow struct {
	Code             string `json:"code"`
	NameTH           string `json:"name_th"`
	NameEN           string `json:"name_en"`
	GeoRegion        string `json:"region"`
	InspectionRegion int    `json:"inspection_region"`
	Counts
	Shares
	Cells []Cell `json:"cells"`
}

// TrendPoint is the on-time rate of the items that fell due in the
// period ending with one meeting (from the previous meeting shown): Rate
// is nil when nothing fell due then.
type TrendPoint struct {
	MeetingID string    `json:"meeting_id"`
	Label     string    `json:"label"`
	At        time.Time `json:"at"`
	Due       int64     `json:"due"`
	OnTime    int64     `json:"on_time"`
	Rate      *float64  `json:"rate"`
}

// View is the national dashboard.
type View struct {
	GeneratedAt time.Time          `json:"generated_at"`
	Filter      Filter             `json:"filter"`
	Totals      Counts             `json:"totals"`
	Shares      Shares             `json:"shares"`
	Directives  []DirectiveSummary `json:"directives"`
	Provinces   []ProvinceRow      `json:"provinces"`
	Trend       []TrendPoint       `json:"trend"`
	// Stamp identifies the content: equal stamps, equal content (the
	// time of computing aside). It is the ETag of the JSON answer and
	// what live pages compare to know they must refresh.
	Stamp string `json:"stamp"`
}

// DistrictRow is one district of a province's picture, over the open
// directives.
type DistrictRow struct {
	Code   string `json:"code"`
	NameTH string `json:"name_th"`
	NameEN string `json:"name_en"`
	Counts
	Shares
}

// ProvinceView is one province's picture: its open directives with the
// counts of the province and its districts together, its districts, and
// its on-time rate with its rank among the provinces that have one (1 is
// best; ties share a rank; 0 when it has none).
type ProvinceView struct {
	GeneratedAt time.Time          `json:"generated_at"`
	Code        string             `json:"code"`
	NameTH      string             `json:"name_th"`
	NameEN      string             `json:"name_en"`
	GeoRegion   string             `json:"region"`
	Inspection  int                `json:"inspection_region"`
	Totals      Counts             `json:"totals"`
	Shares      Shares             `json:"shares"`
	Rank        int                `json:"rank"`
	Ranked      int                `json:"ranked"`
	Directives  []DirectiveSummary `json:"directives"`
	Districts   []DistrictRow      `json:"districts"`
	Stamp       string             `json:"stamp"`
}
