package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WebhookPolicy decides which webhook URLs tidtam may call, so that a
// webhook cannot be used to reach the server's own network (SSRF). It is
// applied twice: when a webhook is registered (Check, which also resolves
// the host name) and when a notification is posted (PostWebhook checks the
// URL again and connects only through Client, whose dialer resolves the
// name itself and checks every address it is about to connect to, so a DNS
// answer that changed since registration — DNS rebinding — is refused as
// well).
//
// Refused whatever the configuration:
//   - anything but an absolute http or https URL, a URL with user
//     information (user:password@), a host that is not plain ASCII (write
//     an internationalised name in its xn-- form);
//   - a numeric host other than a canonical IP literal (2130706433, 0x7f.1,
//     017700000001, 127.1), which resolvers read as an address;
//   - tidtam itself: a host and port in SelfAddrs;
//   - cloud metadata endpoints (169.254.169.254, 169.254.170.2,
//     fd00:ec2::254, 100.100.100.200, metadata.google.internal).
//
// Refused unless the configuration allows it:
//   - plain http, unless the host is in AllowHTTPHosts;
//   - names for local use: localhost and *.localhost, *.local, *.internal,
//     *.localdomain, *.home.arpa and single-label names, unless the host is
//     in AllowHTTPHosts (which only opens the name: its addresses are still
//     checked);
//   - an address that is not public: unspecified, loopback, private
//     (10/8, 172.16/12, 192.168/16), unique-local (fc00::/7), link-local,
//     shared (100.64/10), multicast, broadcast, documentation,
//     benchmarking or reserved ranges, and IPv6 forms that carry such an
//     IPv4 address (::ffff:a.b.c.d, NAT64, 6to4, Teredo), unless the
//     address is in one of AllowPrivate's prefixes. A name is refused when
//     any of its addresses is.
//
// The zero value is the strict policy: public https hosts only. A policy
// must not be copied after first use.
type WebhookPolicy struct {
	// AllowHTTPHosts are host names or IP literals (no port) that may be
	// called over plain http (TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS).
	AllowHTTPHosts []string
	// AllowPrivate are the address prefixes a webhook may reach although
	// they are not public (TIDTAM_WEBHOOK_ALLOW_PRIVATE), e.g. an
	// integration server on the office network, or 127.0.0.0/8 in tests.
	AllowPrivate []netip.Prefix
	// SelfAddrs are tidtam's own host:port pairs (the public URL's and the
	// listening address), never a webhook's.
	SelfAddrs []string
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver Resolver

	once   sync.Once
	client *http.Client
}

// Resolver looks up the IP addresses of a host name; *net.Resolver
// satisfies it. network is "ip".
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ErrWebhookRefused is wrapped by every error Check and the policy's
// dialer return for a URL or address the policy refuses (as opposed to a
// name that could not be resolved or a connection that failed).
var ErrWebhookRefused = errors.New("webhook URL refused")

// defaultWebhookPolicy is the strict policy used where none is given.
var defaultWebhookPolicy = &WebhookPolicy{}

// resolveTimeout bounds one name look-up of Check and the dialer.
const resolveTimeout = 5 * time.Second

func (p *WebhookPolicy) orDefault() *WebhookPolicy {
	if p == nil {
		return defaultWebhookPolicy
	}
	return p
}

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrWebhookRefused}, args...)...)
}

// Check reports whether raw may be registered as a webhook: nil, or an
// error wrapping ErrWebhookRefused that says why in Thai and English, or
// (also wrapping ErrWebhookRefused) that the host name does not resolve.
// It resolves the host with Resolver within ctx. A nil policy is the strict
// default.
func (p *WebhookPolicy) Check(ctx context.Context, raw string) error {
	p = p.orDefault()
	u, host, err := p.checkURL(raw)
	if err != nil {
		return err
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return refused("ค้นหาที่อยู่ของ %q ไม่ได้ (the host name %q does not resolve): %v", u.Hostname(), u.Hostname(), err)
	}
	for _, a := range addrs {
		if err := p.checkAddr(a); err != nil {
			return err
		}
	}
	return nil
}

// checkURL applies the rules that need no name look-up and returns the
// parsed URL and its host in canonical form (lower case, no trailing dot,
// no brackets).
func (p *WebhookPolicy) checkURL(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, "", refused("ต้องเป็น URL แบบ https เต็มรูปแบบ (must be an absolute https URL)")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return nil, "", refused("ใช้ได้เฉพาะ https (only https URLs are accepted, not %s)", scheme)
	}
	if u.User != nil {
		return nil, "", refused("URL ต้องไม่มีชื่อผู้ใช้หรือรหัสผ่าน (the URL must not carry user information)")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return nil, "", refused("URL ไม่มีชื่อโฮสต์ (the URL has no host)")
	}
	for _, r := range host {
		if r > 0x7e || r < 0x21 {
			return nil, "", refused("ชื่อโฮสต์ต้องเป็น ASCII: ใช้รูปแบบ xn-- (the host name must be ASCII: write an internationalised name in its xn-- form)")
		}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, "", refused("พอร์ต %q ไม่ถูกต้อง (invalid port %q)", port, port)
	}
	for _, self := range p.SelfAddrs {
		if h, sp, err := net.SplitHostPort(self); err == nil && strings.TrimSuffix(strings.ToLower(h), ".") == host && sp == port {
			return nil, "", refused("URL ชี้มาที่ tidtam เอง (the URL points at tidtam itself)")
		}
	}
	if slices.Contains(metadataHosts, host) {
		return nil, "", refused("ไม่อนุญาตที่อยู่บริการ metadata ของคลาวด์ (cloud metadata endpoints are refused)")
	}
	allowedHost := slices.ContainsFunc(p.AllowHTTPHosts, func(h string) bool {
		return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".") == host
	})
	if scheme == "http" && !allowedHost {
		return nil, "", refused("ใช้ได้เฉพาะ https: http ใช้ได้กับโฮสต์ที่ผู้ดูแลระบบอนุญาตใน TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS เท่านั้น "+
			"(only https: plain http only to the hosts an admin allows in TIDTAM_WEBHOOK_ALLOW_HTTP_HOSTS, and %q is not one)", host)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return nil, "", refused("ที่อยู่ IPv6 ต้องไม่มี zone (an IPv6 address with a zone is refused)")
		}
		return u, host, nil
	}
	labels := strings.Split(host, ".")
	if last := labels[len(labels)-1]; last == "" || strings.HasPrefix(last, "0x") || strings.Trim(last, "0123456789") == "" {
		return nil, "", refused("ชื่อโฮสต์ %q อ่านเป็นตัวเลขได้: เขียนที่อยู่ IP แบบมาตรฐาน (the host %q is a numeric form; only canonical IP literals are accepted)", host, host)
	}
	if !allowedHost {
		for _, suffix := range localSuffixes {
			if host == suffix || strings.HasSuffix(host, "."+suffix) {
				return nil, "", refused("ชื่อโฮสต์ %q ใช้ภายในเครื่องหรือเครือข่ายภายใน (the host %q is a local or internal name)", host, host)
			}
		}
		if len(labels) == 1 {
			return nil, "", refused("ชื่อโฮสต์ %q ไม่มีโดเมน: ใช้ชื่อเต็ม (the host %q is a single-label name; use a fully qualified name)", host, host)
		}
	}
	return u, host, nil
}

// lookup returns the addresses of host: itself for an IP literal, else
// what Resolver answers within resolveTimeout.
func (p *WebhookPolicy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	var r Resolver = net.DefaultResolver
	if p.Resolver != nil {
		r = p.Resolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = errors.New("no addresses")
	}
	return addrs, err
}

// checkAddr returns nil when a may be called, else an error wrapping
// ErrWebhookRefused naming the kind of address.
func (p *WebhookPolicy) checkAddr(a netip.Addr) error {
	a = a.Unmap().WithZone("")
	if metadataAddrs[a] {
		return refused("ไม่อนุญาตที่อยู่บริการ metadata ของคลาวด์ %s (cloud metadata address %s is refused)", a, a)
	}
	kind := nonPublic(a)
	if kind == "" {
		return nil
	}
	for _, allowed := range p.AllowPrivate {
		if allowed.Contains(a) {
			return nil
		}
	}
	return refused("ที่อยู่ %s ไม่ใช่ที่อยู่สาธารณะ (%s) (%s is a %s address, not a public one; an admin may allow it in TIDTAM_WEBHOOK_ALLOW_PRIVATE)", a, kind, a, kind)
}

// nonPublic names the kind of a non-public address, or "" for a public
// one. IPv6 addresses that carry an IPv4 address are judged by it.
func nonPublic(a netip.Addr) string {
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a), ipv4Compatible.Contains(a) && !a.IsUnspecified() && !a.IsLoopback():
			return nonPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			if k := nonPublic(netip.AddrFrom4([4]byte(b[2:6]))); k != "" {
				return k
			}
		case teredo.Contains(a):
			return "Teredo tunnel"
		}
	}
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		if a.Is6() {
			return "unique-local"
		}
		return "private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, r := range reservedRanges {
		if r.Contains(a) {
			return "reserved"
		}
	}
	return ""
}

var (
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	ipv4Compatible = netip.MustParsePrefix("::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
	// reservedRanges are the special-purpose ranges (RFC 6890 and later)
	// not covered by netip's predicates.
	reservedRanges = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
		netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier NAT)
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("192.0.2.0/24"),    // documentation
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("198.51.100.0/24"), // documentation
		netip.MustParsePrefix("203.0.113.0/24"),  // documentation
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255
		netip.MustParsePrefix("100::/64"),        // discard
		netip.MustParsePrefix("2001:db8::/32"),   // documentation
		netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
		netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use IPv4/IPv6 translation (RFC 8215)
	}
	// metadataAddrs are cloud instance-metadata endpoints, refused even
	// inside an allowed prefix.
	metadataAddrs = map[netip.Addr]bool{
		netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OpenStack
		netip.MustParseAddr("169.254.170.2"):   true, // AWS ECS task metadata
		netip.MustParseAddr("fd00:ec2::254"):   true, // AWS over IPv6
		netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	}
	// metadataHosts are the names of metadata endpoints.
	metadataHosts = []string{"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
	// localSuffixes are names reserved for local or internal use.
	localSuffixes = []string{"localhost", "local", "internal", "localdomain", "home.arpa", "intranet", "lan"}
)

// Client returns the HTTP client webhooks are posted with: it follows no
// redirect (a 3xx is the receiver's answer), ignores proxy settings from
// the environment (a proxy would hide the address from the checks), and
// connects only to addresses the policy allows, resolving the name itself
// at every connection. The client is built once per policy. A nil policy is
// the strict default.
func (p *WebhookPolicy) Client() *http.Client {
	p = p.orDefault()
	p.once.Do(func() {
		p.client = &http.Client{
			Transport: &http.Transport{
				Proxy:                 nil,
				DialContext:           p.dialContext,
				ForceAttemptHTTP2:     true,
				MaxIdleConns:          20,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   10 * time.Second,
				ExpectContinueTimeout: time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return p.client
}

// dialContext resolves addr's host with the policy's resolver, refuses
// the connection when any address is refused, and otherwise dials the
// addresses in turn with a dialer whose Control checks, once more, the
// very address the socket is connecting to.
func (p *WebhookPolicy) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := p.lookup(ctx, strings.TrimSuffix(strings.ToLower(host), "."))
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := p.checkAddr(a); err != nil {
			return nil, err
		}
	}
	d := &net.Dialer{Timeout: WebhookTimeout, Control: p.control}
	var last error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}

// control is the dialer's last check, on the address the socket connects
// to.
func (p *WebhookPolicy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refused("ที่อยู่ %q อ่านไม่ได้ (cannot read address %q)", address, address)
	}
	return p.checkAddr(ap.Addr())
}
