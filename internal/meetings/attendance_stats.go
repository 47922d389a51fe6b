package meetings

import (
	"context"
	"errors"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/export"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
)

// AttendanceStats implements Service.
func (s *service) AttendanceStats(ctx context.Context, p *auth.Principal, f StatsFilter) (listing.Page[AttendanceStat], error) {
	out := listing.Page[AttendanceStat]{Items: []AttendanceStat{}}
	if err := signedIn(p); err != nil {
		return out, err
	}
	from, to, err := parseRange(f.From, f.To)
	if err != nil {
		return out, err
	}
	db := s.db(ctx)
	if f.Series != "" {
		var series models.MeetingSeries
		if err := db.Where("id = ?", f.Series).Take(&series).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return out, apperr.Field("series", "ไม่พบชุดการประชุม %q (unknown meeting series)", f.Series)
		} else if err != nil {
			return out, err
		}
	}
	var units []models.Unit
	if err := p.ScopeUnits(db.Model(&models.Unit{})).Where("type = ?", models.UnitProvince).Order("code").Find(&units).Error; err != nil {
		return out, err
	}
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	counts, err := CountAttendance(ctx, s.d.DB, from, to, s.now(), f.Series, codes)
	if err != nil {
		return out, err
	}
	for _, u := range units {
		st := counts[u.Code]
		st.UnitCode, st.NameTH, st.NameEN, st.InspectionRegion = u.Code, u.NameTH, u.NameEN, u.InspectionRegion
		out.Items = append(out.Items, st)
	}
	out.Total = int64(len(out.Items))
	return out, nil
}

// CountAttendance counts, for each unit code of units, the meetings held
// in [from, to) and before now — not cancelled, already started, the unit
// among the participants, of series when it is not empty — and of those
// the ones it attended (present) and the ones attended by its governor or
// a vice governor (models.MeetingAttendance.ByHead), with the rates of
// AttendanceStat. Only the counts and rates of each AttendanceStat are
// set; every code of units has an entry. It is the one count behind
// Service.AttendanceStats and the KPI criterion computed from attendance
// (internal/kpi), which decide who may read it.
func CountAttendance(ctx context.Context, db *gorm.DB, from, to, now time.Time, series string, units []string) (map[string]AttendanceStat, error) {
	out := make(map[string]AttendanceStat, len(units))
	for _, c := range units {
		out[c] = AttendanceStat{}
	}
	if len(units) == 0 {
		return out, nil
	}
	if to.After(now) {
		to = now
	}
	q := db.WithContext(ctx).Where("starts_at >= ? AND starts_at < ? AND status <> ?", from, to, models.MeetingCancelled)
	if series != "" {
		q = q.Where("series_id = ?", series)
	}
	var ms []models.Meeting
	if err := q.Find(&ms).Error; err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
		for _, code := range participantsOf(m) {
			if st, ok := out[code]; ok {
				st.Held++
				out[code] = st
			}
		}
	}
	if len(ids) > 0 {
		var att []models.MeetingAttendance
		if err := db.WithContext(ctx).Where("meeting_id IN ? AND present = ?", ids, true).Find(&att).Error; err != nil {
			return nil, err
		}
		for _, a := range att {
			if st, ok := out[a.UnitCode]; ok {
				st.Attended++
				if a.ByHead {
					st.AttendedByHead++
				}
				out[a.UnitCode] = st
			}
		}
	}
	for code, st := range out {
		if st.Held > 0 {
			st.Rate = round4(float64(st.Attended) / float64(st.Held))
			st.HeadRate = round4(float64(st.AttendedByHead) / float64(st.Held))
		}
		out[code] = st
	}
	return out, nil
}

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

// AttendanceTable is attendance statistics as a spreadsheet
// (export.Table): province code and names, inspection region, meetings
// held, attended, attended by the governor or a vice governor, and the two
// rates in per cent. Headers are Thai, or English when english is set;
// name is the file name without its extension.
func AttendanceTable(page listing.Page[AttendanceStat], name string, english bool) export.Table {
	return export.Table{
		Name:    name,
		Sheet:   "การเข้าประชุม",
		English: english,
		Columns: []export.Column{
			{TH: "รหัสจังหวัด", EN: "Province code", Width: 12},
			{TH: "จังหวัด", EN: "Province (Thai)", Width: 20},
			{TH: "จังหวัด (อังกฤษ)", EN: "Province", Width: 20},
			{TH: "เขตตรวจราชการ", EN: "Inspection region", Width: 12},
			{TH: "ประชุมที่จัด", EN: "Meetings held", Width: 12},
			{TH: "เข้าประชุม", EN: "Attended", Width: 12},
			{TH: "ผู้ว่าฯ หรือรองผู้ว่าฯ เข้าประชุม", EN: "Attended by governor or vice-governor", Width: 18},
			{TH: "อัตราการเข้าประชุม (%)", EN: "Attendance rate (%)", Width: 14},
			{TH: "อัตราผู้ว่าฯ หรือรองผู้ว่าฯ เข้าประชุม (%)", EN: "Governor or vice-governor rate (%)", Width: 18},
		},
		Rows: func(yield func([]any, error) bool) {
			for _, s := range page.Items {
				var region any
				if s.InspectionRegion != nil {
					region = *s.InspectionRegion
				}
				if !yield([]any{s.UnitCode, s.NameTH, s.NameEN, region, s.Held, s.Attended, s.AttendedByHead,
					math.Round(s.Rate*10000) / 100, math.Round(s.HeadRate*10000) / 100}, nil) {
					return
				}
			}
		},
	}
}
