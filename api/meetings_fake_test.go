package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/internal/meetings"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/workflows"
)

// fakeApp builds the API with no Temporal client and the domains set by
// with (fakes), on a SQLite database used for authentication only, and
// returns it with a bearer token of the admin account.
func fakeApp(t *testing.T, with func(d *api.Deps)) (*fiber.App, string) {
	t.Helper()
	db := storetest.SQLite(t)
	svc := &auth.Service{DB: db, SessionTTL: time.Hour}
	if _, _, err := svc.EnsureAdmin(t.Context(), adminPassword); err != nil {
		t.Fatal(err)
	}
	login, err := svc.Login(t.Context(), "admin", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	d := &api.Deps{DB: db, Auth: svc, Logger: slog.New(slog.DiscardHandler)}
	with(d)
	return api.New(d), login.Token
}

// fakeCall sends one request (body: "" for none) and returns the status,
// the headers and the body decoded as a JSON object (nil if it is not one).
func fakeCall(t *testing.T, app *fiber.App, method, path, token, body string) (int, http.Header, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := app.Test(req, 10_000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return res.StatusCode, res.Header, out
}

// fakeError returns the error object of an error answer.
func fakeError(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	return e
}

// fakeMeetings is a meetings.Service that records its calls and answers
// what the test set. Methods a test does not use panic (nil embedded
// interface).
type fakeMeetings struct {
	meetings.Service
	principal *auth.Principal
	id        string
	timeIn    meetings.TimeInput
	filter    meetings.MeetingFilter
	token     string
	err       error
}

func (f *fakeMeetings) Reschedule(_ context.Context, p *auth.Principal, id string, in meetings.TimeInput) (workflows.MeetingState, error) {
	f.principal, f.id, f.timeIn = p, id, in
	return workflows.MeetingState{ID: id, Sequence: 2, Status: "scheduled"}, f.err
}

func (f *fakeMeetings) ListMeetings(_ context.Context, p *auth.Principal, flt meetings.MeetingFilter) (listing.Page[meetings.MeetingView], error) {
	f.principal, f.filter = p, flt
	return listing.Page[meetings.MeetingView]{Items: []meetings.MeetingView{{ID: "oncb-prov-2569-1", NumberLabel: "ครั้งที่ 1/2569"}}, Total: 1}, f.err
}

func (f *fakeMeetings) CreateSeries(_ context.Context, p *auth.Principal, in meetings.SeriesInput) (meetings.SeriesCreated, error) {
	f.principal, f.id = p, in.ID
	return meetings.SeriesCreated{}, f.err
}

func (f *fakeMeetings) Feed(_ context.Context, unit, token string) (string, error) {
	f.id, f.token = unit, token
	return "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", f.err
}

// TestMeetingHandlersWithFakeService: the meeting handlers bind the
// request into the domain's input, pass the caller, render the answer, and
// map the domain's errors to status codes, with no Temporal server and no
// meeting data.
func TestMeetingHandlersWithFakeService(t *testing.T) {
	fake := &fakeMeetings{}
	app, tok := fakeApp(t, func(d *api.Deps) { d.Meetings = fake })

	status, _, body := fakeCall(t, app, "POST", "/api/v1/meetings/oncb-prov-2569-1/reschedule", tok,
		`{"date": "๑ ม.ค. ๒๕๗๐", "time": "13:30", "reason": "ติดภารกิจ"}`)
	if status != 200 || body["id"] != "oncb-prov-2569-1" || body["sequence"] != float64(2) {
		t.Fatalf("reschedule: %d %v", status, body)
	}
	if fake.id != "oncb-prov-2569-1" || fake.principal == nil || fake.principal.Username != "admin" ||
		fake.timeIn != (meetings.TimeInput{Date: "๑ ม.ค. ๒๕๗๐", Time: "13:30", Reason: "ติดภารกิจ"}) {
		t.Fatalf("service called with %q %+v %+v", fake.id, fake.principal, fake.timeIn)
	}

	// The domain's errors keep their code and field.
	fake.err = apperr.Field("starts_at", "overlaps")
	fake.err.(*apperr.Error).Code = apperr.Conflict
	status, _, body = fakeCall(t, app, "POST", "/api/v1/meetings/x/reschedule", tok, `{"starts_at": "2030-01-01T13:30:00+07:00"}`)
	if e := fakeError(body); status != 409 || e["code"] != "conflict" || e["field"] != "starts_at" {
		t.Fatalf("conflict: %d %v", status, body)
	}
	fake.err = apperr.New(apperr.Forbidden, "no")
	if status, _, _ := fakeCall(t, app, "POST", "/api/v1/meeting-series", tok, `{"id": "s"}`); status != 403 || fake.id != "s" {
		t.Fatalf("forbidden: %d, service saw %q", status, fake.id)
	}
	fake.err = apperr.New(apperr.Unavailable, "engine down")
	if status, _, _ := fakeCall(t, app, "POST", "/api/v1/meeting-series", tok, `{"id": "s"}`); status != 503 {
		t.Fatalf("unavailable: %d", status)
	}
	fake.err = nil

	// A body the handler cannot bind never reaches the service.
	fake.id = ""
	status, _, body = fakeCall(t, app, "POST", "/api/v1/meetings/y/reschedule", tok, `{"when": "tomorrow"}`)
	if e := fakeError(body); status != 422 || e["field"] != "when" || fake.id != "" {
		t.Fatalf("unknown field: %d %v, service saw %q", status, body, fake.id)
	}

	// Query filters are passed as they came; lists are rendered as pages.
	status, _, body = fakeCall(t, app, "GET", "/api/v1/meetings?from=2026-01-01&to="+url.QueryEscape("๓๑ ม.ค. ๒๕๖๙")+"&series=oncb-prov", tok, "")
	if status != 200 || body["total"] != float64(1) || fake.filter != (meetings.MeetingFilter{From: "2026-01-01", To: "๓๑ ม.ค. ๒๕๖๙", Series: "oncb-prov"}) {
		t.Fatalf("list: %d %v, filter %+v", status, body, fake.filter)
	}

	// The feed needs no bearer token; the handler sets the calendar type.
	status, hdr, _ := fakeCall(t, app, "GET", "/api/v1/units/20/meetings.ics?token=ics_abc", "", "")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") || fake.id != "20" || fake.token != "ics_abc" {
		t.Fatalf("feed: %d %v, service saw %q %q", status, hdr, fake.id, fake.token)
	}
	fake.err = apperr.New(apperr.Forbidden, "bad token")
	if status, _, _ := fakeCall(t, app, "GET", "/api/v1/units/20/meetings.ics?token=wrong", "", ""); status != 403 {
		t.Fatalf("feed with a wrong token: %d", status)
	}
}
