package runtime

// This file holds the intrusive waiter list shared by the synchronisation
// primitives and channels. A waiter lives inside the future that waits, so
// waiting allocates nothing; the primitive links it into its FIFO list.
// Every list operation runs under the owning primitive's mutex, and
// primitives wake waiters while holding it (a Waker must not block).
//
// A waiter's state is written under that mutex, but pop, which takes a
// waiter off its list on behalf of another task, stores it as its last
// write to the node, atomically unless the wake hands the waiting task to
// the goroutine that stores it (see wakeSettle): a waiter that loads
// wNotified or wClosed atomically owns its node again and may read it
// without the mutex (see wnode.settled).

import "sync/atomic"

// Waiter states.
const (
	wIdle     uint32 = iota // not queued
	wQueued                 // in a list, waiting
	wNotified               // taken off the list by the primitive: proceed
	wClosed                 // taken off the list because the primitive closed
)

// wnode is a list node stored inside a waiting future; v carries a value
// to or from the waiter (channels).
type wnode[V any] struct {
	prev, next *wnode[V]
	waker      Waker
	state      uint32 // see wakeSettle and settled
	send       bool   // a channel's sender (set before it first waits; see chanfast.go)
	n          int    // what the waiter wants (permits)
	v          V
}

// wlist is a FIFO list of waiters.
type wlist[V any] struct {
	head, tail *wnode[V]
	n          int
}

// waiter and waitList are the value-less forms.
type (
	waiter   = wnode[struct{}]
	waitList = wlist[struct{}]
)

func (l *wlist[V]) empty() bool { return l.head == nil }

// push queues w, which waits with waker.
func (l *wlist[V]) push(w *wnode[V], waker Waker) {
	w.waker = waker
	w.state = wQueued
	l.link(w)
}

// link queues w, which has its waker and state already (a node moved
// from a channel's slot).
func (l *wlist[V]) link(w *wnode[V]) {
	w.next = nil
	w.prev = l.tail
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.n++
}

// linkFront is link at the front of the list.
func (l *wlist[V]) linkFront(w *wnode[V]) {
	w.prev = nil
	w.next = l.head
	if l.head != nil {
		l.head.prev = w
	} else {
		l.tail = w
	}
	l.head = w
	l.n++
}

// remove unlinks the queued w.
func (l *wlist[V]) remove(w *wnode[V]) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next = nil, nil
	l.n--
}

// pop unlinks the first waiter, marks it st and wakes it on behalf of the
// task polled with cx (nil outside a poll). It leaves the node's waker in
// place: only the node's owner writes it (the owner of a node moved from
// a channel's slot may be reading it, see chanfast.go).
func (l *wlist[V]) pop(st uint32, cx *Context) *wnode[V] {
	w := l.head
	if w == nil {
		return nil
	}
	l.remove(w)
	wakeSettle(cx, w.waker, &w.state, st)
	return w
}

// take returns what a receiving waiter in state s was handed — a value
// (Yielded; the node is idle again) or Close (Done) — and false when it
// was handed nothing.
func (w *wnode[V]) take(s uint32) (v V, st Status, ok bool) {
	switch s {
	case wNotified:
		v = w.v
		var zero V
		w.v = zero
		w.state = wIdle
		return v, Yielded, true
	case wClosed:
		return v, Done, true
	}
	return v, Pending, false
}

// settled reports the state of a waiter that pop may have taken off its
// list concurrently: wNotified or wClosed (after which the node is its
// owner's alone, and its value visible), or wIdle or wQueued (which the
// owner must look at again under the mutex). Only the waiter's owner calls
// it.
func (w *wnode[V]) settled() uint32 { return atomic.LoadUint32(&w.state) }

// wakeAll pops every waiter with state st.
func (l *wlist[V]) wakeAll(st uint32) {
	for l.head != nil {
		l.pop(st, nil)
	}
}
