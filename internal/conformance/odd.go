package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

func ptrTo(log *Log, p *int) *int { log.Add("ptrTo"); return p }

// Triple is the result of OddPlaces.
type Triple struct {
	A, B int
	S    string
}

//asyncgen:async OddPlaces
func oddPlaces(log *Log, n int) (r Triple) {
	var s string
	arr := [3]int{1, 2, 3}
	xs := []int{0, 0, 0}
	// Two-phase assignment with awaits on both sides of the tuple.
	xs[runtime.Await(ready(0))], xs[2] = runtime.Await(ready(n)), runtime.Await(ready(n+1))
	// A pointer from a call, assigned through after an await.
	v := 0
	*ptrTo(log, &v) = runtime.Await(ready(7))
	// Map keys and values that await.
	m := map[string]int{fmt.Sprint("k", runtime.Await(ready(1))): runtime.Await(ready(2))}
	// A switch whose init and tag await; a type switch whose operand awaits.
	switch t := runtime.Await(ready(n)); t + runtime.Await(ready(1)) {
	case 1:
		s = "one"
	default:
		s = "other"
	}
	switch x := runtime.Await(ready[any](n)).(type) {
	case int:
		s += fmt.Sprint(x + 1)
	}
	// A labeled block with an await, left with goto.
	{
		if runtime.Await(ready(n)) > 100 {
			goto done
		}
		s += "!"
	}
	// An array pointer ranged, the range expression awaiting.
	for i, x := range runtime.Await(ready(&arr)) {
		arr[i] = x * runtime.Await(ready(2))
	}
	log.Add(fmt.Sprint(xs, v, m, arr))
done:
	return Triple{runtime.Await(ready(xs[0])), runtime.Await(ready(xs[2])), s}
}
