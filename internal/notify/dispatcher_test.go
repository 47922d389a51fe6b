package notify_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// fakeTemporal stands in for the Temporal server's workflow-ID rule: the
// first start of an ID succeeds, every later one is "already started".
type fakeTemporal struct {
	mu      sync.Mutex
	started map[string]notify.DeliveryInput
	calls   []client.StartWorkflowOptions
	types   []any
	down    bool
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, serviceerror.NewUnavailable("frontend unavailable")
	}
	f.calls = append(f.calls, o)
	f.types = append(f.types, wf)
	if f.started == nil {
		f.started = map[string]notify.DeliveryInput{}
	}
	if _, dup := f.started[o.ID]; dup {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow already started", "", "run-1")
	}
	f.started[o.ID] = args[0].(notify.DeliveryInput)
	return nil, nil
}

func notificationStatus(t *testing.T, db *gorm.DB, id string) string {
	t.Helper()
	var n models.Notification
	if err := db.Where("id = ?", id).Take(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n.Status
}

// TestDispatchersShareTheOutbox runs two dispatchers over one outbox at
// once: each pending notification gets exactly one workflow, duplicates
// count as success, and everything ends dispatched.
func TestDispatchersShareTheOutbox(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ids := []string{"n/a", "n/b", "n/c"}
		for _, id := range ids {
			enqueue(t, db, id, notify.KindReminder, notify.RecipientSpec{UnitCodes: []string{"20"}}, nil)
		}
		done := enqueue(t, db, "n/done", notify.KindReminder, notify.RecipientSpec{}, nil)
		db.Model(&done).Update("status", models.NotificationDelivered)

		temporal := &fakeTemporal{}
		template := notify.DeliveryInput{RetryWindow: 90 * time.Second}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &notify.Dispatcher{DB: db, Temporal: temporal, TaskQueue: "tq", Delivery: template}
				_, errs[i] = d.DispatchOnce(t.Context())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(temporal.started) != 3 {
			t.Fatalf("%d workflows started, want 3: %v", len(temporal.started), temporal.started)
		}
		for _, id := range ids {
			in, ok := temporal.started[notify.DeliveryWorkflowID(id, 0)]
			if !ok || in.NotificationID != id || in.RetryWindow != 90*time.Second {
				t.Errorf("workflow of %s: %+v, %v", id, in, ok)
			}
			if s := notificationStatus(t, db, id); s != models.NotificationDispatched {
				t.Errorf("%s status %q, want dispatched", id, s)
			}
		}
		for i, o := range temporal.calls {
			if o.TaskQueue != "tq" || o.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
				!o.WorkflowExecutionErrorWhenAlreadyStarted || temporal.types[i] != notify.DeliveryWorkflowType {
				t.Errorf("start options %+v type %v", o, temporal.types[i])
			}
		}
		if s := notificationStatus(t, db, "n/done"); s != models.NotificationDelivered {
			t.Errorf("finished notification became %q", s)
		}

		// A notification marked pending again (e.g. the dispatcher died
		// between start and mark) is re-dispatched without a second
		// workflow.
		db.Model(&models.Notification{}).Where("id = ?", "n/a").Update("status", models.NotificationPending)
		n, err := (&notify.Dispatcher{DB: db, Temporal: temporal}).DispatchOnce(t.Context())
		if err != nil || n != 1 || len(temporal.started) != 3 || notificationStatus(t, db, "n/a") != models.NotificationDispatched {
			t.Errorf("re-dispatch: n=%d err=%v started=%d", n, err, len(temporal.started))
		}

		// An admin's retry puts the notification in its next round: a new
		// workflow, under its own ID.
		db.Model(&models.Notification{}).Where("id = ?", "n/done").Updates(map[string]any{"status": models.NotificationPending, "round": 2})
		n, err = (&notify.Dispatcher{DB: db, Temporal: temporal}).DispatchOnce(t.Context())
		if _, ok := temporal.started["notify/n/done/retry-2"]; err != nil || n != 1 || !ok ||
			notificationStatus(t, db, "n/done") != models.NotificationDispatched {
			t.Errorf("retry round: n=%d err=%v started=%v", n, err, temporal.started)
		}
	})
}

// TestDispatcherTemporalDown leaves the outbox pending and reports the
// error; Run keeps going until its context ends.
func TestDispatcherTemporalDown(t *testing.T) {
	db := storetest.SQLite(t)
	enqueue(t, db, "n/x", notify.KindReminder, notify.RecipientSpec{}, nil)
	temporal := &fakeTemporal{down: true}
	d := &notify.Dispatcher{DB: db, Temporal: temporal, Interval: 10 * time.Millisecond}
	if _, err := d.DispatchOnce(t.Context()); err == nil {
		t.Fatal("DispatchOnce succeeded with Temporal down")
	}
	if s := notificationStatus(t, db, "n/x"); s != models.NotificationPending {
		t.Fatalf("status %q, want pending", s)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	temporal.mu.Lock()
	temporal.down = false
	temporal.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for notificationStatus(t, db, "n/x") != models.NotificationDispatched {
		if time.Now().After(deadline) {
			t.Fatal("Run did not dispatch after Temporal came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}
