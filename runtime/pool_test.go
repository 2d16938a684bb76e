package runtime

import (
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// relay is one end of a ping-pong pair of tasks on channels: the opener
// sends i and expects i+1 back, n times; the other end receives i and
// sends i+1. Every received value is checked and counted. With stir set it
// also shakes its executor from inside its polls: it wakes itself, wakes
// its partner spuriously, and has another goroutine wake it while it is
// being polled. With stop set, the opener ends the exchange (closing its
// channel) once stop is true when it has received a reply, and n is
// ignored. With side set, the other
// end also sends every value it receives on side, which must not wait.
type relay struct {
	exclusive
	out, in   *Chan[int]
	side      *Chan[int]
	n, i      int
	opener    bool
	sending   bool
	stir      bool
	stop      *atomic.Bool
	send      SendFuture[int]
	recv      RecvFuture[int]
	sideSend  SendFuture[int]
	partner   *relay
	waker     atomic.Pointer[Waker]
	delivered *atomic.Int64
	polls     int
}

// newRelayPair returns the two ends of a pair exchanging n values over
// channels of the given size.
func newRelayPair(n, size int, delivered *atomic.Int64) (*relay, *relay) {
	a, b := NewChan[int](size), NewChan[int](size)
	op := &relay{out: a, in: b, n: n, opener: true, sending: true, delivered: delivered}
	op.send.Init(a, 0)
	other := &relay{out: b, in: a, n: n, delivered: delivered}
	other.recv.Init(a)
	op.partner, other.partner = other, op
	return op, other
}

func (r *relay) Poll(cx *Context) (int, bool) {
	r.enter()
	defer r.leave()
	r.polls++
	w := cx.Waker()
	r.waker.Store(&w)
	if r.stir {
		switch r.polls % 7 {
		case 2:
			wake(cx, w) // a wake of the task being polled
		case 4, 5:
			if pw := r.partner.waker.Load(); pw != nil {
				wake(cx, *pw) // the partner, waiting or not
			}
		}
		if r.polls%23 == 0 {
			done := make(chan struct{})
			go func() { w.Wake(); close(done) }()
			<-done
		}
	}
	for {
		if r.sending {
			err, ok := r.send.Poll(cx)
			if !ok {
				return 0, false
			}
			if err != nil {
				panic(fmt.Sprintf("send %d: %v", r.i, err))
			}
			r.sending = false
			if !r.opener {
				r.i++
				if r.stop == nil && r.i == r.n {
					return r.i, true
				}
			}
			r.recv.Init(r.in)
			continue
		}
		res, ok := r.recv.Poll(cx)
		if !ok {
			return 0, false
		}
		if res.Err == ErrClosed && r.stop != nil && !r.opener {
			return r.i, true
		}
		want := r.i
		if r.opener {
			want++
		}
		if res.Err != nil || res.Value != want {
			panic(fmt.Sprintf("received %d, %v; want %d", res.Value, res.Err, want))
		}
		r.delivered.Add(1)
		if r.side != nil && !r.opener {
			if err, ok := r.sideSend.Init(r.side, res.Value).Poll(cx); !ok || err != nil {
				panic("a send on the side channel waited")
			}
		}
		if r.opener {
			r.i++
			if r.stop == nil && r.i == r.n {
				return r.i, true
			}
			if r.stop != nil && r.stop.Load() {
				r.out.Close()
				return r.i, true
			}
		}
		if r.opener {
			r.send.Init(r.out, r.i)
		} else {
			r.send.Init(r.out, res.Value+1)
		}
		r.sending = true
	}
}

// waitAll waits for every handle, failing t on an error or after timeout.
func waitAll[T any](t *testing.T, what string, timeout time.Duration, hs []*Task[T]) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for i, h := range hs {
		for !h.Done() {
			if time.Now().After(deadline) {
				t.Fatalf("%s %d never finished", what, i)
			}
			time.Sleep(100 * time.Microsecond)
		}
		if _, err := h.Join(); err != nil {
			t.Fatalf("%s %d: %v", what, i, err)
		}
	}
}

// TestStressPoolPairs runs many ping-pong pairs of tasks on Pools of one,
// two and four workers, where a task woken by the task being polled runs
// next on its worker. The tasks wake themselves and their partners from
// inside their polls and are woken from another goroutine while being
// polled; some pairs poll through combinators (so wakes go through the
// combinators' child wakers); a goroutine wakes every task spuriously; other pairs have a
// plain goroutine at one end, blocking in BlockOn, so their tasks are
// woken from outside the pool. Every value arrives, in order, and every
// task finishes; none is polled by two workers at once.
func TestStressPoolPairs(t *testing.T) {
	before := goruntime.NumGoroutine()
	pairs, outside, n := 24, 4, 1500
	if testing.Short() {
		pairs, n = 8, 300
	}
	for _, workers := range []int{1, 2, 4} {
		p := NewPool(workers)
		var delivered atomic.Int64
		var hs []*Task[int]
		for i := range pairs {
			op, other := newRelayPair(n, i%2, &delivered)
			op.stir, other.stir = i%3 != 0, i%3 != 0
			var a, b Future[int] = op, other
			switch i % 4 {
			case 1:
				// Wakes reach these tasks through a combinator's child
				// waker, and come from inside one.
				a, b = Race[int](op), Map(JoinAll[int](Race[int](other)), func(v []int) int { return v[0] })
			case 2:
				a = Race[int](op)
			}
			hs = append(hs, Spawn(p, a), Spawn(p, b))
		}
		var outsiders sync.WaitGroup
		var bad atomic.Value
		for i := range outside {
			a, b := NewChan[int](i%2), NewChan[int](i%2)
			r := &relay{out: b, in: a, n: n, delivered: &delivered, stir: true}
			r.recv.Init(a)
			r.partner = r
			hs = append(hs, Spawn[int](p, r))
			outsiders.Add(1)
			go func() {
				defer outsiders.Done()
				for i := range n {
					if err := BlockOn(a.Send(i)); err != nil {
						bad.Store(fmt.Sprintf("outside send %d: %v", i, err))
						return
					}
					if r := BlockOn(b.Recv()); r.Err != nil || r.Value != i+1 {
						bad.Store(fmt.Sprintf("outside received %d, %v; want %d", r.Value, r.Err, i+1))
						return
					}
					delivered.Add(1)
				}
			}()
		}
		stopWakes := wakeSpuriously(hs, true)
		waitAll(t, fmt.Sprintf("%d workers: task", workers), time.Minute, hs)
		outsiders.Wait()
		stopWakes()
		p.Close()
		if s, ok := bad.Load().(string); ok {
			t.Fatal(s)
		}
		if got, want := delivered.Load(), int64(2*pairs*n+2*outside*n); got != want {
			t.Fatalf("%d workers: %d values delivered, want %d", workers, got, want)
		}
	}
	checkGoroutines(t, before)
}

// orderFuture records its polls in a shared log; it completes at its
// second poll. Its first poll stores its waker.
type orderFuture struct {
	name  string
	log   *[]string
	polls int
	waker chan Waker
}

func (f *orderFuture) Poll(cx *Context) (int, bool) {
	*f.log = append(*f.log, f.name)
	f.polls++
	if f.polls == 1 {
		f.waker <- cx.Waker()
		return 0, false
	}
	return 0, true
}

// TestPoolWokenTaskRunsNext: on a worker whose queue holds a task, a task
// woken by the task being polled (here through a channel) runs next, in
// front of the queued one.
func TestPoolWokenTaskRunsNext(t *testing.T) {
	p := NewPool(1)
	defer p.Close()
	var log []string // touched by the pool's one worker only, then read after Join
	ch := NewUnbounded[int]()
	recvd := make(chan Waker, 1)
	b := Spawn[int](p, &sideReader{c: ch, n: 1, log: &log, polled: recvd})
	<-recvd
	yw := make(chan Waker, 1)
	y := Spawn[int](p, &orderFuture{name: "queued", log: &log, waker: yw})
	wy := <-yw
	d := Spawn[int](p, PollFunc[int](func(cx *Context) (int, bool) {
		wy.Wake() // from a poll, but not through the runtime: queued
		if err, ok := ch.Send(1).Poll(cx); !ok || err != nil {
			panic("an unbounded send waited")
		}
		log = append(log, "waker")
		return 0, true
	}))
	waitAll(t, "task", time.Minute, []*Task[int]{b, y, d})
	want := "[reader queued waker reader queued]"
	if got := fmt.Sprint(log); got != want {
		t.Fatalf("polls: %s, want %s", got, want)
	}
}

// yielder yields n times.
type yielder struct {
	n int
	y Future[struct{}]
}

func (f *yielder) Poll(cx *Context) (int, bool) {
	for f.n > 0 {
		if f.y == nil {
			f.y = YieldNow()
		}
		if _, ok := f.y.Poll(cx); !ok {
			return 0, false
		}
		f.y = nil
		f.n--
	}
	return 0, true
}

// sideReader receives n values from c. With log set it records its polls
// there, and sends its waker on polled at its first.
type sideReader struct {
	c      *Chan[int]
	n      int
	recv   RecvFuture[int]
	init   bool
	log    *[]string
	polled chan Waker
}

func (f *sideReader) Poll(cx *Context) (int, bool) {
	if f.log != nil {
		*f.log = append(*f.log, "reader")
		if f.polled != nil {
			defer func() { f.polled <- cx.Waker(); f.polled = nil }()
		}
	}
	for f.n > 0 {
		if !f.init {
			f.recv.Init(f.c)
			f.init = true
		}
		r, ok := f.recv.Poll(cx)
		if !ok {
			return 0, false
		}
		if r.Err != nil {
			panic(r.Err)
		}
		f.init = false
		f.n--
	}
	return 0, true
}

// TestPoolNextSlotDoesNotStarve: on a worker where a pair of tasks hands
// values back and forth without end, each always woken into the worker's
// next slot, other tasks still run: one the pair wakes into the slot
// itself (which moves the pair's task to the queue), one that yields over
// and over (queued behind the slot), one woken by a goroutine outside the
// pool and one spawned from outside (the shared queue). With one worker
// there is nowhere else for them to run.
func TestPoolNextSlotDoesNotStarve(t *testing.T) {
	before := goruntime.NumGoroutine()
	for _, workers := range []int{1, 2} {
		p := NewPool(workers)
		var delivered atomic.Int64
		var stop atomic.Bool
		side := NewUnbounded[int]()
		var pairs []*Task[int]
		for range workers {
			op, other := newRelayPair(0, 0, &delivered)
			op.stop, other.stop = &stop, &stop
			other.side = side
			pairs = append(pairs, Spawn[int](p, op), Spawn[int](p, other))
		}
		for delivered.Load() < 1000 {
			time.Sleep(100 * time.Microsecond)
		}
		ev := &eventFuture{want: 200}
		others := []*Task[int]{
			Spawn[int](p, &sideReader{c: side, n: 2000}),
			Spawn[int](p, &yielder{n: 2000}),
			Spawn[int](p, ev),
		}
		go func() {
			for range ev.want {
				ev.event()
				time.Sleep(10 * time.Microsecond)
			}
		}()
		for range 200 {
			others = append(others, Spawn[int](p, Ready(0)))
		}
		waitAll(t, fmt.Sprintf("%d workers: task beside the pairs", workers), time.Minute, others)
		if pairs[0].Done() {
			t.Fatal("a pair ended before it was stopped")
		}
		stop.Store(true)
		waitAll(t, "pair task", time.Minute, pairs)
		p.Close()
	}
	checkGoroutines(t, before)
}
