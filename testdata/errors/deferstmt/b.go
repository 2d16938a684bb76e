package deferstmt

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async B
func b(f runtime.Future[int]) {
	defer use(runtime.Await(f)) // ERROR col=2 "await or yield inside a defer statement"
}
