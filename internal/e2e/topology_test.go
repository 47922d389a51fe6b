package e2e

import (
	"bytes"
	"context"
	"crypto/md5" // #nosec G501 -- the schema tool's manifest checksum, not security
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	serverlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	sqlpersistence "go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // registers postgres12_pgx
	"go.temporal.io/server/common/resolver"
	dbschemas "go.temporal.io/server/schema"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/testbin"
)

// pgPlugin is the Temporal SQL plugin, as in docker-compose.yml.
const pgPlugin = "postgres12_pgx"

// pgServer is the PostgreSQL the topology test creates its databases on:
// the project's test server, $TIDTAM_TEST_POSTGRES_URL or
// storetest.DefaultPostgresURL (user postgres, trust auth, 127.0.0.1:5432).
type pgServer struct {
	url            *url.URL // as configured; its path names a database to connect to
	addr           string   // host:port
	user, password string
}

// testPostgres returns the test PostgreSQL server. Like storetest, it fails
// when the server is unreachable unless TIDTAM_TEST_SKIP_POSTGRES=1.
func testPostgres(t *testing.T) pgServer {
	t.Helper()
	raw := os.Getenv(storetest.EnvPostgresURL)
	if raw == "" {
		raw = storetest.DefaultPostgresURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		t.Fatalf("%s=%q is not a postgres:// URL: %v", storetest.EnvPostgresURL, raw, err)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	s := pgServer{url: u, addr: net.JoinHostPort(u.Hostname(), port), user: u.User.Username()}
	s.password, _ = u.User.Password()
	c, err := net.DialTimeout("tcp", s.addr, 3*time.Second)
	if err != nil {
		if os.Getenv(storetest.EnvSkipPostgres) == "1" {
			t.Skipf("PostgreSQL unreachable, skipped because %s=1: %v", storetest.EnvSkipPostgres, err)
		}
		t.Fatalf("the topology test needs PostgreSQL at %s: %v\nStart it with `pg_ctlcluster 15 main start`, "+
			"point %s at another server, or set %s=1 to skip.", s.addr, err, storetest.EnvPostgresURL, storetest.EnvSkipPostgres)
	}
	c.Close()
	return s
}

// databaseURL is the URL of database name on the server, for tidtam.
func (s pgServer) databaseURL(name string) string {
	u := *s.url
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// adminDatabase is the database the server URL names, to connect to while
// creating and dropping others.
func (s pgServer) adminDatabase() string {
	if db := strings.Trim(s.url.Path, "/"); db != "" {
		return db
	}
	return "postgres"
}

// TestProductionTopology runs the docker-compose.yml topology with real
// processes instead of containers: a Temporal server built from go.mod's
// go.temporal.io/server on fresh PostgreSQL databases, then `tidtam
// migrate` (twice: it must be idempotent), `tidtam api` and two `tidtam
// worker` processes, and checks that the API signs in and lists the 77
// provinces and that both workers poll the task queue.
func TestProductionTopology(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a Temporal server; skipped with -short")
	}
	bin := binary(t)

	// Dynamic config: the one docker-compose.yml mounts, checked by the server.
	top := startTopologyServer(t, bin, "tidtam_topo_", "e2e-Topology-pass-01")
	if out, err := exec.Command(top.serverBin, "validate-dynamic-config", top.dcFile).CombinedOutput(); err != nil ||
		bytes.Contains(out, []byte("error:")) || bytes.Contains(out, []byte("warning:")) {
		t.Fatalf("temporal-server validate-dynamic-config %s: %v\n%s", top.dcFile, err, out)
	}
	const password = "e2e-Topology-pass-01"
	const namespace, taskQueue = topologyNamespace, topologyTaskQueue
	tidtamEnv, temporalAddr, server := top.env, top.temporalAddr, top.server
	apiPort, workerMetrics := top.apiPort, top.workerMetrics

	for i, name := range []string{"tidtam migrate", "tidtam migrate (again)"} {
		m := testbin.Start(t, name, bin, tidtamEnv(), "migrate")
		exited, err := m.Wait(2 * time.Minute)
		switch {
		case !exited:
			t.Fatalf("%s did not finish within 2 minutes", name)
		case err != nil:
			t.Fatalf("%s failed: %v", name, err)
		}
		if i == 1 {
			if mm := generatedPasswordRE.FindStringSubmatch(m.Out.String()); mm != nil {
				t.Errorf("%s printed a generated password although the admin exists: %q", name, mm[0])
			}
		}
	}
	tc := temporalClient(t, temporalAddr, namespace)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		t.Fatalf("namespace %q is not registered after tidtam migrate: %v", namespace, err)
	}

	api := testbin.Start(t, "tidtam api", bin, tidtamEnv("TIDTAM_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(apiPort)), "api")
	var workers []*testbin.Process
	for i, mp := range workerMetrics {
		workers = append(workers, testbin.Start(t, fmt.Sprintf("tidtam worker %d", i+1), bin,
			tidtamEnv("TIDTAM_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(mp)), "worker"))
	}

	base := "http://127.0.0.1:" + strconv.Itoa(apiPort)
	api.WaitReady(t, base, 60*time.Second, readyPoll)
	token := signIn(t, base, "admin", password)
	checkProvinces(t, base, token)

	for i, w := range workers {
		waitHTTP200(t, w, "http://127.0.0.1:"+strconv.Itoa(workerMetrics[i])+"/healthz", 60*time.Second)
		waitHTTP200(t, w, "http://127.0.0.1:"+strconv.Itoa(workerMetrics[i])+"/metrics", 10*time.Second)
	}
	waitPollers(t, tc, taskQueue, 2, 60*time.Second)

	// Clean stop: tidtam first (in parallel), the server last.
	var wg sync.WaitGroup
	for _, p := range append([]*testbin.Process{api}, workers...) {
		wg.Go(func() {
			if !p.Stop(30 * time.Second) {
				t.Errorf("%s did not stop within 30 s of SIGTERM", p.Name)
			} else if p.Err() != nil {
				t.Errorf("%s ended with %v after SIGTERM, want a clean exit", p.Name, p.Err())
			}
		})
	}
	wg.Wait()
	if !server.Stop(30 * time.Second) {
		t.Log("temporal-server did not stop within 30 s of SIGTERM; killed")
	}
}

// Namespace and task queue of the topologies startTopologyServer prepares.
const topologyNamespace, topologyTaskQueue = "tidtam", "tidtam"

// topology is the production topology's Temporal server, started by
// startTopologyServer for the tidtam processes a test then runs.
type topology struct {
	pg                pgServer
	dir               string // the test's temp dir (server config, data dir)
	serverBin, dcFile string // the built server, the dynamic config it reads
	appDB             string // the app database's name on pg
	temporalAddr      string // the frontend's host:port
	apiPort           int    // a free port for `tidtam api`
	workerMetrics     []int  // two free ports for the workers' /metrics
	server            *testbin.Process
	// env is the environment of a tidtam process in this topology, plus
	// extra NAME=value pairs.
	env func(extra ...string) []string
}

// startTopologyServer builds the Temporal server from go.mod, creates fresh
// databases named prefix+random (dropped after every process has gone:
// cleanups run last-in first-out), sets up Temporal's schemas, starts the
// server with one history shard on free loopback ports and waits for its
// frontend. tidtam processes get the app database, the server and
// adminPassword through env.
func startTopologyServer(t *testing.T, bin, prefix, adminPassword string) *topology {
	t.Helper()
	top := &topology{pg: testPostgres(t), dir: t.TempDir()}
	root := repoRoot(t)
	top.serverBin = buildTemporalServer(t, root, top.dir)
	top.dcFile = filepath.Join(root, "deploy", "temporal", "dynamicconfig.yaml")

	prefix += randomHex(t, 4)
	temporalDB, visibilityDB := prefix+"_temporal", prefix+"_visibility"
	top.appDB = prefix + "_app"
	for _, db := range []string{temporalDB, visibilityDB, top.appDB} {
		createDatabase(t, top.pg, db)
	}
	setupTemporalSchema(t, top.pg, temporalDB, "postgresql/v12/temporal", sqlplugin.DbKindMain)
	setupTemporalSchema(t, top.pg, visibilityDB, "postgresql/v12/visibility", sqlplugin.DbKindVisibility)

	// Membership ports go into cluster_membership.rpc_port, a SMALLINT on
	// PostgreSQL, so they must be below 32768 (the kernel's ephemeral
	// ports are above it).
	ports := testbin.FreePorts(t, 8)
	mports := freePortsBelow(t, 4, 32768)
	pg := top.pg
	sc := serverConfig{
		TemporalDB: temporalDB, VisibilityDB: visibilityDB, PGAddr: pg.addr, PGUser: pg.user, PGPassword: pg.password, Plugin: pgPlugin,
		FrontendGRPC: ports[0], FrontendHTTP: ports[1], FrontendMembership: mports[0],
		HistoryGRPC: ports[2], HistoryMembership: mports[1],
		MatchingGRPC: ports[3], MatchingMembership: mports[2],
		WorkerGRPC: ports[4], WorkerMembership: mports[3],
		DynamicConfig: top.dcFile,
	}
	top.apiPort, top.workerMetrics = ports[5], ports[6:8]
	cfgFile := filepath.Join(top.dir, "temporal-server.yaml")
	writeServerConfig(t, cfgFile, sc)
	top.temporalAddr = "127.0.0.1:" + strconv.Itoa(sc.FrontendGRPC)

	top.server = testbin.Start(t, "temporal-server", top.serverBin,
		childEnv("DYNAMIC_CONFIG_FILE_PATH="+top.dcFile),
		"--config-file", cfgFile, "--allow-no-auth", "start")
	waitTemporal(t, top.server, top.temporalAddr, 90*time.Second)

	top.env = func(extra ...string) []string {
		return childEnv(append([]string{
			"TIDTAM_DATABASE_URL=" + pg.databaseURL(top.appDB),
			"TEMPORAL_ADDRESS=" + top.temporalAddr,
			"TEMPORAL_NAMESPACE=" + topologyNamespace,
			"TIDTAM_TASK_QUEUE=" + topologyTaskQueue,
			"TIDTAM_DATA_DIR=" + filepath.Join(top.dir, "data"),
			"TIDTAM_ADMIN_PASSWORD=" + adminPassword,
			"TIDTAM_LOG_LEVEL=info",
		}, extra...)...)
	}
	return top
}

// buildTemporalServer builds go.temporal.io/server/cmd/server at the version
// in go.mod. The server's main package imports github.com/urfave/cli/v2,
// which tidtam's go.sum does not list, so the build reads a copy of go.mod
// and go.sum (-modfile) that it may complete; the repository's files stay
// untouched and every version stays the one go.mod selects.
func buildTemporalServer(t *testing.T, root, dir string) string {
	t.Helper()
	modDir := filepath.Join(dir, "modfile")
	if err := os.MkdirAll(modDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(modDir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "temporal-server")
	start := time.Now()
	cmd := exec.Command("go", "build", "-modfile="+filepath.Join(modDir, "go.mod"), "-mod=mod",
		"-o", bin, "go.temporal.io/server/cmd/server")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the Temporal server: %v\n%s", err, out)
	}
	// Only go.sum may gain entries; a changed go.mod would mean the server
	// was built with other versions than tidtam links.
	want, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	if got, _ := os.ReadFile(filepath.Join(modDir, "go.mod")); !bytes.Equal(got, want) {
		t.Fatalf("building the Temporal server needed go.mod changes, so it would not match go.mod's versions:\n%s", got)
	}
	t.Logf("built go.temporal.io/server/cmd/server in %v", time.Since(start).Round(100*time.Millisecond))
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("temporal-server --version: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
	return bin
}

// adminDB opens a Temporal SQL admin connection to database on the local
// PostgreSQL.
func adminDB(t *testing.T, pg pgServer, kind sqlplugin.DbKind, database string) sqlplugin.AdminDB {
	t.Helper()
	cfg := &config.SQL{
		PluginName:      pgPlugin,
		DatabaseName:    database,
		ConnectAddr:     pg.addr,
		ConnectProtocol: "tcp",
		User:            pg.user,
		Password:        pg.password,
	}
	db, err := sqlpersistence.NewSQLAdminDB(kind, cfg, resolver.NewNoopResolver(), serverlog.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		t.Fatalf("connecting to database %q on %s as %s: %v", database, pg.addr, pg.user, err)
	}
	return db
}

// createDatabase creates a database and drops it (disconnecting whoever is
// left) when the test ends.
func createDatabase(t *testing.T, pg pgServer, name string) {
	t.Helper()
	db := adminDB(t, pg, sqlplugin.DbKindUnknown, pg.adminDatabase())
	defer db.Close()
	if err := db.Exec(`CREATE DATABASE "` + name + `"`); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db := adminDB(t, pg, sqlplugin.DbKindUnknown, pg.adminDatabase())
		defer db.Close()
		if err := db.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
}

// schemaManifest is a versioned schema directory's manifest.json.
type schemaManifest struct {
	CurrVersion          string
	MinCompatibleVersion string
	Description          string
	SchemaUpdateCqlFiles []string
	AllowNoCqlFiles      bool
}

// setupTemporalSchema does in process what the deployment does with
// temporal-sql-tool (docker-compose.yml's temporal-schema service,
// scripts/topology.sh): `setup-schema -v 0.0` then `update-schema -s
// schemaName`, from the schema files embedded in the server module. It
// follows tools/common/schema's setup and update tasks; that package cannot
// be imported here because it needs github.com/urfave/cli, which go.mod
// does not list. It ends by asking the server's own version check.
func setupTemporalSchema(t *testing.T, pg pgServer, database, schemaName string, kind sqlplugin.DbKind) {
	t.Helper()
	start := time.Now()
	db := adminDB(t, pg, kind, database)
	defer db.Close()

	// setup-schema -v 0.0
	if err := db.CreateSchemaVersionTables(); err != nil {
		t.Fatalf("%s: creating schema version tables: %v", database, err)
	}
	if err := db.UpdateSchemaVersion(database, "0.0", "0.0"); err != nil {
		t.Fatalf("%s: setting schema version 0.0: %v", database, err)
	}
	if err := db.WriteSchemaUpdateLog("0", "0.0", "", "initial version"); err != nil {
		t.Fatalf("%s: writing the schema update log: %v", database, err)
	}

	// update-schema: every versioned directory in version order.
	fsys := dbschemas.Assets()
	dir := path.Join(schemaName, "versioned")
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		t.Fatalf("reading embedded schema %s: %v", dir, err)
	}
	type version struct {
		dir          string
		major, minor int
	}
	var versions []version
	for _, e := range entries {
		majorS, minorS, ok := strings.Cut(strings.TrimPrefix(e.Name(), "v"), ".")
		major, err1 := strconv.Atoi(majorS)
		minor, err2 := strconv.Atoi(minorS)
		if !e.IsDir() || !ok || err1 != nil || err2 != nil {
			t.Fatalf("unexpected entry %s in embedded schema %s", e.Name(), dir)
		}
		versions = append(versions, version{e.Name(), major, minor})
	}
	slices.SortFunc(versions, func(a, b version) int {
		if a.major != b.major {
			return a.major - b.major
		}
		return a.minor - b.minor
	})
	current := "0.0"
	for _, v := range versions {
		vdir := path.Join(dir, v.dir)
		raw, err := fs.ReadFile(fsys, path.Join(vdir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m schemaManifest
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s/manifest.json: %v", vdir, err)
		}
		if "v"+m.CurrVersion != v.dir {
			t.Fatalf("%s/manifest.json says version %s", vdir, m.CurrVersion)
		}
		var stmts []string
		for _, f := range m.SchemaUpdateCqlFiles {
			b, err := fs.ReadFile(fsys, path.Join(vdir, f))
			if err != nil {
				t.Fatal(err)
			}
			s, err := persistence.LoadAndSplitQueryFromReaders([]io.Reader{bytes.NewReader(b)})
			if err != nil {
				t.Fatalf("parsing %s/%s: %v", vdir, f, err)
			}
			stmts = append(stmts, s...)
		}
		if len(stmts) == 0 && !m.AllowNoCqlFiles {
			t.Fatalf("%s has no statements", vdir)
		}
		for _, s := range stmts {
			if err := db.Exec(s); err != nil {
				t.Fatalf("%s: schema %s: %v\nstatement: %s", database, v.dir, err, s)
			}
		}
		sum := md5.Sum(raw) // #nosec G401
		if err := db.UpdateSchemaVersion(database, m.CurrVersion, m.MinCompatibleVersion); err != nil {
			t.Fatalf("%s: recording schema version %s: %v", database, m.CurrVersion, err)
		}
		if err := db.WriteSchemaUpdateLog(current, m.CurrVersion, hex.EncodeToString(sum[:]), m.Description); err != nil {
			t.Fatalf("%s: writing the schema update log: %v", database, err)
		}
		current = m.CurrVersion
	}
	if err := db.VerifyVersion(); err != nil {
		t.Fatalf("%s: schema %s is at %s, which server 1.32 does not accept: %v", database, schemaName, current, err)
	}
	t.Logf("%s: schema %s at version %s (%d steps) in %v", database, schemaName, current, len(versions),
		time.Since(start).Round(10*time.Millisecond))
}

// serverConfig fills serverConfigTemplate.
type serverConfig struct {
	TemporalDB, VisibilityDB, PGAddr, PGUser, PGPassword, Plugin string

	FrontendGRPC, FrontendHTTP, FrontendMembership int
	HistoryGRPC, HistoryMembership                 int
	MatchingGRPC, MatchingMembership               int
	WorkerGRPC, WorkerMembership                   int

	DynamicConfig string
}

// serverConfigTemplate is a minimal Temporal server configuration: PostgreSQL
// persistence and visibility, one history shard, all services bound to
// 127.0.0.1.
var serverConfigTemplate = template.Must(template.New("server").Parse(`log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 1
  datastores:
    postgres-default:
      sql:
        pluginName: "{{.Plugin}}"
        databaseName: "{{.TemporalDB}}"
        connectAddr: "{{.PGAddr}}"
        connectProtocol: "tcp"
        user: "{{.PGUser}}"
        password: {{printf "%q" .PGPassword}}
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: "1h"
    postgres-visibility:
      sql:
        pluginName: "{{.Plugin}}"
        databaseName: "{{.VisibilityDB}}"
        connectAddr: "{{.PGAddr}}"
        connectProtocol: "tcp"
        user: "{{.PGUser}}"
        password: {{printf "%q" .PGPassword}}
        maxConns: 5
        maxIdleConns: 5
        maxConnLifetime: "1h"

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
  frontend:
    rpc:
      grpcPort: {{.FrontendGRPC}}
      membershipPort: {{.FrontendMembership}}
      httpPort: {{.FrontendHTTP}}
      bindOnIP: "127.0.0.1"
  history:
    rpc:
      grpcPort: {{.HistoryGRPC}}
      membershipPort: {{.HistoryMembership}}
      bindOnIP: "127.0.0.1"
  matching:
    rpc:
      grpcPort: {{.MatchingGRPC}}
      membershipPort: {{.MatchingMembership}}
      bindOnIP: "127.0.0.1"
  worker:
    rpc:
      grpcPort: {{.WorkerGRPC}}
      membershipPort: {{.WorkerMembership}}
      bindOnIP: "127.0.0.1"

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:{{.FrontendGRPC}}"
      httpAddress: "127.0.0.1:{{.FrontendHTTP}}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: "10s"
`))

func writeServerConfig(t *testing.T, file string, sc serverConfig) {
	t.Helper()
	var b bytes.Buffer
	if err := serverConfigTemplate.Execute(&b, sc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitTemporal waits until the frontend at hostPort answers a health check.
func waitTemporal(t *testing.T, p *testbin.Process, hostPort string, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	var lastErr error
	for time.Since(start) < timeout {
		if p.Exited() {
			t.Fatalf("%s exited during start-up: %v", p.Name, p.Err())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Logger: quietSDKLogger()})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
		}
		cancel()
		if err == nil {
			t.Logf("Temporal server healthy after %v", time.Since(start).Round(10*time.Millisecond))
			return
		}
		lastErr = err
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Temporal frontend %s not healthy within %v: %v", hostPort, timeout, lastErr)
}

// waitHTTP200 polls url until it answers 200.
func waitHTTP200(t *testing.T, p *testbin.Process, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := "no answer yet"
	for time.Now().Before(deadline) {
		if p.Exited() {
			t.Fatalf("%s exited: %v", p.Name, p.Err())
		}
		resp, err := httpClient.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%s (%s) did not answer 200 within %v; last: %s", url, p.Name, timeout, last)
}

// waitPollers waits until at least n distinct worker identities poll
// taskQueue (workflow or activity tasks).
func waitPollers(t *testing.T, c client.Client, taskQueue string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var identities []string
	var lastErr error
	for time.Now().Before(deadline) {
		identities = identities[:0]
		for _, tqType := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			resp, err := c.DescribeTaskQueue(ctx, taskQueue, tqType)
			cancel()
			if err != nil {
				lastErr = err
				continue
			}
			for _, p := range resp.GetPollers() {
				if !slices.Contains(identities, p.GetIdentity()) {
					identities = append(identities, p.GetIdentity())
				}
			}
		}
		if len(identities) >= n {
			t.Logf("task queue %q pollers: %v", taskQueue, identities)
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("task queue %q has pollers %v after %v, want %d distinct workers (last error: %v)",
		taskQueue, identities, timeout, n, lastErr)
}

// freePortsBelow returns n distinct free TCP ports on 127.0.0.1 in
// [20000, limit), tried in random order.
func freePortsBelow(t *testing.T, n, limit int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for _, off := range mathrand.Perm(limit - 20000) {
		if len(ports) == n {
			return ports
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+off)))
		if err != nil {
			continue
		}
		ls = append(ls, l)
		ports = append(ports, 20000+off)
	}
	if len(ports) < n {
		t.Fatalf("found only %d free ports in [20000, %d)", len(ports), limit)
	}
	return ports
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
