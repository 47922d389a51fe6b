package api_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestTipsAPI: an informant with no account sends a tip, retries it with
// the same submission ID (same receipt, one tip), reads it back with the
// receipt in the body and adds a message; a wrong receipt is a bare 404
// and guessing is throttled; nothing of the text is stored readable.
func TestTipsAPI(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		body := map[string]any{"province_code": "20", "district_code": "2001", "text": "มีการขายยาเสพติดที่ท่าเรือ TIP-API-MARKER",
			"when": "ทุกเย็น", "officials_involved": true, "submission_id": "9b7f5e0e-2f0c-4d0e-9a55-0c1a"}
		res := h.do("POST", "/api/v1/tips", "", body)
		if res.Status != 201 {
			t.Fatalf("submit: %d %s", res.Status, res.Raw)
		}
		receipt, _ := res.Body["receipt"].(string)
		if len(receipt) != 20 || strings.Trim(receipt, "0123456789") != "" {
			t.Fatalf("receipt %q", receipt)
		}
		again := h.do("POST", "/api/v1/tips", "", body)
		if again.Status != 201 || again.Body["receipt"] != receipt {
			t.Fatalf("retry: %d %s", again.Status, again.Raw)
		}
		if n := storetest.Count(t, db, &models.Tip{}, ""); n != 1 {
			t.Fatalf("%d tips after a retry", n)
		}
		var tip models.Tip
		if err := db.Take(&tip).Error; err != nil {
			t.Fatal(err)
		}
		if tip.Route != models.TipRouteOfficials || tip.RouteUnitCode != "20" || tip.InspectionRegion == nil ||
			strings.Contains(tip.TextSealed, "MARKER") || tip.ReceiptHash == receipt {
			t.Errorf("stored %+v", tip)
		}

		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "district_code": "1001", "text": "x", "submission_id": "b"}), 422, "invalid", "district_code")
		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "text": "", "submission_id": "b"}), 422, "invalid", "text")
		errorOf(t, h.do("POST", "/api/v1/tips", "", map[string]any{"province_code": "20", "text": "x", "submission_id": "b", "ip": "1.2.3.4"}), 422, "invalid", "ip")

		v := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
		if v.Status != 200 || v.Body["text"] != body["text"] || v.Body["status"] != "received" || v.Body["officials_involved"] != true {
			t.Fatalf("follow-up: %d %s", v.Status, v.Raw)
		}
		if msgs, _ := v.Body["messages"].([]any); msgs == nil || len(msgs) != 0 {
			t.Fatalf("messages %v, want []", v.Body["messages"])
		}
		m := h.do("POST", "/api/v1/tips/messages", "", map[string]string{"receipt": receipt, "text": "เพิ่มเติม: รถสีแดง"})
		if m.Status != 201 || len(m.Body["messages"].([]any)) != 1 {
			t.Fatalf("message: %d %s", m.Status, m.Raw)
		}

		// Wrong codes: 404 saying nothing, then 429 for this address.
		wrong := "0" + receipt[1:]
		if wrong == receipt {
			wrong = "1" + receipt[1:]
		}
		for range 10 {
			r := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": wrong})
			errorOf(t, r, 404, "not_found", "")
			if strings.Contains(strings.ToLower(string(r.Raw)), "receipt") {
				t.Fatalf("404 says more than not found: %s", r.Raw)
			}
		}
		r := h.do("POST", "/api/v1/tips/follow-up", "", map[string]string{"receipt": receipt})
		errorOf(t, r, 429, "too_many_requests", "")
		errorOf(t, h.do("POST", "/api/v1/tips/messages", "", map[string]string{"receipt": receipt, "text": "x"}), 429, "too_many_requests", "")
	})
}
