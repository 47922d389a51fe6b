//go:build fault

package e2e

// Helpers of the fault-injection tests R2 and R3 (fault_r23_test.go): a
// `tidtam serve` on a fixed data directory that can be killed and started
// again, mailing through a real SMTP server (internal/notify/notifytest)
// run inside the test process, and read-only looks at the app database
// and at what the SMTP server received. Every top-level name starts with
// r23 so that the other fault tests of this package can be written next to
// these without clashes.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/testbin"
	"github.com/tidtam/tidtam/models"
)

// SMTP credentials the test server accepts and serve is given.
const (
	r23SMTPUser     = "tidtam"
	r23SMTPPassword = "r23-smtp-secret"
	r23AdminPass    = "e2e-Fault-r23-admin-01"
	r23UserPass     = "e2e-Fault-r23-user-001"
)

// r23Bangkok is Asia/Bangkok (UTC+7, no daylight saving time), without
// depending on the system's zone database.
var r23Bangkok = time.FixedZone("ICT", 7*3600)

// r23DigestTime is a TIDTAM_DIGEST_TIME twelve hours from now, so the daily
// digest never fires during a test and adds mail nobody expects.
func r23DigestTime() string {
	at := time.Now().In(r23Bangkok).Add(12 * time.Hour)
	if at.Hour() == 0 && at.Minute() == 0 {
		at = at.Add(time.Minute)
	}
	return fmt.Sprintf("%02d:%02d", at.Hour(), at.Minute())
}

// r23SMTP returns a test SMTP server (plain text, AUTH PLAIN/LOGIN with the
// r23 credentials), not yet listening; rcpt, when set, is asked about each
// recipient.
func r23SMTP(t *testing.T, rcpt func(to string) error) *notifytest.Server {
	return notifytest.New(t, notifytest.Options{
		Users: map[string]string{r23SMTPUser: r23SMTPPassword},
		TLS:   notifytest.TLSNone,
		Rcpt:  rcpt,
	})
}

// r23Serve is a `tidtam serve` on one data directory and fixed ports,
// mailing through the SMTP server on smtpPort; it can be killed and
// started again.
type r23Serve struct {
	t            *testing.T
	bin          string
	dataDir      string
	base         string
	temporalAddr string
	env          []string

	mu   sync.Mutex
	proc *testbin.Process
	runs int
}

// r23NewServe prepares (does not start) a serve on a new data directory.
func r23NewServe(t *testing.T, smtpPort int) *r23Serve {
	t.Helper()
	bin := binary(t)
	dataDir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	return &r23Serve{
		t: t, bin: bin, dataDir: dataDir,
		base:         "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		temporalAddr: "127.0.0.1:" + strconv.Itoa(ports[1]),
		env: serveEnv(dataDir, ports[0], ports[1],
			"TIDTAM_ADMIN_PASSWORD="+r23AdminPass,
			"TIDTAM_SMTP_HOST=127.0.0.1",
			"TIDTAM_SMTP_PORT="+strconv.Itoa(smtpPort),
			"TIDTAM_SMTP_TLS=none",
			"TIDTAM_SMTP_AUTH=plain",
			"TIDTAM_SMTP_USERNAME="+r23SMTPUser,
			"TIDTAM_SMTP_PASSWORD="+r23SMTPPassword,
			"TIDTAM_SMTP_FROM=tidtam@oncb.test",
			"TIDTAM_DIGEST_TIME="+r23DigestTime(),
		),
	}
}

// start starts serve and waits until it is ready; it returns how long that
// took.
func (s *r23Serve) start() time.Duration {
	s.t.Helper()
	s.mu.Lock()
	s.runs++
	name := fmt.Sprintf("serve (run %d)", s.runs)
	s.mu.Unlock()
	began := time.Now()
	p := testbin.Start(s.t, name, s.bin, s.env, "serve")
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	p.WaitReady(s.t, s.base, 90*time.Second, readyPoll)
	return time.Since(began)
}

// kill9 sends SIGKILL to the running serve and waits until it is gone; it
// fails the test if the process had ended before for another reason.
func (s *r23Serve) kill9() {
	s.t.Helper()
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		s.t.Fatal("kill9: serve is not running")
	}
	if p.Exited() {
		s.t.Fatalf("%s had already exited before kill -9: %v", p.Name, p.Err())
	}
	p.Kill()
	if st, ok := p.Cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() || st.Signal() != syscall.SIGKILL {
		s.t.Fatalf("%s ended with %v before SIGKILL reached it", p.Name, p.Err())
	}
}

// r23Account is an account the tests create through the API.
type r23Account struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
	UnitCode string `json:"unit_code,omitempty"`
	Regions  []int  `json:"regions,omitempty"`
	Email    string `json:"email"`
	Position string `json:"position,omitempty"`
}

// r23CreateAccounts creates accounts through POST /api/v1/accounts.
func r23CreateAccounts(t *testing.T, base, adminToken string, accounts []r23Account) {
	t.Helper()
	for _, a := range accounts {
		if code := apiCall(t, http.MethodPost, base+"/api/v1/accounts", adminToken, a, nil); code != http.StatusCreated {
			t.Fatalf("creating account %s answered %d, want 201", a.Username, code)
		}
	}
}

// r23Policy is a directive's drill policy (ISO-8601 spans).
type r23Policy struct {
	AckWithin   string   `json:"ack_within"`
	Reminders   []string `json:"reminders"`
	Escalations []string `json:"escalations"`
}

// r23IssueDirective issues a one-item directive to units (province codes)
// with policy, the item due within dueWithin; it returns the directive ID.
func r23IssueDirective(t *testing.T, base, token, docNumber string, units []string, policy r23Policy, dueWithin string) string {
	t.Helper()
	letter := map[string]any{
		"source":     "oncb",
		"issuer":     "ONCB",
		"doc_number": docNumber,
		"issue_date": time.Now().In(r23Bangkok).Format(time.DateOnly),
		"urgency":    "ด่วนที่สุด",
		"subject":    "ซ้อมแผนทดสอบความทนทาน " + docNumber,
		"policy":     policy,
		"items": []map[string]any{{
			"number": 1, "text": "รายงานผลการซ้อมแผน", "due_within": dueWithin,
			"targets": map[string]any{"units": units},
		}},
	}
	var res struct {
		ID         string `json:"id"`
		UnitsTotal int    `json:"units_total"`
	}
	if code := apiCall(t, http.MethodPost, base+"/api/v1/directives", token, letter, &res); code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/directives answered %d, want 202", code)
	}
	if res.ID == "" || res.UnitsTotal != len(units) {
		t.Fatalf("directive accepted as %+v, want an id and %d units", res, len(units))
	}
	return res.ID
}

// r23DB is what the tests read from the app database.
type r23DB struct {
	Units         map[string]models.Unit
	Assignments   []models.Assignment
	Notifications []models.Notification
	Deliveries    []models.Delivery
	Escalations   []models.Escalation
	Events        []models.AssignmentEvent
}

// r23Load reads the app database of dataDir (SQLite, WAL: reading next to
// a running serve is safe) and closes it again, so no connection outlives
// a kill or a restart.
func r23Load(t *testing.T, dataDir string) r23DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dataDir, "tidtam.db"))
	if err != nil {
		t.Fatalf("opening the app database: %v", err)
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	db = db.WithContext(ctx)
	var out r23DB
	var units []models.Unit
	for _, q := range []struct {
		what string
		run  func() *gorm.DB
	}{
		{"units", func() *gorm.DB { return db.Order("code").Find(&units) }},
		{"assignments", func() *gorm.DB { return db.Order("id").Find(&out.Assignments) }},
		{"notifications", func() *gorm.DB { return db.Order("created_at").Order("id").Find(&out.Notifications) }},
		{"deliveries", func() *gorm.DB { return db.Order("id").Find(&out.Deliveries) }},
		{"escalations", func() *gorm.DB { return db.Order("id").Find(&out.Escalations) }},
		{"assignment_events", func() *gorm.DB { return db.Order("assignment_id").Order("seq").Find(&out.Events) }},
	} {
		if err := q.run().Error; err != nil {
			t.Fatalf("reading %s: %v", q.what, err)
		}
	}
	out.Units = map[string]models.Unit{}
	for _, u := range units {
		out.Units[u.Code] = u
	}
	return out
}

// notification returns the notification with id.
func (d r23DB) notification(id string) (models.Notification, bool) {
	for _, n := range d.Notifications {
		if n.ID == id {
			return n, true
		}
	}
	return models.Notification{}, false
}

// r23Data decodes a notification's data (a JSON object of strings).
func r23Data(t *testing.T, n models.Notification) map[string]string {
	t.Helper()
	data, err := notify.DecodeData(n.Data)
	if err != nil {
		t.Fatalf("notification %s: data is not JSON: %v", n.ID, err)
	}
	out := map[string]string{}
	for k, v := range data {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// r23Key names a notification by what it is about rather than by its ID:
// "unit|kind" plus "|reminder N" or "|level N".
func r23Key(t *testing.T, n models.Notification) string {
	t.Helper()
	d := r23Data(t, n)
	key := d[notify.DataUnitCode] + "|" + n.Kind
	switch n.Kind {
	case notify.KindReminder:
		key += "|reminder " + d[notify.DataReminder]
	case notify.KindOverdue, notify.KindEscalation:
		key += "|level " + d[notify.DataLevel]
	}
	return key
}

// r23Mail counts what the SMTP server accepted, by Message-ID and
// envelope recipient ("<id@…>|address" → copies; a message without a
// Message-ID is an error), and the total of (message, recipient) pairs.
func r23Mail(t *testing.T, msgs []notifytest.Message) (counts map[string]int, total int) {
	t.Helper()
	counts = map[string]int{}
	for i, m := range msgs {
		parsed, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Errorf("message %d received by the SMTP server is not RFC 5322: %v", i, err)
			continue
		}
		id := parsed.Header.Get("Message-Id")
		if id == "" {
			t.Errorf("message %d (to %v) has no Message-ID", i, m.To)
		}
		for _, to := range m.To {
			counts[id+"|"+strings.ToLower(to)]++
			total++
		}
	}
	return counts, total
}

// r23Expected is what must arrive: the e-mail deliveries of the given
// notifications, keyed as r23Mail keys them.
func r23Expected(d r23DB, notifications []models.Notification) map[string]string {
	ids := map[string]bool{}
	for _, n := range notifications {
		ids[n.ID] = true
	}
	want := map[string]string{} // mail key → delivery ID
	for _, del := range d.Deliveries {
		if del.Channel == models.ChannelEmail && ids[del.NotificationID] {
			want[notify.MessageID(del.NotificationID)+"|"+strings.ToLower(del.Recipient)] = del.ID
		}
	}
	return want
}

// r23CheckExactlyOnce compares what the SMTP server received with the
// e-mail deliveries of every notification in the database: each exactly
// once, nothing else. It returns the number of duplicate copies (beyond
// the first), of messages no delivery accounts for and of deliveries never
// received, and reports each as an error.
func r23CheckExactlyOnce(t *testing.T, d r23DB, msgs []notifytest.Message) (duplicates, unexpected, missing int) {
	t.Helper()
	got, _ := r23Mail(t, msgs)
	want := r23Expected(d, d.Notifications)
	byMsgID := map[string]string{}
	for _, n := range d.Notifications {
		byMsgID[notify.MessageID(n.ID)] = n.ID
	}
	describe := func(key string) string {
		id, rcpt, _ := strings.Cut(key, "|")
		if nid, ok := byMsgID[id]; ok {
			if n, ok := d.notification(nid); ok {
				return fmt.Sprintf("%s (%s, %s) to %s", nid, n.Kind, r23Key(t, n), rcpt)
			}
		}
		return key
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range got {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		n := got[k]
		if _, ok := want[k]; !ok {
			unexpected += n
			t.Errorf("the SMTP server received %d message(s) no delivery row accounts for: %s", n, describe(k))
			continue
		}
		if n > 1 {
			duplicates += n - 1
			t.Errorf("DUPLICATE: the SMTP server received %d copies of %s", n, describe(k))
		}
	}
	for k, did := range want {
		if got[k] == 0 {
			missing++
			t.Errorf("LOST: delivery %s was never received by the SMTP server", did)
		}
	}
	return duplicates, unexpected, missing
}

// r23Eventually polls cond every interval until it reports done, failing
// the test with cond's last description after timeout.
func r23Eventually(t *testing.T, timeout, interval time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := "not checked yet"
	for {
		ok, desc := cond()
		if ok {
			return time.Since(start)
		}
		last = desc
		if time.Since(start) > timeout {
			t.Fatalf("%s: not reached within %v; last state: %s", what, timeout, last)
		}
		time.Sleep(interval)
	}
}

// r23Rel formats at relative to t0 in seconds, e.g. "T+12.3s".
func r23Rel(t0, at time.Time) string {
	return fmt.Sprintf("T%+.1fs", at.Sub(t0).Seconds())
}
