package runtime

// This file holds Pool, the multi-threaded work-stealing executor.

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a multi-threaded executor: a fixed set of worker goroutines, each
// with its own run queue. Spawned tasks enter a shared queue, from which
// idle workers take batches. A task woken by another task of the pool (a
// channel handing it a value, say) goes to the "next" slot of the worker
// running the waker, and that worker runs it as soon as the waker's poll
// ends: a producer and its consumer take turns on one worker, with no queue
// and no other worker involved. The slot holds one task; a task it held is
// moved to the back of the worker's queue. It is not stolen, so a worker
// runs it at most lifoBudget times in a row while other tasks wait in its
// queue or the shared one (then it queues it behind them). Woken from
// elsewhere, a task goes back to the queue of the worker that last ran it.
// A worker whose queue is empty takes from the shared queue, then steals
// half of another worker's queue, spins briefly, and parks when there is
// nothing to run anywhere. A task is polled by one worker at a time; a
// wake during its poll makes it run again.
//
// Timers are one heap per Pool, driven by one goroutine with one
// time.Timer. Once a future attaches an I/O poller ([AttachPoller]), an
// idle worker waits in it instead of parking (one at a time; the others
// park), dispatching readiness itself, and busy workers look at it
// without waiting every 64 tasks. Close stops the goroutines.
type Pool struct {
	// read-mostly fields first; the contended ones on their own cache lines
	workers  []*worker
	sem      chan struct{} // wake tokens for parked workers
	closed   atomic.Bool
	_        [64]byte
	inject   runQueue
	_        [64]byte
	sleepers atomic.Int32
	spinning atomic.Int32 // workers looking for tasks before they park
	polling  atomic.Bool  // a worker waits in (or polls) the attached poller
	_        [64]byte
	wg       sync.WaitGroup
	live     []liveSet
	tq       *timerQueue
	kick     chan struct{}
	stop     chan struct{}
	once     sync.Once
}

// runQueue is a run queue guarded by a mutex. Workers look at full before
// locking, so an empty queue costs its lookers no lock (and its pusher no
// contention).
type runQueue struct {
	mu   sync.Mutex
	q    ring[*task]
	full atomic.Bool // q is not empty; stored only when that changes
	hint bool        // the value last stored in full (under mu)
}

// sync updates full after q changed; q.mu is held.
func (q *runQueue) sync() {
	if f := q.q.len() > 0; f != q.hint {
		q.hint = f
		q.full.Store(f)
	}
}

// lifoBudget is how many tasks in a row a worker takes from its "next"
// slot while other tasks are ready.
const lifoBudget = 4

type worker struct {
	id    int
	p     *Pool
	local runQueue // locked by stealers too
	_     [64]byte // the fields below are the worker goroutine's own
	lifo  *task    // the "next" slot: runs after the current poll
	runs  uint32   // tasks taken from lifo in a row
	tick  uint32
	rnd   uint32
	cur   *task          // the task being polled
	cx    Context        // the context of every poll on w; its waker is cur
	pass  passBeforeWait // before waiting in the poller
	_     [64]byte       // keep workers' queues on separate cache lines
}

// NewPool returns a multi-threaded executor with n workers; n <= 0 means
// GOMAXPROCS.
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Pool{
		sem:  make(chan struct{}, n),
		live: make([]liveSet, n),
		tq:   newTimerQueue(time.Now(), false),
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
	}
	p.tq.kick = func() {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	for i := range n {
		p.workers = append(p.workers, &worker{id: i, p: p, rnd: uint32(i)*2654435761 + 1})
	}
	p.wg.Add(n + 1)
	for _, w := range p.workers {
		go w.loop()
	}
	go p.timerLoop()
	return p
}

// Now returns the current time.
func (p *Pool) Now() time.Time { return p.tq.nowTime() }

func (p *Pool) timers() *timerQueue { return p.tq }

func (p *Pool) submit(t *task) {
	q := &p.inject
	q.mu.Lock()
	if p.closed.Load() {
		q.mu.Unlock()
		t.kill(ErrClosed)
		return
	}
	q.q.pushBack(t)
	q.sync()
	q.mu.Unlock()
	p.signal()
}

func (p *Pool) schedule(t *task) { p.scheduleOn(t, t.worker.Load()-1) }

// scheduleOn queues t on worker i, or on the shared queue if i < 0.
func (p *Pool) scheduleOn(t *task, i int32) {
	q := &p.inject
	if i >= 0 {
		q = &p.workers[i].local
	}
	q.mu.Lock()
	q.q.pushBack(t)
	q.sync()
	q.mu.Unlock()
	p.signal()
}

// signal unparks a worker if any is parked and none is spinning (a
// spinning worker finds the task). Pushers write a queue, then read
// spinning and sleepers; a spinner decrements spinning and a parker
// increments sleepers, then each reads every queue: one of the two sees
// the other. When the only sleeper waits in the I/O poller, it is
// interrupted; otherwise a worker parked on sem is woken (the one in the
// poller keeps waiting for readiness). A worker that takes the poller
// reads the queues once more after taking it, so a pusher that saw no
// poller has a parker to wake, or is seen.
func (p *Pool) signal() {
	if p.spinning.Load() > 0 {
		return
	}
	if n := p.sleepers.Load(); n > 0 {
		if n == 1 && p.polling.Load() {
			if pl := p.tq.pollerOf(); pl != nil {
				pl.Interrupt()
				return
			}
		}
		select {
		case p.sem <- struct{}{}:
		default:
		}
	}
}

func (p *Pool) parked(t *task) {
	t.shard = uint32(t.worker.Load() - 1)
	s := &p.live[t.shard]
	s.mu.Lock()
	s.add(t)
	s.mu.Unlock()
}

func (p *Pool) finished(t *task) {
	if t.listed {
		s := &p.live[t.shard]
		s.mu.Lock()
		s.remove(t)
		s.mu.Unlock()
	}
}

func (w *worker) loop() {
	p := w.p
	defer p.wg.Done()
	for {
		if p.closed.Load() {
			return
		}
		if w.tick%64 == 0 {
			// Busy workers look at the poller now and then, so readiness
			// is not left waiting while every worker runs tasks.
			if pl := p.tq.pollerOf(); pl != nil && p.polling.CompareAndSwap(false, true) {
				pl.Wait(0)
				p.polling.Store(false)
			}
		}
		if t, claimed := w.next(); t != nil {
			w.run(t, claimed)
			continue
		}
		// Spin a little before parking: parking and unparking cost far
		// more than a few empty looks at the queues.
		if t := w.spin(); t != nil {
			w.run(t, false)
			continue
		}
		p.sleepers.Add(1)
		if t := w.find(); t != nil {
			p.sleepers.Add(-1)
			w.run(t, false)
			continue
		}
		if p.closed.Load() {
			p.sleepers.Add(-1)
			return
		}
		if pl := p.tq.pollerOf(); pl != nil && p.polling.CompareAndSwap(false, true) {
			// Wait for I/O readiness instead of a wake token: readiness
			// is dispatched by an idle worker, with no goroutine between.
			if t := w.find(); t != nil {
				p.polling.Store(false)
				p.sleepers.Add(-1)
				w.run(t, false)
				continue
			}
			w.pass.pass()
			pl.Wait(-1)
			p.polling.Store(false)
			p.sleepers.Add(-1)
			if p.sleepers.Load() > 0 {
				// Hand the poller on: a parked worker takes it while this
				// one runs what became ready.
				select {
				case p.sem <- struct{}{}:
				default:
				}
			}
			continue
		}
		<-p.sem
		p.sleepers.Add(-1)
	}
}

// run runs t on w, recording w as the worker that last ran it (storing
// only when that changes: a store is a locked instruction). claimed says t
// comes from w's "next" slot: it is marked running already, and w ran the
// task that woke it.
func (w *worker) run(t *task, claimed bool) {
	if id := int32(w.id) + 1; t.worker.Load() != id {
		t.worker.Store(id)
	}
	w.cur = t
	w.cx.waker = t.waker()
	var again bool
	if claimed {
		again = t.runClaimed(&w.cx)
	} else {
		again = t.run(&w.cx)
	}
	w.cur = nil
	if again {
		w.requeue(t)
	}
}

// requeue queues t, which was woken during its poll on w, at the back of
// w's queue. Another worker is signalled only if other tasks wait there:
// otherwise w runs t once its next slot is empty.
func (w *worker) requeue(t *task) {
	q := &w.local
	q.mu.Lock()
	others := q.q.len() > 0
	q.q.pushBack(t)
	q.sync()
	q.mu.Unlock()
	if others {
		w.p.signal()
	}
}

// wakeNext puts t, claimed by a wake from w.cur's poll on w's goroutine, in
// w's "next" slot. No other worker is signalled: w runs t as soon as the
// poll ends. A task the slot held goes to the back of w's queue, where
// others may steal it (it is marked running; run polls it as any other).
func (w *worker) wakeNext(t *task) {
	old := w.lifo
	w.lifo = t
	if old != nil {
		w.p.scheduleOn(old, int32(w.id))
	}
}

// next returns the task w runs next: the one in its "next" slot, unless it
// has taken lifoBudget in a row and other tasks are ready (its queue, or
// the shared queue when its turn comes), in which case the slot's task
// goes to the back of w's queue; otherwise one that find finds. claimed
// reports a task from the slot, for runClaimed.
func (w *worker) next() (t *task, claimed bool) {
	w.tick++
	if t := w.lifo; t != nil {
		w.lifo = nil
		if w.runs < lifoBudget || !w.local.full.Load() && (w.tick%61 != 0 || !w.p.inject.full.Load()) {
			w.runs++
			return t, true
		}
		w.p.scheduleOn(t, int32(w.id))
	}
	w.runs = 0
	return w.find(), false
}

// spin looks for work a few times, yielding the processor in between,
// counted in spinning so that pushers need not wake another worker. The
// last spinner to find a task wakes one if tasks are left in the queues
// (a pusher may have counted on it for them); one that finds none looks
// again after it stops counting (see signal).
func (w *worker) spin() *task {
	p := w.p
	p.spinning.Add(1)
	for range 8 {
		runtime.Gosched()
		if t := w.find(); t != nil {
			if p.spinning.Add(-1) == 0 && p.queued() {
				p.signal()
			}
			return t
		}
	}
	p.spinning.Add(-1)
	return nil
}

// queued reports whether a run queue looks non-empty.
func (p *Pool) queued() bool {
	if p.inject.full.Load() {
		return true
	}
	for _, w := range p.workers {
		if w.local.full.Load() {
			return true
		}
	}
	return false
}

// find returns a task to run: from the worker's queue (but from the shared
// queue one time in 61, so it is never starved), the shared queue, or
// another worker's queue.
func (w *worker) find() *task {
	if w.tick%61 == 0 {
		if t := w.takeShared(); t != nil {
			return t
		}
	}
	if t := w.local.pop(); t != nil {
		return t
	}
	if t := w.takeShared(); t != nil {
		return t
	}
	n := len(w.p.workers)
	w.rnd ^= w.rnd << 13
	w.rnd ^= w.rnd >> 17
	w.rnd ^= w.rnd << 5
	start := int(w.rnd % uint32(n))
	for k := range n {
		v := w.p.workers[(start+k)%n]
		if v != w {
			if t := w.stealFrom(v); t != nil {
				return t
			}
		}
	}
	return nil
}

// takeShared moves a batch of the shared queue (its fair share, at most
// 32) to w's queue and returns one of its tasks.
func (w *worker) takeShared() *task {
	q := &w.p.inject
	if !q.full.Load() {
		return nil
	}
	q.mu.Lock()
	n := q.q.len()/len(w.p.workers) + 1
	if n > 32 {
		n = 32
	}
	var buf [32]*task
	k := 0
	for k < n {
		t, ok := q.q.popFront()
		if !ok {
			break
		}
		buf[k] = t
		k++
	}
	q.sync()
	q.mu.Unlock()
	if k == 0 {
		return nil
	}
	if k > 1 {
		w.local.mu.Lock()
		for _, t := range buf[1:k] {
			w.local.q.pushBack(t)
		}
		w.local.sync()
		w.local.mu.Unlock()
	}
	return buf[0]
}

func (q *runQueue) pop() *task {
	if !q.full.Load() {
		return nil
	}
	q.mu.Lock()
	t, _ := q.q.popFront()
	q.sync()
	q.mu.Unlock()
	return t
}

// stealFrom moves half of v's queue to w's and returns one of its tasks.
func (w *worker) stealFrom(v *worker) *task {
	if !v.local.full.Load() {
		return nil
	}
	v.local.mu.Lock()
	n := (v.local.q.len() + 1) / 2
	if n == 0 {
		v.local.mu.Unlock()
		return nil
	}
	var buf [32]*task
	if n > len(buf) {
		n = len(buf)
	}
	for i := range n {
		buf[i], _ = v.local.q.popFront()
	}
	v.local.sync()
	v.local.mu.Unlock()
	if n > 1 {
		w.local.mu.Lock()
		for _, t := range buf[1:n] {
			w.local.q.pushBack(t)
		}
		w.local.sync()
		w.local.mu.Unlock()
	}
	return buf[0]
}

func (p *Pool) queues() []*runQueue {
	var qs []*runQueue
	for _, w := range p.workers {
		qs = append(qs, &w.local)
	}
	return qs
}

// timerLoop drives the pool's timer heap with one time.Timer.
func (p *Pool) timerLoop() {
	defer p.wg.Done()
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	for {
		p.tq.fire(p.tq.now())
		if when, ok := p.tq.next(); ok {
			tm.Reset(time.Duration(when - p.tq.now()))
		} else {
			tm.Stop()
		}
		select {
		case <-tm.C:
		case <-p.kick:
		case <-p.stop:
			return
		}
	}
}

// Close stops the workers and the timer goroutine, waiting for them to
// exit (a task being polled finishes its poll), then cancels every
// unfinished task: its future's Cancel runs on the calling goroutine and
// its handle reports ErrClosed. Close must not be called from a task.
func (p *Pool) Close() {
	p.once.Do(func() {
		// Spawns check closed under their queue's lock: after this, none
		// can slip a task into a queue unnoticed.
		p.inject.mu.Lock()
		p.closed.Store(true)
		p.inject.mu.Unlock()
		close(p.stop)
		if pl := p.tq.pollerOf(); pl != nil {
			pl.Interrupt()
		}
		for range p.workers {
			select {
			case p.sem <- struct{}{}:
			default:
			}
		}
		p.wg.Wait()
		var ts []*task
		for _, w := range p.workers {
			if w.lifo != nil {
				ts = append(ts, w.lifo)
				w.lifo = nil
			}
		}
		for _, q := range append([]*runQueue{&p.inject}, p.queues()...) {
			q.mu.Lock()
			for {
				t, ok := q.q.popFront()
				if !ok {
					break
				}
				ts = append(ts, t)
			}
			q.mu.Unlock()
		}
		for i := range p.live {
			s := &p.live[i]
			s.mu.Lock()
			ts = append(ts, s.drain()...)
			s.mu.Unlock()
		}
		killAll(ts, ErrClosed)
	})
}
