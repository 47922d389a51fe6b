package notifye2e_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

var quiet = slog.New(slog.DiscardHandler)

// TestOutboxToMailbox runs the production path: notifications written to
// the outbox, two dispatchers racing for them, a worker running the
// delivery workflows against a real SMTP server. Every (notification,
// recipient) pair arrives exactly once, every notification ends delivered,
// and a second delivery workflow for a notification cannot be started.
func TestOutboxToMailbox(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		srv, err := devserver.Start(devserver.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Stop()
		c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: sdklog.NewStructuredLogger(quiet)})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()

		smtpSrv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "pw"}})
		const taskQueue = "notify-e2e"
		w := worker.New(c, taskQueue, worker.Options{})
		workflows.Register(w, workflows.Activities{Delivery: &activities.Delivery{DB: db, Logger: quiet, From: mail.Address{Address: "tidtam@oncb.go.th"},
			PublicURL: "http://tidtam.test",
			Sender: &notify.SMTPSender{Config: config.SMTP{Host: smtpSrv.Host(), Port: smtpSrv.Port(), Username: "tidtam", Password: "pw",
				TLS: "none", Auth: "plain"}}}})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer w.Stop()

		if err := store.SeedBase(ctx, db); err != nil {
			t.Fatal(err)
		}
		u20, u21 := "20", "21"
		for _, a := range []models.Account{
			{Username: "gov20", Role: models.RoleProvince, UnitCode: &u20, Position: "governor", Email: "gov@chonburi.go.th"},
			{Username: "staff20", Role: models.RoleProvince, UnitCode: &u20, Email: "staff@chonburi.go.th"},
			{Username: "staff21", Role: models.RoleProvince, UnitCode: &u21, Email: "staff@rayong.go.th"},
		} {
			a.PasswordHash = "x"
			if err := db.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]int{} // "notification|recipient" → 1
		var ids []string
		for i := range 6 {
			id := fmt.Sprintf("assignment/D%d/20/seq/%d", i, i)
			rcpt, data := `{"unit_codes":["20"]}`, `{"unit_code":"20","subject":"ข้อสั่งการที่ `+fmt.Sprint(i)+`","item":"1","due_at":"2025-01-15T09:30:00Z"}`
			want[id+"|gov@chonburi.go.th"], want[id+"|staff@chonburi.go.th"] = 1, 1
			if i%2 == 1 {
				rcpt = `{"unit_codes":["21"],"head_of_units":["20"]}`
				delete(want, id+"|staff@chonburi.go.th")
				want[id+"|staff@rayong.go.th"] = 1
			}
			n := models.Notification{ID: id, Kind: notify.KindReminder, Template: notify.KindReminder, Language: "th",
				Recipients: rcpt, Data: data, Status: models.NotificationPending, CreatedAt: time.Now().UTC()}
			if err := db.Create(&n).Error; err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}

		dctx, stopDispatchers := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &notify.Dispatcher{DB: db, Temporal: c, TaskQueue: taskQueue, Interval: 50 * time.Millisecond, Batch: 2, Logger: quiet,
					Delivery: notify.DeliveryInput{RetryWindow: time.Minute, InitialRetryInterval: 100 * time.Millisecond}}
				_ = d.Run(dctx)
			}()
		}
		defer func() { stopDispatchers(); wg.Wait() }()

		for {
			var open int64
			if err := db.Model(&models.Notification{}).Where("status <> ?", models.NotificationDelivered).Count(&open).Error; err != nil {
				t.Fatal(err)
			}
			if open == 0 {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%d notifications not delivered in time", open)
			case <-time.After(50 * time.Millisecond):
			}
		}

		got := map[string]int{}
		for _, m := range smtpSrv.Messages() {
			var nid string
			for _, line := range strings.Split(string(m.Data), "\r\n") {
				if v, ok := strings.CutPrefix(line, notify.HeaderNotification+": "); ok {
					nid = v
				}
			}
			for _, to := range m.To {
				got[nid+"|"+to]++
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("received (notification|recipient → count):\n%v\nwant each once:\n%v", got, want)
		}

		// The workflow ID admits no second delivery of a notification.
		_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: notify.DeliveryWorkflowID(ids[0], 0), TaskQueue: taskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE, WorkflowExecutionErrorWhenAlreadyStarted: true},
			notify.DeliveryWorkflowType, notify.DeliveryInput{NotificationID: ids[0]})
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if !errors.As(err, &already) {
			t.Errorf("second delivery workflow: err = %v, want already started", err)
		}

		// The digest workflow: every process may ensure it; one runs.
		for _, at := range []string{"07:30", "08:15"} {
			s, err := notify.ParseDigestTime(at)
			if err != nil {
				t.Fatal(err)
			}
			if err := notify.EnsureDigestWorkflow(ctx, c, taskQueue, s); err != nil {
				t.Fatal(err)
			}
		}
		desc, err := c.DescribeWorkflowExecution(ctx, notify.DigestWorkflowID, "")
		if err != nil || desc.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Fatalf("digest workflow: %v %v", desc, err)
		}
		_ = c.TerminateWorkflow(ctx, notify.DigestWorkflowID, "", "test over")
	})
}
