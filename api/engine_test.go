package api_test

import (
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/workflows"
)

// testQueue is the task queue of every test engine.
const testQueue = "tidtam-test"

// withEngine gives the harness a real Temporal server (in memory, started
// in process) and a worker running tidtam's directive and meeting
// workflows and activities against the harness database, so API tests
// exercise the whole path. extra registers more on the worker before it
// starts (e.g. the delivery activities) and may start helpers bound to the
// client. The app is rebuilt with a data directory kept in h.dataDir.
func (h *harness) withEngine(extra ...func(w worker.Worker, c client.Client)) client.Client {
	h.t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(devserver.Options{Logger: quiet})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = srv.Stop() })
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: sdkQuiet{}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(c.Close)
	w := worker.New(c, testQueue, workerOptions)
	workflows.Register(w, workflows.Activities{
		Directives: &activities.Activities{DB: h.db, Temporal: c, TaskQueue: testQueue, Logger: quiet},
		Meetings:   &activities.Meetings{DB: h.db},
	})
	for _, f := range extra {
		f(w, c)
	}
	if err := w.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(w.Stop)
	h.dataDir = h.t.TempDir()
	h.app = api.New(&api.Deps{DB: h.db, Temporal: c, TaskQueue: testQueue, Auth: &auth.Service{DB: h.db, SessionTTL: time.Hour},
		Logger: quiet, DataDir: h.dataDir, MaxUploadBytes: testMaxUpload})
	return c
}

// testMaxUpload is the per-file upload limit of test apps.
const testMaxUpload = 1 << 20

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count is storetest.Count.
var count = storetest.Count

type sdkQuiet struct{}

func (sdkQuiet) Debug(string, ...any) {}
func (sdkQuiet) Info(string, ...any)  {}
func (sdkQuiet) Warn(string, ...any)  {}
func (sdkQuiet) Error(string, ...any) {}

// workerOptions match cmd/tidtam's worker: more pollers than the SDK's
// default of two, because fan-out makes hundreds of short tasks at once.
var workerOptions = worker.Options{
	MaxConcurrentWorkflowTaskPollers: 8,
	MaxConcurrentActivityTaskPollers: 8,
}
