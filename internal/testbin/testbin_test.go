package testbin

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// TestNotInProduct checks that the binary does not link this package nor
// internal/fixtures: both are test support.
func TestNotInProduct(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "./cmd/tidtam")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/tidtam: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/tidtam/tidtam/internal/testbin" || pkg == "github.com/tidtam/tidtam/internal/fixtures" {
			t.Errorf("cmd/tidtam imports the test-support package %s", pkg)
		}
	}
}

func TestLockedBufferConcurrent(t *testing.T) {
	var b LockedBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if n := len(b.String()); n != 800 {
		t.Fatalf("%d bytes written, want 800", n)
	}
}

func TestFreePortsDistinct(t *testing.T) {
	ports := FreePorts(t, 5)
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: want 5 distinct ports", ports)
		}
		seen[p] = true
	}
}
