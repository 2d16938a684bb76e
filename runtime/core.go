package runtime

import (
	"fmt"
	"iter"
)

// A Waker wakes the task that polled a future. Wake is safe to call from any
// goroutine, any number of times, including while the task is being polled.
type Waker interface {
	Wake()
}

// WakerFunc adapts a function to a Waker.
type WakerFunc func()

// Wake calls f.
func (f WakerFunc) Wake() { f() }

// noopWaker is the waker of a Context created without one.
type noopWaker struct{}

func (noopWaker) Wake() {}

// NoopWaker returns a waker that does nothing.
func NoopWaker() Waker { return noopWaker{} }

// A Context is passed to every Poll. It carries the waker of the task being
// polled.
type Context struct {
	waker Waker
}

// NewContext returns a context whose waker is w. A nil w is a waker that
// does nothing.
func NewContext(w Waker) *Context {
	if w == nil {
		w = noopWaker{}
	}
	return &Context{waker: w}
}

// Waker returns the waker of the task being polled.
func (cx *Context) Waker() Waker {
	if cx == nil || cx.waker == nil {
		return noopWaker{}
	}
	return cx.waker
}

// A Future is a value that becomes ready. Poll returns the value and true
// once it is ready; otherwise it returns false after arranging for
// cx.Waker().Wake() to be called when it can make progress.
type Future[T any] interface {
	Poll(cx *Context) (T, bool)
}

// An Iterator is a pull iterator. Next returns the next item and true, or
// false when there are no more. Close stops it early; closing twice or after
// the end is harmless.
type Iterator[T any] interface {
	Next() (T, bool)
	Close()
}

// An AsyncIterator is an iterator whose items become ready asynchronously.
// PollNext returns Yielded with an item, Pending after arranging a wake, or
// Done when there are no more items.
type AsyncIterator[T any] interface {
	PollNext(cx *Context) (T, Status)
	Close()
}

// Status is the outcome of AsyncIterator.PollNext.
type Status uint8

const (
	// Pending means no item is ready yet; the waker will be woken.
	Pending Status = iota
	// Yielded means an item was returned.
	Yielded
	// Done means the iterator has no more items.
	Done
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case Pending:
		return "Pending"
	case Yielded:
		return "Yielded"
	case Done:
		return "Done"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Result is the value of an operation that may fail.
type Result[T any] struct {
	Value T
	Err   error
}

// Ok returns a successful Result.
func Ok[T any](v T) Result[T] { return Result[T]{Value: v} }

// Err returns a failed Result.
func Err[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unpack returns r's value and error.
func (r Result[T]) Unpack() (T, error) { return r.Value, r.Err }

// Await is the await marker. In a body lowered by asyncgen it suspends the
// machine until f is ready. Called directly it blocks the calling goroutine
// until f is ready (it is BlockOn).
func Await[T any](f Future[T]) T {
	return BlockOn(f)
}

// TryAwait is Await for a future of a Result: it returns the result's value
// and error.
func TryAwait[T any](f Future[Result[T]]) (T, error) {
	r := BlockOn(f)
	return r.Value, r.Err
}

// ForAwait is the for-await marker: `for x := range ForAwait(s)` in a body
// lowered by asyncgen suspends the machine while s is pending. Called
// directly it returns a sequence that blocks for each item. Breaking out of
// the loop does not close s: the next loop over s continues with the next
// item.
func ForAwait[T any](s AsyncIterator[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		p := newParker()
		cx := NewContext(p)
		for {
			v, st := s.PollNext(cx)
			switch st {
			case Yielded:
				if !yield(v) {
					return
				}
			case Done:
				return
			default:
				p.park()
			}
		}
	}
}
