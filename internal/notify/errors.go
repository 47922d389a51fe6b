package notify

import (
	"errors"
	"fmt"
)

// Error classes of a failed send. Every error SMTPSender.Send and
// PostWebhook return matches exactly one of ErrTemporary, ErrRejected and
// ErrConfig with errors.Is; ErrAuth is a kind of ErrConfig.
var (
	// ErrTemporary: the attempt failed for a reason that may pass (4xx
	// reply, connection refused or reset, timeout, non-2xx webhook
	// answer). Retry with back-off.
	ErrTemporary = errors.New("temporary delivery failure")
	// ErrRejected: the server refused this message or recipient for good
	// (5xx on MAIL, RCPT or DATA). Retrying cannot help; the delivery to
	// this recipient fails, the others go on.
	ErrRejected = errors.New("message or recipient rejected")
	// ErrConfig: tidtam's own settings are wrong (TLS mode the server does
	// not offer, certificate not trusted, authentication mechanism not
	// offered, …). Retrying cannot help until an admin fixes the settings.
	ErrConfig = errors.New("mail settings are wrong")
	// ErrAuth: the server refused the credentials (530, 534, 535). It is
	// also an ErrConfig.
	ErrAuth = errors.New("SMTP authentication failed")
)

// SendError is a classified delivery failure. Code is the SMTP reply code
// or HTTP status when there was one (0 for network errors); Err is the
// underlying error.
type SendError struct {
	Class error // one of ErrTemporary, ErrRejected, ErrConfig, ErrAuth
	Code  int
	Err   error
}

// Error describes the failure for logs and for deliveries.last_error.
func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%v (%d): %v", e.Class, e.Code, e.Err)
	}
	return fmt.Sprintf("%v: %v", e.Class, e.Err)
}

// Unwrap exposes the class (and ErrConfig for ErrAuth) to errors.Is, and
// the cause to errors.As.
func (e *SendError) Unwrap() []error {
	if e.Class == ErrAuth {
		return []error{ErrAuth, ErrConfig, e.Err}
	}
	return []error{e.Class, e.Err}
}

// IsPermanent reports whether retrying err cannot succeed: a rejection or
// a configuration error.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrRejected) || errors.Is(err, ErrConfig)
}

func classified(class error, code int, err error) error {
	return &SendError{Class: class, Code: code, Err: err}
}
