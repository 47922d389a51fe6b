package api

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddress returns the IP address of the client that sent the
// request. Without trusted proxies it is the connection's peer. When the
// peer is one of trusted, X-Forwarded-For is read from the right (the
// entries the trusted proxies appended) and the first address that is not
// itself a trusted proxy is the client; entries further left were written
// by the client and could be forged, so they are never used. A malformed
// entry stops the walk at the last trusted hop.
func clientAddress(c *fiber.Ctx, trusted []netip.Prefix) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return ""
	}
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	client := peer
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = hop.Unmap()
		if !isTrusted(client, trusted) {
			break
		}
	}
	return client.String()
}

// isTrusted reports whether addr lies in one of prefixes.
func isTrusted(addr netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
