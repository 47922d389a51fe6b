package meetings_test

import (
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestAttendanceRates: per province, meetings held in the period (not
// cancelled, already started, of the series asked for), attended,
// attended by the governor or a vice governor, and the rates; Thai dates
// accepted; each reader sees their scope.
func TestAttendanceRates(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seeded(t, db)
		ctx := t.Context()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		at := now.AddDate(0, -1, 0)
		for _, id := range []string{"a", "b"} {
			must(db.Create(&models.MeetingSeries{ID: id, Name: id, OrganiserCode: "ONCB", Participants: `["10","20"]`, Cadence: "[]",
				Numbering: "calendar", HolidayRule: "move", Policy: "{}", StartDate: "2025-01-01", CreatedBy: "sec", CreatedAt: at, UpdatedAt: at}).Error)
		}
		// Series a: three held in November, one cancelled, one still to
		// come; series b: one held.
		for i, m := range []struct {
			series string
			start  time.Time
			status models.MeetingStatus
		}{
			{"a", now.AddDate(0, 0, -28), models.MeetingPublished}, {"a", now.AddDate(0, 0, -14), models.MeetingPublished},
			{"a", now.AddDate(0, 0, -7), models.MeetingStarted}, {"a", now.AddDate(0, 0, -3), models.MeetingCancelled},
			{"a", now.AddDate(0, 0, 7), models.MeetingScheduled}, {"b", now.AddDate(0, 0, -10), models.MeetingStarted},
		} {
			must(db.Create(&models.Meeting{ID: m.series + "-2568-" + strconv.Itoa(i), SeriesID: m.series, YearBE: 2568, Number: i + 1, Title: "x",
				StartsAt: m.start, EndsAt: m.start.Add(time.Hour), Status: m.status, Participants: `["10","20"]`, Agenda: "[]", CreatedAt: at, UpdatedAt: at}).Error)
		}
		att := func(meeting, unit string, present, head bool) {
			must(db.Create(&models.MeetingAttendance{MeetingID: meeting, UnitCode: unit, Present: present, ByHead: head, Attendees: "[]", RecordedBy: "sec", RecordedAt: at}).Error)
		}
		att("a-2568-0", "20", true, true)
		att("a-2568-1", "20", true, false)
		att("a-2568-2", "20", false, false)
		att("b-2568-5", "20", true, true)
		att("a-2568-0", "10", true, true)
		svc := meetings.NewService(meetings.Deps{DB: db, Now: func() time.Time { return now }})
		stat := func(p *auth.Principal, f meetings.StatsFilter, code string) meetings.AttendanceStat {
			t.Helper()
			page, err := svc.AttendanceStats(ctx, p, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.Items {
				if s.UnitCode == code {
					return s
				}
			}
			t.Fatalf("no row for %s in %d rows", code, page.Total)
			return meetings.AttendanceStat{}
		}
		// November 2568 in Thai digits and the Buddhist era.
		nov := meetings.StatsFilter{From: "๑ พ.ย. ๒๕๖๘", To: "30/11/2568", Series: "a"}
		got := stat(secretariat, nov, "20")
		if got.Held != 3 || got.Attended != 2 || got.AttendedByHead != 1 || got.Rate != 0.6667 || got.HeadRate != 0.3333 || got.NameTH != "ชลบุรี" {
			t.Fatalf("ชลบุรี series a: %+v", got)
		}
		all := stat(observer, meetings.StatsFilter{From: "2025-11-01", To: "2025-12-31"}, "20")
		if all.Held != 4 || all.Attended != 3 || all.AttendedByHead != 2 || all.Rate != 0.75 || all.HeadRate != 0.5 {
			t.Fatalf("ชลบุรี all series up to now: %+v", all)
		}
		if none := stat(secretariat, nov, "50"); none.Held != 0 || none.Rate != 0 {
			t.Fatalf("a province not invited: %+v", none)
		}
		page, err := svc.AttendanceStats(ctx, chonburi, nov)
		if err != nil || page.Total != 1 || page.Items[0].UnitCode != "20" {
			t.Fatalf("a province sees %+v %v", page, err)
		}
		insp := &auth.Principal{Username: "insp", Role: models.RoleInspector, Regions: []int{8}}
		page, err = svc.AttendanceStats(ctx, insp, nov)
		if err != nil || page.Total == 0 {
			t.Fatalf("inspector %+v %v", page, err)
		}
		for _, s := range page.Items {
			if s.InspectionRegion == nil || *s.InspectionRegion != 8 {
				t.Errorf("inspector of region 8 sees %s", s.UnitCode)
			}
		}
		_, err = svc.AttendanceStats(ctx, secretariat, meetings.StatsFilter{Series: "zz"})
		wantErr(t, err, apperr.Invalid, "series")
		_, err = svc.AttendanceStats(ctx, secretariat, meetings.StatsFilter{From: "31 ธ.ค. 2568", To: "1 ธ.ค. 2568"})
		wantErr(t, err, apperr.Invalid, "to")
	})
}
