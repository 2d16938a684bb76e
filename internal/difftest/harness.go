package difftest

// helpersSrc is written, with PKG replaced, as helpers.go of each generated
// package: what the bodies use.
const helpersSrc = `package PKG

import (
	"errors"
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

// Log records effects in order.
type Log struct{ Items []string }

func (l *Log) Add(s string) { l.Items = append(l.Items, s) }

func lg(l *Log, name string, vs ...any) { l.Add(name + "=" + fmt.Sprint(vs...)) }

func tick(l *Log, name string, v int) int {
	l.Add(name)
	return v
}

func add3(a, b, c int) int { return a + b + c }

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

type pair struct{ A, B int }

func (p pair) sum() int { return p.A + p.B }

// pend is pending n times, waking its task each time, before it gives v.
type pend[T any] struct {
	v T
	n int
}

func (p *pend[T]) Poll(cx *runtime.Context) (T, bool) {
	if p.n > 0 {
		p.n--
		cx.Waker().Wake()
		var zero T
		return zero, false
	}
	return p.v, true
}

// P is a future of v, pending n times.
func P[T any](n int, v T) runtime.Future[T] { return &pend[T]{v: v, n: n} }

// PR is a future of a Result, pending n times, failing when fail.
func PR(n int, v int, fail bool) runtime.Future[runtime.Result[int]] {
	r := runtime.Result[int]{Value: v}
	if fail {
		r.Err = errors.New("failed")
	}
	return &pend[runtime.Result[int]]{v: r, n: n}
}
`

// driveSrc is written as drive_test.go of each generated package.
const driveSrc = `package PKG

import (
	"fmt"
	"iter"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

type countWaker struct{ n atomic.Int64 }

func (w *countWaker) Wake() { w.n.Add(1) }

// outcome is what running a body gives: its result or panic, and its log.
type outcome[T any] struct {
	V     T
	Panic string
	Log   []string
}

func run[T any](l *Log, f func() T) (o outcome[T]) {
	defer func() {
		if p := recover(); p != nil {
			o.Panic = fmt.Sprint(p)
		}
		o.Log = l.Items
	}()
	o.V = f()
	return o
}

// drive polls f like a strict executor: again only after a wake. With
// spurious, it polls once more after every pending poll.
func drive[T any](f runtime.Future[T], spurious bool) T {
	w := &countWaker{}
	cx := runtime.NewContext(w)
	for i := 0; ; i++ {
		before := w.n.Load()
		v, ok := f.Poll(cx)
		if ok {
			return v
		}
		if w.n.Load() == before {
			panic(fmt.Sprintf("poll %d returned pending without arranging a wake", i))
		}
		if spurious {
			if v, ok := f.Poll(cx); ok {
				return v
			}
		}
		if i > 1_000_000 {
			panic("future never completes")
		}
	}
}

func sameAsync(t *testing.T, direct func(*Log) int, machine func(*Log) runtime.Future[int]) {
	t.Helper()
	var l0, l1, l2 Log
	want := run(&l0, func() int { return direct(&l0) })
	got := run(&l1, func() int { return drive(machine(&l1), false) })
	got2 := run(&l2, func() int { return drive(machine(&l2), true) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DIFF strict driver:\nmachine %+v\ndirect  %+v", got, want)
	}
	if !reflect.DeepEqual(got2, want) {
		t.Errorf("DIFF spurious driver:\nmachine %+v\ndirect  %+v", got2, want)
	}
}

// pushTake ranges over seq and breaks after k items (k < 0: all).
func pushTake(seq iter.Seq[int], k int) (items []int) {
	if k == 0 {
		return nil
	}
	for v := range seq {
		items = append(items, v)
		if len(items) == k {
			break
		}
	}
	return items
}

// pullTake calls Next k times (k < 0: until false), then Close.
func pullTake(it runtime.Iterator[int], k int) (items []int) {
	for k < 0 || len(items) < k {
		v, ok := it.Next()
		if !ok {
			break
		}
		items = append(items, v)
	}
	it.Close()
	return items
}

// streamTake polls s like a strict executor (with spurious, once more
// after every pending poll) until it has k items (k < 0: until Done), then
// closes it.
func streamTake(s runtime.AsyncIterator[int], k int, spurious bool) (items []int) {
	defer s.Close()
	w := &countWaker{}
	cx := runtime.NewContext(w)
	for i := 0; k < 0 || len(items) < k; i++ {
		before := w.n.Load()
		v, st := s.PollNext(cx)
		switch st {
		case runtime.Yielded:
			items = append(items, v)
			continue
		case runtime.Done:
			return items
		}
		if w.n.Load() == before {
			panic(fmt.Sprintf("poll %d returned pending without arranging a wake", i))
		}
		if spurious {
			if v, st := s.PollNext(cx); st == runtime.Yielded {
				items = append(items, v)
			} else if st == runtime.Done {
				return items
			}
		}
		if i > 1_000_000 {
			panic("stream never finishes")
		}
	}
	return items
}

func sameStream(t *testing.T, direct func(*Log) iter.Seq[int], machine func(*Log) runtime.AsyncIterator[int]) {
	t.Helper()
	for _, k := range []int{-1, 0, 1, 2, 3, 5} {
		var l0, l1, l2 Log
		want := run(&l0, func() []int { return pushTake(direct(&l0), k) })
		got := run(&l1, func() []int { return streamTake(machine(&l1), k, false) })
		got2 := run(&l2, func() []int { return streamTake(machine(&l2), k, true) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DIFF strict driver, Close after %d items:\nmachine %+v\ndirect  %+v", k, got, want)
		}
		if !reflect.DeepEqual(got2, want) {
			t.Errorf("DIFF spurious driver, Close after %d items:\nmachine %+v\ndirect  %+v", k, got2, want)
		}
	}
}

func sameGen(t *testing.T, direct func(*Log) iter.Seq[int], machine func(*Log) interface {
	runtime.Iterator[int]
	All() iter.Seq[int]
}) {
	t.Helper()
	for _, k := range []int{-1, 0, 1, 2, 3, 5} {
		var l0, l1, l2 Log
		want := run(&l0, func() []int { return pushTake(direct(&l0), k) })
		got := run(&l1, func() []int { return pullTake(machine(&l1), k) })
		got2 := run(&l2, func() []int { return pushTake(machine(&l2).All(), k) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DIFF Next then Close after %d items:\nmachine %+v\ndirect  %+v", k, got, want)
		}
		if !reflect.DeepEqual(got2, want) {
			t.Errorf("DIFF All, break after %d items:\nmachine %+v\ndirect  %+v", k, got2, want)
		}
	}
}
`

const asyncTestSrc = `package PKG

import (
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

func Test_NAME(t *testing.T) {
	sameAsync(t, func(l *Log) int { return NAME(l) }, func(l *Log) runtime.Future[int] { return CTOR(l) })
}
`

const genTestSrc = `package PKG

import (
	"iter"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

var _ runtime.Iterator[int]

func Test_NAME(t *testing.T) {
	sameGen(t, func(l *Log) iter.Seq[int] { return func(y func(int) bool) { NAME(l, y) } },
		func(l *Log) interface {
			runtime.Iterator[int]
			All() iter.Seq[int]
		} {
			return CTOR(l)
		})
}
`

const streamTestSrc = `package PKG

import (
	"iter"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

func Test_NAME(t *testing.T) {
	sameStream(t, func(l *Log) iter.Seq[int] { return func(y func(int) bool) { NAME(l, y) } },
		func(l *Log) runtime.AsyncIterator[int] { return CTOR(l) })
}
`
