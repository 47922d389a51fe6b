package kpi

import (
	"context"
	"errors"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
)

// cell is one province's result for one criterion.
type cell struct {
	score   float64
	noData  bool
	att     *AttendanceInput
	op      *OperationInput
	counted *int64
}

// result is one province's scores for a scheme.
type result struct {
	unit    models.Unit
	cells   []cell
	total   float64
	pending int
	rank    int
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// period returns the scheme's period as instants: [from 00:00, the day
// after to 00:00) Bangkok.
func period(sc models.KPIScheme) (time.Time, time.Time, error) {
	from, err := thaidate.ParseISO(sc.PeriodFrom)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := thaidate.ParseISO(sc.PeriodTo)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from.At(0, 0), to.AddDays(1).At(0, 0), nil
}

// compute scores every province centre on scheme sc as the records stand
// at now, and ranks them.
func (s *service) compute(ctx context.Context, sc models.KPIScheme, det SchemeDetail, now time.Time) ([]*result, error) {
	db := s.db(ctx)
	var units []models.Unit
	if err := db.Where("type = ?", models.UnitProvince).Order("code").Find(&units).Error; err != nil {
		return nil, err
	}
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	from, to, err := period(sc)
	if err != nil {
		return nil, err
	}
	uses := map[string]bool{}
	for _, c := range det.Criteria {
		uses[c.Formula] = true
	}
	var att map[string]meetings.AttendanceStat
	if uses[FormulaAttendanceByHead] {
		if att, err = meetings.CountAttendance(ctx, s.d.DB, from, to, now, "", codes); err != nil {
			return nil, err
		}
	}
	var ops map[string]*OperationInput
	if uses[FormulaOnTimeOperation] {
		if ops, err = s.operation(ctx, from, to, now, codes); err != nil {
			return nil, err
		}
	}
	var entries []models.KPIEntry
	if err := db.Where("scheme_id = ? AND status IN ?", sc.ID, []string{models.KPIEntryVerified, models.KPIEntrySubmitted}).
		Order("id").Find(&entries).Error; err != nil {
		return nil, err
	}
	type key struct {
		unit string
		n    int
	}
	verified := map[key]models.KPIEntry{}
	pending := map[string]int{}
	for _, e := range entries {
		switch e.Status {
		case models.KPIEntrySubmitted:
			pending[e.UnitCode]++
		case models.KPIEntryVerified:
			k := key{e.UnitCode, e.CriterionNumber}
			if prev, ok := verified[k]; !ok || laterReview(e, prev) {
				verified[k] = e
			}
		}
	}
	out := make([]*result, len(units))
	for i, u := range units {
		r := &result{unit: u, cells: make([]cell, len(det.Criteria)), pending: pending[u.Code]}
		for j, c := range det.Criteria {
			var cl cell
			pts := float64(c.Points)
			switch c.Formula {
			case FormulaAttendanceByHead:
				st := att[u.Code]
				cl.att = &AttendanceInput{Held: st.Held, Attended: st.Attended, AttendedByHead: st.AttendedByHead, HeadRate: st.HeadRate}
				if st.Held == 0 {
					cl.noData = true
				} else {
					cl.score = pts * float64(st.AttendedByHead) / float64(st.Held)
				}
			case FormulaOnTimeOperation:
				op := ops[u.Code]
				if op == nil {
					op = &OperationInput{}
				}
				cl.op = op
				switch {
				case op.AckRate != nil && op.ReportRate != nil:
					cl.score = pts * (float64(op.AcksOnTime)/float64(op.AcksDue) + float64(op.ReportsOnTime)/float64(op.ReportsDue)) / 2
				case op.AckRate != nil:
					cl.score = pts * float64(op.AcksOnTime) / float64(op.AcksDue)
				case op.ReportRate != nil:
					cl.score = pts * float64(op.ReportsOnTime) / float64(op.ReportsDue)
				default:
					cl.noData = true
				}
			default:
				if e, ok := verified[key{u.Code, c.Number}]; ok {
					cl.score = math.Min(e.Score, pts)
					id := e.ID
					cl.counted = &id
				} else {
					cl.noData = true
				}
			}
			cl.score = round2(cl.score)
			r.total += cl.score
			r.cells[j] = cl
		}
		r.total = round2(r.total)
		out[i] = r
	}
	rank(out)
	return out, nil
}

// laterReview reports whether verified entry a counts over b: reviewed
// later, or at the same instant with a higher ID.
func laterReview(a, b models.KPIEntry) bool {
	ta, tb := time.Time{}, time.Time{}
	if a.ReviewedAt != nil {
		ta = *a.ReviewedAt
	}
	if b.ReviewedAt != nil {
		tb = *b.ReviewedAt
	}
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.ID > b.ID
}

// rank orders rs by total (highest first, then unit code) and gives
// standard competition ranks: equal totals share a rank, the next rank
// skips (1, 1, 3).
func rank(rs []*result) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].total != rs[j].total {
			return rs[i].total > rs[j].total
		}
		return rs[i].unit.Code < rs[j].unit.Code
	})
	for i, r := range rs {
		if i > 0 && r.total == rs[i-1].total {
			r.rank = rs[i-1].rank
		} else {
			r.rank = i + 1
		}
	}
}

// opRow is one group of the operation counts: a unit and its parent.
type opRow struct {
	UnitCode   string
	ParentCode string
	Due        int
	OnTime     int
}

// operation counts, per province of codes, the acknowledgements and item
// reports of the province's own and its districts' assignments that fell
// due in [from, to) — and by now, or were already made — and those made on
// time (FormulaOnTimeOperation; docs/KPI.md). Withdrawn assignments, and
// items waived or closed by an inspector, do not count.
func (s *service) operation(ctx context.Context, from, to, now time.Time, codes []string) (map[string]*OperationInput, error) {
	db := s.db(ctx)
	cmp := func(a, op, b string) string {
		if store.IsPostgres(db) {
			return a + " " + op + " " + b
		}
		return "julianday(" + a + ") " + op + " julianday(" + b + ")"
	}
	from, to, now = from.UTC(), to.UTC(), now.UTC()
	var acks []opRow
	err := db.Raw(`SELECT a.unit_code AS unit_code, a.parent_code AS parent_code, COUNT(*) AS due,
  SUM(CASE WHEN a.acknowledged_at IS NOT NULL AND `+cmp("a.acknowledged_at", "<=", "a.ack_due_at")+` THEN 1 ELSE 0 END) AS on_time
FROM assignments a
WHERE a.status <> ? AND `+cmp("a.ack_due_at", ">=", "?")+` AND `+cmp("a.ack_due_at", "<", "?")+`
  AND (`+cmp("a.ack_due_at", "<=", "?")+` OR a.acknowledged_at IS NOT NULL)
GROUP BY a.unit_code, a.parent_code`, models.AssignmentWithdrawn, from, to, now).Scan(&acks).Error
	if err != nil {
		return nil, err
	}
	var reps []opRow
	err = db.Raw(`SELECT a.unit_code AS unit_code, a.parent_code AS parent_code, COUNT(*) AS due,
  SUM(CASE WHEN i.reported_at IS NOT NULL AND `+cmp("i.reported_at", "<=", "i.due_at")+` THEN 1 ELSE 0 END) AS on_time
FROM assignment_items i JOIN assignments a ON a.id = i.assignment_id
WHERE a.status <> ? AND i.status NOT IN ? AND i.due_at IS NOT NULL
  AND `+cmp("i.due_at", ">=", "?")+` AND `+cmp("i.due_at", "<", "?")+`
  AND (`+cmp("i.due_at", "<=", "?")+` OR i.reported_at IS NOT NULL)
GROUP BY a.unit_code, a.parent_code`, models.AssignmentWithdrawn, []models.ItemStatus{models.ItemWaived, models.ItemClosed},
		from, to, now).Scan(&reps).Error
	if err != nil {
		return nil, err
	}
	out := make(map[string]*OperationInput, len(codes))
	for _, c := range codes {
		out[c] = &OperationInput{}
	}
	province := func(r opRow) *OperationInput {
		if o, ok := out[r.UnitCode]; ok {
			return o
		}
		return out[r.ParentCode]
	}
	for _, r := range acks {
		if o := province(r); o != nil {
			o.AcksDue += r.Due
			o.AcksOnTime += r.OnTime
		}
	}
	for _, r := range reps {
		if o := province(r); o != nil {
			o.ReportsDue += r.Due
			o.ReportsOnTime += r.OnTime
		}
	}
	for _, o := range out {
		if o.AcksDue > 0 {
			v := math.Round(float64(o.AcksOnTime)/float64(o.AcksDue)*10000) / 10000
			o.AckRate = &v
		}
		if o.ReportsDue > 0 {
			v := math.Round(float64(o.ReportsOnTime)/float64(o.ReportsDue)*10000) / 10000
			o.ReportRate = &v
		}
	}
	return out, nil
}

// Scores implements Service.
func (s *service) Scores(ctx context.Context, p *auth.Principal, id int64) (Scoreboard, error) {
	out := Scoreboard{Items: []ProvinceScore{}}
	if err := signedIn(p); err != nil {
		return out, err
	}
	sc, det, err := s.loadScheme(ctx, id)
	if err != nil {
		return out, err
	}
	now := s.now()
	rs, err := s.compute(ctx, sc, det, now)
	if err != nil {
		return out, err
	}
	visible := map[string]bool{}
	if !p.SeesAll() {
		var codes []string
		if err := p.ScopeUnits(s.db(ctx).Model(&models.Unit{})).Where("type = ?", models.UnitProvince).Pluck("code", &codes).Error; err != nil {
			return out, err
		}
		for _, c := range codes {
			visible[c] = true
		}
	}
	out.Scheme, out.Ranked, out.ComputedAt = det.SchemeView, len(rs), now.UTC()
	for _, r := range rs {
		if !p.SeesAll() && !visible[r.unit.Code] {
			continue
		}
		ps := ProvinceScore{Rank: r.rank, UnitCode: r.unit.Code, NameTH: r.unit.NameTH, NameEN: r.unit.NameEN,
			InspectionRegion: r.unit.InspectionRegion, Score: r.total, Pending: r.pending, Criteria: make([]CellScore, len(r.cells))}
		for j, cl := range r.cells {
			ps.Criteria[j] = CellScore{Number: det.Criteria[j].Number, Score: cl.score, NoData: cl.noData}
		}
		out.Items = append(out.Items, ps)
	}
	out.Total = int64(len(out.Items))
	return out, nil
}

// province returns province centre code when the caller may see it,
// NotFound otherwise (also for a unit that is not a province centre).
func (s *service) province(ctx context.Context, p *auth.Principal, code string) (models.Unit, error) {
	var u models.Unit
	nf := apperr.New(apperr.NotFound, "ไม่พบจังหวัดรหัส %q (province not found)", code)
	err := s.db(ctx).Where("code = ? AND type = ?", code, models.UnitProvince).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, nf
	} else if err != nil {
		return u, err
	}
	ok, err := p.CanSeeUnit(ctx, s.d.DB, code)
	if err != nil {
		return u, err
	}
	if !ok {
		return u, nf
	}
	return u, nil
}

// Breakdown implements Service.
func (s *service) Breakdown(ctx context.Context, p *auth.Principal, id int64, code string) (Breakdown, error) {
	var out Breakdown
	if err := signedIn(p); err != nil {
		return out, err
	}
	sc, det, err := s.loadScheme(ctx, id)
	if err != nil {
		return out, err
	}
	u, err := s.province(ctx, p, code)
	if err != nil {
		return out, err
	}
	now := s.now()
	rs, err := s.compute(ctx, sc, det, now)
	if err != nil {
		return out, err
	}
	var r *result
	for _, x := range rs {
		if x.unit.Code == u.Code {
			r = x
		}
	}
	if r == nil {
		return out, apperr.New(apperr.NotFound, "ไม่พบจังหวัดรหัส %q (province not found)", code)
	}
	entries, err := s.entries(ctx, sc.ID, u.Code, 0)
	if err != nil {
		return out, err
	}
	out = Breakdown{Scheme: det.SchemeView, UnitCode: u.Code, NameTH: u.NameTH, NameEN: u.NameEN, Score: r.total,
		Rank: r.rank, Ranked: len(rs), ComputedAt: now.UTC(), Criteria: make([]CriterionBreakdown, len(det.Criteria))}
	for j, c := range det.Criteria {
		cl := r.cells[j]
		cb := CriterionBreakdown{CriterionView: c, Score: cl.score, NoData: cl.noData, Attendance: cl.att, Operation: cl.op, Counted: cl.counted}
		if c.Kind == models.KPIEntered {
			cb.Entries = []EntryView{}
			for _, e := range entries {
				if e.CriterionNumber == c.Number {
					cb.Entries = append(cb.Entries, e)
				}
			}
		}
		out.Criteria[j] = cb
	}
	return out, nil
}
