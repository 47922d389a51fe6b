package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/tidtam/tidtam/internal/notify"
	wf "github.com/tidtam/tidtam/workflows"
)

// TestReplayMoreHistories replays the notification and meeting histories
// recorded by TestRecordMoreHistories (build tag "record", see
// record_more_test.go) against the current workflow code, registered as a
// worker registers it: a change that would break running delivery, digest,
// meeting or series workflows fails here with a non-determinism error.
// Every file is required: as recorded with the current code
// (testdata/notify_meetings/), while the minutes still travelled in the
// Update (testdata/notify_meetings/v1-texts/), and before the first
// workflow.GetVersion change (testdata/notify_meetings/v0/).
func TestReplayMoreHistories(t *testing.T) {
	for _, tc := range []struct{ file, workflowType string }{
		{"delivery.json", notify.DeliveryWorkflowType},
		{"digest.json", notify.DigestWorkflowType},
		{"meeting.json", wf.MeetingWorkflowType},
		{"meeting_series.json", wf.MeetingSeriesWorkflowType},
		{"meeting_series_continued.json", wf.MeetingSeriesWorkflowType},
	} {
		for _, dir := range []string{notifyMeetingsDir, filepath.Join(notifyMeetingsDir, "v1-texts"), filepath.Join(notifyMeetingsDir, "v0")} {
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
				wf.RegisterWorkflows(r)
				if err := r.ReplayWorkflowHistory(nil, h); err != nil {
					t.Fatalf("replay %s: %v", f, err)
				}
			})
		}
	}
}

// notifyMeetingsDir is the folder under testdata holding the notification
// (delivery, digest) and meeting (series, meeting) histories.
const notifyMeetingsDir = "notify_meetings"

func mustOpen(t *testing.T, f string) *os.File {
	t.Helper()
	r, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
