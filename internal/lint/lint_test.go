package lint

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s failed: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// TestGoVet runs go vet over the whole module.
func TestGoVet(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
	run(t, "go", "vet", "./...")
}

// TestWorkflowCheck runs Temporal's workflowcheck over the workflow code:
// any call that could make a replay diverge (time.Now, goroutines, map
// ranges, I/O, …) fails CI. The tool is pinned in go.mod's tool block.
func TestWorkflowCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: skipped with -short")
	}
	run(t, "go", "tool", "workflowcheck", "./workflows/...")
}

// TestGofmt fails on unformatted Go files.
func TestGofmt(t *testing.T) {
	cmd := exec.Command("gofmt", "-l", ".")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gofmt: %v\n%s", err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Fatalf("gofmt would reformat:\n%s", s)
	}
}
