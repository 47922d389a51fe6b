package directives

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
)

// TestKeyedGateOneAtATimePerKey: callers of one key never overlap, other
// keys are not held up, and nothing is left behind afterwards.
func TestKeyedGateOneAtATimePerKey(t *testing.T) {
	var g keyedGate
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			leave, err := g.enter(context.Background(), "a")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			leave()
		})
	}
	// Another key passes while "a" is busy.
	leaveB, err := g.enter(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	leaveB()
	wg.Wait()
	if maxInside.Load() != 1 {
		t.Errorf("%d callers inside at once, want 1", maxInside.Load())
	}
	if len(g.gates) != 0 {
		t.Errorf("%d keys left after every caller left", len(g.gates))
	}
}

// TestKeyedGateGivesUp: a caller that cannot get in before its context
// ends is told Unavailable (retry) and leaves no entry behind.
func TestKeyedGateGivesUp(t *testing.T) {
	var g keyedGate
	leave, err := g.enter(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.enter(ctx, "a"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("second caller: %v, want Unavailable", err)
	}
	leave()
	if len(g.gates) != 0 {
		t.Errorf("%d keys left", len(g.gates))
	}
}
