package directives

import (
	"context"
	"sync"
	"time"

	"github.com/tidtam/tidtam/internal/apperr"
)

// gateWait bounds how long a request waits for its turn on one workflow.
const gateWait = 30 * time.Second

// keyedGate lets one caller at a time through per key (a workflow ID).
// Temporal admits only a few in-flight Updates per workflow; a burst of
// concurrent Updates to one workflow beyond that makes the server abort
// its speculative workflow tasks again and again (fault test R5: 1,000
// duplicate acknowledgements livelocked one assignment for 30 s). Queued
// here instead, each Update finds the previous one finished. The zero
// value is ready to use; entries exist only while someone holds or waits
// for a key, so memory stays bounded.
type keyedGate struct {
	mu    sync.Mutex
	gates map[string]*gateEntry
}

type gateEntry struct {
	turn chan struct{} // capacity 1: holding the token is holding the key
	refs int
}

// enter waits for key's turn (at most gateWait or until ctx ends) and
// returns the function that ends it. Waiting too long is Unavailable: the
// caller may retry.
func (g *keyedGate) enter(ctx context.Context, key string) (leave func(), err error) {
	g.mu.Lock()
	if g.gates == nil {
		g.gates = map[string]*gateEntry{}
	}
	e := g.gates[key]
	if e == nil {
		e = &gateEntry{turn: make(chan struct{}, 1)}
		g.gates[key] = e
	}
	e.refs++
	g.mu.Unlock()
	release := func() {
		g.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(g.gates, key)
		}
		g.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(ctx, gateWait)
	defer cancel()
	select {
	case e.turn <- struct{}{}:
		return func() { <-e.turn; release() }, nil
	case <-ctx.Done():
		release()
		return nil, apperr.Wrap(apperr.Unavailable, ctx.Err(),
			"มีคำขออื่นกำลังดำเนินการกับงานนี้ กรุณาลองใหม่ (another request for this assignment is in progress; retry)")
	}
}
