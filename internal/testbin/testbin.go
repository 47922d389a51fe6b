// Package testbin runs the built tidtam binary for the tests of
// internal/e2e and the benchmarks of bench/: it builds ./cmd/tidtam, starts
// it as a child process with its output captured, stops it, and waits for
// its /readyz. It is test support only: nothing in the product imports it
// (its own test checks that cmd/tidtam does not).
package testbin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LockedBuffer is a bytes.Buffer safe for concurrent use: the goroutine
// exec starts copies a child's output into it while a test reads it. The
// zero value is ready to use.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it never fails.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// RepoRoot walks up from the working directory to the folder holding
// go.mod, and returns it; an error when there is none.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("no go.mod above " + wd)
		}
	}
}

// Build compiles ./cmd/tidtam of the module in root into dir/tidtam
// (`go build`) and returns the binary's path. The error of a failed build
// carries the compiler's output.
func Build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "tidtam")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tidtam")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/tidtam: %v\n%s", err, out)
	}
	return bin, nil
}

// FreePorts returns n distinct free TCP ports on 127.0.0.1, or fails tb.
// The listeners are held until all are chosen so no port is returned
// twice.
func FreePorts(tb testing.TB, n int) []int {
	tb.Helper()
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("finding a free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// Process is a child process started by Start. Name labels it in messages;
// Cmd is the running command (its Process and, once exited, ProcessState);
// Out holds its stdout and stderr.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Out  *LockedBuffer

	done    chan struct{} // closed when the process has exited
	waitErr error         // valid after done
}

// Start starts bin with args and env in a new temporary working directory,
// or fails tb. Its output is logged when tb has failed by the end, and it
// is killed when tb ends (for a test with a deadline also shortly before
// the test binary's -timeout, so no child outlives a hung test).
func Start(tb testing.TB, name, bin string, env []string, args ...string) *Process {
	tb.Helper()
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			ctx, cancel = context.WithDeadline(ctx, dl.Add(-10*time.Second))
		}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Dir = tb.TempDir()
	p := &Process{Name: name, Cmd: cmd, Out: &LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		cancel()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("──── output of %s (%s) ────\n%s", name, strings.Join(args, " "), p.Out.String())
		}
	})
	return p
}

// Err is how the process ended (exec.Cmd.Wait's error): nil while it runs
// and after a clean exit.
func (p *Process) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.waitErr
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Stop sends SIGTERM and waits up to grace; it kills the process after
// that. It reports whether the process ended on its own in time.
func (p *Process) Stop(grace time.Duration) bool {
	if p.Exited() {
		return true
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return true
	case <-time.After(grace):
		p.Kill()
		return false
	}
}

// Wait waits up to timeout for the process to exit by itself; exited is
// false when it still runs, err is Err.
func (p *Process) Wait(timeout time.Duration) (exited bool, err error) {
	select {
	case <-p.done:
		return true, p.waitErr
	case <-time.After(timeout):
		return false, nil
	}
}

// Printed reports whether the process's output contains s within timeout.
// Output reaches the buffer through a pipe copied by another goroutine, so
// a line the child wrote before answering a request may arrive a moment
// after the answer.
func (p *Process) Printed(s string, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		if strings.Contains(p.Out.String(), s) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// readyClient sends the /readyz polls.
var readyClient = &http.Client{Timeout: 10 * time.Second}

// WaitReady polls GET base+"/readyz" every interval until it answers 200
// {"status":"ok"}, and returns the time from the call to that answer. It
// fails tb when the process exits first or timeout passes (with the last
// answer).
func (p *Process) WaitReady(tb testing.TB, base string, timeout, interval time.Duration) time.Duration {
	tb.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	last := "no answer yet"
	for time.Now().Before(deadline) {
		if p.Exited() {
			tb.Fatalf("%s exited before %s/readyz answered: %v", p.Name, base, p.waitErr)
		}
		resp, err := readyClient.Get(base + "/readyz")
		if err != nil {
			last = err.Error()
		} else {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var st struct{ Status string }
			if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &st) == nil && st.Status == "ok" {
				took := time.Since(start)
				tb.Logf("%s ready after %v", p.Name, took.Round(10*time.Millisecond))
				return took
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(body))
		}
		time.Sleep(interval)
	}
	tb.Fatalf("%s/readyz did not answer 200 {\"status\":\"ok\"} within %v; last answer: %s", base, timeout, last)
	return 0
}
