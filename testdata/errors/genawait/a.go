// A generator cannot suspend on a future.
package genawait

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:gen Await
func await(f runtime.Future[int], yield func(int) bool) {
	yield(runtime.Await(f)) // ERROR col=8 `Await in a gen body: a generator cannot suspend on a future \(use asyncgen:stream\)`
}

//asyncgen:gen TryAwait
func tryAwait(f runtime.Future[runtime.Result[int]], yield func(int) bool) {
	v, _ := runtime.TryAwait(f) // ERROR col=10 "TryAwait in a gen body"
	yield(v)
}

//asyncgen:gen ForAwait
func forAwait(s runtime.AsyncIterator[int], yield func(int) bool) {
	for v := range runtime.ForAwait(s) { // ERROR col=17 "ForAwait in a gen body"
		yield(v)
	}
}

//asyncgen:stream Fine
func fine(f runtime.Future[int], yield func(int) bool) {
	yield(runtime.Await(f))
}
