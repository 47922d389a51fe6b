package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/models"
)

// WorkflowStarter is the part of client.Client the Dispatcher uses.
type WorkflowStarter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// Defaults of Dispatcher.
const (
	DefaultDispatchInterval = time.Second
	DefaultDispatchBatch    = 100
)

// Dispatcher moves the notification outbox into Temporal: every Interval
// it reads up to Batch pending notifications, oldest first, starts a
// DeliveryWorkflow for each and marks it dispatched.
//
// Several dispatchers (one per worker process) may run at once without
// any locking: the workflow ID DeliveryWorkflowID(id, round) with the
// REJECT_DUPLICATE reuse policy lets only one workflow ever exist per
// notification and round, a start that finds it already there counts as success,
// and marking is conditional on the row still being pending.
type Dispatcher struct {
	DB       *gorm.DB
	Temporal WorkflowStarter
	// TaskQueue of the delivery workflows; empty means "tidtam".
	TaskQueue string
	// Delivery is the template of every DeliveryInput (its NotificationID
	// is filled in): the retry window and intervals.
	Delivery DeliveryInput
	Interval time.Duration
	Batch    int
	Logger   *slog.Logger
}

// Run dispatches until ctx ends, then returns nil. Errors (database or
// Temporal unreachable) are logged and retried at the next tick.
func (d *Dispatcher) Run(ctx context.Context) error {
	interval := d.Interval
	if interval <= 0 {
		interval = DefaultDispatchInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := d.DispatchOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			d.log().Warn("notification dispatch failed; retrying", "error", err)
		case n > 0:
			d.log().Debug("notifications dispatched", "count", n)
		}
		// A full batch means more may be waiting: go on at once.
		if err == nil && n >= d.batch() {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (d *Dispatcher) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return DefaultDispatchBatch
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

// DispatchOnce starts the delivery workflows of one batch of pending
// notifications and returns how many it dispatched. It stops at the first
// error, leaving the rest pending for the next call.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	if d.DB == nil || d.Temporal == nil {
		return 0, errors.New("notify: dispatcher needs DB and Temporal")
	}
	var rows []struct {
		ID    string
		Round int
	}
	if err := d.DB.WithContext(ctx).Model(&models.Notification{}).Select("id", "round").
		Where("status = ?", models.NotificationPending).
		Order("created_at").Order("id").Limit(d.batch()).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("notify: read outbox: %w", err)
	}
	tq := d.TaskQueue
	if tq == "" {
		tq = "tidtam"
	}
	done := 0
	for _, row := range rows {
		id := row.ID
		in := d.Delivery
		in.NotificationID = id
		in.Revision = DeliveryRevision
		_, err := d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    DeliveryWorkflowID(id, row.Round),
			TaskQueue:             tq,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			// Report a running or finished workflow as an error so that
			// it is recognised below rather than silently joined.
			WorkflowExecutionErrorWhenAlreadyStarted: true,
		}, DeliveryWorkflowType, in)
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if err != nil && !errors.As(err, &already) {
			return done, fmt.Errorf("notify: start delivery of %s: %w", id, err)
		}
		if err := d.DB.WithContext(ctx).Model(&models.Notification{}).
			Where("id = ? AND status = ? AND round = ?", id, models.NotificationPending, row.Round).
			Update("status", models.NotificationDispatched).Error; err != nil {
			return done, fmt.Errorf("notify: mark %s dispatched: %w", id, err)
		}
		done++
	}
	return done, nil
}
