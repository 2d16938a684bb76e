package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:async Sum
func sum(log *Log, xs []int, delay int) int {
	total := 0
	for i, x := range xs {
		v := runtime.Await(After(delay, x*2))
		log.Add(fmt.Sprint("item ", i, v))
		if v > 10 {
			continue
		}
		total += v
	}
	return total
}
