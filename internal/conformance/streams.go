package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:stream Ticks
func ticks(log *Log, n int, yield func(int) bool) {
	defer log.Add("ticks done")
	for i := 0; i < n; i++ {
		v := runtime.Await(After(i%3, i*i))
		log.Add(fmt.Sprint("tick ", v))
		if !yield(v) {
			return
		}
	}
}

//asyncgen:async SumStream
func sumStream(log *Log, s runtime.AsyncIterator[int], limit int) int {
	total := 0
	for v := range runtime.ForAwait(s) {
		total += v
		if total > limit {
			break
		}
	}
	// The same stream continues where the first loop left it.
	for v := range runtime.ForAwait(s) {
		log.Add(fmt.Sprint("rest ", v))
	}
	return total
}

//asyncgen:stream Doubled
func doubled(log *Log, s runtime.AsyncIterator[int], yield func(string) bool) {
	defer log.Add("doubled done")
	for v := range runtime.ForAwait(s) {
		x := runtime.Await(After(2, v*2))
		p := &x
		if v%2 == 1 {
			continue
		}
		if !yield(fmt.Sprint(*p)) {
			return
		}
		*p++
		log.Add(fmt.Sprint("after yield ", x))
	}
}

//asyncgen:stream Gated
func gated(log *Log, g *Gate, yield func(int) bool) {
	defer log.Add("gated cleanup")
	yield(1)
	yield(runtime.Await[int](g))
}
