package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/store/storetest"
)

// TestLanguageRememberedByNavigationOnly: ?lang= in a page's URL is
// remembered in the language cookie when the reader opens the page, also
// through an hx-boost link, but not when htmx fetches a part of the page
// again (a live region keeps its page's URL, ?lang= included, and would
// otherwise undo a language chosen since).
func TestLanguageRememberedByNavigationOnly(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	for _, tc := range []struct {
		name     string
		headers  map[string]string
		remember bool
	}{
		{"navigation", nil, true},
		{"boosted link", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, true},
		{"htmx refetch", map[string]string{"HX-Request": "true", "HX-Trigger": "matrix-live"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/login?lang=en", nil)
			req.AddCookie(&http.Cookie{Name: "tidtam_lang", Value: "th"})
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			res, err := h.app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /login?lang=en: %d", res.StatusCode)
			}
			if !strings.Contains(string(body), `<html lang="en">`) {
				t.Errorf("the page is not in English, as its URL asks")
			}
			set := ""
			for _, c := range res.Cookies() {
				if c.Name == "tidtam_lang" {
					set = c.Value
				}
			}
			switch {
			case tc.remember && set != "en":
				t.Errorf("language cookie set to %q, want en", set)
			case !tc.remember && set != "":
				t.Errorf("language cookie set to %q, want it left alone", set)
			}
		})
	}
}
