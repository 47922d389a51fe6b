package tips_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/store"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/internal/tips"
	"github.com/tidtam/tidtam/models"
)

func testKey(t *testing.T) tips.Key {
	t.Helper()
	k, _, err := tips.LoadKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// thai writes ASCII digits as Thai digits.
func thai(s string) string {
	return strings.Map(func(r rune) rune { return '๐' + (r - '0') }, s)
}

// TestChallenge: the right answer passes once (Thai digits and spaces
// accepted); a wrong answer fails and spends the challenge; a replayed,
// expired, changed or foreign challenge fails; the image is a 240×80 PNG
// and the audio a WAV while it can be answered, NotFound after.
func TestChallenge(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cs := tips.NewChallenges(testKey(t), 5*time.Minute, clock)
	c, answer, err := cs.New()
	if err != nil || len(answer) != tips.ChallengeDigits || strings.Trim(answer, "0123456789") != "" ||
		len(c.ID) > tips.MaxChallengeID || c.Digits != tips.ChallengeDigits || !c.ExpiresAt.Equal(now.Add(5*time.Minute)) ||
		c.ImageURL != "/api/v1/tips/challenges/"+c.ID+"/image.png" || c.AudioURL != "/api/v1/tips/challenges/"+c.ID+"/audio.wav" {
		t.Fatalf("New: %+v %q %v", c, answer, err)
	}
	if strings.Contains(c.ID, answer) {
		t.Fatal("the ID carries the answer in clear")
	}
	field := func(err error) string {
		t.Helper()
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			t.Fatalf("error %v, want invalid", err)
		}
		return e.Field
	}
	img, err := cs.Image(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); err != nil || cfg.Width != 240 || cfg.Height != 80 {
		t.Fatalf("image %+v %v", cfg, err)
	}
	if again, _ := cs.Image(c.ID); !bytes.Equal(again, img) {
		t.Error("the same challenge draws a different image")
	}
	if wav, err := cs.Audio(c.ID); err != nil || !bytes.HasPrefix(wav, []byte("RIFF")) {
		t.Fatalf("audio: %v", err)
	}

	// Right once (Thai digits, spaced), then replayed.
	if err := cs.Verify(c.ID, thai(answer[:3])+" "+thai(answer[3:])); err != nil {
		t.Fatalf("right answer: %v", err)
	}
	if f := field(cs.Verify(c.ID, answer)); f != "challenge_id" {
		t.Errorf("replayed: field %q", f)
	}

	// Wrong, then right: spent by the wrong one.
	c2, answer2, _ := cs.New()
	wrong := []byte(answer2)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	if f := field(cs.Verify(c2.ID, string(wrong))); f != "challenge_answer" {
		t.Errorf("wrong: field %q", f)
	}
	if f := field(cs.Verify(c2.ID, answer2)); f != "challenge_id" {
		t.Errorf("right after wrong: field %q", f)
	}
	c3, _, _ := cs.New()
	if f := field(cs.Verify(c3.ID, "")); f != "challenge_answer" {
		t.Errorf("blank: field %q", f)
	}

	// Expired.
	c4, answer4, _ := cs.New()
	now = now.Add(5 * time.Minute)
	if f := field(cs.Verify(c4.ID, answer4)); f != "challenge_id" {
		t.Errorf("expired: field %q", f)
	}
	if _, err := cs.Image(c4.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("expired image: %v", err)
	}

	// Changed, foreign, garbage.
	c5, answer5, _ := cs.New()
	b := []byte(c5.ID)
	b[40] ^= 1
	if b[40] == '-' || b[40] == '_' {
		b[40] = 'A'
	}
	if f := field(cs.Verify(string(b), answer5)); f != "challenge_id" {
		t.Errorf("changed: field %q", f)
	}
	other := tips.NewChallenges(testKey(t), 0, clock)
	if f := field(other.Verify(c5.ID, answer5)); f != "challenge_id" {
		t.Errorf("foreign key: field %q", f)
	}
	for _, id := range []string{"", "x", strings.Repeat("A", tips.MaxChallengeID+1)} {
		if f := field(cs.Verify(id, "123456")); f != "challenge_id" {
			t.Errorf("id %q: field %q", id, f)
		}
		if _, err := cs.Image(id); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("image of %q: %v", id, err)
		}
	}
	// The unchanged one still passes.
	if err := cs.Verify(c5.ID, answer5); err != nil {
		t.Errorf("c5: %v", err)
	}
}

// TestSubmitChallenge: an address over the submission throttle gets
// TooManyRequests with a challenge; the retry with the answer (read
// through the OnNew hook) is stored; a replayed challenge, a wrong answer
// and a missing one each get a new challenge; another address within the
// throttle is not asked, and its challenge fields are ignored.
func TestSubmitChallenge(t *testing.T) {
	db := storetest.SQLite(t)
	if err := store.SeedReferenceUnits(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	key := testKey(t)
	answers := map[string]string{}
	cs := tips.NewChallenges(key, 0, nil)
	cs.OnNew = func(id, answer string) { answers[id] = answer }
	svc := tips.NewService(tips.Deps{DB: db, Key: key, Submissions: tips.NewThrottle(time.Hour, 1, nil), Challenges: cs})
	ctx := ctxFrom(t, "198.51.100.7")
	in := func(sub string) tips.SubmitInput {
		return tips.SubmitInput{ProvinceCode: "20", Text: "ขายที่ท่าเรือ", SubmissionID: sub}
	}
	if _, err := svc.Submit(ctx, in("c-1")); err != nil {
		t.Fatal(err)
	}
	challengeOf := func(err error, field string) tips.Challenge {
		t.Helper()
		wantCode(t, err, apperr.TooManyRequests, field)
		e := apperr.As(err)
		d, ok := e.Details.(tips.ChallengeDetails)
		if !ok || d.Challenge.ID == "" || answers[d.Challenge.ID] == "" || e.RetryAfter <= 0 {
			t.Fatalf("no challenge in %+v", e)
		}
		return d.Challenge
	}
	_, err := svc.Submit(ctx, in("c-2"))
	c := challengeOf(err, "")
	if n := storetest.Count(t, db, &models.Tip{}, ""); n != 1 {
		t.Fatalf("%d tips", n)
	}
	solved := in("c-2")
	solved.ChallengeID, solved.ChallengeAnswer = c.ID, answers[c.ID]
	r, err := svc.Submit(ctx, solved)
	if err != nil || len(r.Receipt) != tips.ReceiptDigits {
		t.Fatalf("solved: %v", err)
	}
	replay := in("c-3")
	replay.ChallengeID, replay.ChallengeAnswer = c.ID, answers[c.ID]
	_, err = svc.Submit(ctx, replay)
	c = challengeOf(err, "challenge_id")
	wrong := in("c-3")
	wrong.ChallengeID, wrong.ChallengeAnswer = c.ID, "x"
	_, err = svc.Submit(ctx, wrong)
	challengeOf(err, "challenge_answer")
	if n := storetest.Count(t, db, &models.Tip{}, ""); n != 2 {
		t.Fatalf("%d tips, want 2", n)
	}
	// Within the throttle: no challenge, the fields are ignored (and the
	// challenge is not spent).
	c6, _, _ := cs.New()
	other := in("c-4")
	other.ChallengeID, other.ChallengeAnswer = c6.ID, "000000x"
	if _, err := svc.Submit(ctxFrom(t, "198.51.100.8"), other); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if err := cs.Verify(c6.ID, answers[c6.ID]); err != nil {
		t.Errorf("the challenge was spent by an address within the throttle: %v", err)
	}
}
