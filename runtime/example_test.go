package runtime_test

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// Futures written by hand here stand for the machines asyncgen generates.

var start = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// A simulation: a Local executor with virtual time runs hours of sleeps at
// once, in the same order every run.
func ExampleNewLocal() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	for _, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
		runtime.Go(ex, runtime.Map(runtime.Sleep(d), func(struct{}) struct{} {
			fmt.Println(ex.Now().Format(time.Kitchen), "slept", d)
			return struct{}{}
		}))
	}
	ex.Run()
	// Output:
	// 10:00AM slept 1h0m0s
	// 11:00AM slept 2h0m0s
	// 12:00PM slept 3h0m0s
}

// With a seed, the executor picks among ready tasks at random, the same
// way for the same seed.
func ExampleWithSeed() {
	order := func(seed uint64) []int {
		ex := runtime.NewLocal(runtime.WithSeed(seed))
		var out []int
		for i := range 5 {
			runtime.Go(ex, runtime.PollFunc[struct{}](func(*runtime.Context) (struct{}, bool) {
				out = append(out, i)
				return struct{}{}, true
			}))
		}
		ex.Run()
		return out
	}
	fmt.Println(slices.Equal(order(1), order(1)))
	// Output: true
}

// A Task is a future of its outcome; from plain Go, Join blocks for it.
func ExampleSpawn() {
	pool := runtime.NewPool(2)
	defer pool.Close()
	t := runtime.Spawn(pool, runtime.Map(runtime.Sleep(time.Millisecond), func(struct{}) string {
		return "done"
	}))
	v, err := t.Join()
	fmt.Println(v, err)

	boom := runtime.Spawn(pool, runtime.PollFunc[int](func(*runtime.Context) (int, bool) {
		panic("boom")
	}))
	_, err = boom.Join()
	var pe *runtime.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output:
	// done <nil>
	// true boom
}

// Canceling a task runs its future's Cancel and reports ErrCanceled.
func ExampleTask_Cancel() {
	ex := runtime.NewLocal()
	t := runtime.Spawn(ex, runtime.Never[int]())
	ex.RunUntilStalled()
	t.Cancel()
	ex.Run()
	_, err := t.Join()
	fmt.Println(err)
	// Output: asyncgen: canceled
}

func ExampleTimeout() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	r, _ := runtime.RunFuture(ex, runtime.Timeout(runtime.Never[int](), time.Minute))
	fmt.Println(r.Err, ex.Now().Sub(start))
	// Output: asyncgen: timeout 1m0s
}

// Two tasks play ping-pong over unbuffered channels.
func ExampleChan() {
	ex := runtime.NewLocal()
	ping, pong := runtime.NewChan[int](0), runtime.NewChan[int](0)
	// the ponger doubles what it receives until ping is closed
	runtime.Go(ex, runtime.Then(runtime.Collect(runtime.MapStream(ping.Stream(), func(v int) error {
		return pong.TrySend(v * 2) // room: the pinger is waiting to receive
	})), func([]error) runtime.Future[struct{}] {
		pong.Close()
		return runtime.Ready(struct{}{})
	}))
	var got []int
	var step func(i int) runtime.Future[struct{}]
	step = func(i int) runtime.Future[struct{}] {
		if i == 3 {
			ping.Close()
			return runtime.Ready(struct{}{})
		}
		return runtime.Then(ping.Send(i), func(error) runtime.Future[struct{}] {
			return runtime.Then(pong.Recv(), func(r runtime.Result[int]) runtime.Future[struct{}] {
				got = append(got, r.Value)
				return step(i + 1)
			})
		})
	}
	runtime.Go(ex, step(0))
	ex.Run()
	fmt.Println(got)
	// Output: [0 2 4]
}

// Merge interleaves streams fairly.
func ExampleMerge() {
	a := runtime.FromSlice([]string{"a1", "a2", "a3"})
	b := runtime.FromSlice([]string{"b1", "b2"})
	for v := range runtime.Values(runtime.Merge(a, b)) {
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: a1 b1 a2 b2 a3
}

func ExampleMutex() {
	ex := runtime.NewLocal()
	var mu runtime.Mutex
	var log []string
	for _, name := range []string{"a", "b", "c"} {
		runtime.Go(ex, runtime.Then(mu.Lock(), func(struct{}) runtime.Future[struct{}] {
			log = append(log, name+" in")
			return runtime.Map(runtime.YieldNow(), func(struct{}) struct{} {
				log = append(log, name+" out")
				mu.Unlock()
				return struct{}{}
			})
		}))
	}
	ex.Run()
	fmt.Println(log)
	// Output: [a in a out b in b out c in c out]
}

func ExampleRace() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	slow := runtime.Map(runtime.Sleep(time.Hour), func(struct{}) string { return "slow" })
	fast := runtime.Map(runtime.Sleep(time.Second), func(struct{}) string { return "fast" })
	v, _ := runtime.RunFuture(ex, runtime.Race(slow, fast))
	fmt.Println(v, ex.Now().Sub(start))
	// Output: fast 1s
}

func ExampleJoinAll() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	var fs []runtime.Future[int]
	for i := 3; i > 0; i-- {
		fs = append(fs, runtime.Map(runtime.Sleep(time.Duration(i)*time.Second), func(struct{}) int { return i }))
	}
	vs, _ := runtime.RunFuture(ex, runtime.JoinAll(fs...))
	fmt.Println(vs, ex.Now().Sub(start))
	// Output: [3 2 1] 3s
}

// Blocking work runs on its own goroutine; a Go channel is a stream.
func ExampleBlocking() {
	ch := make(chan int)
	go func() {
		for i := range 3 {
			ch <- i
		}
		close(ch)
	}()
	ex := runtime.NewLocal()
	sum, _ := runtime.RunFuture(ex, runtime.Blocking(func() int { return 40 }))
	vs, _ := runtime.RunFuture(ex, runtime.Collect(runtime.FromChan(ch)))
	fmt.Println(sum, vs)
	// Output: 40 [0 1 2]
}

func ExampleGroup() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	var g runtime.Group
	for i := range 3 {
		g.Add(1)
		runtime.Go(ex, runtime.Map(runtime.Sleep(time.Duration(i)*time.Minute), func(struct{}) struct{} {
			g.Done()
			return struct{}{}
		}))
	}
	runtime.RunFuture(ex, g.Wait())
	fmt.Println("all done after", ex.Now().Sub(start))
	// Output: all done after 2m0s
}

func ExampleTick() {
	ex := runtime.NewLocal(runtime.WithVirtualTime(start))
	ticks, _ := runtime.RunFuture(ex, runtime.Collect(runtime.Take(runtime.Tick(15*time.Minute), 3)))
	for _, t := range ticks {
		fmt.Println(t.Format(time.Kitchen))
	}
	// Output:
	// 9:15AM
	// 9:30AM
	// 9:45AM
}
