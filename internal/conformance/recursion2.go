package conformance

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async Odd
func odd(n int) bool {
	if n == 0 {
		return false
	}
	runtime.Await(After(1, 0))
	return runtime.Await(Even(n - 1))
}

//asyncgen:async Outer
func outer(log *Log, n int) int {
	runtime.Await(Sum(log, []int{9}, 1)) // an inline child whose value is discarded
	a := runtime.Await(Sum(log, []int{n, n + 1}, 2))
	b := runtime.Await(TreeSum(tree(1, n)))
	return a + b + runtime.Await(Sum(log, []int{1}, 1))
}
