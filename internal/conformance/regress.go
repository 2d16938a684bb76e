package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

func add3(a, b, c int) int { return a + b + c }

//asyncgen:async Regressions
func regressions(log *Log, n int) int {
	// A deferred literal with arguments sees its own iteration's variable.
	for i := 0; i < 2; i++ {
		defer func(k int) { log.Add(fmt.Sprint("defer ", k, i)) }(i)
		runtime.Await(ready(0))
	}
	// A switch tag with calls around an await is evaluated once, and a case
	// awaits.
	switch add3(note(log, "t1", 1), runtime.Await(ready(n)), note(log, "t2", 2)) % 4 {
	case runtime.Await(ready(0)):
		log.Add("zero")
	case 1, 2:
		log.Add("one or two")
	}
	// A channel ranged without a variable; a channel variable kept across
	// awaits.
	ch := make(chan int, 2)
	ch <- runtime.Await(ready(4))
	ch <- 5
	close(ch)
	c := 0
	for range ch {
		c += runtime.Await(ready(1))
	}
	// An else branch that returns.
	if runtime.Await(ready(n)) > 5 {
		log.Add("big")
	} else {
		return c
	}
	return -c
}

// A variable assigned after a branch out of verbatim code, in the same
// block, keeps across the suspension before it the value the branch leaves
// it with: the continue reaches a use of x before the assignment kills it.
//
//asyncgen:gen KeepPastContinue
func keepPastContinue(log *Log, yield func(int) bool) {
	x := -1
	for i := range 3 {
		if !yield(i) {
			return
		}
		if i == 2 {
			log.Add("skip")
			continue
		}
		x = i
	}
	yield(x)
}

// The same with a break, in an async body whose other variable of the same
// type would share x's field if x were thought dead there.
//
//asyncgen:async KeepPastBreak
func keepPastBreak(log *Log, n int) int {
	x := -1
	for i := 0; i < n; i++ {
		j := runtime.Await(ready(i))
		runtime.Await(ready(0)) // j is held across it
		if j == 2 {
			log.Add("stop")
			break
		}
		x = j
	}
	return x + runtime.Await(ready(0))
}

// A named result returned as itself beside a call that changes it: the
// result is what the call left (the compiler reads r after the call), and
// the generated code assigns only err (r = r is left out, as go vet asks).
//
//asyncgen:async ResultBesideCall
func resultBesideCall(log *Log) (r int, err error) {
	r = runtime.Await(ready(1))
	return r, bump(log, &r, runtime.Await(ready(4)))
}

func bump(log *Log, p *int, d int) error {
	*p += d
	log.Add(fmt.Sprint("bumped to ", *p))
	return nil
}
