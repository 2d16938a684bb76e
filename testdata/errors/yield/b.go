package yield

import (
	"github.com/asyncgen/asyncgen/runtime"
	. "github.com/asyncgen/asyncgen/runtime"
)

func apply[T any](await func(runtime.Future[T]) T, f runtime.Future[T]) T { return await(f) }

// The markers of the runtime too are only called.

//asyncgen:async AwaitValue
func awaitValue(f runtime.Future[int]) int {
	return apply(runtime.Await[int], f) // ERROR col=15 "runtime.Await used other than by calling it"
}

//asyncgen:async TryAwaitValue
func tryAwaitValue() {
	t := runtime.TryAwait[int] // ERROR col=7 "runtime.TryAwait used other than by calling it"
	_ = t
}

//asyncgen:async DotAwait
func dotAwait(f runtime.Future[int]) int {
	return apply(Await, f) // ERROR col=15 "Await used other than by calling it"
}

//asyncgen:async Called
func called(f runtime.Future[int], s runtime.AsyncIterator[int]) int {
	n := (runtime.Await[int])(f) + Await(f)
	for v := range ForAwait(s) {
		n += v
	}
	return n
}
