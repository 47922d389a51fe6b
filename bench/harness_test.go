//go:build bench

// Package bench holds tidtam's performance benchmarks. Every file carries the
// "bench" build tag, so nothing here runs during `go test ./...`; run them
// with
//
//	go test -tags bench -run '^$' -bench . -benchtime 1x -timeout 60m ./bench/
//
// Each benchmark measures tidtam's path and, in the same run on the same
// embedded Temporal server, the engine's own limit for the same amount of
// work (empty workflows, raw Updates, raw SQL), and reports both and their
// ratio. See docs/BENCHMARKS.md for method and results.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/fixtures"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

const (
	adminPassword = "admin-password-123"
	unitPassword  = "district-pass-123"
	queue         = "tidtam-bench"
)

// env is a whole tidtam in one process, wired like `tidtam serve`: the
// embedded Temporal server persisted in a SQLite file (the default), a
// worker with cmd/tidtam's options, and the Fiber API on a real loopback
// listener.
type env struct {
	tb   testing.TB
	db   *gorm.DB
	tc   client.Client
	base string
	http *http.Client
}

// workerOptions match cmd/tidtam/wiring.go.
var workerOptions = worker.Options{
	MaxConcurrentWorkflowTaskPollers: 8,
	MaxConcurrentActivityTaskPollers: 8,
}

func dbFor(tb testing.TB, kind string) *gorm.DB {
	if kind == "postgres" {
		return storetest.Postgres(tb)
	}
	return storetest.SQLite(tb)
}

func newEnv(tb testing.TB, kind string) *env {
	tb.Helper()
	ctx := context.Background()
	db := dbFor(tb, kind)
	if err := store.SeedReferenceUnits(ctx, db); err != nil {
		tb.Fatal(err)
	}
	svc := &auth.Service{DB: db, SessionTTL: 12 * time.Hour}
	if _, _, err := svc.EnsureAdmin(ctx, adminPassword); err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.CreateAccount(ctx, auth.NewAccount{Username: "sec", Password: "secretariat-pass", Role: models.RoleSecretariat, UnitCode: models.NationalUnitCode}); err != nil {
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
	workflows.Register(w, workflows.Activities{Directives: &activities.Activities{DB: db, Temporal: tc, TaskQueue: queue, Logger: quiet}})
	w.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: "BenchEmpty"})
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Stop)
	app := api.New(&api.Deps{DB: db, Temporal: tc, TaskQueue: queue, Auth: svc, Logger: quiet,
		DataDir: tb.TempDir(), MaxUploadBytes: 20 << 20}) // TIDTAM_MAX_UPLOAD_MB default
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	tb.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &env{tb: tb, db: db, tc: tc, base: "http://" + ln.Addr().String(),
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
}

// emptyWorkflow is the engine baseline: it answers a state query and an
// "ack" Update and otherwise waits for a "stop" signal.
func emptyWorkflow(ctx workflow.Context) error {
	acked := false
	if err := workflow.SetQueryHandler(ctx, "state", func() (bool, error) { return acked, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, "ack", func(ctx workflow.Context, note string) (bool, error) {
		acked = true
		return acked, nil
	}); err != nil {
		return err
	}
	workflow.GetSignalChannel(ctx, "stop").Receive(ctx, nil)
	return nil
}

type sdkQuiet struct{}

func (sdkQuiet) Debug(string, ...any) {}
func (sdkQuiet) Info(string, ...any)  {}
func (sdkQuiet) Warn(string, ...any)  {}
func (sdkQuiet) Error(string, ...any) {}

type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (e *env) do(method, path, token string, body any) (response, error) {
	var r io.Reader
	if body != nil {
		buf, _ := json.Marshal(body)
		r = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, e.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out, nil
}

func (e *env) must(method, path, token string, body any, want int) response {
	e.tb.Helper()
	res, err := e.do(method, path, token, body)
	if err != nil {
		e.tb.Fatalf("%s %s: %v", method, path, err)
	}
	if res.Status != want {
		e.tb.Fatalf("%s %s: %d %.500s", method, path, res.Status, res.Raw)
	}
	return res
}

func (e *env) login(user, pass string) string {
	e.tb.Helper()
	return e.must("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pass}, 200).Body["token"].(string)
}

func (e *env) count(model any, where string, args ...any) int64 {
	e.tb.Helper()
	var n int64
	q := e.db.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		e.tb.Fatal(err)
	}
	return n
}

// addSyntheticUnits creates perDistrict units of type "other" below each of
// the 928 district units (a sub-district level that does not exist in the
// reference data) and returns their codes.
func (e *env) addSyntheticUnits(perDistrict int) []string {
	e.tb.Helper()
	var districts []string
	if err := e.db.Model(&models.Unit{}).Where("type = ?", models.UnitDistrict).Order("code").Pluck("code", &districts).Error; err != nil {
		e.tb.Fatal(err)
	}
	now := time.Now().UTC()
	var units []models.Unit
	var codes []string
	for _, d := range districts {
		for i := 1; i <= perDistrict; i++ {
			code := fmt.Sprintf("%s%02d", d, i)
			parent := d
			units = append(units, models.Unit{Code: code, Type: models.UnitOther, NameTH: "ตำบลทดสอบ " + code,
				NameEN: "Bench sub-district " + code, ParentCode: &parent, CreatedAt: now, UpdatedAt: now})
			codes = append(codes, code)
		}
	}
	if err := e.db.CreateInBatches(units, 500).Error; err != nil {
		e.tb.Fatal(err)
	}
	return codes
}

// pilotProvinces are the ten provinces item ๑ of the MOI letter goes to.
// moiLetter is fixtures.MOILetter numbered docNumber with item ๑ to the
// pilot provinces and, when set is not empty, items ๒–๕ also to that named
// target set. (Listing thousands of codes in "units" instead would put
// the whole list in the directive's input: see docs/BENCHMARKS.md.)
func moiLetter(docNumber string, set string) map[string]any {
	if set == "" {
		return fixtures.MOILetter(docNumber, fixtures.PilotProvinces)
	}
	return fixtures.MOILetter(docNumber, fixtures.PilotProvinces, set)
}

// smallLetter is a one-item directive to the listed unit codes.
func smallLetter(docNumber string, units []string) map[string]any {
	return map[string]any{
		"source": "ministry", "issuer": "กระทรวงมหาดไทย", "doc_number": docNumber,
		"issue_date": "๑๗ ธันวาคม ๒๕๖๗", "urgency": "ด่วน", "subject": "ทดสอบสมรรถนะ",
		"items": []map[string]any{{"number": "1", "text": "รายงานผล", "targets": map[string]any{"units": units}, "due_within": "15"}},
	}
}

// parallel runs fn(i) for i in [0,n) on `workers` goroutines.
func parallel(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// startEmpty starts n empty workflows with IDs prefix-i on 32 goroutines
// (the fan-out activity's default concurrency) and returns their IDs.
func (e *env) startEmpty(prefix string, n int) []string {
	e.tb.Helper()
	ids := make([]string, n)
	var mu sync.Mutex
	var firstErr error
	parallel(n, 32, func(i int) {
		ids[i] = fmt.Sprintf("%s-%d", prefix, i)
		_, err := e.tc.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: ids[i], TaskQueue: queue}, "BenchEmpty")
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
		}
	})
	if firstErr != nil {
		e.tb.Fatal(firstErr)
	}
	return ids
}

// queryUntilAnswers polls the workflow's query until it answers.
func (e *env) queryUntilAnswers(id, query string, timeout time.Duration) {
	e.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := e.tc.QueryWorkflow(ctx, id, "", query)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			e.tb.Fatalf("query %s on %s: %v", query, id, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// latencies summarises a set of durations.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(idx, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Process memory from /proc/self/status (Linux).
func procStatusKB(pid, field string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(strings.TrimPrefix(line, field+":"))
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	return -1
}

// resetPeakRSS resets VmHWM of the process (Linux ≥ 4.0: write 5 to
// clear_refs), so a later VmHWM is the peak of what ran in between.
func resetPeakRSS(pid string) {
	_ = os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0)
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// kinds is the app databases measured: SQLite (default) and PostgreSQL
// unless TIDTAM_BENCH_DBS narrows it (comma-separated).
func kinds() []string {
	if v := os.Getenv("TIDTAM_BENCH_DBS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"sqlite", "postgres"}
}

var _ = fiber.StatusOK

// blog logs a result line with b.Logf and also writes it to stderr: the
// testing package keeps only the first 10 lines of a benchmark's log.
func blog(b testing.TB, format string, args ...any) {
	b.Helper()
	msg := fmt.Sprintf(format, args...)
	b.Log(msg)
	fmt.Fprintf(os.Stderr, "BENCHLOG %s: %s\n", b.Name(), msg)
}
