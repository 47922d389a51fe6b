package engine

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
)

// IsUnavailable reports whether err means a dependency (database or
// Temporal) cannot be reached right now, as opposed to a bug: such requests
// get 503 so that clients retry, and nothing was changed.
func IsUnavailable(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	var connErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	var unavail *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &opErr), errors.As(err, &netErr), errors.As(err, &connErr),
		errors.As(err, &unavail), errors.As(err, &deadline):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-03: admin shutdown, crash
		// shutdown, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0")
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "failed to connect") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "unexpected EOF")
}
