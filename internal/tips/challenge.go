package tips

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/dchest/captcha"
	"golang.org/x/crypto/nacl/secretbox"

	"github.com/tidtam/tidtam/internal/apperr"
)

// Limits of the challenge an informant over the submission throttle
// solves to send a tip all the same.
const (
	// ChallengeDigits is the number of digits a challenge shows.
	ChallengeDigits = 6
	// ChallengeTTL is how long a new challenge can be answered.
	ChallengeTTL = 10 * time.Minute
	// MaxChallengeID bounds a challenge ID as sent back (bytes).
	MaxChallengeID = 200
	// MaxChallengeAnswer bounds an answer as sent (bytes; Thai digits
	// take three each, spaces are ignored).
	MaxChallengeAnswer = 64
	// maxSpent bounds the memory of answered challenges (Challenges.Verify
	// refuses answers while it is full of unexpired entries).
	maxSpent = 200_000
	// Image size of a challenge: fits a 390 px phone with its margins.
	challengeWidth, challengeHeight = 240, 80
)

// Challenge is a self-hosted CAPTCHA (distorted digits drawn by
// github.com/dchest/captcha, no third-party service): an informant whose
// address is over the submission throttle sends its answer with the
// retry of the tip (SubmitInput.ChallengeID and ChallengeAnswer) to have
// the tip stored anyway. ID is an opaque token (at most MaxChallengeID
// bytes) that carries the digits sealed under the tip key, so no state is
// kept until it is answered; ImageURL (PNG) and AudioURL (WAV, the digits
// read in English) show it; it can be answered once, until ExpiresAt.
type Challenge struct {
	ID        string    `json:"id"`
	ImageURL  string    `json:"image_url"`
	AudioURL  string    `json:"audio_url"`
	Digits    int       `json:"digits"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ChallengeDetails are the details of the TooManyRequests error Submit
// returns to an address over the throttle: the challenge to solve.
type ChallengeDetails struct {
	Challenge Challenge `json:"challenge"`
}

// Challenges makes and checks challenges. Nothing about the informant is
// kept: a challenge lives in its ID (digits, expiry and a random serial,
// sealed with NaCl secretbox under a key derived from the tip key), and
// the only state is the set of serials answered (right or wrong) until
// they expire, in this process's memory, so that each challenge is
// answered once. Several API processes sharing the tip key accept each
// other's challenges; a challenge could then be answered once in each.
// Use NewChallenges; safe for concurrent use.
type Challenges struct {
	key [32]byte
	ttl time.Duration
	now func() time.Time
	// OnNew, when set, is called with each new challenge's ID and answer.
	// It is a hook for tests (a test cannot read the image); production
	// leaves it nil.
	OnNew func(id, answer string)

	mu    sync.Mutex
	spent map[[16]byte]time.Time // serial → expiry
	swept time.Time
}

// NewChallenges returns challenges sealed under a key derived from k that
// can be answered for ttl (0 means ChallengeTTL); now nil means time.Now.
func NewChallenges(k Key, ttl time.Duration, now func() time.Time) *Challenges {
	if ttl <= 0 {
		ttl = ChallengeTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Challenges{key: deriveKeys(k).challenge, ttl: ttl, now: now, spent: map[[16]byte]time.Time{}}
}

// payload is a challenge's content: serial ‖ expiry (Unix seconds, big
// endian) ‖ digits (0–9 each).
const payloadLen = 16 + 8 + ChallengeDigits

// New returns a new challenge and its answer (ChallengeDigits ASCII
// digits).
func (cs *Challenges) New() (Challenge, string, error) {
	digits := captcha.RandomDigits(ChallengeDigits)
	var payload [payloadLen]byte
	if _, err := rand.Read(payload[:16]); err != nil {
		return Challenge{}, "", err
	}
	exp := cs.now().Add(cs.ttl).Truncate(time.Second)
	binary.BigEndian.PutUint64(payload[16:24], uint64(exp.Unix()))
	copy(payload[24:], digits)
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return Challenge{}, "", err
	}
	id := base64.RawURLEncoding.EncodeToString(secretbox.Seal(nonce[:], payload[:], &nonce, &cs.key))
	answer := make([]byte, len(digits))
	for i, d := range digits {
		answer[i] = '0' + d
	}
	c := Challenge{ID: id, ImageURL: "/api/v1/tips/challenges/" + id + "/image.png", AudioURL: "/api/v1/tips/challenges/" + id + "/audio.wav",
		Digits: ChallengeDigits, ExpiresAt: exp}
	if cs.OnNew != nil {
		cs.OnNew(id, string(answer))
	}
	return c, string(answer), nil
}

// open returns the serial, expiry and digits of id; ok is false for an ID
// that was not made by these Challenges (or was changed).
func (cs *Challenges) open(id string) (serial [16]byte, exp time.Time, digits []byte, ok bool) {
	if len(id) > MaxChallengeID {
		return serial, exp, nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) != 24+secretbox.Overhead+payloadLen {
		return serial, exp, nil, false
	}
	var nonce [24]byte
	copy(nonce[:], b)
	p, ok := secretbox.Open(nil, b[24:], &nonce, &cs.key)
	if !ok {
		return serial, exp, nil, false
	}
	copy(serial[:], p)
	return serial, time.Unix(int64(binary.BigEndian.Uint64(p[16:24])), 0), p[24:], true
}

// digitsOf returns the digits of challenge id while it can be answered,
// and its serial in hex (which seeds the image's and audio's noise, so a
// challenge always looks and sounds the same).
func (cs *Challenges) digitsOf(id string) ([]byte, string, error) {
	serial, exp, digits, ok := cs.open(id)
	if !ok || !cs.now().Before(exp) {
		return nil, "", apperr.New(apperr.NotFound, "ไม่พบภาพทดสอบนี้หรือหมดเวลาแล้ว (no such challenge, or expired)")
	}
	return digits, hex.EncodeToString(serial[:]), nil
}

// Image returns challenge id as a PNG of its distorted digits (240×80).
// NotFound for an ID not made here or expired.
func (cs *Challenges) Image(id string) ([]byte, error) {
	digits, seed, err := cs.digitsOf(id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := captcha.NewImage(seed, digits, challengeWidth, challengeHeight).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Audio returns challenge id as a WAV file of its digits read in English
// with noise (for informants who cannot see the image). NotFound as
// Image.
func (cs *Challenges) Audio(id string) ([]byte, error) {
	digits, seed, err := cs.digitsOf(id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := captcha.NewAudio(seed, digits, "en").WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Verify checks answer (digits; Thai digits, spaces and dashes accepted)
// to challenge id and spends the challenge, right or wrong, so that it is
// answered once. Invalid with Field "challenge_id" for an ID not made
// here, expired or already answered; "challenge_answer" for a wrong
// answer. While the memory of answered challenges is full of unexpired
// ones (maxSpent), every answer is refused on "challenge_id".
func (cs *Challenges) Verify(id, answer string) error {
	serial, exp, digits, ok := cs.open(id)
	now := cs.now()
	switch {
	case !ok:
		return apperr.Field("challenge_id", "ภาพทดสอบไม่ถูกต้อง กรุณาทำใหม่ (not a valid challenge; solve the new one)")
	case !now.Before(exp):
		return apperr.Field("challenge_id", "ภาพทดสอบหมดเวลาแล้ว กรุณาทำใหม่ (the challenge expired; solve the new one)")
	}
	cs.mu.Lock()
	if now.Sub(cs.swept) > time.Minute || len(cs.spent) >= maxSpent {
		for s, e := range cs.spent {
			if !now.Before(e) {
				delete(cs.spent, s)
			}
		}
		cs.swept = now
	}
	_, used := cs.spent[serial]
	full := len(cs.spent) >= maxSpent
	if !used && !full {
		cs.spent[serial] = exp
	}
	cs.mu.Unlock()
	switch {
	case used:
		return apperr.Field("challenge_id", "ใช้ภาพทดสอบนี้ไปแล้ว กรุณาทำใหม่ (the challenge was answered already; solve the new one)")
	case full:
		return apperr.Field("challenge_id", "มีผู้ตอบภาพทดสอบจำนวนมากในขณะนี้ กรุณาลองใหม่ภายหลัง (too many challenges answered lately; try again later)")
	}
	want := make([]byte, len(digits))
	for i, d := range digits {
		want[i] = '0' + d
	}
	got, ok := normalizeAnswer(answer)
	if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
		return apperr.Field("challenge_answer", "ตัวเลขไม่ถูกต้อง กรุณาทำภาพใหม่ (wrong answer; solve the new challenge)")
	}
	return nil
}

// normalizeAnswer returns the digits of an answer as typed.
func normalizeAnswer(s string) (string, bool) {
	if len(s) > MaxChallengeAnswer {
		return "", false
	}
	return typedDigits(s, MaxChallengeAnswer)
}
