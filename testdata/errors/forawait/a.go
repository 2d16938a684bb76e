// ForAwait outside the head of a range loop.
package forawait

import (
	"iter"

	"github.com/asyncgen/asyncgen/runtime"
)

func use(iter.Seq[int]) {}

//asyncgen:async A
func a(s runtime.AsyncIterator[int]) {
	seq := runtime.ForAwait(s) // ERROR col=9 "ForAwait outside the head of a range loop"
	for range seq {
	}
}
