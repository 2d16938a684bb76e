// Markers inside a go statement: the goroutine's frame is not the machine's.
package gostmt

import "github.com/asyncgen/asyncgen/runtime"

func use(int) {}

//asyncgen:async A
func a(f runtime.Future[int]) {
	go runtime.Await(f) // ERROR col=2 "await or yield inside a go statement"
}
