package runtime

// This file holds the future combinators: Then, Map, Join, JoinAll,
// Race, Select, First and Fuse. A combinator cancels the futures it
// drops: the losers of a race, and every unfinished child when it is
// canceled itself.

import (
	"errors"
)

// thenFuture is the future of Then.
type thenFuture[T, U any] struct {
	f  Future[T]
	fn func(T) Future[U]
	g  Future[U]
}

// Then returns a future that awaits f, then the future fn makes of f's
// value.
func Then[T, U any](f Future[T], fn func(T) Future[U]) Future[U] {
	return &thenFuture[T, U]{f: f, fn: fn}
}

func (t *thenFuture[T, U]) Poll(cx *Context) (U, bool) {
	if t.g == nil {
		v, ok := t.f.Poll(cx)
		if !ok {
			var zero U
			return zero, false
		}
		t.f = nil
		t.g = t.fn(v)
	}
	return t.g.Poll(cx)
}

func (t *thenFuture[T, U]) Cancel() {
	if t.g != nil {
		Cancel(t.g)
	} else {
		Cancel(t.f)
	}
}

// mapFuture is the future of Map.
type mapFuture[T, U any] struct {
	f  Future[T]
	fn func(T) U
}

// Map returns a future of fn applied to f's value.
func Map[T, U any](f Future[T], fn func(T) U) Future[U] {
	return &mapFuture[T, U]{f, fn}
}

func (m *mapFuture[T, U]) Poll(cx *Context) (U, bool) {
	v, ok := m.f.Poll(cx)
	if !ok {
		var zero U
		return zero, false
	}
	return m.fn(v), true
}

func (m *mapFuture[T, U]) Cancel() { Cancel(m.f) }

// Pair is the value of Join.
type Pair[A, B any] struct {
	First  A
	Second B
}

// joinFuture is the future of Join.
type joinFuture[A, B any] struct {
	a        Future[A]
	b        Future[B]
	v        Pair[A, B]
	aok, bok bool
}

// Join returns a future of both futures' values, polling them concurrently.
func Join[A, B any](a Future[A], b Future[B]) Future[Pair[A, B]] {
	return &joinFuture[A, B]{a: a, b: b}
}

func (j *joinFuture[A, B]) Poll(cx *Context) (Pair[A, B], bool) {
	if !j.aok {
		j.v.First, j.aok = j.a.Poll(cx)
	}
	if !j.bok {
		j.v.Second, j.bok = j.b.Poll(cx)
	}
	if j.aok && j.bok {
		return j.v, true
	}
	return Pair[A, B]{}, false
}

func (j *joinFuture[A, B]) Cancel() {
	if !j.aok {
		Cancel(j.a)
	}
	if !j.bok {
		Cancel(j.b)
	}
}

// joinAll is the future of JoinAll.
type joinAll[T any] struct {
	fs   []Future[T]
	out  []T
	left int
	ws   *wakeSet
}

// JoinAll returns a future of all the futures' values, in order, polling
// them concurrently. Each child has its own waker, so a wake polls only the
// child that can progress.
func JoinAll[T any](fs ...Future[T]) Future[[]T] {
	return &joinAll[T]{fs: fs, out: make([]T, len(fs)), left: len(fs)}
}

func (j *joinAll[T]) Poll(cx *Context) ([]T, bool) {
	if j.left == 0 {
		return j.out, true
	}
	if j.ws == nil {
		j.ws = newWakeSet(len(j.fs))
	}
	for _, i := range j.ws.take(cx.Waker()) {
		f := j.fs[i]
		if f == nil {
			continue
		}
		if v, ok := f.Poll(&j.ws.cxs[i]); ok {
			j.out[i] = v
			j.fs[i] = nil
			j.left--
		}
	}
	return j.out, j.left == 0
}

func (j *joinAll[T]) Cancel() {
	for i, f := range j.fs {
		if f != nil {
			j.fs[i] = nil
			Cancel(f)
		}
	}
}

// Selected is the value of Select: which future won, and its value.
type Selected[T any] struct {
	Index int
	Value T
}

// selectFuture is the future of Select, Race and First.
type selectFuture[T any] struct {
	fs   []Future[T]
	left int
	ws   *wakeSet
	keep func(int, T) bool // First: whether a value wins
	last Selected[T]
	done bool
}

// Select returns a future of the first of fs to be ready, with its index.
// The others are canceled. Children are polled in the order they were
// woken, the first poll in index order.
func Select[T any](fs ...Future[T]) Future[Selected[T]] {
	return &selectFuture[T]{fs: fs, left: len(fs)}
}

func (s *selectFuture[T]) Poll(cx *Context) (Selected[T], bool) {
	if s.done {
		panic("asyncgen: Select polled after completion")
	}
	if s.ws == nil {
		if len(s.fs) == 0 {
			panic("asyncgen: Select of no futures")
		}
		s.ws = newWakeSet(len(s.fs))
	}
	for _, i := range s.ws.take(cx.Waker()) {
		f := s.fs[i]
		if f == nil {
			continue
		}
		v, ok := f.Poll(&s.ws.cxs[i])
		if !ok {
			continue
		}
		s.fs[i] = nil
		s.left--
		s.last = Selected[T]{i, v}
		if s.keep == nil || s.keep(i, v) || s.left == 0 {
			s.done = true
			s.Cancel()
			return s.last, true
		}
	}
	return Selected[T]{}, false
}

func (s *selectFuture[T]) Cancel() {
	s.done = true
	for i, f := range s.fs {
		if f != nil {
			s.fs[i] = nil
			Cancel(f)
		}
	}
}

// Race returns a future of the value of the first of fs to be ready; the
// others are canceled.
func Race[T any](fs ...Future[T]) Future[T] {
	return Map(Select(fs...), func(s Selected[T]) T { return s.Value })
}

// firstFuture is the future of First.
type firstFuture[T any] struct {
	s    selectFuture[Result[T]]
	errs []error
}

// First returns a future of the first successful result of fs; the others
// are canceled. If every one fails, it fails with all their errors joined.
func First[T any](fs ...Future[Result[T]]) Future[Result[T]] {
	f := &firstFuture[T]{errs: make([]error, len(fs))}
	f.s = selectFuture[Result[T]]{fs: fs, left: len(fs)}
	f.s.keep = func(i int, r Result[T]) bool {
		f.errs[i] = r.Err
		return r.Err == nil
	}
	return f
}

func (f *firstFuture[T]) Poll(cx *Context) (Result[T], bool) {
	sel, ok := f.s.Poll(cx)
	if !ok {
		return Result[T]{}, false
	}
	if sel.Value.Err == nil {
		return sel.Value, true
	}
	return Err[T](errors.Join(f.errs...)), true
}

func (f *firstFuture[T]) Cancel() { f.s.Cancel() }

// fused is the future of Fuse.
type fused[T any] struct {
	f    Future[T]
	v    T
	done bool
}

// Fuse returns a future that may be polled after completion: it
// returns f's value again without polling f.
func Fuse[T any](f Future[T]) Future[T] { return &fused[T]{f: f} }

func (u *fused[T]) Poll(cx *Context) (T, bool) {
	if !u.done {
		var ok bool
		if u.v, ok = u.f.Poll(cx); !ok {
			return u.v, false
		}
		u.done = true
		u.f = nil
	}
	return u.v, true
}

func (u *fused[T]) Cancel() {
	if !u.done {
		Cancel(u.f)
	}
}
