package runtime

// This file holds Chan, the asynchronous channel: bounded (including
// unbuffered) or unbounded, many senders and many receivers, with waiting
// senders and receivers queued first in, first out inside their futures.

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Errors of the non-waiting channel operations.
var (
	// ErrFull is returned by TrySend when the channel's buffer is full.
	ErrFull = errors.New("asyncgen: channel full")
	// ErrEmpty is returned by TryRecv when no value is ready.
	ErrEmpty = errors.New("asyncgen: channel empty")
)

// Chan is an asynchronous channel of T values. Send waits while the buffer
// is full; Recv waits while it is empty. After Close, sends fail with
// ErrClosed and receivers drain the buffer, then get ErrClosed. Values are
// received in the order they were sent, waiting senders and receivers are
// served in the order they started waiting, and a canceled receive never
// loses a value handed to it.
//
// A channel made by [NewLocalChan] belongs to one [Local] executor and
// takes no lock; see there.
type Chan[T any] struct {
	// Invariants (under mu): receivers wait only while the buffer is
	// empty; senders wait only while it is full. Every mu.Lock is skipped
	// when owner is set.
	mu    sync.Mutex
	owner *Local // set: used only on owner's Run goroutine; mu is not used
	// The fast path of an unbuffered channel that is no Local's
	// (chanfast.go): while gate is open (0), one waiter may wait in slot,
	// outside the lists, and an operation that finds it there completes
	// with it without the lock.
	slot   atomic.Pointer[wnode[T]]
	gate   atomic.Uint32
	buf    ring[T]
	size   int // -1: unbounded
	closed bool
	sendq  wlist[T]
	recvq  wlist[T]
}

// NewChan returns a channel with a buffer of size values, as make(chan T,
// size) does: size 0 makes an unbuffered channel, where a send completes
// when a receiver takes the value, and a negative size panics. A channel
// whose sends never wait is NewUnbounded's.
func NewChan[T any](size int) *Chan[T] {
	if size < 0 {
		panic("asyncgen: negative channel size")
	}
	return &Chan[T]{size: size}
}

// NewUnbounded returns a channel whose sends never wait.
func NewUnbounded[T any]() *Chan[T] { return &Chan[T]{size: -1} }

// NewLocalChan returns a channel of l's tasks only, with a buffer of size
// values, sized as NewChan's (0: unbuffered; negative: a panic). It takes
// no lock: every operation on it — polling its futures and streams,
// TrySend, TryRecv, Close, Len — must run on the goroutine that runs l, in
// practice inside the polls of l's tasks, or on any one goroutine while l
// is not running. A send or receive that completes the operation of a
// waiting task of l queues it on l without a lock or an atomic
// instruction, so two tasks of l exchanging values through local channels
// synchronise nothing. Polled by a task of another executor, its futures
// panic; other misuse is a data race, which the race detector reports.
func NewLocalChan[T any](l *Local, size int) *Chan[T] {
	if size < 0 {
		panic("asyncgen: negative channel size")
	}
	return &Chan[T]{owner: l, size: size}
}

// NewLocalUnbounded returns a channel of l's tasks only (as NewLocalChan's)
// whose sends never wait.
func NewLocalUnbounded[T any](l *Local) *Chan[T] { return &Chan[T]{owner: l, size: -1} }

// checkOwner panics if c belongs to a Local and cx is the context of a task
// of another executor.
func (c *Chan[T]) checkOwner(cx *Context) {
	if c.owner == nil || cx == nil {
		return
	}
	if t := pollingTask(cx); t != nil {
		if l, ok := t.ex.(*Local); ok && l == c.owner {
			return
		}
		panic("asyncgen: local channel used by a task of another executor")
	}
}

// Len returns the number of buffered values.
func (c *Chan[T]) Len() int {
	c.lock()
	defer c.unlock()
	return c.buf.len()
}

// Cap returns the buffer size, or -1 for an unbounded channel.
func (c *Chan[T]) Cap() int { return c.size }

// Close closes the channel: waiting senders fail with ErrClosed, and
// waiting receivers get ErrClosed (the buffer is empty when they wait).
// Closing twice is harmless.
func (c *Chan[T]) Close() {
	c.lock()
	defer c.unlock()
	c.closed = true
	c.recvq.wakeAll(wClosed)
	c.sendq.wakeAll(wClosed)
}

// trySend delivers v without waiting; c.mu is held.
func (c *Chan[T]) trySend(v T, cx *Context) bool {
	if r := c.recvq.head; r != nil {
		r.v = v
		c.recvq.pop(wNotified, cx)
		return true
	}
	if c.size < 0 || c.buf.len() < c.size {
		c.buf.pushBack(v)
		return true
	}
	return false
}

// tryRecv takes a value without waiting; c.mu is held.
func (c *Chan[T]) tryRecv(cx *Context) (T, bool) {
	if v, ok := c.buf.popFront(); ok {
		if s := c.sendq.head; s != nil {
			c.buf.pushBack(s.v)
			var zero T
			s.v = zero
			c.sendq.pop(wNotified, cx)
		}
		return v, true
	}
	if s := c.sendq.head; s != nil {
		v := s.v
		var zero T
		s.v = zero
		c.sendq.pop(wNotified, cx)
		return v, true
	}
	var zero T
	return zero, false
}

// TrySend sends v if that needs no waiting. It returns nil, ErrFull or
// ErrClosed.
func (c *Chan[T]) TrySend(v T) error {
	c.lock()
	defer c.unlock()
	if c.closed {
		return ErrClosed
	}
	if c.trySend(v, nil) {
		return nil
	}
	return ErrFull
}

// TryRecv receives a value if one is ready. Its error is nil, ErrEmpty or
// ErrClosed.
func (c *Chan[T]) TryRecv() (T, error) {
	c.lock()
	defer c.unlock()
	if v, ok := c.tryRecv(nil); ok {
		return v, nil
	}
	var zero T
	if c.closed {
		return zero, ErrClosed
	}
	return zero, ErrEmpty
}

// Send returns a future that sends v, ready with nil once the value is in
// the channel (or taken by a receiver), or with ErrClosed. Canceled while
// waiting, it withdraws v.
func (c *Chan[T]) Send(v T) *SendFuture[T] {
	f := &SendFuture[T]{c: c}
	f.w.v = v
	f.w.send = true
	return f
}

// A SendFuture sends a value; see [Chan.Send].
type SendFuture[T any] struct {
	c    *Chan[T]
	w    wnode[T]
	done bool
}

// settled returns the outcome of a send whose waiter is in state s: done
// when a receiver took the value (nil) or the channel closed (ErrClosed).
func (f *SendFuture[T]) settled(s uint32) (error, bool) {
	switch s {
	case wNotified:
		f.done = true
		return nil, true
	case wClosed:
		f.done = true
		return ErrClosed, true
	}
	return nil, false
}

// Poll sends the value or waits for room.
func (f *SendFuture[T]) Poll(cx *Context) (error, bool) {
	if f.done {
		panic("asyncgen: Send polled after completion")
	}
	c := f.c
	c.checkOwner(cx)
	// A receiver that took the value (or Close) has settled the node: no
	// lock is needed to see it.
	if err, ok := f.settled(f.w.settled()); ok {
		return err, true
	}
	if c.hasFast() {
		switch c.pollFast(&f.w, cx) {
		case fastWaiting:
			return nil, false
		case fastDone:
			f.done = true
			return nil, true
		case fastSettled:
			return f.settled(f.w.settled())
		}
	}
	c.lock()
	defer c.unlock()
	if err, ok := f.settled(f.w.state); ok {
		return err, true
	}
	if f.w.state == wQueued {
		f.w.waker = cx.Waker()
		return nil, false
	}
	if c.closed {
		f.done = true
		return ErrClosed, true
	}
	if c.trySend(f.w.v, cx) {
		var zero T
		f.w.v = zero
		f.done = true
		return nil, true
	}
	c.sendq.push(&f.w, cx.Waker())
	return nil, false
}

// Cancel withdraws a waiting send.
func (f *SendFuture[T]) Cancel() {
	if f.done {
		return
	}
	f.done = true
	c := f.c
	if c.hasFast() && !c.unpark(&f.w) {
		return // settled: the value was taken, or the channel closed
	}
	c.lock()
	defer c.unlock()
	if f.w.state == wQueued {
		c.sendq.remove(&f.w)
		f.w.state = wIdle
	}
}

// Recv returns a future of the next value, or of ErrClosed once the
// channel is closed and drained.
func (c *Chan[T]) Recv() *RecvFuture[T] { return &RecvFuture[T]{c: c} }

// A RecvFuture receives a value; see [Chan.Recv].
type RecvFuture[T any] struct {
	c    *Chan[T]
	w    wnode[T]
	done bool
}

// Poll receives a value or waits for one.
func (f *RecvFuture[T]) Poll(cx *Context) (Result[T], bool) {
	if f.done {
		panic("asyncgen: Recv polled after completion")
	}
	v, st := f.c.pollRecv(&f.w, cx)
	switch st {
	case Yielded:
		f.done = true
		return Ok(v), true
	case Done:
		f.done = true
		return Err[T](ErrClosed), true
	}
	return Result[T]{}, false
}

// Cancel withdraws a waiting receive. A value handed to it but not yet
// observed goes to the next receiver, or back to the front of the buffer.
func (f *RecvFuture[T]) Cancel() {
	if !f.done {
		f.done = true
		f.c.cancelRecv(&f.w)
	}
}

// pollRecv is the receive step shared by RecvFuture and ChanStream. The
// node is reusable: it is idle again after Yielded.
func (c *Chan[T]) pollRecv(w *wnode[T], cx *Context) (T, Status) {
	var zero T
	c.checkOwner(cx)
	// A sender that handed a value (or Close) has settled the node: no lock
	// is needed to take it.
	if v, st, ok := w.take(w.settled()); ok {
		return v, st
	}
	if c.hasFast() {
		switch c.pollFast(w, cx) {
		case fastWaiting:
			return zero, Pending
		case fastDone:
			v := w.v
			w.v = zero
			return v, Yielded
		case fastSettled:
			v, st, _ := w.take(w.settled())
			return v, st
		}
	}
	c.lock()
	defer c.unlock()
	if v, st, ok := w.take(w.state); ok {
		return v, st
	}
	if w.state == wQueued {
		w.waker = cx.Waker()
		return zero, Pending
	}
	if v, ok := c.tryRecv(cx); ok {
		return v, Yielded
	}
	if c.closed {
		w.state = wClosed
		return zero, Done
	}
	c.recvq.push(w, cx.Waker())
	return zero, Pending
}

// cancelRecv withdraws the receive node w, passing on a value handed to it.
func (c *Chan[T]) cancelRecv(w *wnode[T]) {
	if c.hasFast() {
		c.unpark(w) // now idle, listed, or settled
	}
	c.lock()
	defer c.unlock()
	switch w.state {
	case wQueued:
		c.recvq.remove(w)
	case wNotified:
		v := w.v
		var zero T
		w.v = zero
		if r := c.recvq.head; r != nil {
			r.v = v
			c.recvq.pop(wNotified, nil)
		} else {
			c.buf.pushFront(v)
		}
	}
	w.state = wIdle
}

// Stream returns a receiver of the channel's values as an AsyncIterator:
// it yields each value and is Done once the channel is closed and drained.
// Several streams (and Recv futures) may receive from one channel; each
// value goes to one of them. Closing the stream withdraws it from the
// channel without closing the channel.
func (c *Chan[T]) Stream() *ChanStream[T] { return &ChanStream[T]{c: c} }

// A ChanStream receives a channel's values; see [Chan.Stream].
type ChanStream[T any] struct {
	c      *Chan[T]
	w      wnode[T]
	closed bool
}

// PollNext receives the next value.
func (s *ChanStream[T]) PollNext(cx *Context) (T, Status) {
	if s.closed {
		var zero T
		return zero, Done
	}
	v, st := s.c.pollRecv(&s.w, cx)
	if st == Done {
		s.closed = true
	}
	return v, st
}

// Close withdraws the stream from the channel.
func (s *ChanStream[T]) Close() {
	if !s.closed {
		s.closed = true
		s.c.cancelRecv(&s.w)
	}
}
