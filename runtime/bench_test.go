package runtime

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// The benchmarks compare the runtime with plain goroutines; the command
// and figures are in docs/BENCHMARKS.md. They measure, they do not assert.

const spawnBatch = 1 << 20 // tasks per op of the spawn benchmarks

// doneFuture is a trivial task: ready at once, counting completions.
type doneFuture struct{ left *atomic.Int64 }

func (d doneFuture) Poll(*Context) (struct{}, bool) {
	d.left.Add(-1)
	return struct{}{}, true
}

// spawner is a task that spawns n trivial tasks, yielding to them after
// every 256.
type spawner struct {
	ex       Executor
	n        int
	detached bool
}

func (s *spawner) Poll(cx *Context) (struct{}, bool) {
	for i := 0; i < 256 && s.n > 0; i++ {
		if s.detached {
			Go(s.ex, Ready(struct{}{}))
		} else {
			Spawn[struct{}](s.ex, Ready(struct{}{}))
		}
		s.n--
	}
	if s.n == 0 {
		return struct{}{}, true
	}
	cx.Waker().Wake()
	return struct{}{}, false
}

// BenchmarkSpawn1M spawns and completes 1M trivial tasks per op.
func BenchmarkSpawn1M(b *testing.B) {
	b.Run("executor=local", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l := NewLocal()
			for range spawnBatch {
				Spawn[struct{}](l, Ready(struct{}{}))
			}
			l.Run()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
	b.Run("executor=local/from-task", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l := NewLocal()
			Spawn[struct{}](l, &spawner{ex: l, n: spawnBatch})
			l.Run()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
	b.Run("executor=local/from-task/detached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l := NewLocal()
			Spawn[struct{}](l, &spawner{ex: l, n: spawnBatch, detached: true})
			l.Run()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
	b.Run("executor=pool/detached", func(b *testing.B) {
		b.ReportAllocs()
		p := NewPool(0)
		defer p.Close()
		for b.Loop() {
			var left atomic.Int64
			left.Store(spawnBatch)
			f := doneFuture{&left}
			for range spawnBatch {
				Go(p, f)
			}
			for left.Load() > 0 {
				runtime.Gosched()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
	b.Run("executor=pool", func(b *testing.B) {
		b.ReportAllocs()
		p := NewPool(0)
		defer p.Close()
		for b.Loop() {
			var left atomic.Int64
			left.Store(spawnBatch)
			f := doneFuture{&left}
			for range spawnBatch {
				Spawn[struct{}](p, f)
			}
			for left.Load() > 0 {
				runtime.Gosched()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
	b.Run("goroutines+WaitGroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(spawnBatch)
			for range spawnBatch {
				go wg.Done()
			}
			wg.Wait()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnBatch), "ns/task")
	})
}

// pinger is a hand-written pinned machine: it sends on out and receives
// from in, n times, storing both futures inline.
type pinger struct {
	out, in *Chan[int]
	n, i    int
	sending bool
	send    SendFuture[int]
	recv    RecvFuture[int]
	first   bool // the pinger sends first; the ponger receives first
}

func (p *pinger) Poll(cx *Context) (struct{}, bool) {
	for p.i < p.n {
		if p.sending {
			if _, ok := p.send.Poll(cx); !ok {
				return struct{}{}, false
			}
			p.sending = false
			p.recv.Init(p.in)
			if !p.first {
				p.i++
			}
			continue
		}
		if _, ok := p.recv.Poll(cx); !ok {
			return struct{}{}, false
		}
		if p.first {
			p.i++
		}
		p.sending = true
		p.send.Init(p.out, p.i)
	}
	return struct{}{}, true
}

func newPingPong(n int, mk func() *Chan[int]) (*pinger, *pinger) {
	a, b := mk(), mk()
	ping := &pinger{out: a, in: b, n: n, first: true, sending: true}
	ping.send.Init(a, 0)
	pong := &pinger{out: b, in: a, n: n}
	pong.recv.Init(a)
	return ping, pong
}

// allocPinger is pinger written against the allocating API (a new future
// per operation), as straightforward generated code would use it.
type allocPinger struct {
	out, in *Chan[int]
	n, i    int
	first   bool
	send    *SendFuture[int]
	recv    *RecvFuture[int]
}

func (p *allocPinger) Poll(cx *Context) (struct{}, bool) {
	for p.i < p.n {
		if p.send != nil {
			if _, ok := p.send.Poll(cx); !ok {
				return struct{}{}, false
			}
			p.send = nil
			p.recv = p.in.Recv()
			if !p.first {
				p.i++
			}
			continue
		}
		if _, ok := p.recv.Poll(cx); !ok {
			return struct{}{}, false
		}
		if p.first {
			p.i++
		}
		p.send = p.out.Send(p.i)
	}
	return struct{}{}, true
}

// BenchmarkPingPong measures one round trip between two tasks through
// unbuffered async channels, against two goroutines and Go channels.
func BenchmarkPingPong(b *testing.B) {
	b.Run("async/local/inline", func(b *testing.B) {
		b.ReportAllocs()
		l := NewLocal()
		ping, pong := newPingPong(b.N, func() *Chan[int] { return NewChan[int](0) })
		b.ResetTimer()
		runPair[struct{}](l, ping, pong)
	})
	b.Run("async/local/localchan", func(b *testing.B) {
		b.ReportAllocs()
		l := NewLocal()
		ping, pong := newPingPong(b.N, func() *Chan[int] { return NewLocalChan[int](l, 0) })
		b.ResetTimer()
		runPair[struct{}](l, ping, pong)
	})
	b.Run("async/local/alloc", func(b *testing.B) {
		b.ReportAllocs()
		l := NewLocal()
		a, c := NewChan[int](0), NewChan[int](0)
		ping := &allocPinger{out: a, in: c, n: b.N, first: true, send: a.Send(0)}
		pong := &allocPinger{out: c, in: a, n: b.N, recv: a.Recv()}
		b.ResetTimer()
		runPair[struct{}](l, ping, pong)
	})
	b.Run("async/pool/inline", func(b *testing.B) {
		b.ReportAllocs()
		p := NewPool(0)
		defer p.Close()
		ping, pong := newPingPong(b.N, func() *Chan[int] { return NewChan[int](0) })
		b.ResetTimer()
		joinPair[struct{}](p, ping, pong)
	})
	// Each task awaits its pinger inside a combinator (JoinAll of one),
	// so every wake goes through a child's waker to the task.
	b.Run("async/local/combinator", func(b *testing.B) {
		b.ReportAllocs()
		l := NewLocal()
		ping, pong := newPingPong(b.N, func() *Chan[int] { return NewChan[int](0) })
		b.ResetTimer()
		runPair(l, JoinAll[struct{}](ping), JoinAll[struct{}](pong))
	})
	b.Run("async/pool/combinator", func(b *testing.B) {
		b.ReportAllocs()
		p := NewPool(0)
		defer p.Close()
		ping, pong := newPingPong(b.N, func() *Chan[int] { return NewChan[int](0) })
		b.ResetTimer()
		joinPair(p, JoinAll[struct{}](ping), JoinAll[struct{}](pong))
	})
	b.Run("goroutines/chan", func(b *testing.B) {
		b.ReportAllocs()
		ping, pong := make(chan int), make(chan int)
		done := make(chan struct{})
		go func() {
			for v := range ping {
				pong <- v
			}
			close(done)
		}()
		b.ResetTimer()
		for i := range b.N {
			ping <- i
			<-pong
		}
		close(ping)
		<-done
	})
}

// heapAndStacks returns the memory in use by the heap and goroutine stacks
// after a garbage collection.
func heapAndStacks() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

const idleCount = 100_000

// BenchmarkIdleMemory measures the memory held by an idle task (spawned,
// polled once, waiting on an Event) against an idle goroutine (blocked on a
// channel). The figure is the bytes/task metric.
func BenchmarkIdleMemory(b *testing.B) {
	b.Run("task", func(b *testing.B) {
		var per float64
		for b.Loop() {
			before := heapAndStacks()
			l := NewLocal()
			var e Event
			for range idleCount {
				Spawn[struct{}](l, e.Wait())
			}
			l.RunUntilStalled()
			per = float64(heapAndStacks()-before) / idleCount
			e.Set()
			l.Run()
		}
		b.ReportMetric(per, "bytes/task")
	})
	b.Run("goroutine", func(b *testing.B) {
		var per float64
		for b.Loop() {
			before := heapAndStacks()
			ch := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(idleCount)
			for range idleCount {
				go func() {
					defer wg.Done()
					<-ch
				}()
			}
			per = float64(heapAndStacks()-before) / idleCount
			close(ch)
			wg.Wait()
		}
		b.ReportMetric(per, "bytes/task")
	})
}

// runPair spawns a and b on l and runs it until both have finished.
func runPair[T any](l *Local, a, b Future[T]) {
	Spawn(l, a)
	Spawn(l, b)
	l.Run()
}

// joinPair spawns a and b on p and waits until both have finished.
func joinPair[T any](p *Pool, a, b Future[T]) {
	h1, h2 := Spawn(p, a), Spawn(p, b)
	h1.Join()
	h2.Join()
}
