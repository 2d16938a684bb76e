package runtime

import (
	goruntime "runtime"
	"time"
)

// Go's monitor thread takes the processor (P) of a goroutine that sits in a
// blocking system call after running 10ms without passing through Go's
// scheduler, hands it to another thread, and then polls every 20µs for a
// while; the goroutine, back from the call, has to get a processor again.
// An executor's loop lives on one goroutine and never passes through the
// scheduler on its own, so every wait it makes in the poller after its
// first 10ms would be taken that way, over and over. A passBeforeWait
// makes it pass through the scheduler (runtime.Gosched, a fraction of a
// microsecond, and a wake of an idle thread that finds nothing to do)
// before a blocking wait, when its last pass is over 5ms old: its time
// slice then never looks that old. Under plain redis-benchmark GETs this
// takes kv on Local from about 2,000 of the monitor's sleeps a second to
// 200, and its CPU time by about 10%.
type passBeforeWait struct {
	last time.Duration // since passEpoch, at the last pass
}

// passEpoch is the origin of passBeforeWait's clock (monotonic).
var passEpoch = time.Now()

// pass passes through the scheduler if the last pass is over 5ms old.
func (p *passBeforeWait) pass() {
	if now := time.Since(passEpoch); now-p.last >= 5*time.Millisecond {
		goruntime.Gosched()
		p.last = now
	}
}
