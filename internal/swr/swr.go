// Package swr keeps computed values for a short time and answers them
// stale while one refresh runs (stale-while-revalidate), so that a read
// many viewers repeat (a dashboard, a large matrix) costs one
// computation per TTL however many ask.
package swr

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

// Cache keeps one computed value per key for a TTL. A value older than ttl
// is still answered at once while a single background refresh replaces it
// (stale while revalidate), so a viewer never waits for a recomputation
// that another has started; only the first request for a key waits, and
// concurrent first requests share one computation.
type Cache[T any] struct {
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

// New returns a cache keeping values for ttl, timed by now (nil:
// time.Now).
func New[T any](ttl time.Duration, now func() time.Time) *Cache[T] {
	if now == nil {
		now = time.Now
	}
	return &Cache[T]{ttl: ttl, now: now, entries: map[string]*cacheEntry[T]{}}
}

// Get returns the value for key, computing it with compute (which gets a
// context of its own, detached from ctx for refreshes) when there is none
// or it is older than the TTL. An error is not kept: the next call tries
// again.
func (c *Cache[T]) Get(ctx context.Context, key string, compute func(context.Context) (T, error)) (T, error) {
	return c.get(ctx, key, staleLimit, compute)
}

// GetCurrent is Get for values that know the state they were computed
// from: stampOf(value) is compared with current, the state now (cheap for
// the caller to learn, unlike the value). A kept value of the current
// state is answered whatever its age. An out-of-date one is answered
// while it is younger than the TTL or while another reader refreshes it;
// otherwise this reader computes the new value and waits for it. So a
// quiet system shows a change at the first read after it, and a busy one
// recomputes about once per TTL while its readers are answered at once.
func (c *Cache[T]) GetCurrent(ctx context.Context, key, current string, stampOf func(T) string, compute func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok || !e.done || e.err != nil {
		c.mu.Unlock()
		return c.get(ctx, key, staleLimit, compute)
	}
	if stampOf(e.val) == current || c.now().Sub(e.at) < c.ttl || e.refreshing {
		v := e.val
		c.mu.Unlock()
		return v, nil
	}
	e.refreshing = true
	c.mu.Unlock()
	val, err := compute(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refreshing = false
	if err != nil {
		var zero T
		return zero, err
	}
	e.val, e.at = val, c.now()
	return val, nil
}

func (c *Cache[T]) get(ctx context.Context, key string, limit int, compute func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && e.done && !e.refreshing && c.now().Sub(e.at) >= time.Duration(limit)*c.ttl {
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
	if c.now().Sub(e.at) >= c.ttl && !e.refreshing && isFresh(ctx) {
		// The live Hub must see a change at its first look, so it
		// refreshes in line (viewers keep getting the old value
		// meanwhile, and the new one after).
		e.refreshing = true
		c.mu.Unlock()
		val, err := compute(ctx)
		c.mu.Lock()
		e.refreshing = false
		if err != nil {
			return e.val, err
		}
		e.val, e.at = val, c.now()
		return val, nil
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

// freshKey marks a context whose reads must not be answered stale.
type freshKey struct{}

// WithFresh returns ctx marked so that reads through it of values older
// than the TTL are recomputed in line rather than answered stale (for a
// watcher that must see a change at its first look).
func WithFresh(ctx context.Context) context.Context { return context.WithValue(ctx, freshKey{}, true) }

func isFresh(ctx context.Context) bool { v, _ := ctx.Value(freshKey{}).(bool); return v }
