package dashboard

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHubStampsEachTopicOnceAndTellsOnlyWhoIsBehind(t *testing.T) {
	h := &Hub{}
	var looks atomic.Int32
	stamp := "s1"
	var mu sync.Mutex
	f := func(context.Context) (string, error) {
		looks.Add(1)
		mu.Lock()
		defer mu.Unlock()
		return stamp, nil
	}
	a, stopA := h.Subscribe("dash", "s1", f)
	b, stopB := h.Subscribe("dash", "s0", f) // rendered before s1
	defer stopB()
	if h.Subscribers() != 2 {
		t.Fatalf("%d subscribers", h.Subscribers())
	}
	h.look(t.Context())
	if looks.Load() != 1 {
		t.Fatalf("two viewers of one topic cost %d stamps, want 1", looks.Load())
	}
	select {
	case got := <-b:
		if got != "s1" {
			t.Errorf("behind viewer got %q", got)
		}
	default:
		t.Error("the viewer that is behind was not told")
	}
	select {
	case got := <-a:
		t.Errorf("the viewer that is current was told %q", got)
	default:
	}
	mu.Lock()
	stamp = "s2"
	mu.Unlock()
	h.look(t.Context())
	if <-a != "s2" || <-b != "s2" {
		t.Error("a change did not reach both viewers")
	}
	stopA()
	stopB()
	if h.Subscribers() != 0 || len(h.topics) != 0 {
		t.Errorf("after both left: %d subscribers, %d topics", h.Subscribers(), len(h.topics))
	}
}
