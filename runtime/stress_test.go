package runtime

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// checkGoroutines fails t if, after a grace period, more goroutines run
// than before.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d before, %d after\n%s", before, n, buf)
		}
		time.Sleep(time.Millisecond)
	}
}

// exclusive panics if two goroutines are inside it at once.
type exclusive struct{ in atomic.Int32 }

func (e *exclusive) enter() {
	if !e.in.CompareAndSwap(0, 1) {
		panic("task polled by two goroutines at once")
	}
}

func (e *exclusive) leave() { e.in.Store(0) }

// eventFuture completes once it has seen want events; events arrive from
// other goroutines, each followed by a wake.
type eventFuture struct {
	exclusive
	events atomic.Int64
	want   int64
	w      atomic.Pointer[Waker]
	polls  int
}

func (f *eventFuture) Poll(cx *Context) (int, bool) {
	f.enter()
	defer f.leave()
	f.polls++
	w := cx.Waker()
	f.w.Store(&w)
	if f.events.Load() >= f.want {
		return f.polls, true
	}
	return 0, false
}

func (f *eventFuture) event() {
	f.events.Add(1)
	if w := f.w.Load(); w != nil {
		(*w).Wake()
	}
}

func TestStressManyWakers(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(4)
	const tasks, wakers, per = 32, 8, 1000
	fs := make([]*eventFuture, tasks)
	hs := make([]*Task[int], tasks)
	for i := range fs {
		fs[i] = &eventFuture{want: wakers * per}
		hs[i] = Spawn[int](p, fs[i])
	}
	var wg sync.WaitGroup
	for range wakers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				for _, f := range fs {
					f.event()
				}
			}
		}()
	}
	wg.Wait()
	polls := 0
	for i, h := range hs {
		n, err := h.Join()
		if err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		polls += n
	}
	t.Logf("%d events, %d polls", tasks*wakers*per, polls)
	p.Close()
	checkGoroutines(t, before)
}

// selfWaker wakes its task from another goroutine while it is being
// polled, and waits for that wake to land before returning pending: the
// executor must poll it again.
type selfWaker struct {
	exclusive
	n, polls int
}

func (f *selfWaker) Poll(cx *Context) (int, bool) {
	f.enter()
	defer f.leave()
	f.polls++
	if f.polls > f.n {
		return f.polls, true
	}
	done := make(chan struct{})
	go func() { cx.Waker().Wake(); close(done) }()
	<-done
	return 0, false
}

func TestStressWakeDuringPoll(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, ex := range []Executor{NewPool(2), NewLocal()} {
		var hs []*Task[int]
		for range 50 {
			hs = append(hs, Spawn[int](ex, &selfWaker{n: 50}))
		}
		if l, ok := ex.(*Local); ok {
			l.Run()
		}
		for _, h := range hs {
			if v, err := h.Join(); err != nil || v != 51 {
				t.Fatalf("got %d, %v", v, err)
			}
		}
		ex.Close()
	}
	checkGoroutines(t, before)
}

// raceFuture completes when its flag is set; its Cancel records itself.
type raceFuture struct {
	exclusive
	ready    atomic.Bool
	canceled atomic.Int32
	w        atomic.Pointer[Waker]
}

func (f *raceFuture) Poll(cx *Context) (int, bool) {
	f.enter()
	defer f.leave()
	w := cx.Waker()
	f.w.Store(&w)
	if f.ready.Load() {
		return 1, true
	}
	return 0, false
}

func (f *raceFuture) Cancel() {
	f.enter()
	defer f.leave()
	f.canceled.Add(1)
}

func TestStressCancelRacesCompletion(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	const n = 5000
	var won, canceled int
	for i := range n {
		f := &raceFuture{}
		h := Spawn[int](p, f)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			f.ready.Store(true)
			if w := f.w.Load(); w != nil {
				(*w).Wake()
			}
		}()
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				runtime.Gosched()
			}
			h.Cancel()
		}()
		wg.Wait()
		v, err := h.Join()
		switch {
		case err == nil && v == 1 && f.canceled.Load() == 0:
			won++
		case err == ErrCanceled && f.canceled.Load() == 1:
			canceled++
		default:
			t.Fatalf("got %d, %v, canceled %d times", v, err, f.canceled.Load())
		}
	}
	t.Logf("%d completed, %d canceled", won, canceled)
	p.Close()
	checkGoroutines(t, before)
}

// spurious polls: a goroutine wakes every task over and over while they
// wait on real events; every task still completes exactly once.
func TestStressSpuriousPolls(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	const tasks = 100
	fs := make([]*eventFuture, tasks)
	hs := make([]*Task[int], tasks)
	for i := range fs {
		fs[i] = &eventFuture{want: 100}
		hs[i] = Spawn[int](p, fs[i])
	}
	stopWakes := wakeSpuriously(hs, false)
	for range 100 {
		for _, f := range fs {
			f.event()
		}
	}
	for _, h := range hs {
		if _, err := h.Join(); err != nil {
			t.Fatal(err)
		}
	}
	stopWakes()
	p.Close()
	checkGoroutines(t, before)
}

func TestPoolCloseCancels(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	f := &raceFuture{}
	h := Spawn[int](p, f)
	s := Spawn[struct{}](p, Sleep(time.Hour))
	time.Sleep(10 * time.Millisecond)
	p.Close()
	if _, err := h.Join(); err != ErrClosed || f.canceled.Load() != 1 {
		t.Fatalf("err %v, canceled %d", err, f.canceled.Load())
	}
	if _, err := s.Join(); err != ErrClosed {
		t.Fatalf("sleep: %v", err)
	}
	if p.tq.len() != 0 {
		t.Fatalf("%d timers left", p.tq.len())
	}
	checkGoroutines(t, before)
}

func TestPoolTimers(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	t0 := time.Now()
	var hs []*Task[struct{}]
	for i := range 100 {
		hs = append(hs, Spawn[struct{}](p, Sleep(time.Duration(i%10)*time.Millisecond)))
	}
	for _, h := range hs {
		h.Join()
	}
	if el := time.Since(t0); el < 9*time.Millisecond {
		t.Errorf("took %v", el)
	}
	r, _ := Spawn[Result[int]](p, Timeout(Never[int](), 5*time.Millisecond)).Join()
	if r.Err != ErrTimeout {
		t.Errorf("timeout: %v", r.Err)
	}
}

// Acquires that time out race grants; every permit must come back.
func TestStressSemaphoreCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	sem := NewSemaphore(3)
	var got, timedOut atomic.Int64
	var hs []*Task[struct{}]
	for i := range 200 {
		hs = append(hs, Spawn[struct{}](p, run(repeat(20, func(j int) []step {
			var ok bool
			return []step{
				await(func() Future[Result[struct{}]] {
					return Timeout[struct{}](sem.Acquire(1+(i+j)%2), time.Duration((i*j)%3)*10*time.Microsecond)
				}, func(r Result[struct{}]) { ok = r.Err == nil }),
				do(func() {
					if ok {
						got.Add(1)
					} else {
						timedOut.Add(1)
					}
				}),
				await(yieldNow, nil),
				do(func() {
					if ok {
						sem.Release(1 + (i+j)%2)
					}
				}),
			}
		})...)))
	}
	for _, h := range hs {
		if _, err := h.Join(); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if n := sem.Available(); n != 3 {
		t.Fatalf("%d permits after %d acquires and %d timeouts", n, got.Load(), timedOut.Load())
	}
	t.Logf("%d acquired, %d timed out", got.Load(), timedOut.Load())
	checkGoroutines(t, before)
}

// Receives that time out race sends; no value is lost or duplicated.
func TestStressChanCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	c := NewChan[int](2)
	const producers, per = 4, 500
	seen := make([]atomic.Int32, producers*per)
	var prods []*Task[struct{}]
	for k := range producers {
		prods = append(prods, Spawn[struct{}](p, run(repeat(per, func(i int) []step {
			return []step{await(func() Future[error] { return c.Send(k*per + i) }, nil)}
		})...)))
	}
	var done atomic.Bool
	var cons []*Task[struct{}]
	for range 4 {
		var loop func() Future[struct{}]
		loop = func() Future[struct{}] {
			return Then[Result[Result[int]]](Timeout[Result[int]](c.Recv(), 20*time.Microsecond), func(r Result[Result[int]]) Future[struct{}] {
				if r.Err == nil {
					if r.Value.Err != nil {
						return Ready(struct{}{}) // closed
					}
					seen[r.Value.Value].Add(1)
				}
				if done.Load() && c.Len() == 0 {
					return Ready(struct{}{})
				}
				return loop()
			})
		}
		cons = append(cons, Spawn(p, loop()))
	}
	for _, h := range prods {
		h.Join()
	}
	done.Store(true)
	c.Close()
	for _, h := range cons {
		if _, err := h.Join(); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	for v := range seen {
		if n := seen[v].Load(); n != 1 {
			t.Fatalf("value %d received %d times", v, n)
		}
	}
	checkGoroutines(t, before)
}

// Spawns from many goroutines race Close: every task ends, either run or
// canceled with ErrClosed, and nothing is left behind.
func TestStressCloseRacesSpawn(t *testing.T) {
	before := runtime.NumGoroutine()
	for round := range 20 {
		p := NewPool(2)
		var wg sync.WaitGroup
		hs := make([][]*Task[int], 4)
		for g := range hs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					var f Future[int] = &counter{n: i % 3}
					if i%5 == 0 {
						f = Map(Timeout(Never[int](), time.Hour), func(Result[int]) int { return 0 })
					}
					hs[g] = append(hs[g], Spawn(p, f))
				}
			}()
		}
		if round%2 == 0 {
			runtime.Gosched()
		}
		p.Close()
		wg.Wait()
		for _, list := range hs {
			for _, h := range list {
				if _, err := h.Join(); err != nil && err != ErrClosed {
					t.Fatal(err)
				}
			}
		}
		if n := p.tq.len(); n != 0 {
			t.Fatalf("%d timers left", n)
		}
	}
	checkGoroutines(t, before)
}
