package api_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/store/storetest"
)

// TestParseLetterThenIssueTheDraft pastes the Ministry of Interior letter
// of 17 Dec 2567 as the secretariat: the draft has its five items, its
// document number, date and urgency, and item ๑ its ten provinces with the
// garbled "ตระหง่าน" flagged, ตรัง suggested first. A province account is
// refused, an empty text is 422 on "text", and nothing is stored. The
// draft, with the flagged name replaced by its first suggestion, is then
// issued as it stands: 202.
func TestParseLetterThenIssueTheDraft(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	sec := h.login("sec", "secretariat-pass")
	prov := h.login("chonburi", "province-pass-1")
	letter, err := os.ReadFile("../internal/letters/testdata/moi-letter-0311.3-w1757.txt")
	if err != nil {
		t.Fatal(err)
	}

	errorOf(t, h.do("POST", "/api/v1/directives/parse", prov, map[string]string{"text": string(letter)}), 403, "forbidden", "")
	errorOf(t, h.do("POST", "/api/v1/directives/parse", sec, map[string]string{"text": ""}), 422, "invalid", "text")
	errorOf(t, h.do("POST", "/api/v1/directives/parse", sec, map[string]string{"text": " \n "}), 422, "invalid", "text")
	errorOf(t, h.do("POST", "/api/v1/directives/parse", sec, map[string]string{"text": strings.Repeat("ก", 100_001)}), 422, "invalid", "text")

	before := snapshot(t, h.db)
	res := h.do("POST", "/api/v1/directives/parse", sec, map[string]string{"text": string(letter)})
	if res.Status != 200 {
		t.Fatalf("parse: %d %.500s", res.Status, res.Raw)
	}
	if after := snapshot(t, h.db); after != before {
		t.Fatalf("parsing changed the database: %v → %v", before, after)
	}
	draft := res.Body["draft"].(map[string]any)
	for k, want := range map[string]string{
		"doc_number": "ที่ มท ๐๓๑๑.๓/ว ๑๗๕๗", "issue_date": "2024-12-17", "urgency": "most_urgent", "issuer": "MOI", "source": "ministry",
	} {
		if draft[k] != want {
			t.Errorf("draft %s = %v, want %s", k, draft[k], want)
		}
	}
	if res.Body["doc_number_norm"] != "ที่ มท 0311.3/ว 1757" {
		t.Errorf("doc_number_norm = %v", res.Body["doc_number_norm"])
	}
	items := draft["items"].([]any)
	if len(items) != 5 {
		t.Fatalf("%d items, want 5", len(items))
	}
	first := items[0].(map[string]any)["targets"].(map[string]any)
	var provinces []string
	for _, p := range first["provinces"].([]any) {
		provinces = append(provinces, p.(string))
	}
	want := []string{"ตระหง่าน", "เชียงใหม่", "นครพนม", "นราธิวาส", "นครศรีธรรมราช", "ปทุมธานี", "ประจวบคีรีขันธ์", "ยะลา", "สงขลา", "อุทัยธานี"}
	if !slices.Equal(provinces, want) {
		t.Errorf("item ๑ provinces %v, want %v", provinces, want)
	}
	unknown := res.Body["unknown_names"].([]any)
	if len(unknown) != 1 {
		t.Fatalf("unknown names: %v", unknown)
	}
	u := unknown[0].(map[string]any)
	suggestions := u["suggestions"].([]any)
	if u["field"] != "items[0].targets.provinces[0]" || u["value"] != "ตระหง่าน" || len(suggestions) == 0 || suggestions[0] != "ตรัง" || u["line"] != float64(27) {
		t.Errorf("unknown name: %v", u)
	}
	for _, w := range res.Body["warnings"].([]any) {
		if w := w.(map[string]any); w["part"] == "" || !strings.Contains(w["message"].(string), "(") {
			t.Errorf("warning: %v", w)
		}
	}

	// Issuing the draft unchanged is refused on the flagged name, with the
	// same first suggestion; with the suggestion in its place it is issued.
	h.withEngine()
	sec = h.login("sec", "secretariat-pass")
	refused := h.do("POST", "/api/v1/directives", sec, draft)
	errorOf(t, refused, 422, "invalid", "items[0].targets.provinces[0]")
	if !strings.Contains(string(refused.Raw), `"suggestions":["ตรัง",`) {
		t.Errorf("the issue endpoint suggests otherwise: %s", refused.Raw)
	}
	first["provinces"].([]any)[0] = suggestions[0]
	issued := h.do("POST", "/api/v1/directives", sec, draft)
	if issued.Status != 202 || issued.Body["items"] != float64(5) || issued.Body["units_total"] != float64(955) {
		t.Fatalf("issue the draft: %d %s", issued.Status, issued.Raw)
	}
}
