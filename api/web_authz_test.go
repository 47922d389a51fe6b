package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
	"github.com/tidtam/tidtam/workflows"
)

// isWebRoute reports whether path is a page (package web) rather than the
// JSON API or a probe: the OpenAPI and API authorization tests leave pages
// to TestWebAuthorization.
func isWebRoute(path string) bool {
	if strings.HasPrefix(path, "/api/") {
		return false
	}
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return false
	}
	return true
}

// webPublic are the pages anyone may open without a session.
var webPublic = map[string]bool{"GET /login": true, "POST /login": true, "GET /assignments/*": true, "USE /static": true,
	// The tip-off pages of issue #15: the informant has no account.
	"GET /tip": true, "GET /tip/follow-up": true, "POST /tip/follow-up": true, "POST /tip/follow-up/messages": true,
	"GET /tip/:code": true, "POST /tip/:code": true}

// browserSession is a cookie jar and CSRF token for app.Test requests.
type browserSession struct {
	h       *harness
	cookies map[string]string
	csrf    string
}

var csrfAttr = regexp.MustCompile(`name="_csrf" value="([0-9a-f]+)"|data-csrf="([0-9a-f]+)"`)

// send makes one request with the session's cookies, keeps the cookies it
// sets, and returns the status, Location and body.
func (s *browserSession) send(method, path string, form url.Values) (int, string, string) {
	s.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range s.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := s.h.app.Test(req, 30_000)
	if err != nil {
		s.h.t.Fatalf("%s %s: %v", method, path, err)
	}
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(s.cookies, c.Name)
		} else {
			s.cookies[c.Name] = c.Value
		}
	}
	raw, _ := io.ReadAll(res.Body)
	if m := csrfAttr.FindStringSubmatch(string(raw)); m != nil {
		s.csrf = m[1] + m[2]
	}
	return res.StatusCode, res.Header.Get("Location"), string(raw)
}

// webSignIn signs username in through the sign-in form.
func webSignIn(h *harness, username, password string) *browserSession {
	h.t.Helper()
	s := &browserSession{h: h, cookies: map[string]string{}}
	s.send("GET", "/login", nil)
	status, loc, _ := s.send("POST", "/login", url.Values{"_csrf": {s.csrf}, "username": {username}, "password": {password}, "next": {"/inbox"}})
	if status != http.StatusSeeOther || loc != "/inbox" || s.cookies["tidtam_session"] == "" {
		h.t.Fatalf("sign in %s: %d → %q", username, status, loc)
	}
	s.send("GET", "/inbox", nil) // the token of the signed-in session
	return s
}

// TestWebAuthorization checks every page route, taken from the app's
// route table so that a new page cannot be forgotten:
//   - without a session, a page sends the browser to /login (with next
//     for GET), and a form post changes nothing;
//   - a form posted without its CSRF token, or with another browser's, is
//     403 and changes nothing;
//   - signed in as each role, no page answers 5xx; a unit's assignment
//     page is 200 inside the reader's scope and 404 outside it, and only
//     the unit's own officers may acknowledge it;
//   - sign-in never redirects to another site.
func TestWebAuthorization(t *testing.T) {
	db := storetest.SQLite(t)
	h := newHarness(t, db)
	h.withEngine()
	addScopeAccounts(t, db)
	sec := h.login("sec", "secretariat-pass")
	id := asgIssue(h, sec, asgLetter("ที่ มท ๐๓๑๑.๓/ว ๗๗๗", map[string]any{"ack_within": "PT10M"},
		map[string]any{"number": 1, "text": "ทดสอบสิทธิ์หน้าเว็บ", "due_within": "PT10M",
			"targets": map[string]any{"units": []string{"20", "2001", "5001"}}}))
	eventually(t, time.Minute, "three assignments", func() bool {
		return count(t, db, &models.Assignment{}, "directive_id = ?", id) == 3
	})
	page := func(unit string) string { return "/directives/" + url.PathEscape(id) + "/assignments/" + unit }
	acknowledged := func(unit string) bool {
		var a models.Assignment
		db.First(&a, "id = ?", workflows.AssignmentWorkflowID(id, unit))
		return a.AcknowledgedAt != nil
	}

	// Every page route: public, or behind a session.
	anon := &browserSession{h: h, cookies: map[string]string{}}
	fill := strings.NewReplacer(":id/assignments", url.PathEscape(id)+"/assignments", ":unit", "20", ":n", "1",
		":rid", "r-none", ":i", "0", ":aid", "1", "/:id", "/x", "*", "x")
	for _, r := range h.app.GetRoutes(true) {
		if r.Method == "HEAD" || !isWebRoute(r.Path) || r.Path == "/" && r.Method == "USE" {
			continue
		}
		key := r.Method + " " + r.Path
		if webPublic[key] || r.Method == "USE" {
			continue
		}
		path := fill.Replace(r.Path)
		status, loc, _ := anon.send(r.Method, path, url.Values{"_csrf": {"x"}})
		if r.Method == "GET" && (status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=")) {
			t.Errorf("%s without a session: %d → %q, want 303 to /login?next=…", key, status, loc)
		}
		if r.Method == "POST" && (status != http.StatusSeeOther || loc != "/login") {
			t.Errorf("%s without a session: %d → %q, want 303 to /login", key, status, loc)
		}
	}

	// Sign-in keeps to this site.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		s := &browserSession{h: h, cookies: map[string]string{}}
		s.send("GET", "/login", nil)
		_, loc, _ := s.send("POST", "/login", url.Values{"_csrf": {s.csrf}, "username": {"sec"}, "password": {"secretariat-pass"}, "next": {next}})
		if loc != "/" {
			t.Errorf("sign-in with next=%q redirected to %q, want /", next, loc)
		}
	}

	// CSRF: no token, or another browser's token, is refused.
	prov := webSignIn(h, "chonburi", "province-pass-1")
	other := webSignIn(h, "chonburi", "province-pass-1")
	for _, token := range []string{"", other.csrf} {
		if status, _, _ := prov.send("POST", page("20")+"/acknowledge", url.Values{"_csrf": {token}}); status != http.StatusForbidden {
			t.Errorf("acknowledge with CSRF token %q: %d, want 403", token, status)
		}
	}
	if acknowledged("20") {
		t.Fatal("a form without its CSRF token acknowledged the assignment")
	}

	// Each role: scope of the assignment page; only the unit acknowledges.
	readers := []struct {
		user, password string
		sees           map[string]bool
	}{
		{"sec", "secretariat-pass", map[string]bool{"20": true, "2001": true, "5001": true}},
		{"watch", "observer-pass-1", map[string]bool{"20": true, "2001": true, "5001": true}},
		{"insp8", "inspector-pass-1", map[string]bool{"20": true, "2001": true}},
		{"insp15", "inspector-pass-15", map[string]bool{"5001": true}},
		{"dist2001", "district-pass-2001", map[string]bool{"2001": true}},
		{"chonburi", "province-pass-1", map[string]bool{"20": true, "2001": true}},
	}
	for _, rd := range readers {
		s := webSignIn(h, rd.user, rd.password)
		for _, unit := range []string{"20", "2001", "5001"} {
			status, _, _ := s.send("GET", page(unit), nil)
			if want := map[bool]int{true: 200, false: 404}[rd.sees[unit]]; status != want {
				t.Errorf("%s opens %s's assignment: %d, want %d", rd.user, unit, status, want)
			}
		}
		for _, p := range []string{"/", "/inbox", "/assignments", "/districts", "/meetings", "/meetings/none",
			"/directives/" + url.PathEscape(id), "/nothing-here"} {
			if status, _, body := s.send("GET", p, nil); status >= 500 || strings.Contains(body, "goroutine") {
				t.Errorf("%s GET %s: %d", rd.user, p, status)
			}
		}
		for _, unit := range []string{"20", "2001", "5001"} {
			if rd.user == "chonburi" && unit == "20" || rd.user == "dist2001" && unit == "2001" {
				continue
			}
			s.send("GET", page(unit), nil)
			if status, _, _ := s.send("POST", page(unit)+"/acknowledge", url.Values{"_csrf": {s.csrf}}); status < 400 || status >= 500 {
				t.Errorf("%s acknowledges for %s: %d, want 403 or 404", rd.user, unit, status)
			}
			if acknowledged(unit) {
				t.Fatalf("%s acknowledged %s's assignment", rd.user, unit)
			}
		}
	}
	if status, loc, _ := prov.send("POST", page("20")+"/acknowledge", url.Values{"_csrf": {prov.csrf}}); status != http.StatusSeeOther ||
		!strings.HasSuffix(loc, "?done=ack") || !acknowledged("20") {
		t.Fatalf("the province's own acknowledgement: %d → %q", status, loc)
	}
	// Signing out ends the session: its cookie no longer opens a page.
	token := prov.cookies["tidtam_session"]
	prov.send("POST", "/logout", url.Values{"_csrf": {prov.csrf}})
	prov.cookies["tidtam_session"] = token
	if status, loc, _ := prov.send("GET", "/assignments", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("a signed-out session still opens pages: %d → %q", status, loc)
	}
}
