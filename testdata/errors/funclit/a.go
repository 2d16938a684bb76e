// Markers inside function literals, escaping or not.
package funclit

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async Escaping
func escaping(f runtime.Future[int]) func() int {
	return func() int {
		return runtime.Await(f) // ERROR col=10 "Await inside a function literal"
	}
}

//asyncgen:async Called
func called(f runtime.Future[int]) int {
	return func() int { return runtime.Await(f) }() // ERROR col=29 "Await inside a function literal"
}

//asyncgen:async Nested
func nested(f runtime.Future[runtime.Result[int]]) {
	func() {
		func() {
			_, _ = runtime.TryAwait(f) // ERROR col=11 "TryAwait inside a function literal"
		}()
	}()
}

//asyncgen:async Ranged
func ranged(s runtime.AsyncIterator[int]) {
	func() {
		for range runtime.ForAwait(s) { // ERROR col=13 "ForAwait inside a function literal"
		}
	}()
}

//asyncgen:stream Yielding
func yielding(yield func(int) bool) {
	func() { yield(1) }()       // ERROR col=11 "yield inside a function literal"
	defer func() { yield(2) }() // ERROR col=17 "yield inside a function literal"
}

//asyncgen:gen Pusher
func pusher(yield func(int) bool) {
	push := func(v int) bool { return yield(v) } // ERROR col=36 "yield inside a function literal"
	push(1)
}
