package conformance

import (
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// outcome runs f and reports its value or its panic.
func outcome[T any](f func() T) (v T, p any) {
	defer func() { p = recover() }()
	return f(), nil
}

func TestDefers(t *testing.T) {
	for _, n := range []int{0, 2} {
		same(t, func(l *Log) string { return defers(l, n) }, func(l *Log) runtime.Future[string] { return Defers(l, n) })
	}
}

func TestRecovers(t *testing.T) {
	for _, n := range []int{1, 3} {
		same(t, func(l *Log) vr { v, err := recovers(l, n); return vr{v, fmt.Sprint(err)} },
			func(l *Log) runtime.Future[vr] {
				return mapF(Recovers(l, n), func(r runtime.Result[int]) vr { return vr{r.Value, fmt.Sprint(r.Err)} })
			})
	}
}

func TestDeferPanics(t *testing.T) {
	same(t, func(l *Log) string { return deferPanics(l) }, func(l *Log) runtime.Future[string] { return DeferPanics(l) })
}

func TestPanics(t *testing.T) {
	var l0, l1 Log
	_, p0 := outcome(func() int { return panics(&l0, 1) })
	m := Panics(&l1, 1)
	_, p1 := outcome(func() int { return drive(t, m) })
	if fmt.Sprint(p0) != fmt.Sprint(p1) || !reflect.DeepEqual(l0.Items, l1.Items) {
		t.Fatalf("panic %v vs %v, logs %q vs %q", p1, p0, l1.Items, l0.Items)
	}
	_, p2 := outcome(func() int { v, _ := m.Poll(runtime.NewContext(nil)); return v })
	if !strings.Contains(fmt.Sprint(p2), "Panics polled after a panic") {
		t.Fatalf("poll after panic: %v", p2)
	}
	done := Panics(&Log{}, 0)
	drive(t, done)
	_, p3 := outcome(func() int { v, _ := done.Poll(runtime.NewContext(nil)); return v })
	if !strings.Contains(fmt.Sprint(p3), "asyncgen: Panics polled after completion") {
		t.Fatalf("poll after completion: %v", p3)
	}
}

func TestCancel(t *testing.T) {
	var l Log
	g := &Gate{}
	m := Cancellable(&l, g)
	cx := runtime.NewContext(nil)
	for i := 0; i < 3; i++ {
		if _, ok := m.Poll(cx); ok {
			t.Fatal("ready")
		}
	}
	m.Cancel()
	if !g.Canceled {
		t.Error("awaited future not canceled")
	}
	if want := []string{"cleanup 2", "cleanup 1"}; !reflect.DeepEqual(l.Items, want) {
		t.Errorf("log %q, want %q", l.Items, want)
	}
	m.Cancel() // harmless
	_, p := outcome(func() int { v, _ := m.Poll(cx); return v })
	if !strings.Contains(fmt.Sprint(p), "polled after Cancel") {
		t.Errorf("poll after cancel: %v", p)
	}
	// Canceling an unstarted machine runs nothing.
	var l2 Log
	m2 := Cancellable(&l2, &Gate{})
	m2.Cancel()
	if len(l2.Items) != 0 {
		t.Errorf("unstarted cancel ran %q", l2.Items)
	}
}

func TestMovedMachine(t *testing.T) {
	m := Sum(&Log{}, []int{1}, 2)
	m.Poll(runtime.NewContext(nil))
	moved := new(SumFuture)
	reflect.ValueOf(moved).Elem().Set(reflect.ValueOf(m).Elem()) // a copy, as a careless user would make
	_, p := outcome(func() int { v, _ := moved.Poll(runtime.NewContext(nil)); return v })
	if !strings.Contains(fmt.Sprint(p), "moved") {
		t.Fatalf("moved machine: %v", p)
	}
}

// TestPanicLine checks that a panic in a machine's body is reported at the
// body's own line (the generated code carries line directives).
func TestPanicLine(t *testing.T) {
	var stack string
	func() {
		defer func() {
			recover()
			stack = string(debug.Stack())
		}()
		drive(t, Panics(&Log{}, 1))
	}()
	src, err := os.ReadFile("defers.go")
	if err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(string(src[:strings.Index(string(src), `panic(errors.New("boom"))`)]), "\n")
	if !strings.Contains(stack, fmt.Sprintf("defers.go:%d ", line)) {
		t.Fatalf("stack does not name the body's line:\n%s", stack)
	}
}

// TestHelperRecovers: a named function deferred with arguments recovers a
// panic of the body, as in Go (defer handle(&err)).
func TestHelperRecovers(t *testing.T) {
	for _, n := range []int{1, 3} {
		same(t, func(l *Log) vr { v, err := helperRecovers(l, n); return vr{v, fmt.Sprint(err)} },
			func(l *Log) runtime.Future[vr] {
				return mapF(HelperRecovers(l, n), func(r runtime.Result[int]) vr { return vr{r.Value, fmt.Sprint(r.Err)} })
			})
	}
}
