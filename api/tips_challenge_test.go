package api_test

import (
	"bytes"
	"image/png"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/api"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
)

// challengeAnswers records the answer of every challenge a tips service
// makes (tips.Challenges.OnNew, the test-only hook): a test cannot read
// the image.
type challengeAnswers struct {
	mu sync.Mutex
	m  map[string]string
}

func (a *challengeAnswers) of(id string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m[id]
}

// newThrottledHarness is newHarness whose tips service lets burst tips
// through per address before it asks for a challenge, and records the
// challenges' answers.
func newThrottledHarness(t *testing.T, db *gorm.DB, burst int) (*harness, *challengeAnswers) {
	t.Helper()
	if err := store.SeedReferenceUnits(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	key, _, err := tips.LoadKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	answers := &challengeAnswers{m: map[string]string{}}
	cs := tips.NewChallenges(key, 0, nil)
	cs.OnNew = func(id, answer string) {
		answers.mu.Lock()
		defer answers.mu.Unlock()
		answers.m[id] = answer
	}
	svc := tips.NewService(tips.Deps{DB: db, Key: key, Submissions: tips.NewThrottle(time.Hour, burst, nil), Challenges: cs})
	app := api.New(&api.Deps{DB: db, Auth: &auth.Service{DB: db, SessionTTL: time.Hour}, Logger: slog.New(slog.DiscardHandler),
		DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, Tips: svc})
	return &harness{t: t, app: app, db: db}, answers
}

// TestTipChallengeAPI: over the submission throttle POST /api/v1/tips is
// 429 with Retry-After and a challenge (its image a PNG); the same
// request with the answer is 201; the answered challenge replayed, a
// wrong answer and an unknown challenge are 429 naming the field, each
// with a new challenge; nothing more is stored.
func TestTipChallengeAPI(t *testing.T) {
	db := storetest.SQLite(t)
	h, answers := newThrottledHarness(t, db, 1)
	tip := func(sub string, extra ...string) map[string]any {
		b := map[string]any{"province_code": "20", "text": "ขายยาที่ตลาดนัด", "submission_id": sub}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i]] = extra[i+1]
		}
		return b
	}
	if res := h.do("POST", "/api/v1/tips", "", tip("ch-1")); res.Status != 201 {
		t.Fatalf("first: %d %s", res.Status, res.Raw)
	}
	challenge := func(res response, hdr map[string][]string, field string) map[string]any {
		t.Helper()
		errorOf(t, res, 429, "too_many_requests", field)
		if n, err := strconv.Atoi(first(hdr["Retry-After"])); err != nil || n < 1 {
			t.Fatalf("Retry-After %q", hdr["Retry-After"])
		}
		c, _ := res.Body["error"].(map[string]any)["details"].(map[string]any)["challenge"].(map[string]any)
		if c == nil || c["id"] == "" || answers.of(c["id"].(string)) == "" {
			t.Fatalf("no challenge: %s", res.Raw)
		}
		return c
	}
	res, hdr := h.send("POST", "/api/v1/tips", "", tip("ch-2"), nil)
	c := challenge(res, hdr, "")
	img := h.do("GET", c["image_url"].(string), "", nil)
	if cfg, err := png.DecodeConfig(bytes.NewReader(img.Raw)); img.Status != 200 || err != nil || cfg.Width != 240 {
		t.Fatalf("image: %d %v", img.Status, err)
	}
	if wav := h.do("GET", c["audio_url"].(string), "", nil); wav.Status != 200 || !bytes.HasPrefix(wav.Raw, []byte("RIFF")) {
		t.Fatalf("audio: %d", wav.Status)
	}
	errorOf(t, h.do("GET", "/api/v1/tips/challenges/nonsense/image.png", "", nil), 404, "not_found", "")

	id := c["id"].(string)
	res = h.do("POST", "/api/v1/tips", "", tip("ch-2", "challenge_id", id, "challenge_answer", answers.of(id)))
	if res.Status != 201 || len(res.Body["receipt"].(string)) != tips.ReceiptDigits {
		t.Fatalf("solved: %d %s", res.Status, res.Raw)
	}
	res, hdr = h.send("POST", "/api/v1/tips", "", tip("ch-3", "challenge_id", id, "challenge_answer", answers.of(id)), nil)
	c = challenge(res, hdr, "challenge_id")
	res, hdr = h.send("POST", "/api/v1/tips", "", tip("ch-3", "challenge_id", c["id"].(string), "challenge_answer", "9999999"), nil)
	challenge(res, hdr, "challenge_answer")
	res, hdr = h.send("POST", "/api/v1/tips", "", tip("ch-3", "challenge_id", "forged", "challenge_answer", "123456"), nil)
	challenge(res, hdr, "challenge_id")
	errorOf(t, h.do("POST", "/api/v1/tips", "", tip("ch-3", "challenge_answer", "1234567890123456789012345678901234567890123456789012345678901234567890")), 422, "invalid", "challenge_answer")
	if n := storetest.Count(t, db, &models.Tip{}, ""); n != 2 {
		t.Fatalf("%d tips, want 2", n)
	}
	// A multipart retry carries the answer as form fields.
	res, hdr = h.send("POST", "/api/v1/tips", "", tip("ch-4"), nil)
	c = challenge(res, hdr, "")
	id = c["id"].(string)
	mp := asgSend(h, "/api/v1/tips", "", "", asgPart{field: "province_code", data: []byte("20")}, asgPart{field: "text", data: []byte("x")},
		asgPart{field: "submission_id", data: []byte("ch-4")}, asgPart{field: "challenge_id", data: []byte(id)},
		asgPart{field: "challenge_answer", data: []byte(answers.of(id))})
	if mp.Status != 201 {
		t.Fatalf("multipart solved: %d %s", mp.Status, mp.Raw)
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
