package api_test

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/telemetry"
	"github.com/tidtam/tidtam/models"
)

const adminPassword = "admin-password-123"

// harness is an API app on a migrated database seeded with the shipped
// units (provinces and districts, no holiday calendar) and a few accounts.
type harness struct {
	t   *testing.T
	app *fiber.App
	db  *gorm.DB
	// dataDir is the app's data directory once withEngine ran.
	dataDir string
}

func newHarness(t *testing.T, db *gorm.DB) *harness {
	t.Helper()
	ctx := t.Context()
	if err := store.SeedReferenceUnits(ctx, db); err != nil {
		t.Fatal(err)
	}
	svc := &auth.Service{DB: db, SessionTTL: time.Hour}
	if _, _, err := svc.EnsureAdmin(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	for _, a := range []auth.NewAccount{
		{Username: "chonburi", Password: "province-pass-1", Role: models.RoleProvince, UnitCode: "20"},
		{Username: "insp8", Password: "inspector-pass-1", Role: models.RoleInspector, Regions: []int{8}},
		{Username: "sec", Password: "secretariat-pass", Role: models.RoleSecretariat, UnitCode: models.NationalUnitCode},
		{Username: "watch", Password: "observer-pass-1", Role: models.RoleObserver},
	} {
		if _, err := svc.CreateAccount(ctx, a); err != nil {
			t.Fatalf("account %s: %v", a.Username, err)
		}
	}
	app := api.New(&api.Deps{DB: db, Auth: svc, Logger: slog.New(slog.DiscardHandler), DataDir: t.TempDir(), MaxUploadBytes: 1 << 20})
	return &harness{t: t, app: app, db: db}
}

type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

// do sends one request (body: nil, a raw string, or a value sent as JSON)
// and returns the answer. The request and the answer are checked against
// openapi.json (checkOpenAPI): a mismatch fails the test.
func (h *harness) do(method, path, token string, body any) response {
	h.t.Helper()
	res, _ := h.send(method, path, token, body, nil)
	return res
}

func (h *harness) login(user, pass string) string {
	h.t.Helper()
	res := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pass})
	if res.Status != 200 {
		h.t.Fatalf("login %s: %d %s", user, res.Status, res.Raw)
	}
	return res.Body["token"].(string)
}

func errorOf(t *testing.T, res response, status int, code, field string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status = %d, want %d: %s", res.Status, status, res.Raw)
	}
	e, _ := res.Body["error"].(map[string]any)
	if e == nil || e["code"] != code || (field != "" && e["field"] != field) || e["message"] == "" {
		t.Fatalf("error body = %s, want code %q field %q", res.Raw, code, field)
	}
}

func unitCodes(t *testing.T, res response) []string {
	t.Helper()
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Raw)
	}
	var codes []string
	for _, it := range res.Body["items"].([]any) {
		codes = append(codes, it.(map[string]any)["code"].(string))
	}
	if int(res.Body["total"].(float64)) != len(codes) {
		t.Fatalf("total %v != %d items", res.Body["total"], len(codes))
	}
	return codes
}

func TestAuthAndErrors(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong-password"}), 401, "unauthorized", "")
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", map[string]string{"password": "x"}), 422, "invalid", "username")
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", `{"username": "admin",`), 400, "bad_request", "")
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", `{"username": "admin", "password": "x", "otp": 1}`), 422, "invalid", "otp")
		errorOf(t, h.do("POST", "/api/v1/auth/login", "", `{"username": 5, "password": "x"}`), 422, "invalid", "username")
		errorOf(t, h.do("GET", "/api/v1/units", "", nil), 401, "unauthorized", "")
		errorOf(t, h.do("GET", "/api/v1/units", "not-a-token", nil), 401, "unauthorized", "")
		// Unauthenticated callers learn nothing about which routes exist.
		errorOf(t, h.do("GET", "/api/v1/nothing-here", "", nil), 401, "unauthorized", "")

		tok := h.login("admin", adminPassword)
		errorOf(t, h.do("GET", "/api/v1/nothing-here", tok, nil), 404, "not_found", "")
		me := h.do("GET", "/api/v1/auth/me", tok, nil)
		if me.Status != 200 || me.Body["username"] != "admin" || me.Body["role"] != "admin" {
			t.Fatalf("me: %d %s", me.Status, me.Raw)
		}
		// API tokens work like session tokens and are audited.
		res := h.do("POST", "/api/v1/auth/tokens", tok, map[string]string{"name": "NISPA sync"})
		if res.Status != 201 {
			t.Fatalf("token: %d %s", res.Status, res.Raw)
		}
		apiTok := res.Body["token"].(string)
		if h.do("GET", "/api/v1/units?type=province", apiTok, nil).Status != 200 {
			t.Fatal("api token rejected")
		}
		// Logout revokes the session token only.
		if r := h.do("POST", "/api/v1/auth/logout", tok, nil); r.Status != 204 {
			t.Fatalf("logout: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized", "")
		audit := h.do("GET", "/api/v1/audit?entity_type=account", apiTok, nil)
		if audit.Status != 200 || !strings.Contains(string(audit.Raw), "token.create") {
			t.Fatalf("audit lacks token.create: %s", audit.Raw)
		}
	})
}

func TestUnitsListAndScope(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		admin := h.login("admin", adminPassword)

		provinces := unitCodes(t, h.do("GET", "/api/v1/units?type=province", admin, nil))
		if len(provinces) != 77 || provinces[0] != "10" || provinces[76] != "96" {
			t.Fatalf("provinces: %d %v…", len(provinces), provinces[:3])
		}
		// Region 8 is ฉะเชิงเทรา (24), ชลบุรี (20), ระยอง (21); Thai digits accepted.
		r8 := unitCodes(t, h.do("GET", "/api/v1/units?type=province&region=%E0%B9%98", admin, nil))
		if !slices.Equal(r8, []string{"20", "21", "24"}) {
			t.Fatalf("region 8 provinces = %v", r8)
		}
		var wantDistricts int64
		db.Model(&models.Unit{}).Where("parent_code IN ?", []string{"20", "21", "24"}).Count(&wantDistricts)
		d8 := unitCodes(t, h.do("GET", "/api/v1/units?type=district&region=8", admin, nil))
		if int64(len(d8)) != wantDistricts || wantDistricts < 20 {
			t.Fatalf("region 8 districts = %d, want %d", len(d8), wantDistricts)
		}
		all := unitCodes(t, h.do("GET", "/api/v1/units?type=district&limit=5000", admin, nil))
		if len(all) != 928 {
			t.Fatalf("districts = %d, want 928", len(all))
		}

		// A province account sees its centre and its districts only.
		prov := h.login("chonburi", "province-pass-1")
		own := unitCodes(t, h.do("GET", "/api/v1/units", prov, nil))
		for _, c := range own {
			if c != "20" && !strings.HasPrefix(c, "20") {
				t.Fatalf("province account sees %s", c)
			}
		}
		if !slices.Contains(own, "20") || !slices.Contains(own, "2001") {
			t.Fatalf("province account misses own units: %v", own)
		}
		errorOf(t, h.do("GET", "/api/v1/units/50", prov, nil), 404, "not_found", "")
		if r := h.do("GET", "/api/v1/units/2001", prov, nil); r.Status != 200 || r.Body["display_name_th"] != "ศป.ปส.อ.เมืองชลบุรี" {
			t.Fatalf("own district: %d %s", r.Status, r.Raw)
		}

		// An inspector of region 8 sees region 8's provinces and districts.
		insp := h.login("insp8", "inspector-pass-1")
		ip := unitCodes(t, h.do("GET", "/api/v1/units?type=province", insp, nil))
		if !slices.Equal(ip, []string{"20", "21", "24"}) {
			t.Fatalf("inspector provinces = %v", ip)
		}

		errorOf(t, h.do("GET", "/api/v1/units?type=village", admin, nil), 422, "invalid", "type")
		errorOf(t, h.do("GET", "/api/v1/units?region=19", admin, nil), 422, "invalid", "region")
		// Only admins manage accounts.
		errorOf(t, h.do("GET", "/api/v1/accounts", prov, nil), 403, "forbidden", "")
		errorOf(t, h.do("POST", "/api/v1/accounts", admin, map[string]any{"username": "x11", "password": "long-enough-pw", "role": "province", "unit_code": "99"}), 422, "invalid", "unit_code")
		if r := h.do("POST", "/api/v1/accounts", admin, map[string]any{"username": "korat", "password": "long-enough-pw", "role": "province", "unit_code": "30"}); r.Status != 201 {
			t.Fatalf("create account: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("POST", "/api/v1/accounts", admin, map[string]any{"username": "korat", "password": "long-enough-pw", "role": "province", "unit_code": "30"}), 409, "conflict", "")
	})
}

func TestHolidaysEditableAndAudited(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		watch := h.login("watch", "observer-pass-1")

		// Thai date in the path, Buddhist era.
		path := "/api/v1/holidays/" + "%E0%B9%91%E0%B9%94%20%E0%B8%81.%E0%B8%9E.%20%E0%B9%92%E0%B9%95%E0%B9%96%E0%B9%99" // ๑๔ ก.พ. ๒๕๖๙
		res := h.do("PUT", path, sec, map[string]string{"name_th": "วันหยุดพิเศษ", "name_en": "Special holiday"})
		if res.Status != 200 || res.Body["date"] != "2026-02-14" || res.Body["date_th"] != "14 กุมภาพันธ์ 2569" {
			t.Fatalf("put: %d %s", res.Status, res.Raw)
		}
		errorOf(t, h.do("PUT", "/api/v1/holidays/2026-02-15", prov, map[string]string{"name_th": "x"}), 403, "forbidden", "")
		errorOf(t, h.do("PUT", "/api/v1/holidays/2026-02-15", watch, map[string]string{"name_th": "x"}), 403, "forbidden", "")
		errorOf(t, h.do("PUT", "/api/v1/holidays/2026-02-31", sec, map[string]string{"name_th": "x"}), 422, "invalid", "date")
		errorOf(t, h.do("PUT", "/api/v1/holidays/2026-02-16", sec, map[string]string{"name_en": "x"}), 422, "invalid", "name_th")
		var n int64
		db.Model(&models.Holiday{}).Count(&n)
		if n != 1 {
			t.Fatalf("rejected requests changed the table: %d rows", n)
		}
		list := h.do("GET", "/api/v1/holidays?year=2569", prov, nil)
		if list.Status != 200 || int(list.Body["total"].(float64)) != 1 {
			t.Fatalf("list: %s", list.Raw)
		}
		if r := h.do("DELETE", "/api/v1/holidays/2026-02-14", sec, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("DELETE", "/api/v1/holidays/2026-02-14", sec, nil), 404, "not_found", "")
		audit := h.do("GET", "/api/v1/audit?entity_type=holiday&entity_id=2026-02-14", sec, nil)
		if audit.Status != 200 || int(audit.Body["total"].(float64)) != 2 {
			t.Fatalf("audit: %s", audit.Raw)
		}
	})
}

func TestReadyzWithoutTemporalIs503(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	res := h.do("GET", "/readyz", "", nil)
	if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Raw), `"database":"ok"`) {
		t.Fatalf("readyz: %d %s", res.Status, res.Raw)
	}
	if res := h.do("GET", "/healthz", "", nil); res.Status != 200 {
		t.Fatalf("healthz: %d", res.Status)
	}
}

// TestOpenAPIDocumentsEveryRoute keeps the OpenAPI file honest: every
// route the app registers (with metrics on, so that /metrics is one) is
// documented, and every documented operation is a registered route.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	metrics := telemetry.NewMetrics()
	t.Cleanup(func() { _ = metrics.Close() })
	app := api.New(&api.Deps{DB: h.db, Auth: &auth.Service{DB: h.db, SessionTTL: time.Hour},
		Logger: slog.New(slog.DiscardHandler), Metrics: metrics})
	full := &harness{t: t, app: app, db: h.db}
	res := full.do("GET", "/api/v1/openapi.json", "", nil)
	if res.Status != 200 || res.Body["openapi"] == nil {
		t.Fatalf("openapi: %d", res.Status)
	}
	if r := full.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Errorf("/healthz: %d", r.Status)
	}
	// /metrics names the service's internals: admin accounts only, and a
	// scrape never fails with a 500 (it did when app and SDK series
	// collided).
	if r := full.do("GET", "/metrics", "", nil); r.Status != 401 {
		t.Errorf("/metrics without a token: %d, want 401", r.Status)
	}
	if r := full.do("GET", "/metrics", full.login("chonburi", "province-pass-1"), nil); r.Status != 403 {
		t.Errorf("/metrics as a province: %d, want 403", r.Status)
	}
	admin := full.login("admin", adminPassword)
	for range 3 {
		if r := full.do("GET", "/metrics", admin, nil); r.Status != 200 || !strings.Contains(string(r.Raw), "tidtam_http_requests") {
			t.Fatalf("/metrics as admin: %d %.200s", r.Status, r.Raw)
		}
	}
	paths := res.Body["paths"].(map[string]any)
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" || strings.HasSuffix(r.Path, "/") || isWebRoute(r.Path) {
			continue
		}
		p := r.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		method := strings.ToLower(r.Method)
		registered[method+" "+p] = true
		ops, ok := paths[p].(map[string]any)
		if !ok || ops[method] == nil {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
		}
	}
	for p, item := range paths {
		for method := range item.(map[string]any) {
			if method != "parameters" && !registered[method+" "+p] {
				t.Errorf("openapi.json documents %s %s, which is not a registered route", strings.ToUpper(method), p)
			}
		}
	}
}
