package bench

import (
	goruntime "runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/asyncgen/asyncgen/runtime"
)

// drain polls f until ready; each poll after the first is one resume of the
// whole chain that ends in a new pending leaf.
func drain(f runtime.Future[int], cx *runtime.Context) (polls int) {
	for {
		polls++
		if _, ok := f.Poll(cx); ok {
			return polls
		}
	}
}

func benchChain(b *testing.B, mk func(t *Toggle, n int) runtime.Future[int]) {
	b.ReportAllocs()
	cx := runtime.NewContext(nil)
	f := mk(&Toggle{}, b.N)
	b.ResetTimer()
	drain(f, cx)
}

// ns per resume of await chains of depth 1, 4 and 16 over a leaf pending
// once per step, beside the hand-written depth-1 machine.

func BenchmarkResumeHand(b *testing.B) {
	benchChain(b, func(t *Toggle, n int) runtime.Future[int] { return &HandChain1{t: t, n: n} })
}

func BenchmarkResumeDepth1(b *testing.B) {
	benchChain(b, func(t *Toggle, n int) runtime.Future[int] { return Chain1(t, n) })
}

func BenchmarkResumeDepth4(b *testing.B) {
	benchChain(b, func(t *Toggle, n int) runtime.Future[int] { return Chain4(t, n) })
}

func BenchmarkResumeDepth16(b *testing.B) {
	benchChain(b, func(t *Toggle, n int) runtime.Future[int] { return Chain16(t, n) })
}

// BenchmarkSuspendedTask measures the memory held by a suspended small task
// (bytes/task), beside BenchmarkParkedGoroutine.
func BenchmarkSuspendedTask(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		gate := &gateFuture{}
		goruntime.GC()
		var before, after goruntime.MemStats
		goruntime.ReadMemStats(&before)
		tasks := make([]*IdleFuture, n)
		cx := runtime.NewContext(nil)
		for i := range tasks {
			tasks[i] = Idle(gate, i, 2)
			tasks[i].Poll(cx)
		}
		goruntime.GC()
		goruntime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc-uint64(n*unsafe.Sizeof(tasks[0])))/n, "bytes/task")
		goruntime.KeepAlive(tasks)
	}
}

func BenchmarkParkedGoroutine(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		goruntime.GC()
		var before, after goruntime.MemStats
		goruntime.ReadMemStats(&before)
		var wg sync.WaitGroup
		block := make(chan int)
		var started sync.WaitGroup
		started.Add(n)
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(a, b int) {
				defer wg.Done()
				x := a * b
				started.Done()
				y := <-block
				_ = x + y
			}(i, 2)
		}
		started.Wait()
		goruntime.GC()
		goruntime.ReadMemStats(&after)
		used := (after.StackInuse + after.HeapAlloc) - (before.StackInuse + before.HeapAlloc)
		b.ReportMetric(float64(used)/n, "bytes/task")
		close(block)
		wg.Wait()
	}
}

// gateFuture never becomes ready.
type gateFuture struct{}

func (*gateFuture) Poll(*runtime.Context) (int, bool) { return 0, false }

// TestWrapGrowth reports the size of wrap chains: each level adds a small
// constant (its own state and the argument, once), never doubling.
func TestWrapGrowth(t *testing.T) {
	sizes := []uintptr{
		unsafe.Sizeof(Wrap1Future{}), unsafe.Sizeof(Wrap2Future{}), unsafe.Sizeof(Wrap3Future{}), unsafe.Sizeof(Wrap4Future{}),
		unsafe.Sizeof(Wrap5Future{}), unsafe.Sizeof(Wrap6Future{}), unsafe.Sizeof(Wrap7Future{}), unsafe.Sizeof(Wrap8Future{}),
	}
	for i := 1; i < len(sizes); i++ {
		if d := sizes[i] - sizes[i-1]; d != sizes[1]-sizes[0] || d > 64 {
			t.Fatalf("wrap sizes %v: level %d adds %d bytes", sizes, i+1, d)
		}
	}
	t.Logf("wrap chain sizes (bytes): %v; %d bytes per level", sizes, sizes[1]-sizes[0])
}

// TestChains checks the chains compute the same as the hand-written one.
func TestChains(t *testing.T) {
	cx := runtime.NewContext(nil)
	for _, f := range []runtime.Future[int]{&HandChain1{t: &Toggle{}, n: 10}, Chain1(&Toggle{}, 10), Chain16(&Toggle{}, 10)} {
		if polls := drain(f, cx); polls != 11 {
			t.Fatalf("%T: %d polls", f, polls)
		}
	}
	for range 3 {
		got := testing.AllocsPerRun(10, func() { drain(Chain16(&Toggle{}, 5), cx) })
		if got > 2 {
			t.Fatalf("depth 16 chain: %v allocations", got)
		}
	}
}
