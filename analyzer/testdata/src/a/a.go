package a

import (
	"sync"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:async Fetch
func fetch(n int) int {
	return runtime.Await(runtime.Ready(n)) + 1
}

//asyncgen:async Use
func use(mu *sync.Mutex, wg *sync.WaitGroup, ch chan int, n int) int {
	v := fetch(n)             // want `fetch is the body of Fetch: called directly it blocks the executor; await its constructor \(runtime.Await\(Fetch\(...\)\)\)`
	time.Sleep(1)             // want `time.Sleep blocks the executor in an async body; await runtime.Sleep`
	mu.Lock()                 // want `\(\*sync.Mutex\).Lock blocks the executor in an async body; use a runtime.Mutex`
	wg.Wait()                 // want `\(\*sync.WaitGroup\).Wait blocks`
	ch <- v                   // want `a send on a Go channel blocks the executor`
	v += <-ch                 // want `a receive from a Go channel blocks the executor`
	runtime.BlockOn(Fetch(1)) // want `BlockOn blocks the executor in an async body; use runtime.Await`
	select {                  // want `a select on Go channels blocks the executor`
	case <-ch:
	}
	select {
	case x := <-ch:
		v += x
	default:
	}
	for x := range ch { // want `a range over a Go channel blocks the executor`
		v += x
	}
	go func() { ch <- 1 }() // apart from the machine: not reported
	f := func() { time.Sleep(1) }
	f()
	v += runtime.Await(Fetch(v))
	return v
}

// plain is no body: it may block.
func plain(ch chan int) {
	ch <- 1
	Fetch(1)                // want `the future Fetch returns is dropped: await, spawn or return it`
	_ = Fetch(2)            // want `the future Fetch returns is dropped`
	runtime.Spawn(Fetch(3)) // a task's handle: not reported
	f := Fetch(4)
	runtime.BlockOn(f)
}

//asyncgen:async Changed
func changed() int { // want `the body of Changed changed since a_asyncgen.go was generated; run go generate`
	return runtime.Await(runtime.Ready(2))
}

//asyncgen:async Later
func later() int { // want `Later is not in a_asyncgen.go yet; run go generate`
	return 3
}

//asyncgen:async Pair
func pair() (int, int) { return 1, 2 } // want `an async body returns \(\), \(T\) or \(T, error\); pair returns \(int, int\)`

//asyncgen:async Lit
func lit(f runtime.Future[int]) func() int {
	return func() int { return runtime.Await(f) } // want `Await inside a function literal`
}

//asyncgen:async Locks
func locks(rw *sync.RWMutex, c *sync.Cond) {
	rw.Lock()  // want `\(\*sync.RWMutex\).Lock blocks the executor in an async body; use a runtime.Mutex`
	rw.RLock() // want `\(\*sync.RWMutex\).RLock blocks the executor in an async body; use a runtime.Mutex`
	c.Wait()   // want `\(\*sync.Cond\).Wait blocks the executor in an async body; use a runtime.Notify`
}
