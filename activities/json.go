package activities

import (
	"bytes"
	"encoding/json"
)

// JSON is a value an activity needs as JSON text (a TEXT column, a
// workflow or signal argument). Workflow code must not call encoding/json
// (workflowcheck rejects it), so it hands over the plain value with JSONOf
// and the activity encodes it with Bytes or String.
//
// A JSON travels either in process, as the Go value (local activities), or
// through an activity payload (regular activities), where it is encoded as
// the value's JSON and arrives holding exactly those bytes. Either way Bytes
// gives the text json.Marshal gives for the value; numbers and key order are
// never re-interpreted on the way.
type JSON struct {
	v   any
	raw json.RawMessage
}

// JSONOf wraps v, which must be plain data that json.Marshal accepts.
func JSONOf(v any) JSON { return JSON{v: v} }

// IsZero reports whether no value was given (the `omitzero` tag omits it).
func (j JSON) IsZero() bool { return j.v == nil && j.raw == nil }

// Bytes returns the JSON encoding of the value ("null" for none).
func (j JSON) Bytes() ([]byte, error) {
	if j.raw != nil {
		return j.raw, nil
	}
	return json.Marshal(j.v)
}

// String returns the JSON encoding of the value as text; it panics when the
// value cannot be encoded, which only values that are not plain data
// (channels, functions) can cause.
func (j JSON) String() string {
	b, err := j.Bytes()
	if err != nil {
		panic(err)
	}
	return string(b)
}

// MarshalJSON encodes the value itself, not a wrapper.
func (j JSON) MarshalJSON() ([]byte, error) { return j.Bytes() }

// UnmarshalJSON keeps the encoded value as it is; null is no value.
func (j *JSON) UnmarshalJSON(b []byte) error {
	*j = JSON{}
	if t := bytes.TrimSpace(b); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		j.raw = bytes.Clone(t)
	}
	return nil
}
