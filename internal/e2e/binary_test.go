// Package e2e tests tidtam as a user deploys it: the built binary started as
// separate processes, the docker-compose.yml production topology checked
// statically, and that topology exercised with real processes (a Temporal
// server built from go.mod, the test PostgreSQL of storetest). With -short
// only the static checks run: nothing is built or started.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/tidtam/tidtam/internal/fixtures"
	"github.com/tidtam/tidtam/internal/testbin"
)

// tidtamBin is the binary TestMain built from ./cmd/tidtam; empty when the
// build failed, and then buildErr holds the compiler output.
var (
	tidtamBin string
	buildErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if testing.Short() {
		return m.Run() // the binary's tests skip themselves
	}
	dir, err := os.MkdirTemp("", "tidtam-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := testbin.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// Built once for every test. A failure is reported by the tests that
	// need the binary, so the compose checks still run.
	tidtamBin, buildErr = testbin.Build(root, dir)
	return m.Run()
}

// binary returns the path of the built tidtam binary or fails the test. With
// -short it skips the test instead: those runs build nothing.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the built binary; skipped with -short")
	}
	if tidtamBin == "" {
		t.Fatalf("the tidtam binary did not build: %v", buildErr)
	}
	return tidtamBin
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := testbin.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// childEnv returns this process's environment without any TIDTAM_* or
// TEMPORAL_* variable (a developer's shell must not leak into the test),
// plus the given NAME=value pairs.
func childEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !isOwnEnv(name) {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// readyPoll is how often the tests poll /readyz while a process starts.
const readyPoll = 200 * time.Millisecond

// apiCall sends a JSON request and decodes a JSON answer into out (when
// non-nil). It returns the status code; a transport error fails the test.
func apiCall(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: answer is not the expected JSON: %v\n%s", method, url, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s → %d %s", method, url, resp.StatusCode, bytes.TrimSpace(raw))
	}
	return resp.StatusCode
}

// signIn logs in as username and returns the bearer token.
func signIn(t *testing.T, base, username, password string) string {
	t.Helper()
	var res struct {
		Token     string          `json:"token"`
		ExpiresAt string          `json:"expires_at"`
		Account   json.RawMessage `json:"account"`
	}
	code := apiCall(t, http.MethodPost, base+"/api/v1/auth/login", "",
		map[string]string{"username": username, "password": password}, &res)
	if code != http.StatusOK {
		t.Fatalf("sign-in as %q answered %d, want 200", username, code)
	}
	if res.Token == "" || res.ExpiresAt == "" || len(res.Account) == 0 {
		t.Fatalf("sign-in answer lacks token, expires_at or account: %+v", res)
	}
	return res.Token
}

// unitView is the part of a unit the tests check.
type unitView struct {
	Code             string  `json:"code"`
	Type             string  `json:"type"`
	NameTH           string  `json:"name_th"`
	NameEN           string  `json:"name_en"`
	ISOCode          string  `json:"iso_code"`
	InspectionRegion *int    `json:"inspection_region"`
	ParentCode       *string `json:"parent_code"`
}

// checkProvinces lists the provinces with token and checks there are the 77
// of Thailand, Bangkok among them as seeded.
func checkProvinces(t *testing.T, base, token string) {
	t.Helper()
	var page struct {
		Items []unitView `json:"items"`
		Total int        `json:"total"`
	}
	if code := apiCall(t, http.MethodGet, base+"/api/v1/units?type=province", token, nil, &page); code != http.StatusOK {
		t.Fatalf("GET /api/v1/units?type=province answered %d, want 200", code)
	}
	if page.Total != 77 || len(page.Items) != 77 {
		t.Fatalf("provinces: total %d, %d items; want 77 and 77", page.Total, len(page.Items))
	}
	for _, u := range page.Items {
		if u.Type != "province" {
			t.Errorf("unit %s in the province list has type %q", u.Code, u.Type)
		}
		if u.Code != "10" {
			continue
		}
		if u.NameEN != "Bangkok" || u.NameTH != "กรุงเทพมหานคร" || u.ISOCode != "TH-10" ||
			u.InspectionRegion == nil || *u.InspectionRegion != 0 || u.ParentCode == nil || *u.ParentCode != "ONCB" {
			t.Errorf("Bangkok is seeded as %+v, want code 10, กรุงเทพมหานคร, Bangkok, TH-10, region 0, parent ONCB", u)
		}
		return
	}
	t.Error("province 10 (Bangkok) is not in the list")
}

// generatedPasswordRE finds an announced generated admin password: a line
// mentioning a password that carries a 16-character word drawn from the
// generator's alphabet (internal/auth: no 0/O, 1/l/I).
var generatedPasswordRE = regexp.MustCompile(`(?i:password)[^\n]*?\b([A-HJ-NP-Za-km-z2-9]{16})\b`)

// temporalClient dials a Temporal frontend with the SDK's logging off.
func temporalClient(t *testing.T, hostPort, namespace string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		Logger:    quietSDKLogger(),
	})
	if err != nil {
		t.Fatalf("dialling Temporal at %s: %v", hostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

// quietSDKLogger keeps the Temporal SDK's client logging out of test output.
func quietSDKLogger() sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
}

// serveEnv is the environment of a `tidtam serve` on dataDir.
func serveEnv(dataDir string, httpPort, temporalPort int, extra ...string) []string {
	return childEnv(append([]string{
		"TIDTAM_DATA_DIR=" + dataDir,
		"TIDTAM_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(httpPort),
		"TIDTAM_EMBEDDED_TEMPORAL_PORT=" + strconv.Itoa(temporalPort),
		"TIDTAM_LOG_LEVEL=info",
	}, extra...)...)
}

// TestServeRestartSurvivesKill9 runs the all-in-one `tidtam serve`, writes
// to both of its stores, kills it with SIGKILL and starts it again on the
// same data directory: everything written must still be there, and the
// admin account must not be created (nor a password generated) again.
func TestServeRestartSurvivesKill9(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	httpPort, temporalPort := ports[0], ports[1]
	base := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	temporalAddr := "127.0.0.1:" + strconv.Itoa(temporalPort)
	const password = "e2e-Restart-pass-0001"

	first := testbin.Start(t, "serve (first start)", bin,
		serveEnv(dataDir, httpPort, temporalPort, "TIDTAM_ADMIN_PASSWORD="+password), "serve")
	first.WaitReady(t, base, 60*time.Second, readyPoll)
	if !first.Printed(base, 5*time.Second) {
		t.Errorf("serve did not print its URL %s on start", base)
	}
	if m := generatedPasswordRE.FindStringSubmatch(first.Out.String()); m != nil {
		t.Errorf("serve printed a generated password although TIDTAM_ADMIN_PASSWORD was set: %q", m[0])
	}
	token := signIn(t, base, "admin", password)
	checkProvinces(t, base, token)

	// Durable writes: an app DB row through the API, a workflow in the
	// embedded Temporal server (on a task queue no worker polls, so it
	// stays open), and the session token itself.
	const holidayDate = "2099-12-31"
	holiday := map[string]string{"name_th": "วันทดสอบ e2e", "name_en": "e2e restart probe"}
	if code := apiCall(t, http.MethodPut, base+"/api/v1/holidays/"+holidayDate, token, holiday, nil); code != http.StatusOK {
		t.Fatalf("PUT /api/v1/holidays/%s answered %d, want 200", holidayDate, code)
	}
	tc := temporalClient(t, temporalAddr, "tidtam")
	wfID := fmt.Sprintf("e2e-restart-probe-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       wfID,
		TaskQueue:                "e2e-restart-probe",
		WorkflowExecutionTimeout: time.Hour,
	}, "E2ERestartProbe"); err != nil {
		t.Fatalf("starting a probe workflow in the embedded Temporal server (namespace tidtam): %v", err)
	}
	checkDataDir(t, dataDir)

	// kill -9: no shutdown hooks, no flushing.
	first.Kill()
	if st, ok := first.Cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() || st.Signal() != syscall.SIGKILL {
		t.Fatalf("first serve ended with %v before SIGKILL reached it", first.Err())
	}

	// Same data dir, no TIDTAM_ADMIN_PASSWORD: the admin exists, so nothing
	// may be generated and the original password must still work.
	second := testbin.Start(t, "serve (after kill -9)", bin, serveEnv(dataDir, httpPort, temporalPort), "serve")
	second.WaitReady(t, base, 60*time.Second, readyPoll)
	second.Printed(base, 5*time.Second) // all start-up output is in before the ready line
	if m := generatedPasswordRE.FindStringSubmatch(second.Out.String()); m != nil {
		t.Errorf("the second start printed a new generated password (the admin already existed): %q", m[0])
	}
	checkProvinces(t, base, token) // the session from before the kill
	token2 := signIn(t, base, "admin", password)
	checkProvinces(t, base, token2)

	var holidays struct {
		Items []struct {
			Date   string `json:"date"`
			NameTH string `json:"name_th"`
		} `json:"items"`
	}
	if code := apiCall(t, http.MethodGet, base+"/api/v1/holidays?year=2099", token2, nil, &holidays); code != http.StatusOK {
		t.Fatalf("GET /api/v1/holidays?year=2099 answered %d, want 200", code)
	}
	found := false
	for _, h := range holidays.Items {
		found = found || (h.Date == holidayDate && h.NameTH == holiday["name_th"])
	}
	if !found {
		t.Errorf("the holiday %s written before kill -9 is gone after restart: %+v", holidayDate, holidays.Items)
	}

	tc2 := temporalClient(t, temporalAddr, "tidtam")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	desc, err := tc2.DescribeWorkflowExecution(ctx2, wfID, "")
	if err != nil {
		t.Fatalf("the probe workflow started before kill -9 is gone after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the probe workflow is %v after restart, want RUNNING", st)
	}

	if !second.Stop(20 * time.Second) {
		t.Error("serve did not stop within 20 s of SIGTERM")
	}
}

// TestServeGeneratesAdminPasswordOnce starts `tidtam serve` on a new data
// directory without TIDTAM_ADMIN_PASSWORD: it must print a generated
// password that signs in. This also proves generatedPasswordRE recognises
// the announcement, which the restart test relies on to see none.
func TestServeGeneratesAdminPasswordOnce(t *testing.T) {
	bin := binary(t)
	dataDir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	base := "http://127.0.0.1:" + strconv.Itoa(ports[0])

	p := testbin.Start(t, "serve (new data dir)", bin, serveEnv(dataDir, ports[0], ports[1]), "serve")
	p.WaitReady(t, base, 60*time.Second, readyPoll)
	p.Printed(base, 5*time.Second) // the ready line comes after the password's
	m := generatedPasswordRE.FindStringSubmatch(p.Out.String())
	if m == nil {
		t.Fatal("serve on a new data dir without TIDTAM_ADMIN_PASSWORD printed no generated password " +
			"(want a line mentioning the password with the 16-character password on it)")
	}
	token := signIn(t, base, "admin", m[1])
	checkProvinces(t, base, token)
	checkIssueToEveryUnit(t, base, token)
	if !p.Stop(20 * time.Second) {
		t.Error("serve did not stop within 20 s of SIGTERM")
	}
}

// checkIssueToEveryUnit issues the MOI letter (items for all provinces and
// all district centres) on a fresh start with no import step: the shipped
// reference data must resolve it to 77 + 878 = 955 units, and the fan-out
// must assign all of them.
func checkIssueToEveryUnit(t *testing.T, base, token string) {
	t.Helper()
	var accepted struct {
		ID         string `json:"id"`
		UnitsTotal int    `json:"units_total"`
	}
	letter := fixtures.MOILetter("ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", fixtures.PilotProvinces)
	if code := apiCall(t, http.MethodPost, base+"/api/v1/directives", token, letter, &accepted); code != http.StatusAccepted {
		t.Fatalf("issuing the MOI letter on a fresh start answered %d, want 202", code)
	}
	if accepted.UnitsTotal != 955 {
		t.Fatalf("the MOI letter reaches %d units on a fresh start, want 955 (77 provinces + 878 district centres)", accepted.UnitsTotal)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var d struct {
			UnitsAssigned int `json:"units_assigned"`
		}
		// 404 until the directive workflow has stored the directive.
		if code := apiCall(t, http.MethodGet, base+"/api/v1/directives/"+accepted.ID, token, nil, &d); code != http.StatusOK && code != http.StatusNotFound {
			t.Fatalf("GET /api/v1/directives/%s answered %d", accepted.ID, code)
		}
		if d.UnitsAssigned == 955 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 955 units assigned after 3 minutes", d.UnitsAssigned)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkDataDir checks that both stores live under the data directory: the
// app's tidtam.db and the embedded Temporal server's SQLite file.
func checkDataDir(t *testing.T, dataDir string) {
	t.Helper()
	var appDB, others []string
	_ = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() == 0 {
			return nil
		}
		rel, _ := filepath.Rel(dataDir, p)
		if strings.HasPrefix(rel, "tidtam.db") {
			appDB = append(appDB, rel)
		} else {
			others = append(others, rel)
		}
		return nil
	})
	if len(appDB) == 0 {
		t.Errorf("no tidtam.db in the data dir %s", dataDir)
	}
	if len(others) == 0 {
		t.Errorf("nothing but %v in the data dir: the embedded Temporal store is not under TIDTAM_DATA_DIR", appDB)
	}
}
