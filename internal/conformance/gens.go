package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:gen Fib
func fib(n int, yield func(int) bool) {
	a, b := 0, 1
	for i := 0; i < n; i++ {
		if !yield(a) {
			return
		}
		a, b = b, a+b
	}
}

//asyncgen:gen Pairs
func pairsGen(log *Log, n int, yield func(string) bool) {
	defer log.Add("pairs done")
	for i := 0; i < n; i++ {
		ok := yield(fmt.Sprint("a", i)) && yield(fmt.Sprint("b", i))
		log.Add(fmt.Sprint("after ", i, ok))
		if !ok {
			return
		}
	}
}

//asyncgen:gen Permutations
func permutations(xs []int, yield func([]int) bool) {
	if len(xs) <= 1 {
		yield(append([]int(nil), xs...))
		return
	}
	for i := range xs {
		rest := append(append([]int(nil), xs[:i]...), xs[i+1:]...)
		for p := range Permutations(rest).All() {
			if !yield(append([]int{xs[i]}, p...)) {
				return
			}
		}
	}
}

//asyncgen:gen Count
func countFrom(start int, yield func(int) bool) {
	for i := start; ; i++ {
		if !yield(i) {
			return
		}
	}
}

//asyncgen:gen Filter
func filter(src *CountIter, p int, yield func(int) bool) {
	defer src.Close()
	for {
		v, ok := src.Next()
		if !ok {
			return
		}
		if v%p != 0 && !yield(v) {
			return
		}
	}
}

//asyncgen:gen Primes
func primes(yield func(int) bool) {
	var ch runtime.Iterator[int] = Count(2)
	for {
		p, ok := ch.Next()
		if !ok {
			return
		}
		if !yield(p) {
			ch.Close()
			return
		}
		ch = &sieveStage{src: ch, p: p}
	}
}

// sieveStage filters multiples of p out of src.
type sieveStage struct {
	src runtime.Iterator[int]
	p   int
}

func (s *sieveStage) Next() (int, bool) {
	for {
		v, ok := s.src.Next()
		if !ok || v%s.p != 0 {
			return v, ok
		}
	}
}

func (s *sieveStage) Close() { s.src.Close() }

// Tree is a binary tree.
type Tree struct {
	Left, Right *Tree
	V           int
}

//asyncgen:gen Walk
func walk(t *Tree, yield func(int) bool) {
	if t == nil {
		return
	}
	for v := range Walk(t.Left).All() {
		if !yield(v) {
			return
		}
	}
	if !yield(t.V) {
		return
	}
	for v := range Walk(t.Right).All() {
		if !yield(v) {
			return
		}
	}
}

//asyncgen:gen Shapes
func shapes(log *Log, n int, yield func(string) bool) {
	x := 0
	p := &x
	more := true
	defer func() { log.Add(fmt.Sprint("defer sees ", x)) }()
outer:
	for i := 0; i < n; i++ {
		switch {
		case i%3 == 0:
			*p += i
			if more = yield(fmt.Sprint("three ", i, x)); !more {
				break outer
			}
		case i%3 == 1:
			for j := 0; j < i; j++ {
				if j == 2 {
					continue outer
				}
				if !yield(fmt.Sprint("inner ", i, j)) {
					return
				}
			}
		default:
			goto skip
		}
		log.Add(fmt.Sprint("step ", i))
	skip:
	}
	if more {
		yield(fmt.Sprint("last ", x))
	}
}

//asyncgen:gen Boom
func boom(log *Log, n int, yield func(int) bool) {
	defer log.Add("boom deferred")
	for i := 0; ; i++ {
		if i == n {
			panic(fmt.Sprint("boom at ", i))
		}
		if !yield(i) {
			return
		}
	}
}

//asyncgen:gen Stubborn
func stubborn(yield func(int) bool) {
	yield(1)
	yield(2)
}

// Ring is a generic ring buffer whose items a generated method iterates.
type Ring[T any] struct{ Items []T }

//asyncgen:gen Each
func (r *Ring[T]) each(log *Log, start int, yield func(T) bool) {
	var fs []func() T
	for i := 0; i < len(r.Items); i++ {
		j := (start + i) % len(r.Items)
		fs = append(fs, func() T { return r.Items[j] })
		if !yield(r.Items[j]) {
			log.Add(fmt.Sprint("stopped at ", i))
			return
		}
	}
	for k, f := range fs {
		log.Add(fmt.Sprint("closure ", k, " sees ", f()))
	}
}

//asyncgen:gen Drain
func drainChans(log *Log, a, b chan int, yield func(int) bool) {
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				log.Add("a done")
				continue
			}
			if !yield(v) {
				return
			}
		case v, ok := <-b:
			if !ok {
				b = nil
				log.Add("b done")
				continue
			}
			if !yield(v * 100) {
				return
			}
		}
	}
}

// Series yields n terms of an arithmetic series: a generic generator whose
// loop is its fast path.
//
//asyncgen:gen Series
func series[N int | float64](start, step N, n int, yield func(N) bool) {
	x := start
	for i := 0; i < n; i++ {
		if !yield(x) {
			return
		}
		x += step
	}
}

// The bodies below take fast paths of different shapes (see
// testdata/golden/fastpath.txtar); Deref's element read can panic
// and takes none.

//asyncgen:gen EachString
func eachString(xs []string, yield func(string) bool) {
	for _, x := range xs {
		if !yield(x) {
			return
		}
	}
}

//asyncgen:gen EachArray
func eachArray(xs [4]int, yield func(int) bool) {
	for i, x := range xs {
		if !yield(x*10 + i) {
			return
		}
	}
}

//asyncgen:gen Squares
func squares(n int, yield func(int) bool) {
	for i := 0; i < n; i++ {
		sq := i * i
		if !yield(sq) {
			return
		}
	}
}

//asyncgen:gen Offcycle
func offcycle(n int, yield func(int) bool) {
	for i := 0; i < n; i++ {
		x := i * 2
		if i == 5 {
			if !yield(-x) {
				return
			}
		}
		if !yield(i) {
			return
		}
	}
}

//asyncgen:gen Digits
func digits(n uint, k uint, yield func(uint) bool) {
	for n > 0 {
		if !yield(n % 10 << k) {
			return
		}
		n /= 10
	}
}

//asyncgen:gen Odds
func odds(xs []int, yield func(int) bool) {
	for _, x := range xs {
		if x%2 == 1 && !yield(x) {
			return
		}
	}
}

//asyncgen:gen Sparse
func sparse(xs []int, yield func(int) bool) {
	skipped := 0
	for _, x := range xs {
		if x%3 == 0 {
			skipped++
			continue
		}
		if !yield(x*10 + skipped) {
			return
		}
	}
	yield(-skipped)
}

//asyncgen:gen Stepper
func stepper(n int, yield func(int) bool) {
	total := 0
	for i := 0; i < n; i++ {
		if i%4 == 1 {
			continue
		}
		if !yield(i + total) {
			return
		}
		total += i
	}
}

//asyncgen:gen Until
func until(xs []int, limit int, yield func(int) bool) {
	for _, x := range xs {
		if x > limit || !yield(x) {
			return
		}
	}
}

//asyncgen:gen Never
func never(n int, yield func(int) bool) {
	if !yield(-1) {
		return
	}
	acc := 1
	for i := range n {
		acc ^= 1
		if 7%3 == 0 && !yield(acc+i) {
			return
		}
	}
	yield(acc)
}

//asyncgen:gen Sticky
func sticky(n int, yield func(int) bool) {
	y := 100
	for i := 0; i < n; i++ {
		if i%3 == 0 {
			y = i + 10
		}
		if !yield(y) {
			return
		}
	}
}

//asyncgen:gen Blocky
func blocky(n int, yield func(int) bool) {
	y := 0
	for i := 0; i < n; i++ {
		{
			y = i * 3
		}
		if !yield(y) {
			return
		}
	}
}

//asyncgen:gen Deref
func deref(p *[3]int, yield func(int) bool) {
	for _, v := range p {
		if !yield(v) {
			return
		}
	}
}
