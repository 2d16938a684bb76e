package conformance

import (
	goruntime "runtime"
	"testing"
	"weak"

	"github.com/asyncgen/asyncgen/runtime"
)

func TestRecursion(t *testing.T) {
	tr := tree(1, 30)
	same(t, func(*Log) int { return treeSum(tr) }, func(*Log) runtime.Future[int] { return TreeSum(tr) })
	for _, n := range []int{0, 1, 7, 10} {
		same(t, func(*Log) bool { return even(n) }, func(*Log) runtime.Future[bool] { return Even(n) })
	}
	same(t, func(l *Log) int { return outer(l, 5) }, func(l *Log) runtime.Future[int] { return Outer(l, 5) })
}

// TestInlineAllocs checks that awaiting generated futures allocates
// nothing: a whole task tree of generated machines is one allocation.
func TestInlineAllocs(t *testing.T) {
	p := &Pending[int]{V: 3}
	cx := runtime.NewContext(nil)
	allocs := testing.AllocsPerRun(100, func() {
		p.N = 2
		f := Top(p)
		for {
			if v, ok := f.Poll(cx); ok {
				if v != 16 {
					t.Fatal(v)
				}
				break
			}
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations per run, want 1", allocs)
	}
}

// TestDeadReferenceCleared checks that a reference dead from a suspension
// on is cleared there: the garbage collector reclaims what it pointed at
// while the machine is still suspended.
func TestDeadReferenceCleared(t *testing.T) {
	var w weak.Pointer[Big]
	g := &Gate{}
	f := Holds(func() *Big { b := new(Big); w = weak.Make(b); return b }, g)
	cx := runtime.NewContext(nil)
	for i := 0; i < 5; i++ {
		if _, ok := f.Poll(cx); ok {
			t.Fatal("ready")
		}
	}
	goruntime.GC()
	goruntime.GC()
	if w.Value() != nil {
		t.Fatal("the dead reference was kept by the suspended machine")
	}
	g.open = true
	if v := drive(t, f); v != 1<<16 {
		t.Fatal(v)
	}
}
