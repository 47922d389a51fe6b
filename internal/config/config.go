// Package config reads tidtam's configuration from environment variables.
// Every variable has a documented default; a wrong value stops start-up with
// an error naming the variable and what it expects.
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the whole runtime configuration.
type Config struct {
	HTTPAddr     string // TIDTAM_HTTP_ADDR
	DataDir      string // TIDTAM_DATA_DIR
	DatabaseURL  string // TIDTAM_DATABASE_URL
	PublicURL    string // TIDTAM_PUBLIC_URL
	MetricsAddr  string // TIDTAM_METRICS_ADDR (worker role)
	PprofAddr    string // TIDTAM_PPROF_ADDR (every long-running role; loopback only)
	LogLevel     slog.Level
	LogFormat    string // text | json
	AdminPass    string // TIDTAM_ADMIN_PASSWORD
	SessionTTL   time.Duration
	MaxUploadMiB int
	// TipKey (TIDTAM_TIP_KEY) is the key sealing tips at rest: standard
	// base64 of 32 bytes; empty means the key generated into DataDir on
	// first start (internal/tips.LoadKey).
	TipKey string
	// TrustedProxies (TIDTAM_TRUSTED_PROXIES) are the reverse proxies whose
	// X-Forwarded-For header gives the client's address; single addresses
	// are /32 or /128 prefixes.
	TrustedProxies []netip.Prefix

	TemporalAddress      string // empty: embedded server
	TemporalNamespace    string
	TaskQueue            string
	EmbeddedTemporalPort int
	TemporalUIAddr       string

	SMTP SMTP
	// NotifyRetryWindow bounds the retries of one delivery.
	NotifyRetryWindow time.Duration
	// DigestTime is "HH:MM" Bangkok; parsed by the notify package.
	DigestTime string
	// WebhookAllowHTTPHosts (TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS) are the host
	// names or IP addresses, lower case, that webhooks may call over plain
	// http; every other webhook must be https.
	WebhookAllowHTTPHosts []string
	// WebhookAllowPrivate (TIDTAM_WEBHOOK_ALLOW_PRIVATE) are the address
	// ranges webhooks may reach although they are not public.
	WebhookAllowPrivate []netip.Prefix
}

// SMTP configures outgoing mail. Host empty means mail is not sent over SMTP
// (it stays in the in-app inbox and the dev mailbox).
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // starttls | implicit | none
	Auth     string // plain | login | oauthbearer | none
}

// Var documents one environment variable.
type Var struct {
	Name, Default, Meaning string
}

// Vars lists every variable tidtam reads, in README order. Tests compare the
// docker-compose file and README against it.
var Vars = []Var{
	{"TIDTAM_HTTP_ADDR", "127.0.0.1:8080", "address the HTTP API and web pages listen on"},
	{"TIDTAM_DATA_DIR", "./data", "folder for the SQLite files, evidence uploads and the embedded Temporal store"},
	{"TIDTAM_DATABASE_URL", "sqlite:<data dir>/tidtam.db", "app database: sqlite:PATH or postgres://user:pass@host:5432/db"},
	{"TIDTAM_PUBLIC_URL", "http://<http addr>", "base URL used in links in mail and calendar feeds"},
	{"TIDTAM_ADMIN_PASSWORD", "(generated and printed once)", "password of the first admin account (at least 12 characters), used only when it is created"},
	{"TIDTAM_SESSION_TTL", "12h", "how long a sign-in token is valid (Go duration)"},
	{"TIDTAM_TRUSTED_PROXIES", "", "comma-separated IP addresses or CIDR ranges of the reverse proxies in front of the API, whose X-Forwarded-For gives the client address for sign-in throttling and the audit trail (empty: the connection's address)"},
	{"TIDTAM_MAX_UPLOAD_MB", "20", "largest evidence file accepted, in MiB"},
	{"TIDTAM_TIP_KEY", "(generated into <data dir>/tip.key)", "key that encrypts tip-offs at rest: 32 bytes in standard base64 (`openssl rand -base64 32`); keep a copy apart from the database backups: without it the tips cannot be read"},
	{"TIDTAM_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"TIDTAM_LOG_FORMAT", "text", "text or json"},
	{"TIDTAM_METRICS_ADDR", "", "for `tidtam worker`: address serving /metrics and /healthz (empty: off)"},
	{"TIDTAM_PPROF_ADDR", "", "loopback address (127.0.0.1:PORT) serving Go's /debug/pprof profiles for diagnosis (empty: off)"},
	{"TEMPORAL_ADDRESS", "", "host:port of an external Temporal frontend; empty starts the embedded server"},
	{"TEMPORAL_NAMESPACE", "tidtam", "Temporal namespace"},
	{"TIDTAM_TASK_QUEUE", "tidtam", "Temporal task queue of the workers"},
	{"TIDTAM_EMBEDDED_TEMPORAL_PORT", "7233", "gRPC port of the embedded Temporal server (127.0.0.1 only); 0 picks a free one"},
	{"TIDTAM_TEMPORAL_UI_ADDR", "", "`serve`: also serve the Temporal Web UI on this address (`--temporal-ui` uses 127.0.0.1:8233)"},
	{"TIDTAM_SMTP_HOST", "", "SMTP server; empty keeps mail in the in-app inbox and the dev mailbox"},
	{"TIDTAM_SMTP_PORT", "587", "SMTP port"},
	{"TIDTAM_SMTP_USERNAME", "", "SMTP AUTH user"},
	{"TIDTAM_SMTP_PASSWORD", "", "SMTP AUTH password"},
	{"TIDTAM_SMTP_FROM", "tidtam@localhost", "sender address"},
	{"TIDTAM_SMTP_TLS", "starttls", "starttls, implicit or none"},
	{"TIDTAM_SMTP_AUTH", "plain", "plain, login, oauthbearer or none"},
	{"TIDTAM_NOTIFY_RETRY_WINDOW", "24h", "how long an unreachable SMTP server or webhook is retried before a delivery is marked failed"},
	{"TIDTAM_DIGEST_TIME", "07:30", "when the daily digest goes out on working days (HH:MM, Asia/Bangkok)"},
	{"TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS", "", "comma-separated host names (or IP addresses) that webhooks may call over plain http (empty: https only)"},
	{"TIDTAM_WEBHOOK_ALLOW_PRIVATE", "", "comma-separated IP addresses or CIDR ranges that webhooks may reach although they are not public, e.g. an integration server on the office network (empty: public addresses only; cloud metadata addresses are refused always); see docs/SECURITY.md"},
}

// Names returns the names of Vars.
func Names() []string {
	names := make([]string, len(Vars))
	for i, v := range Vars {
		names[i] = v.Name
	}
	return names
}

// Error reports one bad variable.
type Error struct {
	Var, Value, Want string
}

// Error implements error: the variable, the bad value and what is expected.
func (e *Error) Error() string {
	return fmt.Sprintf("ค่าตั้งค่าไม่ถูกต้อง (invalid configuration): %s=%q: ต้องเป็น (expected) %s", e.Var, e.Value, e.Want)
}

// Load reads the configuration through getenv (os.Getenv in production, a
// map in tests). It returns the first invalid variable as *Error.
func Load(getenv func(string) string) (*Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name && !strings.HasPrefix(v.Default, "(") && !strings.Contains(v.Default, "<") {
				return v.Default
			}
		}
		return ""
	}
	c := &Config{
		HTTPAddr:          get("TIDTAM_HTTP_ADDR"),
		DataDir:           get("TIDTAM_DATA_DIR"),
		DatabaseURL:       get("TIDTAM_DATABASE_URL"),
		PublicURL:         get("TIDTAM_PUBLIC_URL"),
		MetricsAddr:       get("TIDTAM_METRICS_ADDR"),
		PprofAddr:         get("TIDTAM_PPROF_ADDR"),
		LogFormat:         get("TIDTAM_LOG_FORMAT"),
		AdminPass:         getenv("TIDTAM_ADMIN_PASSWORD"),
		TipKey:            strings.TrimSpace(getenv("TIDTAM_TIP_KEY")),
		TemporalAddress:   get("TEMPORAL_ADDRESS"),
		TemporalNamespace: get("TEMPORAL_NAMESPACE"),
		TaskQueue:         get("TIDTAM_TASK_QUEUE"),
		TemporalUIAddr:    get("TIDTAM_TEMPORAL_UI_ADDR"),
		SMTP: SMTP{
			Host:     get("TIDTAM_SMTP_HOST"),
			Username: get("TIDTAM_SMTP_USERNAME"),
			Password: getenv("TIDTAM_SMTP_PASSWORD"),
			From:     get("TIDTAM_SMTP_FROM"),
			TLS:      get("TIDTAM_SMTP_TLS"),
			Auth:     get("TIDTAM_SMTP_AUTH"),
		},
	}
	if err := checkHostPort("TIDTAM_HTTP_ADDR", c.HTTPAddr, false); err != nil {
		return nil, err
	}
	if c.TemporalUIAddr != "" {
		if err := checkHostPort("TIDTAM_TEMPORAL_UI_ADDR", c.TemporalUIAddr, false); err != nil {
			return nil, err
		}
	}
	if c.MetricsAddr != "" {
		if err := checkHostPort("TIDTAM_METRICS_ADDR", c.MetricsAddr, false); err != nil {
			return nil, err
		}
	}
	if c.PprofAddr != "" {
		// Profiles expose memory contents: never on a public interface.
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, &Error{"TIDTAM_PPROF_ADDR", c.PprofAddr, "a loopback address such as 127.0.0.1:6060"}
		}
	}
	if c.TemporalAddress != "" {
		if err := checkHostPort("TEMPORAL_ADDRESS", c.TemporalAddress, true); err != nil {
			return nil, err
		}
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "tidtam.db")
	} else if strings.Contains(c.DatabaseURL, "://") {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			return nil, &Error{"TIDTAM_DATABASE_URL", redact(c.DatabaseURL), "sqlite:PATH or postgres://user:password@host:5432/dbname"}
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{"TIDTAM_PUBLIC_URL", c.PublicURL, "an absolute http(s) URL such as https://tidtam.example.go.th"}
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")

	var err error
	if c.LogLevel, err = parseLevel(get("TIDTAM_LOG_LEVEL")); err != nil {
		return nil, err
	}
	if !slices.Contains([]string{"text", "json"}, c.LogFormat) {
		return nil, &Error{"TIDTAM_LOG_FORMAT", c.LogFormat, "text or json"}
	}
	if c.SessionTTL, err = time.ParseDuration(get("TIDTAM_SESSION_TTL")); err != nil || c.SessionTTL < time.Minute {
		return nil, &Error{"TIDTAM_SESSION_TTL", get("TIDTAM_SESSION_TTL"), "a duration of at least 1m, e.g. 12h"}
	}
	if c.TrustedProxies, err = parsePrefixes("TIDTAM_TRUSTED_PROXIES", get("TIDTAM_TRUSTED_PROXIES")); err != nil {
		return nil, err
	}
	if c.MaxUploadMiB, err = atoiRange("TIDTAM_MAX_UPLOAD_MB", get("TIDTAM_MAX_UPLOAD_MB"), 1, 1024); err != nil {
		return nil, err
	}
	if c.TipKey != "" {
		if b, err := base64.StdEncoding.DecodeString(c.TipKey); err != nil || len(b) != 32 {
			return nil, &Error{"TIDTAM_TIP_KEY", "(hidden)", "32 bytes in standard base64, e.g. the output of `openssl rand -base64 32`"}
		}
	}
	if c.EmbeddedTemporalPort, err = atoiRange("TIDTAM_EMBEDDED_TEMPORAL_PORT", get("TIDTAM_EMBEDDED_TEMPORAL_PORT"), 0, 65535); err != nil {
		return nil, err
	}
	if c.SMTP.Port, err = atoiRange("TIDTAM_SMTP_PORT", get("TIDTAM_SMTP_PORT"), 1, 65535); err != nil {
		return nil, err
	}
	if !slices.Contains([]string{"starttls", "implicit", "none"}, c.SMTP.TLS) {
		return nil, &Error{"TIDTAM_SMTP_TLS", c.SMTP.TLS, "starttls, implicit or none"}
	}
	if !slices.Contains([]string{"plain", "login", "oauthbearer", "none"}, c.SMTP.Auth) {
		return nil, &Error{"TIDTAM_SMTP_AUTH", c.SMTP.Auth, "plain, login, oauthbearer or none"}
	}
	if c.NotifyRetryWindow, err = time.ParseDuration(get("TIDTAM_NOTIFY_RETRY_WINDOW")); err != nil || c.NotifyRetryWindow < time.Second {
		return nil, &Error{"TIDTAM_NOTIFY_RETRY_WINDOW", get("TIDTAM_NOTIFY_RETRY_WINDOW"), "a duration of at least 1s, e.g. 24h"}
	}
	c.DigestTime = get("TIDTAM_DIGEST_TIME")
	if c.WebhookAllowHTTPHosts, err = parseHosts("TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS", get("TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS")); err != nil {
		return nil, err
	}
	if c.WebhookAllowPrivate, err = parsePrefixes("TIDTAM_WEBHOOK_ALLOW_PRIVATE", get("TIDTAM_WEBHOOK_ALLOW_PRIVATE")); err != nil {
		return nil, err
	}
	if c.TemporalNamespace == "" || strings.ContainsAny(c.TemporalNamespace, " /") {
		return nil, &Error{"TEMPORAL_NAMESPACE", c.TemporalNamespace, "a namespace name without spaces or slashes"}
	}
	return c, nil
}

// Embedded reports whether tidtam runs its own Temporal server.
func (c *Config) Embedded() bool { return c.TemporalAddress == "" }

func checkHostPort(name, v string, needHost bool) error {
	host, port, err := net.SplitHostPort(v)
	if err == nil {
		var p int
		p, err = strconv.Atoi(port)
		if err == nil && (p < 0 || p > 65535) {
			err = fmt.Errorf("port out of range")
		}
	}
	if err != nil || (needHost && host == "") {
		return &Error{name, v, "host:port, e.g. 127.0.0.1:8080"}
	}
	return nil
}

func atoiRange(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &Error{name, v, fmt.Sprintf("a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}

// parsePrefixes reads a comma-separated list of IP addresses and CIDR
// prefixes; an address stands for itself alone.
func parsePrefixes(name, v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, &Error{name, v, "IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.5,172.16.0.0/12"}
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, &Error{name, v, "IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.5,172.16.0.0/12"}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// hostName matches a DNS host name in lower case.
var hostName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// parseHosts reads a comma-separated list of host names and IP addresses
// (no scheme, port or path), returned in lower case without a trailing
// dot or IPv6 brackets.
func parseHosts(name, v string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(v, ",") {
		h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(item)), ".")
		if h == "" {
			continue
		}
		h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
		if _, err := netip.ParseAddr(h); err != nil && !hostName.MatchString(h) {
			return nil, &Error{name, v, "host names or IP addresses separated by commas, without scheme or port, e.g. hooks.example.go.th,10.0.0.5"}
		}
		out = append(out, h)
	}
	return out, nil
}

func parseLevel(v string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return 0, &Error{"TIDTAM_LOG_LEVEL", v, "debug, info, warn or error"}
	}
	return l, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
