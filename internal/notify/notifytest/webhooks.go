package notifytest

import (
	"net/netip"

	"github.com/tidtam/tidtam/internal/notify"
)

// LoopbackWebhooks returns a webhook policy that also allows plain http
// to 127.0.0.1 and the loopback range, where tests run their receivers
// (httptest servers); everything else is as strict as in production. Tests
// opt in with it explicitly, so the default stays strict.
func LoopbackWebhooks() *notify.WebhookPolicy {
	return &notify.WebhookPolicy{
		AllowHTTPHosts: []string{"127.0.0.1"},
		AllowPrivate:   []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	}
}
