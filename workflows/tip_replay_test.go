package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	wf "github.com/tidtam/tidtam/workflows"
)

// TestReplayTipHistories replays the tip workflows' histories recorded by
// TestRecordTipHistories (build tag "record") against the current code: a
// change that would break running tip workflows fails here.
func TestReplayTipHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "tips", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d tip histories, want 2; record them with `go test -tags record -run TestRecordTipHistories ./workflows/`", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			wf.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
