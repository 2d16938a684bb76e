package conformance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

func TestOrder(t *testing.T) {
	for _, n := range []int{0, 1, 2} {
		same(t, func(l *Log) string { return order(l, n) }, func(l *Log) runtime.Future[string] { return Order(l, n) })
	}
}

type vr struct {
	V int
	E string
}

func TestResults(t *testing.T) {
	for _, n := range []int{-1, 0, 2, 3} {
		same(t, func(l *Log) vr { v, err := results(l, n); return vr{v, fmt.Sprint(err)} },
			func(l *Log) runtime.Future[vr] {
				return mapF(Results(l, n), func(r runtime.Result[int]) vr { return vr{r.Value, fmt.Sprint(r.Err)} })
			})
	}
}

func TestNoResult(t *testing.T) {
	same(t, func(l *Log) struct{} { noResult(l); return struct{}{} }, func(l *Log) runtime.Future[struct{}] { return NoResult(l) })
}

func TestShadow(t *testing.T) {
	for _, n := range []int{-200, 1} {
		same(t, func(l *Log) int { return shadow(l, n) }, func(l *Log) runtime.Future[int] { return Shadow(l, n) })
	}
}

func TestPointers(t *testing.T) {
	same(t, func(l *Log) int { return pointers(l, 5) }, func(l *Log) runtime.Future[int] { return Pointers(l, 5) })
}

func TestClosures(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		same(t, func(l *Log) int { return closures(l, n) }, func(l *Log) runtime.Future[int] { return Closures(l, n) })
	}
}

func TestGenericMethod(t *testing.T) {
	same(t, func(l *Log) []string {
		s := &Stack[string]{}
		s.pushAll(l, "a", "b")
		return s.items
	}, func(l *Log) runtime.Future[[]string] {
		s := &Stack[string]{}
		return mapF(s.PushAll(l, "a", "b"), func(int) []string { return s.items })
	})
	got := drive(t, MapAsync([]int{1, 2}, func(x int) runtime.Future[string] { return ready(strings.Repeat("x", x)) }))
	if !reflect.DeepEqual(got, []string{"x", "xx"}) {
		t.Fatal(got)
	}
}

func TestNested(t *testing.T) {
	c := &Client{prefix: "p:"}
	same(t, func(l *Log) string { return nested(l, c) }, func(l *Log) runtime.Future[string] { return Nested(l, c) })
}

// mapF maps a future's value.
func mapF[T, U any](f runtime.Future[T], g func(T) U) runtime.Future[U] { return &mapped[T, U]{f, g} }

type mapped[T, U any] struct {
	f runtime.Future[T]
	g func(T) U
}

func (m *mapped[T, U]) Poll(cx *runtime.Context) (U, bool) {
	v, ok := m.f.Poll(cx)
	if !ok {
		var zero U
		return zero, false
	}
	return m.g(v), true
}
