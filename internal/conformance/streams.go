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

// Batches awaits each batch, then yields its items from the fast path: a
// cycle from the yield back to it with no await, and a loop over the items
// it skips.
//
//asyncgen:stream Batches
func batches(n int, yield func(int) bool) {
	for b := 0; b < n; b++ {
		xs := runtime.Await(After(b%3, []int{b, b * 10, b * 100, b + 1}))
		for _, x := range xs {
			if x%20 == 10 {
				continue
			}
			if !yield(x) {
				return
			}
		}
	}
}
