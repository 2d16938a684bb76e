// This file holds the invariant checker, run on every graph built.

package ir

import "fmt"

// Check verifies the graph's invariants: every block is terminated, every
// successor is a block of the graph, predecessors mirror successors,
// suspension states are numbered 1..n, each resume block follows exactly one
// suspension, and the exit block is last.
func (fn *Func) Check() error {
	in := map[*Block]bool{}
	for i, b := range fn.Blocks {
		if b.Index != i {
			return fmt.Errorf("block %d has index %d", i, b.Index)
		}
		in[b] = true
	}
	if len(fn.Blocks) == 0 || fn.Blocks[len(fn.Blocks)-1] != fn.Exit {
		return fmt.Errorf("exit block is not last")
	}
	for _, b := range fn.Blocks {
		if b.Term == nil {
			return fmt.Errorf("block %d has no terminator", b.Index)
		}
		for _, s := range allSuccs(fn, b) {
			if !in[s] {
				return fmt.Errorf("block %d jumps to a block outside the graph", b.Index)
			}
			found := false
			for _, p := range s.Preds {
				if p == b {
					found = true
				}
			}
			if !found {
				return fmt.Errorf("block %d is not a predecessor of its successor %d", b.Index, s.Index)
			}
		}
		if b.Resume != nil {
			if len(b.Preds) != 1 || b.Preds[0].Term != b.Resume {
				return fmt.Errorf("resume block %d is not entered only from its suspension", b.Index)
			}
		}
	}
	for i, b := range fn.Suspends {
		s, ok := b.Term.(*Suspend)
		if !ok || s.State != i+1 || s.Resume.Resume != s {
			return fmt.Errorf("suspension %d is malformed", i+1)
		}
	}
	return nil
}
