package dashboard

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tidtam/tidtam/internal/swr"
)

// DefaultLiveInterval is how often a Hub looks for changes.
const DefaultLiveInterval = 500 * time.Millisecond

// StampFunc returns the current stamp of what a live page shows: equal
// stamps, equal content.
type StampFunc func(ctx context.Context) (string, error)

// Hub tells live pages when what they show has changed. Pages subscribe
// to a topic (a key naming what they show, for instance the dashboard in
// one scope and filter) with the function that stamps it; however many
// viewers share a topic, the Hub calls its StampFunc once per Interval,
// and when the stamp differs from the last one it sends the new stamp to
// every subscriber. A subscriber that has not taken the previous stamp yet
// just gets the newest (its channel holds one). So 200 viewers of one
// dashboard cost one stamp per Interval, plus one small message each when
// something changes.
type Hub struct {
	// Interval between looks (0: DefaultLiveInterval).
	Interval time.Duration
	Logger   *slog.Logger

	mu     sync.Mutex
	topics map[string]*topic
}

type topic struct {
	stamp StampFunc
	subs  map[chan string]string // subscriber → the stamp it has seen
}

// Subscribe registers interest in topic key, stamped by stamp (the first
// subscriber's function serves the topic); known is the stamp of what the
// subscriber shows already ("" when it does not know). It returns a
// channel that receives each stamp that differs from what the subscriber
// has seen, and a function that ends the subscription.
func (h *Hub) Subscribe(key, known string, stamp StampFunc) (<-chan string, func()) {
	ch := make(chan string, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.topics == nil {
		h.topics = map[string]*topic{}
	}
	t := h.topics[key]
	if t == nil {
		t = &topic{stamp: stamp, subs: map[chan string]string{}}
		h.topics[key] = t
	}
	t.subs[ch] = known
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(t.subs, ch)
		if len(t.subs) == 0 && h.topics[key] == t {
			delete(h.topics, key)
		}
	}
}

// Subscribers returns how many subscriptions are open, over all topics.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, t := range h.topics {
		n += len(t.subs)
	}
	return n
}

// Run looks for changes every Interval until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	interval := h.Interval
	if interval <= 0 {
		interval = DefaultLiveInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.look(ctx)
		}
	}
}

// look stamps every topic with subscribers once and notifies them of a
// change.
func (h *Hub) look(ctx context.Context) {
	h.mu.Lock()
	keys := make([]string, 0, len(h.topics))
	stamps := make([]StampFunc, 0, len(h.topics))
	for k, t := range h.topics {
		keys = append(keys, k)
		stamps = append(stamps, t.stamp)
	}
	h.mu.Unlock()
	fresh := swr.WithFresh(ctx)
	for i, k := range keys {
		s, err := stamps[i](fresh)
		if err != nil {
			if ctx.Err() == nil && h.Logger != nil {
				h.Logger.Warn("live: cannot stamp topic; trying again", "topic", k, "error", err)
			}
			continue
		}
		h.mu.Lock()
		if t := h.topics[k]; t != nil {
			for ch, seen := range t.subs {
				if seen == s {
					continue
				}
				t.subs[ch] = s
				select {
				case <-ch: // drop the stamp not yet taken
				default:
				}
				ch <- s
			}
		}
		h.mu.Unlock()
	}
}
