//go:build fault

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/testbin"
)

// r45PGBinDir holds the PostgreSQL server binaries the fault tests run a
// private cluster with (Debian's postgresql-15 package).
const r45PGBinDir = "/usr/lib/postgresql/15/bin"

// r45PG is a private PostgreSQL cluster of one test: its own data
// directory, port and socket directory, trust authentication for user
// postgres, 127.0.0.1 only. Unlike the shared test server on :5432 it may
// be stopped and started at will. It is stopped (immediate mode) and its
// files removed when the test ends.
type r45PG struct {
	t       *testing.T
	root    string // temp dir owned by the cluster's OS user
	data    string
	sock    string
	logFile string
	port    int
	asUser  string // OS user the server runs as; "" for the current one
}

// r45StartPostgres creates and starts a private cluster with a database
// named db, or skips the test when the PostgreSQL binaries are absent. Run
// as root (postgres refuses to), the server runs as the OS user postgres.
func r45StartPostgres(t *testing.T, db string) *r45PG {
	t.Helper()
	for _, b := range []string{"initdb", "pg_ctl", "postgres", "createdb"} {
		if _, err := os.Stat(filepath.Join(r45PGBinDir, b)); err != nil {
			t.Skipf("needs the PostgreSQL 15 server binaries in %s (apt-get install postgresql-15): %v", r45PGBinDir, err)
		}
	}
	p := &r45PG{t: t, port: testbin.FreePorts(t, 1)[0]}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			t.Skipf("running as root needs an OS user postgres to run the private PostgreSQL as: %v", err)
		}
		p.asUser = "postgres"
	}
	// Not t.TempDir(): its parent is private to root, and the server runs
	// as another user. /tmp (or $TMPDIR) is world-traversable.
	root, err := os.MkdirTemp("", "tidtam-r45-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	p.root, p.data, p.sock, p.logFile = root, filepath.Join(root, "data"), filepath.Join(root, "sock"), filepath.Join(root, "postgres.log")
	if err := os.Mkdir(p.sock, 0o700); err != nil {
		t.Fatal(err)
	}
	if p.asUser != "" {
		out, err := exec.Command("chown", "-R", p.asUser+":", root).CombinedOutput()
		if err != nil {
			t.Fatalf("chown %s to %s: %v\n%s", root, p.asUser, err, out)
		}
	}
	start := time.Now()
	if out, err := p.run(2*time.Minute, "initdb", "-D", p.data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := p.run(time.Minute, "pg_ctl", "stop", "-D", p.data, "-m", "immediate", "-w"); err != nil &&
			!strings.Contains(string(out), "no server running") && !strings.Contains(string(out), "PID file") {
			t.Logf("stopping the private PostgreSQL: %v\n%s", err, out)
		}
		if t.Failed() {
			if b, err := os.ReadFile(p.logFile); err == nil {
				t.Logf("──── private PostgreSQL log (last 4 KiB) ────\n%s", r45Tail(b, 4096))
			}
		}
	})
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if out, err := p.run(time.Minute, "createdb", "-h", p.sock, "-p", strconv.Itoa(p.port), "-U", "postgres", db); err != nil {
		t.Fatalf("createdb %s: %v\n%s", db, err, out)
	}
	t.Logf("private PostgreSQL 15 on 127.0.0.1:%d ready in %v (data %s)", p.port, time.Since(start).Round(10*time.Millisecond), p.data)
	return p
}

// URL is the libpq URL of database db on the cluster.
func (p *r45PG) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// Start starts the server and waits until it accepts connections.
func (p *r45PG) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=100", p.port, p.sock)
	if out, err := p.run(2*time.Minute, "pg_ctl", "start", "-D", p.data, "-l", p.logFile, "-w", "-t", "90", "-o", opts); err != nil {
		b, _ := os.ReadFile(p.logFile)
		return fmt.Errorf("pg_ctl start: %v\n%s\nlog:\n%s", err, out, r45Tail(b, 2048))
	}
	return nil
}

// Stop stops the server in the given pg_ctl mode (smart, fast, immediate)
// and waits until it is gone.
func (p *r45PG) Stop(mode string) error {
	if out, err := p.run(2*time.Minute, "pg_ctl", "stop", "-D", p.data, "-m", mode, "-w", "-t", "90"); err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %v\n%s", mode, err, out)
	}
	return nil
}

// run runs one of the cluster's binaries as the cluster's OS user.
func (p *r45PG) run(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	bin := filepath.Join(r45PGBinDir, name)
	var cmd *exec.Cmd
	if p.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", p.asUser, "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir = p.root
	// Only what the binaries need: no PG* variable of the caller's shell.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "LC_ALL=C"}
	// pg_ctl start leaves the server running with its output in the log
	// file; stdout is read to EOF only from pg_ctl itself.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

// r45Tail returns the last n bytes of b.
func r45Tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
