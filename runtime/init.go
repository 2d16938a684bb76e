package runtime

// This file holds the Init methods that set up a future in place. A pinned
// machine (or any long-lived struct) that stores a future by value and
// initialises it with Init waits without allocating: the waiter node lives
// in the future, inside the machine.

import "time"

// mustIdle panics if the waiter w is queued.
func mustIdle[V any](w *wnode[V], what string) {
	if w.state == wQueued || w.state == wParked {
		panic("asyncgen: Init of a waiting " + what)
	}
}

// Init sets f up to send v on c and returns f. f must not be waiting.
func (f *SendFuture[T]) Init(c *Chan[T], v T) *SendFuture[T] {
	mustIdle(&f.w, "SendFuture")
	*f = SendFuture[T]{c: c}
	f.w.v = v
	f.w.send = true
	return f
}

// Init sets f up to receive from c and returns f. f must not be waiting.
func (f *RecvFuture[T]) Init(c *Chan[T]) *RecvFuture[T] {
	mustIdle(&f.w, "RecvFuture")
	*f = RecvFuture[T]{c: c}
	return f
}

// Init sets f up to lock m and returns f. f must not be waiting.
func (f *LockFuture) Init(m *Mutex) *LockFuture {
	mustIdle(&f.w, "LockFuture")
	*f = LockFuture{m: m}
	return f
}

// Init sets f up to acquire n permits of s and returns f. f must not be
// waiting.
func (f *AcquireFuture) Init(s *Semaphore, n int) *AcquireFuture {
	mustIdle(&f.w, "AcquireFuture")
	*f = AcquireFuture{s: s, w: waiter{n: n}}
	return f
}

// Init sets f up to wait for n and returns f. f must not be waiting.
func (f *NotifiedFuture) Init(n *Notify) *NotifiedFuture {
	mustIdle(&f.w, "NotifiedFuture")
	*f = NotifiedFuture{n: n}
	return f
}

// Init sets f up to wait for e and returns f. f must not be waiting.
func (f *EventWait) Init(e *Event) *EventWait {
	mustIdle(&f.w, "EventWait")
	*f = EventWait{e: e}
	return f
}

// Init sets f up to wait for g and returns f. f must not be waiting.
func (f *GroupWait) Init(g *Group) *GroupWait {
	mustIdle(&f.w, "GroupWait")
	*f = GroupWait{g: g}
	return f
}

// Init sets s up to sleep for d from its next poll and returns s. A queued
// timer is canceled first.
func (s *SleepFuture) Init(d time.Duration) *SleepFuture {
	s.Cancel()
	*s = SleepFuture{d: d}
	return s
}

// InitUntil sets s up to sleep until t on the executor's clock and returns
// s. A queued timer is canceled first.
func (s *SleepFuture) InitUntil(t time.Time) *SleepFuture {
	s.Cancel()
	*s = SleepFuture{abs: t, hasAbs: true}
	return s
}
