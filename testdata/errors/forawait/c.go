package forawait

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async C
func c(s runtime.AsyncIterator[int]) {
	runtime.ForAwait(s)(func(int) bool { return true }) // ERROR col=2 "ForAwait outside the head of a range loop"
}
