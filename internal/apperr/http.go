package apperr

import "net/http"

// httpStatus maps each Code to its HTTP status; the only place that does
// so (the JSON API and the web pages both answer with it).
var httpStatus = map[Code]int{
	Invalid:         http.StatusUnprocessableEntity,
	BadRequest:      http.StatusBadRequest,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	Unauthorized:    http.StatusUnauthorized,
	Forbidden:       http.StatusForbidden,
	Unavailable:     http.StatusServiceUnavailable,
	TooManyRequests: http.StatusTooManyRequests,
	Internal:        http.StatusInternalServerError,
}

// HTTPStatus is the HTTP status code of an error with code c; 500 for an
// unknown code.
func (c Code) HTTPStatus() int {
	if s, ok := httpStatus[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}
