//go:build bench

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/refdata"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/models"
)

// BenchmarkP4P5Binary builds the real binary (`go build ./cmd/tidtam`) and
// runs it as a subprocess (`tidtam serve`, embedded Temporal in a SQLite
// file):
//
//   - P4: imports the 928 districts and 10 synthetic sub-district units per
//     district, issues the MOI letter with items ๒–๕ also addressed to the
//     synthetic units (10,235 open assignments), waits until every assignment
//     is persisted, and reads the subprocess's peak RSS (VmHWM) and current
//     RSS from /proc/<pid>/status.
//   - P5: stops it with SIGTERM and starts it again on the same data
//     TIDTAM_BENCH_RESTARTS times (default 3), timing exec → first
//     GET /readyz 200 (polled every 10 ms).
func BenchmarkP4P5Binary(b *testing.B) {
	root, err := testbin.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	bin, err := testbin.Build(root, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	restarts := 3
	if v := os.Getenv("TIDTAM_BENCH_RESTARTS"); v != "" {
		restarts, _ = strconv.Atoi(v)
	}
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			dir := b.TempDir()
			envv := append(os.Environ(),
				"TIDTAM_DATA_DIR="+dir, "TIDTAM_ADMIN_PASSWORD="+adminPassword,
				"TIDTAM_EMBEDDED_TEMPORAL_PORT=0", "TIDTAM_LOG_LEVEL=warn")
			dbURL := "sqlite:" + filepath.Join(dir, "tidtam.db")
			if kind == "postgres" {
				dbURL = storetest.PostgresURL(b)
				envv = append(envv, "TIDTAM_DATABASE_URL="+dbURL)
			}
			port := testbin.FreePorts(b, 1)[0]
			base := "http://127.0.0.1:" + strconv.Itoa(port)
			envv = append(envv, "TIDTAM_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port))
			// TIDTAM_BENCH_PPROF_DIR: also save the subprocess's heap and
			// goroutine profiles there once the fan-out has settled.
			profDir := os.Getenv("TIDTAM_BENCH_PPROF_DIR")
			pprofBase := ""
			if profDir != "" {
				pp := strconv.Itoa(testbin.FreePorts(b, 1)[0])
				envv = append(envv, "TIDTAM_PPROF_ADDR=127.0.0.1:"+pp)
				pprofBase = "http://127.0.0.1:" + pp + "/debug/pprof/"
			}
			runCmd := func(args ...string) {
				c := exec.Command(bin, args...)
				c.Env = envv
				if out, err := c.CombinedOutput(); err != nil {
					b.Fatalf("tidtam %v: %v\n%s", args, err, out)
				}
			}
			runCmd("migrate")
			synth, codes := syntheticCSV(b, 10)
			runCmd("import", "units", synth)

			p := startServe(b, bin, envv, base)
			hc := &http.Client{Timeout: 60 * time.Second}
			call := func(method, path, token string, body any) (int, map[string]any) {
				var r io.Reader
				if body != nil {
					buf, _ := json.Marshal(body)
					r = bytes.NewReader(buf)
				}
				req, _ := http.NewRequest(method, base+path, r)
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := hc.Do(req)
				if err != nil {
					b.Fatalf("%s %s: %v", method, path, err)
				}
				defer res.Body.Close()
				raw, _ := io.ReadAll(res.Body)
				var m map[string]any
				_ = json.Unmarshal(raw, &m)
				return res.StatusCode, m
			}
			st, m := call("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": adminPassword})
			if st != 200 {
				b.Fatalf("login: %d %v", st, m)
			}
			tok := m["token"].(string)
			pid := strconv.Itoa(p.Cmd.Process.Pid)
			idleRSS := procStatusKB(pid, "VmRSS")
			blog(b, "load before issue: %s; idle RSS %d MB", loadavg(), idleRSS/1024)
			if st, m = call("PUT", "/api/v1/target-sets/bench-synth", tok, map[string]any{"name_th": "หน่วยทดสอบ", "name_en": "bench", "members": codes}); st != 200 && st != 201 {
				b.Fatalf("target set: %d %v", st, m)
			}
			t0 := time.Now()
			st, m = call("POST", "/api/v1/directives", tok, moiLetter("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", "bench-synth"))
			if st != 202 {
				b.Fatalf("issue: %d %v", st, m)
			}
			id := m["id"].(string)
			units := m["units_total"].(float64)
			for {
				st, m = call("GET", "/api/v1/directives/"+id, tok, nil)
				if st == 200 {
					if pr, ok := m["progress"].(map[string]any); ok && pr["units"].(float64) >= units {
						break
					}
				}
				if time.Since(t0) > 40*time.Minute {
					b.Fatalf("fan-out not finished: %v", m["progress"])
				}
				time.Sleep(500 * time.Millisecond)
			}
			fan := time.Since(t0)
			hwm, rss := procStatusKB(pid, "VmHWM"), procStatusKB(pid, "VmRSS")
			time.Sleep(10 * time.Second) // settle: timers armed, caches full
			rss2 := procStatusKB(pid, "VmRSS")
			if pprofBase != "" {
				for name, prof := range map[string]string{"heap.pprof": "heap?gc=1", "goroutine.pprof": "goroutine",
					"memstats.txt": "heap?debug=1"} {
					saveURL(b, pprofBase+prof, filepath.Join(profDir, "p4-"+kind+"-"+name))
				}
			}
			blog(b, "P4 %s: %0.f open assignments persisted in %.1fs (%.0f units/s); subprocess VmHWM %d MB (target ≤ 400 MB), VmRSS %d MB at end, %d MB 10 s later; load %s",
				kind, units, fan.Seconds(), units/fan.Seconds(), hwm/1024, rss/1024, rss2/1024, loadavg())
			b.ReportMetric(float64(hwm)/1024, "peakRSS_MB")
			b.ReportMetric(fan.Seconds(), "fanout_s")
			// P5 measures a start on data at rest: first let the fan-out's
			// 10,235 "assigned" notices be delivered, or the restart would
			// also be resuming that backlog (up to 1.6 s more in one run).
			drained := waitOutboxDrained(b, dbURL, 20*time.Minute)
			blog(b, "notification backlog delivered %.0fs after the fan-out; load %s", drained.Seconds(), loadavg())
			stopServe(p)

			var starts []float64
			for i := range restarts {
				blog(b, "load before restart %d: %s", i, loadavg())
				t := time.Now()
				p := startServe(b, bin, envv, base)
				d := time.Since(t)
				starts = append(starts, d.Seconds())
				rssR := procStatusKB(strconv.Itoa(p.Cmd.Process.Pid), "VmRSS")
				blog(b, "P5 %s restart %d: exec → /readyz 200 in %.2fs (target ≤ 2 s), RSS %d MB", kind, i, d.Seconds(), rssR/1024)
				stopServe(p)
			}
			sort.Float64s(starts)
			blog(b, "P5 %s: median %.2fs, max %.2fs over %d restarts with %0.f assignments; load %s", kind, starts[len(starts)/2], starts[len(starts)-1], len(starts), units, loadavg())
			b.ReportMetric(starts[len(starts)/2], "startup_median_s")
		})
	}
}

// syntheticCSV writes perDistrict "other" units below every district in the
// reference file, in the generic import format.
func syntheticCSV(tb testing.TB, perDistrict int) (string, []string) {
	raw := refdata.File(refdata.DistrictsFile)
	var sb strings.Builder
	sb.WriteString("code,type,parent_code,name_th,name_en\n")
	var codes []string
	for i, line := range strings.Split(strings.TrimPrefix(string(raw), "\ufeff"), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		if i == 0 || len(f) < 2 || f[0] == "" {
			continue
		}
		for k := 1; k <= perDistrict; k++ {
			code := fmt.Sprintf("%s%02d", f[0], k)
			fmt.Fprintf(&sb, "%s,other,%s,ตำบลทดสอบ %s,Bench %s\n", code, f[0], code, code)
			codes = append(codes, code)
		}
	}
	p := filepath.Join(tb.TempDir(), "synthetic.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p, codes
}

// startServe starts `tidtam serve` and waits until its /readyz answers 200,
// polled every 10 ms (the P5 start-up time is measured around it); it logs
// the start-up line the binary prints.
func startServe(tb testing.TB, bin string, envv []string, base string) *testbin.Process {
	tb.Helper()
	p := testbin.Start(tb, "tidtam serve", bin, envv, "serve")
	p.WaitReady(tb, base, 3*time.Minute, 10*time.Millisecond)
	for _, line := range strings.Split(p.Out.String(), "\n") {
		if strings.Contains(line, "(ready) in") {
			tb.Logf("binary says: %s", strings.TrimSpace(line))
		}
	}
	return p
}

// stopServe sends SIGTERM and kills the process if it has not ended 30 s
// later.
func stopServe(p *testbin.Process) { p.Stop(30 * time.Second) }

// saveURL writes the body of GET url to file (a profile for later `go tool
// pprof`); failures are logged, not fatal: the measurement stands without.
func saveURL(b *testing.B, url, file string) {
	res, err := http.Get(url)
	if err != nil {
		blog(b, "GET %s: %v", url, err)
		return
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err == nil {
		err = os.WriteFile(file, raw, 0o644)
	}
	if err != nil {
		blog(b, "saving %s: %v", file, err)
		return
	}
	blog(b, "saved %s (%d bytes)", file, len(raw))
}

// waitOutboxDrained polls the app database at dbURL until no notification
// is pending or dispatched (every delivery workflow has finished), or
// timeout passes, and returns how long it waited.
func waitOutboxDrained(b *testing.B, dbURL string, timeout time.Duration) time.Duration {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatalf("open %s: %v", dbURL, err)
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	t0 := time.Now()
	for {
		var n int64
		err := db.Model(&models.Notification{}).
			Where("status IN ?", []string{models.NotificationPending, models.NotificationDispatched}).
			Count(&n).Error
		if err == nil && n == 0 {
			return time.Since(t0)
		}
		if time.Since(t0) > timeout {
			blog(b, "notifications still undelivered after %s: %d (%v)", timeout, n, err)
			return time.Since(t0)
		}
		time.Sleep(2 * time.Second)
	}
}
