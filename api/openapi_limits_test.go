package api_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/kpi"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/internal/validate"
)

// requestTypes names the Go type each JSON request body binds to, by
// "METHOD path" as in openapi.json.
var requestTypes = map[string]any{
	"POST /api/v1/auth/login":                                                             api.LoginRequest{},
	"POST /api/v1/auth/password":                                                          api.PasswordChangeRequest{},
	"POST /api/v1/auth/tokens":                                                            api.APITokenRequest{},
	"POST /api/v1/accounts":                                                               auth.NewAccount{},
	"PATCH /api/v1/accounts/{id}":                                                         api.AccountPatchRequest{},
	"POST /api/v1/accounts/{id}/password":                                                 api.PasswordResetRequest{},
	"PUT /api/v1/holidays/{date}":                                                         admin.HolidayRequest{},
	"PUT /api/v1/target-sets/{code}":                                                      admin.TargetSetRequest{},
	"POST /api/v1/directives":                                                             directives.DirectiveRequest{},
	"POST /api/v1/directives/parse":                                                       api.LetterParseRequest{},
	"POST /api/v1/directives/{id}/amend":                                                  directives.AmendRequest{},
	"POST /api/v1/directives/{id}/targets":                                                directives.AddTargetsRequest{},
	"POST /api/v1/directives/{id}/withdraw":                                               directives.WithdrawRequest{},
	"POST /api/v1/meetings/{id}/directives":                                               directives.MeetingDirectiveRequest{},
	"POST /api/v1/escalations/{key}/actions":                                              directives.EscalationActionRequest{},
	"POST /api/v1/meeting-series":                                                         meetings.SeriesInput{},
	"POST /api/v1/meeting-series/{id}/meetings":                                           meetings.TimeInput{},
	"POST /api/v1/meetings/{id}/reschedule":                                               meetings.TimeInput{},
	"POST /api/v1/meetings/{id}/rsvp":                                                     meetings.RSVPInput{},
	"POST /api/v1/meetings/{id}/attendance":                                               meetings.AttendanceInput{},
	"PUT /api/v1/meetings/{id}/minutes":                                                   meetings.MinutesInput{},
	"POST /api/v1/meetings/{id}/cancel":                                                   meetings.CancelInput{},
	"POST /api/v1/meetings/{id}/agenda":                                                   meetings.AgendaItemInput{},
	"POST /api/v1/deliveries/retry":                                                       notify.RetryRequest{},
	"POST /api/v1/webhooks":                                                               notify.WebhookInput{},
	"POST /api/v1/directives/{id}/assignments/{unit}/acknowledge":                         directives.AcknowledgeRequest{},
	"POST /api/v1/directives/{id}/assignments/{unit}/items/{number}/reports":              directives.ReportRequest{},
	"POST /api/v1/directives/{id}/assignments/{unit}/items/{number}/reports/{rid}/accept": directives.ReviewRequest{},
	"POST /api/v1/directives/{id}/assignments/{unit}/items/{number}/reports/{rid}/return": directives.ReviewRequest{},
	"POST /api/v1/kpi/schemes":                                                            kpi.SchemeInput{},
	"POST /api/v1/tips":                                                                   tips.SubmitInput{},
	"POST /api/v1/tips/follow-up":                                                         api.TipReceiptRequest{},
	"POST /api/v1/tips/messages":                                                          api.TipMessageRequest{},
	"POST /api/v1/tips/{id}/messages":                                                     api.TipReplyRequest{},
	"POST /api/v1/tips/{id}/forward":                                                      api.TipForwardRequest{},
	"POST /api/v1/tips/{id}/stage":                                                        api.TipStageRequest{},
	"POST /api/v1/kpi/schemes/{id}/provinces/{code}/criteria/{n}/entries":                 kpi.EntryInput{},
	"POST /api/v1/kpi/schemes/{id}/provinces/{code}/criteria/{n}/entries/{eid}/verify":    kpi.ReviewInput{},
	"POST /api/v1/kpi/schemes/{id}/provinces/{code}/criteria/{n}/entries/{eid}/return":    kpi.ReviewInput{},
}

// limitRule is one size limit the document must state: the JSON pointer
// of a schema (property) and its maxLength or maxItems.
type limitRule struct {
	Pointer string `json:"pointer"`
	Keyword string `json:"keyword"`
	Value   int    `json:"value"`
}

// TestOpenAPIStatesInputLimits keeps the document's maxLength and maxItems
// equal to the limits internal/validate enforces (a field's validate tag,
// or the default for an untagged string or list), for every JSON request
// body. With TIDTAM_OPENAPI_LIMITS_OUT set it also writes the expected
// limits there, for updating the document.
func TestOpenAPIStatesInputLimits(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	var want []limitRule
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			key := method + " " + path
			typ, ok := requestTypes[key]
			if !ok {
				t.Errorf("%s takes JSON but requestTypes does not name its Go type", key)
				continue
			}
			sref := op.RequestBody.Value.Content.Get("application/json").Schema
			base := "/paths/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(path) + "/" + strings.ToLower(method) + "/requestBody/content/application~1json/schema"
			if sref.Ref != "" {
				base = strings.TrimPrefix(sref.Ref, "#")
			}
			collectLimits(t, reflect.TypeOf(typ), sref, base, key, "", &want, map[reflect.Type]bool{})
		}
	}
	if out := os.Getenv("TIDTAM_OPENAPI_LIMITS_OUT"); out != "" {
		b, _ := json.MarshalIndent(want, "", " ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// collectLimits walks a Go type and its schema together, checking each
// field's limit and recording it.
func collectLimits(t *testing.T, typ reflect.Type, sref *openapi3.SchemaRef, pointer, route, tag string, want *[]limitRule, seen map[reflect.Type]bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if sref == nil || sref.Value == nil {
		return
	}
	if sref.Ref != "" {
		pointer = strings.TrimPrefix(sref.Ref, "#")
	}
	s := sref.Value
	check := func(keyword string, got *uint64, value int) {
		*want = append(*want, limitRule{Pointer: pointer, Keyword: keyword, Value: value})
		if got == nil || *got != uint64(value) {
			t.Errorf("%s: %s of %s is %v, want %d", route, keyword, pointer, deref(got), value)
		}
	}
	switch typ.Kind() {
	case reflect.String:
		if s.Type.Is("string") {
			check("maxLength", s.MaxLength, limitOf(tag, validate.DefaultMaxRunes))
		}
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 {
			return
		}
		if s.Type.Is("array") {
			check("maxItems", s.MaxItems, limitOf(tag, validate.DefaultMaxItems))
			collectLimits(t, typ.Elem(), s.Items, pointer+"/items", route, diveTagOf(tag), want, seen)
		}
	case reflect.Struct:
		if seen[typ] {
			return
		}
		seen[typ] = true
		defer delete(seen, typ)
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				collectLimits(t, f.Type, sref, pointer, route, "", want, seen)
				continue
			}
			prop := s.Properties[name]
			if prop == nil {
				continue // documented elsewhere or not a JSON field (e.g. a raw value)
			}
			p := pointer + "/properties/" + name
			collectLimits(t, f.Type, prop, p, route, f.Tag.Get("validate"), want, seen)
		}
	}
}

func deref(p *uint64) any {
	if p == nil {
		return "absent"
	}
	return *p
}

// limitOf is the max= (or lte=) of a validate tag before any dive, or def.
func limitOf(tag string, def int) int {
	head, _, _ := strings.Cut(tag, "dive")
	for _, part := range strings.Split(head, ",") {
		for _, prefix := range []string{"max=", "lte="} {
			if v, ok := strings.CutPrefix(part, prefix); ok {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
		}
	}
	return def
}

// diveTagOf is the part of a tag after "dive", which applies to elements.
func diveTagOf(tag string) string {
	_, after, ok := strings.Cut(tag, "dive")
	if !ok {
		return ""
	}
	return strings.TrimPrefix(after, ",")
}
