package runtime

// This file holds the bridges to the standard library's context package:
// a context's end as a future, a future bounded by a context, a task
// canceled by a context, and a context that lives as long as a future.
//
// A context.Context is an event from outside the executor: its
// cancellation, and its deadline, which runs on the real clock, reach a
// task as a wake from another goroutine. On a Local executor with virtual
// time the two clocks are separate: a context's deadline neither moves the
// virtual clock nor is moved by it, and a task waiting on a context
// deadline alone stalls the executor until that much real time has passed.
// A deadline that belongs to the simulation is a Timeout or Deadline, which
// run on the executor's clock. For the same reason a context canceled by
// one task reaches another through a goroutine (context.AfterFunc's), not
// at once: on virtual time the clock may move on before it arrives. Inside
// a simulation, stop tasks with Cancel (or a combinator that cancels, such
// as Select or TryJoinAll), which is synchronous.

import (
	"context"
	"sync"
)

// A ContextDoneFuture is ready when a context is done; see [ContextDone].
type ContextDoneFuture struct {
	ctx  context.Context
	mu   sync.Mutex
	w    Waker
	stop func() bool
	done bool
}

// ContextDone returns a future that is ready, with context.Cause(ctx), once
// ctx is done. A context that can never be done (its Done channel is nil)
// gives a future that is never ready.
func ContextDone(ctx context.Context) *ContextDoneFuture { return &ContextDoneFuture{ctx: ctx} }

// Poll reports whether the context is done. The first pending poll
// registers a callback with context.AfterFunc that wakes the latest waker.
func (f *ContextDoneFuture) Poll(cx *Context) (error, bool) {
	if f.done || f.ctx.Err() != nil {
		f.done = true
		f.release()
		return context.Cause(f.ctx), true
	}
	if f.ctx.Done() == nil {
		return nil, false
	}
	f.mu.Lock()
	f.w = cx.Waker()
	registered := f.stop != nil
	f.mu.Unlock()
	if !registered {
		stop := context.AfterFunc(f.ctx, f.wake)
		f.mu.Lock()
		f.stop = stop
		f.mu.Unlock()
	}
	return nil, false
}

func (f *ContextDoneFuture) wake() {
	f.mu.Lock()
	w := f.w
	f.w = nil
	f.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// release drops the callback and the waker.
func (f *ContextDoneFuture) release() {
	f.mu.Lock()
	stop := f.stop
	f.stop, f.w = nil, nil
	f.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Cancel unregisters the callback.
func (f *ContextDoneFuture) Cancel() { f.release() }

// untilDone is the future of UntilDone and TryUntilDone.
type untilDone[T any] struct {
	f    Future[Result[T]]
	done ContextDoneFuture
	fin  bool
}

// UntilDone returns a future of f's value that fails with
// context.Cause(ctx), after canceling f, if ctx is done first. f is polled
// first, so a value that is ready wins over a context that is done.
func UntilDone[T any](ctx context.Context, f Future[T]) Future[Result[T]] {
	return &untilDone[T]{f: Map(f, Ok[T]), done: ContextDoneFuture{ctx: ctx}}
}

// TryUntilDone is UntilDone for a future of a Result: its error is f's
// error or the context's cause, never a nested Result.
func TryUntilDone[T any](ctx context.Context, f Future[Result[T]]) Future[Result[T]] {
	return &untilDone[T]{f: f, done: ContextDoneFuture{ctx: ctx}}
}

func (u *untilDone[T]) Poll(cx *Context) (Result[T], bool) {
	if u.fin {
		panic("asyncgen: UntilDone polled after completion")
	}
	if r, ok := u.f.Poll(cx); ok {
		u.fin = true
		u.done.release()
		return r, true
	}
	if err, ok := u.done.Poll(cx); ok {
		u.fin = true
		Cancel(u.f)
		return Err[T](err), true
	}
	return Result[T]{}, false
}

func (u *untilDone[T]) Cancel() {
	if !u.fin {
		u.fin = true
		Cancel(u.f)
		u.done.release()
	}
}

// ctxTask is the future SpawnContext runs: f, releasing the context
// callback when f finishes or panics.
type ctxTask[T any] struct {
	f    Future[T]
	stop func() bool
}

func (c *ctxTask[T]) Poll(cx *Context) (v T, ok bool) {
	finished := true // until f returns: a panic finishes the task too
	defer func() {
		if finished {
			c.stop()
		}
	}()
	v, ok = c.f.Poll(cx)
	finished = ok
	return v, ok
}

func (c *ctxTask[T]) Cancel() {
	c.stop()
	Cancel(c.f)
}

// SpawnContext is Spawn for a task that ctx cancels: once ctx is done the
// task is canceled as by its handle's Cancel (unless it finished first),
// so its outcome is ErrCanceled. The registration with ctx is released
// when the task finishes.
func SpawnContext[T any](ex Executor, ctx context.Context, f Future[T]) *Task[T] {
	c := &ctxTask[T]{f: f, stop: func() bool { return false }}
	if ctx.Done() == nil {
		return Spawn(ex, f)
	}
	var mu sync.Mutex
	var h *Task[T]
	mu.Lock()
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		t := h
		mu.Unlock()
		t.Cancel()
	})
	c.stop = stop
	h = Spawn(ex, Future[T](c))
	mu.Unlock()
	return h
}

// withContext is the future of WithContext.
type withContext[T any] struct {
	parent context.Context
	mk     func(context.Context) Future[T]
	f      Future[T]
	cancel context.CancelCauseFunc
	fin    bool
}

// WithContext returns a future of the future mk makes, at the first poll,
// with a context derived from parent. The context is canceled when that
// future finishes (with cause context.Canceled), panics, or is canceled
// (with cause ErrCanceled): spawned, it is the context of its task. It is
// how a body hands a context to code that takes one: mk passes it on, to a
// BlockingContext say.
func WithContext[T any](parent context.Context, mk func(ctx context.Context) Future[T]) Future[T] {
	return &withContext[T]{parent: parent, mk: mk}
}

func (w *withContext[T]) Poll(cx *Context) (v T, ok bool) {
	if w.fin {
		panic("asyncgen: WithContext polled after completion")
	}
	if w.f == nil {
		ctx, cancel := context.WithCancelCause(w.parent)
		w.cancel = cancel
		w.f = w.mk(ctx)
		w.mk = nil
	}
	finished := true // until f returns: a panic finishes it too
	defer func() {
		if finished {
			w.fin = true
			w.cancel(nil)
		}
	}()
	v, ok = w.f.Poll(cx)
	finished = ok
	return v, ok
}

func (w *withContext[T]) Cancel() {
	if w.fin {
		return
	}
	w.fin = true
	if w.f != nil {
		w.cancel(ErrCanceled)
		Cancel(w.f)
	}
}
