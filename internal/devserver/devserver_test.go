package devserver_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/internal/devserver"
)

func waitThirtyDays(ctx workflow.Context) error {
	return workflow.Sleep(ctx, 30*24*time.Hour)
}

func start(t *testing.T, file string) (*devserver.Server, client.Client) {
	t.Helper()
	srv, err := devserver.Start(devserver.Options{DatabaseFile: file, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: slogAdapter{}})
	if err != nil {
		srv.Stop()
		t.Fatalf("dial: %v", err)
	}
	return srv, c
}

// TestStateSurvivesRestart starts a workflow on a 30-day timer, stops the
// server, starts a new one on the same file and finds the workflow still
// running with its timer pending.
func TestStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "temporal.db")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	srv, c := start(t, file)
	w := worker.New(c, "q", worker.Options{})
	w.RegisterWorkflow(waitThirtyDays)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "wait-30d", TaskQueue: "q"}, waitThirtyDays)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the timer is recorded, so the restart tests durable state.
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
		if err == nil && d.WorkflowExecutionInfo.GetHistoryLength() >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timer never started: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.Stop()
	c.Close()
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	srv2, c2 := start(t, file)
	defer srv2.Stop()
	defer c2.Close()
	d, err := c2.DescribeWorkflowExecution(ctx, "wait-30d", "")
	if err != nil {
		t.Fatalf("describe after restart: %v", err)
	}
	if st := d.WorkflowExecutionInfo.GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status after restart = %v, want running", st)
	}
	if n := len(d.GetPendingActivities()); n != 0 {
		t.Fatalf("unexpected pending activities: %d", n)
	}
}

// slogAdapter silences the SDK client's logs in tests.
type slogAdapter struct{}

func (slogAdapter) Debug(string, ...any) {}
func (slogAdapter) Info(string, ...any)  {}
func (slogAdapter) Warn(string, ...any)  {}
func (slogAdapter) Error(string, ...any) {}
