package forawait

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async B
func b(s runtime.AsyncIterator[int]) {
	use(runtime.ForAwait(s)) // ERROR col=6 "ForAwait outside the head of a range loop"
}
