package runtime

// This file holds the lock-free path of an unbuffered Chan that belongs to
// no Local. Two tasks that hand values back and forth through such a
// channel meet one waiter at a time: one waits, the other completes with
// it. Instead of a lock for each (a lock and an unlock, two locked
// instructions), a waiter waits in the channel's slot, published with one
// compare-and-swap, and the operation that completes with it takes it out
// with another.
//
// The protocol:
//
//   - gate is open (0) while no operation holds mu and the lists and the
//     buffer are empty and the channel is open; only the holder of mu
//     changes it. An operation takes the fast path only through an open
//     gate (it checks again after parking).
//   - An operation whose node is idle finds the slot empty and parks its
//     node there (state wParked, its waker set before the CAS publishes
//     it), or takes the node in the slot with a CAS. Taking a node of the
//     other kind completes both operations: the value moves, and the node
//     is settled (wNotified) and its task woken, as a list's pop does
//     (wakeSettle). A node of the same kind, taken, is listed at the front
//     of its list under mu: it was waiting first.
//   - Under mu (lock) the gate is closed first and the node in the slot is
//     moved to its list (state wQueued): inside the locked section every
//     waiter is in a list, as the locked code expects.
//   - After a park, an operation that finds the gate closed takes its node
//     back out of the slot (a CAS) and goes to the lock; if the node is
//     gone, whoever took it settles or lists it.
//   - The owner of a parked node (polled again, canceled) takes it back
//     with a CAS; if it is gone, another goroutine holds it for the few
//     instructions between its CAS and its store of the node's next state
//     (wNotified, wClosed or wQueued), which the owner waits for
//     (waitHeld). No code of anyone else runs in between: a wake's state
//     store comes before the waker's Wake.

import (
	goruntime "runtime"
	"sync/atomic"
)

// wParked is the state of a node waiting in a channel's slot.
const wParked = wClosed + 1

// Outcomes of pollFast.
const (
	fastLocked  = iota // take the lock
	fastWaiting        // the node waits (in the slot, or held by the goroutine completing it)
	fastDone           // completed with the node that was in the slot
	fastSettled        // the node was settled while parked: read its state
)

// hasFast reports whether c has the fast path: unbuffered, and no Local's.
func (c *Chan[T]) hasFast() bool { return c.size == 0 && c.owner == nil }

// lock takes c.mu, unless c is a Local's. On a channel with the fast path
// it closes the gate and lists the node in the slot.
func (c *Chan[T]) lock() { c.lockHolding(nil) }

// lockHolding is lock for an operation that holds h, taken from the slot
// (a node of its own kind): h is listed at the front of its list.
func (c *Chan[T]) lockHolding(h *wnode[T]) {
	if c.owner != nil {
		return
	}
	c.mu.Lock()
	if c.size != 0 {
		return
	}
	if c.gate.Load() == 0 {
		c.gate.Store(1)
	}
	if h != nil {
		atomic.StoreUint32(&h.state, wQueued)
		c.listOf(h).linkFront(h)
	}
	if c.slot.Load() != nil {
		if w := c.slot.Swap(nil); w != nil {
			atomic.StoreUint32(&w.state, wQueued)
			c.listOf(w).link(w)
		}
	}
}

// unlock opens the gate again when nothing waits in a list, nothing is
// buffered and c is open, and releases c.mu.
func (c *Chan[T]) unlock() {
	if c.owner != nil {
		return
	}
	if c.size == 0 {
		var g uint32
		if c.closed || c.sendq.n+c.recvq.n+c.buf.len() > 0 {
			g = 1
		}
		if c.gate.Load() != g {
			c.gate.Store(g)
		}
	}
	c.mu.Unlock()
}

// listOf returns the list a node waits in.
func (c *Chan[T]) listOf(w *wnode[T]) *wlist[T] {
	if w.send {
		return &c.sendq
	}
	return &c.recvq
}

// pollFast polls the send or receive of node w (w.send tells which) on
// the fast path. A send's value is in w.v; a completed receive leaves its
// value there.
func (c *Chan[T]) pollFast(w *wnode[T], cx *Context) int {
	switch atomic.LoadUint32(&w.state) {
	case wParked:
		if sameWaker(w.waker, cx.Waker()) {
			return fastWaiting
		}
		// Polled with another waker: take the node back to set it.
		if !c.slot.CompareAndSwap(w, nil) {
			if waitHeld(&w.state) == wQueued {
				return fastLocked // listed: its waker is set under the lock
			}
			return fastSettled
		}
		atomic.StoreUint32(&w.state, wIdle)
	case wIdle:
	default:
		return fastLocked
	}
	if c.gate.Load() != 0 {
		return fastLocked
	}
	if p := c.slot.Load(); p != nil {
		if !c.slot.CompareAndSwap(p, nil) {
			return fastLocked
		}
		if p.send == w.send {
			c.lockHolding(p)
			c.unlock()
			return fastLocked
		}
		var zero T
		if w.send {
			p.v, w.v = w.v, zero
		} else {
			w.v, p.v = p.v, zero
		}
		wakeSettle(cx, p.waker, &p.state, wNotified)
		return fastDone
	}
	w.waker = cx.Waker()
	w.state = wParked // published by the CAS
	if !c.slot.CompareAndSwap(nil, w) {
		w.state = wIdle
		return fastLocked
	}
	if c.gate.Load() != 0 && c.slot.CompareAndSwap(w, nil) {
		atomic.StoreUint32(&w.state, wIdle)
		return fastLocked
	}
	return fastWaiting
}

// unpark takes the owner's node w out of the slot for a cancel. It
// reports false when w was settled there (the operation happened, or the
// channel closed) and true when w is idle or in a list (the caller
// removes it under the lock).
func (c *Chan[T]) unpark(w *wnode[T]) bool {
	if atomic.LoadUint32(&w.state) != wParked {
		return true
	}
	if c.slot.CompareAndSwap(w, nil) {
		atomic.StoreUint32(&w.state, wIdle)
		return true
	}
	return waitHeld(&w.state) == wQueued
}

// waitHeld waits while another goroutine holds a node taken from the slot
// and returns the state it stores.
func waitHeld(state *uint32) uint32 {
	for i := 0; ; i++ {
		if s := atomic.LoadUint32(state); s != wParked {
			return s
		}
		if i >= 64 {
			goruntime.Gosched()
		}
	}
}

// sameWaker reports whether a and b are the same task's or combinator
// child's waker (other wakers are compared as different: a waker need not
// be comparable).
func sameWaker(a, b Waker) bool {
	switch x := a.(type) {
	case *taskWaker:
		y, ok := b.(*taskWaker)
		return ok && x == y
	case *subWaker:
		y, ok := b.(*subWaker)
		return ok && x == y
	}
	return false
}
