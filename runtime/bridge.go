package runtime

// This file holds the bridges between futures and ordinary Go: blocking
// work on a goroutine as a future, a Go channel as a stream, and a stream
// consumed by a range loop.

import (
	"context"
	"iter"
	"runtime/debug"
	"sync"
)

// A BlockingFuture runs a function on its own goroutine; see [Blocking].
type BlockingFuture[T any] struct {
	fn      func() T
	mu      sync.Mutex
	started bool
	fin     bool
	v       T
	panic   *PanicError
	w       Waker
	cancel  func()
}

// Blocking returns a future of fn's result. At its first poll fn starts on
// a new goroutine, so it may block without holding up the executor. If fn
// panics, the future's Poll panics with a *PanicError carrying the value.
// Canceling the future abandons fn (which runs to its end regardless).
func Blocking[T any](fn func() T) *BlockingFuture[T] { return &BlockingFuture[T]{fn: fn} }

// BlockingContext is Blocking for a function that stops when its context
// is canceled. fn's context is derived from parent (nil means
// context.Background()), so it is canceled when parent is, and when the
// future is canceled; it is released once fn returns.
func BlockingContext[T any](parent context.Context, fn func(ctx context.Context) (T, error)) *BlockingFuture[Result[T]] {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	f := Blocking(func() Result[T] {
		defer cancel()
		v, err := fn(ctx)
		return Result[T]{v, err}
	})
	f.cancel = cancel
	return f
}

// Poll starts the function, or reports its result.
func (f *BlockingFuture[T]) Poll(cx *Context) (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fin {
		if f.panic != nil {
			panic(f.panic)
		}
		return f.v, true
	}
	f.w = cx.Waker()
	if !f.started {
		f.started = true
		go f.run()
	}
	var zero T
	return zero, false
}

func (f *BlockingFuture[T]) run() {
	var v T
	var pe *PanicError
	func() {
		defer func() {
			if p := recover(); p != nil {
				pe = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		v = f.fn()
	}()
	f.mu.Lock()
	f.v, f.panic, f.fin = v, pe, true
	w := f.w
	f.w = nil
	f.fn = nil
	f.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// Cancel abandons the function, canceling its context if it has one.
func (f *BlockingFuture[T]) Cancel() {
	f.mu.Lock()
	f.w = nil
	c := f.cancel
	f.mu.Unlock()
	if c != nil {
		c()
	}
}

// A GoChanStream is a Go channel as a stream; see [FromChan].
type GoChanStream[T any] struct {
	ch     <-chan T
	mu     sync.Mutex
	w      Waker
	has    bool // a value is in v
	v      T
	eof    bool
	pump   bool          // a pump goroutine is waiting on ch
	stop   chan struct{} // closed by Close
	closed bool
}

// FromChan returns a stream of the values received from ch, Done once ch
// is closed. A PollNext takes a ready value directly; when none is ready,
// one goroutine waits on ch for the next value (or for Close) and wakes
// the task. Close stops that goroutine; values not yet received stay in
// ch.
func FromChan[T any](ch <-chan T) *GoChanStream[T] {
	return &GoChanStream[T]{ch: ch, stop: make(chan struct{})}
}

// PollNext returns the next value received from the channel.
func (s *GoChanStream[T]) PollNext(cx *Context) (T, Status) {
	var zero T
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.has {
		v := s.v
		s.v, s.has = zero, false
		return v, Yielded
	}
	if s.eof || s.closed {
		return zero, Done
	}
	s.w = cx.Waker()
	if s.pump {
		return zero, Pending
	}
	select {
	case v, ok := <-s.ch:
		if !ok {
			s.eof = true
			return zero, Done
		}
		return v, Yielded
	default:
	}
	s.pump = true
	go s.wait()
	return zero, Pending
}

// wait receives one value (or the end) for the stream.
func (s *GoChanStream[T]) wait() {
	select {
	case v, ok := <-s.ch:
		s.mu.Lock()
		s.pump = false
		if ok {
			s.v, s.has = v, true
		} else {
			s.eof = true
		}
		w := s.w
		s.w = nil
		s.mu.Unlock()
		if w != nil {
			w.Wake()
		}
	case <-s.stop:
	}
}

// Close stops the stream. A value its goroutine received before Close is
// dropped.
func (s *GoChanStream[T]) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
}

// Values returns a sequence that blocks the ranging goroutine for each of
// s's items, like ForAwait, and closes s when the loop ends (by break or
// by s being Done). It consumes a stream from ordinary Go code.
func Values[T any](s AsyncIterator[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		defer s.Close()
		for v := range ForAwait(s) {
			if !yield(v) {
				return
			}
		}
	}
}
