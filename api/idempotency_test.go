package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

// idemPost posts a JSON body with an Idempotency-Key and returns the
// answer with its headers.
func idemPost(h *harness, path, token, key string, body any) (response, http.Header) {
	h.t.Helper()
	buf, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(api.HeaderIdempotencyKey, key)
	res, err := h.app.Test(req, 30_000)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	raw, _ := io.ReadAll(res.Body)
	checkOpenAPI(h.t, req, buf, res, raw)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out, res.Header
}

func idemLetter(doc string) map[string]any {
	return asgLetter(doc, nil, map[string]any{"number": 1, "text": "รายงานผลการตั้งจุดตรวจ", "due_within": "10",
		"targets": map[string]any{"provinces": []string{"ชลบุรี", "ระยอง"}}})
}

// TestIdempotencyKeyOnIssue repeats POST /directives with the same
// Idempotency-Key: the repeat replays the first answer and starts nothing;
// the key with another body is refused; keys are per account; and an
// answer of 5xx is not kept, so the retry really runs.
func TestIdempotencyKeyOnIssue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := newHarness(t, db)
		sec := h.login("sec", "secretariat-pass")
		admin := h.login("admin", adminPassword)
		letter := idemLetter("ที่ มท ๐๓๑๑.๓/ว ๙๑๐")
		const key = "issue-910-attempt"

		// Without a workflow engine the issue is a 503: not stored, the
		// key is released.
		res, hdr := idemPost(h, "/api/v1/directives", sec, key, letter)
		if res.Status != http.StatusServiceUnavailable || hdr.Get("Idempotent-Replayed") != "" {
			t.Fatalf("issue without Temporal: %d %s", res.Status, res.Raw)
		}
		if n := count(t, db, &models.IdempotencyKey{}, "idem_key = ?", key); n != 0 {
			t.Fatalf("a 503 answer was kept for the key (%d rows)", n)
		}

		tc := h.withEngine()
		// The retry with the engine up runs for real.
		first, hdr := idemPost(h, "/api/v1/directives", sec, key, letter)
		if first.Status != http.StatusAccepted || hdr.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first issue: %d %s (replayed %q)", first.Status, first.Raw, hdr.Get("Idempotent-Replayed"))
		}
		id := first.Body["id"].(string)
		eventually(t, time.Minute, "the directive and its two assignments", func() bool {
			return count(t, db, &models.Directive{}, "") == 1 && count(t, db, &models.Assignment{}, "directive_id = ?", id) == 2
		})

		// The same key and body: the same answer, marked as a replay, and
		// nothing new is started.
		for range 2 {
			again, hdr := idemPost(h, "/api/v1/directives", sec, key, letter)
			if again.Status != http.StatusAccepted || !bytes.Equal(again.Raw, first.Raw) || hdr.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("repeat: %d %s (replayed %q), want the first answer %s", again.Status, again.Raw, hdr.Get("Idempotent-Replayed"), first.Raw)
			}
		}
		// The same key with another body is refused and changes nothing.
		other := idemLetter("ที่ มท ๐๓๑๑.๓/ว ๙๑๑")
		res, hdr = idemPost(h, "/api/v1/directives", sec, key, other)
		errorOf(t, res, http.StatusUnprocessableEntity, "invalid", "")
		if hdr.Get("Idempotent-Replayed") != "" {
			t.Fatal("a refused key reuse is marked as a replay")
		}

		// Another account's key is its own: the same key issues admin's letter.
		mine, hdr := idemPost(h, "/api/v1/directives", admin, key, other)
		if mine.Status != http.StatusAccepted || hdr.Get("Idempotent-Replayed") != "" || mine.Body["id"] == id {
			t.Fatalf("admin with the same key: %d %s", mine.Status, mine.Raw)
		}
		// And admin repeating the secretariat's body with that key is not
		// a replay of the secretariat's answer but admin's own conflict.
		res, hdr = idemPost(h, "/api/v1/directives", admin, "admin-other-key", letter)
		errorOf(t, res, http.StatusConflict, "conflict", "")
		if hdr.Get("Idempotent-Replayed") != "" {
			t.Fatal("another account's request replayed")
		}

		eventually(t, time.Minute, "admin's directive and its assignments", func() bool {
			return count(t, db, &models.Directive{}, "") == 2 && count(t, db, &models.Assignment{}, "") >= 4
		})
		if n := count(t, db, &models.Directive{}, "id = ?", id); n != 1 {
			t.Fatalf("directive %s stored %d times", id, n)
		}
		if n := count(t, db, &models.IdempotencyKey{}, "idem_key = ? AND status_code = ?", key, http.StatusAccepted); n != 2 {
			t.Fatalf("stored answers for the key: %d, want one per account", n)
		}
		// One directive workflow per letter: the key's retries started no other.
		ctx := t.Context()
		for _, did := range []string{id, mine.Body["id"].(string)} {
			if _, err := tc.DescribeWorkflowExecution(ctx, "directive/"+did, ""); err != nil {
				t.Fatalf("workflow of %s: %v", did, err)
			}
		}
		eventually(t, 30*time.Second, "two directive workflows listed", func() bool {
			resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'DirectiveWorkflow'"})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Executions) > 2 {
				t.Fatalf("%d directive workflows, want 2", len(resp.Executions))
			}
			return len(resp.Executions) == 2
		})
		if n := count(t, db, &models.Assignment{}, ""); n != 4 {
			t.Fatalf("assignments = %d, want 2 per directive", n)
		}
	})
}
