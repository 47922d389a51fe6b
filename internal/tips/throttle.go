package tips

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits events per client address, in memory only: a token
// bucket per address, refilled at Every, holding at most Burst; buckets
// idle long enough to be full again are forgotten. Nothing is persisted,
// so a restart forgets every address. The zero value is not usable; use
// NewThrottle.
type Throttle struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewThrottle allows burst events at once per address and one more every
// every; now nil means time.Now.
func NewThrottle(every time.Duration, burst int, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{every: every, burst: burst, now: now, buckets: map[string]*bucket{}}
}

func (t *Throttle) get(addr string, now time.Time) *bucket {
	// Forget buckets idle long enough to be full again, at most once per
	// refill period.
	if now.Sub(t.swept) > t.every {
		full := t.every * time.Duration(t.burst)
		for a, b := range t.buckets {
			if now.Sub(b.seen) > full {
				delete(t.buckets, a)
			}
		}
		t.swept = now
	}
	b := t.buckets[addr]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(t.every), t.burst)}
		t.buckets[addr] = b
	}
	b.seen = now
	return b
}

// Blocked reports whether addr has no event left, and how long until it
// has one, without spending one.
func (t *Throttle) Blocked(addr string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	b := t.get(addr, now)
	if tokens := b.lim.TokensAt(now); tokens < 1 {
		return time.Duration(math.Ceil((1 - tokens) * float64(t.every))), true
	}
	return 0, false
}

// Spend uses one event of addr; it reports false (and the wait) when none
// is left.
func (t *Throttle) Spend(addr string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	b := t.get(addr, now)
	if b.lim.AllowN(now, 1) {
		return 0, true
	}
	return time.Duration(math.Ceil((1 - b.lim.TokensAt(now)) * float64(t.every))), false
}
