package api_test

import (
	"context"
	"testing"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/admin"
	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/directives"
	"github.com/tidtam/tidtam/internal/listing"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// fakeDirectives is a directives.Service that records what the handlers
// pass and answers what the test set. Methods a test does not use panic
// (nil embedded interface).
type fakeDirectives struct {
	directives.Service
	caller     *auth.Principal
	issued     directives.DirectiveRequest
	assignment directives.AssignmentFilter
	acked      [3]string
	note       string
	review     directives.ReportRef
	decision   workflows.ReviewDecision
	escalation string
	err        error
}

func (f *fakeDirectives) Issue(_ context.Context, p *auth.Principal, req directives.DirectiveRequest) (directives.DirectiveAccepted, error) {
	f.caller, f.issued = p, req
	return directives.DirectiveAccepted{ID: "MOI-x", UnitsTotal: 955, Items: len(req.Items), Status: "issuing"}, f.err
}

// List answers no directives (the pages' filter choices).
func (f *fakeDirectives) List(_ context.Context, p *auth.Principal, _ directives.DirectiveFilter) (listing.Page[directives.DirectiveView], error) {
	return listing.Page[directives.DirectiveView]{Items: []directives.DirectiveView{}}, nil
}

func (f *fakeDirectives) ListAssignments(_ context.Context, p *auth.Principal, fl directives.AssignmentFilter) (listing.Page[directives.AssignmentView], error) {
	f.caller, f.assignment = p, fl
	return listing.Page[directives.AssignmentView]{Items: []directives.AssignmentView{}, Total: 0}, f.err
}

func (f *fakeDirectives) Acknowledge(_ context.Context, p *auth.Principal, directiveID, unit string, req directives.AcknowledgeRequest) (workflows.AssignmentState, error) {
	f.caller, f.acked, f.note = p, [3]string{directiveID, unit}, req.Note
	return workflows.AssignmentState{}, f.err
}

func (f *fakeDirectives) Review(_ context.Context, p *auth.Principal, ref directives.ReportRef, d workflows.ReviewDecision, _ directives.ReviewRequest) (workflows.AssignmentState, error) {
	f.caller, f.review, f.decision = p, ref, d
	return workflows.AssignmentState{}, f.err
}

func (f *fakeDirectives) ActOnEscalation(_ context.Context, p *auth.Principal, id string, _ directives.EscalationActionRequest) (workflows.AssignmentState, error) {
	f.caller, f.escalation = p, id
	return workflows.AssignmentState{}, f.err
}

// TestDirectiveHandlersOverFakeService runs the directive handlers over a
// fake domain with no Temporal server: each binds its path, query and body
// into the service's input, passes the signed-in caller, renders the
// answer with the right status, and maps the domain's errors.
func TestDirectiveHandlersOverFakeService(t *testing.T) {
	fake := &fakeDirectives{}
	app, token := fakeApp(t, func(d *api.Deps) { d.Directives = fake })

	status, _, body := fakeCall(t, app, "POST", "/api/v1/directives", token,
		`{"source":"ministry","issuer":"MOI","doc_number":"ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗","issue_date":"๑๗ ธ.ค. ๒๕๖๗","urgency":"ด่วนที่สุด","subject":"s","items":[{"number":"๑","text":"t","targets":{"all_provinces":true}}]}`)
	if status != 202 || body["units_total"] != float64(955) || fake.caller == nil || fake.caller.Username != "admin" ||
		fake.issued.DocNumber != "ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗" || len(fake.issued.Items) != 1 || fake.issued.Items[0].Number != 1 {
		t.Fatalf("issue: %d %v; service got %+v", status, body, fake.issued)
	}
	// A body the handler cannot bind never reaches the service.
	fake.issued = directives.DirectiveRequest{}
	if status, _, body := fakeCall(t, app, "POST", "/api/v1/directives", token, `{"subjekt":"x"}`); status != 422 || fakeError(body)["field"] != "subjekt" || fake.issued.Subject != "" {
		t.Fatalf("unknown field: %d %v", status, body)
	}

	if status, _, body := fakeCall(t, app, "GET", "/api/v1/assignments?directive=D1&unit=5001&status=assigned&overdue=1&region=๘&limit=20&offset=40", token, ""); status != 200 {
		t.Fatalf("list assignments: %d %v", status, body)
	}
	want := directives.AssignmentFilter{DirectiveID: "D1", UnitCode: "5001", Status: "assigned", Overdue: true, HasOverdue: true,
		Region: 8, HasRegion: true, Window: listing.Window{Limit: 20, Offset: 40}}
	if fake.assignment != want {
		t.Fatalf("filter %+v, want %+v", fake.assignment, want)
	}
	if status, _, body := fakeCall(t, app, "GET", "/api/v1/assignments?overdue=maybe", token, ""); status != 422 || fakeError(body)["field"] != "overdue" {
		t.Fatalf("bad overdue: %d %v", status, body)
	}

	// An empty body is a valid acknowledgement; the service's Conflict is 409.
	fake.err = apperr.New(apperr.Conflict, "รับทราบแล้ว (already acknowledged)")
	if status, _, _ := fakeCall(t, app, "POST", "/api/v1/directives/D1/assignments/20/acknowledge", token, ""); status != 409 || fake.acked != [3]string{"D1", "20"} {
		t.Fatalf("acknowledge: %d %v", status, fake.acked)
	}
	fake.err = nil

	if status, _, body := fakeCall(t, app, "POST", "/api/v1/directives/D1/assignments/2001/items/๒/reports/R9/return", token, `{"reason":"ไม่ครบ"}`); status != 200 ||
		fake.review != (directives.ReportRef{DirectiveID: "D1", UnitCode: "2001", ItemNumber: 2, ReportID: "R9"}) || fake.decision != workflows.ReviewReturn {
		t.Fatalf("review: %d %v %+v", status, body, fake.review)
	}
	if status, _, body := fakeCall(t, app, "POST", "/api/v1/directives/D1/assignments/2001/items/zero/reports/R9/accept", token, ""); status != 422 || fakeError(body)["field"] != "number" {
		t.Fatalf("bad item number: %d %v", status, body)
	}

	fake.err = apperr.New(apperr.Unavailable, "ระบบงานไม่พร้อม")
	key := directives.EscalationKey("assignment/D1/20/1/1/2")
	if status, _, _ := fakeCall(t, app, "POST", "/api/v1/escalations/"+key+"/actions", token, `{"kind":"comment","reason":"ok"}`); status != 503 || fake.escalation != "assignment/D1/20/1/1/2" {
		t.Fatalf("escalation action: %d %q", status, fake.escalation)
	}
}

// fakeAdmin is an admin.Service that records the unit filter it is given.
type fakeAdmin struct {
	admin.Service
	units admin.UnitFilter
	err   error
}

func (f *fakeAdmin) ListUnits(_ context.Context, _ *auth.Principal, fl admin.UnitFilter) (listing.Page[admin.UnitView], error) {
	f.units = fl
	return listing.Page[admin.UnitView]{Items: []admin.UnitView{{Code: "20", Type: models.UnitProvince}}, Total: 1}, f.err
}

func (f *fakeAdmin) DeleteHoliday(context.Context, *auth.Principal, string) error { return f.err }

// TestAdminHandlersOverFakeService runs admin handlers over a fake domain:
// defaults and bounds of the unit list, and a domain error mapped to its
// status.
func TestAdminHandlersOverFakeService(t *testing.T) {
	fake := &fakeAdmin{}
	app, token := fakeApp(t, func(d *api.Deps) { d.Admin = fake })
	if status, _, body := fakeCall(t, app, "GET", "/api/v1/units?type=province&parent=ONCB", token, ""); status != 200 || body["total"] != float64(1) ||
		fake.units != (admin.UnitFilter{Type: models.UnitProvince, ParentCode: "ONCB", Window: listing.Window{Limit: 1000}}) {
		t.Fatalf("units: %d %v %+v", status, body, fake.units)
	}
	if status, _, body := fakeCall(t, app, "GET", "/api/v1/units?limit=9999", token, ""); status != 422 || fakeError(body)["field"] != "limit" {
		t.Fatalf("limit above 5000: %d %v", status, body)
	}
	fake.err = apperr.New(apperr.NotFound, "ไม่มีวันหยุดวันที่นั้น")
	if status, _, _ := fakeCall(t, app, "DELETE", "/api/v1/holidays/2026-01-02", token, ""); status != 404 {
		t.Fatalf("delete holiday: %d", status)
	}
}
