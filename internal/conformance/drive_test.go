package conformance

import (
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// countWaker counts wakes.
type countWaker struct{ n atomic.Int64 }

func (w *countWaker) Wake() { w.n.Add(1) }

// drive polls f to completion like a strict executor: after a pending poll
// it polls again only if the future woke its task. It fails the test when a
// pending future did not arrange a wake.
func drive[T any](t *testing.T, f runtime.Future[T]) T {
	t.Helper()
	w := &countWaker{}
	cx := runtime.NewContext(w)
	for i := 0; ; i++ {
		before := w.n.Load()
		v, ok := f.Poll(cx)
		if ok {
			return v
		}
		if w.n.Load() == before {
			t.Fatalf("poll %d returned pending without arranging a wake", i)
		}
		if i > 1_000_000 {
			t.Fatal("future never completes")
		}
	}
}

// driveSpurious polls f with an extra spurious poll after every pending one.
func driveSpurious[T any](t *testing.T, f runtime.Future[T]) T {
	t.Helper()
	cx := runtime.NewContext(nil)
	for i := 0; i < 1_000_000; i++ {
		if v, ok := f.Poll(cx); ok {
			return v
		}
	}
	t.Fatal("future never completes")
	panic("unreachable")
}

// same runs the body directly and as a machine (driven strictly and with
// spurious polls) and compares the logs and results.
func same[T any](t *testing.T, direct func(*Log) T, machine func(*Log) runtime.Future[T]) {
	t.Helper()
	var l0, l1, l2 Log
	want := direct(&l0)
	got := drive(t, machine(&l1))
	got2 := driveSpurious(t, machine(&l2))
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got2, want) {
		t.Errorf("result: machine %v, spurious %v, direct %v", got, got2, want)
	}
	if !reflect.DeepEqual(l1.Items, l0.Items) || !reflect.DeepEqual(l2.Items, l0.Items) {
		t.Errorf("effects differ:\nmachine  %q\nspurious %q\ndirect   %q", l1.Items, l2.Items, l0.Items)
	}
}
