package dashboard

import (
	"context"
	"sync"
	"time"
)

// maxCacheKeys bounds a cache: past it, the entries are dropped and built
// again on demand (the keys are scopes × filters, so this is only reached
// by someone trying every filter).
const maxCacheKeys = 2000

// refreshTimeout bounds a background refresh, which runs without the
// request that triggered it.
const refreshTimeout = 30 * time.Second

// cache keeps one computed value per key for ttl. A value older than ttl
// is still answered at once while a single background refresh replaces it
// (stale while revalidate), so a viewer never waits for a recomputation
// that another has started; only the first request for a key waits, and
// concurrent first requests share one computation.
type cache[T any] struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	ready      chan struct{} // closed once val/err are set the first time
	done       bool          // ready is closed (read under the lock)
	val        T
	err        error
	at         time.Time
	refreshing bool
}

// staleLimit is how many TTLs old a value may be and still be answered
// while it is refreshed; an older one (nobody asked for a while) is
// computed afresh while the caller waits.
const staleLimit = 10

func newCache[T any](ttl time.Duration, now func() time.Time) *cache[T] {
	return &cache[T]{ttl: ttl, now: now, entries: map[string]*cacheEntry[T]{}}
}

// get returns the value for key, computing it with compute (which gets a
// context of its own, detached from ctx for refreshes) when there is none
// or it is older than the TTL. An error is not kept: the next call tries
// again.
func (c *cache[T]) get(ctx context.Context, key string, compute func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && e.done && !e.refreshing && c.now().Sub(e.at) >= staleLimit*c.ttl {
		ok = false
	}
	if !ok {
		if len(c.entries) >= maxCacheKeys {
			c.entries = map[string]*cacheEntry[T]{}
		}
		e = &cacheEntry[T]{ready: make(chan struct{})}
		c.entries[key] = e
		c.mu.Unlock()
		e.val, e.err = compute(ctx)
		c.mu.Lock()
		e.at, e.done = c.now(), true
		if e.err != nil && c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		close(e.ready)
		return e.val, e.err
	}
	c.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.err != nil {
		return e.val, e.err
	}
	if c.now().Sub(e.at) >= c.ttl && !e.refreshing {
		e.refreshing = true
		go func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
			defer cancel()
			val, err := compute(rctx)
			c.mu.Lock()
			defer c.mu.Unlock()
			e.refreshing = false
			if err == nil {
				e.val, e.at = val, c.now()
			}
		}()
	}
	return e.val, nil
}
