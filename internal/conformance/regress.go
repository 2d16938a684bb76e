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
