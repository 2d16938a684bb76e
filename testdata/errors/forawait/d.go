package forawait

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:stream D
func d(s runtime.AsyncIterator[int], yield func(int) bool) {
	for v := range runtime.ForAwait(s) {
		yield(v)
	}
}
