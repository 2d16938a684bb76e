package runtime

// This file holds the hook through which an executor waits for I/O: a
// Poller, attached to the executor by the first future that needs one.

import (
	"sync/atomic"
	"time"
)

// A Poller is a source of I/O readiness an executor can wait in when it
// has nothing to run (package runtime/anet provides one over the
// operating system's poller). Readiness wakes the wakers of the futures
// that wait for it.
type Poller interface {
	// Wait waits for readiness events for at most timeout (indefinitely if
	// timeout is negative; without blocking if it is zero), wakes the
	// wakers of what became ready, and returns. It returns early once
	// Interrupt is called. Wait is called by one goroutine at a time.
	Wait(timeout time.Duration)
	// Interrupt makes a Wait in progress, or else the next one, return at
	// once. It is safe from any goroutine.
	Interrupt()
}

// pollerBox holds an executor's poller.
type pollerBox struct{ p Poller }

// pollerSlot is the poller field of a timer queue (the one structure every
// executor and every derived waker can reach).
type pollerSlot = atomic.Pointer[pollerBox]

// AttachPoller returns the poller of the executor whose task polls with
// cx, attaching the poller mk returns if the executor has none yet. From
// then on the executor waits in that poller when idle: a Local on its Run
// goroutine, its timers bounding the wait; a Pool on an idle worker.
// It returns nil when cx's waker belongs to no executor (under BlockOn, or
// a foreign waker), or when mk returns nil; the caller then needs a poller
// of its own that some goroutine waits in.
func AttachPoller(cx *Context, mk func() Poller) Poller {
	q := timersOf(cx.Waker())
	if q == nil {
		return nil
	}
	if b := q.poller.Load(); b != nil {
		return b.p
	}
	p := mk()
	if p == nil {
		return nil
	}
	if !q.poller.CompareAndSwap(nil, &pollerBox{p}) {
		return q.poller.Load().p // another task attached one first
	}
	if q.kick != nil {
		q.kick() // a Pool's timer goroutine starts waiting in p
	}
	return p
}

// pollerOf returns the poller attached to q, or nil.
func (q *timerQueue) pollerOf() Poller {
	if b := q.poller.Load(); b != nil {
		return b.p
	}
	return nil
}

// pollTimeout converts a deadline on q's clock (ok false: none) to a
// Poller.Wait timeout.
func (q *timerQueue) pollTimeout(when int64, ok bool) time.Duration {
	if !ok {
		return -1
	}
	d := time.Duration(when - q.now())
	if d < 0 {
		d = 0
	}
	return d
}
