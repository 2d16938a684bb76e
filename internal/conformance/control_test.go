package conformance

import (
	"errors"
	"iter"
	"slices"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

func TestIfChain(t *testing.T) {
	for _, n := range []int{-1, 0, 3, 11, 15} {
		same(t, func(l *Log) string { return ifChain(l, n) }, func(l *Log) runtime.Future[string] { return IfChain(l, n) })
	}
}

func TestForForms(t *testing.T) {
	for _, n := range []int{0, 1, 4} {
		same(t, func(l *Log) int { return forForms(l, n) }, func(l *Log) runtime.Future[int] { return ForForms(l, n) })
	}
}

func TestRanges(t *testing.T) {
	mk := func() chan int {
		ch := make(chan int, 3)
		ch <- 4
		ch <- 5
		close(ch)
		return ch
	}
	same(t, func(l *Log) int { return ranges(l, []int{3, 4, 5}, [3]string{"a", "b", "c"}, "héllo", mk(), 4) },
		func(l *Log) runtime.Future[int] {
			return Ranges(l, []int{3, 4, 5}, [3]string{"a", "b", "c"}, "héllo", mk(), 4)
		})
}

func TestMapRange(t *testing.T) {
	mk := func() map[string]int { return map[string]int{"a": 1, "bb": 2, "del": 3, "gone": 4, "ccc": 5} }
	want := mapRange(&Log{}, mk())
	for i := 0; i < 20; i++ {
		// "gone" is deleted during the second loop: whether it was reached
		// depends on the map's order, so only bounds are fixed.
		got := drive(t, MapRange(&Log{}, mk()))
		if got < want-4 || got > want+4 {
			t.Fatalf("MapRange = %d, direct %d", got, want)
		}
	}
	// Without the deletion the result is exact.
	mk2 := func() map[string]int { return map[string]int{"a": 1, "bb": 2, "del": 3, "ccc": 5} }
	same(t, func(l *Log) int { return mapRange(l, mk2()) }, func(l *Log) runtime.Future[int] { return MapRange(l, mk2()) })
}

func TestRangeFunc(t *testing.T) {
	for _, n := range []int{0, 3} {
		same(t, func(l *Log) int { return rangeFunc(l, n) }, func(l *Log) runtime.Future[int] { return RangeFunc(l, n) })
	}
}

func TestSwitches(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 6} {
		for _, v := range []any{1, "s", errors.New("e"), nil, 2.5} {
			same(t, func(l *Log) string { return switches(l, n, v) }, func(l *Log) runtime.Future[string] { return Switches(l, n, v) })
		}
	}
}

func TestSelects(t *testing.T) {
	mk := func() (chan int, chan int) {
		a := make(chan int, 2)
		a <- 1
		a <- 2
		close(a)
		b := make(chan int, 1)
		b <- 5
		return a, b
	}
	same(t, func(l *Log) int { a, b := mk(); return selects(l, a, b) }, func(l *Log) runtime.Future[int] { a, b := mk(); return Selects(l, a, b) })
}

func TestLabels(t *testing.T) {
	for _, n := range []int{0, 3, 5, 7} {
		same(t, func(l *Log) int { return labels(l, n) }, func(l *Log) runtime.Future[int] { return Labels(l, n) })
	}
}

var _ = slices.Sort[[]int]

func TestGotoOut(t *testing.T) {
	for _, n := range []int{2, 20} {
		same(t, func(l *Log) int { return gotoOut(l, n) }, func(l *Log) runtime.Future[int] { return GotoOut(l, n) })
	}
}

func TestOddPlaces(t *testing.T) {
	for _, n := range []int{0, 1, 200} {
		same(t, func(l *Log) Triple { return oddPlaces(l, n) }, func(l *Log) runtime.Future[Triple] { return OddPlaces(l, n) })
	}
}

func TestRegressions(t *testing.T) {
	for _, n := range []int{0, 1, 9} {
		same(t, func(l *Log) int { return regressions(l, n) }, func(l *Log) runtime.Future[int] { return Regressions(l, n) })
	}
}

// TestPanicInPull: a panic in the body of a pulled loop stops the iterator
// before the body's defers run (its frame unwinds first in Go), including
// the defers registered inside the loop.
func TestPanicInPull(t *testing.T) {
	for _, n := range []int{1, 20} {
		same(t, func(l *Log) int { return panicInPull(l, n) }, func(l *Log) runtime.Future[int] { return PanicInPull(l, n) })
	}
}

// A branch out of the middle of a block: what is live at its target is
// live before it, whatever the rest of the block assigns.
func TestKeepPastBranch(t *testing.T) {
	sameGen(t, []int{-1, 1, 3}, func(l *Log) iter.Seq[int] { return func(y func(int) bool) { keepPastContinue(l, y) } },
		func(l *Log) runtime.Iterator[int] { return KeepPastContinue(l) })
	if got := pullTake(KeepPastContinue(&Log{}), -1); !slices.Equal(got, []int{0, 1, 2, 1}) {
		t.Errorf("KeepPastContinue: %v", got)
	}
	for _, n := range []int{0, 2, 3, 5} {
		same(t, func(l *Log) int { return keepPastBreak(l, n) }, func(l *Log) runtime.Future[int] { return KeepPastBreak(l, n) })
	}
}

func TestResultBesideCall(t *testing.T) {
	same(t, func(l *Log) runtime.Result[int] {
		r, err := resultBesideCall(l)
		return runtime.Result[int]{Value: r, Err: err}
	},
		func(l *Log) runtime.Future[runtime.Result[int]] { return ResultBesideCall(l) })
}
