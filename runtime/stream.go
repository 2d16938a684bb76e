package runtime

// This file holds the stream (AsyncIterator) sources and combinators:
// FromSlice, FromSeq, FromIterator, Once, FuseStream, MapStream, Filter, Take, Merge
// and Collect.

import "iter"

// sliceStream is the stream of FromSlice.
type sliceStream[T any] struct{ s []T }

// FromSlice returns a stream of s's elements.
func FromSlice[T any](s []T) AsyncIterator[T] { return &sliceStream[T]{s} }

func (s *sliceStream[T]) PollNext(*Context) (T, Status) {
	if len(s.s) == 0 {
		var zero T
		return zero, Done
	}
	v := s.s[0]
	s.s = s.s[1:]
	return v, Yielded
}

func (s *sliceStream[T]) Close() { s.s = nil }

// iterStream is the stream of FromIterator.
type iterStream[T any] struct {
	it   Iterator[T]
	done bool
}

// FromIterator returns a stream of it's items; closing the stream closes
// it.
func FromIterator[T any](it Iterator[T]) AsyncIterator[T] { return &iterStream[T]{it: it} }

func (s *iterStream[T]) PollNext(*Context) (T, Status) {
	if !s.done {
		if v, ok := s.it.Next(); ok {
			return v, Yielded
		}
		s.done = true
	}
	var zero T
	return zero, Done
}

func (s *iterStream[T]) Close() {
	s.done = true
	s.it.Close()
}

// pullIter adapts iter.Pull to an Iterator.
type pullIter[T any] struct {
	next func() (T, bool)
	stop func()
}

func (p *pullIter[T]) Next() (T, bool) { return p.next() }
func (p *pullIter[T]) Close()          { p.stop() }

// FromSeq returns a stream of seq's items, pulled through iter.Pull on the
// first PollNext. Close the stream (or drain it) to release the pull.
func FromSeq[T any](seq iter.Seq[T]) AsyncIterator[T] {
	return &seqStream[T]{seq: seq}
}

// seqStream is the stream of FromSeq.
type seqStream[T any] struct {
	seq  iter.Seq[T]
	it   *iterStream[T]
	done bool
}

func (s *seqStream[T]) PollNext(cx *Context) (T, Status) {
	if s.done {
		var zero T
		return zero, Done
	}
	if s.it == nil {
		next, stop := iter.Pull(s.seq)
		s.it = &iterStream[T]{it: &pullIter[T]{next, stop}}
	}
	v, st := s.it.PollNext(cx)
	if st == Done {
		s.Close()
	}
	return v, st
}

func (s *seqStream[T]) Close() {
	s.done = true
	if s.it != nil {
		s.it.Close()
	}
}

// onceStream is the stream of Once.
type onceStream[T any] struct {
	f    Future[T]
	done bool
}

// Once returns a stream of one item: f's value.
func Once[T any](f Future[T]) AsyncIterator[T] { return &onceStream[T]{f: f} }

func (s *onceStream[T]) PollNext(cx *Context) (T, Status) {
	if s.done {
		var zero T
		return zero, Done
	}
	v, ok := s.f.Poll(cx)
	if !ok {
		return v, Pending
	}
	s.done = true
	s.f = nil
	return v, Yielded
}

func (s *onceStream[T]) Close() {
	if !s.done {
		s.done = true
		Cancel(s.f)
		s.f = nil
	}
}

// fuseStream is the stream of FuseStream.
type fuseStream[T any] struct {
	s    AsyncIterator[T]
	done bool
}

// FuseStream returns a stream of s's items that, once s is Done (or the fused
// stream closed), reports Done without polling s again.
func FuseStream[T any](s AsyncIterator[T]) AsyncIterator[T] { return &fuseStream[T]{s: s} }

func (f *fuseStream[T]) PollNext(cx *Context) (T, Status) {
	if f.done {
		var zero T
		return zero, Done
	}
	v, st := f.s.PollNext(cx)
	if st == Done {
		f.done = true
	}
	return v, st
}

func (f *fuseStream[T]) Close() {
	if !f.done {
		f.done = true
		f.s.Close()
	}
}

// mapStream is the stream of MapStream.
type mapStream[T, U any] struct {
	s  AsyncIterator[T]
	fn func(T) U
}

// MapStream returns a stream of fn applied to s's items.
func MapStream[T, U any](s AsyncIterator[T], fn func(T) U) AsyncIterator[U] {
	return &mapStream[T, U]{s, fn}
}

func (m *mapStream[T, U]) PollNext(cx *Context) (U, Status) {
	v, st := m.s.PollNext(cx)
	if st != Yielded {
		var zero U
		return zero, st
	}
	return m.fn(v), Yielded
}

func (m *mapStream[T, U]) Close() { m.s.Close() }

// filterStream is the stream of Filter.
type filterStream[T any] struct {
	s    AsyncIterator[T]
	keep func(T) bool
}

// Filter returns a stream of s's items for which keep is true.
func Filter[T any](s AsyncIterator[T], keep func(T) bool) AsyncIterator[T] {
	return &filterStream[T]{s, keep}
}

func (f *filterStream[T]) PollNext(cx *Context) (T, Status) {
	for {
		v, st := f.s.PollNext(cx)
		if st != Yielded || f.keep(v) {
			return v, st
		}
	}
}

func (f *filterStream[T]) Close() { f.s.Close() }

// takeStream is the stream of Take.
type takeStream[T any] struct {
	s    AsyncIterator[T]
	left int
}

// Take returns a stream of s's first n items. After n items it is Done
// without polling s further; it leaves s where it was (closing the Take
// closes s).
func Take[T any](s AsyncIterator[T], n int) AsyncIterator[T] { return &takeStream[T]{s, n} }

func (t *takeStream[T]) PollNext(cx *Context) (T, Status) {
	if t.left <= 0 {
		var zero T
		return zero, Done
	}
	v, st := t.s.PollNext(cx)
	switch st {
	case Yielded:
		t.left--
	case Done:
		t.left = 0
	}
	return v, st
}

func (t *takeStream[T]) Close() {
	t.left = 0
	t.s.Close()
}

// mergeStream is the stream of Merge.
type mergeStream[T any] struct {
	ss     []AsyncIterator[T]
	left   int
	ws     *wakeSet
	turn   ring[int] // sources to poll, in order
	inTurn []bool
	closed bool
}

// Merge returns a stream of the items of all of ss, as they come. It is
// fair: sources that have items are served in rotation, one item each, so
// none starves another. It is fused: a source that is Done is never polled
// again. Each source has its own waker, and wakes are recorded while the
// consumer is busy elsewhere, so a PollNext polls only sources that can
// progress. Closing the merged stream closes every unfinished source.
func Merge[T any](ss ...AsyncIterator[T]) AsyncIterator[T] {
	return &mergeStream[T]{ss: ss, left: len(ss), inTurn: make([]bool, len(ss))}
}

func (m *mergeStream[T]) PollNext(cx *Context) (T, Status) {
	var zero T
	if m.closed || m.left == 0 {
		return zero, Done
	}
	if m.ws == nil {
		m.ws = newWakeSet(len(m.ss))
	}
	for {
		for _, i := range m.ws.take(cx.Waker()) {
			if !m.inTurn[i] && m.ss[i] != nil {
				m.inTurn[i] = true
				m.turn.pushBack(i)
			}
		}
		i, ok := m.turn.popFront()
		if !ok {
			return zero, Pending
		}
		m.inTurn[i] = false
		s := m.ss[i]
		if s == nil {
			continue
		}
		v, st := s.PollNext(&m.ws.cxs[i])
		switch st {
		case Yielded:
			m.inTurn[i] = true
			m.turn.pushBack(i)
			return v, Yielded
		case Done:
			m.ss[i] = nil
			m.left--
			if m.left == 0 {
				return zero, Done
			}
		}
	}
}

func (m *mergeStream[T]) Close() {
	if m.closed {
		return
	}
	m.closed = true
	for i, s := range m.ss {
		if s != nil {
			m.ss[i] = nil
			s.Close()
		}
	}
}

// collectFuture is the future of Collect.
type collectFuture[T any] struct {
	s   AsyncIterator[T]
	out []T
}

// Collect returns a future of all of s's items.
func Collect[T any](s AsyncIterator[T]) Future[[]T] { return &collectFuture[T]{s: s} }

func (c *collectFuture[T]) Poll(cx *Context) ([]T, bool) {
	for {
		v, st := c.s.PollNext(cx)
		switch st {
		case Yielded:
			c.out = append(c.out, v)
		case Done:
			return c.out, true
		default:
			return nil, false
		}
	}
}

func (c *collectFuture[T]) Cancel() { c.s.Close() }
