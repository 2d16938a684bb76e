package runtime

// Long randomized schedules: on a seeded, virtual-time Local with the
// executor's invariants checked at every poll and the trace compared run
// against run, and on a Pool under the race detector with tasks completing,
// waking one another and being canceled all at once.

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A scheduleWorld is one randomized scenario on a Local: workers run
// scripts of sleeps, yields, messages to later workers, waits for messages
// from earlier ones (so nobody waits in a cycle), spurious wakes of any
// task, and cancellation of victims, which wait for ever.
type scheduleWorld struct {
	t       *testing.T
	l       *Local
	actors  []*actor
	victims []*victim
	handles []*Task[int] // actors' then victims'
	trace   []string
	fired   []int64 // deadlines of completed sleeps, in completion order
	h       interface{ Write([]byte) (int, error) }
}

type stepKind int

const (
	stepSleep stepKind = iota
	stepYield
	stepSend    // one message to a later actor
	stepWait    // until arg messages have arrived
	stepSpur    // wake any task (a spurious poll for it)
	stepCancel  // cancel a victim
	stepSelfish // wake itself and return pending
	stepChSend  // one value on a later actor's channel (the runtime wakes its receiver during this poll)
	stepChRecv  // one value from its own channel
)

type stepOp struct {
	kind stepKind
	arg  int
}

// actor runs its script; its value is the number of polls it took.
type actor struct {
	w       *scheduleWorld
	id      int
	script  []stepOp
	pc      int
	polls   int
	done    bool
	inbox   int // messages arrived
	waker   Waker
	sleep   *SleepFuture
	wakeAt  int64 // the running sleep's deadline (virtual nanoseconds)
	yielded bool
	ch      *Chan[int]
	recv    *RecvFuture[int]
	got     []int // values received on ch
}

func (a *actor) Poll(cx *Context) (int, bool) {
	w := a.w
	if a.done {
		w.t.Fatalf("actor %d polled after completion", a.id)
	}
	a.polls++
	a.waker = cx.Waker()
	w.log("a%d@%d pc=%d t=%d", a.id, a.polls, a.pc, w.l.tq.now())
	for a.pc < len(a.script) {
		op := a.script[a.pc]
		switch op.kind {
		case stepSleep:
			if a.sleep == nil {
				a.sleep = Sleep(time.Duration(op.arg) * time.Millisecond)
				a.wakeAt = w.l.tq.now() + int64(op.arg)*int64(time.Millisecond)
			}
			if _, ok := a.sleep.Poll(cx); !ok {
				return 0, false
			}
			if now := w.l.tq.now(); now != a.wakeAt {
				w.t.Fatalf("actor %d: sleep until %d woke at %d", a.id, a.wakeAt, now)
			}
			w.fired = append(w.fired, a.wakeAt)
			a.sleep = nil
		case stepYield:
			if !a.yielded {
				a.yielded = true
				cx.Waker().Wake()
				return 0, false
			}
			a.yielded = false
		case stepSend:
			to := w.actors[op.arg]
			to.inbox++
			if to.waker != nil {
				to.waker.Wake()
			}
		case stepWait:
			if a.inbox < op.arg {
				return 0, false
			}
		case stepChSend:
			if err, ok := w.actors[op.arg].ch.Send(a.id).Poll(cx); !ok || err != nil {
				w.t.Fatalf("actor %d: send to an unbounded channel: %v, %v", a.id, err, ok)
			}
		case stepChRecv:
			if a.recv == nil {
				a.recv = a.ch.Recv()
			}
			r, ok := a.recv.Poll(cx)
			if !ok {
				return 0, false
			}
			if r.Err != nil || r.Value >= a.id {
				w.t.Fatalf("actor %d received %v from a later actor", a.id, r)
			}
			a.got = append(a.got, r.Value)
			a.recv = nil
		case stepSpur:
			w.handles[op.arg].wake()
		case stepCancel:
			w.handles[len(w.actors)+op.arg].Cancel()
		case stepSelfish:
			if !a.yielded {
				a.yielded = true
				cx.Waker().Wake()
				cx.Waker().Wake() // a second wake while pending is one wake
				return 0, false
			}
			a.yielded = false
		}
		a.pc++
	}
	a.done = true
	return a.polls, true
}

func (a *actor) Cancel() { a.w.t.Fatalf("actor %d canceled", a.id) }

// victim waits for ever, until canceled.
type victim struct {
	w        *scheduleWorld
	id       int
	polls    int
	canceled int
}

func (v *victim) Poll(cx *Context) (int, bool) {
	if v.canceled > 0 {
		v.w.t.Fatalf("victim %d polled after cancellation", v.id)
	}
	v.polls++
	v.w.log("v%d@%d", v.id, v.polls)
	return 0, false
}

func (v *victim) Cancel() {
	v.canceled++
	v.w.log("v%d canceled", v.id)
}

func (w *scheduleWorld) log(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if w.trace != nil {
		w.trace = append(w.trace, s)
	}
	w.h.Write([]byte(s))
	w.h.Write([]byte{'\n'})
}

// newScheduleWorld makes the scenario of seed, on a Local seeded with
// exSeed: nActors actors with scripts
// of up to maxSteps steps and nVictims victims, spawned in a random order.
func newScheduleWorld(t *testing.T, seed, exSeed uint64, nActors, nVictims, maxSteps int, keepTrace bool) *scheduleWorld {
	r := rand.New(rand.NewPCG(seed, 0xdead))
	w := &scheduleWorld{t: t, l: NewLocal(WithSeed(exSeed), WithVirtualTime(time.Unix(0, 0))), h: fnv.New64a()}
	if keepTrace {
		w.trace = []string{}
	}
	for i := range nActors {
		w.actors = append(w.actors, &actor{w: w, id: i, ch: NewUnbounded[int]()})
	}
	for i := range nVictims {
		w.victims = append(w.victims, &victim{w: w, id: i})
	}
	// Scripts. Messages go to later actors only; an actor waits for at
	// most the messages earlier actors send it, so waits form no cycle.
	sent := make([]int, nActors)
	chSent, chRecv := make([]int, nActors), make([]int, nActors)
	cancels := r.Perm(nVictims)
	for _, a := range w.actors {
		for range 1 + r.IntN(maxSteps) {
			var op stepOp
			switch k := r.IntN(12); {
			case k < 3:
				op = stepOp{stepSleep, r.IntN(50)}
			case k == 3:
				op = stepOp{kind: stepYield}
			case k == 4:
				op = stepOp{kind: stepSelfish}
			case k < 7 && a.id+1 < nActors:
				to := a.id + 1 + r.IntN(nActors-a.id-1)
				op = stepOp{stepSend, to}
				sent[to]++
			case k == 7 && sent[a.id] > 0:
				op = stepOp{stepWait, 1 + r.IntN(sent[a.id])}
			case k == 8:
				op = stepOp{stepSpur, r.IntN(nActors + nVictims)}
			case k == 9 && len(cancels) > 0:
				op = stepOp{stepCancel, cancels[0]}
				cancels = cancels[1:]
			case k == 10 && a.id+1 < nActors:
				to := a.id + 1 + r.IntN(nActors-a.id-1)
				op = stepOp{stepChSend, to}
				chSent[to]++
			case k == 11 && chRecv[a.id] < chSent[a.id]:
				op = stepOp{kind: stepChRecv}
				chRecv[a.id]++
			default:
				op = stepOp{kind: stepYield}
			}
			a.script = append(a.script, op)
		}
	}
	// The last actor cancels the victims nobody else did.
	last := w.actors[nActors-1]
	for _, v := range cancels {
		last.script = append(last.script, stepOp{stepCancel, v})
	}
	w.handles = make([]*Task[int], nActors+nVictims)
	for _, i := range r.Perm(nActors + nVictims) {
		if i < nActors && i%3 == 1 {
			// Polled inside a combinator: its wakes go through the
			// combinator's child waker.
			w.handles[i] = Spawn(w.l, Race[int](w.actors[i]))
		} else if i < nActors {
			w.handles[i] = Spawn[int](w.l, w.actors[i])
		} else {
			w.handles[i] = Spawn[int](w.l, w.victims[i-nActors])
		}
	}
	return w
}

// run runs the world to the end and checks the executor's invariants; it
// returns the hash of the trace.
func (w *scheduleWorld) run() uint64 {
	t := w.t
	t.Helper()
	if !w.l.RunUntilStalled() {
		for _, a := range w.actors {
			if !a.done {
				t.Errorf("actor %d stuck at step %d of %v (inbox %d)", a.id, a.pc, a.script, a.inbox)
			}
		}
		t.Fatalf("executor stalled with %d tasks unfinished: a wake was lost", w.l.Len())
	}
	if n := w.l.Len(); n != 0 {
		t.Fatalf("%d tasks left", n)
	}
	for i, a := range w.actors {
		v, err := w.handles[i].Join()
		if err != nil || !a.done || v != a.polls {
			t.Fatalf("actor %d: %d, %v (done %v, %d polls)", i, v, err, a.done, a.polls)
		}
	}
	for i, v := range w.victims {
		if _, err := w.handles[len(w.actors)+i].Join(); err != ErrCanceled || v.canceled != 1 {
			t.Fatalf("victim %d: %v, canceled %d times", i, err, v.canceled)
		}
	}
	for i := 1; i < len(w.fired); i++ {
		if w.fired[i] < w.fired[i-1] {
			t.Fatalf("timers out of order: deadline %d completed after %d", w.fired[i], w.fired[i-1])
		}
	}
	if n := w.l.tq.len(); n != 0 {
		t.Fatalf("%d timers left", n)
	}
	return w.h.(interface{ Sum64() uint64 }).Sum64()
}

// TestStressLocalSchedules runs random scenarios on seeded virtual-time
// executors, each twice: the invariants hold and the traces are equal.
func TestStressLocalSchedules(t *testing.T) {
	budget := 3 * time.Second
	if testing.Short() {
		budget = 300 * time.Millisecond
	}
	start := time.Now()
	seeds, polls := 0, uint64(0)
	distinct := map[uint64]bool{}
	for seed := uint64(1); time.Since(start) < budget || seeds < 4; seed++ {
		nActors, nVictims := 5+int(seed%40), int(seed%7)
		a := newScheduleWorld(t, seed, seed, nActors, nVictims, 30, seed%16 == 1)
		ha := a.run()
		b := newScheduleWorld(t, seed, seed, nActors, nVictims, 30, seed%16 == 1)
		hb := b.run()
		if ha != hb {
			if a.trace != nil {
				for i := range min(len(a.trace), len(b.trace)) {
					if a.trace[i] != b.trace[i] {
						t.Fatalf("seed %d: traces differ at event %d: %q vs %q", seed, i, a.trace[i], b.trace[i])
					}
				}
			}
			t.Fatalf("seed %d: same seed, different traces", seed)
		}
		if a.l.Polls() != b.l.Polls() {
			t.Fatalf("seed %d: %d polls, then %d", seed, a.l.Polls(), b.l.Polls())
		}
		distinct[ha] = true
		seeds++
		polls += a.l.Polls()
	}
	if len(distinct) < seeds*9/10 {
		t.Errorf("%d seeds gave only %d distinct traces", seeds, len(distinct))
	}
	t.Logf("%d seeds, %d polls in all (each run twice), %v", seeds, polls, time.Since(start).Round(time.Millisecond))
}

// TestStressLocalSeedChangesSchedule checks that the seed, not only the
// scenario, decides the interleaving: one scenario under other executor
// seeds gives other traces, with the same outcome.
func TestStressLocalSeedChangesSchedule(t *testing.T) {
	const scenario = 7
	hashes := map[uint64]bool{}
	for exSeed := range uint64(8) {
		w := newScheduleWorld(t, scenario, exSeed, 20, 3, 20, false)
		hashes[w.run()] = true
	}
	if len(hashes) < 4 {
		t.Errorf("8 executor seeds gave %d distinct traces", len(hashes))
	}
}

// chaos is a Pool task that, poll by poll, completes, wakes itself during
// the poll, wakes other tasks, or has a goroutine wake it a little later.
// It checks that it is never polled by two workers at once, never after
// completing or being canceled, and is canceled at most once.
type chaos struct {
	exclusive
	id       int
	rng      *rand.Rand
	left     int // polls until it completes
	done     atomic.Bool
	canceled atomic.Int32
	others   []*Task[int]
	npolls   atomic.Int32
	bad      *atomic.Value // first invariant broken, as a string
	wg       *sync.WaitGroup
}

func (c *chaos) fail(format string, args ...any) {
	c.bad.CompareAndSwap(nil, fmt.Sprintf(format, args...))
}

func (c *chaos) Poll(cx *Context) (int, bool) {
	c.enter()
	defer c.leave()
	if c.done.Load() {
		c.fail("task %d polled after completion", c.id)
	}
	if c.canceled.Load() != 0 {
		c.fail("task %d polled after cancellation", c.id)
	}
	c.npolls.Add(1)
	if c.left == 0 {
		c.done.Store(true)
		return c.id, true
	}
	c.left--
	switch c.rng.IntN(4) {
	case 0: // wake itself during the poll
		cx.Waker().Wake()
	case 1: // wake during the poll from another goroutine, waited for
		w := cx.Waker()
		ch := make(chan struct{})
		go func() { w.Wake(); close(ch) }()
		<-ch
	case 2: // a goroutine wakes it later
		w := cx.Waker()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			goruntime.Gosched()
			w.Wake()
		}()
	default: // wake itself, and others spuriously
		for range 2 {
			if o := c.others[c.rng.IntN(len(c.others))]; o != nil {
				o.wake()
			}
		}
		cx.Waker().Wake()
	}
	return 0, false
}

func (c *chaos) Cancel() {
	c.enter()
	defer c.leave()
	if c.done.Load() {
		c.fail("task %d canceled after completion", c.id)
	}
	if c.canceled.Add(1) != 1 {
		c.fail("task %d canceled twice", c.id)
	}
}

// TestStressPoolChaos runs rounds of many tasks on a Pool while other
// goroutines cancel some of them (racing their completion) and wake all of
// them spuriously. Every task ends exactly once, completed or canceled,
// and nothing is left running.
func TestStressPoolChaos(t *testing.T) {
	before := goruntime.NumGoroutine()
	budget := 2 * time.Second
	tasks := 300
	if testing.Short() {
		budget, tasks = 200*time.Millisecond, 100
	}
	start := time.Now()
	var completed, canceled, rounds int
	for round := uint64(0); time.Since(start) < budget || rounds < 2; round++ {
		rounds++
		p := NewPool(1 + int(round%4))
		var bad atomic.Value
		var wakers sync.WaitGroup
		hs := make([]*Task[int], tasks)
		cs := make([]*chaos, tasks)
		for i := range hs {
			cs[i] = &chaos{id: i, rng: rand.New(rand.NewPCG(round, uint64(i))), left: int((round + uint64(i)) % 12), others: hs, bad: &bad, wg: &wakers}
		}
		// Tasks look at others while others are being spawned: the
		// slice is filled before any spawn, with nil, then in place.
		var mu sync.Mutex
		mu.Lock()
		for i := range hs {
			hs[i] = Spawn[int](p, &lockedStart{mu: &mu, f: cs[i]})
		}
		mu.Unlock()
		var side sync.WaitGroup
		stop := make(chan struct{})
		side.Add(2)
		go func() { // cancels every third task, racing its completion
			defer side.Done()
			for i := 0; i < tasks; i += 3 {
				if i%2 == 0 {
					goruntime.Gosched()
				}
				hs[i].Cancel()
			}
		}()
		go func() { // spurious wakes
			defer side.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, h := range hs {
					h.wake()
				}
				goruntime.Gosched()
			}
		}()
		deadline := time.Now().Add(30 * time.Second)
		for i, h := range hs {
			for !h.Done() {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: task %d never ended (%d polls left): a wake was lost", round, i, cs[i].left)
				}
				time.Sleep(100 * time.Microsecond)
			}
			v, err := h.Join()
			c := cs[i]
			switch {
			case err == nil && v == i && c.done.Load() && c.canceled.Load() == 0:
				completed++
			case err == ErrCanceled && !c.done.Load() && c.canceled.Load() == 1:
				canceled++
			case err == ErrCanceled && c.canceled.Load() == 0 && c.npolls.Load() == 0:
				canceled++ // canceled before its first poll
			default:
				t.Fatalf("round %d: task %d: %d, %v (done %v, canceled %d times)", round, i, v, err, c.done.Load(), c.canceled.Load())
			}
		}
		close(stop)
		side.Wait()
		wakers.Wait()
		p.Close()
		if s, ok := bad.Load().(string); ok {
			t.Fatalf("round %d: %s", round, s)
		}
	}
	t.Logf("%d rounds: %d tasks completed, %d canceled, %v", rounds, completed, canceled, time.Since(start).Round(time.Millisecond))
	checkGoroutines(t, before)
}

// lockedStart holds its future's first poll until mu is unlocked (every
// task spawned).
type lockedStart struct {
	mu      *sync.Mutex
	started bool
	f       *chaos
}

func (s *lockedStart) Poll(cx *Context) (int, bool) {
	if !s.started {
		s.mu.Lock()
		s.mu.Unlock()
		s.started = true
	}
	return s.f.Poll(cx)
}

func (s *lockedStart) Cancel() {
	if s.started {
		s.f.Cancel()
	}
}
