package gostmt

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async D
func d(f runtime.Future[int]) {
	go func() {
		use(runtime.Await(f)) // ERROR col=7 "Await inside a function literal"
	}()
}
