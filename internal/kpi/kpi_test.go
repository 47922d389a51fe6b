package kpi_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

var (
	sec      = &auth.Principal{AccountID: 1, Username: "sec", Role: models.RoleSecretariat, UnitCode: models.NationalUnitCode}
	chonburi = &auth.Principal{AccountID: 2, Username: "chonburi", Role: models.RoleProvince, UnitCode: "20"}
	cm       = &auth.Principal{AccountID: 3, Username: "chiangmai", Role: models.RoleProvince, UnitCode: "50"}
	insp15   = &auth.Principal{AccountID: 4, Username: "insp15", Role: models.RoleInspector, Regions: []int{15}}
	dist2001 = &auth.Principal{AccountID: 5, Username: "d2001", Role: models.RoleDistrict, UnitCode: "2001"}
	watch    = &auth.Principal{AccountID: 6, Username: "watch", Role: models.RoleObserver}
)

const template = "urgent-3-month-14"

// bkk is a Bangkok wall-clock instant in 2024 (the seed plan's period).
func bkk(month time.Month, day, hour int) time.Time {
	return time.Date(2024, month, day, hour, 0, 0, 0, time.FixedZone("ICT", 7*3600)).UTC()
}

func wantErr(t *testing.T, err error, c apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != c || (field != "" && e.Field != field) {
		t.Fatalf("error %v, want %s field %q", err, c, field)
	}
}

func newService(t *testing.T, db *gorm.DB, now *time.Time) kpi.Service {
	t.Helper()
	if err := store.SeedReferenceUnits(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	return kpi.NewService(kpi.Deps{DB: db, DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, Now: func() time.Time { return *now }})
}

// TestTemplateFromSeed: the shipped template is the seed plan's 14
// criteria with their points (read from the seed text when it is there),
// 34 indicators, criteria 6 and 7 computed.
func TestTemplateFromSeed(t *testing.T) {
	ts, err := kpi.NewService(kpi.Deps{}).Templates(t.Context(), sec)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Code != template {
		t.Fatalf("templates %+v", ts)
	}
	tm := ts[0]
	sum, inds := 0, 0
	for _, c := range tm.Criteria {
		sum += c.Points
		inds += len(c.Indicators)
	}
	if len(tm.Criteria) != 14 || sum != 100 || inds != 34 || tm.PeriodFrom != "2024-06-01" || tm.PeriodTo != "2024-08-31" {
		t.Fatalf("template: %d criteria, %d points, %d indicators, %s–%s", len(tm.Criteria), sum, inds, tm.PeriodFrom, tm.PeriodTo)
	}
	if c := tm.Criteria[5]; c.Kind != models.KPIComputed || c.Formula != kpi.FormulaAttendanceByHead {
		t.Errorf("criterion 6 = %+v", c)
	}
	if c := tm.Criteria[6]; c.Kind != models.KPIComputed || c.Formula != kpi.FormulaOnTimeOperation {
		t.Errorf("criterion 7 = %+v", c)
	}
	// A copy of the seed document ships with the tests (testdata).
	seed, err := os.ReadFile("testdata/samutprakan-3-month-kpi-14-criteria.txt")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(\d+)\.([^/]+?)\s*\((\d+) คะแนน\)`)
	found := 0
	for _, m := range re.FindAllStringSubmatch(string(seed), -1) {
		n, _ := strconv.Atoi(m[1])
		pts, _ := strconv.Atoi(m[3])
		c := tm.Criteria[n-1]
		found++
		if c.Points != pts {
			t.Errorf("criterion %d: %d points, the seed says %d", n, c.Points, pts)
		}
		// The titles are the seed's, with its typos corrected (ผู้มิ → ผู้มี).
		seedTitle := strings.ReplaceAll(strings.TrimSpace(m[2]), "ผู้มิอาการ", "ผู้มีอาการ")
		if r := []rune(seedTitle); !strings.HasPrefix(c.TitleTH, string(r[:min(len(r), 25)])) {
			t.Errorf("criterion %d title %q, the seed says %q", n, c.TitleTH, seedTitle)
		}
	}
	if found != 14 {
		t.Errorf("read %d criteria from the seed, want 14", found)
	}
}

// TestCreateSchemeRules: who may create, the sum of 100, kinds, formulas,
// periods in Thai forms, and the copy of the template.
func TestCreateSchemeRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		now := bkk(7, 15, 10)
		s := newService(t, db, &now)
		ctx := t.Context()
		_, err := s.CreateScheme(ctx, chonburi, kpi.SchemeInput{Name: "x", Template: template})
		wantErr(t, err, apperr.Forbidden, "")
		_, err = s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: " ", Template: template})
		wantErr(t, err, apperr.Invalid, "name")
		_, err = s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "x", Template: "nope"})
		wantErr(t, err, apperr.Invalid, "template")
		two := []kpi.CriterionInput{{TitleTH: "ก", Points: 60, Kind: "entered"}, {TitleTH: "ข", Points: 30, Kind: "computed", Formula: kpi.FormulaOnTimeOperation}}
		_, err = s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "x", PeriodFrom: "2024-06-01", PeriodTo: "2024-08-31", Criteria: two})
		wantErr(t, err, apperr.Invalid, "criteria")
		if e := apperr.As(err); !strings.Contains(e.Message, "90") {
			t.Errorf("message %q does not give the sum", e.Message)
		}
		two[0].Points = 70
		two[1].Formula = "magic"
		_, err = s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "x", PeriodFrom: "2024-06-01", PeriodTo: "2024-08-31", Criteria: two})
		wantErr(t, err, apperr.Invalid, "criteria[1].formula")
		two[1].Formula = kpi.FormulaAttendanceByHead
		_, err = s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "x", PeriodFrom: "31 ส.ค. 2567", PeriodTo: "1 มิ.ย. 2567", Criteria: two})
		wantErr(t, err, apperr.Invalid, "period_to")
		got, err := s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "เล็ก", PeriodFrom: "๑ มิ.ย. ๒๕๖๗", PeriodTo: "2567-08-31", Criteria: two})
		if err != nil {
			t.Fatal(err)
		}
		if got.PeriodFrom != "2024-06-01" || got.PeriodTo != "2024-08-31" || len(got.Criteria) != 2 || got.Criteria[1].Number != 2 {
			t.Fatalf("created %+v", got)
		}
		full, err := s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "ระยะเร่งด่วน 3 เดือน", Template: template})
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.Scheme(ctx, watch, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Criteria) != 14 || len(back.Criteria[0].Indicators) != 5 || back.PeriodFromBE != "1 มิถุนายน 2567" {
			t.Fatalf("scheme read back: %d criteria, %+v", len(back.Criteria), back.SchemeView)
		}
		list, err := s.ListSchemes(ctx, chonburi)
		if err != nil || list.Total != 2 || list.Items[0].ID != full.ID {
			t.Fatalf("list %+v %v", list, err)
		}
		if n := storetest.Count(t, db, &models.AuditEvent{}, "action = ?", "kpi.scheme_create"); n != 2 {
			t.Errorf("%d audit events, want 2", n)
		}
	})
}

// fixture writes the records the computed criteria read: two meetings
// held and one cancelled in the period; directive assignments of ชลบุรี
// (20) and its district 2001.
func fixture(t *testing.T, db *gorm.DB) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ts := bkk(5, 1, 9)
	must(db.Create(&models.MeetingSeries{ID: "s", Name: "ศปก.ครส.", OrganiserCode: "ONCB", Participants: `["20","50"]`, Cadence: "[]",
		Numbering: "calendar", HolidayRule: "move", Policy: "{}", StartDate: "2024-06-01", CreatedBy: "sec", CreatedAt: ts, UpdatedAt: ts}).Error)
	for i, m := range []struct {
		start  time.Time
		status models.MeetingStatus
	}{{bkk(6, 12, 13), models.MeetingPublished}, {bkk(6, 26, 13), models.MeetingStarted}, {bkk(7, 10, 13), models.MeetingCancelled}, {bkk(7, 24, 13), models.MeetingScheduled}} {
		must(db.Create(&models.Meeting{ID: "s-2567-" + strconv.Itoa(i+1), SeriesID: "s", YearBE: 2567, Number: i + 1, Title: "ประชุม",
			StartsAt: m.start, EndsAt: m.start.Add(2 * time.Hour), Status: m.status, Participants: `["20","50"]`, Agenda: "[]",
			CreatedAt: ts, UpdatedAt: ts}).Error)
	}
	att := func(meeting, unit string, head bool) {
		must(db.Create(&models.MeetingAttendance{MeetingID: meeting, UnitCode: unit, Present: true, ByHead: head, Attendees: "[]", RecordedBy: "sec", RecordedAt: ts}).Error)
	}
	att("s-2567-1", "20", true)
	att("s-2567-2", "20", true)
	att("s-2567-1", "50", false)
	att("s-2567-2", "50", true)
	must(db.Create(&models.Directive{ID: "D1", Source: "ministry", IssuerCode: "MOI", DocNumber: "1", IssueDate: "2024-06-20", Urgency: "ด่วน",
		Status: "issued", CreatedBy: "sec", CreatedAt: ts, UpdatedAt: ts}).Error)
	assignment("D1", "20", "ONCB", bkk(7, 1, 17), ptr(bkk(6, 30, 10))).create(t, db)
	assignment("D1", "2001", "20", bkk(7, 1, 17), ptr(bkk(7, 2, 10))).create(t, db)
	item(t, db, "D1", "20", bkk(7, 10, 17), ptr(bkk(7, 9, 12)))
}

type asg models.Assignment

func ptr(t time.Time) *time.Time { return &t }

func assignment(dir, unit, parent string, ackDue time.Time, acked *time.Time) asg {
	return asg{ID: "assignment/" + dir + "/" + unit, DirectiveID: dir, UnitCode: unit, ParentCode: parent, Status: models.AssignmentAcknowledged,
		AckDueAt: ackDue, AcknowledgedAt: acked, CreatedAt: ackDue, UpdatedAt: ackDue}
}

func (a asg) create(t *testing.T, db *gorm.DB) {
	t.Helper()
	m := models.Assignment(a)
	if err := db.Create(&m).Error; err != nil {
		t.Fatal(err)
	}
}

// item writes item 1 of the assignment of dir to unit, due at due and
// reported at reported (nil: not yet), as the activities would.
func item(t *testing.T, db *gorm.DB, dir, unit string, due time.Time, reported *time.Time) {
	t.Helper()
	st := models.ItemOpen
	if reported != nil {
		st = models.ItemReported
	}
	row := models.AssignmentItem{AssignmentID: "assignment/" + dir + "/" + unit, ItemNumber: 1, Cycle: 1, Status: st, DueAt: &due, ReportedAt: reported, UpdatedAt: due}
	if err := db.Save(&row).Error; err != nil {
		t.Fatal(err)
	}
}

func scoreOf(t *testing.T, s kpi.Service, p *auth.Principal, id int64, code string, n int) (float64, kpi.Breakdown) {
	t.Helper()
	b, err := s.Breakdown(t.Context(), p, id, code)
	if err != nil {
		t.Fatal(err)
	}
	return b.Criteria[n-1].Score, b
}

// TestScoresFollowTheirData: criteria 6 and 7 come from the attendance and
// assignment records as they are when read — a late report lowers
// criterion 7 at the next read, with nothing recomputed; entered scores
// count once verified; ranks are shared on ties; each reader sees their
// scope.
func TestScoresFollowTheirData(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		now := bkk(7, 15, 10)
		s := newService(t, db, &now)
		ctx := t.Context()
		fixture(t, db)
		sc, err := s.CreateScheme(ctx, sec, kpi.SchemeInput{Name: "ระยะเร่งด่วน 3 เดือน", Template: template, PeriodFrom: "1 มิ.ย. 2567", PeriodTo: "31 ส.ค. 2567"})
		if err != nil {
			t.Fatal(err)
		}

		// Criterion 6: ชลบุรี's governor came to both meetings held (the
		// cancelled and the future one do not count): 3 × 2/2; เชียงใหม่'s
		// to one of two: 3 × 1/2.
		c6, b := scoreOf(t, s, sec, sc.ID, "20", 6)
		if c6 != 3 || b.Criteria[5].Attendance.Held != 2 || b.Criteria[5].Attendance.AttendedByHead != 2 {
			t.Fatalf("ชลบุรี criterion 6 = %v from %+v", c6, b.Criteria[5].Attendance)
		}
		if c6, _ := scoreOf(t, s, sec, sc.ID, "50", 6); c6 != 1.5 {
			t.Fatalf("เชียงใหม่ criterion 6 = %v, want 1.5", c6)
		}

		// Criterion 7: acknowledgements 1 of 2 on time (the district was a
		// day late), reports 1 of 1: 4 × (0.5 + 1) / 2 = 3.
		c7, b := scoreOf(t, s, sec, sc.ID, "20", 7)
		if op := b.Criteria[6].Operation; c7 != 3 || op.AcksDue != 2 || op.AcksOnTime != 1 || op.ReportsDue != 1 || op.ReportsOnTime != 1 {
			t.Fatalf("criterion 7 = %v from %+v", c7, op)
		}
		before := b.Score

		// A late report: the district's item was due on 12 Jul and is
		// reported on 14 Jul. Nobody recomputes anything.
		item(t, db, "D1", "2001", bkk(7, 12, 17), ptr(bkk(7, 14, 9)))
		c7, b = scoreOf(t, s, sec, sc.ID, "20", 7)
		if c7 != 2 || b.Criteria[6].Operation.ReportsDue != 2 || b.Criteria[6].Operation.ReportsOnTime != 1 {
			t.Fatalf("after a late report criterion 7 = %v from %+v, want 2", c7, b.Criteria[6].Operation)
		}
		if b.Score != before-1 {
			t.Errorf("total %v after a late report, was %v", b.Score, before)
		}

		// An item not due yet does not count; once its due has passed
		// unreported, it counts as late.
		if err := db.Create(&models.Directive{ID: "D2", Source: "ministry", IssuerCode: "MOI", DocNumber: "2", IssueDate: "2024-07-01", Urgency: "ด่วน",
			Status: "issued", CreatedBy: "sec", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		assignment("D2", "20", "ONCB", bkk(7, 20, 17), nil).create(t, db)
		item(t, db, "D2", "20", bkk(7, 25, 17), nil)
		if c7, _ := scoreOf(t, s, sec, sc.ID, "20", 7); c7 != 2 {
			t.Fatalf("with an assignment not yet due criterion 7 = %v, want 2", c7)
		}
		now = bkk(7, 26, 10)
		if c7, _ := scoreOf(t, s, sec, sc.ID, "20", 7); c7 != round2(4*(1.0/3+1.0/3)/2) {
			t.Fatalf("after its dues passed criterion 7 = %v, want %v", c7, round2(4*(1.0/3+1.0/3)/2))
		}

		// Entered criteria: only the province itself enters, within the
		// criterion's points; it counts once the secretariat verifies it.
		ref := kpi.CriterionRef{SchemeID: sc.ID, UnitCode: "20", Criterion: 1}
		score := func(v float64) *float64 { return &v }
		_, err = s.SubmitEntry(ctx, cm, ref, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(10)}})
		wantErr(t, err, apperr.Forbidden, "")
		_, err = s.SubmitEntry(ctx, sec, ref, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(10)}})
		wantErr(t, err, apperr.Forbidden, "")
		_, err = s.SubmitEntry(ctx, chonburi, ref, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(23)}})
		wantErr(t, err, apperr.Invalid, "score")
		_, err = s.SubmitEntry(ctx, chonburi, ref, kpi.EntrySubmission{})
		wantErr(t, err, apperr.Invalid, "score")
		_, err = s.SubmitEntry(ctx, chonburi, kpi.CriterionRef{SchemeID: sc.ID, UnitCode: "20", Criterion: 7}, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(4)}})
		wantErr(t, err, apperr.Conflict, "")
		e1, err := s.SubmitEntry(ctx, chonburi, ref, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(18.5), Value: "ร้อยละ 84", Note: "ตามรายงาน NISPA"}})
		if err != nil {
			t.Fatal(err)
		}
		if c1, b := scoreOf(t, s, chonburi, sc.ID, "20", 1); c1 != 0 || !b.Criteria[0].NoData || len(b.Criteria[0].Entries) != 1 {
			t.Fatalf("unverified entry counted: %v %+v", c1, b.Criteria[0])
		}
		eref := kpi.EntryRef{CriterionRef: ref, EntryID: e1.ID}
		_, err = s.VerifyEntry(ctx, chonburi, eref, kpi.ReviewInput{})
		wantErr(t, err, apperr.Forbidden, "")
		_, err = s.ReturnEntry(ctx, sec, eref, kpi.ReviewInput{Reason: " "})
		wantErr(t, err, apperr.Invalid, "reason")
		v, err := s.VerifyEntry(ctx, sec, eref, kpi.ReviewInput{})
		if err != nil || v.Status != models.KPIEntryVerified || v.ReviewedBy != "sec" {
			t.Fatalf("verify: %+v %v", v, err)
		}
		_, err = s.VerifyEntry(ctx, sec, eref, kpi.ReviewInput{})
		wantErr(t, err, apperr.Conflict, "")
		if c1, b := scoreOf(t, s, chonburi, sc.ID, "20", 1); c1 != 18.5 || b.Criteria[0].Counted == nil || *b.Criteria[0].Counted != e1.ID {
			t.Fatalf("verified entry: %v %+v", c1, b.Criteria[0])
		}
		// A later entry returned does not replace the verified one.
		e2, err := s.SubmitEntry(ctx, chonburi, ref, kpi.EntrySubmission{EntryInput: kpi.EntryInput{Score: score(22)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReturnEntry(ctx, sec, kpi.EntryRef{CriterionRef: ref, EntryID: e2.ID}, kpi.ReviewInput{Reason: "ไม่มีหลักฐาน"}); err != nil {
			t.Fatal(err)
		}
		if c1, _ := scoreOf(t, s, chonburi, sc.ID, "20", 1); c1 != 18.5 {
			t.Fatalf("after a returned entry criterion 1 = %v", c1)
		}
		for _, a := range []string{"kpi.entry_submit", "kpi.entry_verify", "kpi.entry_return"} {
			if storetest.Count(t, db, &models.AuditEvent{}, "action = ?", a) == 0 {
				t.Errorf("no audit event %s", a)
			}
		}

		// Ranking: ชลบุรี first, เชียงใหม่ second, the 75 others share 3rd.
		all, err := s.Scores(ctx, watch, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if all.Total != 77 || all.Ranked != 77 || all.Items[0].UnitCode != "20" || all.Items[0].Rank != 1 ||
			all.Items[1].UnitCode != "50" || all.Items[1].Rank != 2 || all.Items[2].Rank != 3 || all.Items[76].Rank != 3 {
			t.Fatalf("ranking: %d rows, first %+v, second %+v", all.Total, all.Items[0], all.Items[1])
		}
		// Scope: a province its own row (with its national rank), an
		// inspector its regions, a district nothing.
		own, err := s.Scores(ctx, cm, sc.ID)
		if err != nil || own.Total != 1 || own.Items[0].UnitCode != "50" || own.Items[0].Rank != 2 {
			t.Fatalf("province's scores %+v %v", own.Items, err)
		}
		reg, err := s.Scores(ctx, insp15, sc.ID)
		if err != nil || reg.Total == 0 {
			t.Fatalf("inspector's scores %+v %v", reg, err)
		}
		for _, r := range reg.Items {
			if r.InspectionRegion == nil || *r.InspectionRegion != 15 {
				t.Errorf("inspector of region 15 sees %s", r.UnitCode)
			}
		}
		none, err := s.Scores(ctx, dist2001, sc.ID)
		if err != nil || none.Total != 0 {
			t.Fatalf("district's scores %+v %v", none, err)
		}
		_, err = s.Breakdown(ctx, cm, sc.ID, "20")
		wantErr(t, err, apperr.NotFound, "")
		_, err = s.Breakdown(ctx, sec, sc.ID, "2001")
		wantErr(t, err, apperr.NotFound, "")
		_, err = s.Scores(ctx, sec, sc.ID+100)
		wantErr(t, err, apperr.NotFound, "")
	})
}

func round2(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}
