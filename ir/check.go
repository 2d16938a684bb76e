// This file holds the invariant checker, run on every graph built.

package ir

import (
	"errors"
	"fmt"
	"strings"
)

// Check verifies the graph's invariants: blocks are indexed in order and
// the exit block is last; every block is terminated; every successor is a
// block of the graph; predecessors mirror successors, once per edge;
// suspension states are numbered 1..n and each resume block follows
// exactly its suspension, and only it; no temporary is read before it is
// assigned on some path. It reports every violation, with
// the function's dump, as go/ssa's sanity checker does.
func (fn *Func) Check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	in := map[*Block]bool{}
	for i, b := range fn.Blocks {
		if b.Index != i {
			bad("block %d has index %d", i, b.Index)
		}
		in[b] = true
	}
	if len(fn.Blocks) == 0 || fn.Blocks[len(fn.Blocks)-1] != fn.Exit {
		bad("exit block is not last")
	}
	for _, b := range fn.Blocks {
		if b.Term == nil {
			bad("block %d has no terminator", b.Index)
			continue
		}
		succs := map[*Block]bool{}
		for _, s := range allSuccs(fn, b) {
			if !in[s] {
				bad("block %d jumps to a block outside the graph", b.Index)
				continue
			}
			if succs[s] {
				continue
			}
			succs[s] = true
			n := 0
			for _, p := range s.Preds {
				if p == b {
					n++
				}
			}
			switch n {
			case 0:
				bad("block %d is not a predecessor of its successor %d", b.Index, s.Index)
			case 1:
			default:
				bad("block %d is a predecessor of block %d %d times", b.Index, s.Index, n)
			}
		}
		for _, p := range b.Preds {
			if !in[p] {
				bad("block %d has a predecessor outside the graph", b.Index)
				continue
			}
			found := false
			for _, s := range allSuccs(fn, p) {
				found = found || s == b
			}
			if !found {
				bad("block %d has predecessor %d, which does not lead to it", b.Index, p.Index)
			}
		}
		if b.Resume != nil {
			if len(b.Preds) != 1 || b.Preds[0].Term != b.Resume {
				bad("resume block %d is not entered only from its suspension", b.Index)
			}
		}
	}
	// Definitions: a temporary is assigned before it is read, on every
	// path from the entry (it is not live on entry).
	if len(errs) == 0 && len(fn.Blocks) > 0 {
		lv := fn.Live()
		for _, v := range fn.Vars {
			if v.Kind == VTemp && lv.In[fn.Blocks[0]][v] {
				bad("temporary %s may be read before it is assigned", v.Name)
			}
		}
	}
	for i, b := range fn.Suspends {
		s, ok := b.Term.(*Suspend)
		if !ok || s.State != i+1 || s.Resume == nil || s.Resume.Resume != s {
			bad("suspension %d is malformed", i+1)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.New(fn.Name + ": " + strings.Join(errs, "; ") + "\n" + fn.String())
}
