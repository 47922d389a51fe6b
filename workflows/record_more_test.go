//go:build record

package workflows_test

// Records the replay histories of the notification and meeting workflows
// (TestReplayMoreHistories) against the embedded Temporal server and
// SQLite, like TestRecordHistories does for the directive workflows:
//
//	go test -tags record -run TestRecordMoreHistories ./workflows/
//
// It takes about a minute (the digest waits for the next whole minute):
//   - DeliveryWorkflow: an escalation to province 20's governor and vice
//     governor, e-mail to the development mailbox (Sender nil), one webhook
//     that answers 200 and one that answers 500 until its 5-second retry
//     window is exhausted (FailDelivery);
//   - DigestWorkflow: signal-with-start (notify.EnsureDigestWorkflow) with
//     the digest time set to the next minute, the day's digests enqueued
//     (on a weekday), continue-as-new; the first run is recorded;
//   - MeetingSeriesWorkflow: a monthly series whose next slot is two days
//     away creates its regular meeting and continues as new (run 1); run 2
//     takes an extra meeting (add_meeting) starting in 12 seconds;
//   - MeetingWorkflow: that extra meeting through notice, RSVPs (one
//     rejected), start, attendance and minutes; recorded while it waits for
//     later minutes versions.
//
// Files go to testdata/notify_meetings/ (not testdata/*.json, which TestReplayHistories
// replays with the directive workflows only). Re-record after a deliberate,
// versioned change of workflow code, never to make a failing replay pass.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

func TestRecordMoreHistories(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c, db := recordEngine(t)

	// Province 20's heads with e-mail, a dispatched escalation notification.
	const notifID = "assignment/ONCB-REC/20/seq/3"
	dlvSeed(t, db, notifID)
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer down.Close()
	unit := "20"
	for _, u := range []string{ok.URL, down.URL} {
		if err := db.Create(&models.Webhook{UnitCode: &unit, URL: u, Secret: "whsec", Active: true, CreatedAt: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
	}

	w := worker.New(c, wf.TaskQueue, worker.Options{})
	wf.Register(w, wf.Activities{
		Directives: &activities.Activities{DB: db, Temporal: c, TaskQueue: wf.TaskQueue},
		Delivery: &activities.Delivery{DB: db, Logger: slog.New(slog.DiscardHandler), PublicURL: "http://tidtam.test",
			From: mail.Address{Address: "tidtam@oncb.go.th"}, Webhooks: notifytest.LoopbackWebhooks()},
		Meetings: &activities.Meetings{DB: db},
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	out := func(name string) string { return filepath.Join("testdata", notifyMeetingsDir, name+".json") }

	// Digest first: it waits for the next whole minute while the rest runs.
	now := time.Now().In(thaidate.Bangkok)
	next := now.Truncate(time.Minute).Add(time.Minute)
	if next.Sub(now) < 5*time.Second {
		next = next.Add(time.Minute)
	}
	if next.Hour() == 0 && next.Minute() == 0 { // 00:00 means the default 07:30
		next = next.Add(time.Minute)
	}
	if err := notify.EnsureDigestWorkflow(ctx, c, wf.TaskQueue,
		notify.DigestSettings{Hour: next.Hour(), Minute: next.Minute(), RetryWindow: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	digestRun := c.GetWorkflow(ctx, notify.DigestWorkflowID, "").GetRunID()

	// Delivery, as notify.Dispatcher starts it, with second-scale retries.
	drun, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: notify.DeliveryWorkflowID(notifID, 0), TaskQueue: wf.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, notify.DeliveryWorkflowType,
		notify.DeliveryInput{Revision: notify.DeliveryRevision, NotificationID: notifID, RetryWindow: 5 * time.Second, InitialRetryInterval: time.Second, MaxRetryInterval: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	// A monthly series whose slot is two days from now (week number of
	// that day), so it creates one regular meeting at once and the next
	// month's only later.
	slot := thaidate.FromTime(now).AddDays(2)
	spec := wf.MeetingSeriesSpec{
		ID: "oncb-rec", Name: "ประชุม ศปก.ครส. ร่วมกับ ศอ.ปส.จ.", OrganiserCode: models.NationalUnitCode,
		Participants: []string{"10", "20", "30"},
		Cadence:      []wf.CadenceRule{{Weekday: slot.Weekday(), Weeks: []int{(slot.Day-1)/7 + 1}, Hour: 13, Minute: 30}},
		Link:         "https://meet.example/oncb", Numbering: wf.NumberingFiscal, HolidayRule: wf.HolidayMove,
		StartDate: thaidate.FromTime(now),
	}
	if err := db.Create(&models.MeetingSeries{ID: spec.ID, Name: spec.Name, OrganiserCode: spec.OrganiserCode,
		Participants: `["10","20","30"]`, Cadence: "[]", Link: spec.Link, Numbering: string(spec.Numbering),
		HolidayRule: string(spec.HolidayRule), Policy: "{}", StartDate: spec.StartDate.String(), CreatedBy: "sec",
		CreatedAt: time.Now(), UpdatedAt: time.Now()}).Error; err != nil {
		t.Fatal(err)
	}
	sid := wf.MeetingSeriesWorkflowID(spec.ID)
	srun, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: sid, TaskQueue: wf.TaskQueue}, wf.MeetingSeriesWorkflow,
		wf.MeetingSeriesInput{Series: spec, Holidays: holidays(t), Actor: "sec", HistoryLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, ctx, c, sid, srun.GetRunID(), enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW)
	var st wf.MeetingSeriesState
	waitFor(t, ctx, "series run 2", func() bool {
		v, err := c.QueryWorkflow(ctx, sid, "", wf.QuerySeries)
		return err == nil && v.Get(&st) == nil && st.Runs == 2
	})
	if st.Created != 1 {
		t.Fatalf("series after run 1: %+v", st)
	}
	update := func(wid, name string, arg, res any, wantOK bool) {
		t.Helper()
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, res)
		}
		if (err == nil) != wantOK {
			t.Fatalf("%s %s: %v (want ok %v)", wid, name, err, wantOK)
		}
	}
	startsAt := time.Now().Add(12 * time.Second).Truncate(time.Second)
	var ref wf.MeetingRef
	update(sid, wf.UpdateAddMeeting, wf.AddMeetingInput{StartsAt: startsAt, Title: "ประชุมวาระพิเศษ", Actor: "sec", Reason: "เร่งด่วน"}, &ref, true)

	// The extra meeting: notice, RSVPs, start, attendance, minutes.
	mid := ref.WorkflowID
	var ms wf.MeetingState
	query := func() bool {
		v, err := c.QueryWorkflow(ctx, mid, "", wf.QueryMeeting)
		return err == nil && v.Get(&ms) == nil
	}
	waitFor(t, ctx, "meeting notice", func() bool { return query() && ms.NoticeSentAt != nil })
	gov := []wf.Attendee{{Name: "ผู้ว่าราชการจังหวัด", Role: models.AttendeeGovernor}}
	update(mid, wf.UpdateRSVP, wf.RSVPInput{UnitCode: "10", Actor: "bkk", Attendees: gov}, nil, true)
	update(mid, wf.UpdateRSVP, wf.RSVPInput{UnitCode: "20", Actor: "chonburi", Declined: true}, nil, false) // no reason
	update(mid, wf.UpdateRSVP, wf.RSVPInput{UnitCode: "20", Actor: "chonburi", Declined: true, Reason: "ติดภารกิจ"}, nil, true)
	update(mid, wf.UpdateAddAgendaItem, wf.AddAgendaItemInput{Actor: "sec", Title: "สถานการณ์ยาเสพติดชายแดน"}, nil, true)
	waitFor(t, ctx, "meeting start", func() bool { return query() && ms.Status == models.MeetingStarted })
	update(mid, wf.UpdateAttendance, wf.AttendanceInput{Actor: "sec", Units: []wf.UnitAttendanceInput{
		{UnitCode: "10", Attendees: gov}, {UnitCode: "30", Attendees: []wf.Attendee{{Name: "ปลัดจังหวัด", Role: models.AttendeePalad}}}}}, nil, true)
	update(mid, wf.UpdateMinutes, wf.MinutesInput{Actor: "sec", TextRef: textRef(t, db, "รายงานการประชุม ฉบับที่ 1")}, &ms, true)
	if ms.Status != models.MeetingPublished || len(ms.Absent) != 1 || len(ms.UnderRepresented) != 1 {
		t.Fatalf("meeting: %+v", ms)
	}
	time.Sleep(time.Second) // the workflow task after the update: the amend timer

	var dres notify.DeliveryResult
	if err := drun.Get(ctx, &dres); err != nil || dres.Sent < 3 || dres.Failed != 1 {
		for _, r := range dlvRows(t, db, notifID) {
			t.Logf("delivery row %+v", r)
		}
		t.Fatalf("delivery: %+v %v", dres, err)
	}
	t.Logf("delivery: %+v", dres)
	waitStatus(t, ctx, c, notify.DigestWorkflowID, digestRun, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW)

	writeRunHistory(t, ctx, c, drun.GetID(), drun.GetRunID(), out("delivery"))
	writeRunHistory(t, ctx, c, notify.DigestWorkflowID, digestRun, out("digest"))
	writeRunHistory(t, ctx, c, sid, srun.GetRunID(), out("meeting_series"))
	writeRunHistory(t, ctx, c, sid, "", out("meeting_series_continued"))
	writeRunHistory(t, ctx, c, mid, "", out("meeting"))
}

func waitStatus(t *testing.T, ctx context.Context, c client.Client, wid, rid string, want enumspb.WorkflowExecutionStatus) {
	t.Helper()
	waitFor(t, ctx, wid+" "+want.String(), func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, wid, rid)
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == want
	})
}

// writeRunHistory writes one run's history (rid empty: the latest run).
func writeRunHistory(t *testing.T, ctx context.Context, c client.Client, wid, rid, file string) {
	t.Helper()
	h := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, wid, rid, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d events → %s", wid, len(h.Events), file)
}
