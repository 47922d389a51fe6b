package api_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func TestTargetSetsManagedBySecretariat(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		sec := h.login("sec", "secretariat-pass")
		prov := h.login("chonburi", "province-pass-1")
		body := map[string]any{"name_th": "จังหวัดนำร่อง 10 จังหวัด", "name_en": "Ten pilot provinces", "members": pilotProvinces}

		errorOf(t, h.do("PUT", "/api/v1/target-sets/pilot-10", prov, body), 403, "forbidden", "")
		bad := map[string]any{"name_th": "x", "members": []string{"เชียงใหม่", "นครพนน"}}
		res := h.do("PUT", "/api/v1/target-sets/pilot-10", sec, bad)
		errorOf(t, res, 422, "invalid", "members[1]")
		if !strings.Contains(string(res.Raw), `"suggestion":"นครพนม"`) {
			t.Fatalf("no suggestion for the misspelt province: %s", res.Raw)
		}
		errorOf(t, h.do("PUT", "/api/v1/target-sets/Pilot%2010", sec, body), 422, "invalid", "code")
		if n := count(t, db, &models.TargetSet{}, ""); n != 0 {
			t.Fatalf("rejected requests stored %d sets", n)
		}

		res = h.do("PUT", "/api/v1/target-sets/pilot-10", sec, body)
		if res.Status != 200 || len(res.Body["members"].([]any)) != 10 {
			t.Fatalf("put: %d %s", res.Status, res.Raw)
		}
		// A directive item can now target the set by code or Thai name.
		letter := moiLetter(pilotProvinces)
		letter["items"].([]map[string]any)[0]["targets"] = map[string]any{"sets": []string{"จังหวัดนำร่อง 10 จังหวัด"}}
		letter["items"] = letter["items"].([]map[string]any)[:1]
		h.withEngine()
		issued := h.do("POST", "/api/v1/directives", sec, letter)
		if issued.Status != 202 || issued.Body["units_total"].(float64) != 10 {
			t.Fatalf("issue to set: %d %s", issued.Status, issued.Raw)
		}
		if r := h.do("DELETE", "/api/v1/target-sets/pilot-10", sec, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		errorOf(t, h.do("GET", "/api/v1/target-sets/pilot-10", sec, nil), 404, "not_found", "")
		if n := count(t, db, &models.AuditEvent{}, "entity_type = ?", "target_set"); n != 2 {
			t.Fatalf("audit rows = %d, want 2", n)
		}
	})
}
