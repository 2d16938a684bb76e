package runtime

import (
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
)

func TestChanPingPong(t *testing.T) {
	l := NewLocal()
	ping, pong := NewChan[int](0), NewChan[int](0)
	const n = 100
	var got []int
	Spawn[struct{}](l, run(repeat(n, func(i int) []step {
		return []step{
			await(func() Future[error] { return ping.Send(i) }, nil),
			await(func() Future[Result[int]] { return pong.Recv() }, func(r Result[int]) { got = append(got, r.Value) }),
		}
	})...))
	Spawn[struct{}](l, run(repeat(n, func(int) []step {
		var v int
		return []step{
			await(func() Future[Result[int]] { return ping.Recv() }, func(r Result[int]) { v = r.Value }),
			await(func() Future[error] { return pong.Send(v * 2) }, nil),
		}
	})...))
	l.Run()
	if len(got) != n || got[n-1] != 2*(n-1) {
		t.Fatalf("got %v", got)
	}
}

func TestChanRendezvous(t *testing.T) {
	c := NewChan[int](0)
	cx := NewContext(nil)
	s := c.Send(1)
	if _, ok := s.Poll(cx); ok {
		t.Fatal("unbuffered send completed without a receiver")
	}
	if v, err := c.TryRecv(); err != nil || v != 1 {
		t.Fatalf("recv %d, %v", v, err)
	}
	if err, ok := s.Poll(cx); !ok || err != nil {
		t.Fatalf("send: %v, %v", ok, err)
	}
	if err := c.TrySend(2); err != ErrFull {
		t.Fatalf("TrySend: %v", err)
	}
}

func TestChanCloseAndCancel(t *testing.T) {
	c := NewChan[int](2)
	cx := NewContext(nil)
	c.TrySend(1)
	c.TrySend(2)
	s := c.Send(3)
	s.Poll(cx)
	c.Close()
	if err, ok := s.Poll(cx); !ok || err != ErrClosed {
		t.Fatalf("waiting send after close: %v", err)
	}
	got, _ := RunFuture(NewLocal(), Collect[int](c.Stream()))
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("drained %v", got)
	}
	if r, _ := c.Recv().Poll(cx); r.Err != ErrClosed {
		t.Fatalf("recv after drain: %v", r)
	}

	// a value handed to a receiver that is then canceled is not lost
	c = NewChan[int](1)
	a, b := c.Recv(), c.Recv()
	a.Poll(cx)
	b.Poll(cx)
	c.TrySend(7) // to a
	a.Cancel()   // passed to b
	if r, ok := b.Poll(cx); !ok || r.Value != 7 {
		t.Fatalf("b got %v, %v", r, ok)
	}
	a = c.Recv()
	a.Poll(cx)
	c.TrySend(8)
	a.Cancel() // back into the buffer
	if v, err := c.TryRecv(); v != 8 || err != nil {
		t.Fatalf("buffer has %v, %v", v, err)
	}
}

func TestChanUnbounded(t *testing.T) {
	c := NewUnbounded[int]()
	for i := range 1000 {
		if err := c.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	n := 0
	for v := range Values[int](c.Stream()) {
		if v != n {
			t.Fatalf("got %d want %d", v, n)
		}
		n++
	}
	if n != 1000 {
		t.Fatalf("received %d", n)
	}
}

func TestChanStressMPMC(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(4)
	c := NewChan[int](4)
	const producers, consumers, per = 8, 8, 500
	var sum atomic.Int64
	var count atomic.Int64
	var prods []*Task[struct{}]
	for range producers {
		prods = append(prods, Spawn[struct{}](p, run(repeat(per, func(i int) []step {
			return []step{await(func() Future[error] { return c.Send(i) }, func(err error) {
				if err != nil {
					panic(err)
				}
			})}
		})...)))
	}
	var cons []*Task[[]int]
	for range consumers {
		cons = append(cons, Spawn(p, Collect[int](c.Stream())))
	}
	for _, h := range prods {
		if _, err := h.Join(); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	for _, h := range cons {
		vs, err := h.Join()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			sum.Add(int64(v))
			count.Add(1)
		}
	}
	p.Close()
	if count.Load() != producers*per || sum.Load() != producers*per*(per-1)/2 {
		t.Fatalf("received %d values summing to %d", count.Load(), sum.Load())
	}
	checkGoroutines(t, before)
}
