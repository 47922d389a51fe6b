package config

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "sqlite:data/tidtam.db" {
		t.Fatalf("defaults: %+v", c)
	}
	if !c.Embedded() || c.TemporalNamespace != "tidtam" || c.TaskQueue != "tidtam" || c.EmbeddedTemporalPort != 7233 {
		t.Fatalf("temporal defaults: %+v", c)
	}
	if c.SessionTTL != 12*time.Hour || c.LogLevel != slog.LevelInfo || c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("other defaults: %+v", c)
	}
}

func TestOverrides(t *testing.T) {
	c, err := Load(env(map[string]string{
		"TIDTAM_DATABASE_URL": "postgres://u:p@db:5432/tidtam",
		"TEMPORAL_ADDRESS":    "temporal:7233",
		"TIDTAM_LOG_LEVEL":    "debug",
		"TIDTAM_PUBLIC_URL":   "https://tidtam.example.go.th/",
		// Webhook allowances: host names in any case, IPv6 with brackets.
		"TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS": "Hooks.Example.go.th., 10.0.0.5,[fd00::1]",
		"TIDTAM_WEBHOOK_ALLOW_PRIVATE":    "10.0.0.0/24, 127.0.0.1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() || c.DatabaseURL != "postgres://u:p@db:5432/tidtam" || c.LogLevel != slog.LevelDebug || c.PublicURL != "https://tidtam.example.go.th" {
		t.Fatalf("overrides: %+v", c)
	}
	if !slices.Equal(c.WebhookAllowHTTPHosts, []string{"hooks.example.go.th", "10.0.0.5", "fd00::1"}) ||
		len(c.WebhookAllowPrivate) != 2 || c.WebhookAllowPrivate[1].String() != "127.0.0.1/32" {
		t.Fatalf("webhook allowances: %q %v", c.WebhookAllowHTTPHosts, c.WebhookAllowPrivate)
	}
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"TIDTAM_HTTP_ADDR":                "8080",
		"TEMPORAL_ADDRESS":                ":7233",
		"TIDTAM_DATABASE_URL":             "mysql://x@y/z",
		"TIDTAM_LOG_LEVEL":                "loud",
		"TIDTAM_LOG_FORMAT":               "xml",
		"TIDTAM_SESSION_TTL":              "forever",
		"TIDTAM_EMBEDDED_TEMPORAL_PORT":   "70000",
		"TIDTAM_SMTP_TLS":                 "ssl3",
		"TIDTAM_SMTP_AUTH":                "cram",
		"TIDTAM_PUBLIC_URL":               "ftp://x",
		"TIDTAM_MAX_UPLOAD_MB":            "0",
		"TIDTAM_PPROF_ADDR":               "0.0.0.0:6060",
		"TIDTAM_TRUSTED_PROXIES":          "10.0.0.1,proxy.local",
		"TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS": "https://hooks.example.go.th",
		"TIDTAM_WEBHOOK_ALLOW_PRIVATE":    "10.0.0.0/33",
	}
	for name, bad := range cases {
		_, err := Load(env(map[string]string{name: bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != name {
			t.Errorf("%s=%q: got %v, want a config error naming the variable", name, bad, err)
			continue
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("message %q does not name %s", err, name)
		}
	}
}

func TestPasswordRedactedInError(t *testing.T) {
	_, err := Load(env(map[string]string{"TIDTAM_DATABASE_URL": "mysql://u:secret@h/db"}))
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks password or is nil: %v", err)
	}
}

// TestPprofOnlyOnLoopback: profiles show memory contents, so the address
// must be a loopback one; an empty host (all interfaces) is refused too.
func TestPprofOnlyOnLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060"} {
		c, err := Load(env(map[string]string{"TIDTAM_PPROF_ADDR": ok}))
		if err != nil || c.PprofAddr != ok {
			t.Errorf("TIDTAM_PPROF_ADDR=%s: %v, %+v", ok, err, c)
		}
	}
	for _, bad := range []string{":6060", "10.0.0.5:6060", "example.org:6060", "6060"} {
		_, err := Load(env(map[string]string{"TIDTAM_PPROF_ADDR": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "TIDTAM_PPROF_ADDR" {
			t.Errorf("TIDTAM_PPROF_ADDR=%s: got %v, want a config error naming the variable", bad, err)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(env(map[string]string{"TIDTAM_TRUSTED_PROXIES": " 10.0.0.5, 172.16.3.0/12 ,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.5/32 172.16.0.0/12 ::1/128" {
		t.Fatalf("TrustedProxies = %v", got)
	}
	if c, err := Load(env(nil)); err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("default TrustedProxies = %v, %v", c.TrustedProxies, err)
	}
}
