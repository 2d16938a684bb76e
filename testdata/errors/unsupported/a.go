// Constructs that asyncgen cannot lower.
package unsupported

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async A
func a(f runtime.Future[int], ch chan int) {
	var arr [4]int
	select {
	case arr[runtime.Await(f)] = <-ch: // ERROR col=7 "cannot lower an await in the left side of a select receive"
	}
}
