// Package reqctx carries request-scoped values that domain services record
// (the request ID in audit rows, the client's address for sign-in
// throttling and its audit) through a context.Context, so that a service
// called from a JSON handler or a web page needs no HTTP type.
package reqctx

import "context"

type requestIDKey struct{}

type clientAddressKey struct{}

// WithRequestID returns ctx carrying the request ID id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries, or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithClientAddress returns ctx carrying addr, the IP address of the client
// that sent the request (after trusted reverse proxies are taken off).
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddressKey{}, addr)
}

// ClientAddress returns the client address ctx carries, or "" outside a
// request or when it is unknown.
func ClientAddress(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddressKey{}).(string)
	return addr
}
