package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/thaidate"
	"github.com/tidtam/tidtam/models"
	wf "github.com/tidtam/tidtam/workflows"
)

// dlvQuiet discards logs: the failures these tests provoke are expected.
var dlvQuiet = slog.New(slog.DiscardHandler)

// dlvSeed gives province "20" a governor and a vice governor with e-mail,
// an admin, and a pending overdue notification to the province's heads.
func dlvSeed(t *testing.T, db *gorm.DB, id string) {
	t.Helper()
	if err := store.SeedBase(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	unit := "20"
	for _, a := range []models.Account{
		{Username: "gov20", Role: models.RoleProvince, UnitCode: &unit, Position: "governor", Email: "gov@chonburi.go.th", DisplayName: "ผู้ว่าราชการจังหวัดชลบุรี"},
		{Username: "vice20", Role: models.RoleProvince, UnitCode: &unit, Position: "vice_governor", Email: "vice@chonburi.go.th"},
		{Username: "admin", Role: models.RoleAdmin, Email: "admin@oncb.go.th"},
	} {
		a.PasswordHash = "x"
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
	}
	dlvEnqueue(t, db, id)
}

func dlvEnqueue(t *testing.T, db *gorm.DB, id string) {
	t.Helper()
	n := models.Notification{ID: id, Kind: notify.KindEscalation, Template: notify.KindEscalation, Language: "th",
		Recipients: `{"unit_positions":[{"unit_code":"20","positions":["governor","vice_governor","palad"]}]}`,
		Data: `{"assignment_id":"assignment/D1/20","unit_code":"20","subject":"เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติด",` +
			`"doc_number":"ที่ ยธ 0600/ว 123","item":"1","cycle":"1","due_at":"2025-01-10T09:30:00Z","level":"2"}`,
		Status: models.NotificationDispatched, CreatedAt: time.Now().UTC()}
	if err := db.Create(&n).Error; err != nil {
		t.Fatal(err)
	}
}

// dlvEnv is a test workflow environment with DeliveryWorkflow and the real
// delivery activities.
func dlvEnv(t *testing.T, d *activities.Delivery) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(dlvQuiet))
	if d.Logger == nil {
		d.Logger = dlvQuiet
	}
	env := s.NewTestWorkflowEnvironment()
	env.SetTestTimeout(60 * time.Second)
	wf.Register(env, wf.Activities{Delivery: d})
	return env
}

func dlvSMTP(srv *notifytest.Server, password string) *notify.SMTPSender {
	return &notify.SMTPSender{Config: config.SMTP{Host: srv.Host(), Port: srv.Port(), Username: "tidtam", Password: password,
		TLS: "none", Auth: "plain"}, Timeout: 10 * time.Second}
}

func dlvRows(t *testing.T, db *gorm.DB, id string) []models.Delivery {
	t.Helper()
	var rows []models.Delivery
	if err := db.Where("notification_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func dlvStatus(t *testing.T, db *gorm.DB, id string) string {
	t.Helper()
	var n models.Notification
	if err := db.Where("id = ?", id).Take(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n.Status
}

// TestDeliveryWorkflowServerDownThenUp: the SMTP server refuses the first
// connections, the webhook answers 503 at first, and the first successful
// send of each e-mail "loses" its completion (as when a worker dies right
// after finishing). Retries deliver everything, and the SMTP server and
// the webhook each receive every message exactly once.
func TestDeliveryWorkflowServerDownThenUp(t *testing.T) {
	db := storetest.SQLite(t)
	const id = "assignment/D1/20/seq/9"
	dlvSeed(t, db, id)
	srv := notifytest.New(t, notifytest.Options{Users: map[string]string{"tidtam": "right"}})
	sender := dlvSMTP(srv, "right")
	var mu sync.Mutex
	dials := 0
	sender.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials++
		if dials == 3 { // the server comes up after two refused connections
			srv.Start()
		}
		mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	hookCalls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hookCalls++
		n := hookCalls
		mu.Unlock()
		if n <= 2 || !notify.VerifySignature("whsec", readBody(r), r.Header.Get(notify.HeaderSignature)) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer hook.Close()
	unit := "20"
	if err := db.Create(&models.Webhook{UnitCode: &unit, URL: hook.URL, Secret: "whsec", Active: true, CreatedAt: time.Now()}).Error; err != nil {
		t.Fatal(err)
	}

	live := &activities.Delivery{DB: db, Sender: sender, From: mail.Address{Address: "tidtam@oncb.go.th"}, PublicURL: "http://t",
		Webhooks: notifytest.LoopbackWebhooks()}
	env := dlvEnv(t, live)
	var d *activities.Delivery
	lost := map[string]bool{}
	env.OnActivity(d.SendEmail, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SendEmailInput) (notify.SendResult, error) {
			res, err := live.SendEmail(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err == nil && res.Outcome == notify.OutcomeSent && !lost[in.Target.DeliveryID] {
				lost[in.Target.DeliveryID] = true
				return notify.SendResult{}, errors.New("worker died before reporting completion")
			}
			return res, err
		})
	env.ExecuteWorkflow(notify.DeliveryWorkflowType, notify.DeliveryInput{Revision: notify.DeliveryRevision, NotificationID: id, RetryWindow: 10 * time.Minute,
		InitialRetryInterval: time.Second, MaxRetryInterval: 10 * time.Second})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res notify.DeliveryResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Sent != 3 || res.Failed != 0 || res.InboxItems != 2 || res.Status != models.NotificationDelivered {
		t.Errorf("result = %+v, want 3 sent, 2 inbox items, delivered", res)
	}
	msgs := srv.Messages()
	var to []string
	for _, m := range msgs {
		to = append(to, m.To...)
		if !strings.Contains(string(m.Data), "Message-ID: "+notify.MessageID(id)) {
			t.Errorf("message without the notification's Message-ID")
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"gov@chonburi.go.th", "vice@chonburi.go.th"}) {
		t.Errorf("server received messages for %v, want each head exactly once", to)
	}
	if hookCalls != 3 {
		t.Errorf("webhook called %d times, want 2 failures then 1 success", hookCalls)
	}
	for _, row := range dlvRows(t, db, id) {
		if row.Status != models.DeliverySent {
			t.Errorf("delivery %s: %+v", row.ID, row)
		}
		if row.Channel == models.ChannelEmail && row.Attempts < 2 {
			t.Errorf("delivery %s sent in %d attempts; the server was down at first", row.ID, row.Attempts)
		}
	}
	if dials < 4 {
		t.Errorf("%d connections attempted, want refused ones then one per recipient", dials)
	}
	if s := dlvStatus(t, db, id); s != models.NotificationDelivered {
		t.Errorf("notification status %q", s)
	}
}

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

// TestDeliveryWorkflowWrongPassword: authentication failures are not
// retried; the deliveries fail with the reason and the admin is told.
func TestDeliveryWorkflowWrongPassword(t *testing.T) {
	db := storetest.SQLite(t)
	const id = "n/wrong-password"
	dlvSeed(t, db, id)
	srv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "right"}})
	env := dlvEnv(t, &activities.Delivery{DB: db, Sender: dlvSMTP(srv, "wrong"), From: mail.Address{Address: "tidtam@oncb.go.th"}})
	env.ExecuteWorkflow(notify.DeliveryWorkflowType, notify.DeliveryInput{Revision: notify.DeliveryRevision, NotificationID: id})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res notify.DeliveryResult
	_ = env.GetWorkflowResult(&res)
	if res.Failed != 2 || res.Sent != 0 || res.Status != models.NotificationFailed {
		t.Errorf("result = %+v, want 2 failed", res)
	}
	if srv.AuthFailures() != 2 {
		t.Errorf("%d authentication attempts, want one per delivery (no retries)", srv.AuthFailures())
	}
	for _, row := range dlvRows(t, db, id) {
		if row.Status != models.DeliveryFailed || row.Attempts != 1 || !strings.Contains(row.LastError, "configuration error") ||
			!strings.Contains(row.LastError, "535") {
			t.Errorf("delivery %+v", row)
		}
	}
	var alerts []models.InboxItem
	db.Where("kind = ?", notify.KindSMTPConfig).Find(&alerts)
	if len(alerts) != 1 || !strings.HasPrefix(alerts[0].Title, "การตั้งค่า SMTP ไม่ถูกต้อง") {
		t.Errorf("admin alerts = %+v, want one", alerts)
	}
}

// TestDeliveryWorkflowGivesUp: a server that never comes back is retried
// with back-off until the window closes, then the deliveries fail.
func TestDeliveryWorkflowGivesUp(t *testing.T) {
	db := storetest.SQLite(t)
	const id = "n/never"
	dlvSeed(t, db, id)
	srv := notifytest.New(t, notifytest.Options{}) // never started
	env := dlvEnv(t, &activities.Delivery{DB: db, Sender: dlvSMTP(srv, "x"), From: mail.Address{Address: "tidtam@oncb.go.th"}})
	env.ExecuteWorkflow(notify.DeliveryWorkflowType, notify.DeliveryInput{Revision: notify.DeliveryRevision, NotificationID: id, RetryWindow: time.Minute, InitialRetryInterval: time.Second})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	for _, row := range dlvRows(t, db, id) {
		// 1 s doubling within a minute: attempts at 0, 1, 3, 7, 15, 31 s.
		if row.Status != models.DeliveryFailed || row.Attempts < 4 || row.Attempts > 8 ||
			!strings.Contains(row.LastError, "retry window exhausted") || !strings.Contains(row.LastError, "connect") {
			t.Errorf("delivery %+v", row)
		}
	}
	if s := dlvStatus(t, db, id); s != models.NotificationFailed {
		t.Errorf("notification status %q", s)
	}
}

// TestDeliveryWorkflowDevMailbox: with no SMTP configured the mail goes to
// the development mailbox, and nothing fails.
func TestDeliveryWorkflowDevMailbox(t *testing.T) {
	db := storetest.SQLite(t)
	const id = "n/dev"
	dlvSeed(t, db, id)
	env := dlvEnv(t, &activities.Delivery{DB: db, From: mail.Address{Address: "tidtam@localhost"}})
	env.ExecuteWorkflow(notify.DeliveryWorkflowType, notify.DeliveryInput{Revision: notify.DeliveryRevision, NotificationID: id})
	var res notify.DeliveryResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Sent != 2 || res.Status != models.NotificationDelivered {
		t.Fatalf("result %+v, %v", res, err)
	}
	var n int64
	db.Model(&models.DevMail{}).Count(&n)
	if n != 2 {
		t.Errorf("dev mailbox holds %d messages, want 2", n)
	}
}

// TestNotifyKindsHaveTemplates: every kind the directive workflows enqueue
// can be rendered.
func TestNotifyKindsHaveTemplates(t *testing.T) {
	for _, k := range []string{wf.NotifyAssigned, wf.NotifyAckOverdue, wf.NotifyReminder, wf.NotifyOverdue, wf.NotifyEscalation,
		wf.NotifyReturned, wf.NotifyDueChanged, wf.NotifyCycleOpened, wf.NotifyWithdrawn, wf.NotifyReported} {
		if !notify.HasTemplate(k) {
			t.Errorf("no template for %q", k)
		}
	}
}

// ---- daily digest ----

type digestCall struct {
	Date string
	At   time.Time
}

func digestEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *[]digestCall) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(dlvQuiet))
	env := s.NewTestWorkflowEnvironment()
	env.SetTestTimeout(30 * time.Second)
	env.SetStartTime(start)
	wf.Register(env, wf.Activities{Delivery: &activities.Delivery{}})
	var calls []digestCall
	var d *activities.Delivery
	env.OnActivity(d.EnqueueDailyDigests, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EnqueueDigestsInput) (notify.DigestResult, error) {
			calls = append(calls, digestCall{in.Date, env.Now()})
			return notify.DigestResult{Date: in.Date}, nil
		}).Maybe()
	return env, &calls
}

// continuedWith returns the input a workflow continued as new with.
func continuedWith(t *testing.T, env *testsuite.TestWorkflowEnvironment) notify.DigestInput {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", env.GetWorkflowError())
	}
	var in notify.DigestInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestDigestWorkflowRunsAtConfiguredTime(t *testing.T) {
	bkk := func(d, hh, mm int) time.Time { return time.Date(2025, 1, d, hh, mm, 0, 0, thaidate.Bangkok) }
	for _, tc := range []struct {
		name     string
		start    time.Time
		in       notify.DigestInput
		signal   *notify.DigestSettings // sent one hour after start
		wantDate string                 // "" for no digest
		wantAt   time.Time
		wantLast string
	}{
		{"Wednesday morning: today 07:30", bkk(15, 6, 0), notify.DigestInput{}, nil, "2025-01-15", bkk(15, 7, 30), "2025-01-15"},
		{"after 07:30: tomorrow", bkk(15, 8, 0), notify.DigestInput{}, nil, "2025-01-16", bkk(16, 7, 30), "2025-01-16"},
		{"already done today: tomorrow", bkk(15, 6, 0), notify.DigestInput{LastDate: "2025-01-15"}, nil, "2025-01-16", bkk(16, 7, 30), "2025-01-16"},
		{"Saturday: nothing sent", bkk(18, 6, 0), notify.DigestInput{}, nil, "", time.Time{}, "2025-01-18"},
		{"time changed by signal", bkk(15, 6, 0), notify.DigestInput{}, &notify.DigestSettings{Hour: 9, Minute: 15}, "2025-01-15", bkk(15, 9, 15), "2025-01-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, calls := digestEnv(t, tc.start)
			if tc.signal != nil {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(notify.SignalDigestSettings, *tc.signal) }, time.Hour)
			}
			env.ExecuteWorkflow(notify.DigestWorkflowType, tc.in)
			next := continuedWith(t, env)
			if next.LastDate != tc.wantLast {
				t.Errorf("continued with last date %q, want %q", next.LastDate, tc.wantLast)
			}
			if tc.signal != nil && (next.Settings.Hour != 9 || next.Settings.Minute != 15) {
				t.Errorf("settings not carried: %+v", next.Settings)
			}
			switch {
			case tc.wantDate == "" && len(*calls) != 0:
				t.Errorf("digest enqueued on a weekend: %+v", *calls)
			case tc.wantDate != "" && (len(*calls) != 1 || (*calls)[0].Date != tc.wantDate || !(*calls)[0].At.Equal(tc.wantAt)):
				t.Errorf("digest calls = %+v, want %s at %v", *calls, tc.wantDate, tc.wantAt)
			}
		})
	}
}
