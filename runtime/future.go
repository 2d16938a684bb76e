package runtime

// This file holds the simplest futures: adapters from functions and
// values.

// PollFunc adapts a poll function to a Future.
type PollFunc[T any] func(cx *Context) (T, bool)

// Poll calls f.
func (f PollFunc[T]) Poll(cx *Context) (T, bool) { return f(cx) }

// readyFuture is the future of Ready.
type readyFuture[T any] struct{ v T }

func (r readyFuture[T]) Poll(*Context) (T, bool) { return r.v, true }

// Ready returns a future that is ready at once with v.
func Ready[T any](v T) Future[T] { return readyFuture[T]{v} }

// pendingFuture is the future of Never.
type pendingFuture[T any] struct{}

func (pendingFuture[T]) Poll(*Context) (T, bool) {
	var zero T
	return zero, false
}

// Never returns a future that is never ready (and never wakes).
func Never[T any]() Future[T] { return pendingFuture[T]{} }
