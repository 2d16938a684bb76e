package conformance

import (
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

// TestRuntimeFuturesInline runs a producer and a consumer machine on the
// deterministic executor. The runtime futures they await (channel send and
// receive, mutex lock) are built in place inside the machines with Init,
// so a full run allocates only the machines and the executor's tasks.
func TestRuntimeFuturesInline(t *testing.T) {
	run := func(n int) int {
		l := runtime.NewLocal()
		defer l.Close()
		ch := runtime.NewChan[int](0)
		var mu runtime.Mutex
		total := 0
		runtime.Go(l, runtime.Map[error, struct{}](Producer(ch, n), func(error) struct{} { return struct{}{} }))
		got, err := runtime.RunFuture(l, Consumer(&mu, ch, &total))
		if err != nil || got != n || total != n*(n-1)/2 {
			t.Fatalf("got %d items, total %d, err %v", got, total, err)
		}
		return got
	}
	run(100)
	small := testing.AllocsPerRun(5, func() { run(10) })
	large := testing.AllocsPerRun(5, func() { run(1000) })
	if large > small+5 {
		t.Fatalf("allocations grow with the number of waits: %v for 10 items, %v for 1000", small, large)
	}
}
