package meetings_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/reqctx"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// startClient is a Temporal client whose ExecuteWorkflow answers errs in
// turn (nil once they run out) and records what it was asked to start.
// Anything else panics (nil embedded interface).
type startClient struct {
	client.Client
	errs   []error
	starts []client.StartWorkflowOptions
	inputs []workflows.MeetingSeriesInput
}

func (c *startClient) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	c.starts = append(c.starts, o)
	c.inputs = append(c.inputs, args[0].(workflows.MeetingSeriesInput))
	if wf != workflows.MeetingSeriesWorkflowType {
		panic("unexpected workflow type")
	}
	var err error
	if len(c.errs) > 0 {
		err, c.errs = c.errs[0], c.errs[1:]
	}
	return nil, err
}

var (
	secretariat = &auth.Principal{AccountID: 1, Username: "sec", Role: models.RoleSecretariat, UnitCode: models.NationalUnitCode}
	chonburi    = &auth.Principal{AccountID: 2, Username: "chonburi", Role: models.RoleProvince, UnitCode: "20"}
	observer    = &auth.Principal{AccountID: 3, Username: "watch", Role: models.RoleObserver}
)

// now is the tests' fixed clock: 1 Dec 2025 09:00 Bangkok.
var now = time.Date(2025, 12, 1, 2, 0, 0, 0, time.UTC)

func seeded(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := store.SeedBase(t.Context(), db); err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, c apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != c || e.Field != field {
		t.Fatalf("error %v, want %s field %q", err, c, field)
	}
}

func seriesInput(id string) meetings.SeriesInput {
	return meetings.SeriesInput{ID: id, Name: "ประชุม ศปก.ครส.", Participants: []string{"10", "20"},
		Cadence: []meetings.CadenceInput{{Weekday: json.RawMessage(`"พุธ"`), Weeks: []thaidate.FlexInt{2, 4}, Time: "๑๓:๓๐"}}}
}

// TestCreateSeriesValidates: role and input are checked before anything is
// written or started.
func TestCreateSeriesValidates(t *testing.T) {
	db := storetest.SQLite(t)
	seeded(t, db)
	tc := &startClient{}
	svc := meetings.NewService(meetings.Deps{DB: db, Temporal: tc, Now: func() time.Time { return now }})
	ctx := t.Context()

	_, err := svc.CreateSeries(ctx, chonburi, seriesInput("oncb"))
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.CreateSeries(ctx, nil, seriesInput("oncb"))
	wantErr(t, err, apperr.Unauthorized, "")
	for _, tc := range []struct {
		change func(in *meetings.SeriesInput)
		field  string
	}{
		{func(in *meetings.SeriesInput) { in.ID = "Bad ID" }, "id"},
		{func(in *meetings.SeriesInput) { in.Name = " " }, "name"},
		{func(in *meetings.SeriesInput) { in.Numbering = "lunar" }, "numbering"},
		{func(in *meetings.SeriesInput) { in.HolidayRule = "ignore" }, "holiday_rule"},
		{func(in *meetings.SeriesInput) { in.Cadence = nil }, "cadence"},
		{func(in *meetings.SeriesInput) { in.Cadence[0].Weekday = json.RawMessage(`"someday"`) }, "cadence[0].weekday"},
		{func(in *meetings.SeriesInput) { in.Cadence[0].Weekday = json.RawMessage(`7`) }, "cadence[0].weekday"},
		{func(in *meetings.SeriesInput) { in.Cadence[0].Weeks = []thaidate.FlexInt{6} }, "cadence[0].weeks"},
		{func(in *meetings.SeriesInput) { in.Cadence[0].Time = "25:00" }, "cadence[0].time"},
		{func(in *meetings.SeriesInput) { in.StartDate = "30 พ.ย. 2568" }, "start_date"},
		{func(in *meetings.SeriesInput) { in.Participants = []string{"10", "10"} }, "participants"},
	} {
		in := seriesInput("oncb")
		tc.change(&in)
		_, err := svc.CreateSeries(ctx, secretariat, in)
		wantErr(t, err, apperr.Invalid, tc.field)
	}
	if len(tc.starts) != 0 {
		t.Fatalf("started %d workflows", len(tc.starts))
	}

	// Without an engine nothing is written: 503 at once.
	noEngine := meetings.NewService(meetings.Deps{DB: db, Now: func() time.Time { return now }})
	_, err = noEngine.CreateSeries(ctx, secretariat, seriesInput("oncb"))
	wantErr(t, err, apperr.Unavailable, "")
	var n int64
	db.Model(&models.MeetingSeries{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d series rows after rejected requests", n)
	}
}

// TestCreateSeriesRetriesFailedStart: the series row is committed before
// the workflow starts; a failed start is Unavailable, and repeating the
// request starts the workflow without a second row or audit event. A
// repeat after success, or another definition under the same ID, is a
// conflict.
func TestCreateSeriesRetriesFailedStart(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		seeded(t, db)
		clock := now
		tc := &startClient{errs: []error{serviceerror.NewUnavailable("frontend down"), nil,
			serviceerror.NewWorkflowExecutionAlreadyStarted("running", "", "")}}
		svc := meetings.NewService(meetings.Deps{DB: db, Temporal: tc, TaskQueue: "q", Now: func() time.Time { return clock }})
		ctx := reqctx.WithRequestID(t.Context(), "req-1")
		audits := func() int64 {
			var n int64
			db.Model(&models.AuditEvent{}).Where("action = ? AND entity_id = ?", "meeting_series.create", "oncb").Count(&n)
			return n
		}

		_, err := svc.CreateSeries(ctx, secretariat, seriesInput("oncb"))
		wantErr(t, err, apperr.Unavailable, "")
		var rows []models.MeetingSeries
		db.Find(&rows)
		if len(rows) != 1 || audits() != 1 {
			t.Fatalf("after a failed start: %d rows, %d audit events", len(rows), audits())
		}

		// The client repeats the request the next day: the stored start
		// date is kept, nothing is written twice.
		clock = now.Add(24 * time.Hour)
		out, err := svc.CreateSeries(ctx, secretariat, seriesInput("oncb"))
		if err != nil {
			t.Fatal(err)
		}
		if out.ID != "oncb" || out.WorkflowID != "meeting-series/oncb" || out.Series.StartDate != thaidate.Today(now) {
			t.Fatalf("created %+v", out)
		}
		if len(tc.starts) != 2 || tc.starts[1].ID != "meeting-series/oncb" || tc.starts[1].TaskQueue != "q" ||
			!tc.starts[1].WorkflowExecutionErrorWhenAlreadyStarted || tc.inputs[1].Series.StartDate != thaidate.Today(now) ||
			len(tc.inputs[1].Series.Participants) != 2 || tc.inputs[1].Actor != "sec" {
			t.Fatalf("starts %+v inputs %+v", tc.starts, tc.inputs)
		}
		db.Find(&rows)
		if len(rows) != 1 || audits() != 1 {
			t.Fatalf("after the retry: %d rows, %d audit events", len(rows), audits())
		}
		var ev models.AuditEvent
		db.Where("action = ?", "meeting_series.create").Take(&ev)
		if ev.RequestID != "req-1" || ev.Actor != "sec" {
			t.Errorf("audit event %+v", ev)
		}

		// Once running, a repeat is a duplicate.
		_, err = svc.CreateSeries(ctx, secretariat, seriesInput("oncb"))
		wantErr(t, err, apperr.Conflict, "")
		// Another definition under the same ID is refused before any start.
		other := seriesInput("oncb")
		other.Name = "อีกชุดหนึ่ง"
		_, err = svc.CreateSeries(ctx, secretariat, other)
		wantErr(t, err, apperr.Conflict, "")
		if len(tc.starts) != 3 {
			t.Fatalf("%d starts, want 3", len(tc.starts))
		}
	})
}

// meetingRow stores meeting "oncb-2569-N" of series "oncb" (stored first
// if need be) for units 10 and 20.
func meetingRow(t *testing.T, db *gorm.DB, id string, starts time.Time, status models.MeetingStatus) models.Meeting {
	t.Helper()
	series := models.MeetingSeries{ID: "oncb", Name: "ประชุม", OrganiserCode: models.NationalUnitCode, Participants: `["10","20"]`,
		Cadence: `[]`, Numbering: "calendar", HolidayRule: "move", Policy: `{}`, StartDate: "2025-12-01", CreatedBy: "sec",
		CreatedAt: now, UpdatedAt: now}
	if err := db.FirstOrCreate(&series, "id = ?", "oncb").Error; err != nil {
		t.Fatal(err)
	}
	number, _ := strconv.Atoi(id[strings.LastIndex(id, "-")+1:])
	m := models.Meeting{ID: id, SeriesID: "oncb", YearBE: 2569, Number: number, Title: "ประชุม", StartsAt: starts,
		EndsAt: starts.Add(2 * time.Hour), Status: status, Sequence: 1, Participants: `["10","20"]`, Agenda: `[]`,
		CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&m).Error; err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMeetingRulesBeforeTheEngine: the role, unit and stored-state rules
// of the meeting commands answer before any Update is sent (there is no
// Temporal client here).
func TestMeetingRulesBeforeTheEngine(t *testing.T) {
	db := storetest.SQLite(t)
	seeded(t, db)
	svc := meetings.NewService(meetings.Deps{DB: db, Now: func() time.Time { return now }})
	ctx := t.Context()
	meetingRow(t, db, "oncb-2569-3", now.Add(48*time.Hour), models.MeetingScheduled)
	meetingRow(t, db, "oncb-2569-4", now.Add(96*time.Hour), models.MeetingCancelled)

	rsvp := meetings.RSVPInput{Attendees: []workflows.Attendee{{Name: "นาย ก", Role: "palad"}}}
	_, err := svc.RSVP(ctx, observer, "oncb-2569-3", rsvp)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.RSVP(ctx, chonburi, "missing", rsvp)
	wantErr(t, err, apperr.NotFound, "")
	_, err = svc.RSVP(ctx, chonburi, "oncb-2569-3", meetings.RSVPInput{UnitCode: "10", Attendees: rsvp.Attendees})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.RSVP(ctx, secretariat, "oncb-2569-3", rsvp)
	wantErr(t, err, apperr.Invalid, "unit_code")
	_, err = svc.RSVP(ctx, chonburi, "oncb-2569-3", meetings.RSVPInput{Attendees: []workflows.Attendee{{Name: "ก", Role: "mayor"}}})
	wantErr(t, err, apperr.Invalid, "role")
	_, err = svc.RSVP(ctx, chonburi, "oncb-2569-4", rsvp)
	wantErr(t, err, apperr.Conflict, "")
	// Past every check, the Update needs the engine.
	_, err = svc.RSVP(ctx, chonburi, "oncb-2569-3", rsvp)
	wantErr(t, err, apperr.Unavailable, "")

	_, err = svc.RecordAttendance(ctx, chonburi, "oncb-2569-3", meetings.AttendanceInput{})
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.RecordAttendance(ctx, secretariat, "oncb-2569-3", meetings.AttendanceInput{})
	wantErr(t, err, apperr.Conflict, "")
	_, err = svc.PublishMinutes(ctx, secretariat, "oncb-2569-4", meetings.MinutesInput{Text: "x"})
	wantErr(t, err, apperr.Conflict, "")
	_, err = svc.Reschedule(ctx, secretariat, "oncb-2569-3", meetings.TimeInput{StartsAt: now.Add(-time.Hour).Format(time.RFC3339)})
	wantErr(t, err, apperr.Invalid, "starts_at")
	_, err = svc.Reschedule(ctx, secretariat, "oncb-2569-3", meetings.TimeInput{Date: "2026-01-07", Time: "9"})
	wantErr(t, err, apperr.Invalid, "time")
	// Moving it onto another meeting of the series (not a cancelled one)
	// is an overlap.
	meetingRow(t, db, "oncb-2569-5", now.Add(200*time.Hour), models.MeetingScheduled)
	_, err = svc.Reschedule(ctx, secretariat, "oncb-2569-3", meetings.TimeInput{StartsAt: now.Add(201 * time.Hour).Format(time.RFC3339)})
	wantErr(t, err, apperr.Conflict, "starts_at")
	_, err = svc.Reschedule(ctx, secretariat, "oncb-2569-3", meetings.TimeInput{StartsAt: now.Add(97 * time.Hour).Format(time.RFC3339)})
	wantErr(t, err, apperr.Unavailable, "")

	_, err = svc.ListMeetings(ctx, chonburi, meetings.MeetingFilter{From: "2026-01-02", To: "2025-12-31"})
	wantErr(t, err, apperr.Invalid, "to")
	list, err := svc.ListMeetings(ctx, chonburi, meetings.MeetingFilter{From: "๓ ธ.ค. ๒๕๖๘", Series: "oncb"})
	if err != nil || list.Total != 3 || list.Items[0].ID != "oncb-2569-3" || list.Items[0].NumberLabel != "ครั้งที่ 3/2569" {
		t.Fatalf("list %+v %v", list, err)
	}
	_, err = svc.Meeting(ctx, nil, "oncb-2569-3")
	wantErr(t, err, apperr.Unauthorized, "")
}

// TestFeedToken: a unit's feed opens with its current token only, and
// lists the meetings it takes part in.
func TestFeedToken(t *testing.T) {
	db := storetest.SQLite(t)
	seeded(t, db)
	svc := meetings.NewService(meetings.Deps{DB: db, Now: func() time.Time { return now }})
	ctx := t.Context()
	meetingRow(t, db, "oncb-2569-3", now.Add(48*time.Hour), models.MeetingCancelled)

	_, err := svc.IssueFeedToken(ctx, chonburi, "10")
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.IssueFeedToken(ctx, secretariat, "99")
	wantErr(t, err, apperr.NotFound, "")
	first, err := svc.IssueFeedToken(ctx, chonburi, "20")
	if err != nil || !strings.HasPrefix(first.Token, "ics_") || first.URL != meetings.FeedPath("20", first.Token) {
		t.Fatalf("token %+v %v", first, err)
	}
	second, err := svc.IssueFeedToken(ctx, chonburi, "20")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Feed(ctx, "20", "")
	wantErr(t, err, apperr.Invalid, "token")
	_, err = svc.Feed(ctx, "20", first.Token)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = svc.Feed(ctx, "21", second.Token)
	wantErr(t, err, apperr.Forbidden, "")
	cal, err := svc.Feed(ctx, "20", second.Token)
	if err != nil || !strings.Contains(cal, "UID:"+meetings.MeetingUID("oncb-2569-3")) || !strings.Contains(cal, "STATUS:CANCELLED") {
		t.Fatalf("feed %v:\n%s", err, cal)
	}
}

// TestResolutionNumbers: K round-trips through the document number and
// other numbers are not resolutions of the meeting.
func TestResolutionNumbers(t *testing.T) {
	m := models.Meeting{Number: 5, YearBE: 2569}
	doc := meetings.ResolutionDocNumber(m, 12)
	if k := meetings.ResolutionNumber(m, workflows.NormalizeDocNumber(doc)); k != 12 {
		t.Fatalf("%q → %d", doc, k)
	}
	if k := meetings.ResolutionNumber(models.Meeting{Number: 6, YearBE: 2569}, doc); k != 0 {
		t.Fatalf("another meeting's resolution read as %d", k)
	}
}
