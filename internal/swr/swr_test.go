package swr

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable time for the cache.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCacheServesFreshThenStaleWhileRefreshing(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := New[int](time.Second, clk.now)
	var calls atomic.Int32
	compute := func(context.Context) (int, error) { return int(calls.Add(1)), nil }
	ctx := t.Context()
	if v, _ := c.Get(ctx, "k", compute); v != 1 {
		t.Fatalf("first get = %d", v)
	}
	if v, _ := c.Get(ctx, "k", compute); v != 1 || calls.Load() != 1 {
		t.Fatalf("within the TTL: %d after %d computations", v, calls.Load())
	}
	clk.add(1500 * time.Millisecond)
	if v, _ := c.Get(ctx, "k", compute); v != 1 {
		t.Fatalf("past the TTL a viewer gets the old value at once, got %d", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() != 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if v, _ := c.Get(ctx, "k", compute); v != 2 {
		t.Fatalf("after the background refresh: %d", v)
	}
	// The Hub's looks recompute in line.
	clk.add(1500 * time.Millisecond)
	if v, _ := c.Get(WithFresh(ctx), "k", compute); v != 3 {
		t.Fatalf("a fresh read past the TTL: %d", v)
	}
	// Long unread: the caller waits for a new value.
	clk.add(time.Hour)
	if v, _ := c.Get(ctx, "k", compute); v != 4 {
		t.Fatalf("a value ten TTLs old is not answered: %d", v)
	}
	// Errors are not kept.
	boom := errors.New("down")
	if _, err := c.Get(ctx, "e", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error: %v", err)
	}
	if v, err := c.Get(ctx, "e", compute); err != nil || v != 5 {
		t.Fatalf("after an error the next get computes: %d %v", v, err)
	}
}

func TestGetCurrentFollowsTheStamp(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	c := New[[2]string](time.Second, clk.now)
	state := "s1"
	var calls atomic.Int32
	compute := func(context.Context) ([2]string, error) { calls.Add(1); return [2]string{state, "v" + state}, nil }
	stampOf := func(v [2]string) string { return v[0] }
	get := func() string {
		v, err := c.GetCurrent(t.Context(), "k", state, stampOf, compute)
		if err != nil {
			t.Fatal(err)
		}
		return v[1]
	}
	if get() != "vs1" || calls.Load() != 1 {
		t.Fatal("first read")
	}
	clk.add(time.Hour)
	if get() != "vs1" || calls.Load() != 1 {
		t.Fatal("an unchanged state is answered from the cache whatever its age")
	}
	state = "s2"
	if got := get(); got != "vs2" || calls.Load() != 2 {
		t.Fatalf("the first read after a change on a quiet system: %s after %d computations", got, calls.Load())
	}
	state = "s3"
	if got := get(); got != "vs2" || calls.Load() != 2 {
		t.Fatalf("within the TTL an out-of-date value is answered: %s", got)
	}
	clk.add(2 * time.Second)
	if got := get(); got != "vs3" || calls.Load() != 3 {
		t.Fatalf("past the TTL the reader recomputes: %s", got)
	}
}
