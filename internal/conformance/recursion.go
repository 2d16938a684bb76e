package conformance

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async TreeSum
func treeSum(t *Tree) int {
	if t == nil {
		return 0
	}
	return runtime.Await(TreeSum(t.Left)) + t.V + runtime.Await(TreeSum(t.Right))
}

//asyncgen:async Even
func even(n int) bool {
	if n == 0 {
		return true
	}
	return runtime.Await(Odd(n - 1))
}

// tree returns a balanced tree of lo..hi.
func tree(lo, hi int) *Tree {
	if lo > hi {
		return nil
	}
	mid := (lo + hi) / 2
	return &Tree{Left: tree(lo, mid-1), V: mid, Right: tree(mid+1, hi)}
}

//asyncgen:async Leaf
func leaf(p *Pending[int]) int { return runtime.Await[int](p) }

//asyncgen:async Mid
func mid(p *Pending[int]) int { return runtime.Await(Leaf(p)) + 1 }

//asyncgen:async Top
func top(p *Pending[int]) int { return runtime.Await(Mid(p)) * runtime.Await(Mid(p)) }

// Big is a large value whose reclamation the tests observe.
type Big struct{ Data [1 << 16]byte }

//asyncgen:async Holds
func holds(mk func() *Big, g *Gate) int {
	buf := mk()
	runtime.Await(After(1, 0))
	n := len(buf.Data) // the last use of buf: dead across the next await
	runtime.Await[int](g)
	return n
}
