//go:build fault

package e2e

// Fault-injection tests R2 and R3 of the reliability plan, against the
// built binary (`tidtam serve`, embedded Temporal, SQLite) mailing through
// a real SMTP server run in this process:
//
//   - R2: kill -9 the all-in-one while reminders and escalations are
//     pending, restart; each fires exactly once.
//   - R3: the SMTP server is down for a while, then up: every notification
//     is delivered, none twice, none marked failed.
//
// Run with: go test -tags fault -run 'TestFaultR2|TestFaultR3' -v -timeout 20m ./internal/e2e/

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// r23Trap holds every RCPT the SMTP server receives while armed until it
// is released, so a test can kill serve in the middle of an SMTP
// conversation: the message is then never accepted, and its send is in
// flight at the kill.
type r23Trap struct {
	mu      sync.Mutex
	armed   bool
	hit     chan string
	release chan struct{}
	once    sync.Once
}

func r23NewTrap(t *testing.T) *r23Trap {
	tr := &r23Trap{hit: make(chan string, 1), release: make(chan struct{})}
	t.Cleanup(tr.open)
	return tr
}

func (tr *r23Trap) arm() {
	tr.mu.Lock()
	tr.armed = true
	tr.mu.Unlock()
}

// open disarms the trap and lets every held RCPT go on (answered 451).
func (tr *r23Trap) open() {
	tr.once.Do(func() {
		tr.mu.Lock()
		tr.armed = false
		tr.mu.Unlock()
		close(tr.release)
	})
}

func (tr *r23Trap) rcpt(to string) error {
	tr.mu.Lock()
	if !tr.armed {
		tr.mu.Unlock()
		return nil
	}
	select {
	case tr.hit <- to:
	default:
	}
	tr.mu.Unlock()
	<-tr.release
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "test: mail system going away"}
}

// r23People creates, for each unit, a staff account and a governor (both
// with e-mail), and one inspector per inspection region of the units. It
// returns the e-mail addresses of each unit's accounts, of its governor and
// of the inspectors of its region.
func r23People(t *testing.T, base, admin, domain string, d r23DB, units []string) (unitMail, govMail, inspMail map[string][]string) {
	t.Helper()
	unitMail, govMail, inspMail = map[string][]string{}, map[string][]string{}, map[string][]string{}
	var accounts []r23Account
	regions := map[int]bool{}
	for _, u := range units {
		unit, ok := d.Units[u]
		if !ok || unit.InspectionRegion == nil {
			t.Fatalf("unit %s is not a seeded province with an inspection region", u)
		}
		staff, gov := "staff-"+u+"@"+domain, "gov-"+u+"@"+domain
		accounts = append(accounts,
			r23Account{Username: "staff-" + u, Password: r23UserPass, Role: "province", UnitCode: u, Email: staff},
			r23Account{Username: "gov-" + u, Password: r23UserPass, Role: "province", UnitCode: u, Email: gov, Position: "governor"})
		unitMail[u] = []string{staff, gov}
		if unit.Email != "" {
			unitMail[u] = append(unitMail[u], strings.ToLower(unit.Email))
		}
		govMail[u] = []string{gov}
		r := *unit.InspectionRegion
		insp := "insp-r" + strconv.Itoa(r) + "@" + domain
		inspMail[u] = []string{insp}
		if !regions[r] {
			regions[r] = true
			accounts = append(accounts, r23Account{Username: "insp-r" + strconv.Itoa(r), Password: r23UserPass,
				Role: "inspector", Regions: []int{r}, Email: insp})
		}
	}
	r23CreateAccounts(t, base, admin, accounts)
	return unitMail, govMail, inspMail
}

// r23Directive selects the rows of one directive.
type r23Directive struct {
	id string
}

func (dv r23Directive) assignments(d r23DB) []models.Assignment {
	var out []models.Assignment
	for _, a := range d.Assignments {
		if a.DirectiveID == dv.id {
			out = append(out, a)
		}
	}
	return out
}

func (dv r23Directive) notifications(d r23DB) []models.Notification {
	var out []models.Notification
	for _, n := range d.Notifications {
		if strings.HasPrefix(n.ID, "assignment/"+dv.id+"/") {
			out = append(out, n)
		}
	}
	return out
}

// byKey groups notifications by r23Key.
func r23ByKey(t *testing.T, ns []models.Notification) map[string][]models.Notification {
	out := map[string][]models.Notification{}
	for _, n := range ns {
		k := r23Key(t, n)
		out[k] = append(out[k], n)
	}
	return out
}

// r23EnqueuedOnce checks that each notice in keys was enqueued exactly
// once and returns the notices by key.
func r23EnqueuedOnce(t *testing.T, ns []models.Notification, keys []string) map[string][]models.Notification {
	t.Helper()
	byKey := r23ByKey(t, ns)
	for _, k := range keys {
		if n := len(byKey[k]); n != 1 {
			t.Errorf("notice %s enqueued %d times, want once", k, n)
		}
	}
	return byKey
}

// r23DeliveriesCompleted checks that the delivery workflow of every
// notification in ns has completed.
func r23DeliveriesCompleted(ctx context.Context, t *testing.T, tc client.Client, ns []models.Notification) {
	t.Helper()
	for _, n := range ns {
		desc, err := tc.DescribeWorkflowExecution(ctx, notify.DeliveryWorkflowID(n.ID, 0), "")
		if err != nil {
			t.Errorf("delivery workflow of %s: %v", n.ID, err)
		} else if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			t.Errorf("delivery workflow of %s is %v, want COMPLETED", n.ID, st)
		}
	}
}

// r23Delivered reports whether every notification with a key in keys
// exists and is delivered; a failed one fails the test at once.
func r23Delivered(t *testing.T, ns []models.Notification, keys ...string) (bool, string) {
	t.Helper()
	byKey := r23ByKey(t, ns)
	var waiting []string
	for _, k := range keys {
		list := byKey[k]
		if len(list) == 0 {
			waiting = append(waiting, k+" (not yet enqueued)")
			continue
		}
		for _, n := range list {
			switch n.Status {
			case models.NotificationFailed:
				t.Fatalf("notification %s (%s) was marked failed", n.ID, k)
			case models.NotificationDelivered:
			default:
				waiting = append(waiting, k+" ("+n.Status+")")
			}
		}
	}
	return len(waiting) == 0, fmt.Sprintf("waiting for %v", waiting)
}

// r23UnitKeys are the keys of the notices each unit gets from the R2
// policy: the assignment, the acknowledgement overdue notice unless the
// unit acknowledged, two reminders, the overdue notice (level 1) and
// escalation levels 2 and 3.
func r23UnitKeys(u string, acked bool) []string {
	keys := []string{u + "|" + notify.KindAssigned}
	if !acked {
		keys = append(keys, u+"|"+notify.KindAckOverdue)
	}
	return append(keys, u+"|reminder|reminder 1", u+"|reminder|reminder 2",
		u+"|overdue|level 1", u+"|escalation|level 2", u+"|escalation|level 3")
}

// r23SleepUntil sleeps until at (at once when it has passed).
func r23SleepUntil(at time.Time) {
	if d := time.Until(at); d > 0 {
		time.Sleep(d)
	}
}

// TestFaultR2KillWithPendingTimers: a directive to four provinces with a
// drill policy (acknowledge within 12 s; item due after 30 s, reminders 18
// and 9 s before it; escalation levels at the due, +10 s and +20 s), two
// provinces acknowledging and two not. serve is killed with SIGKILL three
// times: (1) before any timer has fired, staying down while the
// acknowledgement deadline and the first reminder pass; (2) in the middle
// of the ladder, after level 1 and before level 2; (3) in the middle of the
// SMTP conversation of a level-2 mail, right after its timer fired. After
// the ladder has run out, every notice must have been enqueued once,
// received once per recipient by the SMTP server, and every escalation
// level opened once per unit.
func TestFaultR2KillWithPendingTimers(t *testing.T) {
	const (
		ackWithin = 12 * time.Second
		dueWithin = 30 * time.Second
	)
	policy := r23Policy{AckWithin: "PT12S", Reminders: []string{"PT18S", "PT9S"}, Escalations: []string{"PT0S", "PT10S", "PT20S"}}
	// When each timer is due, from the assignment's start.
	due := map[string]time.Duration{
		"ack_overdue": ackWithin,
		"reminder 1":  dueWithin - 18*time.Second,
		"reminder 2":  dueWithin - 9*time.Second,
		"level 1":     dueWithin,
		"level 2":     dueWithin + 10*time.Second,
		"level 3":     dueWithin + 20*time.Second,
	}
	units := []string{"20", "21", "50", "57"}
	acked := map[string]bool{"20": true, "50": true}

	trap := r23NewTrap(t)
	mailSrv := r23SMTP(t, trap.rcpt)
	mailSrv.Start()
	s := r23NewServe(t, mailSrv.Port())
	firstReady := s.start()
	admin := signIn(t, s.base, "admin", r23AdminPass)
	unitMail, govMail, inspMail := r23People(t, s.base, admin, "r2.test", r23Load(t, s.dataDir), units)
	tokens := map[string]string{}
	for u := range acked {
		tokens[u] = signIn(t, s.base, "staff-"+u, r23UserPass)
	}

	var dv r23Directive
	dv.id = r23IssueDirective(t, s.base, admin, fmt.Sprintf("ทดสอบ R2/%d", time.Now().UnixNano()), units, policy, "PT30S")
	var t0 time.Time
	r23Eventually(t, 30*time.Second, 50*time.Millisecond, "all assignments started", func() (bool, string) {
		as := dv.assignments(r23Load(t, s.dataDir))
		if len(as) < len(units) {
			return false, fmt.Sprintf("%d of %d assignments", len(as), len(units))
		}
		t0 = as[0].CreatedAt
		for _, a := range as {
			if a.CreatedAt.Before(t0) {
				t0 = a.CreatedAt
			}
		}
		return true, ""
	})
	t.Logf("directive %s issued to %v; T = first assignment start; serve first ready in %v", dv.id, units, firstReady.Round(10*time.Millisecond))
	for u := range acked {
		url := s.base + "/api/v1/directives/" + dv.id + "/assignments/" + u + "/acknowledge"
		if code := apiCall(t, http.MethodPost, url, tokens[u], map[string]string{"note": "รับทราบ"}, nil); code != http.StatusOK {
			t.Fatalf("acknowledging for %s answered %d, want 200", u, code)
		}
	}
	var assignedKeys []string
	for _, u := range units {
		assignedKeys = append(assignedKeys, u+"|"+notify.KindAssigned)
	}
	r23Eventually(t, 30*time.Second, 100*time.Millisecond, "assignment notices delivered", func() (bool, string) {
		return r23Delivered(t, dv.notifications(r23Load(t, s.dataDir)), assignedKeys...)
	})

	type killPoint struct {
		what        string
		at, readyAt time.Time
		ready       time.Duration
	}
	var kills []killPoint
	restart := func(k *killPoint, downUntil time.Time) {
		r23SleepUntil(downUntil)
		k.ready = s.start()
		k.readyAt = time.Now()
		kills = append(kills, *k)
	}
	timerActions := func(d r23DB) (n int) {
		for _, e := range d.Events {
			if strings.HasPrefix(e.AssignmentID, "assignment/"+dv.id+"/") && e.Actor == "system" {
				n++
			}
		}
		return n
	}

	// Kill 1: every timer is pending. Stay down past the acknowledgement
	// deadline and the first reminder.
	r23SleepUntil(t0.Add(6 * time.Second))
	k1 := killPoint{what: "before any timer fired (all 6 per unit pending)", at: time.Now()}
	s.kill9()
	if n := timerActions(r23Load(t, s.dataDir)); n != 0 {
		t.Fatalf("kill 1 came too late: %d timers had fired already (the test machine is too slow for this timeline)", n)
	}
	restart(&k1, t0.Add(16*time.Second))

	// Kill 2: level 1 fired and delivered, levels 2 and 3 pending.
	var l1Keys []string
	for _, u := range units {
		l1Keys = append(l1Keys, r23UnitKeys(u, acked[u])[:len(r23UnitKeys(u, acked[u]))-2]...)
	}
	r23Eventually(t, 40*time.Second, 100*time.Millisecond, "notices up to level 1 delivered", func() (bool, string) {
		return r23Delivered(t, dv.notifications(r23Load(t, s.dataDir)), l1Keys...)
	})
	r23SleepUntil(t0.Add(due["level 1"] + 3*time.Second))
	k2 := killPoint{what: "mid-ladder: level 1 done, levels 2 and 3 pending", at: time.Now()}
	s.kill9()
	for _, e := range r23Load(t, s.dataDir).Escalations {
		if e.Level >= 2 {
			t.Fatalf("kill 2 came too late: escalation %s (level %d) was already open", e.ID, e.Level)
		}
	}
	restart(&k2, t0.Add(due["level 1"]+6*time.Second))

	// Kill 3: in the SMTP conversation of the first level-2 mail.
	trap.arm()
	var trapped string
	select {
	case trapped = <-trap.hit:
	case <-time.After(time.Until(t0.Add(due["level 2"] + 30*time.Second))):
		t.Fatal("no level-2 mail reached the SMTP server within 30 s of its due time")
	}
	k3 := killPoint{what: "during the SMTP conversation (RCPT TO " + trapped + ") of a level-2 escalation mail", at: time.Now()}
	s.kill9()
	trap.open()
	if !slices.ContainsFunc(units, func(u string) bool { return slices.Contains(govMail[u], trapped) }) {
		t.Errorf("the trapped RCPT went to %s, want a governor (level 2): the timeline is off", trapped)
	}
	restart(&k3, time.Now().Add(3*time.Second))

	// The ladder runs out at level 3; sends interrupted by kill 3 come
	// back after their start-to-close timeout (2 min) and a back-off.
	var allKeys []string
	for _, u := range units {
		allKeys = append(allKeys, r23UnitKeys(u, acked[u])...)
	}
	settled := r23Eventually(t, 4*time.Minute, 250*time.Millisecond, "every notice delivered", func() (bool, string) {
		d := r23Load(t, s.dataDir)
		if ok, desc := r23Delivered(t, dv.notifications(d), allKeys...); !ok {
			return false, desc
		}
		want := len(r23Expected(d, d.Notifications))
		_, got := r23Mail(t, mailSrv.Messages())
		return got >= want, fmt.Sprintf("%d of %d mails received", got, want)
	})
	doneAt := time.Now()
	time.Sleep(3 * time.Second) // let a late duplicate show up, if any
	d := r23Load(t, s.dataDir)
	ns := dv.notifications(d)

	// 1. Each notice enqueued exactly once, and nothing else.
	byKey := r23EnqueuedOnce(t, ns, allKeys)
	for k, list := range byKey {
		if !slices.Contains(allKeys, k) {
			t.Errorf("unexpected notice %s enqueued %d time(s): %s", k, len(list), list[0].ID)
		}
	}
	if len(d.Notifications) != len(ns) {
		for _, n := range d.Notifications {
			if !strings.HasPrefix(n.ID, "assignment/"+dv.id+"/") {
				t.Errorf("a notification not from the directive was enqueued: %s (%s)", n.ID, n.Kind)
			}
		}
	}

	// 2. Each delivered to exactly the expected addresses, each marked sent.
	for k, list := range byKey {
		u, kind, _ := strings.Cut(k, "|")
		want := unitMail[u]
		switch {
		case strings.HasSuffix(kind, "level 2"):
			want = govMail[u]
		case strings.HasSuffix(kind, "level 3"):
			want = inspMail[u]
		}
		for _, n := range list {
			if n.Status != models.NotificationDelivered {
				t.Errorf("notification %s (%s) is %s, want delivered", n.ID, k, n.Status)
			}
			var got []string
			for _, del := range d.Deliveries {
				if del.NotificationID != n.ID {
					continue
				}
				got = append(got, strings.ToLower(del.Recipient))
				if del.Channel != models.ChannelEmail || del.Status != models.DeliverySent {
					t.Errorf("delivery %s is %s over %s, want sent by e-mail (last error %q)", del.ID, del.Status, del.Channel, del.LastError)
				}
			}
			slices.Sort(got)
			w := slices.Sorted(slices.Values(want))
			if !slices.Equal(got, w) {
				t.Errorf("notice %s was addressed to %v, want %v", k, got, w)
			}
		}
	}

	// 3. What the SMTP server received: each delivery exactly once.
	msgs := mailSrv.Messages()
	dups, unexpected, missing := r23CheckExactlyOnce(t, d, msgs)

	// 4. The escalation ladder: levels 1, 2 and 3 once per unit; the
	// timers of each assignment fired once each.
	escalations := map[string]int{}
	for _, e := range d.Escalations {
		escalations[e.ID]++
	}
	for _, u := range units {
		aid := workflows.AssignmentWorkflowID(dv.id, u)
		for level := 1; level <= 3; level++ {
			id := workflows.EscalationID(aid, 1, 1, level, 0)
			if escalations[id] != 1 {
				t.Errorf("escalation %s: %d rows, want 1", id, escalations[id])
			}
			delete(escalations, id)
		}
		actions := map[string]int{}
		for _, e := range d.Events {
			if e.AssignmentID == aid {
				actions[e.Action]++
			}
		}
		want := map[string]int{"assign": 1, "reminder": 2, "escalate": 3}
		if acked[u] {
			want["acknowledge"] = 1
		} else {
			want["ack_overdue"] = 1
		}
		if fmt.Sprint(actions) != fmt.Sprint(want) {
			t.Errorf("assignment %s events by action: %v, want %v", aid, actions, want)
		}
	}
	for id, n := range escalations {
		t.Errorf("unexpected escalation %s (%d rows)", id, n)
	}

	// 5. One delivery workflow per notification, completed; the
	// assignments still open (nobody reported).
	tc := temporalClient(t, s.temporalAddr, "tidtam")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r23DeliveriesCompleted(ctx, t, tc, ns)
	for _, u := range units {
		desc, err := tc.DescribeWorkflowExecution(ctx, workflows.AssignmentWorkflowID(dv.id, u), "")
		if err != nil {
			t.Errorf("assignment workflow of %s: %v", u, err)
		} else if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("assignment workflow of %s is %v, want RUNNING", u, st)
		}
	}

	// Figures for docs/RELIABILITY.md.
	t.Logf("R2 figures: %d units (%d acknowledged), %d notices enqueued (want %d), %d e-mail deliveries, "+
		"%d messages received by the SMTP server, duplicates %d, unexpected %d, lost %d",
		len(units), len(acked), len(ns), len(allKeys), len(r23Expected(d, ns)), len(msgs), dups, unexpected, missing)
	for i, k := range kills {
		t.Logf("R2 kill %d at %s: %s; serve ready again at %s (%.1fs after the kill, start-up %.1fs)",
			i+1, r23Rel(t0, k.at), k.what, r23Rel(t0, k.readyAt), k.readyAt.Sub(k.at).Seconds(), k.ready.Seconds())
	}
	r23LogTimers(t, d, dv, t0, due, kills[0].at, kills[0].readyAt)
	retried := 0
	var lastSent time.Time
	for _, del := range d.Deliveries {
		if del.Attempts > 1 {
			retried++
			t.Logf("R2 delivery %s to %s: %d attempts, sent at %s", del.NotificationID, del.Recipient, del.Attempts, r23Rel(t0, *del.SentAt))
		}
		if del.SentAt != nil && del.SentAt.After(lastSent) {
			lastSent = *del.SentAt
		}
	}
	t.Logf("R2: %d deliveries needed more than one attempt; last mail sent at %s, %.1fs after the restart that followed kill 3; "+
		"everything settled %.1fs after kill 3 (%s)",
		retried, r23Rel(t0, lastSent), lastSent.Sub(kills[2].readyAt).Seconds(), doneAt.Sub(kills[2].at).Seconds(), settled.Round(time.Second))
}

// r23LogTimers logs, per timer kind, when the timers fired compared with
// when they were due, and which were due while serve was down (from down
// to up).
func r23LogTimers(t *testing.T, d r23DB, dv r23Directive, t0 time.Time, due map[string]time.Duration, down, up time.Time) {
	t.Helper()
	type span struct {
		n                int
		maxLate, sumLate time.Duration
		duringDown       int
	}
	byKind := map[string]*span{}
	for _, n := range dv.notifications(d) {
		k := r23Key(t, n)
		_, kind, _ := strings.Cut(k, "|")
		kind = strings.TrimPrefix(strings.TrimPrefix(kind, "reminder|"), "overdue|")
		kind = strings.TrimPrefix(kind, "escalation|")
		offset, ok := due[kind]
		if !ok {
			continue
		}
		var start time.Time
		for _, a := range d.Assignments {
			if a.ID == r23Data(t, n)[notify.DataAssignmentID] {
				start = a.CreatedAt
			}
		}
		if start.IsZero() {
			continue
		}
		at := start.Add(offset)
		late := n.CreatedAt.Sub(at)
		sp := byKind[kind]
		if sp == nil {
			sp = &span{}
			byKind[kind] = sp
		}
		sp.n++
		sp.sumLate += late
		sp.maxLate = max(sp.maxLate, late)
		if at.After(down) && at.Before(up) {
			sp.duringDown++
		}
	}
	for _, kind := range []string{"ack_overdue", "reminder 1", "reminder 2", "level 1", "level 2", "level 3"} {
		if sp := byKind[kind]; sp != nil {
			t.Logf("R2 timer %-11s due T+%2.0fs: %d notices (one per assignment), late by %.1fs on average, at most %.1fs (%d due while serve was down)",
				kind, due[kind].Seconds(), sp.n, (sp.sumLate / time.Duration(sp.n)).Seconds(), sp.maxLate.Seconds(), sp.duringDown)
		}
	}
}

// TestFaultR3SMTPDownThenUp: serve mails to an SMTP port where nothing
// listens while a directive to five provinces produces notices (the
// assignment at once, the acknowledgement overdue notice 20 s later). Once
// every delivery has failed at least twice, the SMTP server comes up:
// every notice must then be delivered, each exactly once per recipient,
// and none marked failed. The retry schedule is the production default
// (TIDTAM_NOTIFY_RETRY_WINDOW unset: 24 h window, back-off from 30 s
// doubling up to 1 h).
func TestFaultR3SMTPDownThenUp(t *testing.T) {
	units := []string{"10", "20", "21", "50", "57"}
	mailSrv := r23SMTP(t, nil) // reserved port, not listening yet
	s := r23NewServe(t, mailSrv.Port())
	s.start()
	started := time.Now()
	admin := signIn(t, s.base, "admin", r23AdminPass)
	unitMail, _, _ := r23People(t, s.base, admin, "r3.test", r23Load(t, s.dataDir), units)

	var dv r23Directive
	policy := r23Policy{AckWithin: "PT20S", Reminders: []string{}, Escalations: []string{"PT0S", "PT1H", "PT2H"}}
	dv.id = r23IssueDirective(t, s.base, admin, fmt.Sprintf("ทดสอบ R3/%d", time.Now().UnixNano()), units, policy, "PT1H")
	var keys []string
	wantMails := 0
	for _, u := range units {
		keys = append(keys, u+"|"+notify.KindAssigned, u+"|"+notify.KindAckOverdue)
		wantMails += 2 * len(unitMail[u])
	}

	// Down: wait until every delivery exists and has failed twice.
	var t0 time.Time
	r23Eventually(t, 3*time.Minute, 250*time.Millisecond, "every delivery tried twice against the dead SMTP port", func() (bool, string) {
		d := r23Load(t, s.dataDir)
		for _, a := range dv.assignments(d) {
			if t0.IsZero() || a.CreatedAt.Before(t0) {
				t0 = a.CreatedAt
			}
		}
		ns := dv.notifications(d)
		if len(ns) < len(keys) {
			return false, fmt.Sprintf("%d of %d notices enqueued", len(ns), len(keys))
		}
		dels := 0
		for _, del := range d.Deliveries {
			if del.Status != models.DeliveryPending {
				t.Fatalf("delivery %s is %s while the SMTP server is down (last error %q)", del.ID, del.Status, del.LastError)
			}
			if del.Attempts < 2 || del.LastError == "" {
				return false, fmt.Sprintf("delivery %s: %d attempts, last error %q", del.ID, del.Attempts, del.LastError)
			}
			dels++
		}
		return dels == wantMails, fmt.Sprintf("%d of %d deliveries", dels, wantMails)
	})
	if n := mailSrv.Connections(); n != 0 {
		t.Fatalf("the SMTP server had %d connections while it was not listening", n)
	}
	sample := ""
	for _, del := range r23Load(t, s.dataDir).Deliveries {
		sample = del.LastError
		break
	}
	upAt := time.Now()
	mailSrv.Start()
	t.Logf("R3: SMTP server down for %.1fs of serve's run (T%+.1fs to T%+.1fs); a failed attempt records: %s",
		upAt.Sub(started).Seconds(), started.Sub(t0).Seconds(), upAt.Sub(t0).Seconds(), sample)

	recovered := r23Eventually(t, 4*time.Minute, 250*time.Millisecond, "every notice delivered after the SMTP server came up", func() (bool, string) {
		d := r23Load(t, s.dataDir)
		if ok, desc := r23Delivered(t, dv.notifications(d), keys...); !ok {
			return false, desc
		}
		_, got := r23Mail(t, mailSrv.Messages())
		return got >= wantMails, fmt.Sprintf("%d of %d mails received", got, wantMails)
	})
	time.Sleep(3 * time.Second) // let a late duplicate show up, if any
	d := r23Load(t, s.dataDir)
	ns := dv.notifications(d)

	r23EnqueuedOnce(t, ns, keys)
	if len(ns) != len(keys) || len(d.Notifications) != len(ns) {
		t.Errorf("%d notifications (%d of the directive), want %d", len(d.Notifications), len(ns), len(keys))
	}
	failed, attempts := 0, map[int]int{}
	var lastSent time.Time
	for _, n := range d.Notifications {
		if n.Status != models.NotificationDelivered {
			t.Errorf("notification %s is %s, want delivered", n.ID, n.Status)
		}
	}
	for _, del := range d.Deliveries {
		attempts[del.Attempts]++
		if del.Status == models.DeliveryFailed {
			failed++
		}
		if del.Status != models.DeliverySent {
			t.Errorf("delivery %s is %s, want sent (last error %q)", del.ID, del.Status, del.LastError)
		} else if del.SentAt.After(lastSent) {
			lastSent = *del.SentAt
		}
	}
	msgs := mailSrv.Messages()
	dups, unexpected, missing := r23CheckExactlyOnce(t, d, msgs)
	var alerts []string
	if err := r23AdminAlerts(t, s, admin, &alerts); err != nil {
		t.Error(err)
	}
	for _, a := range alerts {
		t.Errorf("the admins were alerted although only the connection failed: %s", a)
	}

	tc := temporalClient(t, s.temporalAddr, "tidtam")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r23DeliveriesCompleted(ctx, t, tc, ns)

	t.Logf("R3 figures: %d notices, %d e-mail deliveries, %d messages received by the SMTP server, duplicates %d, "+
		"unexpected %d, lost %d, failed %d; attempts per delivery (attempts → deliveries) %v; all delivered %.1fs after "+
		"the SMTP server came up (last mail sent at T%+.1fs; %d SMTP connections)",
		len(ns), len(d.Deliveries), len(msgs), dups, unexpected, missing, failed, attempts,
		recovered.Seconds(), lastSent.Sub(t0).Seconds(), mailSrv.Connections())
}

// r23AdminAlerts collects the SMTP configuration alerts in the admin's
// inbox (GET /api/v1/inbox).
func r23AdminAlerts(t *testing.T, s *r23Serve, token string, alerts *[]string) error {
	t.Helper()
	var page struct {
		Items []struct {
			Kind  string `json:"kind"`
			Title string `json:"title"`
		} `json:"items"`
	}
	if code := apiCall(t, http.MethodGet, s.base+"/api/v1/inbox?limit=100", token, nil, &page); code != http.StatusOK {
		return fmt.Errorf("GET /api/v1/inbox answered %d, want 200", code)
	}
	for _, it := range page.Items {
		if it.Kind == notify.KindSMTPConfig {
			*alerts = append(*alerts, it.Title)
		}
	}
	return nil
}
