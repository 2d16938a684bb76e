package conformance

import (
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// pushTake ranges over the direct form of a body and breaks after k items
// (k < 0: all of them).
func pushTake[T any](seq iter.Seq[T], k int) (items []T) {
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
func pullTake[T any](it runtime.Iterator[T], k int) (items []T) {
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

// sameGen compares, for every k, the items and effects of the machine
// closed after k items with the direct form broken out of after k items.
func sameGen[T any](t *testing.T, ks []int, direct func(*Log) iter.Seq[T], machine func(*Log) runtime.Iterator[T]) {
	t.Helper()
	for _, k := range ks {
		var l0, l1 Log
		want := pushTake(direct(&l0), k)
		got := pullTake(machine(&l1), k)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("k=%d: items %v, direct %v", k, got, want)
		}
		if !reflect.DeepEqual(l1.Items, l0.Items) {
			t.Errorf("k=%d: effects differ:\nmachine %q\ndirect  %q", k, l1.Items, l0.Items)
		}
	}
}

func TestFib(t *testing.T) {
	sameGen(t, []int{-1, 0, 1, 5}, func(*Log) iter.Seq[int] { return func(y func(int) bool) { fib(10, y) } },
		func(*Log) runtime.Iterator[int] { return Fib(10) })
	var got []int
	for v := range Fib(7).All() {
		got = append(got, v)
	}
	if !slices.Equal(got, []int{0, 1, 1, 2, 3, 5, 8}) {
		t.Fatal(got)
	}
}

func TestPairsGen(t *testing.T) {
	sameGen(t, []int{-1, 0, 1, 2, 3, 4}, func(l *Log) iter.Seq[string] { return func(y func(string) bool) { pairsGen(l, 3, y) } },
		func(l *Log) runtime.Iterator[string] { return Pairs(l, 3) })
}

func TestPermutations(t *testing.T) {
	sameGen(t, []int{-1, 1, 7}, func(*Log) iter.Seq[[]int] { return func(y func([]int) bool) { permutations([]int{1, 2, 3, 4}, y) } },
		func(*Log) runtime.Iterator[[]int] { return Permutations([]int{1, 2, 3, 4}) })
	if n := len(pullTake(Permutations([]int{1, 2, 3, 4, 5}), -1)); n != 120 {
		t.Fatalf("%d permutations", n)
	}
}

func TestSieve(t *testing.T) {
	got := pullTake(Primes(), 10)
	if !slices.Equal(got, []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29}) {
		t.Fatal(got)
	}
	// A generated filter over a generated counter.
	got = pullTake[int](Filter(Count(2), 2), 5)
	if !slices.Equal(got, []int{3, 5, 7, 9, 11}) {
		t.Fatal(got)
	}
}

func TestWalk(t *testing.T) {
	tr := tree(1, 20)
	sameGen(t, []int{-1, 0, 3, 11}, func(*Log) iter.Seq[int] { return func(y func(int) bool) { walk(tr, y) } },
		func(*Log) runtime.Iterator[int] { return Walk(tr) })
	got := pullTake(Walk(tr), -1)
	if len(got) != 20 || !slices.IsSorted(got) {
		t.Fatal(got)
	}
}

func TestShapes(t *testing.T) {
	for _, n := range []int{0, 4, 8} {
		sameGen(t, []int{-1, 0, 1, 2, 3, 5}, func(l *Log) iter.Seq[string] { return func(y func(string) bool) { shapes(l, n, y) } },
			func(l *Log) runtime.Iterator[string] { return Shapes(l, n) })
	}
}

func TestGenPanic(t *testing.T) {
	var l0, l1 Log
	_, p0 := outcome(func() []int { return pushTake(func(y func(int) bool) { boom(&l0, 3, y) }, -1) })
	it := Boom(&l1, 3)
	var got []int
	_, p1 := outcome(func() []int {
		for {
			v, ok := it.Next()
			if !ok {
				return got
			}
			got = append(got, v)
		}
	})
	if fmt.Sprint(p0) != fmt.Sprint(p1) || !reflect.DeepEqual(l0.Items, l1.Items) || len(got) != 3 {
		t.Fatalf("panic %v vs %v; logs %q vs %q; items %v", p1, p0, l1.Items, l0.Items, got)
	}
	// A generator that panicked is finished.
	if _, ok := it.Next(); ok {
		t.Fatal("Next after panic gave an item")
	}
	it.Close()
}

func TestGenCloseStates(t *testing.T) {
	// Close before the first Next runs nothing.
	var l Log
	it := Pairs(&l, 3)
	it.Close()
	if len(l.Items) != 0 {
		t.Fatalf("unstarted close ran %q", l.Items)
	}
	if _, ok := it.Next(); ok {
		t.Fatal("Next after Close gave an item")
	}
	it.Close()
	// A body that yields after being stopped panics.
	s := Stubborn()
	s.Next()
	_, p := outcome(func() int { s.Close(); return 0 })
	if !strings.Contains(fmt.Sprint(p), "Stubborn yielded after Close") {
		t.Fatalf("yield after close: %v", p)
	}
	// Break out of All closes the iterator (its defers run).
	var l2 Log
	for v := range Pairs(&l2, 3).All() {
		if v == "b0" {
			break
		}
	}
	if !slices.Contains(l2.Items, "pairs done") {
		t.Fatalf("break did not close: %q", l2.Items)
	}
}

func TestGenericGenMethod(t *testing.T) {
	r := &Ring[string]{Items: []string{"a", "b", "c", "d"}}
	sameGen(t, []int{-1, 0, 2, 4}, func(l *Log) iter.Seq[string] { return func(y func(string) bool) { r.each(l, 1, y) } },
		func(l *Log) runtime.Iterator[string] { return r.Each(l, 1) })
}

func TestGenSelect(t *testing.T) {
	mk := func() (chan int, chan int) {
		// One ready channel at a time keeps the order deterministic.
		a := make(chan int, 3)
		a <- 1
		a <- 2
		close(a)
		return a, nil
	}
	sameGen(t, []int{-1, 0, 1}, func(l *Log) iter.Seq[int] { a, b := mk(); return func(y func(int) bool) { drainChans(l, a, b, y) } },
		func(l *Log) runtime.Iterator[int] { a, b := mk(); return Drain(l, a, b) })
}

// TestAllAfterNext: All on an iterator that has started continues where
// Next left it; on one that has not, it runs the body directly.
func TestAllAfterNext(t *testing.T) {
	it := Fib(8)
	it.Next()
	it.Next()
	var rest []int
	for v := range it.All() {
		rest = append(rest, v)
	}
	if !slices.Equal(rest, []int{1, 2, 3, 5, 8, 13}) {
		t.Fatal(rest)
	}
	if _, ok := it.Next(); ok {
		t.Fatal("more after All")
	}
	var all []int
	for v := range Fib(5).All() {
		all = append(all, v)
	}
	if !slices.Equal(all, []int{0, 1, 1, 2, 3}) {
		t.Fatal(all)
	}
}

// TestMovedIterator: an iterator copied after it started panics at its next
// Next, whether or not it would take its fast path.
func TestMovedIterator(t *testing.T) {
	it := Fib(10)
	it.Next()
	it.Next()
	moved := new(FibIter)
	reflect.ValueOf(moved).Elem().Set(reflect.ValueOf(it).Elem())
	_, p := outcome(func() int { v, _ := moved.Next(); return v })
	if !strings.Contains(fmt.Sprint(p), "moved") {
		t.Fatalf("moved iterator: %v", p)
	}
	// The original goes on.
	if v, ok := it.Next(); !ok || v != 1 {
		t.Fatal(v, ok)
	}
}

func TestGenericFastPath(t *testing.T) {
	sameGen(t, []int{-1, 0, 1, 3, 7}, func(*Log) iter.Seq[float64] { return func(y func(float64) bool) { series(0.5, 0.25, 7, y) } },
		func(*Log) runtime.Iterator[float64] { return Series(0.5, 0.25, 7) })
	sameGen(t, []int{-1, 0, 2}, func(*Log) iter.Seq[int] { return func(y func(int) bool) { series(3, -2, 4, y) } },
		func(*Log) runtime.Iterator[int] { return Series(3, -2, 4) })
}

func TestFastPathShapes(t *testing.T) {
	ks := []int{-1, 0, 1, 2, 5, 7}
	sameGen(t, ks, func(*Log) iter.Seq[string] {
		return func(y func(string) bool) { eachString([]string{"a", "b", "c"}, y) }
	}, func(*Log) runtime.Iterator[string] { return EachString([]string{"a", "b", "c"}) })
	sameGen(t, ks, func(*Log) iter.Seq[string] { return func(y func(string) bool) { eachString(nil, y) } },
		func(*Log) runtime.Iterator[string] { return EachString(nil) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { eachArray([4]int{1, 2, 3, 4}, y) } },
		func(*Log) runtime.Iterator[int] { return EachArray([4]int{1, 2, 3, 4}) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { squares(6, y) } },
		func(*Log) runtime.Iterator[int] { return Squares(6) })
	sameGen(t, append(ks, 8, 9), func(*Log) iter.Seq[int] { return func(y func(int) bool) { offcycle(8, y) } },
		func(*Log) runtime.Iterator[int] { return Offcycle(8) })
	sameGen(t, ks, func(*Log) iter.Seq[uint] { return func(y func(uint) bool) { digits(90725, 2, y) } },
		func(*Log) runtime.Iterator[uint] { return Digits(90725, 2) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { odds([]int{1, 2, 3, 4, 5, 7, 8}, y) } },
		func(*Log) runtime.Iterator[int] { return Odds([]int{1, 2, 3, 4, 5, 7, 8}) })
	sameGen(t, append(ks, 9, 10), func(*Log) iter.Seq[int] {
		return func(y func(int) bool) { sparse([]int{1, 3, 6, 4, 9, 5, 7, 12, 15}, y) }
	},
		func(*Log) runtime.Iterator[int] { return Sparse([]int{1, 3, 6, 4, 9, 5, 7, 12, 15}) })
	sameGen(t, append(ks, 9, 10), func(*Log) iter.Seq[int] { return func(y func(int) bool) { stepper(11, y) } },
		func(*Log) runtime.Iterator[int] { return Stepper(11) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { until([]int{1, 2, 3, 9, 4, 5}, 5, y) } },
		func(*Log) runtime.Iterator[int] { return Until([]int{1, 2, 3, 9, 4, 5}, 5) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { blocky(6, y) } },
		func(*Log) runtime.Iterator[int] { return Blocky(6) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { sticky(7, y) } },
		func(*Log) runtime.Iterator[int] { return Sticky(7) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { never(5, y) } },
		func(*Log) runtime.Iterator[int] { return Never(5) })
	sameGen(t, ks, func(*Log) iter.Seq[int] { return func(y func(int) bool) { deref(&[3]int{7, 8, 9}, y) } },
		func(*Log) runtime.Iterator[int] { return Deref(&[3]int{7, 8, 9}) })
}

// A range over a nil pointer to an array panics at its first element read,
// in the machine as directly, and the iterator is finished.
func TestDerefNilPanics(t *testing.T) {
	_, p0 := outcome(func() []int { return pushTake(func(y func(int) bool) { deref(nil, y) }, -1) })
	it := Deref(nil)
	_, p1 := outcome(func() []int { it.Next(); return nil })
	if p0 == nil || fmt.Sprint(p0) != fmt.Sprint(p1) {
		t.Fatalf("panic %v, direct %v", p1, p0)
	}
	if _, ok := it.Next(); ok {
		t.Fatal("Next after panic gave an item")
	}
}
