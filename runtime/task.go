package runtime

// This file holds tasks: the unit an executor schedules, the task state
// machine that makes wakes safe from any goroutine, and Spawn.

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Errors reported by the runtime.
var (
	// ErrCanceled is the error of a task or operation that was canceled.
	ErrCanceled = errors.New("asyncgen: canceled")
	// ErrClosed is the error of an operation on a closed channel or
	// executor.
	ErrClosed = errors.New("asyncgen: closed")
	// ErrTimeout is the error of a future that missed its deadline.
	ErrTimeout = errors.New("asyncgen: timeout")
)

// A PanicError is the error of a task whose future panicked. It carries the
// panic value and the stack of the panicking goroutine.
type PanicError struct {
	Value any
	Stack []byte
}

// Error describes the panic.
func (e *PanicError) Error() string { return fmt.Sprintf("asyncgen: task panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// An Executor runs spawned tasks. The executors of this package are [Local]
// (single-threaded, deterministic) and [Pool] (multi-threaded).
//
// Every executor guarantees that a wake arriving while its task is being
// polled is not lost (the task is polled again), that a task is never polled
// by two goroutines at once, and that a task may be polled spuriously.
type Executor interface {
	// Now returns the executor's clock: real time, or virtual time on a
	// Local executor created WithVirtualTime.
	Now() time.Time
	// Close stops the executor. Tasks that have not completed are
	// canceled: their futures' Cancel methods run and their handles report
	// ErrClosed. Spawning on a closed executor gives a task that has
	// already failed with ErrClosed.
	Close()

	submit(t *task)
	schedule(t *task)
	parked(t *task)   // t returned pending for the first time
	finished(t *task) // t completed
	timers() *timerQueue
}

// Task states, as bits of task.state.
const (
	stScheduled uint32 = 1 << iota // in a run queue
	stRunning                      // being polled
	stNotified                     // woken while being polled
	stComplete                     // finished; wakes are ignored
	stCancel                       // cancellation requested
	stPublished                    // a Task's outcome is visible to its handle
	stJoin                         // a Task's join waker is set; publish must wake it
	stJoinLock                     // guards a Task's join field (a spin lock)

	stKeep = stJoin | stJoinLock // bits that completing a task keeps
)

// runner is the typed half of a task, implemented by *Task[T].
type runner interface {
	// poll polls the future once with cx, whose waker is the task,
	// recovering a panic; it reports whether the task has finished.
	poll(cx *Context) bool
	// abort cancels the future and records err as the task's outcome.
	abort(err error)
	// publish marks the outcome visible to the handle and wakes its awaiter.
	publish()
}

// task is the untyped header of a Task. Its address, as a *taskWaker, is
// the task's Waker (a type of its own, so that Wake is not a method of
// Task). It holds no Context: an executor polls every task with a Context of its
// own (one per Local, one per Pool worker) whose waker it sets to the task,
// which a Context being valid only during its Poll allows.
type task struct {
	state  atomic.Uint32
	worker atomic.Int32 // Pool: 1 + the worker that last ran the task, 0 if none
	shard  uint32       // Pool: the live-set shard holding the task
	listed bool         // in the executor's live set (touched by the poller)
	queued bool         // Local: in the run goroutine's batch (run goroutine only)
	remote bool         // Local: taken from the shared queue; stScheduled is still set
	keep   bool         // a detached task that must not be recycled (a queue still holds it)
	ex     Executor
	r      runner
	lprev  *task // live-set links
	lnext  *task
}

// taskWaker is a task seen as its Waker.
type taskWaker task

// Wake schedules the task to be polled.
func (w *taskWaker) Wake() { (*task)(w).wake() }

func (w *taskWaker) timerQueue() *timerQueue { return (*task)(w).timerQueue() }

func (w *taskWaker) executor() Executor { return (*task)(w).ex }

// waker returns t as its Waker.
func (t *task) waker() Waker { return (*taskWaker)(t) }

// wake schedules the task to be polled. It is safe from any goroutine, any
// number of times; a wake during a poll makes the executor poll again.
func (t *task) wake() {
	if t.claimSchedule() {
		t.ex.schedule(t)
	}
}

// claimSchedule records a wake in t's state. It reports true when the
// caller must queue t: t was neither finished, queued, nor already notified,
// and is not being polled (a wake during a poll only sets stNotified, so the
// executor polls again).
func (t *task) claimSchedule() bool { return t.claim(stScheduled) }

// claim is claimSchedule setting bit: stScheduled, or stRunning for a
// caller that polls t next itself with runClaimed (a Pool worker's "next"
// slot), which saves the poll an atomic instruction. A wake while t waits
// there is a wake during its poll: it makes t run once more.
func (t *task) claim(bit uint32) bool {
	for {
		s := t.state.Load()
		if s&(stComplete|stScheduled|stNotified) != 0 {
			return false
		}
		if s&stRunning != 0 {
			if t.state.CompareAndSwap(s, s|stNotified) {
				return false
			}
			continue
		}
		if t.state.CompareAndSwap(s, s|bit) {
			return true
		}
	}
}

// wake wakes w on behalf of the task polled with cx (nil outside a poll).
// When both are tasks of one executor, the woken task is queued where the
// current one runs: on a Local in the batch that only Run's goroutine
// touches, with no lock and no atomic instruction (the wake runs on Run's
// goroutine, inside the current task's poll); on a Pool in the current
// worker's next slot. A Context is only valid during the Poll it is passed
// to, which is what makes this sound.
func wake(cx *Context, w Waker) { wakeSettle(cx, w, nil, 0) }

// wakeSettle is wake that also stores st in *state (unless state is nil),
// a word the woken task may load atomically without a lock (a waiter's
// state, see wnode.settled), before it hands the task over; the caller
// holds the lock that every other write of the word takes, so a load that
// misses the store sends its task to that lock. The store is atomic unless
// no goroutine can poll the woken task before this wake hands it over: a
// task of the same Local (polled on this goroutine), or a task of the same
// Pool that this wake claims for the current worker's next slot (polled
// on this goroutine, or on another after a queue's lock passes it on).
//
// A waker of a combinator's child (a subWaker) is recorded in its
// combinator and the wake goes on to the combinator's own waker, in the
// same way; cx may be a child's context too (pollingTask). The state is
// then stored atomically first: the parent, once it learns of the child,
// may poll it on another goroutine.
func wakeSettle(cx *Context, w Waker, state *uint32, st uint32) {
	if tw, ok := w.(*taskWaker); ok && cx != nil {
		t := (*task)(tw)
		if cur := pollingTask(cx); cur != nil {
			switch ex := cur.ex.(type) {
			case *Local:
				if ex.cur == cur && t.ex == cur.ex {
					if state != nil {
						*state = st
					}
					ex.wakeLocal(t)
					return
				}
			case *Pool:
				// cur is being polled by the worker that last ran it,
				// whose goroutine this is: w.cur is that goroutine's own
				// field.
				if i := cur.worker.Load() - 1; i >= 0 && t.ex == cur.ex {
					if w := ex.workers[i]; w.cur == cur {
						if t.claim(stRunning) {
							if state != nil {
								*state = st
							}
							w.wakeNext(t)
						} else if state != nil {
							atomic.StoreUint32(state, st)
						}
						return
					}
				}
			}
			if state != nil {
				atomic.StoreUint32(state, st)
			}
			t.wakeFrom(cur)
			return
		}
	}
	if sw, ok := w.(*subWaker); ok && cx != nil {
		if state != nil {
			atomic.StoreUint32(state, st)
		}
		if p := sw.record(); p != nil {
			wakeSettle(cx, p, nil, 0)
		}
		return
	}
	if state != nil {
		atomic.StoreUint32(state, st)
	}
	w.Wake()
}

// wakeFrom is Wake called from within cur's poll, when t is not a task of
// cur's executor to be woken in place (see wakeSettle).
func (t *task) wakeFrom(cur *task) {
	if !t.claimSchedule() {
		return
	}
	// t.ex is stable now: t cannot finish (and a detached task cannot be
	// recycled) while it is scheduled.
	t.ex.schedule(t)
}

// timerQueue lets timers find the executor from the waker.
func (t *task) timerQueue() *timerQueue { return t.ex.timers() }

// requestCancel asks the executor to cancel the task at its next turn.
func (t *task) requestCancel() {
	for {
		s := t.state.Load()
		if s&(stComplete|stCancel) != 0 {
			return
		}
		if t.state.CompareAndSwap(s, s|stCancel) {
			break
		}
	}
	t.wake()
}

// run polls the task once. The caller has taken it from a run queue, so the
// task is scheduled and nobody else runs it. It reports whether the task
// was woken during the poll: it is marked scheduled again, and the caller
// must queue it.
func (t *task) run(cx *Context) (again bool) {
	var s uint32
	for {
		s = t.state.Load()
		if s&stComplete != 0 {
			return false
		}
		if t.state.CompareAndSwap(s, s&^stScheduled|stRunning) {
			break
		}
	}
	return t.polled(cx, s)
}

// runClaimed is run for a task the caller claimed with claim(stRunning),
// so it is marked running already.
func (t *task) runClaimed(cx *Context) (again bool) {
	if s := t.state.Load(); s&stComplete == 0 {
		return t.polled(cx, s)
	}
	return false
}

// polled polls the task, marked running, whose state was s when it was
// marked, and settles its state after the poll; again is run's.
func (t *task) polled(cx *Context, s uint32) (again bool) {
	var done bool
	if s&stCancel != 0 {
		t.r.abort(ErrCanceled)
		done = true
	} else {
		done = t.r.poll(cx)
	}
	if done {
		t.finish()
		t.ex.finished(t)
		t.r.publish()
		return false
	}
	if !t.listed {
		// A task that completes at its first poll never enters the live
		// set; one that waits is listed so that Close can cancel it.
		t.listed = true
		t.ex.parked(t)
	}
	for {
		s = t.state.Load()
		if s&stNotified != 0 {
			if t.state.CompareAndSwap(s, s&^(stRunning|stNotified)|stScheduled) {
				return true
			}
			continue
		}
		if t.state.CompareAndSwap(s, s&^stRunning) {
			return false
		}
	}
}

// kill completes a task that is not running with err (used when an
// executor closes). It reports whether this call completed the task.
func (t *task) kill(err error) bool {
	if !t.markKilled() {
		return false
	}
	t.r.abort(err)
	t.r.publish()
	return true
}

// markKilled marks a task that is not running complete; it reports whether
// this call did so.
func (t *task) markKilled() bool {
	for {
		s := t.state.Load()
		if s&stComplete != 0 {
			return false
		}
		if t.state.CompareAndSwap(s, s&stKeep|stComplete) {
			return true
		}
	}
}

// finish marks the task, which its poller has just completed, complete
// (keeping stJoin and stJoinLock for publish) and returns its previous state.
func (t *task) finish() uint32 {
	for {
		s := t.state.Load()
		if t.state.CompareAndSwap(s, s&stKeep|stComplete) {
			return s
		}
	}
}

// killAll kills ts, which may hold a task more than once (queued and
// listed). Every task is marked complete before any is published: a
// detached task's memory is recycled when it is published, so it must not
// be looked at again after that.
func killAll(ts []*task, err error) {
	n := 0
	for _, t := range ts {
		if t.markKilled() {
			ts[n] = t
			n++
		}
	}
	for _, t := range ts[:n] {
		t.r.abort(err)
		t.r.publish()
	}
}

// A Task is the handle of a spawned future. It is itself a future of the
// task's outcome: a Result holding the future's value, or the error
// ErrCanceled (the task was canceled), ErrClosed (its executor closed), or
// a *PanicError (the future panicked). A Task is awaited by one awaiter at
// a time; Wait may be called from any number of goroutines. The handle
// and the task are one allocation.
type Task[T any] struct {
	// The allocation is 112 bytes plus the value's size. The outcome is
	// published with one atomic instruction; the join lock, a bit of the
	// task's state, is taken only when an awaiter registers a waker or has
	// registered one (stJoin).
	task
	fut  Future[T]
	val  T
	err  error
	join Waker // the awaiter's waker, or a *waitFan while Wait blocks; under stJoinLock
}

// lockJoin takes the join lock. Its holders only move a waker, so it is
// held for a few instructions.
func (t *Task[T]) lockJoin() {
	for i := 0; ; i++ {
		s := t.state.Load()
		if s&stJoinLock == 0 && t.state.CompareAndSwap(s, s|stJoinLock) {
			return
		}
		if i >= 8 {
			goruntime.Gosched()
		}
	}
}

// unlockJoin releases the join lock, setting the bits set (stJoin or 0),
// and returns the state before.
func (t *Task[T]) unlockJoin(set uint32) uint32 {
	for {
		s := t.state.Load()
		if t.state.CompareAndSwap(s, s&^stJoinLock|set) {
			return s
		}
	}
}

// waitFan is the join waker of a Task while goroutines block in Wait: it
// releases them all and wakes the awaiter it stands in front of.
type waitFan struct {
	ch   chan struct{}
	next Waker
}

func (f *waitFan) Wake() {
	close(f.ch)
	if f.next != nil {
		f.next.Wake()
	}
}

// published reports whether the outcome is visible.
func (t *Task[T]) published() bool { return t.state.Load()&stPublished != 0 }

// Spawn starts running f as a task on ex and returns its handle. The task
// runs whether or not the handle is awaited.
func Spawn[T any](ex Executor, f Future[T]) *Task[T] {
	t := &Task[T]{fut: f}
	t.ex = ex
	t.r = t
	t.state.Store(stScheduled)
	ex.submit(&t.task)
	return t
}

func (t *Task[T]) poll(cx *Context) (done bool) {
	defer func() {
		if p := recover(); p != nil {
			t.err = &PanicError{Value: p, Stack: debug.Stack()}
			t.fut = nil
			done = true
		}
	}()
	v, ok := t.fut.Poll(cx)
	if ok {
		t.val = v
		t.fut = nil
	}
	return ok
}

func (t *Task[T]) abort(err error) {
	defer func() {
		if p := recover(); p != nil {
			t.err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	t.err = err
	f := t.fut
	t.fut = nil
	Cancel(f)
}

// publish makes the outcome visible. An awaiter registers its waker under
// the join lock and sets stJoin as it releases it; whichever of the two atomic ors comes second
// sees the other: publish then wakes the registered waker, or the awaiter
// sees the outcome.
func (t *Task[T]) publish() {
	if t.state.Or(stPublished)&stJoin == 0 {
		return
	}
	t.lockJoin()
	w := t.join
	t.join = nil
	t.unlockJoin(0)
	if w != nil {
		w.Wake()
	}
}

// Poll reports the task's outcome once it has finished.
func (t *Task[T]) Poll(cx *Context) (Result[T], bool) {
	if t.published() {
		return Result[T]{Value: t.val, Err: t.err}, true
	}
	t.lockJoin()
	if f, ok := t.join.(*waitFan); ok {
		f.next = cx.Waker()
	} else {
		t.join = cx.Waker()
	}
	if t.unlockJoin(stJoin)&stPublished != 0 {
		return Result[T]{Value: t.val, Err: t.err}, true
	}
	return Result[T]{}, false
}

// Cancel asks the executor to cancel the task: unless it completes first,
// its future's Cancel method (if any) runs on the executor and the task
// finishes with ErrCanceled. Cancel does not wait; it is safe from any
// goroutine and does nothing on a finished task.
func (t *Task[T]) Cancel() { t.requestCancel() }

// Done reports whether the task has finished.
func (t *Task[T]) Done() bool { return t.published() }

// Join blocks the calling goroutine until the task has finished, as a
// thread's join does, and returns its outcome. Inside a body, await the
// task instead (it is a future); the runtime's methods named Wait return
// futures (Group.Wait, Event.Wait). Join must not be called from the
// goroutine that runs a Local executor's Run (nothing would run the task).
func (t *Task[T]) Join() (T, error) {
	if !t.published() {
		t.lockJoin()
		f, ok := t.join.(*waitFan)
		if !ok {
			f = &waitFan{ch: make(chan struct{}), next: t.join}
			t.join = f
		}
		pub := t.unlockJoin(stJoin)&stPublished != 0
		if !pub {
			<-f.ch
		}
	}
	return t.val, t.err
}

// liveSet is the set of an executor's waiting tasks (those that have
// returned pending at least once and not completed), an intrusive list.
type liveSet struct {
	mu   sync.Mutex
	head *task
	n    int
}

func (s *liveSet) add(t *task) {
	t.lnext = s.head
	t.lprev = nil
	if s.head != nil {
		s.head.lprev = t
	}
	s.head = t
	s.n++
}

func (s *liveSet) remove(t *task) {
	if t.lprev != nil {
		t.lprev.lnext = t.lnext
	} else if s.head == t {
		s.head = t.lnext
	} else {
		return // not in the set
	}
	if t.lnext != nil {
		t.lnext.lprev = t.lprev
	}
	t.lprev, t.lnext = nil, nil
	s.n--
}

// drain empties the set and returns its tasks.
func (s *liveSet) drain() []*task {
	var ts []*task
	for t := s.head; t != nil; {
		next := t.lnext
		t.lprev, t.lnext = nil, nil
		ts = append(ts, t)
		t = next
	}
	s.head, s.n = nil, 0
	return ts
}

// goTask is a detached task (see Go). Its memory is recycled.
type goTask struct {
	task
	fut Future[struct{}]
}

var goTasks = sync.Pool{New: func() any { return new(goTask) }}

// Go spawns f as a detached task: there is no handle, and the task's memory
// is recycled when it completes, which makes Go the cheapest way to start a
// task. A panic in f is not recovered: it propagates out of the worker (on
// a Pool, crashing the program) or out of Local's Run, as a panic in a
// goroutine started with the go statement would. Use Spawn for a handle.
func Go(ex Executor, f Future[struct{}]) {
	t := goTasks.Get().(*goTask)
	t.fut = f
	t.ex = ex
	t.r = t
	t.listed, t.queued, t.remote, t.keep = false, false, false, false
	t.worker.Store(0)
	t.state.Store(stScheduled)
	ex.submit(&t.task)
}

func (t *goTask) poll(cx *Context) bool {
	if _, ok := t.fut.Poll(cx); !ok {
		return false
	}
	t.fut = nil
	return true
}

func (t *goTask) abort(error) {
	f := t.fut
	t.fut = nil
	Cancel(f)
}

func (t *goTask) publish() {
	if t.keep {
		// A queue may still hold it (see Local.poll): leave it to the
		// garbage collector.
		return
	}
	t.ex = nil
	goTasks.Put(t)
}
