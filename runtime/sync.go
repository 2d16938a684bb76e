package runtime

// This file holds the asynchronous synchronisation primitives: Mutex,
// Semaphore, Group, Notify and Event. Each is a mutex-guarded state plus a
// FIFO list of waiters stored inside the waiting futures.

import "sync"

// Semaphore is a counting semaphore. Acquirers are served first in, first
// out: a large request at the head of the queue is not overtaken by smaller
// ones. The zero value has no permits.
type Semaphore struct {
	mu      sync.Mutex
	permits int
	waiters waitList
}

// NewSemaphore returns a semaphore with n permits.
func NewSemaphore(n int) *Semaphore { return &Semaphore{permits: n} }

// Available returns the number of free permits.
func (s *Semaphore) Available() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.permits
}

// TryAcquire takes n permits if they are free and nobody is queued.
func (s *Semaphore) TryAcquire(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiters.empty() && s.permits >= n {
		s.permits -= n
		return true
	}
	return false
}

// Release returns n permits and hands them to queued acquirers in order.
func (s *Semaphore) Release(n int) {
	s.mu.Lock()
	s.permits += n
	s.grant()
	s.mu.Unlock()
}

// grant serves queued acquirers while permits last; s.mu is held.
func (s *Semaphore) grant() {
	for w := s.waiters.head; w != nil && s.permits >= w.n; w = s.waiters.head {
		s.permits -= w.n
		s.waiters.pop(wNotified, nil)
	}
}

// Acquire returns a future that is ready once n permits are taken. If it
// is canceled it leaves the queue, or gives back permits it was granted.
func (s *Semaphore) Acquire(n int) *AcquireFuture {
	return &AcquireFuture{s: s, w: waiter{n: n}}
}

// An AcquireFuture waits for semaphore permits; see [Semaphore.Acquire].
type AcquireFuture struct {
	s    *Semaphore
	w    waiter
	done bool
}

// Poll takes the permits or queues for them.
func (f *AcquireFuture) Poll(cx *Context) (struct{}, bool) {
	if f.done {
		panic("asyncgen: Acquire polled after completion")
	}
	s := f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.w.state {
	case wNotified:
		f.done = true
		return struct{}{}, true
	case wQueued:
		f.w.waker = cx.Waker()
		return struct{}{}, false
	}
	if s.waiters.empty() && s.permits >= f.w.n {
		s.permits -= f.w.n
		f.done = true
		return struct{}{}, true
	}
	s.waiters.push(&f.w, cx.Waker())
	return struct{}{}, false
}

// Cancel leaves the queue, or returns permits granted but not yet taken.
func (f *AcquireFuture) Cancel() {
	if f.done {
		return
	}
	f.done = true
	s := f.s
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.w.state {
	case wQueued:
		s.waiters.remove(&f.w)
		f.w.state = wIdle
		s.grant() // the head may have changed
	case wNotified:
		s.permits += f.w.n
		s.grant()
	}
}

// Mutex is a fair asynchronous mutual-exclusion lock: Unlock hands the lock
// to the longest waiting Lock. The zero value is unlocked. It is not tied
// to a task: any task may unlock it.
type Mutex struct {
	mu      sync.Mutex
	locked  bool
	waiters waitList
}

// Lock returns a future that is ready once the mutex is locked.
func (m *Mutex) Lock() *LockFuture { return &LockFuture{m: m} }

// TryLock locks the mutex if it is free and nobody is queued.
func (m *Mutex) TryLock() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locked {
		return false
	}
	m.locked = true
	return true
}

// Unlock unlocks the mutex, handing it to the first waiter if any. It
// panics if the mutex is not locked.
func (m *Mutex) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked {
		panic("asyncgen: unlock of unlocked Mutex")
	}
	m.unlock()
}

func (m *Mutex) unlock() {
	if m.waiters.pop(wNotified, nil) == nil {
		m.locked = false
	}
}

// A LockFuture waits for a Mutex; see [Mutex.Lock].
type LockFuture struct {
	m    *Mutex
	w    waiter
	done bool
}

// Poll locks the mutex or queues for it.
func (f *LockFuture) Poll(cx *Context) (struct{}, bool) {
	if f.done {
		panic("asyncgen: Lock polled after completion")
	}
	m := f.m
	m.mu.Lock()
	defer m.mu.Unlock()
	switch f.w.state {
	case wNotified:
		f.done = true
		return struct{}{}, true
	case wQueued:
		f.w.waker = cx.Waker()
		return struct{}{}, false
	}
	if !m.locked {
		m.locked = true
		f.done = true
		return struct{}{}, true
	}
	m.waiters.push(&f.w, cx.Waker())
	return struct{}{}, false
}

// Cancel leaves the queue, or passes on a lock handed over but not yet
// taken.
func (f *LockFuture) Cancel() {
	if f.done {
		return
	}
	f.done = true
	m := f.m
	m.mu.Lock()
	defer m.mu.Unlock()
	switch f.w.state {
	case wQueued:
		m.waiters.remove(&f.w)
		f.w.state = wIdle
	case wNotified:
		m.unlock()
	}
}

// Group waits for a collection of operations to finish, like
// sync.WaitGroup. The zero value is ready to use.
type Group struct {
	mu      sync.Mutex
	n       int
	waiters waitList
}

// Add adds delta to the counter; when it reaches zero every waiter is
// woken. It panics if the counter goes negative.
func (g *Group) Add(delta int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n += delta
	if g.n < 0 {
		panic("asyncgen: negative Group counter")
	}
	if g.n == 0 {
		g.waiters.wakeAll(wNotified)
	}
}

// Done decrements the counter.
func (g *Group) Done() { g.Add(-1) }

// Wait returns a future that is ready once the counter is zero.
func (g *Group) Wait() *GroupWait { return &GroupWait{g: g} }

// A GroupWait waits for a Group's counter to reach zero.
type GroupWait struct {
	g *Group
	w waiter
}

// Poll reports whether the counter is zero.
func (f *GroupWait) Poll(cx *Context) (struct{}, bool) {
	g := f.g
	g.mu.Lock()
	defer g.mu.Unlock()
	switch f.w.state {
	case wNotified:
		return struct{}{}, true
	case wQueued:
		f.w.waker = cx.Waker()
		return struct{}{}, false
	}
	if g.n == 0 {
		f.w.state = wNotified
		return struct{}{}, true
	}
	g.waiters.push(&f.w, cx.Waker())
	return struct{}{}, false
}

// Cancel leaves the queue.
func (f *GroupWait) Cancel() {
	g := f.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if f.w.state == wQueued {
		g.waiters.remove(&f.w)
		f.w.state = wIdle
	}
}

// Notify wakes waiting tasks. NotifyOne wakes the longest waiting one or,
// if none waits, stores a permit that the next Notified takes at once;
// NotifyAll wakes every current waiter. The zero value is ready to use.
type Notify struct {
	mu      sync.Mutex
	permit  bool
	waiters waitList
}

// Notified returns a future that is ready once the Notify is notified
// after the future's first poll (or a stored permit is taken).
func (n *Notify) Notified() *NotifiedFuture { return &NotifiedFuture{n: n} }

// NotifyOne wakes the first waiter, or stores a permit.
func (n *Notify) NotifyOne() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.waiters.pop(wNotified, nil) == nil {
		n.permit = true
	}
}

// NotifyAll wakes every waiter.
func (n *Notify) NotifyAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waiters.wakeAll(wClosed)
}

// A NotifiedFuture waits for a Notify; see [Notify.Notified].
type NotifiedFuture struct {
	n    *Notify
	w    waiter
	done bool
}

// Poll reports whether the future was notified.
func (f *NotifiedFuture) Poll(cx *Context) (struct{}, bool) {
	if f.done {
		return struct{}{}, true
	}
	n := f.n
	n.mu.Lock()
	defer n.mu.Unlock()
	switch f.w.state {
	case wNotified, wClosed:
		f.done = true
		return struct{}{}, true
	case wQueued:
		f.w.waker = cx.Waker()
		return struct{}{}, false
	}
	if n.permit {
		n.permit = false
		f.done = true
		return struct{}{}, true
	}
	n.waiters.push(&f.w, cx.Waker())
	return struct{}{}, false
}

// Cancel leaves the queue; a NotifyOne it received but did not observe is
// passed on to the next waiter (or stored), so it is not lost.
func (f *NotifiedFuture) Cancel() {
	if f.done {
		return
	}
	f.done = true
	n := f.n
	n.mu.Lock()
	defer n.mu.Unlock()
	switch f.w.state {
	case wQueued:
		n.waiters.remove(&f.w)
		f.w.state = wIdle
	case wNotified:
		if n.waiters.pop(wNotified, nil) == nil {
			n.permit = true
		}
	}
}

// Event is a latch: once Set, every Wait is ready, until Reset. The zero
// value is not set.
type Event struct {
	mu      sync.Mutex
	set     bool
	waiters waitList
}

// Set sets the event and wakes every waiter.
func (e *Event) Set() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.set = true
	e.waiters.wakeAll(wNotified)
}

// Reset clears the event.
func (e *Event) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.set = false
}

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.set
}

// Wait returns a future that is ready once the event is set.
func (e *Event) Wait() *EventWait { return &EventWait{e: e} }

// An EventWait waits for an Event.
type EventWait struct {
	e *Event
	w waiter
}

// Poll reports whether the event is (or was, since the first poll) set.
func (f *EventWait) Poll(cx *Context) (struct{}, bool) {
	e := f.e
	e.mu.Lock()
	defer e.mu.Unlock()
	switch f.w.state {
	case wNotified:
		return struct{}{}, true
	case wQueued:
		f.w.waker = cx.Waker()
		return struct{}{}, false
	}
	if e.set {
		f.w.state = wNotified
		return struct{}{}, true
	}
	e.waiters.push(&f.w, cx.Waker())
	return struct{}{}, false
}

// Cancel leaves the queue.
func (f *EventWait) Cancel() {
	e := f.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if f.w.state == wQueued {
		e.waiters.remove(&f.w)
		f.w.state = wIdle
	}
}
