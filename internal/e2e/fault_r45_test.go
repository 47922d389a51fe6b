//go:build fault

// Fault-injection tests R4 and R5 (build tag "fault"; not part of `go test
// ./...`):
//
//	go test -tags fault -run 'TestFaultR4|TestFaultR5' -v -timeout 20m ./internal/e2e/
//
// R4 stops and restarts a private PostgreSQL cluster (never the shared test
// server on :5432) under a load of acknowledgements against the built
// `tidtam serve`; R5 sends 1,000 concurrent acknowledgements of one
// assignment. Both log the figures docs/RELIABILITY.md quotes.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

const (
	r45AdminPassword = "r45-Admin-pass-0001"
	r45UnitPassword  = "r45-Unit-pass-0001"
)

// r45Env is one running `tidtam serve` with the admin signed in.
type r45Env struct {
	proc     *testbin.Process
	base     string
	temporal string // host:port of the embedded Temporal frontend
	dataDir  string
	dbURL    string // app database as serve sees it
	admin    string // admin bearer token
}

// r45Serve starts `tidtam serve` on a fresh data directory; dbURL empty
// keeps the default SQLite app database in the data directory. serve
// migrates and seeds the app database itself.
func r45Serve(t *testing.T, dbURL string) *r45Env {
	t.Helper()
	bin := binary(t)
	dataDir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	extra := []string{"TIDTAM_ADMIN_PASSWORD=" + r45AdminPassword, "TIDTAM_LOG_LEVEL=warn"}
	if dbURL != "" {
		extra = append(extra, "TIDTAM_DATABASE_URL="+dbURL)
	} else {
		dbURL = "sqlite:" + filepath.Join(dataDir, "tidtam.db")
	}
	e := &r45Env{
		base:     "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		temporal: "127.0.0.1:" + strconv.Itoa(ports[1]),
		dataDir:  dataDir,
		dbURL:    dbURL,
	}
	e.proc = testbin.Start(t, "serve", bin, serveEnv(dataDir, ports[0], ports[1], extra...), "serve")
	e.proc.WaitReady(t, e.base, 90*time.Second, readyPoll)
	e.admin = signIn(t, e.base, "admin", r45AdminPassword)
	return e
}

// provinces returns the codes of the first n seeded provinces, in code
// order.
func (e *r45Env) provinces(t *testing.T, n int) []string {
	t.Helper()
	var page struct {
		Items []unitView `json:"items"`
	}
	if code := apiCall(t, http.MethodGet, e.base+"/api/v1/units?type=province", e.admin, nil, &page); code != http.StatusOK {
		t.Fatalf("GET /api/v1/units?type=province answered %d", code)
	}
	var codes []string
	for _, u := range page.Items {
		codes = append(codes, u.Code)
	}
	sort.Strings(codes)
	if len(codes) < n {
		t.Fatalf("only %d provinces seeded, want at least %d", len(codes), n)
	}
	return codes[:n]
}

// unitAccounts creates one province account per unit code and returns each
// unit's username and bearer token.
func (e *r45Env) unitAccounts(t *testing.T, codes []string) (users, tokens map[string]string) {
	t.Helper()
	users, tokens = map[string]string{}, map[string]string{}
	for _, c := range codes {
		u := "r45-p" + c
		body := map[string]any{"username": u, "password": r45UnitPassword, "role": "province", "unit_code": c}
		if code := apiCall(t, http.MethodPost, e.base+"/api/v1/accounts", e.admin, body, nil); code != http.StatusCreated {
			t.Fatalf("creating account %s answered %d, want 201", u, code)
		}
		users[c] = u
		tokens[c] = signIn(t, e.base, u, r45UnitPassword)
	}
	return users, tokens
}

// issue issues a one-item directive to units as the admin and returns its
// ID.
func (e *r45Env) issue(t *testing.T, docNumber string, units []string) string {
	t.Helper()
	letter := map[string]any{
		"source": "ministry", "issuer": "กระทรวงมหาดไทย", "doc_number": docNumber,
		"issue_date": "๑๗ ธันวาคม ๒๕๖๗", "urgency": "ด่วน", "subject": "ทดสอบความทนทาน (fault test)",
		"items": []map[string]any{{"number": "1", "text": "รายงานผล", "targets": map[string]any{"units": units}, "due_within": "15"}},
	}
	var res struct {
		ID         string `json:"id"`
		UnitsTotal int    `json:"units_total"`
	}
	if code := apiCall(t, http.MethodPost, e.base+"/api/v1/directives", e.admin, letter, &res); code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/directives %s answered %d, want 202", docNumber, code)
	}
	if res.ID == "" || res.UnitsTotal != len(units) {
		t.Fatalf("directive %s accepted as %+v, want an id and %d units", docNumber, res, len(units))
	}
	return res.ID
}

// waitAssignments waits until every directive has perDirective assignment
// rows (an assignment's row is written by its workflow's first save, after
// which it accepts acknowledgements) and until each of those workflows
// answers its state query.
func (e *r45Env) waitAssignments(t *testing.T, tc client.Client, directives []string, perDirective int, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for _, id := range directives {
		for {
			var page struct {
				Total int `json:"total"`
			}
			code := apiCall(t, http.MethodGet, e.base+"/api/v1/assignments?limit=1&directive="+id, e.admin, nil, &page)
			if code == http.StatusOK && page.Total == perDirective {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("directive %s has %d of %d assignments after %v (last answer %d)", id, page.Total, perDirective, timeout, code)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	n := 0
	for _, id := range directives {
		var ids []string
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if code := apiCall(t, http.MethodGet, e.base+"/api/v1/assignments?limit=500&directive="+id, e.admin, nil, &page); code != http.StatusOK {
			t.Fatalf("listing the assignments of %s answered %d", id, code)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		for _, aid := range ids {
			for {
				if _, err := r45QueryState(tc, aid); err == nil {
					break
				} else if time.Now().After(deadline) {
					t.Fatalf("assignment %s does not answer its state query after %v: %v", aid, timeout, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			n++
		}
	}
	t.Logf("%d assignments of %d directives stored and answering after %v", n, len(directives), time.Since(start).Round(10*time.Millisecond))
}

// r45QueryState asks an assignment workflow for its state.
func r45QueryState(tc client.Client, assignmentID string) (workflows.AssignmentState, error) {
	var s workflows.AssignmentState
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	v, err := tc.QueryWorkflow(ctx, assignmentID, "", workflows.QueryState)
	if err != nil {
		return s, err
	}
	return s, v.Get(&s)
}

// r45OpenDB opens the app database serve uses, for the checks.
func r45OpenDB(t *testing.T, dbURL string) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("opening the app database %s: %v", store.Redact(dbURL), err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// r45Counts returns, per assignment ID among ids, how many rows of table
// with the given action the app database holds (column names the
// assignment ID column).
func r45Counts(t *testing.T, db *gorm.DB, table, column, action string, ids []string) map[string]int {
	t.Helper()
	type row struct {
		ID string
		N  int
	}
	out := map[string]int{}
	for chunk := range slices.Chunk(ids, 200) {
		var rows []row
		err := db.Raw("SELECT "+column+" AS id, COUNT(*) AS n FROM "+table+" WHERE action = ? AND "+column+" IN ? GROUP BY "+column,
			action, chunk).Scan(&rows).Error
		if err != nil {
			t.Fatalf("counting %s rows: %v", table, err)
		}
		for _, r := range rows {
			out[r.ID] = r.N
		}
	}
	return out
}

// r45AckRow is an assignment row as the checks read it.
type r45AckRow struct {
	ID             string
	Status         string
	AcknowledgedAt *time.Time
	AcknowledgedBy string
}

func r45Assignments(t *testing.T, db *gorm.DB, ids []string) map[string]r45AckRow {
	t.Helper()
	out := map[string]r45AckRow{}
	for chunk := range slices.Chunk(ids, 200) {
		var rows []r45AckRow
		if err := db.Model(&models.Assignment{}).Select("id, status, acknowledged_at, acknowledged_by").
			Where("id IN ?", chunk).Scan(&rows).Error; err != nil {
			t.Fatalf("reading assignments: %v", err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out
}

// r45CheckAcknowledgedOnce checks that each assignment (ID → username that
// must have acknowledged it) is acknowledged exactly once: the row carries
// acknowledged_at and the user, there is one 'acknowledge' event and one
// 'assignment.acknowledge' audit entry, and the workflow's state agrees
// with the row. It returns the number of assignments that passed.
func r45CheckAcknowledgedOnce(t *testing.T, db *gorm.DB, tc client.Client, want map[string]string) int {
	t.Helper()
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rows := r45Assignments(t, db, ids)
	events := r45Counts(t, db, "assignment_events", "assignment_id", "acknowledge", ids)
	audits := r45Counts(t, db, "audit_events", "entity_id", "assignment.acknowledge", ids)
	good, reported := 0, 0
	report := func(format string, args ...any) {
		if reported++; reported <= 20 {
			t.Errorf(format, args...)
		}
	}
	for _, id := range ids {
		ok := true
		r, found := rows[id]
		switch {
		case !found:
			report("assignment %s: no row in the app database", id)
			ok = false
		case r.AcknowledgedAt == nil || r.Status != string(models.AssignmentAcknowledged) || r.AcknowledgedBy != want[id]:
			report("assignment %s: row is status %q acknowledged_at %v by %q, want acknowledged by %q", id, r.Status, r.AcknowledgedAt, r.AcknowledgedBy, want[id])
			ok = false
		}
		if n := events[id]; n != 1 {
			report("assignment %s: %d 'acknowledge' rows in assignment_events, want exactly 1", id, n)
			ok = false
		}
		if n := audits[id]; n != 1 {
			report("assignment %s: %d 'assignment.acknowledge' rows in audit_events, want exactly 1", id, n)
			ok = false
		}
		s, err := r45QueryState(tc, id)
		switch {
		case err != nil:
			report("assignment %s: state query: %v", id, err)
			ok = false
		case s.AcknowledgedAt == nil || s.AcknowledgedBy != want[id] || s.Status != models.AssignmentAcknowledged:
			report("assignment %s: workflow state is %q acknowledged_at %v by %q, want acknowledged by %q", id, s.Status, s.AcknowledgedAt, s.AcknowledgedBy, want[id])
			ok = false
		case found && r.AcknowledgedAt != nil && r45AbsDiff(r.AcknowledgedAt.Sub(*s.AcknowledgedAt)) > time.Millisecond:
			report("assignment %s: acknowledged_at %v in the database but %v in the workflow", id, r.AcknowledgedAt.UTC(), s.AcknowledgedAt.UTC())
			ok = false
		}
		if ok {
			good++
		}
	}
	if reported > 20 {
		t.Errorf("… and %d more discrepancies", reported-20)
	}
	return good
}

func r45AbsDiff(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// r45Attempt is one HTTP request of a load client.
type r45Attempt struct {
	Job             int
	N               int // attempt number within the job, from 1
	Start           time.Time
	Dur             time.Duration
	Status          int    // 0: transport error
	Code            string // error.code of an error answer
	Err             string // transport error or error message
	AckedAt         *time.Time
	AckedBy         string
	Directive, Unit string
}

// r45Post sends POST url with an empty JSON body as token and returns what
// happened.
func r45Post(hc *http.Client, url, token string) r45Attempt {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"note":"รับทราบ"}`))
	if err != nil {
		return r45Attempt{Err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	a := r45Attempt{Start: time.Now()}
	resp, err := hc.Do(req)
	if err != nil {
		a.Dur, a.Err = time.Since(a.Start), err.Error()
		return a
	}
	raw, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.Dur, a.Status = time.Since(a.Start), resp.StatusCode
	if rerr != nil {
		a.Err = "reading the answer: " + rerr.Error()
		return a
	}
	if resp.StatusCode == http.StatusOK {
		var s workflows.AssignmentState
		if err := json.Unmarshal(raw, &s); err != nil {
			a.Err = "answer is not an assignment state: " + err.Error()
		}
		a.AckedAt, a.AckedBy = s.AcknowledgedAt, s.AcknowledgedBy
		return a
	}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &eb) == nil {
		a.Code, a.Err = eb.Error.Code, eb.Error.Message
	} else {
		a.Err = string(bytes.TrimSpace(raw))
	}
	return a
}

// r45Client is an HTTP client for many concurrent requests to 127.0.0.1
// (no proxy from the environment).
func r45Client(conns int, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}}
}

// r45Durations summarises durations.
type r45Durations []time.Duration

func (d r45Durations) pct(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func (d r45Durations) String() string {
	if len(d) == 0 {
		return "n=0"
	}
	r := func(x time.Duration) time.Duration { return x.Round(100 * time.Microsecond) }
	return fmt.Sprintf("n=%d min %v p50 %v p90 %v p99 %v max %v", len(d), r(d.pct(0)), r(d.pct(0.5)), r(d.pct(0.9)), r(d.pct(0.99)), r(d.pct(1)))
}

// r45Probe is one GET /readyz answer.
type r45Probe struct {
	Start  time.Time
	Dur    time.Duration
	Status int // 0: transport error
	Body   string
}

// r45PollReady polls /readyz every interval until stop is closed and
// returns every answer.
func r45PollReady(base string, interval time.Duration, stop <-chan struct{}) <-chan []r45Probe {
	out := make(chan []r45Probe, 1)
	go func() {
		hc := r45Client(2, 10*time.Second)
		var probes []r45Probe
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			p := r45Probe{Start: time.Now()}
			resp, err := hc.Get(base + "/readyz")
			if err != nil {
				p.Body = err.Error()
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				p.Status, p.Body = resp.StatusCode, string(bytes.TrimSpace(b))
			}
			p.Dur = time.Since(p.Start)
			probes = append(probes, p)
			select {
			case <-stop:
				out <- probes
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestFaultR4PostgresOutageUnderAckLoad (R4): the app database, a private
// PostgreSQL cluster, is stopped (pg_ctl stop -m fast) for 12 s and
// started again while 32 province accounts acknowledge their assignments
// of 10 directives in waves (one every 3 s; the stop lands 30 ms into a
// wave), retrying like a real client on 5xx and connection errors. During the outage the API must answer 503 promptly and /readyz
// must report not ready; afterwards the same serve process must recover;
// at the end every assignment is acknowledged exactly once (row, one event,
// one audit entry, workflow state) and every acknowledgement answered 200
// is in the database.
func TestFaultR4PostgresOutageUnderAckLoad(t *testing.T) {
	const (
		units      = 32
		directives = 10
		// The clients acknowledge in waves: every `pace` each of them sends
		// its next acknowledgement at the same moment, and the database is
		// stopped `intoWave` after the start of a wave, so that some
		// requests are caught in flight (between authentication and the
		// workflow's database write) and others arrive while it is down.
		pace     = 3 * time.Second
		stopWave = 2
		intoWave = 30 * time.Millisecond
		outage   = 12 * time.Second // database down
		// requestBound is the longest an acknowledgement may take: the API
		// waits 30 s for the workflow's Update (api.updateWorkflow).
		requestBound = 35 * time.Second
		loadDeadline = 3 * time.Minute
	)
	_ = binary(t)
	pg := r45StartPostgres(t, "tidtam")
	e := r45Serve(t, pg.URL("tidtam"))
	tc := temporalClient(t, e.temporal, "tidtam")
	codes := e.provinces(t, units)
	users, tokens := e.unitAccounts(t, codes)

	type job struct{ directive, unit string }
	var jobs []job
	var dirIDs []string
	for k := range directives {
		id := e.issue(t, fmt.Sprintf("r4-%d/2568", k+1), codes)
		dirIDs = append(dirIDs, id)
		for _, c := range codes {
			jobs = append(jobs, job{id, c})
		}
	}
	e.waitAssignments(t, tc, dirIDs, units, 3*time.Minute)

	// Load: one client per unit, acknowledging its assignment of each
	// directive in turn, all clients at once every `pace`, retrying 5xx
	// and transport errors with back-off (250 ms doubling to 2 s).
	hc := r45Client(2*units, 60*time.Second)
	stopProbe := make(chan struct{})
	probesC := r45PollReady(e.base, 250*time.Millisecond, stopProbe)
	ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
	defer cancel()
	var (
		mu       sync.Mutex
		attempts []r45Attempt
	)
	loadStart := time.Now()
	var wg sync.WaitGroup
	for ci, c := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range directives {
				ji := k*units + ci
				j := jobs[ji]
				at := loadStart.Add(time.Duration(k) * pace)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(at)):
				}
				url := e.base + "/api/v1/directives/" + j.directive + "/assignments/" + c + "/acknowledge"
				backoff := 250 * time.Millisecond
				for n := 1; ; n++ {
					a := r45Post(hc, url, tokens[c])
					a.Job, a.N, a.Directive, a.Unit = ji, n, j.directive, c
					mu.Lock()
					attempts = append(attempts, a)
					mu.Unlock()
					if a.Status != 0 && a.Status < 500 {
						break // done, or an answer retrying cannot change
					}
					select {
					case <-ctx.Done():
						return
					case <-time.After(backoff):
					}
					backoff = min(2*backoff, 2*time.Second)
				}
			}
		}()
	}

	// The fault: stop the database, keep it down, start it again.
	time.Sleep(time.Until(loadStart.Add(stopWave*pace + intoWave)))
	stopBegin := time.Now()
	if err := pg.Stop("fast"); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	time.Sleep(outage)
	startBegin := time.Now()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	t.Logf("PostgreSQL stopped (pg_ctl stop -m fast) at +%v (took %v), down for %v, started again at +%v (took %v)",
		stopBegin.Sub(loadStart).Round(time.Millisecond), down.Sub(stopBegin).Round(time.Millisecond),
		startBegin.Sub(down).Round(time.Millisecond), startBegin.Sub(loadStart).Round(time.Millisecond), up.Sub(startBegin).Round(time.Millisecond))

	wg.Wait()
	loadEnd := time.Now()
	if ctx.Err() != nil {
		t.Errorf("the load did not finish within %v", loadDeadline)
	}
	// A few more probes after the load, then stop the poller.
	time.Sleep(time.Second)
	close(stopProbe)
	probes := <-probesC
	if e.proc.Exited() {
		t.Fatalf("serve exited during the test: %v", e.proc.Err())
	}

	// ---- (a) the outage as the clients and the probe saw it ----
	status := map[int]int{}
	var outage503, outageOther, inflightAtStop, afterUp []r45Attempt
	var maxDur time.Duration
	var all r45Durations
	for _, a := range attempts {
		status[a.Status]++
		all = append(all, a.Dur)
		maxDur = max(maxDur, a.Dur)
		end := a.Start.Add(a.Dur)
		switch {
		case !a.Start.Before(down) && end.Before(startBegin):
			if a.Status == http.StatusServiceUnavailable {
				outage503 = append(outage503, a)
			} else {
				outageOther = append(outageOther, a)
			}
		case a.Start.Before(stopBegin) && end.After(stopBegin):
			inflightAtStop = append(inflightAtStop, a)
		case !a.Start.Before(up):
			afterUp = append(afterUp, a)
		}
	}
	var codesSeen []string
	for s, n := range status {
		codesSeen = append(codesSeen, fmt.Sprintf("%d×%d", s, n))
	}
	sort.Strings(codesSeen)
	t.Logf("load: %d acknowledgements by %d clients in %v, %d HTTP attempts, answers %s (0 = transport error); all attempts: %v",
		len(jobs), units, loadEnd.Sub(loadStart).Round(time.Millisecond), len(attempts), strings.Join(codesSeen, " "), all)

	var d503 r45Durations
	for _, a := range outage503 {
		d503 = append(d503, a.Dur)
	}
	t.Logf("during the outage: %d attempts answered 503 (latency %v), %d answered otherwise", len(outage503), d503, len(outageOther))
	if len(outage503) == 0 {
		t.Errorf("no acknowledgement was answered 503 while the database was down")
	}
	for i, a := range outageOther {
		if i < 10 {
			t.Errorf("while the database was down, POST …/%s/assignments/%s/acknowledge (attempt %d, +%v) answered %d %s %q after %v, want 503",
				a.Directive, a.Unit, a.N, a.Start.Sub(loadStart).Round(time.Millisecond), a.Status, a.Code, a.Err, a.Dur.Round(time.Millisecond))
		}
	}
	for _, a := range outage503 {
		if a.Code != "unavailable" {
			t.Errorf("a 503 during the outage carries error code %q, want \"unavailable\"", a.Code)
			break
		}
	}
	var inflight []string
	for _, a := range inflightAtStop {
		inflight = append(inflight, fmt.Sprintf("%d after %v", a.Status, a.Dur.Round(time.Millisecond)))
	}
	t.Logf("in flight when the stop began: %d attempts: %s", len(inflightAtStop), strings.Join(inflight, ", "))
	if maxDur > requestBound {
		t.Errorf("the slowest acknowledgement took %v, want at most %v", maxDur.Round(time.Millisecond), requestBound)
	}
	n500 := 0
	for _, a := range attempts {
		if a.Status == 0 || (a.Status >= 500 && a.Status != http.StatusServiceUnavailable) {
			if n500++; n500 <= 10 {
				t.Errorf("POST …/%s/assignments/%s/acknowledge (attempt %d, at +%v, db %s) answered %d %s %q after %v; "+
					"a database outage must be 503 (the client retries), never another 5xx or a dropped connection",
					a.Directive, a.Unit, a.N, a.Start.Sub(loadStart).Round(time.Millisecond), r45Phase(a.Start, stopBegin, down, startBegin, up),
					a.Status, a.Code, a.Err, a.Dur.Round(time.Millisecond))
			}
		}
	}
	if n500 > 10 {
		t.Errorf("… %d such answers in all", n500)
	}

	var probesDown, probesDownNot503 int
	var probeDur r45Durations
	var readyAgain time.Time
	for _, p := range probes {
		probeDur = append(probeDur, p.Dur)
		end := p.Start.Add(p.Dur)
		if !p.Start.Before(down) && end.Before(startBegin) {
			probesDown++
			if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, `"unavailable"`) {
				if probesDownNot503++; probesDownNot503 <= 5 {
					t.Errorf("/readyz answered %d %s while the database was down, want 503 {\"status\":\"unavailable\",…}", p.Status, p.Body)
				}
			}
		}
		if readyAgain.IsZero() && !p.Start.Before(up) && p.Status == http.StatusOK {
			readyAgain = end
		}
	}
	t.Logf("/readyz: %d probes (latency %v), %d while the database was down (%d not 503)", len(probes), probeDur, probesDown, probesDownNot503)
	if probesDown == 0 {
		t.Error("no /readyz probe completed while the database was down")
	}
	if p := probeDur.pct(1); p > 5*time.Second {
		t.Errorf("the slowest /readyz took %v, want at most 5 s (its checks are bounded by 3 s)", p.Round(time.Millisecond))
	}

	// ---- (b) recovery without restarting serve ----
	if readyAgain.IsZero() {
		t.Errorf("/readyz never answered 200 again after PostgreSQL was back")
	} else {
		t.Logf("recovery: /readyz 200 again %v after PostgreSQL accepted connections", readyAgain.Sub(up).Round(time.Millisecond))
		if d := readyAgain.Sub(up); d > 30*time.Second {
			t.Errorf("/readyz took %v after PostgreSQL was back to answer 200, want at most 30 s", d.Round(time.Millisecond))
		}
	}
	var firstOK time.Time
	var afterUpDur r45Durations
	for _, a := range afterUp {
		afterUpDur = append(afterUpDur, a.Dur)
		if a.Status == http.StatusOK && (firstOK.IsZero() || a.Start.Add(a.Dur).Before(firstOK)) {
			firstOK = a.Start.Add(a.Dur)
		}
	}
	if firstOK.IsZero() {
		t.Errorf("no acknowledgement started after the restart was answered 200")
	} else {
		t.Logf("recovery: first acknowledgement sent after the restart answered 200 %v after PostgreSQL was back; attempts after the restart: %v",
			firstOK.Sub(up).Round(time.Millisecond), afterUpDur)
	}
	if probes[len(probes)-1].Status != http.StatusOK {
		t.Errorf("/readyz at the end answered %d %s, want 200", probes[len(probes)-1].Status, probes[len(probes)-1].Body)
	}

	// ---- (c) every acknowledgement recorded exactly once ----
	final := map[int]r45Attempt{}  // job → its last attempt
	failedBefore := map[int]bool{} // job had a 5xx or transport error
	for _, a := range attempts {
		if p, ok := final[a.Job]; !ok || a.N > p.N {
			final[a.Job] = a
		}
		if a.Status == 0 || a.Status >= 500 {
			failedBefore[a.Job] = true
		}
	}
	want := map[string]string{}
	var ok200, recovered409 int
	for ji, j := range jobs {
		id := workflows.AssignmentWorkflowID(j.directive, j.unit)
		want[id] = users[j.unit]
		a, found := final[ji]
		switch {
		case !found:
			t.Errorf("acknowledgement %s was never sent", id)
		case a.Status == http.StatusOK:
			ok200++
			if a.AckedAt == nil || a.AckedBy != users[j.unit] {
				t.Errorf("acknowledgement %s answered 200 with acknowledged_at %v by %q", id, a.AckedAt, a.AckedBy)
			}
		case a.Status == http.StatusConflict && failedBefore[ji]:
			// An earlier attempt failed from the client's view but its
			// Update went on and committed once the database was back.
			recovered409++
			t.Logf("acknowledgement %s: attempt %d answered 409 (%s) after an earlier failed attempt: the earlier attempt's acknowledgement was committed", id, a.N, a.Err)
		default:
			t.Errorf("acknowledgement %s ended with %d %s %q after %d attempts", id, a.Status, a.Code, a.Err, a.N)
		}
	}
	db := r45OpenDB(t, e.dbURL)
	good := r45CheckAcknowledgedOnce(t, db, tc, want)
	for _, a := range attempts {
		if a.Status == http.StatusOK && a.AckedAt != nil {
			var row r45AckRow
			if err := db.Model(&models.Assignment{}).Select("id, status, acknowledged_at, acknowledged_by").
				Where("id = ?", workflows.AssignmentWorkflowID(a.Directive, a.Unit)).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.AcknowledgedAt == nil || r45AbsDiff(row.AcknowledgedAt.Sub(*a.AckedAt)) > time.Millisecond {
				t.Errorf("acknowledgement of %s/%s answered 200 with acknowledged_at %v, the database has %v", a.Directive, a.Unit, a.AckedAt, row.AcknowledgedAt)
			}
		}
	}
	t.Logf("R4 figures: outage %v (pg_ctl stop -m fast took %v, start %v); %d acknowledgements by %d clients, %d HTTP attempts; "+
		"%d answered 503 during the outage (latency p50 %v, max %v), %d other 5xx/transport errors in the whole run; "+
		"readyz 200 again %v after restart, first 200 acknowledgement %v after restart; "+
		"final: %d answered 200, %d answered 409 after an earlier failed attempt, %d/%d recorded exactly once; serve not restarted",
		startBegin.Sub(down).Round(time.Millisecond), down.Sub(stopBegin).Round(time.Millisecond), up.Sub(startBegin).Round(time.Millisecond),
		len(jobs), units, len(attempts), len(outage503), d503.pct(0.5).Round(100*time.Microsecond), d503.pct(1).Round(100*time.Microsecond), n500,
		r45Since(readyAgain, up), r45Since(firstOK, up), ok200, recovered409, good, len(jobs))
}

// r45Phase names where t falls in the outage timeline.
func r45Phase(t, stopBegin, down, startBegin, up time.Time) string {
	switch {
	case t.Before(stopBegin):
		return "up"
	case t.Before(down):
		return "stopping"
	case t.Before(startBegin):
		return "down"
	case t.Before(up):
		return "starting"
	}
	return "up again"
}

func r45Since(t, from time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Sub(from).Round(time.Millisecond).String()
}

// TestFaultR5DuplicateAcknowledgements (R5): 1,000 concurrent POST
// …/acknowledge of the same assignment by its unit's account, released at
// once, on the default SQLite app database and on PostgreSQL (a private
// cluster). Exactly one must be answered 200 and every other 409
// (conflict, already acknowledged), none 5xx; the database must hold one
// 'acknowledge' event and one audit entry, and the workflow one
// acknowledgement.
func TestFaultR5DuplicateAcknowledgements(t *testing.T) {
	_ = binary(t)
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dbURL := ""
			if kind == "postgres" {
				dbURL = r45StartPostgres(t, "tidtam").URL("tidtam")
			}
			r45DuplicateAcks(t, r45Serve(t, dbURL), 1000)
		})
	}
}

func r45DuplicateAcks(t *testing.T, e *r45Env, n int) {
	tc := temporalClient(t, e.temporal, "tidtam")
	const unit = "50" // เชียงใหม่
	users, tokens := e.unitAccounts(t, []string{unit})
	dir := e.issue(t, "r5-1/2568", []string{unit})
	e.waitAssignments(t, tc, []string{dir}, 1, 2*time.Minute)
	id := workflows.AssignmentWorkflowID(dir, unit)
	url := e.base + "/api/v1/directives/" + dir + "/assignments/" + unit + "/acknowledge"

	hc := r45Client(n, 2*time.Minute)
	gate := make(chan struct{})
	results := make([]r45Attempt, n)
	var ready, wg sync.WaitGroup
	for i := range n {
		ready.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-gate
			results[i] = r45Post(hc, url, tokens[unit])
		}()
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	wg.Wait()
	wall := time.Since(start)

	byStatus := map[int]int{}
	var lat, lat409 r45Durations
	var winner *r45Attempt
	bad := 0
	for i, a := range results {
		byStatus[a.Status]++
		lat = append(lat, a.Dur)
		switch {
		case a.Status == http.StatusOK:
			if winner == nil {
				winner = &results[i]
			}
		case a.Status == http.StatusConflict && a.Code == "conflict":
			lat409 = append(lat409, a.Dur)
		default:
			if bad++; bad <= 10 {
				t.Errorf("request %d answered %d %s %q after %v, want 200 once and 409 conflict otherwise", i, a.Status, a.Code, a.Err, a.Dur.Round(time.Millisecond))
			}
		}
	}
	if bad > 10 {
		t.Errorf("… %d such answers in all", bad)
	}
	var seen []string
	for s, c := range byStatus {
		seen = append(seen, fmt.Sprintf("%d×%d", s, c))
	}
	sort.Strings(seen)
	if byStatus[http.StatusOK] != 1 {
		t.Errorf("%d requests answered 200, want exactly 1", byStatus[http.StatusOK])
	}
	if winner != nil && (winner.AckedAt == nil || winner.AckedBy != users[unit]) {
		t.Errorf("the 200 answer says acknowledged_at %v by %q, want by %q", winner.AckedAt, winner.AckedBy, users[unit])
	}
	// The 409s carry the first acknowledgement's time and actor.
	for _, a := range results {
		if a.Status == http.StatusConflict && !strings.Contains(a.Err, users[unit]) {
			t.Errorf("a 409 does not name who acknowledged first: %q", a.Err)
			break
		}
	}

	db := r45OpenDB(t, e.dbURL)
	good := r45CheckAcknowledgedOnce(t, db, tc, map[string]string{id: users[unit]})
	if winner != nil && winner.AckedAt != nil {
		row := r45Assignments(t, db, []string{id})[id]
		if row.AcknowledgedAt == nil || r45AbsDiff(row.AcknowledgedAt.Sub(*winner.AckedAt)) > time.Millisecond {
			t.Errorf("the 200 answer says acknowledged_at %v, the database has %v", winner.AckedAt, row.AcknowledgedAt)
		}
	}
	accepted, completed, rejectedInHandler := r45UpdateEvents(t, tc, id)
	var winnerLat time.Duration
	if winner != nil {
		winnerLat = winner.Dur
	}
	t.Logf("R5 figures (%s): %d concurrent acknowledgements of one assignment in %v: answers %s; 200 after %v; "+
		"all latencies %v; 409 latencies %v; workflow history: %d updates accepted, %d completed (%d of them rejected by the handler "+
		"after the validator let them through); database: %d/1 assignment recorded exactly once",
		r45Kind(e.dbURL), n, wall.Round(time.Millisecond), strings.Join(seen, " "), winnerLat.Round(time.Millisecond),
		lat, lat409, accepted, completed, rejectedInHandler, good)
	if e.proc.Exited() {
		t.Errorf("serve exited during the test: %v", e.proc.Err())
	}
}

func r45Kind(dbURL string) string {
	if strings.HasPrefix(dbURL, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// r45UpdateEvents counts the Update events in the workflow's history:
// accepted, completed, and completed with a failure.
func r45UpdateEvents(t *testing.T, tc client.Client, workflowID string) (accepted, completed, failed int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	types := map[string]int{}
	defer func() { t.Logf("history of %s: %v", workflowID, types) }()
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Errorf("reading the history of %s: %v", workflowID, err)
			return
		}
		types[ev.GetEventType().String()]++
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			accepted++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			completed++
			if ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetOutcome().GetFailure() != nil {
				failed++
			}
		}
	}
	return accepted, completed, failed
}
