// Command kmerge merges k sorted sequences into one: a program that needs
// pull semantics, since the merge decides which input to advance next.
// The inputs and the merge are generators; the merge pulls each input with
// Next. The same bodies, run on iter.Pull instead of generated machines,
// are the benchmark's baseline (see docs/BENCHMARKS.md).
//
// It prints the first numbers whose only prime factors are among the
// first primes (the "smooth" numbers), found by merging the multiples of
// each prime.
//
//	go run ./examples/kmerge
package main

//go:generate go tool asyncgen

import (
	"fmt"
	"iter"
	"strings"

	"github.com/asyncgen/asyncgen/runtime"
)

// Multiples yields p, 2p, 3p, ... up to limit.
//
//asyncgen:gen Multiples
func multiples(p, limit int, yield func(int) bool) {
	for v := p; v <= limit; v += p {
		if !yield(v) {
			return
		}
	}
}

// head is an input's current item in the merge's heap.
type head struct{ v, src int }

// heap is a binary min-heap of heads, by value, then by input.
type heap []head

func (h heap) less(i, j int) bool {
	return h[i].v < h[j].v || h[i].v == h[j].v && h[i].src < h[j].src
}

func (h heap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h *heap) push(x head) {
	*h = append(*h, x)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

// Merge yields the items of the sorted inputs srcs in order (with
// repeats), pulling one item at a time from the input whose head is
// smallest. It closes the inputs when it stops.
//
//asyncgen:gen Merge
func merge(srcs []runtime.Iterator[int], yield func(int) bool) {
	defer func() {
		for _, s := range srcs {
			s.Close()
		}
	}()
	var h heap
	for i, s := range srcs {
		if v, ok := s.Next(); ok {
			h.push(head{v, i})
		}
	}
	for len(h) > 0 {
		if !yield(h[0].v) {
			return
		}
		if v, ok := srcs[h[0].src].Next(); ok {
			h[0].v = v
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		h.down(0)
	}
}

// Distinct yields the items of a sorted input without repeats.
//
//asyncgen:gen Distinct
func distinct(src runtime.Iterator[int], yield func(int) bool) {
	defer src.Close()
	last, first := 0, true
	for {
		v, ok := src.Next()
		if !ok {
			return
		}
		if first || v != last {
			if !yield(v) {
				return
			}
		}
		last, first = v, false
	}
}

// Smooth returns the machine that yields, in order, the numbers up to
// limit divisible by at least one of primes.
func Smooth(primes []int, limit int) runtime.Iterator[int] {
	srcs := make([]runtime.Iterator[int], len(primes))
	for i, p := range primes {
		srcs[i] = Multiples(p, limit)
	}
	return Distinct(Merge(srcs))
}

// pulled is an iter.Seq pulled through iter.Pull, as a runtime.Iterator.
type pulled struct {
	next func() (int, bool)
	stop func()
}

func (p *pulled) Next() (int, bool) { return p.next() }
func (p *pulled) Close()            { p.stop() }

// pull returns seq as an Iterator through iter.Pull.
func pull(seq iter.Seq[int]) runtime.Iterator[int] {
	next, stop := iter.Pull(seq)
	return &pulled{next, stop}
}

// SmoothPull is Smooth with the same bodies called directly, as
// iter.Seq functions, each input of a merge pulled through iter.Pull: the
// program as it is written without asyncgen.
func SmoothPull(primes []int, limit int) runtime.Iterator[int] {
	srcs := make([]runtime.Iterator[int], len(primes))
	for i, p := range primes {
		srcs[i] = pull(func(yield func(int) bool) { multiples(p, limit, yield) })
	}
	merged := pull(func(yield func(int) bool) { merge(srcs, yield) })
	return pull(func(yield func(int) bool) { distinct(merged, yield) })
}

// Primes is the set the program uses.
var Primes = []int{2, 3, 5, 7, 11, 13, 17, 19}

func main() {
	var out []string
	it := Smooth([]int{3, 5, 7}, 1000)
	for v, ok := it.Next(); ok && len(out) < 20; v, ok = it.Next() {
		out = append(out, fmt.Sprint(v))
	}
	it.Close()
	fmt.Println("multiples of 3, 5 or 7:", strings.Join(out, " "))

	n := 0
	for range Distinct(Merge([]runtime.Iterator[int]{Multiples(2, 1_000_000), Multiples(3, 1_000_000)})).All() {
		n++
	}
	fmt.Printf("numbers up to 1,000,000 divisible by 2 or 3: %d\n", n)

	count := func(it runtime.Iterator[int]) int {
		defer it.Close()
		c := 0
		for _, ok := it.Next(); ok; _, ok = it.Next() {
			c++
		}
		return c
	}
	a, b := count(Smooth(Primes, 100_000)), count(SmoothPull(Primes, 100_000))
	fmt.Printf("numbers up to 100,000 divisible by a prime below 20: %d (machines), %d (iter.Pull)\n", a, b)
}
