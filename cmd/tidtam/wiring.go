package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/types/known/durationpb"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/devserver"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/telemetry"
	"github.com/tidtam/tidtam/internal/temporalui"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/workflows"
)

// openDB opens the app database; with migrate it also applies migrations
// and seeds the reference data (openMigrated), otherwise it refuses an
// out-of-date schema.
func openDB(ctx context.Context, cfg *config.Config, migrate bool) (*gorm.DB, error) {
	if migrate {
		db, _, err := openMigrated(ctx, cfg)
		return db, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	cur, latest, err := store.SchemaVersion(ctx, db)
	if err != nil {
		return nil, err
	}
	if cur < latest {
		return nil, fmt.Errorf("database schema is at version %d but this build needs %d: run `tidtam migrate` first", cur, latest)
	}
	return db, nil
}

// backend is what every long-running role works with: the app database,
// the metrics registry the app and the Temporal SDK share, and the
// Temporal client.
type backend struct {
	db       *gorm.DB
	metrics  *telemetry.Metrics
	temporal client.Client
}

// openBackend is the start-up of the production roles (api, worker): the
// app database at the current schema (openDB without migrating), then
// dial.
func openBackend(ctx context.Context, cfg *config.Config, log *slog.Logger) (*backend, error) {
	db, err := openDB(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	b := &backend{db: db}
	if err := b.dial(ctx, cfg, cfg.TemporalAddress, log); err != nil {
		return nil, err
	}
	return b, nil
}

// dial creates the metrics registry and connects to the Temporal frontend
// at addr with it (dialTemporal). On error nothing is left open.
func (b *backend) dial(ctx context.Context, cfg *config.Config, addr string, log *slog.Logger) error {
	m := telemetry.NewMetrics()
	c, err := dialTemporal(ctx, addr, cfg.TemporalNamespace, log, m)
	if err != nil {
		m.Close()
		return err
	}
	b.metrics, b.temporal = m, c
	return nil
}

// close closes the Temporal client, then the metrics registry.
func (b *backend) close() {
	b.temporal.Close()
	b.metrics.Close()
}

// requireExternal refuses to run a production role (api, worker) on the
// embedded default, which only `tidtam serve` starts.
func requireExternal(cfg *config.Config, role string) error {
	if cfg.Embedded() {
		return fmt.Errorf("`tidtam %s` needs an external Temporal server: set TEMPORAL_ADDRESS (or run `tidtam serve`)", role)
	}
	return nil
}

// sdkLogger is the Temporal SDK's logger: log, tagged as its component.
func sdkLogger(log *slog.Logger) sdklog.Logger {
	return sdklog.NewStructuredLogger(log.With("component", "temporal-sdk"))
}

// dialTemporal connects to the Temporal frontend, retrying for up to a
// minute so that services started together (docker compose) settle.
func dialTemporal(ctx context.Context, addr, namespace string, log *slog.Logger, m *telemetry.Metrics) (client.Client, error) {
	opts := client.Options{HostPort: addr, Namespace: namespace, Logger: sdkLogger(log)}
	if m != nil {
		opts.MetricsHandler = m.Temporal
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("cannot reach Temporal at %s (TEMPORAL_ADDRESS): %w", addr, err)
		}
		log.Warn("Temporal not reachable yet, retrying", "address", addr, "error", err)
		time.Sleep(2 * time.Second)
	}
}

// registerNamespace creates the namespace on an external server if missing.
func registerNamespace(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: cfg.TemporalAddress, Logger: sdkLogger(log)})
	if err != nil {
		return fmt.Errorf("cannot reach Temporal at %s (TEMPORAL_ADDRESS): %w", cfg.TemporalAddress, err)
	}
	defer nc.Close()
	err = nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        cfg.TemporalNamespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(30 * 24 * time.Hour),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("registering Temporal namespace %q: %w", cfg.TemporalNamespace, err)
	}
	if err == nil {
		log.Info("registered Temporal namespace", "namespace", cfg.TemporalNamespace)
	}
	return nil
}

// notifySettings checks the notification settings once at start-up, so a
// wrong sender address or digest time stops the process with a clear error.
func notifySettings(cfg *config.Config) (mail.Address, notify.DigestSettings, error) {
	from, err := mail.ParseAddress(cfg.SMTP.From)
	if err != nil {
		return mail.Address{}, notify.DigestSettings{}, &config.Error{Var: "TIDTAM_SMTP_FROM", Value: cfg.SMTP.From, Want: "an e-mail address, e.g. ศปก.ครส. <tidtam@oncb.go.th>"}
	}
	digest, err := notify.ParseDigestTime(cfg.DigestTime)
	if err != nil {
		return mail.Address{}, notify.DigestSettings{}, &config.Error{Var: "TIDTAM_DIGEST_TIME", Value: cfg.DigestTime, Want: "HH:MM, e.g. 07:30"}
	}
	return *from, digest, nil
}

// startNotifications runs the outbox dispatcher (safe in every worker
// process: workflow IDs prevent double delivery) and makes sure the daily
// digest workflow runs with the configured time.
func startNotifications(ctx context.Context, cfg *config.Config, b *backend, log *slog.Logger) error {
	_, digest, err := notifySettings(cfg)
	if err != nil {
		return err
	}
	disp := &notify.Dispatcher{DB: b.db, Temporal: b.temporal, TaskQueue: cfg.TaskQueue,
		Delivery: notify.DeliveryInput{RetryWindow: cfg.NotifyRetryWindow}, Logger: log.With("component", "dispatcher")}
	go func() { _ = disp.Run(ctx) }()
	// Tips saved while Temporal was unreachable get their workflow here.
	go (&tips.Starter{DB: b.db, Temporal: b.temporal, TaskQueue: cfg.TaskQueue, Logger: log.With("component", "tips")}).Run(ctx)
	return notify.EnsureDigestWorkflow(ctx, b.temporal, cfg.TaskQueue, digest)
}

// stickyCacheSize bounds how many workflows a worker process keeps in
// memory between tasks. The SDK default (10,000) kept ~1.4 GB resident
// with 10,000 open assignments (docs/BENCHMARKS.md, P4); assignment
// histories are short and most wait days between tasks, so replaying an
// evicted one on its next timer is cheap.
const stickyCacheSize = 300

// prepareWorkerProcess sets the SDK's process-wide worker settings; it
// must run before anything starts a worker, because the embedded Temporal
// server starts its own system workers first:
//   - the sticky cache is sized when the first worker is created (P4 found
//     9,973 assignments cached with stickyCacheSize applied later);
//   - without a binary checksum the SDK computes one by reading and
//     hashing the whole executable (~200 MB) when the first worker starts;
//     the build's version and VCS revision identify the build as well.
func prepareWorkerProcess() {
	worker.SetStickyWorkflowCacheSize(stickyCacheSize)
	worker.SetBinaryChecksum(buildChecksum())
}

// buildChecksum names this build: "tidtam/<version>/<vcs revision>", with
// "+dirty" when built from a modified tree.
func buildChecksum() string {
	id := "tidtam/" + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				rev = st.Value
			case "vcs.modified":
				dirty = st.Value == "true"
			}
		}
		if rev != "" {
			id += "/" + rev
		}
		if dirty {
			id += "+dirty"
		}
	}
	return id
}

// serveMemoryLimit is the Go runtime's soft memory limit for the
// all-in-one when GOMEMLIMIT is not set. With 10,000 open assignments the
// live Go heap is ~110 MB, but the default GC (GOGC=100, no limit) let the
// process grow to twice that; with the executable's pages (~150 MB) and
// the SQLite page caches (outside Go's memory) the P4 target of 400 MB
// needs Go's own share held under 200 MB. The GC then runs more often (6 %
// of CPU in P4); the runtime caps that at about half the CPU, so a larger
// load slows down instead of failing. Set GOMEMLIMIT to change it.
const serveMemoryLimit = 180 << 20

// limitMemory applies serveMemoryLimit unless the operator set GOMEMLIMIT
// (which the runtime has already applied).
func limitMemory(log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(serveMemoryLimit)
	log.Debug("Go soft memory limit set", "bytes", serveMemoryLimit)
}

func newWorker(cfg *config.Config, b *backend, log *slog.Logger) (worker.Worker, error) {
	from, _, err := notifySettings(cfg)
	if err != nil {
		return nil, err
	}
	// More pollers than the SDK's default of two: a directive's fan-out
	// makes hundreds of short tasks at once.
	w := worker.New(b.temporal, cfg.TaskQueue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8,
	})
	workflows.Register(w, workflows.Activities{
		Directives: &activities.Activities{DB: b.db, Temporal: b.temporal, TaskQueue: cfg.TaskQueue, Logger: log},
		Meetings:   &activities.Meetings{DB: b.db},
		Tips:       &activities.Tips{DB: b.db},
		Delivery: &activities.Delivery{
			DB: b.db, Sender: notify.NewSender(cfg.SMTP), From: from, PublicURL: cfg.PublicURL,
			Webhooks: webhookPolicy(cfg), Logger: log.With("component", "notify"),
		},
	})
	return w, nil
}

func newAPI(cfg *config.Config, b *backend, log *slog.Logger) (*fiber.App, error) {
	if _, err := tips.ActionDaysFromEnv(); err != nil {
		return nil, err
	}
	tipKey, created, err := tips.LoadKey(cfg.TipKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("tip key (TIDTAM_TIP_KEY or %s): %w", filepath.Join(cfg.DataDir, tips.KeyFile), err)
	}
	if created {
		log.Warn("generated a new tip key: back it up apart from the database, or set TIDTAM_TIP_KEY", "file", filepath.Join(cfg.DataDir, tips.KeyFile))
	}
	return api.New(&api.Deps{
		DB: b.db, Temporal: b.temporal, Logger: log, Metrics: b.metrics, TaskQueue: cfg.TaskQueue, DataDir: cfg.DataDir,
		MaxUploadBytes: int64(cfg.MaxUploadMiB) << 20,
		Auth:           &auth.Service{DB: b.db, SessionTTL: cfg.SessionTTL},
		TrustedProxies: cfg.TrustedProxies,
		Webhooks:       webhookPolicy(cfg),
		SecureCookies:  strings.HasPrefix(cfg.PublicURL, "https://"),
		TipKey:         &tipKey,
		PublicURL:      cfg.PublicURL,
	}), nil
}

// listen binds the HTTP address first so that a port conflict is reported
// before anything else starts.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (TIDTAM_HTTP_ADDR): %w", addr, err)
	}
	return ln, nil
}

// serveHTTP runs app on ln until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, app *fiber.App, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return app.ShutdownWithTimeout(10 * time.Second)
	}
}

func ensureAdmin(ctx context.Context, cfg *config.Config, db *gorm.DB, out io.Writer) error {
	svc := &auth.Service{DB: db, SessionTTL: cfg.SessionTTL}
	generated, created, err := svc.EnsureAdmin(ctx, cfg.AdminPass)
	if err != nil {
		return fmt.Errorf("creating the admin account: %w", err)
	}
	if created && generated != "" {
		fmt.Fprintf(out, "สร้างบัญชีผู้ดูแลระบบแล้ว (admin account created): username admin, password %s\n", generated)
		fmt.Fprintln(out, "  รหัสผ่านนี้แสดงครั้งเดียว กรุณาจดไว้ (shown once: write it down)")
	} else if created {
		fmt.Fprintln(out, "สร้างบัญชีผู้ดูแลระบบแล้ว (admin account created): username admin, password from TIDTAM_ADMIN_PASSWORD")
	}
	return nil
}

// serve is the all-in-one role.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	started := time.Now()
	prepareWorkerProcess()
	limitMemory(log)
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	if err := ensureAdmin(ctx, cfg, db, out); err != nil {
		return err
	}
	// Start-up phases are logged: start-up time is a target (P5 in
	// docs/BENCHMARKS.md) and grows with data.
	var phases []string
	mark := started
	phase := func(name string) {
		phases = append(phases, fmt.Sprintf("%s %v", name, time.Since(mark).Round(time.Millisecond)))
		mark = time.Now()
	}
	phase("database")
	addr := cfg.TemporalAddress
	if cfg.Embedded() {
		srv, err := devserver.Start(devserver.Options{
			DatabaseFile: cfg.DataDir + "/temporal.db",
			FrontendPort: cfg.EmbeddedTemporalPort,
			Namespace:    cfg.TemporalNamespace,
			Logger:       log,
		})
		if err != nil {
			return err
		}
		defer srv.Stop()
		addr = srv.Address()
	} else if err := registerNamespace(ctx, cfg, log); err != nil {
		return err
	}
	phase("temporal_server")
	uiLine := "start with --temporal-ui (or set TIDTAM_TEMPORAL_UI_ADDR) to browse workflows"
	if cfg.TemporalUIAddr != "" {
		ui, err := temporalui.Start(cfg.TemporalUIAddr, addr, cfg.TemporalNamespace, log)
		if err != nil {
			return err
		}
		defer ui.Stop()
		uiLine = ui.URL()
	}
	b := &backend{db: db}
	if err := b.dial(ctx, cfg, addr, log); err != nil {
		return err
	}
	defer b.close()
	phase("temporal_client")
	w, err := newWorker(cfg, b, log)
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	defer w.Stop()
	phase("worker")
	// The digest workflow's signal is the first call that needs the history
	// service, so this phase includes whatever wait the embedded server's
	// history shard still has after a restart (the slow P5 restarts spent
	// 1.4–1.6 s in the phase that held it, before it was split out).
	if err := startNotifications(ctx, cfg, b, log); err != nil {
		return err
	}
	phase("notifications")
	app, err := newAPI(cfg, b, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "tidtam พร้อมใช้งาน (ready) in %.1fs (%s): %s\n", time.Since(started).Seconds(), strings.Join(phases, ", "), cfg.PublicURL)
	fmt.Fprintf(out, "  เปิดในเบราว์เซอร์ (open in a browser): %s/login\n", cfg.PublicURL)
	fmt.Fprintf(out, "  API: POST %s/api/v1/auth/login {\"username\":\"admin\",\"password\":\"…\"}\n", cfg.PublicURL)
	fmt.Fprintf(out, "  Temporal: %s namespace %s; Temporal UI: %s\n", addr, cfg.TemporalNamespace, uiLine)
	return serveHTTP(ctx, app, ln)
}

func runAPI(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if err := requireExternal(cfg, "api"); err != nil {
		return err
	}
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	b, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.close()
	log.Info("tidtam api listening", "addr", ln.Addr().String())
	app, err := newAPI(cfg, b, log)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, app, ln)
}

func runWorker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if err := requireExternal(cfg, "worker"); err != nil {
		return err
	}
	prepareWorkerProcess()
	b, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.close()
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", b.metrics.Handler)
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
		hs := &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "error", err)
			}
		}()
		defer hs.Close()
	}
	w, err := newWorker(cfg, b, log)
	if err != nil {
		return err
	}
	if err := startNotifications(ctx, cfg, b, log); err != nil {
		return err
	}
	log.Info("tidtam worker started", "task_queue", cfg.TaskQueue, "temporal", cfg.TemporalAddress)
	return w.Run(interruptOn(ctx))
}

// interruptOn adapts ctx to the channel worker.Run stops on.
func interruptOn(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}

func migrate(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	db, applied, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "migrations applied: %v (database %s)\n", applied, store.Redact(cfg.DatabaseURL))
	if err := ensureAdmin(ctx, cfg, db, out); err != nil {
		return err
	}
	if !cfg.Embedded() {
		return registerNamespace(ctx, cfg, log)
	}
	return nil
}

// openMigrated opens the app database, applies the schema migrations and
// seeds the reference data shipped in the binary (units, districts,
// holidays), returning the migration versions applied: the start-up of
// serve and migrate.
func openMigrated(ctx context.Context, cfg *config.Config) (*gorm.DB, []int, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	applied, err := store.Migrate(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return db, applied, store.SeedReference(ctx, db)
}
