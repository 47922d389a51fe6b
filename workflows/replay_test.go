package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	wf "github.com/tidtam/tidtam/workflows"
)

// TestReplayHistories replays the histories recorded by TestRecordHistories
// (build tag "record") against the current workflow code: a change that
// would break running workflows fails here with a non-determinism error.
func TestReplayHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d recorded histories in testdata, want at least 4; record them with "+
			"`go test -tags record -run TestRecordHistories ./workflows/`", len(files))
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
