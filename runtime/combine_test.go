package runtime

import (
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"
)

var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// after is a future of v after d.
func after[T any](d time.Duration, v T) Future[T] {
	return Map[struct{}](Sleep(d), func(struct{}) T { return v })
}

func TestJoin(t *testing.T) {
	l := NewLocal(WithVirtualTime(epoch))
	p, _ := RunFuture(l, Join(after(2*time.Second, "a"), after(time.Second, 1)))
	if p.First != "a" || p.Second != 1 || !l.Now().Equal(epoch.Add(2*time.Second)) {
		t.Fatalf("got %v at %v", p, l.Now())
	}
	vs, _ := RunFuture(l, JoinAll(after(3*time.Second, 1), after(time.Second, 2), Ready(3)))
	if !slices.Equal(vs, []int{1, 2, 3}) {
		t.Fatalf("JoinAll %v", vs)
	}
}

// pollCounter counts its polls and is ready after n of them.
type pollCounter struct {
	n, polls int
	canceled bool
}

func (c *pollCounter) Poll(cx *Context) (int, bool) {
	c.polls++
	if c.polls >= c.n {
		return c.polls, true
	}
	cx.Waker().Wake()
	return 0, false
}

func (c *pollCounter) Cancel() { c.canceled = true }

func TestJoinAllPollsOnlyWoken(t *testing.T) {
	idle := make([]*cancelable, 100)
	fs := []Future[int]{}
	busy := &pollCounter{n: 50}
	fs = append(fs, busy)
	for i := range idle {
		idle[i] = &cancelable{}
		fs = append(fs, idle[i])
	}
	l := NewLocal()
	h := Spawn(l, JoinAll(fs...))
	t0 := l.Polls()
	l.RunUntilStalled()
	// the busy child woke the join 49 times, and only it was polled again
	if busy.polls != 50 || l.Polls()-t0 != 50 {
		t.Fatalf("busy polled %d times", busy.polls)
	}
	h.Cancel()
	l.Run()
	for _, c := range idle {
		if !c.canceled {
			t.Fatal("unfinished child not canceled")
		}
	}
}

func TestRaceCancelsLosers(t *testing.T) {
	l := NewLocal(WithVirtualTime(epoch))
	loser := &cancelable{}
	v, _ := RunFuture(l, Race[int](loser, after(time.Second, 5)))
	if v != 5 || !loser.canceled {
		t.Fatalf("got %d, loser canceled %v", v, loser.canceled)
	}
	sel, _ := RunFuture(l, Select(after(2*time.Second, "x"), after(time.Second, "y")))
	if sel.Index != 1 || sel.Value != "y" {
		t.Fatalf("Select %v", sel)
	}
	e1, e2 := errors.New("one"), errors.New("two")
	r, _ := RunFuture(l, First(after(time.Second, Err[int](e1)), after(2*time.Second, Ok(9)), after(3*time.Second, Ok(10))))
	if r.Value != 9 || r.Err != nil {
		t.Fatalf("First %v", r)
	}
	r, _ = RunFuture(l, First(Ready(Err[int](e1)), after(time.Second, Err[int](e2))))
	if !errors.Is(r.Err, e1) || !errors.Is(r.Err, e2) {
		t.Fatalf("First of failures %v", r)
	}
}

func TestStreams(t *testing.T) {
	l := NewLocal()
	s := Take(MapStream(Filter(FromSlice([]int{1, 2, 3, 4, 5, 6, 7, 8}), func(v int) bool { return v%2 == 0 }),
		func(v int) string { return string(rune('a' + v)) }), 3)
	got, _ := RunFuture(l, Collect(s))
	if !slices.Equal(got, []string{"c", "e", "g"}) {
		t.Fatalf("got %v", got)
	}
	seq := func(yield func(int) bool) {
		for i := range 5 {
			if !yield(i) {
				return
			}
		}
	}
	got2, _ := RunFuture(l, Collect(FuseStream(FromSeq(seq))))
	if !slices.Equal(got2, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("FromSeq %v", got2)
	}
	got3, _ := RunFuture(l, Collect(Once(Ready(4))))
	if !slices.Equal(got3, []int{4}) {
		t.Fatalf("Once %v", got3)
	}
}

// countingStream yields n items, each after a pending poll, and counts
// polls after it is Done.
type countingStream struct {
	id, n, i  int
	ready     bool
	afterDone int
	closed    bool
}

func (s *countingStream) PollNext(cx *Context) (int, Status) {
	if s.i == s.n {
		s.afterDone++
		return 0, Done
	}
	if !s.ready {
		s.ready = true
		cx.Waker().Wake()
		return 0, Pending
	}
	s.ready = false
	s.i++
	return s.id, Yielded
}

func (s *countingStream) Close() { s.closed = true }

func TestMergeFairAndFused(t *testing.T) {
	a := &countingStream{id: 0, n: 100}
	b := &countingStream{id: 1, n: 3}
	c := FromSlice([]int{2, 2, 2, 2, 2, 2})
	got, _ := RunFuture(NewLocal(), Collect(Merge[int](a, b, c)))
	if len(got) != 109 {
		t.Fatalf("got %d items", len(got))
	}
	// fair: within the first 12 items every source appears
	first := map[int]int{}
	for _, v := range got[:12] {
		first[v]++
	}
	if first[0] == 0 || first[1] == 0 || first[2] == 0 {
		t.Fatalf("unfair start %v", got[:12])
	}
	if b.afterDone > 1 || a.afterDone > 1 {
		t.Fatalf("polled after Done: %d, %d", a.afterDone, b.afterDone)
	}
}

func TestMergeWithChannels(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(2)
	c1, c2 := NewChan[int](1), NewChan[int](1)
	h := Spawn(p, Collect(Merge[int](c1.Stream(), c2.Stream())))
	for i := range 200 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		BlockOn[error](c.Send(i))
	}
	c1.Close()
	c2.Close()
	got, err := h.Join()
	if err != nil || len(got) != 200 {
		t.Fatalf("got %d items, %v", len(got), err)
	}
	p.Close()
	checkGoroutines(t, before)
}

func TestTimersInsideCombinatorsUseExecutor(t *testing.T) {
	l := NewLocal(WithVirtualTime(epoch))
	t0 := time.Now()
	vs, _ := RunFuture(l, JoinAll(after(time.Hour, 1), after(2*time.Hour, 2)))
	if len(vs) != 2 || time.Since(t0) > time.Second || !l.Now().Equal(epoch.Add(2*time.Hour)) {
		t.Fatalf("JoinAll of sleeps ran in real time (%v) or at %v", time.Since(t0), l.Now())
	}
}
