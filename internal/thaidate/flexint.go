package thaidate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
)

// FlexInt is an integer that may arrive as a JSON number or as a string in
// Thai or Arabic digits ("๑", "1"), as officials type item numbers.
type FlexInt int

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		n, err := ParseInt(s)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: intType}
		}
		*f = FlexInt(n)
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = FlexInt(n)
	return nil
}

// intType is the type FlexInt reports in a decoding error.
var intType = reflect.TypeOf(0)
