package plain

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// outcome runs f and reports its value or its panic.
func outcome[T any](f func() T) (v T, p any) {
	defer func() { p = recover() }()
	return f(), nil
}

// once polls f once: a body without a suspension point is ready at its
// first poll.
func once[T any](t *testing.T, f runtime.Future[T]) T {
	t.Helper()
	v, ok := f.Poll(runtime.NewContext(nil))
	if !ok {
		t.Fatal("a body without a suspension point is pending")
	}
	return v
}

// samePlain runs a body of package plain directly and as a machine and
// compares the logs and results (a panic counts as a result).
func samePlain[T any](t *testing.T, name string, direct func(*Log) T, machine func(*Log) runtime.Future[T]) {
	t.Helper()
	var l0, l1 Log
	want, p0 := outcome(func() T { return direct(&l0) })
	got, p1 := outcome(func() T { return once(t, machine(&l1)) })
	if !reflect.DeepEqual(got, want) || fmt.Sprint(p0) != fmt.Sprint(p1) {
		t.Errorf("%s: machine %#v (panic %v), direct %#v (panic %v)", name, got, p1, want, p0)
	}
	if !reflect.DeepEqual(l1.Items, l0.Items) {
		t.Errorf("%s: effects differ: machine %q, direct %q", name, l1.Items, l0.Items)
	}
}

// res turns a (T, error) pair into the Result a machine gives.
func res[T any](v T, err error) runtime.Result[T] { return runtime.Result[T]{Value: v, Err: err} }

// TestPlainShapes covers every result shape of a body without a suspension
// point, in a package that does not import the runtime.
func TestPlainShapes(t *testing.T) {
	for _, s := range []string{"", "ab,cz", "x,y"} {
		samePlain(t, "Blanks", func(l *Log) string { return blanks(l, s) }, func(l *Log) runtime.Future[string] { return Blanks(l, s) })
	}
	for _, n := range []int{-1, 0, 3} {
		samePlain(t, "Nothing", func(l *Log) struct{} { nothing(l, n); return struct{}{} }, func(l *Log) runtime.Future[struct{}] { return Nothing(l, n) })
		samePlain(t, "Basic", func(l *Log) int { return basic(l, n) }, func(l *Log) runtime.Future[int] { return Basic(l, n) })
		samePlain(t, "BasicErr", func(l *Log) runtime.Result[int] { return res(basicErr(l, n)) }, func(l *Log) runtime.Future[runtime.Result[int]] { return BasicErr(l, n) })
		samePlain(t, "Slice", func(l *Log) runtime.Result[[]int] { return res(slice(l, n)) }, func(l *Log) runtime.Future[runtime.Result[[]int]] { return Slice(l, n) })
		samePlain(t, "Map", func(l *Log) runtime.Result[map[string]int] { return res(mapOf(l, n)) }, func(l *Log) runtime.Future[runtime.Result[map[string]int]] { return Map(l, n) })
		samePlain(t, "Pointer", func(l *Log) runtime.Result[*int] { return res(pointer(l, n)) }, func(l *Log) runtime.Future[runtime.Result[*int]] { return Pointer(l, n) })
		samePlain(t, "Foreign", func(l *Log) runtime.Result[time.Duration] { return res(foreign(l, n)) }, func(l *Log) runtime.Future[runtime.Result[time.Duration]] { return Foreign(l, n) })
		s := fmt.Sprint(n)[1:]
		samePlain(t, "ForeignPointer", func(l *Log) string { b, err := foreignPointer(l, s); return builderString(b, err) }, func(l *Log) runtime.Future[string] {
			return runtime.Map(ForeignPointer(l, s), func(r runtime.Result[*strings.Builder]) string { return builderString(r.Value, r.Err) })
		})
		samePlain(t, "Generic", func(l *Log) runtime.Result[string] { return res(generic(l, s, n < 0)) }, func(l *Log) runtime.Future[runtime.Result[string]] { return Generic(l, s, n < 0) })
		samePlain(t, "GenericSlice", func(l *Log) runtime.Result[[]int] {
			return res(genericSlice(l, []int{1, n, 2, n}, n))
		}, func(l *Log) runtime.Future[runtime.Result[[]int]] {
			return GenericSlice(l, []int{1, n, 2, n}, n)
		})
		samePlain(t, "Named", func(l *Log) runtime.Result[[]string] { return res(named(l, n)) }, func(l *Log) runtime.Future[runtime.Result[[]string]] { return Named(l, n) })
		samePlain(t, "Naked", func(l *Log) runtime.Result[map[int]bool] { return res(naked(l, n)) }, func(l *Log) runtime.Future[runtime.Result[map[int]bool]] { return Naked(l, n) })
		samePlain(t, "NakedOne", func(l *Log) *time.Time { return nakedOne(l, n) }, func(l *Log) runtime.Future[*time.Time] { return NakedOne(l, n) })
		c0, c1 := &Counter{N: 1}, &Counter{N: 1}
		samePlain(t, "Add", func(l *Log) runtime.Result[[]int] { return res(c0.add(l, n)) }, func(l *Log) runtime.Future[runtime.Result[[]int]] { return c1.Add(l, n) })
		samePlain(t, "Get", func(l *Log) int { return c0.get(l) }, func(l *Log) runtime.Future[int] { return c1.Get(l) })
		var s0, s1 Stack[string]
		samePlain(t, "Pop empty", func(l *Log) runtime.Result[string] { return res(s0.pop(l)) }, func(l *Log) runtime.Future[runtime.Result[string]] { return s1.Pop(l) })
		samePlain(t, "Push", func(l *Log) runtime.Result[[]string] { return res(s0.push(l, s)) }, func(l *Log) runtime.Future[runtime.Result[[]string]] { return s1.Push(l, s) })
		samePlain(t, "Pop", func(l *Log) runtime.Result[string] { return res(s0.pop(l)) }, func(l *Log) runtime.Future[runtime.Result[string]] { return s1.Pop(l) })
	}
}

func builderString(b *strings.Builder, err error) string {
	if b == nil {
		return fmt.Sprint("nil ", err)
	}
	return b.String() + fmt.Sprint(" ", err)
}
