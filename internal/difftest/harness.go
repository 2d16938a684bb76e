package difftest

// helpersSrc is written, with PKG replaced, as helpers.go of each generated
// package: what the bodies use.
const helpersSrc = `package PKG

import (
	"errors"
	"fmt"
	"iter"

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

// Iterators that loops of the bodies range over. Each logs when it
// returns (or unwinds), so where a loop leaves it shows in the log.

// seq yields 0..n-1.
func seq(l *Log, name string, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer l.Add(name + " returns")
		for i := range n {
			if !yield(i) {
				l.Add(name + " stopped")
				return
			}
		}
	}
}

// seq2 yields (i, 10*i) for i in 0..n-1.
func seq2(l *Log, name string, n int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer l.Add(name + " returns")
		for i := range n {
			if !yield(i, 10*i) {
				l.Add(name + " stopped")
				return
			}
		}
	}
}

// seq0 calls yield n times with no values.
func seq0(l *Log, name string, n int) func(func() bool) {
	return func(yield func() bool) {
		defer l.Add(name + " returns")
		for range n {
			if !yield() {
				l.Add(name + " stopped")
				return
			}
		}
	}
}

// panicSeq panics itself before yielding at.
func panicSeq(l *Log, name string, n, at int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer l.Add(name + " returns")
		for i := range n {
			if i == at {
				panic(name + " panics")
			}
			if !yield(i) {
				return
			}
		}
	}
}

// recoverSeq recovers in a deferred call; with repanic it panics again
// with what it recovered (wrapped), otherwise it returns normally, which
// after a loop body's panic is Go's runtime error.
func recoverSeq(l *Log, name string, n int, repanic bool) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() {
			r := recover()
			l.Add(fmt.Sprint(name, " recovered ", r))
			if r != nil && repanic {
				panic(fmt.Sprint(name, "(", r, ")"))
			}
		}()
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// swallowSeq recovers a loop body's panic around each yield and goes on
// yielding, which Go's runtime checks report.
func swallowSeq(l *Log, name string, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer l.Add(name + " returns")
		for i := range n {
			func() {
				defer func() {
					if r := recover(); r != nil {
						l.Add(fmt.Sprint(name, " swallowed ", r))
					}
				}()
				yield(i)
			}()
		}
	}
}

// badSeq ignores yield's false and goes on yielding.
func badSeq(l *Log, name string, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer l.Add(name + " returns")
		for i := range n {
			yield(i)
		}
	}
}

// keeper keeps the yield of its iterator, to call it after the loop was
// left.
type keeper struct{ yield func(int) bool }

func (k *keeper) seq(l *Log, name string, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer l.Add(name + " returns")
		k.yield = yield
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// again calls the kept yield.
func (k *keeper) again(l *Log) {
	if k.yield != nil {
		l.Add(fmt.Sprint("again ", k.yield(99)))
	}
}

// countGen is a generated iterator (count.All() is ranged over): it yields
// 0..n-1, panicking before at.
//
//asyncgen:gen Count
func countGen(l *Log, name string, n, at int, yield func(int) bool) {
	defer l.Add(name + " returns")
	for i := range n {
		if i == at {
			panic(name + " panics")
		}
		if !yield(i) {
			l.Add(name + " stopped")
			return
		}
	}
}

// gauge is a future with an Init method unrelated to its constructor: a
// machine awaiting newGauge(...) must run the constructor, whose effects
// differ from Init's.
type gauge struct {
	v, n int
}

func newGauge(l *Log, n, v int) *gauge {
	l.Add(fmt.Sprint("newGauge ", n, " ", v))
	return &gauge{v: v * 2, n: n}
}

func (g *gauge) Init(l *Log, n, v int) *gauge {
	l.Add("gauge.Init")
	*g = gauge{v: v + 1000, n: 0}
	return g
}

func (g *gauge) Poll(cx *runtime.Context) (int, bool) {
	if g.n > 0 {
		g.n--
		cx.Waker().Wake()
		return 0, false
	}
	return g.v, true
}

// meter is made by a method, and has an Init of the same parameters that
// does something else.
type meter struct {
	v, n int
	done bool
}

type factory struct{ made int }

func (f *factory) meter(n, v int) *meter {
	f.made++
	return &meter{v: v + f.made, n: n}
}

func (m *meter) Init(f *factory, n, v int) *meter {
	*m = meter{v: -v, n: n}
	return m
}

func (m *meter) Poll(cx *runtime.Context) (int, bool) {
	if m.done {
		panic("meter polled after completion")
	}
	if m.n > 0 {
		m.n--
		cx.Waker().Wake()
		return 0, false
	}
	m.done = true
	return m.v, true
}

// PR is a future of a Result, pending n times, failing when fail.
func PR(n int, v int, fail bool) runtime.Future[runtime.Result[int]] {
	r := runtime.Result[int]{Value: v}
	if fail {
		r.Err = errors.New("failed")
	}
	return &pend[runtime.Result[int]]{v: r, n: n}
}
`

// driveSrc is written as drive.go of each generated package: the drivers
// that compare a body's machine with its direct form, and the table of
// cases (one NAME_case.go a body registers itself in). The drivers live in
// the package itself, and the test that runs them in an external test
// package (runSrc), so the package with its machines compiles once, not
// once more as a test variant.
const driveSrc = `package PKG

import (
	"fmt"
	"iter"
	"reflect"
	"sort"
	"sync/atomic"

	"github.com/asyncgen/asyncgen/runtime"
)

// Reporter is what a case reports to: a *testing.T.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

var cases = map[string]func(Reporter){}

func register(name string, f func(Reporter)) { cases[name] = f }

// Names lists the cases in order.
func Names() []string {
	var out []string
	for n := range cases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Run runs the case name.
func Run(name string, t Reporter) { cases[name](t) }

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

func sameAsync[T any](t Reporter, direct func(*Log) T, machine func(*Log) runtime.Future[T]) {
	t.Helper()
	var l0, l1, l2 Log
	want := run(&l0, func() T { return direct(&l0) })
	got := run(&l1, func() T { return drive(machine(&l1), false) })
	got2 := run(&l2, func() T { return drive(machine(&l2), true) })
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

func sameStream(t Reporter, direct func(*Log) iter.Seq[int], machine func(*Log) runtime.AsyncIterator[int]) {
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

func sameGen(t Reporter, direct func(*Log) iter.Seq[int], machine func(*Log) interface {
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

// runSrc is written as run_test.go of each generated package.
const runSrc = `package PKG_test

import (
	"testing"

	"example.com/t/PKG"
)

func TestBodies(t *testing.T) {
	for _, name := range PKG.Names() {
		t.Run(name, func(t *testing.T) { PKG.Run(name, t) })
	}
}
`

const genTestSrc = `package PKG

import (
	"iter"

	"github.com/asyncgen/asyncgen/runtime"
)

var _ runtime.Iterator[int]

func init() { register("NAME", test_NAME) }

func test_NAME(t Reporter) {
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

	"github.com/asyncgen/asyncgen/runtime"
)

func init() { register("NAME", test_NAME) }

func test_NAME(t Reporter) {
	sameStream(t, func(l *Log) iter.Seq[int] { return func(y func(int) bool) { NAME(l, y) } },
		func(l *Log) runtime.AsyncIterator[int] { return CTOR(l) })
}
`
