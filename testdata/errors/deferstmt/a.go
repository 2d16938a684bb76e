// Markers inside a defer statement.
package deferstmt

import "github.com/asyncgen/asyncgen/runtime"

func use(...any) {}

//asyncgen:async A
func a(f runtime.Future[int]) {
	defer runtime.Await(f) // ERROR col=2 "await or yield inside a defer statement"
}
