package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// fakeDNS answers look-ups from a table, so no test depends on real DNS;
// a name may have several answers, given in turn (the last one repeats),
// which is how DNS rebinding looks to tidtam.
type fakeDNS struct {
	mu      sync.Mutex
	answers map[string][][]string
	asked   map[string]int
}

func newFakeDNS(answers map[string][][]string) *fakeDNS {
	return &fakeDNS{answers: answers, asked: map[string]int{}}
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq, ok := f.answers[host]
	if !ok {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	i := min(f.asked[host], len(seq)-1)
	f.asked[host]++
	var out []netip.Addr
	for _, s := range seq[i] {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

// TestWebhookPolicyRefuses: the strict policy refuses every URL that could
// reach the server's own network or tidtam itself, and accepts a public
// https host; allowances open exactly what they name.
func TestWebhookPolicyRefuses(t *testing.T) {
	dns := newFakeDNS(map[string][][]string{
		"hooks.example.com":        {{"93.184.216.34"}},
		"rebind.example.com":       {{"127.0.0.1"}},
		"mixed.example.com":        {{"93.184.216.34", "10.1.2.3"}},
		"metadata.google.internal": {{"169.254.169.254"}},
		"tidtam.example.go.th":     {{"93.184.216.35"}},
		"intranet":                 {{"10.0.0.9"}},
	})
	strict := &notify.WebhookPolicy{Resolver: dns, SelfAddrs: []string{"tidtam.example.go.th:443"}}
	ctx := t.Context()
	for _, raw := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"https://169.254.169.254/latest/meta-data/",
		"https://10.0.0.5/hook",
		"https://192.168.1.10/hook",
		"https://172.16.0.1/hook",
		"https://[::1]/hook",
		"https://[fd00::1]/hook",
		"https://[fe80::1]/hook",
		"https://localhost/hook",
		"https://LOCALHOST./hook",
		"https://0.0.0.0/hook",
		"https://2130706433/hook",
		"https://0x7f.1/hook",
		"https://017700000001/hook",
		"https://127.1/hook",
		"https://[::ffff:127.0.0.1]/hook",
		"https://[64:ff9b::7f00:1]/hook",
		"https://[64:ff9b:1::a00:5]/hook",
		"https://224.0.0.1/hook",
		"https://100.100.100.200/latest/meta-data/",
		"https://metadata.google.internal/computeMetadata/v1/",
		"https://tidtam.example.go.th/api/v1/auth/login",
		"https://user:secret@hooks.example.com/hook",
		"https://user@hooks.example.com/hook",
		"http://hooks.example.com/hook",
		"ftp://hooks.example.com/hook",
		"file:///etc/passwd",
		"https://intranet/hook",
		"https://rebind.example.com/hook",
		"https://mixed.example.com/hook",
		"https://nx.example.com/hook",
		"https://ตัวอย่าง.ไทย/hook",
		"/relative",
	} {
		err := strict.Check(ctx, raw)
		if !errors.Is(err, notify.ErrWebhookRefused) {
			t.Errorf("Check(%q) = %v, want refused", raw, err)
		}
	}
	if err := strict.Check(ctx, "https://hooks.example.com/hook"); err != nil {
		t.Errorf("public https host refused: %v", err)
	}
	if err := strict.Check(ctx, "https://93.184.216.34:8443/hook"); err != nil {
		t.Errorf("public https address refused: %v", err)
	}
	if err := strict.Check(ctx, "https://tidtam.example.go.th:8443/other-service"); err != nil {
		t.Errorf("another port of tidtam's host refused: %v", err)
	}

	// Allowances open what they name and nothing else.
	allowing := &notify.WebhookPolicy{Resolver: dns,
		AllowHTTPHosts: []string{"hooks.example.com", "intranet", "10.0.0.5"},
		AllowPrivate:   []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("169.254.0.0/16")}}
	for _, raw := range []string{"http://hooks.example.com/hook", "https://10.0.0.5/hook", "http://10.0.0.5:8080/in", "http://intranet/hook"} {
		if err := allowing.Check(ctx, raw); err != nil {
			t.Errorf("allowed %q refused: %v", raw, err)
		}
	}
	for _, raw := range []string{"http://10.0.0.6/in", "https://10.1.2.3/hook", "https://169.254.169.254/latest/", "https://mixed.example.com/",
		"https://[::1]/hook", "http://user:pw@hooks.example.com/"} {
		if err := allowing.Check(ctx, raw); !errors.Is(err, notify.ErrWebhookRefused) {
			t.Errorf("Check(%q) with allowances = %v, want refused", raw, err)
		}
	}
}

// TestWebhookRefusedAtSendTime: a name that resolved to a public address
// when the webhook was registered and resolves to loopback when a
// notification is sent (DNS rebinding) is refused by the dialer: ErrConfig,
// and the receiver gets nothing. With loopback allowed the same request
// arrives, so the dialer really connects where the resolver says.
func TestWebhookRefusedAtSendTime(t *testing.T) {
	recv := newWebhookReceiver(t, "s", http.StatusOK)
	u, _ := url.Parse(recv.URL)
	hook := "http://hooks.example.com:" + u.Port() + "/in"

	dns := newFakeDNS(map[string][][]string{"hooks.example.com": {{"93.184.216.34"}, {"127.0.0.1"}}})
	policy := &notify.WebhookPolicy{Resolver: dns, AllowHTTPHosts: []string{"hooks.example.com"}}
	if err := policy.Check(t.Context(), hook); err != nil {
		t.Fatalf("registration: %v", err)
	}
	err := notify.PostWebhook(t.Context(), policy, hook, "s", "", time.Now(), []byte(`{}`))
	if !errors.Is(err, notify.ErrConfig) || !errors.Is(err, notify.ErrWebhookRefused) {
		t.Fatalf("send after rebinding: err = %v, want ErrConfig (refused)", err)
	}
	// The strict default refuses the loopback receiver outright.
	if err := notify.PostWebhook(t.Context(), nil, recv.URL, "s", "", time.Now(), []byte(`{}`)); !errors.Is(err, notify.ErrConfig) {
		t.Fatalf("strict default posting to %s: err = %v, want ErrConfig", recv.URL, err)
	}
	if bodies, _, _ := recv.calls(); len(bodies) != 0 {
		t.Fatalf("receiver got %d requests through refused sends", len(bodies))
	}

	allowed := &notify.WebhookPolicy{Resolver: newFakeDNS(map[string][][]string{"hooks.example.com": {{"127.0.0.1"}}}),
		AllowHTTPHosts: []string{"hooks.example.com"}, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	if err := notify.PostWebhook(t.Context(), allowed, hook, "s", "", time.Now(), []byte(`{}`)); err != nil {
		t.Fatalf("allowed loopback: %v", err)
	}
	if bodies, _, _ := recv.calls(); len(bodies) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(bodies))
	}
	// Redirects are not followed: a 3xx is the answer, retried later.
	redirecting := newWebhookReceiver(t, "s", http.StatusTemporaryRedirect)
	if err := notify.PostWebhook(t.Context(), loopback, redirecting.URL, "s", "", time.Now(), []byte(`{}`)); !errors.Is(err, notify.ErrTemporary) {
		t.Errorf("redirect: err = %v, want ErrTemporary", err)
	}
}

// TestSendWebhookStrictPolicy: a webhook row pointing at a loopback
// address (registered before the policy existed, or written to the
// database directly) is not posted by a Deliverer with the default
// policy; the delivery fails as a configuration error.
func TestSendWebhookStrictPolicy(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		recv := newWebhookReceiver(t, "s-20", http.StatusOK)
		if err := db.Model(&models.Webhook{}).Where("id = ?", o.webhooks["20"].ID).Update("url", recv.URL+"/hook").Error; err != nil {
			t.Fatal(err)
		}
		const id = "n/strict"
		enqueue(t, db, id, notify.KindOverdue, notify.RecipientSpec{UnitCodes: []string{"20"}}, overdueData())
		d := deliverer(db, nil)
		d.Webhooks = nil
		plan, err := d.Prepare(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range plan.Webhooks {
			if w.WebhookID != o.webhooks["20"].ID {
				continue
			}
			if _, err := d.SendWebhook(t.Context(), id, w); !errors.Is(err, notify.ErrConfig) {
				t.Errorf("strict policy: err = %v, want ErrConfig", err)
			}
		}
		if bodies, _, _ := recv.calls(); len(bodies) != 0 {
			t.Errorf("receiver got %d requests", len(bodies))
		}
	})
}

// TestCreateWebhookPolicy: registration applies the service's policy and
// names the url field.
func TestCreateWebhookPolicy(t *testing.T) {
	db := storetest.SQLite(t)
	admin := &auth.Principal{AccountID: 1, Username: "admin", Role: models.RoleAdmin}
	dns := newFakeDNS(map[string][][]string{"hooks.example.com": {{"93.184.216.34"}}, "inside.example.com": {{"10.0.0.7"}}})
	svc := notify.NewService(notify.Deps{DB: db, Webhooks: &notify.WebhookPolicy{Resolver: dns}})
	if _, err := svc.CreateWebhook(t.Context(), admin, notify.WebhookInput{URL: "https://hooks.example.com/in"}); err != nil {
		t.Fatalf("public https: %v", err)
	}
	_, err := svc.CreateWebhook(t.Context(), admin, notify.WebhookInput{URL: "https://inside.example.com/in"})
	if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "url" {
		t.Fatalf("private address: %v, want Invalid url", err)
	}
	// Without Webhooks the default is as strict.
	strict := notify.NewService(notify.Deps{DB: db})
	if _, err := strict.CreateWebhook(t.Context(), admin, notify.WebhookInput{URL: "http://127.0.0.1:9/in"}); apperr.As(err) == nil {
		t.Fatalf("default policy accepted loopback: %v", err)
	}
}
