package tips

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidtam/tidtam/models"
)

// TestStartQueueGivesWayToTheIntake: while tips keep arriving, the queue
// starts workflows one per busyStartGap at most (never none: the engine
// keeps up a little); once the intake is quiet, it starts the rest at once.
func TestStartQueueGivesWayToTheIntake(t *testing.T) {
	var started atomic.Int64
	q := newStartQueue(func(context.Context, models.Tip) error {
		started.Add(1)
		return nil
	}, slog.New(slog.DiscardHandler))

	const jobs = 40
	const busyFor = 800 * time.Millisecond
	q.noteIntake()
	for i := range jobs {
		if !q.enqueue(models.Tip{ID: int64(i + 1)}) {
			t.Fatalf("job %d refused by an empty queue", i)
		}
	}
	end := time.Now().Add(busyFor)
	for time.Now().Before(end) {
		q.noteIntake()
		time.Sleep(10 * time.Millisecond)
	}
	during := started.Load()
	if limit := int64(busyFor/busyStartGap) + 2; during < 1 || during > limit {
		t.Errorf("%d starts while the intake was busy for %v, want 1 to %d", during, busyFor, limit)
	}
	deadline := time.Now().Add(10 * time.Second)
	for started.Load() < jobs && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := started.Load(); got != jobs {
		t.Fatalf("%d of %d started after the intake went quiet", got, jobs)
	}
}

// TestStartQueueFull: a job beyond startsQueued is refused (the sweep
// starts its tip later), not blocked on.
func TestStartQueueFull(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	q := newStartQueue(func(context.Context, models.Tip) error {
		<-block
		return nil
	}, slog.New(slog.DiscardHandler))
	accepted := 0
	for i := range startsQueued + startWorkers + 10 {
		if q.enqueue(models.Tip{ID: int64(i + 1)}) {
			accepted++
		}
	}
	if accepted < startsQueued || accepted > startsQueued+startWorkers {
		t.Fatalf("accepted %d jobs, want between %d and %d", accepted, startsQueued, startsQueued+startWorkers)
	}
}
