// Package bench holds the bodies and anchors that the benchmarks measure
// generated machines against.
package bench

import "github.com/asyncgen/asyncgen/runtime"

//go:generate go tool asyncgen

// Count yields 0..n-1.
//
//asyncgen:gen Count
func count(n int, yield func(int) bool) {
	for i := 0; i < n; i++ {
		if !yield(i) {
			return
		}
	}
}

// CountDirect is the body as a push iterator.
func CountDirect(n int) func(func(int) bool) {
	return func(yield func(int) bool) { count(n, yield) }
}

// HandCount is the hand-written pull iterator over 0..n-1: the limit.
type HandCount struct{ i, n int }

// Next returns the next number.
func (h *HandCount) Next() (int, bool) {
	if h.i >= h.n {
		return 0, false
	}
	h.i++
	return h.i - 1, true
}

// Close stops the iterator.
func (h *HandCount) Close() { h.i = h.n }

// ChanCount runs the push iterator on a goroutine and hands the items over
// a channel: the goroutine generator.
func ChanCount(n int) (<-chan int, func()) {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		count(n, func(v int) bool {
			select {
			case ch <- v:
				return true
			case <-done:
				return false
			}
		})
	}()
	return ch, func() { close(done) }
}

// Each yields the elements of xs: the most common generator, a range over a
// slice.
//
//asyncgen:gen Each
func each(xs []int, yield func(int) bool) {
	for _, x := range xs {
		if !yield(x) {
			return
		}
	}
}

// HandEach is the hand-written pull iterator over a slice.
type HandEach struct {
	xs []int
	i  int
}

// Next returns the next element.
func (h *HandEach) Next() (int, bool) {
	if h.i >= len(h.xs) {
		return 0, false
	}
	h.i++
	return h.xs[h.i-1], true
}

// Close stops the iterator.
func (h *HandEach) Close() { h.i = len(h.xs) }

// Evens yields the even elements of xs: a filter, whose skipped items
// loop in the fast path.
//
//asyncgen:gen Evens
func evens(xs []int, yield func(int) bool) {
	for _, x := range xs {
		if x%2 == 0 && !yield(x) {
			return
		}
	}
}

// HandEvens is the hand-written pull iterator over the even elements of a
// slice.
type HandEvens struct {
	xs []int
	i  int
}

// Next returns the next even element.
func (h *HandEvens) Next() (int, bool) {
	for h.i < len(h.xs) {
		x := h.xs[h.i]
		h.i++
		if x%2 == 0 {
			return x, true
		}
	}
	return 0, false
}

// Close stops the iterator.
func (h *HandEvens) Close() { h.i = len(h.xs) }

// Items yields the elements of xs as a stream: its PollNext takes the
// fast path between two items.
//
//asyncgen:stream Items
func items(xs []int, yield func(int) bool) {
	for _, x := range xs {
		if !yield(x) {
			return
		}
	}
}

// HandItems is the hand-written stream over a slice.
type HandItems struct {
	xs []int
	i  int
}

// PollNext returns the next element.
func (h *HandItems) PollNext(*runtime.Context) (int, runtime.Status) {
	if h.i >= len(h.xs) {
		return 0, runtime.Done
	}
	h.i++
	return h.xs[h.i-1], runtime.Yielded
}

// Close stops the stream.
func (h *HandItems) Close() { h.i = len(h.xs) }
