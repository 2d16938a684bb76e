package runtime

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestMutexFIFO(t *testing.T) {
	l := NewLocal(WithSeed(7))
	var m Mutex
	m.TryLock()
	var order []int
	for i := range 5 {
		f := m.Lock()
		// queue in order: poll each lock once before the next is spawned
		f.Poll(NewContext(nil))
		Spawn[struct{}](l, run(
			await(func() Future[struct{}] { return f }, nil),
			do(func() { order = append(order, i) }),
			await(yieldNow, nil),
			do(m.Unlock),
		))
	}
	m.Unlock()
	l.Run()
	if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("order %v", order)
	}
}

func TestMutexCancel(t *testing.T) {
	var m Mutex
	cx := NewContext(nil)
	m.TryLock()
	a, b := m.Lock(), m.Lock()
	a.Poll(cx)
	b.Poll(cx)
	a.Cancel() // queued: leaves
	m.Unlock() // hands to b
	if _, ok := b.Poll(cx); !ok {
		t.Fatal("b did not get the lock")
	}
	c, d := m.Lock(), m.Lock()
	c.Poll(cx)
	d.Poll(cx)
	m.Unlock() // hands to c, which is canceled before it sees it
	c.Cancel() // passes it on to d
	if _, ok := d.Poll(cx); !ok {
		t.Fatal("d did not get the lock")
	}
	m.Unlock()
	if !m.TryLock() {
		t.Fatal("mutex left locked")
	}
}

func TestMutexStress(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(4)
	var m Mutex
	counter := 0 // guarded by m; the race detector checks it
	const tasks, rounds = 64, 200
	var hs []*Task[struct{}]
	for range tasks {
		hs = append(hs, Spawn[struct{}](p, run(repeat(rounds, func(int) []step {
			return []step{
				await(func() Future[struct{}] { return m.Lock() }, nil),
				do(func() { counter++ }),
				await(yieldNow, nil),
				do(m.Unlock),
			}
		})...)))
	}
	for _, h := range hs {
		if _, err := h.Join(); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if counter != tasks*rounds {
		t.Fatalf("counter %d", counter)
	}
	checkGoroutines(t, before)
}

func TestSemaphoreFIFO(t *testing.T) {
	s := NewSemaphore(2)
	cx := NewContext(nil)
	big, small := s.Acquire(3), s.Acquire(1)
	if _, ok := big.Poll(cx); ok {
		t.Fatal("big acquired 3 of 2")
	}
	if _, ok := small.Poll(cx); ok {
		t.Fatal("small overtook big")
	}
	s.Release(1)
	if _, ok := big.Poll(cx); !ok {
		t.Fatal("big not served")
	}
	if _, ok := small.Poll(cx); ok {
		t.Fatal("small served without permits")
	}
	small.Cancel()
	if s.Available() != 0 {
		t.Fatalf("available %d", s.Available())
	}
	s.Release(3)
	if s.Available() != 3 {
		t.Fatalf("available %d", s.Available())
	}
	// a granted but canceled acquire gives its permits back
	w := s.Acquire(4)
	w.Poll(cx)
	s.Release(1)
	w.Cancel()
	if s.Available() != 4 {
		t.Fatalf("available %d", s.Available())
	}
}

func TestGroupAndEvent(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	var g Group
	var e Event
	var done []int
	for i := range 3 {
		g.Add(1)
		Spawn[struct{}](l, run(
			await(func() Future[struct{}] { return e.Wait() }, nil),
			await(func() Future[struct{}] { return Sleep(time.Duration(i) * time.Second) }, nil),
			do(func() { done = append(done, i) }),
			do(g.Done),
		))
	}
	var finished bool
	Spawn[struct{}](l, run(
		await(func() Future[struct{}] { return g.Wait() }, nil),
		do(func() { finished = len(done) == 3 }),
	))
	if l.RunUntilStalled() {
		t.Fatal("ran without the event")
	}
	e.Set()
	l.Run()
	if !finished || !slices.Equal(done, []int{0, 1, 2}) {
		t.Fatalf("finished %v, done %v", finished, done)
	}
}

func TestNotify(t *testing.T) {
	var n Notify
	cx := NewContext(nil)
	n.NotifyOne() // stored permit
	if _, ok := n.Notified().Poll(cx); !ok {
		t.Fatal("permit not taken")
	}
	a, b := n.Notified(), n.Notified()
	a.Poll(cx)
	b.Poll(cx)
	n.NotifyOne()
	a.Cancel() // received but not observed: passed to b
	if _, ok := b.Poll(cx); !ok {
		t.Fatal("notification lost")
	}
	c, d := n.Notified(), n.Notified()
	c.Poll(cx)
	d.Poll(cx)
	n.NotifyAll()
	if _, ok := c.Poll(cx); !ok {
		t.Fatal("c not notified")
	}
	if _, ok := d.Poll(cx); !ok {
		t.Fatal("d not notified")
	}
	if _, ok := n.Notified().Poll(cx); ok {
		t.Fatal("NotifyAll stored a permit")
	}
}

// lockMachine is a pinned machine with its lock future stored inline.
type lockMachine struct {
	lock LockFuture
}

func TestWaitAllocatesNothing(t *testing.T) {
	var m Mutex
	cx := NewContext(nil)
	var mc lockMachine
	allocs := testing.AllocsPerRun(100, func() {
		m.TryLock()
		mc.lock.Init(&m)
		if _, ok := mc.lock.Poll(cx); ok {
			t.Fatal("locked twice")
		}
		m.Unlock()
		if _, ok := mc.lock.Poll(cx); !ok {
			t.Fatal("not handed the lock")
		}
		m.Unlock()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per wait", allocs)
	}
}
