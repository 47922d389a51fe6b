// Package listing holds the list envelope and paging window every domain's
// list reads share, so that JSON lists look the same across the API.
package listing

// Page is the common list envelope: one window of Items and the Total
// number of rows that match the filter.
type Page[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

// Window is a paging request: at most Limit rows after skipping Offset.
// The HTTP layer checks the bounds; domain reads use it as given.
type Window struct {
	Limit, Offset int
}
