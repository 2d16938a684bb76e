package runtime

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// sleepy is a fallible future that sleeps d, then succeeds with v or fails
// with err, tracking how many of its kind run at once.
func sleepy(d time.Duration, v int, err error, running, peak *atomic.Int32, canceled *atomic.Int32) Future[Result[int]] {
	started := false
	var s *SleepFuture
	return &cancelFn[Result[int]]{
		poll: func(cx *Context) (Result[int], bool) {
			if !started {
				started = true
				s = Sleep(d)
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
			}
			if _, ok := s.Poll(cx); !ok {
				return Result[int]{}, false
			}
			running.Add(-1)
			return Result[int]{v, err}, true
		},
		cancel: func() {
			canceled.Add(1)
			if started {
				running.Add(-1)
				s.Cancel()
			}
		},
	}
}

type cancelFn[T any] struct {
	poll   func(*Context) (T, bool)
	cancel func()
}

func (c *cancelFn[T]) Poll(cx *Context) (T, bool) { return c.poll(cx) }
func (c *cancelFn[T]) Cancel()                    { c.cancel() }

func TestTryJoinAll(t *testing.T) {
	var running, peak, canceled atomic.Int32
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	var fs []Future[Result[int]]
	for i := range 10 {
		fs = append(fs, sleepy(time.Duration(10-i)*time.Millisecond, i*i, nil, &running, &peak, &canceled))
	}
	r, _ := RunFuture(l, TryJoinAll(3, fs...))
	if r.Err != nil || fmt.Sprint(r.Value) != "[0 1 4 9 16 25 36 49 64 81]" {
		t.Fatalf("got %+v", r)
	}
	if peak.Load() != 3 || canceled.Load() != 0 {
		t.Fatalf("peak %d (want 3), canceled %d", peak.Load(), canceled.Load())
	}

	// The first error wins; the running and the unstarted are canceled.
	running.Store(0)
	peak.Store(0)
	boom := errors.New("boom")
	fs = nil
	for i := range 10 {
		var err error
		if i == 1 {
			err = boom
		}
		fs = append(fs, sleepy(time.Duration(i+1)*time.Millisecond, i, err, &running, &peak, &canceled))
	}
	t0 := l.Now()
	r, _ = RunFuture(l, TryJoinAll(4, fs...))
	if r.Err != boom || l.Now().Sub(t0) != 2*time.Millisecond {
		t.Fatalf("got %+v after %v", r, l.Now().Sub(t0))
	}
	// Started 0..3 (0 finished, 1 failed, 4 started when 0 finished): 2, 3, 4
	// running canceled, 5..9 never started, canceled too.
	if canceled.Load() != 8 || running.Load() != 0 {
		t.Fatalf("canceled %d (want 8), still running %d", canceled.Load(), running.Load())
	}
	// No limit, and no futures.
	r, _ = RunFuture(l, TryJoinAll[int](0))
	if r.Err != nil || len(r.Value) != 0 {
		t.Fatalf("empty: %+v", r)
	}
}

func TestTryJoinAllPanic(t *testing.T) {
	var running, peak, canceled atomic.Int32
	l := NewLocal()
	bad := &cancelFn[Result[int]]{poll: func(*Context) (Result[int], bool) { panic("bad") }, cancel: func() {}}
	h := Spawn(l, TryJoinAll(0, sleepy(time.Hour, 0, nil, &running, &peak, &canceled), Future[Result[int]](bad)))
	l.Run()
	var pe *PanicError
	if _, err := h.Join(); !errors.As(err, &pe) || canceled.Load() != 1 {
		t.Fatalf("%v, canceled %d", err, canceled.Load())
	}
}

func TestWaitAnyKeepsTheRest(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	var running, peak, canceled atomic.Int32
	fs := []Future[Result[int]]{
		sleepy(30*time.Millisecond, 0, nil, &running, &peak, &canceled),
		sleepy(10*time.Millisecond, 1, nil, &running, &peak, &canceled),
		sleepy(20*time.Millisecond, 2, nil, &running, &peak, &canceled),
	}
	var order []int
	for range fs {
		sel, _ := RunFuture(l, WaitAny(fs...))
		order = append(order, sel.Index)
		fs[sel.Index] = nil
	}
	if fmt.Sprint(order) != "[1 2 0]" || canceled.Load() != 0 || l.Now().Sub(time.Unix(0, 0)) != 30*time.Millisecond {
		t.Fatalf("order %v, canceled %d, at %v", order, canceled.Load(), l.Now())
	}
}

func TestCompleted(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	var running, peak, canceled atomic.Int32
	var fs []Future[Result[int]]
	for i := range 5 {
		fs = append(fs, sleepy(time.Duration(5-i)*time.Millisecond, i, nil, &running, &peak, &canceled))
	}
	s := Completed(fs...)
	got, _ := RunFuture(l, Collect(Take(s, 3)))
	var idx []int
	for _, sel := range got {
		idx = append(idx, sel.Index)
	}
	if fmt.Sprint(idx) != "[4 3 2]" || canceled.Load() != 0 {
		t.Fatalf("got %v, canceled %d", idx, canceled.Load())
	}
	s.Close()
	if canceled.Load() != 2 {
		t.Fatalf("close canceled %d, want 2", canceled.Load())
	}
}

func TestNextItem(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	ch := NewChan[int](0)
	Spawn(l, run(repeat(5, func(i int) []step {
		return []step{
			await(func() Future[struct{}] { return Sleep(5 * time.Millisecond) }, nil),
			await(func() Future[error] { return ch.Send(i) }, nil),
		}
	})...))
	Spawn(l, run(await(func() Future[struct{}] { return Sleep(30 * time.Millisecond) }, nil), do(ch.Close)))
	s := ch.Stream()
	var items []int
	timeouts := 0
	done := false
	var steps []step
	for range 40 {
		steps = append(steps, await(func() Future[Result[Item[int]]] {
			if done {
				return Ready(Ok(Item[int]{}))
			}
			return TryTimeout(Map(NextItem(s), Ok[Item[int]]), 3*time.Millisecond)
		}, func(r Result[Item[int]]) {
			switch {
			case done:
			case r.Err == ErrTimeout:
				timeouts++
			case r.Value.OK:
				items = append(items, r.Value.Value)
			default:
				done = true
			}
		}))
	}
	if _, err := RunFuture(l, run(steps...)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(items) != "[0 1 2 3 4]" || !done || timeouts == 0 {
		t.Fatalf("items %v, done %v, timeouts %d", items, done, timeouts)
	}
}

func TestTryTimeout(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	boom := errors.New("boom")
	var r Result[int] // not Result[Result[int]]
	r, _ = RunFuture(l, TryTimeout(Ready(Err[int](boom)), time.Second))
	if r.Err != boom {
		t.Fatalf("error: %+v", r)
	}
	r, _ = RunFuture(l, TryTimeout(Ready(Ok(3)), time.Second))
	if r.Err != nil || r.Value != 3 {
		t.Fatalf("ok: %+v", r)
	}
	r, _ = RunFuture(l, TryDeadline(Never[Result[int]](), l.Now().Add(time.Second)))
	if r.Err != ErrTimeout {
		t.Fatalf("timeout: %+v", r)
	}
}

// Stress: TryJoinAll on a Pool with many children failing at random
// moments while the joins themselves are canceled from another goroutine.
func TestStressTryJoinAll(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	boom := errors.New("boom")
	var running, peak, canceled atomic.Int32
	hs := make([]*Task[Result[[]int]], rounds)
	for r := range rounds {
		var fs []Future[Result[int]]
		for i := range 20 {
			var err error
			if r%3 == 0 && i == r%20 {
				err = boom
			}
			fs = append(fs, sleepy(time.Duration((i*7+r)%5)*time.Microsecond, i, err, &running, &peak, &canceled))
		}
		hs[r] = Spawn(p, TryJoinAll(1+r%6, fs...))
		if r%4 == 1 {
			go hs[r].Cancel()
		}
	}
	for r, h := range hs {
		res, err := h.Join()
		switch {
		case err == ErrCanceled:
		case err != nil:
			t.Fatalf("round %d: %v", r, err)
		case r%3 == 0 && res.Err != boom:
			t.Fatalf("round %d: want boom, got %v", r, res.Err)
		case r%3 != 0 && (res.Err != nil || len(res.Value) != 20 || res.Value[19] != 19):
			t.Fatalf("round %d: %+v", r, res)
		}
	}
	if running.Load() != 0 {
		t.Fatalf("%d children still running", running.Load())
	}
}

// Stress: futures completed from other goroutines while a task on a Pool
// takes them one by one with Completed, and others with WaitAny, with the
// consumers canceled at random moments. Every value is seen at most once,
// and a consumer that is not canceled sees every value.
func TestStressCompletedWaitAny(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	const k = 16
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	for r := range rounds {
		evs := make([]*eventFuture, k)
		fs := make([]Future[int], k)
		for i := range evs {
			evs[i] = &eventFuture{want: 1}
			fs[i] = evs[i]
		}
		var seen [k]atomic.Int32
		useWaitAny := r%2 == 0
		var h *Task[int]
		if useWaitAny {
			rest := append([]Future[int](nil), fs...)
			left := k
			var cur Future[Selected[int]]
			h = Spawn(p, PollFunc[int](func(cx *Context) (int, bool) {
				for left > 0 {
					if cur == nil {
						cur = WaitAny(rest...)
					}
					sel, ok := cur.Poll(cx)
					if !ok {
						return 0, false
					}
					cur = nil
					seen[sel.Index].Add(1)
					rest[sel.Index] = nil
					left--
				}
				return k, true
			}))
		} else {
			s := Completed(fs...)
			n := 0
			h = Spawn(p, PollFunc[int](func(cx *Context) (int, bool) {
				for {
					sel, st := s.PollNext(cx)
					switch st {
					case Pending:
						return 0, false
					case Done:
						return n, true
					}
					seen[sel.Index].Add(1)
					n++
				}
			}))
		}
		go func() {
			for i := k - 1; i >= 0; i-- {
				evs[(i*7+r)%k].event()
			}
		}()
		if r%5 == 0 {
			go h.Cancel()
		}
		n, err := h.Join()
		for i := range seen {
			if seen[i].Load() > 1 {
				t.Fatalf("round %d: value %d seen %d times", r, i, seen[i].Load())
			}
		}
		if err == nil && n != k {
			t.Fatalf("round %d: %d of %d values", r, n, k)
		}
		if err != nil && err != ErrCanceled {
			t.Fatalf("round %d: %v", r, err)
		}
	}
}
