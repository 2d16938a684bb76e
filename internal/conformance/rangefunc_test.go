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

// sameOutcome runs the body directly and as a machine (driven strictly and
// with spurious polls) and compares results, panics (by their text) and
// effects.
func sameOutcome[T any](t *testing.T, name string, direct func(*Log) T, machine func(*Log) runtime.Future[T]) {
	t.Helper()
	var l0, l1, l2 Log
	want, p0 := outcome(func() T { return direct(&l0) })
	got, p1 := outcome(func() T { return drive(t, machine(&l1)) })
	got2, p2 := outcome(func() T { return driveSpurious(t, machine(&l2)) })
	if fmt.Sprint(p1) != fmt.Sprint(p0) || fmt.Sprint(p2) != fmt.Sprint(p0) {
		t.Errorf("%s: panic: machine %v, spurious %v, direct %v", name, p1, p2, p0)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got2, want) {
		t.Errorf("%s: result: machine %v, spurious %v, direct %v", name, got, got2, want)
	}
	if !reflect.DeepEqual(l1.Items, l0.Items) || !reflect.DeepEqual(l2.Items, l0.Items) {
		t.Errorf("%s: effects differ:\nmachine  %q\nspurious %q\ndirect   %q", name, l1.Items, l2.Items, l0.Items)
	}
}

// hasItem reports whether the log holds an item containing s.
func hasItem(l []string, s string) bool {
	for _, x := range l {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// Go's runtime errors, as the direct runs give them.
const (
	errDone      = "range function continued iteration after function for loop body returned false"
	errExhausted = "range function continued iteration after whole loop exit"
	errPanic     = "range function continued iteration after loop body panic"
	errMissing   = "range function recovered a loop body panic and did not resume panicking"
)

func TestBodyPanicsThroughIterators(t *testing.T) {
	for _, rewrap := range []bool{false, true} {
		for _, n := range []int{-1, 0, 11, 22} {
			name := fmt.Sprint("n=", n, " rewrap=", rewrap)
			sameOutcome(t, name, func(l *Log) int { return bodyPanics(l, n, rewrap) },
				func(l *Log) runtime.Future[int] { return BodyPanics(l, n, rewrap) })
		}
	}
	// The iterators' frames unwind first, innermost first, then the body's
	// defers, loop defers included.
	var l Log
	BlockOnQuiet(BodyPanics(&l, 11, true))
	want := []string{"inner recovered: <nil>", "inner recovered: boom 11", "outer recovered: inner(boom 11)", "loop defer 1", "loop defer 0", "body defer", "body recovered: outer(inner(boom 11))"}
	if !reflect.DeepEqual(l.Items, want) {
		t.Errorf("order:\n got %q\nwant %q", l.Items, want)
	}
}

func TestSwallowedPanic(t *testing.T) {
	for _, n := range []int{0, 2} {
		sameOutcome(t, fmt.Sprint(n), func(l *Log) int { return swallowedPanic(l, n) },
			func(l *Log) runtime.Future[int] { return SwallowedPanic(l, n) })
	}
	var l Log
	BlockOnQuiet(SwallowedPanic(&l, 2))
	if !hasItem(l.Items, "swallowed: boom 2") || !hasItem(l.Items, "body recovered: runtime error: "+errMissing) {
		t.Errorf("log %q", l.Items)
	}
}

func TestBadIterators(t *testing.T) {
	for _, stop := range []int{0, 2, 5} {
		sameOutcome(t, fmt.Sprint("bad ", stop), func(l *Log) int { return badBreak(l, stop) },
			func(l *Log) runtime.Future[int] { return BadBreak(l, stop) })
	}
	var l Log
	BlockOnQuiet(BadBreak(&l, 2))
	if !hasItem(l.Items, "body recovered: runtime error: "+errDone) || hasItem(l.Items, "after loop") {
		t.Errorf("bad iterator: %q", l.Items)
	}
	for _, s := range [][]int{{10, 20, 30, 40, 50}, {10, 20}} {
		sameOutcome(t, fmt.Sprint("very bad ", s), func(l *Log) []int { return veryBad(l, s) },
			func(l *Log) runtime.Future[[]int] { return VeryBad(l, s) })
	}
	var l2 Log
	BlockOnQuiet(VeryBad(&l2, []int{10, 20, 30}))
	if !hasItem(l2.Items, "body recovered: runtime error: "+errMissing) {
		t.Errorf("very bad iterator: %q", l2.Items)
	}
	sameOutcome(t, "panicky", panickyBreak, func(l *Log) runtime.Future[[]int] { return PanickyBreak(l) })
	sameOutcome(t, "panic out of iterator", panicOutOfIterator, func(l *Log) runtime.Future[int] { return PanicOutOfIterator(l) })
}

func TestTrickyIterators(t *testing.T) {
	for _, zero := range []bool{false, true} {
		sameOutcome(t, fmt.Sprint("zero=", zero), func(l *Log) int { return trickyAfterExit(l, zero) },
			func(l *Log) runtime.Future[int] { return TrickyAfterExit(l, zero) })
	}
	var l Log
	BlockOnQuiet(TrickyAfterExit(&l, false))
	if !hasItem(l.Items, "fail recovered: runtime error: "+errExhausted) || !hasItem(l.Items, "echo recovered: runtime error: "+errPanic) {
		t.Errorf("tricky: %q", l.Items)
	}
}

func TestExitsFromNestedLoops(t *testing.T) {
	for how := 0; how <= 6; how++ {
		sameOutcome(t, fmt.Sprint("how=", how), func(l *Log) string { return exits(l, how) },
			func(l *Log) runtime.Future[string] { return Exits(l, how) })
	}
}

func TestExitsThroughKeptLoop(t *testing.T) {
	for how := 0; how <= 4; how++ {
		sameOutcome(t, fmt.Sprint("how=", how), func(l *Log) string { return exitsThroughKept(l, how) },
			func(l *Log) runtime.Future[string] { return ExitsThroughKept(l, how) })
	}
	// The inner iterator is done before the outer one is closed.
	var l Log
	BlockOnQuiet(ExitsThroughKept(&l, 0))
	inner, outer := slices.Index(l.Items, "inner unwinds"), slices.Index(l.Items, "outer stopped")
	if inner < 0 || outer < 0 || inner > outer {
		t.Errorf("order: %q", l.Items)
	}
}

func TestOverGeneratedIterators(t *testing.T) {
	for _, bad := range []int{-1, 0, 2} {
		for _, swallow := range []bool{false, true} {
			sameOutcome(t, fmt.Sprint("bad=", bad, " swallow=", swallow), func(l *Log) int { return overGenerated(l, bad, swallow) },
				func(l *Log) runtime.Future[int] { return OverGenerated(l, bad, swallow) })
		}
		sameOutcome(t, fmt.Sprint("pulled with Next, bad=", bad), func(l *Log) int { return overGeneratedDirect(l, bad) },
			func(l *Log) runtime.Future[int] { return OverGeneratedDirect(l, bad) })
	}
	var l Log
	BlockOnQuiet(OverGeneratedDirect(&l, 2))
	want := []string{"numbers recovered: over boom 2", "body recovered: numbers(over boom 2)"}
	if !reflect.DeepEqual(l.Items, want) {
		t.Errorf("got %q, want %q", l.Items, want)
	}
}

// collectPanic pulls every item of it, and the panic that ends it.
func collectPanic[T any](it runtime.Iterator[T]) (items []T, p any) {
	defer func() { p = recover() }()
	for {
		v, ok := it.Next()
		if !ok {
			return items, nil
		}
		items = append(items, v)
	}
}

// pushPanic ranges over seq, and the panic that ends it.
func pushPanic[T any](seq iter.Seq[T], k int) (items []T, p any) {
	defer func() { p = recover() }()
	return pushTake(seq, k), nil
}

func TestGeneratorsOverIterators(t *testing.T) {
	for _, bad := range []int{-1, 0, 2} {
		for _, k := range []int{-1, 1, 3} {
			var l0, l1 Log
			want, p0 := pushPanic(func(y func(int) bool) { relay(&l0, 4, bad, y) }, k)
			it := Relay(&l1, 4, bad)
			got, p1 := pullPanic(it, k)
			if fmt.Sprint(p0) != fmt.Sprint(p1) || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(l0.Items, l1.Items) {
				t.Errorf("relay bad=%d k=%d: items %v vs %v, panic %v vs %v\nmachine %q\ndirect  %q", bad, k, got, want, p1, p0, l1.Items, l0.Items)
			}
			var l2, l3 Log
			want, p0 = pushPanic(func(y func(int) bool) { delegate(&l2, 4, bad, y) }, k)
			got, p1 = pullPanic(Delegate(&l3, 4, bad), k)
			if fmt.Sprint(p0) != fmt.Sprint(p1) || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(l2.Items, l3.Items) {
				t.Errorf("delegate bad=%d k=%d: items %v vs %v, panic %v vs %v\nmachine %q\ndirect  %q", bad, k, got, want, p1, p0, l3.Items, l2.Items)
			}
		}
	}
}

// pullPanic takes k items from it (all for k < 0) and closes it, and the
// panic that ends it.
func pullPanic[T any](it runtime.Iterator[T], k int) (items []T, p any) {
	defer func() { p = recover() }()
	return pullTake(it, k), nil
}

// A loop body that panics while ranging over All of an iterator that has
// already started (so All pulls it) passes the panic through its body.
func TestAllOfStartedIteratorPanics(t *testing.T) {
	var l Log
	it := Numbers(&l, 5)
	if v, ok := it.Next(); !ok || v != 0 {
		t.Fatal(v, ok)
	}
	_, p := outcome(func() int {
		for x := range it.All() {
			if x == 2 {
				panic("consumer boom")
			}
		}
		return 0
	})
	want := []string{"numbers recovered: consumer boom"}
	if fmt.Sprint(p) != "numbers(consumer boom)" || !reflect.DeepEqual(l.Items, want) {
		t.Errorf("panic %v, log %q", p, l.Items)
	}
	// Swallowed: Go's runtime error.
	var l2 Log
	sw := Swallower(&l2)
	sw.Next()
	_, p = outcome(func() int {
		for range sw.All() {
			panic("consumer boom")
		}
		return 0
	})
	if !strings.Contains(fmt.Sprint(p), errMissing) {
		t.Errorf("swallowed: panic %v, log %q", p, l2.Items)
	}
	// Left early without a panic: closed, as before.
	var l3 Log
	it3 := Numbers(&l3, 5)
	it3.Next()
	for x := range it3.All() {
		if x == 2 {
			break
		}
	}
	if !reflect.DeepEqual(l3.Items, []string{"numbers stopped", "numbers recovered: <nil>"}) {
		t.Errorf("break: %q", l3.Items)
	}
}

func TestStreamOverIterator(t *testing.T) {
	for _, bad := range []int{-1, 0, 2} {
		var l0, l1 Log
		want, p0 := pushPanic(func(y func(int) bool) { relayStream(&l0, bad, y) }, -1)
		got, p1 := outcome(func() []int {
			return BlockOnQuiet(runtime.Collect[int](RelayStream(&l1, bad)))
		})
		if fmt.Sprint(p0) != fmt.Sprint(p1) || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(l0.Items, l1.Items) {
			t.Errorf("bad=%d: items %v vs %v, panic %v vs %v\nmachine %q\ndirect  %q", bad, got, want, p1, p0, l1.Items, l0.Items)
		}
	}
}

// BlockOnQuiet polls f to completion.
func BlockOnQuiet[T any](f runtime.Future[T]) T { return runtime.BlockOn(f) }
