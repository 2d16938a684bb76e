package bench

import (
	"iter"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

var sink int

// Per-item cost of pulling from an iterator, side by side.

func BenchmarkPullHand(b *testing.B) {
	b.ReportAllocs()
	it := &HandCount{n: b.N}
	for {
		v, ok := it.Next()
		if !ok {
			break
		}
		sink += v
	}
}

func BenchmarkPullGenerated(b *testing.B) {
	b.ReportAllocs()
	it := Count(b.N)
	for {
		v, ok := it.Next()
		if !ok {
			break
		}
		sink += v
	}
}

func BenchmarkPullIterPull(b *testing.B) {
	b.ReportAllocs()
	next, stop := iter.Pull(iter.Seq[int](CountDirect(b.N)))
	defer stop()
	for {
		v, ok := next()
		if !ok {
			break
		}
		sink += v
	}
}

func BenchmarkPullChannel(b *testing.B) {
	b.ReportAllocs()
	ch, stop := ChanCount(b.N)
	defer stop()
	for v := range ch {
		sink += v
	}
}

// Creating and draining a small generator (8 items).

func BenchmarkSmallGenerated(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		it := Count(8)
		for {
			v, ok := it.Next()
			if !ok {
				break
			}
			sink += v
		}
	}
}

func BenchmarkSmallIterPull(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		next, stop := iter.Pull(iter.Seq[int](CountDirect(8)))
		for {
			v, ok := next()
			if !ok {
				break
			}
			sink += v
		}
		stop()
	}
}

// TestCount keeps the machine and its anchors honest.
func TestCount(t *testing.T) {
	it := Count(5)
	h := &HandCount{n: 5}
	ch, stop := ChanCount(5)
	defer stop()
	for i := 0; i < 5; i++ {
		a, _ := it.Next()
		b, _ := h.Next()
		c := <-ch
		if a != i || b != i || c != i {
			t.Fatal(a, b, c)
		}
	}
	if _, ok := it.Next(); ok {
		t.Fatal("more")
	}
}

// Through the runtime.Iterator interface, as generic consumers pull.

//go:noinline
func pullAll(it runtime.Iterator[int]) {
	for {
		v, ok := it.Next()
		if !ok {
			break
		}
		sink += v
	}
}

func BenchmarkPullHandIface(b *testing.B) {
	b.ReportAllocs()
	pullAll(&HandCount{n: b.N})
}

func BenchmarkPullGeneratedIface(b *testing.B) {
	b.ReportAllocs()
	pullAll(Count(b.N))
}

// Ranging over All: an iterator that has not started runs its body
// directly (push), beside ranging over the push form itself.

func BenchmarkRangeAllGenerated(b *testing.B) {
	b.ReportAllocs()
	for v := range Count(b.N).All() {
		sink += v
	}
}

func BenchmarkRangeDirect(b *testing.B) {
	b.ReportAllocs()
	for v := range CountDirect(b.N) {
		sink += v
	}
}

// TestNextInlinable checks that the compiler can inline the generated Next
// of Count, whose fast path the benchmarks above measure: that is what puts
// it beside the hand-written iterator.
func TestNextInlinable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	out, err := exec.Command("go", "build", "-gcflags=-m", "-o", os.DevNull, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, want := range []string{"can inline (*CountIter).Next", "can inline (*HandCount).Next", "can inline (*EachIter).Next", "can inline (*HandEach).Next", "can inline (*ItemsStream).PollNext"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("compiler output lacks %q:\n%s", want, out)
		}
	}
}

// Per-item cost of pulling the elements of a slice, in passes over 4096
// elements (one iterator per pass). Like the loops above, each is written
// out: a shared generic helper would call Next through its dictionary, and
// the compiler could not inline it.

var elems = func() []int {
	xs := make([]int, 4096)
	for i := range xs {
		xs[i] = i
	}
	return xs
}()

func BenchmarkSliceHand(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		it := &HandEach{xs: elems}
		for n < b.N {
			v, ok := it.Next()
			if !ok {
				break
			}
			sink += v
			n++
		}
	}
}

func BenchmarkSliceGenerated(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		it := Each(elems)
		for n < b.N {
			v, ok := it.Next()
			if !ok {
				break
			}
			sink += v
			n++
		}
		it.Close()
	}
}

func BenchmarkSliceIterPull(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		next, stop := iter.Pull(slices.Values(elems))
		for n < b.N {
			v, ok := next()
			if !ok {
				break
			}
			sink += v
			n++
		}
		stop()
	}
}

func TestEach(t *testing.T) {
	xs := []int{4, 1, 3}
	it, h := Each(xs), &HandEach{xs: xs}
	for _, want := range xs {
		a, aok := it.Next()
		b, bok := h.Next()
		if a != want || b != want || !aok || !bok {
			t.Fatal(a, b, want)
		}
	}
	if _, ok := it.Next(); ok {
		t.Fatal("more")
	}
	if _, ok := h.Next(); ok {
		t.Fatal("more")
	}
}

// Per-item cost of a filter that yields every other element of elems (ns
// per item yielded), in passes as above.

func BenchmarkFilterHand(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		it := &HandEvens{xs: elems}
		for n < b.N {
			v, ok := it.Next()
			if !ok {
				break
			}
			sink += v
			n++
		}
	}
}

func BenchmarkFilterGenerated(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		it := Evens(elems)
		for n < b.N {
			v, ok := it.Next()
			if !ok {
				break
			}
			sink += v
			n++
		}
		it.Close()
	}
}

func BenchmarkFilterIterPull(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		next, stop := iter.Pull(iter.Seq[int](func(yield func(int) bool) { evens(elems, yield) }))
		for n < b.N {
			v, ok := next()
			if !ok {
				break
			}
			sink += v
			n++
		}
		stop()
	}
}

func TestEvens(t *testing.T) {
	xs := []int{4, 1, 3, 6, 8, 5}
	it, h := Evens(xs), &HandEvens{xs: xs}
	for _, want := range []int{4, 6, 8} {
		a, aok := it.Next()
		b, bok := h.Next()
		if a != want || b != want || !aok || !bok {
			t.Fatal(a, b, want)
		}
	}
	if _, ok := it.Next(); ok {
		t.Fatal("more")
	}
	if _, ok := h.Next(); ok {
		t.Fatal("more")
	}
}

// Per-item cost of polling a stream over elems, in passes as above.

var streamCx = runtime.NewContext(nil)

func BenchmarkStreamHand(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		s := &HandItems{xs: elems}
		for n < b.N {
			v, st := s.PollNext(streamCx)
			if st != runtime.Yielded {
				break
			}
			sink += v
			n++
		}
	}
}

func BenchmarkStreamGenerated(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; {
		s := Items(elems)
		for n < b.N {
			v, st := s.PollNext(streamCx)
			if st != runtime.Yielded {
				break
			}
			sink += v
			n++
		}
		s.Close()
	}
}

func TestItems(t *testing.T) {
	xs := []int{4, 1, 3}
	s, h := Items(xs), &HandItems{xs: xs}
	for _, want := range xs {
		a, ast := s.PollNext(streamCx)
		b, bst := h.PollNext(streamCx)
		if a != want || b != want || ast != runtime.Yielded || bst != runtime.Yielded {
			t.Fatal(a, b, want)
		}
	}
	if _, st := s.PollNext(streamCx); st != runtime.Done {
		t.Fatal(st)
	}
	if _, st := h.PollNext(streamCx); st != runtime.Done {
		t.Fatal(st)
	}
}
