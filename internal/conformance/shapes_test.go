package conformance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

func result[T any](v T, err error) runtime.Result[T] { return runtime.Result[T]{Value: v, Err: err} }

func TestResultShapes(t *testing.T) {
	for _, n := range []int{-1, 0, 3} {
		sameOutcome(t, "ShapeSlice", func(l *Log) runtime.Result[[]int] { return result(shapeSlice(l, n)) }, func(l *Log) runtime.Future[runtime.Result[[]int]] { return ShapeSlice(l, n) })
		sameOutcome(t, "ShapeMap", func(l *Log) runtime.Result[map[string]int] { return result(shapeMap(l, n)) }, func(l *Log) runtime.Future[runtime.Result[map[string]int]] { return ShapeMap(l, n) })
		sameOutcome(t, "ShapePointer", func(l *Log) runtime.Result[*int] { return result(shapePointer(l, n)) }, func(l *Log) runtime.Future[runtime.Result[*int]] { return ShapePointer(l, n) })
		s := strings.Repeat("ab", max(n, 0))
		str := func(b *strings.Builder, err error) string { return b.String() + fmt.Sprint(err) }
		sameOutcome(t, "ShapeForeign", func(l *Log) string { return str(shapeForeign(l, s)) }, func(l *Log) runtime.Future[string] {
			return mapF(ShapeForeign(l, s), func(r runtime.Result[*strings.Builder]) string { return str(r.Value, r.Err) })
		})
		sameOutcome(t, "ShapeDuration", func(l *Log) time.Duration { return shapeDuration(l, n) }, func(l *Log) runtime.Future[time.Duration] { return ShapeDuration(l, n) })
		sameOutcome(t, "ShapeGeneric", func(l *Log) runtime.Result[[]string] { return result(shapeGeneric(l, []string{s}, n < 0)) }, func(l *Log) runtime.Future[runtime.Result[[]string]] { return ShapeGeneric(l, []string{s}, n < 0) })
		sameOutcome(t, "ShapeNaked", func(l *Log) runtime.Result[[]string] { return result(shapeNaked(l, n)) }, func(l *Log) runtime.Future[runtime.Result[[]string]] { return ShapeNaked(l, n) })
	}
	for k := range 3 {
		shelf := func() *Shelf { return &Shelf{items: []string{"a", "b"}[:min(k, 2)]} }
		sameOutcome(t, "Take", func(l *Log) runtime.Result[string] { return result(shelf().take(l)) }, func(l *Log) runtime.Future[runtime.Result[string]] { return shelf().Take(l) })
	}
}

// TestBlanks: several blanks defined in one body are no variables.
func TestBlanks(t *testing.T) {
	for _, s := range []string{"", "ab,cz", "x,y"} {
		sameOutcome(t, "Blanks", func(l *Log) string { return blanks(l, s) }, func(l *Log) runtime.Future[string] { return Blanks(l, s) })
	}
}

type ints []int64

// TestRangeTypeParam: a range over a value whose type is a type parameter
// with a slice core type, its body suspending.
func TestRangeTypeParam(t *testing.T) {
	for _, s := range []ints{nil, {1}, {3, 4, 5}} {
		sameOutcome(t, "SumAll", func(l *Log) int64 { return sumAll(l, s) }, func(l *Log) runtime.Future[int64] { return SumAll(l, s) })
	}
}

func TestTerminatingEnds(t *testing.T) {
	for _, n := range []int{-2, 0, 1, 2, 3} {
		sameOutcome(t, "EndPanic", func(l *Log) int { return endPanic(l, n) }, func(l *Log) runtime.Future[int] { return EndPanic(l, n) })
		sameOutcome(t, "EndPanicPlain", func(l *Log) int { return endPanicPlain(l, n) }, func(l *Log) runtime.Future[int] { return EndPanicPlain(l, n) })
		sameOutcome(t, "EndFor", func(l *Log) int { return endFor(l, n) }, func(l *Log) runtime.Future[int] { return EndFor(l, n) })
		sameOutcome(t, "EndForPlain", func(l *Log) int { return endForPlain(l, n) }, func(l *Log) runtime.Future[int] { return EndForPlain(l, n) })
		sameOutcome(t, "EndSwitch", func(l *Log) string { return endSwitch(l, n) }, func(l *Log) runtime.Future[string] { return EndSwitch(l, n) })
		sameOutcome(t, "EndSwitchPlain", func(l *Log) string { return endSwitchPlain(l, n) }, func(l *Log) runtime.Future[string] { return EndSwitchPlain(l, n) })
		sameOutcome(t, "EndGoto", func(l *Log) int { return endGoto(l, n) }, func(l *Log) runtime.Future[int] { return EndGoto(l, n) })
		sameOutcome(t, "EndGotoPlain", func(l *Log) int { return endGotoPlain(l, n) }, func(l *Log) runtime.Future[int] { return EndGotoPlain(l, n) })
	}
	for _, full := range []bool{false, true} {
		mk := func() chan int {
			ch := make(chan int, 1)
			if full {
				ch <- 5
			}
			return ch
		}
		sameOutcome(t, "EndSelect", func(l *Log) int { return endSelect(l, mk()) }, func(l *Log) runtime.Future[int] { return EndSelect(l, mk()) })
	}
}

// TestUserInit checks that a user's future with an unrelated Init method is
// made by the user's constructor, not set up in place with Init.
func TestUserInit(t *testing.T) {
	sameOutcome(t, "Connect", func(l *Log) string { return connect(l, "x") }, func(l *Log) runtime.Future[string] { return Connect(l, "x") })
	var l Log
	if got := drive(t, Connect(&l, "x")); got != "tcp://x tcp://x2" || !reflect.DeepEqual(l.Items, []string{"dial x", "dial x2"}) {
		t.Fatalf("Connect: %q, effects %q", got, l.Items)
	}
}
