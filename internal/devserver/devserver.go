// Package devserver runs a single-node Temporal server inside the tidtam
// process, persisted in a SQLite file, so that the default installation needs
// no external Temporal cluster. It mirrors what the Temporal CLI's dev server
// configures (frontend, history, matching and worker services on loopback,
// one history shard, namespace pre-registered) and adds the SQLite tuning
// measured in shared/notes/platform-facts.md.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Options configures an embedded server. Zero values select the defaults
// documented on each field.
type Options struct {
	// DatabaseFile is the SQLite file holding all Temporal state. Empty keeps
	// everything in memory (tests only: nothing survives Stop).
	DatabaseFile string
	// IP is the address every service binds to. Default 127.0.0.1: the
	// embedded server is never exposed beyond the machine.
	IP string
	// FrontendPort is the gRPC port clients and workers dial. 0 picks a free
	// port; read it back with Server.Address.
	FrontendPort int
	// Namespace is registered at start if missing. Default "tidtam".
	Namespace string
	// Logger receives the server's logs; LogLevel filters them (default warn,
	// because the server is chatty at info).
	Logger   *slog.Logger
	LogLevel slog.Level
}

// Server is a running embedded Temporal server.
type Server struct {
	server    temporal.Server
	address   string
	namespace string
}

// DefaultNamespace is the namespace tidtam uses unless configured otherwise.
const DefaultNamespace = "tidtam"

// Start builds and starts the server; it returns once the frontend accepts
// connections. The caller must call Stop.
//
// Internal service ports are picked free and bound a moment later, so
// another process can take one in between (tests start many servers at
// once): a start that fails to bind is retried with fresh ports.
func Start(opts Options) (*Server, error) {
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogLevel == 0 {
		opts.LogLevel = slog.LevelWarn
	}
	if opts.FrontendPort != 0 {
		if err := portFree(opts.IP, opts.FrontendPort); err != nil {
			return nil, fmt.Errorf("embedded Temporal port %d is in use (set TIDTAM_EMBEDDED_TEMPORAL_PORT to another port): %w", opts.FrontendPort, err)
		}
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var s *Server
		if s, err = start(opts); err == nil {
			return s, nil
		}
		if !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
		opts.Logger.Warn("embedded Temporal port taken meanwhile; retrying with other ports", "error", err)
	}
	return nil, err
}

func start(opts Options) (*Server, error) {
	if opts.FrontendPort == 0 {
		p, err := freePort(opts.IP)
		if err != nil {
			return nil, err
		}
		opts.FrontendPort = p
	}
	conf, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(opts.IP, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(newLogger(opts.Logger, opts.LogLevel)),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("building embedded Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("starting embedded Temporal server: %w", err)
	}
	return &Server{
		server:    srv,
		address:   net.JoinHostPort(opts.IP, strconv.Itoa(opts.FrontendPort)),
		namespace: opts.Namespace,
	}, nil
}

// Address is the host:port of the frontend for client.Dial.
func (s *Server) Address() string { return s.address }

// Namespace is the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts every service down. Workflow state is already durable in the
// SQLite file; Stop only releases ports and connections.
func (s *Server) Stop() error { return s.server.Stop() }

// dynamicConfig holds the settings measured to matter on small machines:
// one task-queue partition (partitions only add polling overhead on a single
// node), a host-level mutable-state cache of 1,024 workflows (8,192, the
// CLI's value, held too much memory with 10,000 open assignments: see
// docs/BENCHMARKS.md, P4), and a higher visibility rate limit so list pages
// do not throttle.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():           1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key():          1,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 1024,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
}

const clusterName = "active"

// embeddedClusterID is fixed so restarts on the same file keep one identity.
const embeddedClusterID = "6f1b7a52-3a8e-4b9e-9d0c-7e7f2d1c5a10"

func buildConfig(opts Options) (*config.Config, error) {
	sqlConf, err := sqlConfig(opts)
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort(opts.IP)
	if err != nil {
		return nil, err
	}
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = opts.IP
	conf.Persistence.DefaultStore = "sqlite-default"
	conf.Persistence.VisibilityStore = "sqlite-default"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite-default": {SQL: sqlConf}}
	frontend := net.JoinHostPort(opts.IP, strconv.Itoa(opts.FrontendPort))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(opts.IP, strconv.Itoa(httpPort)),
				ClusterID:              embeddedClusterID,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = opts.IP
		if name == "frontend" {
			svc.RPC.GRPCPort = opts.FrontendPort
			svc.RPC.HTTPPort = httpPort
		} else {
			p, err := freePort(opts.IP)
			if err != nil {
				return nil, err
			}
			svc.RPC.GRPCPort = p
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return &conf, nil
}

// sqlConfig prepares the SQLite store: schema on first use, the namespace
// registered (idempotently), and the pragmas that lifted throughput from 77
// to ~236 workflow starts/s on a 2-core machine (WAL, synchronous=NORMAL,
// a large page cache, one connection). The cache was 128 MB in that
// measurement; 32 MB keeps the all-in-one near its memory target (P4) and
// fan-out throughput did not drop (P1, P4 in docs/BENCHMARKS.md).
func sqlConfig(opts Options) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName, MaxConns: 1, MaxIdleConns: 1}
	if opts.DatabaseFile == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = fmt.Sprintf("tidtam-%d", time.Now().UnixNano())
	} else {
		conf.ConnectAttributes = map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"cache_size":   "-32768",
			"busy_timeout": "10000",
		}
		conf.DatabaseName = opts.DatabaseFile
		if err := os.MkdirAll(filepath.Dir(opts.DatabaseFile), 0o750); err != nil {
			return nil, fmt.Errorf("creating Temporal data directory: %w", err)
		}
		if _, err := os.Stat(opts.DatabaseFile); errors.Is(err, os.ErrNotExist) {
			if err := sqliteschema.SetupSchema(conf); err != nil {
				return nil, fmt.Errorf("creating Temporal schema in %s: %w", opts.DatabaseFile, err)
			}
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, nil)
	if err != nil {
		return nil, err
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("registering Temporal namespace %q: %w", opts.Namespace, err)
	}
	return conf, nil
}

func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// WaitReady blocks until fn (typically a client health check) succeeds or
// ctx ends.
func WaitReady(ctx context.Context, fn func(context.Context) error) error {
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("embedded Temporal server not ready: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
