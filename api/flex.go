package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/tidtam/tidtam/internal/thaidate"
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
		n, err := thaidate.ParseInt(s)
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

func fmtInt(n int) string { return strconv.Itoa(n) }
