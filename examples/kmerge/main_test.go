package main

import (
	"slices"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// smoothRef is the answer computed by brute force.
func smoothRef(primes []int, limit int) []int {
	var out []int
	for v := 1; v <= limit; v++ {
		for _, p := range primes {
			if v%p == 0 {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

func drain(it runtime.Iterator[int]) []int {
	defer it.Close()
	var out []int
	for v, ok := it.Next(); ok; v, ok = it.Next() {
		out = append(out, v)
	}
	return out
}

func TestSmooth(t *testing.T) {
	for _, limit := range []int{0, 1, 2, 30, 5000} {
		want := smoothRef(Primes, limit)
		if got := drain(Smooth(Primes, limit)); !slices.Equal(got, want) {
			t.Errorf("machines, limit %d: %d items, want %d", limit, len(got), len(want))
		}
		if got := drain(SmoothPull(Primes, limit)); !slices.Equal(got, want) {
			t.Errorf("iter.Pull, limit %d: %d items, want %d", limit, len(got), len(want))
		}
	}
}

// closeCounter counts Close calls of an input.
type closeCounter struct {
	runtime.Iterator[int]
	n *int
}

func (c closeCounter) Close() { *c.n++; c.Iterator.Close() }

// Stopping the merge early closes every input, machines and iter.Pull
// alike.
func TestStopEarly(t *testing.T) {
	for _, mk := range []func(p, limit int) runtime.Iterator[int]{
		func(p, limit int) runtime.Iterator[int] { return Multiples(p, limit) },
		func(p, limit int) runtime.Iterator[int] {
			return pull(func(yield func(int) bool) { multiples(p, limit, yield) })
		},
	} {
		closed := 0
		var srcs []runtime.Iterator[int]
		for _, p := range Primes {
			srcs = append(srcs, closeCounter{mk(p, 1000), &closed})
		}
		var got []int
		for v := range Merge(srcs).All() {
			got = append(got, v)
			if len(got) == 5 {
				break
			}
		}
		if !slices.Equal(got, []int{2, 3, 4, 5, 6}) || closed != len(Primes) {
			t.Fatalf("got %v, closed %d of %d", got, closed, len(Primes))
		}
	}
}

func TestProgram(t *testing.T) { main() }

// The same program, 8 inputs merged and deduplicated (about 83,000 items
// from 145,545 pulled), on generated machines and on iter.Pull.
func benchSmooth(b *testing.B, mk func([]int, int) runtime.Iterator[int]) {
	const limit = 100_000
	items := 0
	for b.Loop() {
		it := mk(Primes, limit)
		for _, ok := it.Next(); ok; _, ok = it.Next() {
			items++
		}
		it.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(items), "ns/item")
}

func BenchmarkSmooth(b *testing.B) {
	b.Run("machines", func(b *testing.B) { benchSmooth(b, Smooth) })
	b.Run("iter.Pull", func(b *testing.B) { benchSmooth(b, SmoothPull) })
}
