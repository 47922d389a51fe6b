package validate

import (
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/apperr"
)

type item struct {
	Text string `json:"text" validate:"max=10"`
	Note string `json:"note" validate:"singleline"`
}

type request struct {
	Subject string   `json:"subject" validate:"max=5"`
	Link    string   `json:"link,omitempty" validate:"omitempty,max=200,httpurl"`
	Items   []item   `json:"items" validate:"max=2,dive"`
	Tags    []string `json:"tags"`
	Inner   *struct {
		Name string `json:"name"`
	} `json:"inner,omitempty"`
}

// TestStruct checks each rule on a field of its own and that the error names
// the JSON path and the limit.
func TestStruct(t *testing.T) {
	long := strings.Repeat("ก", DefaultMaxRunes+1)
	for _, tc := range []struct {
		name  string
		req   request
		field string
		limit string
	}{
		{"ok", request{Subject: "ทดสอบ", Items: []item{{Text: "a\nb"}}, Link: "https://meet.example.go.th/x?y=1"}, "", ""},
		{"tag max counts characters", request{Subject: "สวัสดีครับ"}, "subject", "5"},
		{"list max", request{Items: make([]item, 3)}, "items", "2"},
		{"dive into elements", request{Items: []item{{}, {Text: strings.Repeat("x", 11)}}}, "items[1].text", "10"},
		{"default max for untagged string", request{Items: []item{{Note: long}}}, "items[0].note", "2000"},
		{"default max for untagged list", request{Tags: make([]string, DefaultMaxItems+1)}, "tags", "1000"},
		{"NUL byte", request{Subject: "a\x00b"}, "subject", ""},
		{"line break in a single-line field", request{Items: []item{{Note: "a\r\nATTACH:x"}}}, "items[0].note", ""},
		{"javascript link", request{Link: "javascript:alert(1)"}, "link", ""},
		{"CR LF in a link", request{Link: "http://a\r\nATTACH:http://evil"}, "link", ""},
		{"userinfo in a link", request{Link: "https://user:pw@host/"}, "link", ""},
		{"tab and line feed in free text", request{Items: []item{{Text: "ก\tข\r\nค"}}}, "", ""},
		{"nested pointer", request{Inner: &struct {
			Name string `json:"name"`
		}{Name: "\x01"}}, "inner.name", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Struct(&tc.req)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != tc.field {
				t.Fatalf("got %v, want invalid on %s", err, tc.field)
			}
			if tc.limit != "" {
				if d, _ := e.Details.(map[string]string); d["limit"] != tc.limit {
					t.Fatalf("details %v, want limit %s", e.Details, tc.limit)
				}
			}
		})
	}
}

func TestHTTPURL(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "https://a.go.th/x": true, "HTTP://A/": true,
		"ftp://a/": false, "https://": false, "https://a b/": false, "https://u@a/": false, "//a/": false,
	} {
		if got := HTTPURL(s); got != want {
			t.Errorf("HTTPURL(%q) = %v, want %v", s, got, want)
		}
	}
}
