package gostmt

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async B
func b(f runtime.Future[int]) {
	go use(runtime.Await(f)) // ERROR col=2 "await or yield inside a go statement"
}
