package main

import (
	"net"
	"net/url"

	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/notify"
)

// webhookPolicy is the address policy for webhooks from the
// configuration: the http hosts and private ranges an admin allowed, and
// tidtam's own addresses (the public URL's host and port, the listening
// address and its loopback forms), which no webhook may name.
func webhookPolicy(cfg *config.Config) *notify.WebhookPolicy {
	p := &notify.WebhookPolicy{AllowHTTPHosts: cfg.WebhookAllowHTTPHosts, AllowPrivate: cfg.WebhookAllowPrivate}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		p.SelfAddrs = append(p.SelfAddrs, net.JoinHostPort(u.Hostname(), port))
	}
	if host, port, err := net.SplitHostPort(cfg.HTTPAddr); err == nil {
		for _, h := range []string{host, "localhost", "127.0.0.1", "::1"} {
			if h != "" {
				p.SelfAddrs = append(p.SelfAddrs, net.JoinHostPort(h, port))
			}
		}
	}
	return p
}
