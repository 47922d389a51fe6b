package dashboard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/swr"
	"github.com/tidtam/tidtam/models"
)

// DefaultTTL is how long an answer is kept before it is refreshed.
const DefaultTTL = 500 * time.Millisecond

// TrendTTL is how long the trend over recent meetings is kept: it reads
// many rows and changes slowly (a late report moves it within this
// time).
const TrendTTL = 30 * time.Second

// TrendMeetings is how many recent meetings the trend covers.
const TrendMeetings = 12

// Deps are what NewService needs. DB is required.
type Deps struct {
	DB *gorm.DB
	// TTL is how long a computed answer is kept (0: DefaultTTL).
	TTL time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewService returns the dashboard domain on d's database.
func NewService(d Deps) Service {
	if d.TTL <= 0 {
		d.TTL = DefaultTTL
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &service{d: d, national: swr.New[View](d.TTL, d.Now), province: swr.New[ProvinceView](d.TTL, d.Now),
		trends: swr.New[[]TrendPoint](TrendTTL, d.Now)}
}

type service struct {
	d        Deps
	national *swr.Cache[View]
	province *swr.Cache[ProvinceView]
	trends   *swr.Cache[[]TrendPoint]
}

func (s *service) db(ctx context.Context) *gorm.DB { return s.d.DB.WithContext(ctx) }

// viewer checks that p may see national dashboards and returns the key of
// its scope: "all", or the inspector's regions.
func viewer(p *auth.Principal) (string, error) {
	if err := p.Require(models.RoleAdmin, models.RoleSecretariat, models.RoleObserver, models.RoleInspector); err != nil {
		return "", err
	}
	if p.SeesAll() {
		return "all", nil
	}
	parts := make([]string, len(p.Regions))
	for i, r := range p.Regions {
		parts[i] = strconv.Itoa(r)
	}
	return "regions:" + strings.Join(parts, ","), nil
}

// National implements Service.
func (s *service) National(ctx context.Context, p *auth.Principal, f Filter) (View, error) {
	scope, err := viewer(p)
	if err != nil {
		return View{}, err
	}
	if f.GeoRegion != "" && !validGeoRegion(f.GeoRegion) {
		return View{}, apperr.Field("region", "ภาคต้องเป็นหนึ่งใน %s (region must be one of %s)", strings.Join(GeoRegions, ", "), strings.Join(GeoRegions, ", "))
	}
	if f.InspectionRegion < 0 || f.InspectionRegion > 18 {
		return View{}, apperr.Field("inspection_region", "เขตตรวจราชการต้องเป็น 1–18 (inspection region must be 1–18)")
	}
	regions := append([]int(nil), p.Regions...)
	all := p.SeesAll()
	key := fmt.Sprintf("%s|%s|%d", scope, f.GeoRegion, f.InspectionRegion)
	return s.national.Get(ctx, key, func(ctx context.Context) (View, error) {
		return s.computeNational(ctx, all, regions, f)
	})
}

// province is a province unit as the dashboards show it.
type province struct {
	Code             string
	NameTH           string
	NameEN           string
	InspectionRegion *int
}

// provinces returns the provinces visible to a scope (all, or those of
// regions) and matching f, by code.
func (s *service) provinces(ctx context.Context, all bool, regions []int, f Filter) ([]province, error) {
	q := s.db(ctx).Model(&models.Unit{}).Select("code", "name_th", "name_en", "inspection_region").
		Where("type = ?", models.UnitProvince).Order("code")
	if !all {
		q = q.Where("inspection_region IN ?", regions)
	}
	if f.InspectionRegion > 0 {
		q = q.Where("inspection_region = ?", f.InspectionRegion)
	}
	var rows []province
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if f.GeoRegion == "" || GeoRegionOf(r.Code) == f.GeoRegion {
			out = append(out, r)
		}
	}
	return out, nil
}

// openDirectives returns the directives still issued, newest first.
func (s *service) openDirectives(ctx context.Context) ([]models.Directive, error) {
	var ds []models.Directive
	err := s.db(ctx).Select("id", "doc_number", "subject", "issue_date", "urgency").
		Where("status = ?", models.DirectiveIssued).Order("issue_date DESC, id").Find(&ds).Error
	return ds, err
}

// counterRow is one summed counter: a bucket of a directive in a
// province, with the part of it past its due at the time asked.
type counterRow struct {
	DirectiveID  string
	ProvinceCode string
	Bucket       string
	N            int64
	PastDue      int64
}

// counters reads the summed counters of the open directives, per
// directive, province and bucket.
func (s *service) counters(ctx context.Context, now time.Time) ([]counterRow, error) {
	var rows []counterRow
	nowKey := store.DueKey(&now)
	err := s.db(ctx).Model(&models.ProgressCount{}).
		Select("directive_id, province_code, bucket, SUM(n) AS n, "+
			"SUM(CASE WHEN due_key <> '' AND due_key <= ? THEN n ELSE 0 END) AS past_due", nowKey).
		Where("directive_id IN (?)", s.db(ctx).Model(&models.Directive{}).Select("id").Where("status = ?", models.DirectiveIssued)).
		Group("directive_id, province_code, bucket").Scan(&rows).Error
	return rows, err
}

// add adds one counter row to c.
func (c *Counts) add(r counterRow) {
	switch r.Bucket {
	case store.BucketUnits:
		c.Units += r.N
	case store.BucketAcknowledged:
		c.Acknowledged += r.N
	case store.BucketAckOnTime:
		c.AckOnTime += r.N
	case store.BucketAckLate:
		c.AckLate += r.N
	case store.BucketAckAwaiting:
		c.AckOverdue += r.PastDue
	case store.BucketEscalated:
		c.Escalated += r.N
	case store.BucketItems:
		c.Items += r.N
	case store.BucketAwaiting:
		c.Awaiting += r.N
		c.Overdue += r.PastDue
	case store.BucketReported:
		c.Reported += r.N
	case store.BucketAccepted:
		c.Accepted += r.N
	case store.BucketReturned:
		c.Returned += r.N
	case store.BucketEnded:
		c.Ended += r.N
	case store.BucketOnTime:
		c.OnTime += r.N
	case store.BucketLate:
		c.Late += r.N
	}
}

// addTo adds counter row r to the Counts of key k in m, creating it.
func addTo[K comparable](m map[K]*Counts, k K, r counterRow) {
	if m[k] == nil {
		m[k] = &Counts{}
	}
	m[k].add(r)
}

// summaries lists the directives of dirs that reach someone in
// perDirective, in order, with their counts and shares, and their total.
func summaries(dirs []models.Directive, perDirective map[string]*Counts) ([]DirectiveSummary, Counts) {
	var out []DirectiveSummary
	var total Counts
	for _, d := range dirs {
		c, ok := perDirective[d.ID]
		if !ok || c.Units == 0 {
			continue // reaches nobody in this view
		}
		out = append(out, DirectiveSummary{ID: d.ID, DocNumber: d.DocNumber, Subject: d.Subject,
			IssueDate: d.IssueDate, Urgency: d.Urgency, Counts: *c, Shares: SharesOf(*c)})
		total = total.plus(*c)
	}
	return out, total
}

// plus returns the sum of c and o.
func (c Counts) plus(o Counts) Counts {
	return Counts{
		Units: c.Units + o.Units, Acknowledged: c.Acknowledged + o.Acknowledged, AckOnTime: c.AckOnTime + o.AckOnTime,
		AckLate: c.AckLate + o.AckLate, AckOverdue: c.AckOverdue + o.AckOverdue, Escalated: c.Escalated + o.Escalated,
		Items: c.Items + o.Items, Awaiting: c.Awaiting + o.Awaiting, Overdue: c.Overdue + o.Overdue,
		Reported: c.Reported + o.Reported, Accepted: c.Accepted + o.Accepted, Returned: c.Returned + o.Returned,
		Ended: c.Ended + o.Ended, OnTime: c.OnTime + o.OnTime, Late: c.Late + o.Late,
	}
}

func pct(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(d)) / 10
}

// SharesOf computes the shares of c (see Shares).
func SharesOf(c Counts) Shares {
	sh := Shares{OnTimeShare: pct(c.OnTime, c.Items), LateShare: pct(c.Late, c.Items), OverdueShare: pct(c.Overdue, c.Items)}
	sh.PendingShare = math.Max(0, math.Round((100-sh.OnTimeShare-sh.LateShare-sh.OverdueShare)*10)/10)
	if due := c.OnTime + c.Late + c.Overdue; due > 0 {
		r := pct(c.OnTime, due)
		sh.OnTimeRate = &r
	}
	return sh
}

// cellOf classifies one province × directive.
func cellOf(c Counts) Cell {
	cell := Cell{Units: c.Units, Items: c.Items, Overdue: c.Overdue + c.AckOverdue, Late: c.Late, OnTime: c.OnTime}
	switch {
	case c.Units == 0:
		cell.State = CellNone
	case c.Overdue > 0 || c.AckOverdue > 0:
		cell.State = CellOverdue
	case c.Late > 0:
		cell.State = CellLate
	case c.Awaiting > 0 || c.Reported > 0 || c.Acknowledged < c.Units:
		cell.State = CellOnTrack
	default:
		cell.State = CellDone
	}
	return cell
}

func (s *service) computeNational(ctx context.Context, all bool, regions []int, f Filter) (View, error) {
	now := s.d.Now()
	v := View{Filter: f}
	provs, err := s.provinces(ctx, all, regions, f)
	if err != nil {
		return v, err
	}
	dirs, err := s.openDirectives(ctx)
	if err != nil {
		return v, err
	}
	rows, err := s.counters(ctx, now)
	if err != nil {
		return v, err
	}
	visible := make(map[string]int, len(provs))
	for i, p := range provs {
		visible[p.Code] = i
	}
	perCell := map[[2]string]*Counts{}
	perDirective := map[string]*Counts{}
	for _, r := range rows {
		if _, ok := visible[r.ProvinceCode]; !ok {
			// Units outside any province count in the national totals
			// of the whole country only.
			if !(all && f == (Filter{}) && r.ProvinceCode == "") {
				continue
			}
		}
		addTo(perCell, [2]string{r.DirectiveID, r.ProvinceCode}, r)
		addTo(perDirective, r.DirectiveID, r)
	}
	v.Directives, v.Totals = summaries(dirs, perDirective)
	v.Shares = SharesOf(v.Totals)
	v.Provinces = make([]ProvinceRow, 0, len(provs))
	for _, p := range provs {
		row := ProvinceRow{Code: p.Code, NameTH: p.NameTH, NameEN: p.NameEN, GeoRegion: GeoRegionOf(p.Code), Cells: make([]Cell, len(v.Directives))}
		if p.InspectionRegion != nil {
			row.InspectionRegion = *p.InspectionRegion
		}
		for i, d := range v.Directives {
			c := perCell[[2]string{d.ID, p.Code}]
			if c == nil {
				c = &Counts{}
			}
			row.Counts = row.Counts.plus(*c)
			row.Cells[i] = cellOf(*c)
		}
		row.Shares = SharesOf(row.Counts)
		v.Provinces = append(v.Provinces, row)
	}
	// The trend reads every item that fell due over a dozen meetings and
	// changes slowly: it is kept longer than the rest of the view.
	trendKey := fmt.Sprintf("%t|%v|%d", all, regions, f.InspectionRegion)
	if v.Trend, err = s.trends.Get(ctx, trendKey, func(ctx context.Context) ([]TrendPoint, error) {
		return s.trend(ctx, all, regions, f.InspectionRegion, now)
	}); err != nil {
		return v, err
	}
	if v.Stamp, err = store.Stamp(v); err != nil {
		return v, err
	}
	v.GeneratedAt = now
	return v, nil
}

// trend computes the on-time rate per recent meeting (see TrendPoint),
// over the assignments of a scope (all, or regions) and, when
// inspection > 0, of that inspection region.
func (s *service) trend(ctx context.Context, all bool, regions []int, inspection int, now time.Time) ([]TrendPoint, error) {
	var ms []models.Meeting
	if err := s.db(ctx).Select("id", "series_id", "year_be", "number", "starts_at").
		Where("status <> ? AND starts_at <= ?", models.MeetingCancelled, now).
		Order("starts_at DESC, id").Limit(TrendMeetings + 1).Find(&ms).Error; err != nil {
		return nil, err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].StartsAt.Before(ms[j].StartsAt) })
	out := []TrendPoint{}
	for i := 1; i < len(ms); i++ {
		from, to := ms[i-1].StartsAt, ms[i].StartsAt
		q := s.db(ctx).Model(&models.AssignmentItem{}).
			Joins("JOIN assignments ON assignments.id = assignment_items.assignment_id").
			Where("assignment_items.due_at > ? AND assignment_items.due_at <= ?", from, to).
			Where("assignments.status <> ?", models.AssignmentWithdrawn)
		if !all {
			q = q.Where("assignments.region IN ?", regions)
		}
		if inspection > 0 {
			q = q.Where("assignments.region = ?", inspection)
		}
		var r struct{ Due, OnTime int64 }
		if err := q.Select("COUNT(*) AS due, COALESCE(SUM(CASE WHEN assignment_items.reported_at IS NOT NULL AND " +
			"assignment_items.reported_at <= assignment_items.due_at THEN 1 ELSE 0 END), 0) AS on_time").Scan(&r).Error; err != nil {
			return nil, err
		}
		p := TrendPoint{MeetingID: ms[i].ID, Label: fmt.Sprintf("%d/%d", ms[i].Number, ms[i].YearBE), At: to, Due: r.Due, OnTime: r.OnTime}
		if r.Due > 0 {
			rate := pct(r.OnTime, r.Due)
			p.Rate = &rate
		}
		out = append(out, p)
	}
	return out, nil
}

// Province implements Service.
func (s *service) Province(ctx context.Context, p *auth.Principal, code string) (ProvinceView, error) {
	if p == nil {
		return ProvinceView{}, apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	var u models.Unit
	err := s.db(ctx).Where("code = ? AND type = ?", code, models.UnitProvince).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ProvinceView{}, apperr.New(apperr.NotFound, "ไม่พบจังหวัดรหัส %q (no province with code %q)", code, code)
	} else if err != nil {
		return ProvinceView{}, err
	}
	switch {
	case p.SeesAll():
	case p.HasRole(models.RoleInspector):
		if u.InspectionRegion == nil || !containsInt(p.Regions, *u.InspectionRegion) {
			return ProvinceView{}, apperr.New(apperr.Forbidden, "จังหวัดนี้อยู่นอกเขตตรวจราชการของท่าน (this province is outside your inspection regions)")
		}
	case p.HasRole(models.RoleProvince, models.RoleDistrict):
		mine, err := store.ProvinceOf(s.db(ctx), p.UnitCode)
		if err != nil {
			return ProvinceView{}, err
		}
		if mine != code {
			return ProvinceView{}, apperr.New(apperr.Forbidden, "ดูได้เฉพาะจังหวัดของท่าน (you may see only your own province)")
		}
	default:
		return ProvinceView{}, apperr.New(apperr.Forbidden, "ไม่มีสิทธิ์ดูภาพรวมจังหวัด (you may not see province dashboards)")
	}
	return s.province.Get(ctx, code, func(ctx context.Context) (ProvinceView, error) {
		return s.computeProvince(ctx, u)
	})
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *service) computeProvince(ctx context.Context, u models.Unit) (ProvinceView, error) {
	now := s.d.Now()
	v := ProvinceView{Code: u.Code, NameTH: u.NameTH, NameEN: u.NameEN, GeoRegion: GeoRegionOf(u.Code)}
	if u.InspectionRegion != nil {
		v.Inspection = *u.InspectionRegion
	}
	dirs, err := s.openDirectives(ctx)
	if err != nil {
		return v, err
	}
	rows, err := s.counters(ctx, now)
	if err != nil {
		return v, err
	}
	perDirective := map[string]*Counts{}
	perProvince := map[string]*Counts{}
	for _, r := range rows {
		if r.ProvinceCode == "" {
			continue
		}
		addTo(perProvince, r.ProvinceCode, r)
		if r.ProvinceCode == u.Code {
			addTo(perDirective, r.DirectiveID, r)
		}
	}
	v.Directives, v.Totals = summaries(dirs, perDirective)
	v.Shares = SharesOf(v.Totals)
	// Rank by on-time rate among the provinces that have one.
	type rated struct {
		code string
		rate float64
	}
	var rates []rated
	for code, c := range perProvince {
		if sh := SharesOf(*c); sh.OnTimeRate != nil {
			rates = append(rates, rated{code, *sh.OnTimeRate})
		}
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i].rate > rates[j].rate })
	v.Ranked = len(rates)
	for i, r := range rates {
		if r.code == u.Code {
			v.Rank = 1
			for j := 0; j < i; j++ {
				if rates[j].rate > r.rate {
					v.Rank++
				}
			}
		}
	}
	if v.Districts, err = s.districts(ctx, u.Code, now); err != nil {
		return v, err
	}
	if v.Stamp, err = store.Stamp(v); err != nil {
		return v, err
	}
	v.GeneratedAt = now
	return v, nil
}

// districts counts, per district of province code, the assignments and
// items of the open directives (a province has a few dozen districts at
// most, so this reads its rows directly).
func (s *service) districts(ctx context.Context, code string, now time.Time) ([]DistrictRow, error) {
	var units []models.Unit
	if err := s.db(ctx).Where("parent_code = ? AND type = ?", code, models.UnitDistrict).Order("code").Find(&units).Error; err != nil {
		return nil, err
	}
	open := s.db(ctx).Model(&models.Directive{}).Select("id").Where("status = ?", models.DirectiveIssued)
	var asg []models.Assignment
	if err := s.db(ctx).Where("parent_code = ? AND directive_id IN (?)", code, open).Find(&asg).Error; err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(asg))
	unitOf := map[string]string{}
	d := store.ProgressDeltas{}
	for _, a := range asg {
		ids = append(ids, a.ID)
		unitOf[a.ID] = a.UnitCode
		d.AddAssignment(a.UnitCode, a, 1)
	}
	if len(ids) > 0 {
		var items []models.AssignmentItem
		if err := s.db(ctx).Where("assignment_id IN ?", ids).Find(&items).Error; err != nil {
			return nil, err
		}
		for _, it := range items {
			d.AddItem("", unitOf[it.AssignmentID], it, 1)
		}
	}
	nowKey := store.DueKey(&now)
	per := map[string]*Counts{}
	for k, n := range d {
		r := counterRow{Bucket: k.Bucket, N: n}
		if k.DueKey != "" && k.DueKey <= nowKey {
			r.PastDue = n
		}
		addTo(per, k.ProvinceCode, r)
	}
	out := make([]DistrictRow, 0, len(units))
	for _, u := range units {
		c := per[u.Code]
		if c == nil {
			c = &Counts{}
		}
		out = append(out, DistrictRow{Code: u.Code, NameTH: u.NameTH, NameEN: u.NameEN, Counts: *c, Shares: SharesOf(*c)})
	}
	return out, nil
}

// DirectiveStamp implements Service.
func (s *service) DirectiveStamp(ctx context.Context, p *auth.Principal, id string) (string, error) {
	if p == nil {
		return "", apperr.New(apperr.Unauthorized, "กรุณาเข้าสู่ระบบ (sign in first)")
	}
	return store.DirectiveStamp(s.db(ctx), id)
}
