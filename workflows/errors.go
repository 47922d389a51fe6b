package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/tidtam/tidtam/internal/apperr"
)

// ErrorDetail travels as the detail of the application errors the
// workflows' validators and handlers return, so that the API can rebuild
// the domain error with AppError.
type ErrorDetail struct {
	Code    apperr.Code `json:"code"`
	Field   string      `json:"field,omitempty"`
	Message string      `json:"message"`
}

// reject returns a non-retryable application error whose type is the
// apperr code and whose detail is an ErrorDetail. msg is Thai first,
// English after.
func reject(code apperr.Code, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return temporal.NewApplicationErrorWithOptions(msg, string(code), temporal.ApplicationErrorOptions{
		NonRetryable: true,
		Details:      []any{ErrorDetail{Code: code, Field: field, Message: msg}},
	})
}

// AppError converts an error returned by an update, query or workflow
// (as the Temporal client surfaces it) back into an *apperr.Error when it
// came from a workflow validator or handler of this package; any other
// error is returned unchanged. The API calls it before mapping errors to
// HTTP statuses.
func AppError(err error) error {
	if err == nil {
		return nil
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return err
	}
	var d ErrorDetail
	if ae.HasDetails() && ae.Details(&d) == nil && d.Code != "" {
		out := apperr.New(d.Code, "%s", d.Message)
		out.Field = d.Field
		return out
	}
	switch c := apperr.Code(ae.Type()); c {
	case apperr.Invalid, apperr.BadRequest, apperr.NotFound, apperr.Conflict, apperr.Forbidden:
		return apperr.New(c, "%s", ae.Message())
	}
	return err
}
