//go:build bench

package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"golang.org/x/crypto/argon2"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// p9Clients is the concurrency issue #15 sets its intake target at.
const p9Clients = 32

// p9Tips is how many tips P9 sends: TIDTAM_BENCH_P9_TIPS (e.g. 20 for a
// quick check that it runs), default 3,200 (100 per client).
func p9Tips(tb testing.TB) int {
	v := os.Getenv("TIDTAM_BENCH_P9_TIPS")
	if v == "" {
		return 3200
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("TIDTAM_BENCH_P9_TIPS=%q: want a positive number", v)
	}
	return n
}

// newTipEnv is newEnv with the tips domain wired as `tidtam serve` wires
// it — the officers' TipWorkflow started for each tip, its activities on
// the worker — except that the submission throttle is raised
// (tips.Deps.Submissions) so that 32 clients on one loopback address are
// not throttled.
func newTipEnv(tb testing.TB, kind string) *env {
	tb.Helper()
	ctx := context.Background()
	db := dbFor(tb, kind)
	if err := store.SeedReferenceUnits(ctx, db); err != nil {
		tb.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(devserver.Options{DatabaseFile: filepath.Join(tb.TempDir(), "temporal.db"), Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Stop() })
	tc, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(), Logger: sdkQuiet{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(tc.Close)
	w := worker.New(tc, queue, workerOptions)
	workflows.Register(w, workflows.Activities{Directives: &activities.Activities{DB: db, Temporal: tc, TaskQueue: queue, Logger: quiet},
		Tips: &activities.Tips{DB: db}})
	w.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: "BenchEmpty"})
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Stop)
	key, _, err := tips.LoadKey("", tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	svc := tips.NewService(tips.Deps{DB: db, Key: key, Logger: quiet, Temporal: tc, TaskQueue: queue,
		Submissions: tips.NewThrottle(time.Nanosecond, 1<<30, nil)})
	app := api.New(&api.Deps{DB: db, Temporal: tc, TaskQueue: queue, Auth: &auth.Service{DB: db, SessionTTL: 12 * time.Hour},
		Logger: quiet, DataDir: tb.TempDir(), MaxUploadBytes: 20 << 20, Tips: svc})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	tb.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &env{tb: tb, db: db, tc: tc, base: "http://" + ln.Addr().String(),
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
}

// argon2idReceipt is the receipt hash's work (internal/tips/key.go:
// argon2id, 64 KiB, 3 passes, 1 thread, 32-byte key), for measuring its
// cost alone.
func argon2idReceipt() {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	_ = argon2.IDKey([]byte("12345678901234567890"), salt, 3, 64, 1, 32)
}

// BenchmarkP9TipIntake measures the informant's submission (issue #15:
// ≥ 200 tips/s, p99 ≤ 100 ms at 32 clients): POST /api/v1/tips with a JSON
// tip, each with its own submission_id, from 32 concurrent clients —
// validation, the receipt's argon2id hash, sealing and the tips row; the
// tip's TipWorkflow is started in the background after the commit, and the
// benchmark waits until every one is started and reports how long that
// took after the burst — against, in the same run on the same
// server, (1) the receipt hash alone (argon2id, one at a time and on 32
// goroutines: the ceiling the CPU allows) and (2) raw starts of as many
// empty workflows at the same concurrency (the engine's part). The intake
// runs twice: closed loop (each client sends its next tip when the last is
// answered: the most it takes; by Little's law its latency is at least 32
// ÷ throughput) and open loop (p9Rate tips a second arrive on schedule
// over the same 32 clients for p9OpenSeconds; latency from the scheduled
// arrival). Every tip is checked stored once, and the benchmark waits
// until every tip's workflow is started.
// p9Rate and p9OpenSeconds are the open-loop phase of P9: the tips
// arriving per second (the 200) and for how long.
const (
	p9Rate        = 200.0
	p9OpenSeconds = 10.0
)

func BenchmarkP9TipIntake(b *testing.B) {
	n := p9Tips(b)
	for _, kind := range kinds() {
		b.Run(kind, func(b *testing.B) {
			e := newTipEnv(b, kind)
			ctx := context.Background()
			var provinces []string
			if err := e.db.Model(&models.Unit{}).Where("type = ?", models.UnitProvince).Order("code").Pluck("code", &provinces).Error; err != nil || len(provinces) == 0 {
				b.Fatalf("provinces: %v", err)
			}
			// Warm up: connections, the first workflow start.
			e.must("POST", "/api/v1/tips", "", map[string]any{"province_code": provinces[0], "text": "warm-up", "submission_id": "p9-warm"}, 201)

			// (1) argon2id alone.
			const hashes = 16
			h0 := time.Now()
			for range hashes {
				argon2idReceipt()
			}
			hashOne := time.Since(h0) / hashes
			h0 = time.Now()
			parallel(hashes*4, p9Clients, func(int) { argon2idReceipt() })
			hashRate := float64(hashes*4) / time.Since(h0).Seconds()
			blog(b, "P9 %s argon2id receipt hash: %.1f ms one at a time, %.0f/s on %d goroutines (GOMAXPROCS %d): the intake's CPU ceiling",
				kind, ms(hashOne), hashRate, p9Clients, runtime.GOMAXPROCS(0))

			// tidtam intake over HTTP.
			blog(b, "load before the intake: %s", loadavg())
			var mu sync.Mutex
			var lat latencies
			fails := 0
			// submit sends tip i of phase and records how long it took
			// from since (its scheduled time in the open-loop phase).
			submit := func(phase string, i int, since time.Time, into *latencies) {
				body := map[string]any{"province_code": provinces[i%len(provinces)], "officials_involved": i%10 == 0,
					"text": fmt.Sprintf("เบาะแสที่ %d: มีการขายยาบ้าบริเวณตลาด ช่วงค่ำทุกวัน", i),
					"when": "ทุกคืน", "submission_id": fmt.Sprintf("p9-%s-%s-%d", kind, phase, i)}
				res, err := e.do("POST", "/api/v1/tips", "", body)
				d := time.Since(since)
				mu.Lock()
				defer mu.Unlock()
				if err != nil || res.Status != 201 || len(res.Body["receipt"].(string)) != tips.ReceiptDigits {
					fails++
					if fails < 3 {
						blog(b, "submit failed: %v %d %.300s", err, res.Status, res.Raw)
					}
					return
				}
				*into = append(*into, d)
			}
			// drain waits until every stored tip's workflow is started
			// (in the background after each commit) and has written its
			// first commit (version 1: its first task ran), so the engine
			// has caught up, and says how long that took after the burst.
			drain := func(want int64) time.Duration {
				d0 := time.Now()
				caughtUp := func() int64 { return e.count(&models.Tip{}, "workflow_started = ? AND version >= 1", true) }
				for caughtUp() < want && time.Since(d0) < 5*time.Minute {
					time.Sleep(100 * time.Millisecond)
				}
				if all := caughtUp(); all != want {
					b.Fatalf("%d of %d tips' workflows started and committed 5 minutes after the burst", all, want)
				}
				return time.Since(d0)
			}

			// Closed loop: 32 clients, each sending its next tip as soon
			// as the last is answered — the most the intake takes.
			t0 := time.Now()
			parallel(n, p9Clients, func(i int) { submit("closed", i, time.Now(), &lat) })
			wall := time.Since(t0)
			rate := float64(len(lat)) / wall.Seconds()
			if got := e.count(&models.Tip{}, ""); got != int64(n+1) {
				b.Fatalf("%d tips stored after %d submissions (and the warm-up), want %d", got, n, n+1)
			}
			started := e.count(&models.Tip{}, "workflow_started = ?", true)
			drained := drain(int64(n + 1))

			// Open loop: tips arrive at p9Rate a second whether or not
			// earlier ones were answered, spread over 32 clients; each
			// latency counts from the tip's scheduled arrival, so a
			// backlog shows (no coordinated omission).
			blog(b, "load before the open-loop intake: %s", loadavg())
			openN := int(p9Rate * p9OpenSeconds)
			var olat latencies
			o0 := time.Now()
			parallel(openN, p9Clients, func(i int) {
				at := o0.Add(time.Duration(float64(i) / p9Rate * float64(time.Second)))
				time.Sleep(time.Until(at))
				submit("open", i, at, &olat)
			})
			owall := time.Since(o0)
			if got := e.count(&models.Tip{}, ""); got != int64(n+1+openN) {
				b.Fatalf("%d tips stored after %d more submissions, want %d", got, openN, n+1+openN)
			}
			odrained := drain(int64(n + 1 + openN))
			blog(b, "P9 %s open loop %.0f tips/s offered for %.0f s on %d clients: answered %d in %.1fs, p50 %.1fms p99 %.1fms, max %.1fms; all workflows started and first-committed %.1fs after the last tip | load %s",
				kind, p9Rate, p9OpenSeconds, p9Clients, len(olat), owall.Seconds(), ms(olat.pct(0.5)), ms(olat.pct(0.99)), ms(olat.pct(1)), odrained.Seconds(), loadavg())
			b.ReportMetric(ms(olat.pct(0.99)), "open_p99_ms")

			// (2) raw starts of empty workflows, same concurrency and count.
			var rlat latencies
			r0 := time.Now()
			parallel(n, p9Clients, func(i int) {
				s := time.Now()
				_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("p9-empty-%s-%d", kind, i), TaskQueue: queue}, "BenchEmpty")
				d := time.Since(s)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					blog(b, "raw start: %v", err)
					return
				}
				rlat = append(rlat, d)
			})
			rwall := time.Since(r0)
			blog(b, "P9 %s clients=%d n=%d fails=%d: intake p50 %.1fms p99 %.1fms %.0f/s (target ≥ 200/s, p99 ≤ 100 ms), workflows started by the end %d/%d, all started and first-committed %.1fs later (%.0f starts/s overall) | raw start p50 %.1fms p99 %.1fms %.0f/s | argon2id %.1f ms, ceiling %.0f/s | load %s",
				kind, p9Clients, n, fails, ms(lat.pct(0.5)), ms(lat.pct(0.99)), rate, started, n+1, drained.Seconds(), float64(n+1)/(wall+drained).Seconds(),
				ms(rlat.pct(0.5)), ms(rlat.pct(0.99)), float64(len(rlat))/rwall.Seconds(), ms(hashOne), hashRate, loadavg())
			b.ReportMetric(ms(lat.pct(0.5)), "intake_p50_ms")
			b.ReportMetric(ms(lat.pct(0.99)), "intake_p99_ms")
			b.ReportMetric(rate, "tips_per_s")
			b.ReportMetric(ms(hashOne), "argon2id_ms")
			b.ReportMetric(hashRate, "argon2id_per_s")
			b.ReportMetric(float64(len(rlat))/rwall.Seconds(), "raw_starts_per_s")
		})
	}
}
