// TryAwait in a single-value context is a type error, reported as such.
package tryawait

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async A
func a(f runtime.Future[runtime.Result[int]]) int {
	v := runtime.TryAwait(f)       // ERROR col=7 "assignment mismatch: 1 variable but runtime.TryAwait returns 2 values"
	return v + runtime.TryAwait(f) // ERROR col=13 "multiple-value runtime.TryAwait\\(f\\) .* in single-value context"
}
