package deferstmt

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async C
func c(f runtime.Future[runtime.Result[int]]) {
	defer use(runtime.TryAwait(f)) // ERROR col=2 "await or yield inside a defer statement"
}
