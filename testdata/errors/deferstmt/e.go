package deferstmt

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async E
func e(f runtime.Future[int]) {
	defer func() {
		use(runtime.Await(f)) // ERROR col=7 "Await inside a function literal"
	}()
}
