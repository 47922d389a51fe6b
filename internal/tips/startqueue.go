package tips

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidtam/tidtam/models"
)

// Background starts of tips' workflows, giving way to the intake. A tip's
// workflow costs the engine far more than storing the tip does (its start,
// first task and commit, then the notification's delivery workflow: about
// 10–15 ms of CPU on the embedded server, docs/BENCHMARKS.md P9), so on a
// small machine a burst of tips is taken first and its workflows started
// after it: while tips are arriving (one within intakeQuiet) a single
// worker starts one workflow per busyStartGap, so the engine always makes
// progress; once the intake is quiet, startWorkers start them at once.
const (
	startWorkers = 4
	startsQueued = 10000
	intakeQuiet  = 100 * time.Millisecond
	busyStartGap = 100 * time.Millisecond
)

// startQueue holds the tips of one tips service whose workflows are to be
// started, and its workers (started with the first tip). A tip it cannot
// hold (startsQueued waiting) or start is left with workflow_started false
// for a Starter's sweep: nothing is lost, only later.
type startQueue struct {
	start  func(context.Context, models.Tip) error
	logger *slog.Logger
	jobs   chan models.Tip
	once   sync.Once
	// base and lastIntake (nanoseconds after base) are monotonic: when
	// the last tip arrived.
	base       time.Time
	lastIntake atomic.Int64
}

// newStartQueue returns a queue whose workers start jobs with start.
func newStartQueue(start func(context.Context, models.Tip) error, logger *slog.Logger) *startQueue {
	q := &startQueue{start: start, logger: logger, jobs: make(chan models.Tip, startsQueued), base: time.Now()}
	q.lastIntake.Store(-int64(intakeQuiet))
	return q
}

// noteIntake records that a tip is arriving now.
func (q *startQueue) noteIntake() { q.lastIntake.Store(int64(time.Since(q.base))) }

// busy reports whether a tip arrived within intakeQuiet.
func (q *startQueue) busy() bool {
	return time.Since(q.base)-time.Duration(q.lastIntake.Load()) < intakeQuiet
}

// enqueue queues tip and reports whether it could (false: the sweep will
// start it).
func (q *startQueue) enqueue(tip models.Tip) bool {
	q.once.Do(func() {
		for w := range startWorkers {
			go q.work(w)
		}
	})
	select {
	case q.jobs <- tip:
		return true
	default:
		return false
	}
}

// work is worker w: while the intake is busy worker 0 starts one workflow
// per busyStartGap and the others wait for it to be quiet.
func (q *startQueue) work(w int) {
	for tip := range q.jobs {
		for q.busy() {
			if w == 0 {
				time.Sleep(busyStartGap)
				break
			}
			time.Sleep(intakeQuiet)
		}
		if err := q.start(context.Background(), tip); err != nil {
			q.logger.Warn("tip saved, its workflow not started yet; the sweep will start it", "tip", tip.ID, "error", err)
		}
	}
}
