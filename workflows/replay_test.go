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
// testdata/*.json are recorded with the current code (texts by ref,
// assignments at revision 3: commits pending until an ordinary task);
// testdata/v2-activity/ keeps those recorded with revision 2 (each
// Update's commit written by a regular activity at once);
// testdata/v2-texts/ keeps those recorded with revision 2 while item and
// report texts still travelled in the inputs and Updates, and testdata/v0/
// those recorded before the first workflow.GetVersion change (session 2),
// so the code paths old running workflows take stay covered.
func TestReplayHistories(t *testing.T) {
	for _, dir := range []string{"testdata", filepath.Join("testdata", "v2-activity"), filepath.Join("testdata", "v2-texts"), filepath.Join("testdata", "v0")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 4 {
			t.Fatalf("found %d recorded histories in %s, want at least 4; record them with "+
				"`go test -tags record -run TestRecordHistories ./workflows/`", len(files), dir)
		}
		for _, f := range files {
			t.Run(filepath.ToSlash(f), func(t *testing.T) {
				r := worker.NewWorkflowReplayer()
				wf.RegisterWorkflows(r)
				if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
					t.Fatalf("replay %s: %v", f, err)
				}
			})
		}
	}
}
