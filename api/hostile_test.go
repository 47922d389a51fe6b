package api_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestHostileInputIsRefused sends the inputs a probe of the running binary
// found answered 2xx or 5xx: oversized text, impossible dates, control
// characters, links that are not http(s) or carry a line break, negative
// policy values, a meeting ID that names nothing. Each must be a 4xx naming
// the field, and nothing may change. Everything is refused before any
// workflow is involved, so no Temporal server is needed.
func TestHostileInputIsRefused(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		sec := h.login("sec", "secretariat-pass")
		chon := h.login("chonburi", "province-pass-1")
		insp := h.login("insp8", "inspector-pass-1")
		adm := h.login("admin", adminPassword)
		mib := strings.Repeat("ก", 1<<20)
		letter := func(edit func(map[string]any)) map[string]any {
			l := moiLetter([]string{"ชลบุรี"})
			edit(l)
			return l
		}
		series := func(edit func(map[string]any)) map[string]any {
			s := map[string]any{"id": "oncb-prov", "name": "ประชุม ศปก.ครส.", "link": "https://meet.example/oncb",
				"cadence": []any{map[string]any{"weekday": "wednesday", "weeks": []int{2, 4}, "time": "13:30"}}}
			edit(s)
			return s
		}
		before := snapshot(t, db)
		for _, tc := range []struct {
			name, method, path, token string
			body                      any
			status                    int
			field                     string
		}{
			{"1 MiB subject", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { l["subject"] = mib }), 422, "subject"},
			{"1 MiB document number", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { l["doc_number"] = mib }), 422, "doc_number"},
			{"1 MiB item text", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { withItem(l, 0, "text", mib) }), 422, "items[0].text"},
			{"2,000 items", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) {
				items := make([]map[string]any, 2000)
				for i := range items {
					items[i] = map[string]any{"number": i + 1, "text": "x", "targets": map[string]any{"all_provinces": true}}
				}
				l["items"] = items
			}), 422, "items"},
			{"due date 9999-12-31", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { withItem(l, 1, "due_within", ""); withItem(l, 1, "due_date", "9999-12-31") }), 422, "items[1].due_date"},
			{"NUL byte in the subject", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { l["subject"] = "ข้อสั่งการ\x00" }), 422, "subject"},
			{"meeting_id naming no meeting", "POST", "/api/v1/directives", sec, letter(func(l map[string]any) { l["meeting_id"] = "../../x" }), 422, "meeting_id"},
			{"1 MiB amend reason", "POST", "/api/v1/directives/MOI-x/amend", sec, map[string]any{"item_number": 1, "new_due": map[string]string{"within": "5"}, "reason": mib}, 422, "reason"},
			{"1 MiB acknowledge note", "POST", "/api/v1/directives/MOI-x/assignments/20/acknowledge", chon, map[string]any{"note": mib}, 422, "note"},
			{"1 MiB escalation comment", "POST", "/api/v1/escalations/assignment~MOI-x~20~1~1~1/actions", insp, map[string]any{"kind": "comment", "reason": mib}, 422, "reason"},
			{"1 MiB series name", "POST", "/api/v1/meeting-series", sec, series(func(s map[string]any) { s["name"] = mib }), 422, "name"},
			{"negative meeting duration", "POST", "/api/v1/meeting-series", sec, series(func(s map[string]any) { s["policy"] = map[string]any{"duration_minutes": -5} }), 422, "policy.duration_minutes"},
			{"javascript: link", "POST", "/api/v1/meeting-series", sec, series(func(s map[string]any) { s["link"] = "javascript:alert(1)" }), 422, "link"},
			{"CR LF in a link", "POST", "/api/v1/meeting-series", sec, series(func(s map[string]any) { s["link"] = "http://a\r\nATTACH:http://evil" }), 422, "link"},
			{"2.7 MB of RSVP attendees", "POST", "/api/v1/meetings/m-1/rsvp", chon, map[string]any{"attendees": manyAttendees(5000)}, 422, "attendees"},
			{"1 MiB agenda title", "POST", "/api/v1/meetings/m-1/agenda", sec, map[string]any{"title": mib}, 422, "title"},
			{"1 MiB holiday name", "PUT", "/api/v1/holidays/2026-12-30", sec, map[string]any{"name_th": mib}, 422, "name_th"},
			{"1 MiB target-set name", "PUT", "/api/v1/target-sets/pilot", sec, map[string]any{"name_th": mib, "members": []string{"ชลบุรี"}}, 422, "name_th"},
			{"unknown directive status filter", "GET", "/api/v1/directives?status=bogus", sec, nil, 422, "status"},
			{"unknown directive source filter", "GET", "/api/v1/directives?source=bogus", sec, nil, 422, "source"},
			{"webhook to a non-http scheme", "POST", "/api/v1/webhooks", adm, map[string]any{"url": "file:///etc/passwd"}, 422, "url"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := h.do(tc.method, tc.path, tc.token, tc.body)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", res.Status, tc.status, res.Raw)
				}
				e, _ := res.Body["error"].(map[string]any)
				if e == nil || e["field"] != tc.field || e["message"] == "" {
					t.Fatalf("error %.300s, want field %q", res.Raw, tc.field)
				}
			})
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("refused requests changed the database: %v → %v", before, after)
		}
	})
}

// manyAttendees is n attendee entries of about 540 bytes each.
func manyAttendees(n int) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"name": strings.Repeat("ผู้เข้าประชุม", 20), "role": "other", "reason": "แทน"}
	}
	return out
}

// tableCounts are the row counts of the tables a refused request could
// have written.
type tableCounts struct {
	Directives, Series, Holidays, TargetSets, Webhooks, Audit int64
}

func snapshot(t *testing.T, db *gorm.DB) tableCounts {
	t.Helper()
	var c tableCounts
	for _, q := range []struct {
		model any
		out   *int64
	}{
		{&models.Directive{}, &c.Directives}, {&models.MeetingSeries{}, &c.Series}, {&models.Holiday{}, &c.Holidays},
		{&models.TargetSet{}, &c.TargetSets}, {&models.Webhook{}, &c.Webhooks}, {&models.AuditEvent{}, &c.Audit},
	} {
		if err := db.Model(q.model).Count(q.out).Error; err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestSecurityHeaders checks the headers every answer carries, an error
// included.
func TestSecurityHeaders(t *testing.T) {
	app, token := fakeApp(t, func(*api.Deps) {})
	for _, path := range []string{"/healthz", "/api/v1/nope"} {
		_, hdr, _ := fakeCall(t, app, "GET", path, token, "")
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin",
		} {
			if got := hdr.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
}

// hostileCase is one generated request: a body with exactly one bad field.
type hostileCase struct {
	method, path, field, what string
	body                      map[string]any
}

// hostileCorpus generates, from the Go type behind every JSON request body
// (requestTypes), one request per field and per way of breaking it: a
// string one character over its limit, a NUL byte, a line break in a
// single-line field, an unsafe link, a list one element over its limit.
func hostileCorpus(t *testing.T) []hostileCase {
	t.Helper()
	var out []hostileCase
	for key, typ := range requestTypes {
		method, path, _ := strings.Cut(key, " ")
		id := "x1"
		if strings.HasPrefix(path, "/api/v1/kpi/") {
			id = "1" // KPI schemes are numbered
		}
		path = strings.NewReplacer("{id}", id, "{key}", "assignment~x1~20~1~1~1", "{unit}", "20", "{number}", "1",
			"{rid}", "r1", "{date}", "2026-12-30", "{code}", "pilot", "{n}", "1", "{eid}", "1").Replace(path)
		var walk func(rt reflect.Type, jsonPath []any, tag string)
		walk = func(rt reflect.Type, jsonPath []any, tag string) {
			for rt.Kind() == reflect.Pointer {
				rt = rt.Elem()
			}
			field := pathString(jsonPath)
			add := func(what string, v any) {
				out = append(out, hostileCase{method: method, path: path, field: field, what: what, body: nestedBody(jsonPath, v)})
			}
			switch rt.Kind() {
			case reflect.String:
				limit := limitOf(tag, 2000)
				add("over the limit", strings.Repeat("ก", limit+1))
				add("NUL byte", "ก\x00ข")
				add("escape character", "ก\x1bข")
				if strings.Contains(tag, "singleline") || strings.Contains(tag, "httpurl") {
					add("line break in a single-line field", "ก\r\nATTACH:http://evil")
				}
				if strings.Contains(tag, "httpurl") {
					add("javascript: link", "javascript:alert(1)")
					add("link with user information", "https://user:pw@example.go.th/")
				}
			case reflect.Slice:
				if rt.Elem().Kind() == reflect.Uint8 {
					return
				}
				limit := limitOf(tag, 1000)
				elems := make([]any, limit+1)
				for i := range elems {
					elems[i] = zeroJSON(rt.Elem())
				}
				add("one element over the limit", elems)
				walk(rt.Elem(), append(append([]any{}, jsonPath...), 0), diveTagOf(tag))
			case reflect.Struct:
				for i := range rt.NumField() {
					f := rt.Field(i)
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					if !f.IsExported() || name == "-" || (f.Anonymous && name == "") {
						continue
					}
					if name == "" {
						name = f.Name
					}
					walk(f.Type, append(append([]any{}, jsonPath...), name), f.Tag.Get("validate"))
				}
			}
		}
		walk(reflect.TypeOf(typ), nil, "")
	}
	return out
}

// zeroJSON is a harmless JSON value of type rt, for filling lists.
func zeroJSON(rt reflect.Type) any {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	switch rt.Kind() {
	case reflect.String:
		return ""
	case reflect.Struct:
		return map[string]any{}
	case reflect.Slice:
		return []any{}
	case reflect.Bool:
		return false
	}
	return 1
}

// pathString writes a JSON path as errors name fields: "items[0].text".
func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		}
	}
	return b.String()
}

// nestedBody builds the smallest JSON object holding v at path.
func nestedBody(path []any, v any) map[string]any {
	var build func(i int) any
	build = func(i int) any {
		if i == len(path) {
			return v
		}
		switch p := path[i].(type) {
		case string:
			return map[string]any{p: build(i + 1)}
		case int:
			return []any{build(i + 1)}
		}
		return nil
	}
	if len(path) == 0 {
		return map[string]any{}
	}
	return build(0).(map[string]any)
}

// TestHostileCorpus sends the generated corpus (several hundred requests,
// every field of every JSON request body) as an admin: each must be a 4xx
// naming its field, none a 5xx, and nothing may change.
func TestHostileCorpus(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	adm := h.login("admin", adminPassword)
	corpus := hostileCorpus(t)
	if len(corpus) < 300 {
		t.Fatalf("the corpus has %d cases, want at least 300", len(corpus))
	}
	before := snapshot(t, h.db)
	fivexx := 0
	for _, tc := range corpus {
		res := h.do(tc.method, tc.path, adm, tc.body)
		e, _ := res.Body["error"].(map[string]any)
		switch {
		case res.Status >= 500:
			fivexx++
			t.Errorf("%s %s, %s %s: %d %.200s", tc.method, tc.path, tc.field, tc.what, res.Status, res.Raw)
		case res.Status < 400 || e == nil || e["field"] != tc.field:
			t.Errorf("%s %s, %s %s: %d %.200s (want a 4xx naming %s)", tc.method, tc.path, tc.field, tc.what, res.Status, res.Raw, tc.field)
		}
	}
	if after := snapshot(t, h.db); after != before {
		t.Errorf("the corpus changed the database: %v → %v", before, after)
	}
	t.Logf("%d hostile requests, %d answered 5xx", len(corpus), fivexx)
}
