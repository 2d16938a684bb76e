package runtime

// This file holds timers: the per-executor timer heap, Sleep, Timeout and
// the clock futures. A timer finds its executor through the waker of the
// Context it is polled with; under BlockOn (or any foreign waker) it falls
// back to a time.Timer.

import (
	"sync"
	"sync/atomic"
	"time"
)

// timerHost is implemented by wakers that belong to an executor (and by the
// wakers combinators derive from them): it gives timers the executor's
// timer queue.
type timerHost interface {
	timerQueue() *timerQueue
}

// timersOf returns the timer queue of the executor behind w, or nil.
func timersOf(w Waker) *timerQueue {
	if h, ok := w.(timerHost); ok {
		return h.timerQueue()
	}
	return nil
}

// timerQueue is an executor's single timer structure: a binary heap of
// timer nodes ordered by deadline, then by arrival (so timers with the same
// deadline fire in the order they were set, which keeps virtual time
// deterministic). Times are nanoseconds since base.
type timerQueue struct {
	mu      sync.Mutex
	heap    []*timerNode
	seq     uint64
	base    time.Time
	virtual bool
	vnow    atomic.Int64
	kick    func() // called when a new earliest deadline is set
	wakes   []Waker
	count   atomic.Int32 // len(heap), readable without the lock
	poller  pollerSlot   // the executor's I/O poller, if one is attached
}

// empty reports whether no timer is queued, without locking.
func (q *timerQueue) empty() bool { return q.count.Load() == 0 }

// timerNode is a timer, stored inside the future that waits on it.
type timerNode struct {
	q     *timerQueue
	when  int64
	seq   uint64
	idx   int // 1 + index in heap; 0 when not queued
	fired bool
	waker Waker
}

func newTimerQueue(base time.Time, virtual bool) *timerQueue {
	return &timerQueue{base: base, virtual: virtual}
}

// now returns the current time of the queue's clock.
func (q *timerQueue) now() int64 {
	if q.virtual {
		return q.vnow.Load()
	}
	return int64(time.Since(q.base))
}

// nowTime returns now as a time.Time.
func (q *timerQueue) nowTime() time.Time { return q.base.Add(time.Duration(q.now())) }

// at converts t to the queue's timeline.
func (q *timerQueue) at(t time.Time) int64 { return int64(t.Sub(q.base)) }

// wait reports whether n's deadline when has passed; if not, it queues n
// (or updates its waker) so that w is woken when it does.
func (q *timerQueue) wait(n *timerNode, when int64, w Waker) bool {
	q.mu.Lock()
	if n.fired {
		q.mu.Unlock()
		return true
	}
	if when <= q.now() {
		if n.idx != 0 {
			q.remove(n)
		}
		n.fired = true
		q.mu.Unlock()
		return true
	}
	n.waker = w
	if n.idx != 0 {
		q.mu.Unlock()
		return false
	}
	n.when = when
	n.seq = q.seq
	q.seq++
	q.heap = append(q.heap, n)
	q.count.Add(1)
	n.idx = len(q.heap)
	q.up(n.idx - 1)
	first := n.idx == 1
	q.mu.Unlock()
	if first && q.kick != nil {
		q.kick()
	}
	return false
}

// cancel removes n from the queue if it is queued.
func (q *timerQueue) cancel(n *timerNode) {
	q.mu.Lock()
	if n.idx != 0 {
		q.remove(n)
	}
	n.waker = nil
	q.mu.Unlock()
}

// next returns the earliest deadline.
func (q *timerQueue) next() (int64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.heap) == 0 {
		return 0, false
	}
	return q.heap[0].when, true
}

// len returns the number of queued timers.
func (q *timerQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.heap)
}

// fire fires every timer whose deadline is at or before now, in order, and
// reports how many fired.
func (q *timerQueue) fire(now int64) int {
	q.mu.Lock()
	if len(q.heap) == 0 || q.heap[0].when > now {
		q.mu.Unlock()
		return 0
	}
	ws := q.wakes[:0]
	for len(q.heap) > 0 && q.heap[0].when <= now {
		n := q.heap[0]
		q.remove(n)
		n.fired = true
		if n.waker != nil {
			ws = append(ws, n.waker)
			n.waker = nil
		}
	}
	q.wakes = nil // the slice is ours until we give it back
	q.mu.Unlock()
	for i, w := range ws {
		w.Wake()
		ws[i] = nil
	}
	q.mu.Lock()
	if q.wakes == nil {
		q.wakes = ws[:0]
	}
	q.mu.Unlock()
	return len(ws)
}

// advance sets the virtual clock to t if t is later.
func (q *timerQueue) advance(t int64) {
	if t > q.vnow.Load() {
		q.vnow.Store(t)
	}
}

func (q *timerQueue) less(i, j int) bool {
	a, b := q.heap[i], q.heap[j]
	return a.when < b.when || a.when == b.when && a.seq < b.seq
}

func (q *timerQueue) swap(i, j int) {
	h := q.heap
	h[i], h[j] = h[j], h[i]
	h[i].idx = i + 1
	h[j].idx = j + 1
}

func (q *timerQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.swap(i, p)
		i = p
	}
}

func (q *timerQueue) down(i int) {
	n := len(q.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			return
		}
		q.swap(i, m)
		i = m
	}
}

// remove takes the queued node n out of the heap.
func (q *timerQueue) remove(n *timerNode) {
	i := n.idx - 1
	last := len(q.heap) - 1
	if i != last {
		q.swap(i, last)
	}
	q.heap[last] = nil
	q.heap = q.heap[:last]
	q.count.Add(-1)
	n.idx = 0
	if i != last {
		q.down(i)
		q.up(i)
	}
}

// fallbackTimer is the timer of a sleep polled outside any executor: one
// time.Timer.
type fallbackTimer struct {
	mu       sync.Mutex
	deadline time.Time
	t        *time.Timer
	fired    bool
	w        Waker
}

func (ft *fallbackTimer) poll(w Waker) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if ft.fired {
		return true
	}
	d := time.Until(ft.deadline)
	if d <= 0 {
		ft.fired = true
		return true
	}
	ft.w = w
	if ft.t == nil {
		ft.t = time.AfterFunc(d, ft.fire)
	}
	return false
}

func (ft *fallbackTimer) fire() {
	ft.mu.Lock()
	ft.fired = true
	w := ft.w
	ft.w = nil
	ft.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (ft *fallbackTimer) stop() {
	ft.mu.Lock()
	if ft.t != nil {
		ft.t.Stop()
	}
	ft.w = nil
	ft.mu.Unlock()
}

// A SleepFuture is ready once its duration has elapsed on the clock of the
// executor that polls it. Its timer node lives inside it, so waiting
// allocates nothing beyond the future itself on an executor; polled outside
// one (under BlockOn) it uses a time.Timer. Its duration is measured from
// its first poll.
type SleepFuture struct {
	d      time.Duration
	abs    time.Time
	hasAbs bool
	done   bool
	when   int64
	node   timerNode
	fb     *fallbackTimer
}

// Sleep returns a future that is ready d after its first poll.
func Sleep(d time.Duration) *SleepFuture { return &SleepFuture{d: d} }

// SleepUntil returns a future that is ready at t on the executor's clock.
func SleepUntil(t time.Time) *SleepFuture { return &SleepFuture{abs: t, hasAbs: true} }

// Poll reports whether the sleep is over.
func (s *SleepFuture) Poll(cx *Context) (struct{}, bool) {
	if s.done {
		return struct{}{}, true
	}
	w := cx.Waker()
	if q := timersOf(w); q != nil {
		if s.node.q != q {
			if s.node.q != nil {
				s.node.q.cancel(&s.node)
				s.node.fired = false
			}
			s.node.q = q
			if s.hasAbs {
				s.when = q.at(s.abs)
			} else {
				s.when = q.now() + int64(s.d)
			}
		}
		if q.wait(&s.node, s.when, w) {
			s.done = true
			return struct{}{}, true
		}
		return struct{}{}, false
	}
	if s.fb == nil {
		dl := s.abs
		if !s.hasAbs {
			dl = time.Now().Add(s.d)
		}
		s.fb = &fallbackTimer{deadline: dl}
	}
	if s.fb.poll(w) {
		s.done = true
		return struct{}{}, true
	}
	return struct{}{}, false
}

// Cancel removes the sleep's timer.
func (s *SleepFuture) Cancel() {
	if s.node.q != nil {
		s.node.q.cancel(&s.node)
	}
	if s.fb != nil {
		s.fb.stop()
	}
}

// A TimeoutFuture runs a future with a deadline; see [Timeout].
type TimeoutFuture[T any] struct {
	f     Future[T]
	sleep SleepFuture
	done  bool
}

// Timeout returns a future of f's value that fails with ErrTimeout, after
// canceling f, if f is not ready within d of the first poll.
func Timeout[T any](f Future[T], d time.Duration) *TimeoutFuture[T] {
	return &TimeoutFuture[T]{f: f, sleep: SleepFuture{d: d}}
}

// Deadline is Timeout with an absolute deadline on the executor's clock.
func Deadline[T any](f Future[T], t time.Time) *TimeoutFuture[T] {
	return &TimeoutFuture[T]{f: f, sleep: SleepFuture{abs: t, hasAbs: true}}
}

// Poll polls the future, then the deadline.
func (t *TimeoutFuture[T]) Poll(cx *Context) (Result[T], bool) {
	if t.done {
		panic("asyncgen: Timeout polled after completion")
	}
	if v, ok := t.f.Poll(cx); ok {
		t.done = true
		t.sleep.Cancel()
		return Ok(v), true
	}
	if _, ok := t.sleep.Poll(cx); ok {
		t.done = true
		Cancel(t.f)
		return Err[T](ErrTimeout), true
	}
	return Result[T]{}, false
}

// Cancel cancels the future and its timer.
func (t *TimeoutFuture[T]) Cancel() {
	if !t.done {
		t.done = true
		Cancel(t.f)
		t.sleep.Cancel()
	}
}

// nowFuture is the future of Now.
type nowFuture struct{}

func (nowFuture) Poll(cx *Context) (time.Time, bool) {
	if q := timersOf(cx.Waker()); q != nil {
		return q.nowTime(), true
	}
	return time.Now(), true
}

// Now returns a future, ready at once, of the current time on the clock of
// the executor that polls it (virtual time on a virtual-time Local), or of
// time.Now outside an executor. In a body: runtime.Await(runtime.Now()).
func Now() Future[time.Time] { return nowFuture{} }

// A YieldFuture is pending once, waking its task at once; see [YieldNow].
type YieldFuture struct{ yielded bool }

// Init sets f up to yield once and returns it (a machine stores the
// future inline and sets it up with Init instead of calling YieldNow).
func (f *YieldFuture) Init() *YieldFuture {
	f.yielded = false
	return f
}

// Poll is pending the first time, after waking the task, and ready after.
func (f *YieldFuture) Poll(cx *Context) (struct{}, bool) {
	if f.yielded {
		return struct{}{}, true
	}
	f.yielded = true
	cx.Waker().Wake()
	return struct{}{}, false
}

// YieldNow returns a future that is pending once, waking its task at once: it
// lets the executor run the other tasks that are ready first.
func YieldNow() *YieldFuture { return &YieldFuture{} }

// clockNow returns the time on the clock of the executor polling with cx.
func clockNow(cx *Context) time.Time {
	if q := timersOf(cx.Waker()); q != nil {
		return q.nowTime()
	}
	return time.Now()
}

// A Ticker is a stream that yields the executor's time every period; see
// [Tick].
type Ticker struct {
	period  time.Duration
	next    time.Time
	started bool
	closed  bool
	sleep   SleepFuture
}

// Tick returns a stream that yields at every period after its first poll,
// on the executor's clock, until it is closed. Ticks are scheduled on a
// fixed grid, so they do not drift; a consumer that falls behind gets the
// missed ticks one after another.
func Tick(period time.Duration) *Ticker {
	if period <= 0 {
		panic("asyncgen: non-positive Tick period")
	}
	return &Ticker{period: period}
}

// PollNext waits for the next tick.
func (t *Ticker) PollNext(cx *Context) (time.Time, Status) {
	if t.closed {
		return time.Time{}, Done
	}
	if !t.started {
		t.started = true
		t.next = clockNow(cx).Add(t.period)
		t.sleep = SleepFuture{abs: t.next, hasAbs: true}
	}
	if _, ok := t.sleep.Poll(cx); !ok {
		return time.Time{}, Pending
	}
	at := t.next
	t.next = t.next.Add(t.period)
	t.sleep.Cancel()
	t.sleep = SleepFuture{abs: t.next, hasAbs: true}
	return at, Yielded
}

// Close stops the ticker.
func (t *Ticker) Close() {
	t.closed = true
	t.sleep.Cancel()
}
