// Package reqctx carries request-scoped values that domain services record
// (the request ID in audit rows) through a context.Context, so that a
// service called from a JSON handler or a web page needs no HTTP type.
package reqctx

import "context"

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request ID id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries, or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
