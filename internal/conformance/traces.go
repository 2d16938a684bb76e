package conformance

import "github.com/asyncgen/asyncgen/runtime"

// Bodies whose panics and stack traces must name their own lines.

//asyncgen:async IndexAfterAwait
func indexAfterAwait(xs []int, i int) int {
	runtime.Await(ready(0))
	return xs[i] // trace: index
}

//asyncgen:async AwaitsIndex
func awaitsIndex(xs []int, i int) int {
	v := runtime.Await(IndexAfterAwait(xs, i)) // trace: parent await
	return v
}

//asyncgen:gen PanicsLast
func panicsLast(n int, yield func(int) bool) {
	for i := 0; i < n; i++ {
		yield(i)
	}
	if n >= 0 {
		panic("last") // trace: last statement
	}
}
