package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"gorm.io/gorm"
)

// authzRule says who may call a route: Roles pass its role check (none:
// any signed-in account); Public routes need no account; Skip names
// routes probed elsewhere because calling them changes the caller's own
// access (sign-out). A route's unit-scoped reads are checked separately.
type authzRule struct {
	Roles  []models.Role
	Public bool
	Skip   string
}

var (
	adminOnly = authzRule{Roles: []models.Role{models.RoleAdmin}}
	national  = authzRule{Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat}}
	anyone    = authzRule{}
)

// authzRules classifies every route. TestAuthorizationMatrix fails on a
// registered route missing here, so a new route cannot be forgotten.
var authzRules = map[string]authzRule{
	"GET /healthz": {Public: true}, "GET /readyz": {Public: true}, "GET /api/v1/openapi.json": {Public: true},
	"POST /api/v1/auth/login": {Public: true}, "GET /api/v1/units/:code/meetings.ics": {Public: true},
	"POST /api/v1/tips": {Public: true}, "POST /api/v1/tips/follow-up": {Public: true}, "POST /api/v1/tips/messages": {Public: true},
	"GET /api/v1/units/:code/tip-qr.png": {Public: true}, "GET /api/v1/units/:code/tip-qr.svg": {Public: true},
	"GET /api/v1/tips/challenges/:id/image.png": {Public: true}, "GET /api/v1/tips/challenges/:id/audio.wav": {Public: true},
	"GET /api/v1/tips":                  {Roles: []models.Role{models.RoleProvince, models.RoleDistrict, models.RoleInspector, models.RoleSecretariat}},
	"GET /api/v1/tips/:id":              {Roles: []models.Role{models.RoleProvince, models.RoleDistrict, models.RoleInspector, models.RoleSecretariat}},
	"POST /api/v1/tips/:id/acknowledge": {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/tips/:id/forward":     {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/tips/:id/stage":       {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/tips/:id/refer-up":    {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"GET /api/v1/tips/counts":           {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleObserver}},
	"POST /api/v1/tips/:id/messages":    {Roles: []models.Role{models.RoleProvince, models.RoleDistrict, models.RoleInspector}},
	"GET /api/v1/tips/:id/files/:n":     {Roles: []models.Role{models.RoleProvince, models.RoleDistrict, models.RoleInspector}},

	"GET /metrics": adminOnly,

	"POST /api/v1/auth/logout": {Skip: "signs the caller out"}, "GET /api/v1/auth/me": anyone,
	"POST /api/v1/auth/password": anyone, "GET /api/v1/auth/tokens": anyone,
	"POST /api/v1/auth/tokens":       {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat}},
	"DELETE /api/v1/auth/tokens/:id": anyone,

	"GET /api/v1/accounts": adminOnly, "POST /api/v1/accounts": adminOnly,
	"PATCH /api/v1/accounts/:id": adminOnly, "POST /api/v1/accounts/:id/password": adminOnly,
	"GET /api/v1/units": anyone, "GET /api/v1/units/:code": anyone,
	"GET /api/v1/holidays": anyone, "PUT /api/v1/holidays/:date": national, "DELETE /api/v1/holidays/:date": national,
	"GET /api/v1/target-sets": anyone, "GET /api/v1/target-sets/:code": anyone,
	"PUT /api/v1/target-sets/:code": national, "DELETE /api/v1/target-sets/:code": national,
	"GET /api/v1/audit": national, "GET /api/v1/audit/export": national,

	"POST /api/v1/directives": national, "POST /api/v1/directives/parse": national, "GET /api/v1/directives": anyone, "GET /api/v1/directives/:id": anyone,
	"GET /api/v1/directives/:id/matrix": anyone, "POST /api/v1/directives/:id/amend": national,
	"POST /api/v1/directives/:id/targets": national, "POST /api/v1/directives/:id/withdraw": national,
	"POST /api/v1/directives/:id/attachments": national, "GET /api/v1/directives/:id/attachments/:aid": anyone,

	"GET /api/v1/assignments": anyone, "GET /api/v1/directives/:id/assignments/:unit": anyone,
	"POST /api/v1/directives/:id/assignments/:unit/acknowledge":                           {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/directives/:id/assignments/:unit/items/:number/reports":                 {Roles: []models.Role{models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/directives/:id/assignments/:unit/items/:number/reports/:rid/accept":     {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleProvince}},
	"POST /api/v1/directives/:id/assignments/:unit/items/:number/reports/:rid/return":     {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleProvince}},
	"GET /api/v1/directives/:id/assignments/:unit/items/:number/reports/:rid/evidence/:n": anyone,
	"GET /api/v1/escalations":               anyone,
	"POST /api/v1/escalations/:key/actions": {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleInspector}},

	"GET /api/v1/meeting-series": anyone, "POST /api/v1/meeting-series": national,
	"POST /api/v1/meeting-series/:id/meetings": national, "GET /api/v1/meetings": anyone,
	"GET /api/v1/meetings/attendance-stats": anyone, "GET /api/v1/meetings/:id": anyone,
	"POST /api/v1/meetings/:id/rsvp":       {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleProvince, models.RoleDistrict}},
	"POST /api/v1/meetings/:id/attendance": national, "PUT /api/v1/meetings/:id/minutes": national,
	"POST /api/v1/meetings/:id/reschedule": national, "POST /api/v1/meetings/:id/cancel": national,
	"POST /api/v1/meetings/:id/agenda": national, "POST /api/v1/meetings/:id/directives": national,
	"POST /api/v1/units/:code/meetings.ics/token": {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleProvince, models.RoleDistrict}},

	"GET /api/v1/inbox": anyone, "POST /api/v1/inbox/read-all": anyone, "POST /api/v1/inbox/:id/read": anyone,
	"GET /api/v1/dashboard":                 {Roles: []models.Role{models.RoleAdmin, models.RoleSecretariat, models.RoleObserver, models.RoleInspector}},
	"GET /api/v1/provinces/:code/dashboard": anyone,
	"GET /api/v1/deliveries":                adminOnly, "POST /api/v1/deliveries/retry": adminOnly, "GET /api/v1/dev-mailbox": adminOnly,
	"GET /api/v1/webhooks": national, "POST /api/v1/webhooks": national, "DELETE /api/v1/webhooks/:id": national,

	"GET /api/v1/kpi/templates": anyone, "GET /api/v1/kpi/schemes": anyone, "POST /api/v1/kpi/schemes": national,
	"GET /api/v1/kpi/schemes/:id": anyone, "GET /api/v1/kpi/schemes/:id/scores": anyone,
	"GET /api/v1/kpi/schemes/:id/provinces/:code":                                      anyone,
	"POST /api/v1/kpi/schemes/:id/provinces/:code/criteria/:n/entries":                 {Roles: []models.Role{models.RoleProvince}},
	"POST /api/v1/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/verify":     national,
	"POST /api/v1/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/return":     national,
	"GET /api/v1/kpi/schemes/:id/provinces/:code/criteria/:n/entries/:eid/evidence/:i": anyone,
}

// TestAuthorizationMatrix probes every route with every role, on a
// directive assigned to ชลบุรี (20, inspection region 8), its district
// เมืองชลบุรี (2001) and เมืองเชียงใหม่ (5001, region 15):
//   - a role outside a route's rule gets 403 or 404, never 2xx;
//   - a role inside it never gets 403 (it may get 404 or 422: the probes
//     name nothing that exists and carry empty bodies, so nothing changes);
//   - unit-scoped reads answer 200 inside the caller's scope and 404
//     outside it; a unit account cannot act for another unit;
//   - nothing answers 5xx.
func TestAuthorizationMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	addScopeAccounts(t, db)
	tokens := map[string]string{
		"admin": h.login("admin", adminPassword), "sec": h.login("sec", "secretariat-pass"), "watch": h.login("watch", "observer-pass-1"),
		"chonburi": h.login("chonburi", "province-pass-1"), "dist2001": h.login("dist2001", "district-pass-2001"),
		"insp8": h.login("insp8", "inspector-pass-1"), "insp15": h.login("insp15", "inspector-pass-15"),
	}
	roleOf := map[string]models.Role{"admin": models.RoleAdmin, "sec": models.RoleSecretariat, "watch": models.RoleObserver,
		"chonburi": models.RoleProvince, "dist2001": models.RoleDistrict, "insp8": models.RoleInspector, "insp15": models.RoleInspector}
	// Which of the three units each caller's scope holds.
	sees := map[string][]string{"admin": {"20", "2001", "5001"}, "sec": {"20", "2001", "5001"}, "watch": {"20", "2001", "5001"},
		"chonburi": {"20", "2001"}, "dist2001": {"2001"}, "insp8": {"20", "2001"}, "insp15": {"5001"}}

	letter := moiLetter(nil)
	letter["items"] = []map[string]any{{"number": 1, "text": "ทดสอบสิทธิ์", "targets": map[string]any{"units": []string{"20", "2001", "5001"}}, "due_within": "20"}}
	res := h.do("POST", "/api/v1/directives", tokens["sec"], letter)
	if res.Status != 202 {
		t.Fatalf("issue: %d %s", res.Status, res.Raw)
	}
	id := res.Body["id"].(string)
	eventually(t, time.Minute, "three assignments", func() bool {
		return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 3
	})

	fill := strings.NewReplacer(":id/assignments", id+"/assignments", ":aid", "1", ":number", "1", ":rid", "r-none", ":n", "0",
		":key", "assignment~none~20~1~1~1", ":date", "2030-01-02")
	for _, r := range h.app.GetRoutes(true) {
		if r.Method == "HEAD" || strings.HasSuffix(r.Path, "/") {
			continue
		}
		key := r.Method + " " + r.Path
		if isWebRoute(r.Path) {
			continue // pages: TestWebAuthorization
		}
		rule, ok := authzRules[key]
		if !ok {
			t.Errorf("route %s has no rule in authzRules", key)
			continue
		}
		if rule.Public || rule.Skip != "" {
			continue
		}
		// A unit's calendar-feed token is a unit-scoped write like the
		// assignment routes.
		path := strings.Replace(fill.Replace(r.Path), "/units/:code/", "/units/:unit/", 1)
		switch {
		case strings.HasPrefix(path, "/api/v1/directives/:id"):
			path = strings.Replace(path, ":id", id, 1)
		case strings.Contains(path, ":unit"):
		default:
			path = strings.NewReplacer(":id", "999999", ":code", "none-set").Replace(path)
		}
		for caller, tok := range tokens {
			for _, unit := range []string{"20", "5001"} {
				p := strings.Replace(path, ":unit", unit, 1)
				if !strings.Contains(path, ":unit") && unit != "20" {
					continue
				}
				allowed := len(rule.Roles) == 0 || slices.Contains(rule.Roles, roleOf[caller])
				inScope := slices.Contains(sees[caller], unit)
				unitAccount := roleOf[caller] == models.RoleProvince || roleOf[caller] == models.RoleDistrict
				if strings.Contains(path, ":unit") && r.Method != "GET" && unitAccount && inScope {
					continue // a unit's own write would change state; its refusal elsewhere is probed
				}
				var body any
				if r.Method != "GET" && r.Method != "DELETE" {
					body = map[string]any{}
				}
				got := h.do(r.Method, p, tok, body)
				if strings.HasSuffix(path, "/attachments") {
					// Attachments are multipart: an empty form reaches the
					// role check (the JSON probe is refused as malformed).
					got = asgSend(h, p, tok, "")
				}
				switch {
				case got.Status >= 500:
					t.Errorf("%s %s as %s: %d %.200s", r.Method, p, caller, got.Status, got.Raw)
				case !allowed && got.Status != 403 && got.Status != 404:
					t.Errorf("%s %s as %s (role not allowed): %d, want 403 or 404", r.Method, p, caller, got.Status)
				case allowed && strings.Contains(path, ":unit") && r.Method != "GET" && roleOf[caller] != models.RoleAdmin &&
					roleOf[caller] != models.RoleSecretariat && !inScope && got.Status != 403 && got.Status != 404:
					t.Errorf("%s %s as %s (another unit): %d, want 403 or 404", r.Method, p, caller, got.Status)
				case allowed && got.Status == 403 && inScope && !strings.Contains(path, ":unit"):
					t.Errorf("%s %s as %s (allowed): 403 %.200s", r.Method, p, caller, got.Raw)
				}
			}
		}
	}

	// Unit-scoped reads: 200 inside the caller's scope, 404 outside.
	for caller, tok := range tokens {
		for _, unit := range []string{"20", "2001", "5001"} {
			want := 404
			if slices.Contains(sees[caller], unit) {
				want = 200
			}
			for _, p := range []string{"/api/v1/directives/" + id + "/assignments/" + unit, "/api/v1/units/" + unit} {
				if got := h.do("GET", p, tok, nil); got.Status != want {
					t.Errorf("GET %s as %s: %d, want %d", p, caller, got.Status, want)
				}
			}
		}
		list := h.do("GET", "/api/v1/assignments?directive="+id, tok, nil)
		var units []string
		for _, it := range list.Body["items"].([]any) {
			units = append(units, it.(map[string]any)["unit_code"].(string))
		}
		slices.Sort(units)
		if want := sees[caller]; !slices.Equal(units, want) {
			t.Errorf("GET /assignments as %s lists %v, want %v", caller, units, want)
		}
	}
	// Nothing was acknowledged or reported by the probes.
	if n := count(t, db, &models.Assignment{}, "directive_id = ? AND acknowledged_at IS NOT NULL", id); n != 0 {
		t.Errorf("the probes acknowledged %d assignments", n)
	}
}

// addScopeAccounts adds, to the harness's accounts, a district officer of
// เมืองชลบุรี (dist2001) and an inspector of region 15 (insp15), so that
// scope tests have a caller on each side of every line.
func addScopeAccounts(t *testing.T, db *gorm.DB) {
	t.Helper()
	svc := &auth.Service{DB: db, SessionTTL: time.Hour}
	for _, a := range []auth.NewAccount{
		{Username: "dist2001", Password: "district-pass-2001", Role: models.RoleDistrict, UnitCode: "2001"},
		{Username: "insp15", Password: "inspector-pass-15", Role: models.RoleInspector, Regions: []int{15}},
	} {
		if _, err := svc.CreateAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
}
