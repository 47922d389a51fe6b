package directives

import (
	"encoding/json"
	"testing"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/validate"
)

// FuzzDirectiveBinding decodes arbitrary JSON into a DirectiveRequest as
// the API does and validates it: never a panic, and a refusal is always a
// field-naming apperr.Invalid.
func FuzzDirectiveBinding(f *testing.F) {
	for _, s := range []string{
		`{"source":"ministry","issuer":"MOI","doc_number":"ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗","issue_date":"๑๗ ธันวาคม ๒๕๖๗","urgency":"ด่วนที่สุด","subject":"s","items":[{"number":"๑","text":"t","targets":{"all_provinces":true}}]}`,
		`{"items":[{"number":1e99}]}`, `{"subject":"\u0000"}`, `{"items":null}`, `[]`, `{"policy":{"reminders":["PT1S"]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var req DirectiveRequest
		if json.Unmarshal([]byte(s), &req) != nil {
			return
		}
		if err := validate.Struct(&req); err != nil {
			if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field == "" {
				t.Fatalf("validate(%q) = %v, want a field-naming invalid", s, err)
			}
		}
	})
}
