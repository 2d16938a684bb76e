package conformance

import (
	"iter"
	"reflect"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// pollTake drains a stream like a strict executor (polling again only after
// a wake), k items (k < 0: all), then closes it.
func pollTake[T any](t *testing.T, s runtime.AsyncIterator[T], k int) (items []T) {
	t.Helper()
	w := &countWaker{}
	cx := runtime.NewContext(w)
	for k < 0 || len(items) < k {
		before := w.n.Load()
		v, st := s.PollNext(cx)
		switch st {
		case runtime.Yielded:
			items = append(items, v)
			continue
		case runtime.Pending:
			if w.n.Load() == before {
				t.Fatal("pending without a wake")
			}
			continue
		}
		break
	}
	s.Close()
	return items
}

func sameStream[T any](t *testing.T, ks []int, direct func(*Log) iter.Seq[T], machine func(*Log) runtime.AsyncIterator[T]) {
	t.Helper()
	for _, k := range ks {
		var l0, l1 Log
		want := pushTake(direct(&l0), k)
		got := pollTake(t, machine(&l1), k)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("k=%d: items %v, direct %v", k, got, want)
		}
		if !reflect.DeepEqual(l1.Items, l0.Items) {
			t.Errorf("k=%d: effects differ:\nmachine %q\ndirect  %q", k, l1.Items, l0.Items)
		}
	}
}

func TestTicks(t *testing.T) {
	sameStream(t, []int{-1, 0, 1, 4}, func(l *Log) iter.Seq[int] { return func(y func(int) bool) { ticks(l, 6, y) } },
		func(l *Log) runtime.AsyncIterator[int] { return Ticks(l, 6) })
}

func TestSumStream(t *testing.T) {
	for _, limit := range []int{0, 5, 100} {
		same(t, func(l *Log) int { return sumStream(l, Ticks(l, 6), limit) },
			func(l *Log) runtime.Future[int] { return SumStream(l, Ticks(l, 6), limit) })
	}
}

func TestDoubled(t *testing.T) {
	sameStream(t, []int{-1, 0, 1, 2}, func(l *Log) iter.Seq[string] { return func(y func(string) bool) { doubled(l, Ticks(l, 6), y) } },
		func(l *Log) runtime.AsyncIterator[string] { return Doubled(l, Ticks(l, 6)) })
}

func TestStreamCloseWhileAwaiting(t *testing.T) {
	var l Log
	g := &Gate{}
	s := Gated(&l, g)
	cx := runtime.NewContext(nil)
	if v, st := s.PollNext(cx); st != runtime.Yielded || v != 1 {
		t.Fatal(v, st)
	}
	if _, st := s.PollNext(cx); st != runtime.Pending {
		t.Fatal(st)
	}
	s.Close()
	if !g.Canceled || !reflect.DeepEqual(l.Items, []string{"gated cleanup"}) {
		t.Fatalf("canceled %v, log %q", g.Canceled, l.Items)
	}
	if _, st := s.PollNext(cx); st != runtime.Done {
		t.Fatal("closed stream gave", st)
	}
}

func TestBatchesFastPath(t *testing.T) {
	sameStream(t, []int{-1, 0, 1, 2, 3, 5, 8}, func(*Log) iter.Seq[int] { return func(y func(int) bool) { batches(5, y) } },
		func(*Log) runtime.AsyncIterator[int] { return Batches(5) })
	for _, limit := range []int{0, 5, 100, 1000} {
		same(t, func(l *Log) int { return sumStream(l, Batches(5), limit) },
			func(l *Log) runtime.Future[int] { return SumStream(l, Batches(5), limit) })
	}
}
