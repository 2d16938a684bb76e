package runtime

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"
	"time"
)

// simulate runs n tasks on a seeded virtual-time executor: each sleeps a
// random while, takes one of 8 semaphore permits, sleeps again, releases,
// and reports to a collector through a bounded channel. It returns a hash
// of the collector's trace of (task, virtual time) events.
func simulate(seed uint64, n int) (uint64, time.Duration) {
	ex := NewLocal(WithSeed(seed), WithVirtualTime(epoch))
	rng := rand.New(rand.NewPCG(seed, 1))
	sem := NewSemaphore(8)
	out := NewChan[int](16)
	h := fnv.New64a()
	var buf [16]byte
	Go(ex, Map(Collect(MapStream(out.Stream(), func(id int) struct{} {
		now := ex.Now().Sub(epoch)
		for i := range 8 {
			buf[i] = byte(id >> (8 * i))
			buf[8+i] = byte(now >> (8 * i))
		}
		h.Write(buf[:])
		return struct{}{}
	})), func([]struct{}) struct{} { return struct{}{} }))
	var g Group
	g.Add(n)
	for id := range n {
		d1 := time.Duration(rng.IntN(1000)) * time.Millisecond
		d2 := time.Duration(rng.IntN(10)) * time.Millisecond
		Go(ex, run(
			await(func() Future[struct{}] { return Sleep(d1) }, nil),
			await(func() Future[struct{}] { return sem.Acquire(1) }, nil),
			await(func() Future[struct{}] { return Sleep(d2) }, nil),
			do(func() { sem.Release(1) }),
			await(func() Future[error] { return out.Send(id) }, nil),
			do(g.Done),
		))
	}
	Go(ex, Then(g.Wait(), func(struct{}) Future[struct{}] {
		out.Close()
		return Ready(struct{}{})
	}))
	ex.Run()
	return h.Sum64(), ex.Now().Sub(epoch)
}

func TestSimulationDeterministic(t *testing.T) {
	const n = 20000
	t0 := time.Now()
	a, da := simulate(1, n)
	b, db := simulate(1, n)
	c, _ := simulate(2, n)
	if a != b || da != db {
		t.Fatalf("same seed, different runs: %x at %v, %x at %v", a, da, b, db)
	}
	if a == c {
		t.Fatalf("different seeds, same trace %x", a)
	}
	t.Logf("3 runs of %d tasks: %v of virtual time each, %v of real time", n, da, time.Since(t0))
}

func TestGoDetached(t *testing.T) {
	l := NewLocal()
	f := &cancelable{}
	Go(l, Map[int](f, func(int) struct{} { return struct{}{} }))
	l.RunUntilStalled()
	l.Close()
	if !f.canceled {
		t.Fatal("detached task not canceled by Close")
	}

	l = NewLocal()
	Go(l, PollFunc[struct{}](func(*Context) (struct{}, bool) { panic("detached") }))
	defer func() {
		if p := recover(); p != "detached" {
			t.Fatalf("recovered %v", p)
		}
	}()
	l.Run()
	t.Fatal("panic did not propagate out of Run")
}
