package runtime

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// counter is a future that is pending n times, waking itself each time.
type counter struct{ n, polls int }

func (c *counter) Poll(cx *Context) (int, bool) {
	c.polls++
	if c.polls > c.n {
		return c.polls, true
	}
	cx.Waker().Wake()
	return 0, false
}

func TestLocalRunsTasks(t *testing.T) {
	l := NewLocal()
	var hs []*Task[int]
	for i := range 10 {
		hs = append(hs, Spawn[int](l, &counter{n: i}))
	}
	l.Run()
	for i, h := range hs {
		v, err := h.Join()
		if err != nil || v != i+1 {
			t.Errorf("task %d: got %d, %v", i, v, err)
		}
	}
	if l.Len() != 0 {
		t.Errorf("live tasks: %d", l.Len())
	}
}

// trace runs tasks that record their interleaving.
func trace(opts ...LocalOption) []int {
	l := NewLocal(opts...)
	var order []int
	for i := range 5 {
		n := 0
		Spawn[int](l, PollFunc[int](func(cx *Context) (int, bool) {
			order = append(order, i)
			n++
			if n == 4 {
				return 0, true
			}
			cx.Waker().Wake()
			return 0, false
		}))
	}
	l.Run()
	return order
}

func TestLocalDeterministic(t *testing.T) {
	fifo := trace()
	want := []int{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4}
	if !slices.Equal(fifo, want) {
		t.Errorf("fifo order %v", fifo)
	}
	a, b := trace(WithSeed(42)), trace(WithSeed(42))
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different order:\n%v\n%v", a, b)
	}
	if c := trace(WithSeed(43)); slices.Equal(a, c) && slices.Equal(a, trace(WithSeed(44))) {
		t.Errorf("seeds do not change the order: %v", a)
	}
}

func TestLocalVirtualTime(t *testing.T) {
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLocal(WithVirtualTime(start))
	var order []int
	for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour, time.Hour} {
		s := Sleep(d)
		Spawn[struct{}](l, PollFunc[struct{}](func(cx *Context) (struct{}, bool) {
			if _, ok := s.Poll(cx); !ok {
				return struct{}{}, false
			}
			order = append(order, i)
			return struct{}{}, true
		}))
	}
	t0 := time.Now()
	l.Run()
	if !slices.Equal(order, []int{1, 3, 2, 0}) {
		t.Errorf("order %v", order)
	}
	if got := l.Now(); !got.Equal(start.Add(3 * time.Hour)) {
		t.Errorf("clock at %v", got)
	}
	if el := time.Since(t0); el > time.Second {
		t.Errorf("virtual sleeps took %v", el)
	}
}

func TestLocalRealTimers(t *testing.T) {
	l := NewLocal()
	t0 := time.Now()
	_, err := RunFuture[struct{}](l, Sleep(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(t0); el < 20*time.Millisecond {
		t.Errorf("slept %v", el)
	}
}

func TestSleepUnderBlockOn(t *testing.T) {
	t0 := time.Now()
	BlockOn[struct{}](Sleep(10 * time.Millisecond))
	if el := time.Since(t0); el < 10*time.Millisecond {
		t.Errorf("slept %v", el)
	}
}

func TestTaskPanic(t *testing.T) {
	l := NewLocal()
	h := Spawn[int](l, PollFunc[int](func(*Context) (int, bool) { panic("boom") }))
	l.Run()
	_, err := h.Join()
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("err = %v", err)
	}
}

// cancelable is pending forever and records its cancellation.
type cancelable struct{ canceled bool }

func (c *cancelable) Poll(*Context) (int, bool) { return 0, false }
func (c *cancelable) Cancel()                   { c.canceled = true }

func TestTaskCancel(t *testing.T) {
	l := NewLocal()
	f := &cancelable{}
	h := Spawn[int](l, f)
	l.RunUntilStalled()
	h.Cancel()
	l.Run()
	if _, err := h.Join(); err != ErrCanceled || !f.canceled {
		t.Fatalf("err = %v, canceled = %v", err, f.canceled)
	}
}

func TestLocalClose(t *testing.T) {
	l := NewLocal()
	f := &cancelable{}
	h := Spawn[int](l, f)
	if l.RunUntilStalled() {
		t.Fatal("stalled with no unfinished task")
	}
	l.Close()
	if _, err := h.Join(); err != ErrClosed || !f.canceled {
		t.Fatalf("err = %v, canceled = %v", err, f.canceled)
	}
	if _, err := Spawn[int](l, Ready(1)).Join(); err != ErrClosed {
		t.Fatalf("spawn after close: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	l := NewLocal(WithVirtualTime(time.Unix(0, 0)))
	f := &cancelable{}
	r, err := RunFuture[Result[int]](l, Timeout[int](f, time.Second))
	if err != nil || r.Err != ErrTimeout || !f.canceled {
		t.Fatalf("got %v, %v, canceled %v", r, err, f.canceled)
	}
	r, _ = RunFuture[Result[int]](l, Timeout(Ready(7), time.Second))
	if r.Value != 7 || r.Err != nil {
		t.Fatalf("got %v", r)
	}
}
