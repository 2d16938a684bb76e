package runtime

import (
	"context"
	"errors"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestContextDone(t *testing.T) {
	before := goruntime.NumGoroutine()
	l := NewLocal()
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("stop")
	go func() { time.Sleep(time.Millisecond); cancel(cause) }()
	err, _ := RunFuture(l, ContextDone(ctx))
	if err != cause {
		t.Fatalf("got %v, want the cause", err)
	}
	// Already done: ready at the first poll.
	if err, ok := ContextDone(ctx).Poll(NewContext(nil)); !ok || err != cause {
		t.Fatalf("done context: %v %v", err, ok)
	}
	// A context that can never be done is never ready and registers nothing.
	if _, ok := ContextDone(context.Background()).Poll(NewContext(nil)); ok {
		t.Fatal("background context done")
	}
	checkGoroutines(t, before)
}

func TestContextDoneCancelReleases(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var woken atomic.Int32
	f := ContextDone(ctx)
	if _, ok := f.Poll(NewContext(WakerFunc(func() { woken.Add(1) }))); ok {
		t.Fatal("ready before cancel")
	}
	f.Cancel()
	cancel()
	time.Sleep(5 * time.Millisecond)
	if woken.Load() != 0 {
		t.Fatal("a canceled ContextDone woke its task")
	}
}

func TestUntilDone(t *testing.T) {
	l := NewLocal()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(time.Millisecond); cancel() }()
	var canceled atomic.Bool
	r, _ := RunFuture(l, UntilDone(ctx, &cancelProbe[int]{f: Never[int](), c: &canceled}))
	if !errors.Is(r.Err, context.Canceled) || !canceled.Load() {
		t.Fatalf("got %v, canceled %v", r.Err, canceled.Load())
	}
	// A ready value wins over a done context.
	r, _ = RunFuture(l, UntilDone(ctx, Ready(7)))
	if r.Err != nil || r.Value != 7 {
		t.Fatalf("ready: %+v", r)
	}
	// TryUntilDone does not nest Results.
	boom := errors.New("boom")
	r, _ = RunFuture(l, TryUntilDone(context.Background(), Ready(Err[int](boom))))
	if r.Err != boom {
		t.Fatalf("try: %+v", r)
	}
}

// cancelProbe is f, recording its cancellation.
type cancelProbe[T any] struct {
	f Future[T]
	c *atomic.Bool
}

func (p *cancelProbe[T]) Poll(cx *Context) (T, bool) { return p.f.Poll(cx) }
func (p *cancelProbe[T]) Cancel()                    { p.c.Store(true); Cancel(p.f) }

func TestSpawnContext(t *testing.T) {
	for _, ex := range []Executor{NewLocal(), NewPool(2)} {
		ctx, cancel := context.WithCancel(context.Background())
		var canceled atomic.Bool
		h := SpawnContext(ex, ctx, Future[int](&cancelProbe[int]{f: Never[int](), c: &canceled}))
		if l, ok := ex.(*Local); ok {
			go func() { time.Sleep(time.Millisecond); cancel() }()
			l.Run()
		} else {
			cancel()
		}
		if _, err := h.Join(); err != ErrCanceled || !canceled.Load() {
			t.Fatalf("%T: %v, canceled %v", ex, err, canceled.Load())
		}
		// A task that finishes first keeps its value; the context's
		// registration is released.
		ctx2, cancel2 := context.WithCancel(context.Background())
		h2 := SpawnContext(ex, ctx2, Ready(5))
		if l, ok := ex.(*Local); ok {
			l.Run()
		}
		if v, err := h2.Join(); v != 5 || err != nil {
			t.Fatalf("%T: %v %v", ex, v, err)
		}
		cancel2()
		ex.Close()
	}
}

func TestWithContext(t *testing.T) {
	l := NewLocal()
	var inner context.Context
	v, err := RunFuture(l, WithContext(context.Background(), func(ctx context.Context) Future[int] {
		inner = ctx
		return Ready(1)
	}))
	if v != 1 || err != nil || !errors.Is(inner.Err(), context.Canceled) {
		t.Fatalf("finished: %v %v %v", v, err, inner.Err())
	}
	// Canceled: the context's cause is ErrCanceled, and a BlockingContext
	// given it stops.
	stopped := make(chan error, 1)
	h := Spawn(l, WithContext(context.Background(), func(ctx context.Context) Future[Result[int]] {
		inner = ctx
		return BlockingContext(ctx, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			stopped <- ctx.Err()
			return 0, ctx.Err()
		})
	}))
	l.RunUntilStalled()
	h.Cancel()
	l.Run()
	if _, err := h.Join(); err != ErrCanceled {
		t.Fatalf("task: %v", err)
	}
	if context.Cause(inner) != ErrCanceled || <-stopped != context.Canceled {
		t.Fatalf("cause %v", context.Cause(inner))
	}
	// A parent that is canceled reaches the blocking code.
	parent, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(time.Millisecond); cancel() }()
	r, _ := RunFuture(l, BlockingContext(parent, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}))
	if r.Err != context.Canceled {
		t.Fatalf("parent: %v", r.Err)
	}
}

// On virtual time a context's real deadline is an outside event: virtual
// timers run ahead of it without waiting, and it still fires in real time.
func TestContextDeadlineVirtualTime(t *testing.T) {
	start := time.Unix(0, 0)
	l := NewLocal(WithVirtualTime(start))
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	sel, _ := RunFuture(l, Select(
		Map(Sleep(time.Hour), func(struct{}) int { return 0 }),
		Map(ContextDone(ctx), func(error) int { return 1 }),
	))
	if sel.Index != 0 || l.Now().Sub(start) != time.Hour || time.Since(t0) > 150*time.Millisecond {
		t.Fatalf("virtual sleep did not win at once: %+v at %v", sel, l.Now().Sub(start))
	}
	err, _ := RunFuture(l, ContextDone(ctx))
	if err != context.DeadlineExceeded || time.Since(t0) < 200*time.Millisecond || l.Now().Sub(start) != time.Hour {
		t.Fatalf("deadline: %v after %v, virtual %v", err, time.Since(t0), l.Now().Sub(start))
	}
}

func TestCurrentExecutor(t *testing.T) {
	l := NewLocal()
	ex, _ := RunFuture(l, CurrentExecutor())
	if ex != l {
		t.Fatalf("got %v", ex)
	}
	// Through a combinator's waker.
	p, _ := RunFuture(l, Join(CurrentExecutor(), Ready(1)))
	if p.First != l {
		t.Fatal("inside Join")
	}
	pool := NewPool(2)
	defer pool.Close()
	got, _ := Spawn(pool, JoinAll(CurrentExecutor(), CurrentExecutor())).Join()
	if got[0] != pool || got[1] != pool {
		t.Fatal("pool")
	}
	if BlockOn(CurrentExecutor()) != nil {
		t.Fatal("BlockOn has an executor")
	}
}

// Stress: contexts canceled while their tasks complete, on a Pool, many
// tasks at once; every task ends with its value or ErrCanceled, and every
// WithContext context is canceled once its task is over.
func TestStressSpawnContextRacesCompletion(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	n := 2000
	if testing.Short() {
		n = 500
	}
	var wg sync.WaitGroup
	for round := range 4 {
		hs := make([]*Task[int], n)
		cancels := make([]context.CancelFunc, n)
		inners := make([]context.Context, n)
		for i := range n {
			ctx, cancel := context.WithCancel(context.Background())
			cancels[i] = cancel
			i := i
			hs[i] = SpawnContext(p, ctx, WithContext(ctx, func(ctx context.Context) Future[int] {
				inners[i] = ctx
				return Map(Sleep(time.Duration(i%7)*time.Microsecond), func(struct{}) int { return i })
			}))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if (i+round)%2 == 0 {
					cancels[i]()
				}
			}
		}()
		wg.Wait()
		for i, h := range hs {
			v, err := h.Join()
			switch {
			case err == nil && v == i:
			case err == ErrCanceled:
			default:
				t.Fatalf("task %d: %v %v", i, v, err)
			}
			if inners[i] != nil && inners[i].Err() == nil {
				t.Fatalf("task %d over, its context is not canceled", i)
			}
			cancels[i]()
		}
	}
}
