package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/internal/notify"
	wf "github.com/tidtam/tidtam/workflows"
)

// TestReplayMoreHistories replays the notification and meeting histories
// recorded by TestRecordMoreHistories (build tag "record", see
// record_more_test.go) against the current workflow code, each with the
// registration its worker uses: a change that would break running
// delivery, digest, meeting or series workflows fails here with a
// non-determinism error. Every file is required, both as recorded with the
// current code (testdata/more/) and as recorded before the first
// workflow.GetVersion change (testdata/more/v0/).
func TestReplayMoreHistories(t *testing.T) {
	delivery := func(r worker.WorkflowReplayer) { wf.RegisterDelivery(replayRegistry{r: r}, nil) }
	meetings := func(r worker.WorkflowReplayer) { wf.RegisterMeetings(replayRegistry{r: r}, nil) }
	for _, tc := range []struct {
		file, workflowType string
		register           func(worker.WorkflowReplayer)
	}{
		{"delivery.json", notify.DeliveryWorkflowType, delivery},
		{"digest.json", notify.DigestWorkflowType, delivery},
		{"meeting.json", wf.MeetingWorkflowType, meetings},
		{"meeting_series.json", wf.MeetingSeriesWorkflowType, meetings},
		{"meeting_series_continued.json", wf.MeetingSeriesWorkflowType, meetings},
	} {
		for _, dir := range []string{"more", filepath.Join("more", "v0")} {
			t.Run(filepath.ToSlash(filepath.Join(dir, tc.file)), func(t *testing.T) {
				f := filepath.Join("testdata", dir, tc.file)
				if _, err := os.Stat(f); err != nil {
					t.Fatalf("recorded history missing (%v); record it with "+
						"`go test -tags record -run TestRecordMoreHistories ./workflows/`", err)
				}
				h, err := client.HistoryFromJSON(mustOpen(t, f), client.HistoryJSONOptions{})
				if err != nil {
					t.Fatalf("read %s: %v", f, err)
				}
				if len(h.GetEvents()) < 5 {
					t.Fatalf("%s: %d events, want a real history", f, len(h.GetEvents()))
				}
				got := h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()
				if got != tc.workflowType {
					t.Fatalf("%s records a %q, want %q", f, got, tc.workflowType)
				}
				r := worker.NewWorkflowReplayer()
				tc.register(r)
				if err := r.ReplayWorkflowHistory(nil, h); err != nil {
					t.Fatalf("replay %s: %v", f, err)
				}
			})
		}
	}
}

// replayRegistry lets a replayer stand for the worker.Registry that
// RegisterDelivery and RegisterMeetings take: with nil activities they
// register workflows only, so the embedded nil Registry (activities, Nexus)
// is never called.
type replayRegistry struct {
	worker.Registry
	r worker.WorkflowReplayer
}

func (g replayRegistry) RegisterWorkflow(w any) { g.r.RegisterWorkflow(w) }

func (g replayRegistry) RegisterWorkflowWithOptions(w any, o workflow.RegisterOptions) {
	g.r.RegisterWorkflowWithOptions(w, o)
}

func (g replayRegistry) RegisterDynamicWorkflow(w any, o workflow.DynamicRegisterOptions) {
	g.r.RegisterDynamicWorkflow(w, o)
}

func mustOpen(t *testing.T, f string) *os.File {
	t.Helper()
	r, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
