package runtime

// This file holds Local, the single-threaded deterministic executor.

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Local is a single-threaded executor: its tasks are polled one at a time
// on the goroutine that calls Run. It is deterministic: given the same
// tasks and the same seed, and no wakes from other goroutines, it polls them
// in the same order every time. By default it runs ready tasks first in,
// first out (a task woken by the task being polled joins a queue that only
// Run's goroutine touches, without locking; spawned tasks, and tasks woken
// from outside a poll, join it from a shared queue at least every 32
// polls); WithSeed makes it pick among all ready tasks with a seeded random
// generator, to explore other interleavings reproducibly.
//
// Its timers are one heap. Once a future needs I/O readiness (see
// [AttachPoller]), Run waits in the I/O poller when no task is ready, for
// at most the time to the next timer, and looks at it without waiting at
// least every 64 polls while tasks are ready. WithVirtualTime gives it a simulated clock: when
// no task is ready the clock jumps to the next timer, so a scenario that
// sleeps for hours runs in microseconds, in the same order every time.
//
// Tasks may be spawned, and woken, from any goroutine.
type Local struct {
	mu       sync.Mutex
	runq     ring[*task]
	batch    ring[*task] // the run goroutine's FIFO batch
	sleeping bool
	sleepIn  Poller // the poller Run waits in while sleeping, or nil
	notify   chan struct{}
	rng      *rand.Rand
	closed   bool
	running  atomic.Bool
	live     liveSet      // waiting tasks
	count    atomic.Int64 // unfinished tasks
	tq       *timerQueue
	polls    uint64 // touched by Run's goroutine only
	ioAt     uint64 // polls when the poller was last looked at (Run's goroutine only)
	tick     uint32
	pass     passBeforeWait // Run's goroutine only
	cur      *task          // the task being polled (Run's goroutine only)
	cx       Context        // the context of every poll; its waker is cur
	isClosed atomic.Bool    // closed, readable without the lock
}

// A LocalOption configures a Local executor.
type LocalOption struct{ apply func(*localConfig) }

type localConfig struct {
	seed    uint64
	seeded  bool
	virtual bool
	start   time.Time
}

// WithSeed makes the executor choose the next task among the ready ones
// with a random generator seeded with seed.
func WithSeed(seed uint64) LocalOption {
	return LocalOption{func(c *localConfig) { c.seed, c.seeded = seed, true }}
}

// WithVirtualTime gives the executor a simulated clock that starts at
// start and advances only when no task is ready, straight to the next
// timer.
func WithVirtualTime(start time.Time) LocalOption {
	return LocalOption{func(c *localConfig) { c.virtual, c.start = true, start }}
}

// NewLocal returns a single-threaded executor.
func NewLocal(opts ...LocalOption) *Local {
	var c localConfig
	for _, o := range opts {
		o.apply(&c)
	}
	l := &Local{notify: make(chan struct{}, 1)}
	if c.seeded {
		l.rng = rand.New(rand.NewPCG(c.seed, c.seed^0x9e3779b97f4a7c15))
	}
	if c.virtual {
		l.tq = newTimerQueue(c.start, true)
	} else {
		l.tq = newTimerQueue(time.Now(), false)
	}
	return l
}

// Now returns the executor's clock.
func (l *Local) Now() time.Time { return l.tq.nowTime() }

// Polls returns how many times the executor has polled a task. It must not
// be called while Run is running on another goroutine.
func (l *Local) Polls() uint64 { return l.polls }

// Len returns the number of unfinished tasks.
func (l *Local) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(l.count.Load())
}

func (l *Local) timers() *timerQueue { return l.tq }

func (l *Local) submit(t *task) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		t.kill(ErrClosed)
		return
	}
	l.count.Add(1)
	l.push(t)
	l.mu.Unlock()
}

func (l *Local) schedule(t *task) {
	l.mu.Lock()
	l.push(t)
	l.mu.Unlock()
}

// push queues t; l.mu is held.
func (l *Local) push(t *task) {
	l.runq.pushBack(t)
	if l.sleeping {
		l.sleeping = false
		l.rouse()
	}
}

// rouse wakes Run from its sleep; l.mu is held and l.sleeping was set.
func (l *Local) rouse() {
	if l.sleepIn != nil {
		l.sleepIn.Interrupt()
		return
	}
	select {
	case l.notify <- struct{}{}:
	default:
	}
}

func (l *Local) parked(t *task) {
	l.mu.Lock()
	l.live.add(t)
	l.mu.Unlock()
}

func (l *Local) finished(t *task) {
	l.count.Add(-1)
	if t.listed {
		l.mu.Lock()
		l.live.remove(t)
		l.mu.Unlock()
	}
}

// drain empties the run queues and the live set and returns their tasks;
// l.mu is held.
func (l *Local) drain() []*task {
	ts := l.live.drain()
	for _, q := range []*ring[*task]{&l.runq, &l.batch} {
		for {
			t, ok := q.popFront()
			if !ok {
				break
			}
			ts = append(ts, t)
		}
	}
	l.count.Store(0)
	return ts
}

// next returns the next task to run, or nil; l.mu is held. Tasks woken
// from other goroutines (and spawned) wait in runq, marked stScheduled;
// next moves them behind those in batch, the queue that only Run's
// goroutine touches, where a task is at most once (queued).
func (l *Local) next() *task {
	for {
		t, ok := l.runq.popFront()
		if !ok {
			break
		}
		if t.state.Load()&stComplete != 0 {
			continue // finished from batch while it waited here
		}
		t.remote = true // poll clears stScheduled
		if !t.queued {
			t.queued = true
			l.batch.pushBack(t)
		}
	}
	n := l.batch.len()
	if n == 0 {
		return nil
	}
	if l.rng != nil {
		l.batch.swapFront(l.rng.IntN(n))
	}
	t, _ := l.batch.popFront()
	return t
}

// wakeLocal queues t, woken by the task Run is polling (so on Run's
// goroutine), in batch: no lock and no atomic instruction. The task states
// of a Local keep no "running" bit: a wake from another goroutine during a
// poll queues the task in runq (stScheduled), to be polled again.
func (l *Local) wakeLocal(t *task) {
	if !t.queued {
		t.queued = true
		l.batch.pushBack(t)
	}
}

// poll polls t, taken from batch, once. A task woken only by tasks of l
// (wakeLocal) is polled with no locked instruction until it finishes.
func (l *Local) poll(t *task) {
	t.queued = false
	var s uint32
	if t.remote {
		t.remote = false
		s = t.state.And(^stScheduled)
	} else {
		s = t.state.Load()
	}
	if s&stComplete != 0 {
		return // a stale entry of a finished task
	}
	l.polls++
	l.cur = t
	var done bool
	if s&stCancel != 0 {
		t.r.abort(ErrCanceled)
		done = true
	} else {
		l.cx.waker = t.waker()
		done = t.r.poll(&l.cx)
	}
	l.cur = nil
	if done {
		if t.finish()&stScheduled != 0 || t.queued {
			t.keep = true // runq or batch still holds it: do not recycle
		}
		l.finished(t)
		t.r.publish()
		return
	}
	if !t.listed {
		// A task that completes at its first poll never enters the live
		// set; one that waits is listed so that Close can cancel it.
		t.listed = true
		l.parked(t)
	}
}

// Run runs the executor's tasks until every task has finished, parking the
// goroutine while all tasks wait for wakes from other goroutines (or, with
// a real clock, for timers). It returns at once if the executor is closed
// (possibly by a task) and closing canceled the remaining tasks. Run must
// not be called by two goroutines at once.
func (l *Local) Run() { l.run(false, nil) }

// RunUntilStalled runs tasks until none can progress without a wake from
// another goroutine: every ready task has been polled and, with virtual
// time, every timer has fired; with a real clock it waits for timers. It
// reports whether every task has finished. It is the step function of
// simulation tests.
func (l *Local) RunUntilStalled() bool { return l.run(true, nil) }

func (l *Local) run(stall bool, until func() bool) bool {
	if !l.running.CompareAndSwap(false, true) {
		panic("asyncgen: Local.Run called while running")
	}
	defer func() {
		l.cur = nil // a poll may have panicked
		l.running.Store(false)
	}()
	var tm *time.Timer
	defer func() {
		if tm != nil {
			tm.Stop()
		}
	}()
	for {
		if until != nil && until() {
			return true
		}
		if !l.tq.empty() {
			l.tq.fire(l.tq.now())
		}
		// Fast path: run a task from batch without locking; one time in
		// 32 (and always with a seed) take the slow path, which also looks
		// at runq, so tasks woken from elsewhere are not starved.
		l.tick++
		if !l.isClosed.Load() && l.rng == nil && l.tick%32 != 0 && l.batch.len() > 0 {
			t, _ := l.batch.popFront()
			l.poll(t)
			continue
		}
		pl := l.tq.pollerOf()
		if pl != nil && l.polls-l.ioAt >= 64 {
			l.ioAt = l.polls
			pl.Wait(0) // readiness queues its tasks in runq
		}
		l.mu.Lock()
		if l.closed {
			ts := l.drain()
			l.mu.Unlock()
			killAll(ts, ErrClosed)
			return true
		}
		if t := l.next(); t != nil {
			l.mu.Unlock()
			l.poll(t)
			continue
		}
		if l.count.Load() == 0 {
			l.mu.Unlock()
			return true
		}
		when, ok := l.tq.next()
		if l.tq.virtual && ok {
			l.mu.Unlock()
			l.tq.advance(when)
			continue
		}
		if stall && (l.tq.virtual || !ok) {
			l.mu.Unlock()
			return false
		}
		l.sleeping = true
		l.sleepIn = pl
		l.mu.Unlock()
		if pl != nil {
			l.pass.pass()
			pl.Wait(l.tq.pollTimeout(when, ok))
			l.ioAt = l.polls
		} else if ok {
			d := time.Duration(when - l.tq.now())
			if tm == nil {
				tm = time.NewTimer(d)
			} else {
				tm.Reset(d)
			}
			select {
			case <-l.notify:
				tm.Stop()
			case <-tm.C:
			}
		} else {
			<-l.notify
		}
		l.mu.Lock()
		l.sleeping = false
		l.sleepIn = nil
		l.mu.Unlock()
	}
}

// Close cancels every unfinished task and makes later spawns fail with
// ErrClosed. Called while Run is running (from a task, or another
// goroutine) it takes effect at Run's next step, on Run's goroutine.
func (l *Local) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.isClosed.Store(true)
	if l.running.Load() {
		if l.sleeping {
			l.sleeping = false
			l.rouse()
		}
		l.mu.Unlock()
		return
	}
	ts := l.drain()
	l.mu.Unlock()
	killAll(ts, ErrClosed)
}

// RunFuture spawns f on l, runs l until f's task has finished (other tasks
// run too, and may be left unfinished), and returns the task's outcome.
func RunFuture[T any](l *Local, f Future[T]) (T, error) {
	h := Spawn(l, f)
	l.run(false, h.published)
	r, _ := h.Poll(nil)
	return r.Value, r.Err
}
