package api_test

import (
	"strings"
	"testing"

	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// TestIdempotencyKeepsNoSecret: a calendar-feed token answered under an
// Idempotency-Key is not kept for replays (the replay has no token, the
// stored answer neither), and a password change is never replayed: a
// wrong current password and then the right one under the same key both
// run.
func TestIdempotencyKeepsNoSecret(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
	chon := h.login("chonburi", "province-pass-1")

	first, _ := idemPost(h, "/api/v1/units/20/meetings.ics/token", chon, "feed-1", nil)
	tok, _ := first.Body["token"].(string)
	if first.Status != 201 || !strings.HasPrefix(tok, "ics_") {
		t.Fatalf("feed token: %d %s", first.Status, first.Raw)
	}
	replay, hdr := idemPost(h, "/api/v1/units/20/meetings.ics/token", chon, "feed-1", nil)
	if hdr.Get("Idempotent-Replayed") != "true" || strings.Contains(string(replay.Raw), tok) {
		t.Fatalf("replay: %s %s", hdr.Get("Idempotent-Replayed"), replay.Raw)
	}
	var row models.IdempotencyKey
	if err := h.db.Where("idem_key = ?", "feed-1").First(&row).Error; err != nil || strings.Contains(row.ResponseBody, tok) {
		t.Fatalf("stored answer %q: %v", row.ResponseBody, err)
	}

	wrong, _ := idemPost(h, "/api/v1/auth/password", chon, "pw-1", map[string]string{"current_password": "not-the-password", "new_password": "province-pass-new-1"})
	if wrong.Status != 422 {
		t.Fatalf("wrong current password: %d %s", wrong.Status, wrong.Raw)
	}
	right, hdr := idemPost(h, "/api/v1/auth/password", chon, "pw-1", map[string]string{"current_password": "province-pass-1", "new_password": "province-pass-new-1"})
	if right.Status >= 300 || hdr.Get("Idempotent-Replayed") != "" {
		t.Fatalf("right password under the same key: %d %s (replayed %q)", right.Status, right.Raw, hdr.Get("Idempotent-Replayed"))
	}
	if n := storetest.Count(t, h.db, &models.IdempotencyKey{}, "idem_key = ?", "pw-1"); n != 0 {
		t.Fatalf("a password request was kept by the idempotency store")
	}
	h.login("chonburi", "province-pass-new-1")
}
