package runtime

import (
	"errors"
	"testing"
	"time"
)

func TestLocalChanPingPong(t *testing.T) {
	for _, size := range []int{0, 1, -1} {
		l := NewLocal()
		mk := func() *Chan[int] {
			if size < 0 {
				return NewLocalUnbounded[int](l)
			}
			return NewLocalChan[int](l, size)
		}
		ping, pong := mk(), mk()
		const n = 200
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
			t.Fatalf("size %d: got %v", size, got)
		}
	}
}

// Both constructors size channels as make does: a negative size panics.
func TestChanNegativeSize(t *testing.T) {
	for name, mk := range map[string]func(){
		"NewChan":      func() { NewChan[int](-1) },
		"NewLocalChan": func() { NewLocalChan[int](NewLocal(), -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(-1) did not panic", name)
				}
			}()
			mk()
		}()
	}
}

// Many producers and consumers of one local channel, with receives that
// time out (virtual time) and a seeded scheduler: every value is received
// exactly once.
func TestLocalChanCancelSeeded(t *testing.T) {
	for seed := range uint64(20) {
		l := NewLocal(WithSeed(seed), WithVirtualTime(time.Unix(0, 0)))
		c := NewLocalChan[int](l, int(seed%3))
		const producers, per = 3, 50
		seen := make([]int, producers*per)
		var prods []*Task[struct{}]
		for k := range producers {
			prods = append(prods, Spawn[struct{}](l, run(repeat(per, func(i int) []step {
				return []step{
					await(func() Future[struct{}] { return Sleep(time.Duration(i%3) * time.Millisecond) }, nil),
					await(func() Future[error] { return c.Send(k*per + i) }, nil),
				}
			})...)))
		}
		for range 3 {
			var loop func() Future[struct{}]
			loop = func() Future[struct{}] {
				return Then[Result[Result[int]]](Timeout[Result[int]](c.Recv(), time.Millisecond), func(r Result[Result[int]]) Future[struct{}] {
					if r.Err == nil {
						if r.Value.Err != nil {
							return Ready(struct{}{}) // closed and drained
						}
						seen[r.Value.Value]++
					}
					return loop()
				})
			}
			Spawn(l, loop())
		}
		var closer []step
		for _, h := range prods {
			closer = append(closer, await(func() Future[Result[struct{}]] { return h }, nil))
		}
		Spawn[struct{}](l, run(append(closer, do(c.Close))...))
		l.Run()
		for v, n := range seen {
			if n != 1 {
				t.Fatalf("seed %d: value %d received %d times", seed, v, n)
			}
		}
	}
}

func TestLocalChanOtherExecutorPanics(t *testing.T) {
	l, other := NewLocal(), NewLocal()
	c := NewLocalChan[int](l, 1)
	_, err := RunFuture[Result[int]](other, c.Recv())
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a panic", err)
	}
}
