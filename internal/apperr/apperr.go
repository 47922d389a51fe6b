// Package apperr defines the domain errors of tidtam. Every layer returns
// these; the API maps them to HTTP status codes in exactly one place.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the caller; HTTPStatus maps it to HTTP.
type Code string

// Error codes. Invalid means the request itself is wrong (422); BadRequest
// means it could not be read at all (400); TooManyRequests means the caller
// must wait (429, see Error.RetryAfter) before trying again.
const (
	Invalid         Code = "invalid"
	BadRequest      Code = "bad_request"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unauthorized    Code = "unauthorized"
	Forbidden       Code = "forbidden"
	TooManyRequests Code = "too_many_requests"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is a domain error with a message written for the user (Thai first,
// English after where helpful), the request field it concerns if any, and
// optional structured details (e.g. the unknown target names).
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Details any    `json:"details,omitempty"`
	// RetryAfter, when positive, is how long the caller should wait before
	// trying again (TooManyRequests); the API sends it as the Retry-After
	// header in whole seconds, rounded up.
	RetryAfter time.Duration `json:"-"`
	cause      error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an Error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error about one request field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with the given code that keeps err as its cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), cause: err}
}

// WithDetails returns a copy of e carrying details.
func (e *Error) WithDetails(details any) *Error {
	c := *e
	c.Details = details
	return &c
}

// WithRetryAfter returns a copy of e telling the caller to wait d before
// trying again (see RetryAfter).
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// CodeOf returns the Code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
