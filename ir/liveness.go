// This file computes which hoisted variables are live across suspension
// points.

package ir

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
)

// varSet is a set of variables by index.
type varSet map[*Var]bool

// Liveness holds the result of the analysis.
type Liveness struct {
	In, Out map[*Block]varSet
	// Across lists, per suspension block, the variables live when it
	// suspends (live on entry to its resume point, its destinations excluded).
	Across map[*Block][]*Var
	// Stored is the union of Across.
	Stored map[*Var]bool
	// points are the uses and definitions of each block, point by point
	// (see blockPoints); exits, for a block with gotos inside its
	// statements, the blocks each point may jump to before the block ends.
	points map[*Block][][2][]*Var
	exits  map[*Block][][]*Block
}

// liveBefore adds to live, walking b's points backwards from the end of
// the block (live holds what is live there), what is live before each
// point; at a point that may jump out of the block (a branch rewritten in
// verbatim code), what is live at its targets is live before it too, even
// if a later point of b defines it. at, if not nil, sees each point with
// what is live after it.
func (lv *Liveness) liveBefore(b *Block, live varSet, at func(i int, after varSet)) {
	points, exits := lv.points[b], lv.exits[b]
	for i := len(points) - 1; i >= 0; i-- {
		if exits != nil {
			for _, t := range exits[i] {
				for v := range lv.In[t] {
					live[v] = true
				}
			}
		}
		if at != nil {
			at(i, live)
		}
		for _, d := range points[i][1] {
			delete(live, d)
		}
		for _, u := range points[i][0] {
			live[u] = true
		}
		if exits != nil {
			for _, t := range exits[i] {
				for v := range lv.In[t] {
					live[v] = true
				}
			}
		}
	}
}

// refs returns the variables n uses and the ones it defines (assigns
// entirely, before any use), in the order Go evaluates them.
func (fn *Func) refs(n ast.Node, uses, defs func(*Var)) {
	varOf := fn.IdentVar
	var walk func(n ast.Node)
	useAll := func(n ast.Node) {
		if n == nil {
			return
		}
		walk(n)
	}
	walk = func(n ast.Node) {
		switch s := n.(type) {
		case *NewBox:
			defs(s.Var)
			return
		case *Rebox:
			uses(s.Var)
			return
		case *PushDefer:
			useAll(s.Call)
			return
		case *PushCleanup:
			useAll(s.Loop)
			defs(s.Slot)
			return
		case *PopCleanup:
			useAll(s.Loop)
			uses(s.Slot)
			return
		case *ast.AssignStmt:
			if s.Tok == token.ASSIGN || s.Tok == token.DEFINE {
				var plain []*Var
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if v := varOf(id); v != nil {
							plain = append(plain, v)
						}
						continue
					}
					useAll(l)
				}
				for _, r := range s.Rhs {
					useAll(r)
				}
				for _, v := range plain {
					defs(v)
				}
				return
			}
		}
		fn.Inspect(n, func(n ast.Node) bool {
			if r, ok := fn.Rewrites[n]; ok {
				for _, st := range r {
					// Inside verbatim code a definition may not run: only uses count.
					fn.refs(st, uses, func(*Var) {})
				}
				return false
			}
			if id, ok := n.(*ast.Ident); ok {
				if v := varOf(id); v != nil {
					uses(v)
				}
			}
			return true
		})
	}
	walk(n)
}

// Live computes liveness of the hoisted variables.
func (fn *Func) Live() *Liveness {
	type effect struct {
		use, def varSet
	}
	// Per block: upward-exposed uses and definitions.
	points := map[*Block][][2][]*Var{}
	exits := map[*Block][][]*Block{}
	eff := map[*Block]*effect{}
	for _, b := range fn.Blocks {
		e := &effect{use: varSet{}, def: varSet{}}
		points[b] = fn.blockPoints(b)
		if ex := fn.pointExits(b); ex != nil {
			if len(ex) != len(points[b]) {
				panic(fmt.Sprintf("b%d: %d points, exits for %d", b.Index, len(points[b]), len(ex)))
			}
			exits[b] = ex
		}
		for _, pt := range points[b] {
			for _, u := range pt[0] {
				if !e.def[u] {
					e.use[u] = true
				}
			}
			for _, d := range pt[1] {
				e.def[d] = true
			}
		}
		eff[b] = e
	}
	lv := &Liveness{In: map[*Block]varSet{}, Out: map[*Block]varSet{}, Across: map[*Block][]*Var{}, Stored: map[*Var]bool{}, points: points, exits: exits}
	for _, b := range fn.Blocks {
		lv.In[b] = varSet{}
		lv.Out[b] = varSet{}
	}
	for changed := true; changed; {
		changed = false
		for i := len(fn.Blocks) - 1; i >= 0; i-- {
			b := fn.Blocks[i]
			out := lv.Out[b]
			for _, s := range allSuccs(fn, b) {
				for v := range lv.In[s] {
					if !out[v] {
						out[v] = true
						changed = true
					}
				}
			}
			in := lv.In[b]
			if exits[b] != nil {
				// A goto out of the middle of the block: walk its points.
				live := varSet{}
				for v := range out {
					live[v] = true
				}
				lv.liveBefore(b, live, nil)
				for v := range live {
					if !in[v] {
						in[v] = true
						changed = true
					}
				}
				continue
			}
			for v := range eff[b].use {
				if !in[v] {
					in[v] = true
					changed = true
				}
			}
			for v := range out {
				if !eff[b].def[v] && !in[v] {
					in[v] = true
					changed = true
				}
			}
		}
	}
	for _, b := range fn.Suspends {
		s := b.Term.(*Suspend)
		r := s.Resume
		var across []*Var
		// Live on entry to the resume block, minus what the resume defines
		// before use (the destinations), plus the slot.
		for _, v := range fn.Vars {
			if lv.In[r][v] {
				across = append(across, v)
				lv.Stored[v] = true
			}
		}
		if s.Slot != nil && !lv.Stored[s.Slot] {
			across = append(across, s.Slot)
			lv.Stored[s.Slot] = true
		}
		lv.Across[b] = across
	}
	return lv
}

// pointExits returns, for each point of b (as blockPoints lists them),
// the blocks that gotos inside it jump to, or nil when b has none before
// its terminator.
func (fn *Func) pointExits(b *Block) [][]*Block {
	var exits [][]*Block
	any := false
	if b.Resume != nil {
		exits = append(exits, nil)
	}
	for _, s := range b.Stmts {
		ts := fn.StmtGotoTargets(s)
		any = any || len(ts) > 0
		exits = append(exits, ts)
	}
	if !any {
		return nil
	}
	switch b.Term.(type) {
	case *If, *Dispatch, *Suspend:
		exits = append(exits, nil)
	}
	if b == fn.Exit {
		exits = append(exits, nil)
	}
	return exits
}

// blockPoints returns, in order, the uses and definitions of each point of
// b: the resume header, each statement, the terminator (and, for the exit
// block, the results it hands out). Within a point, uses come before
// definitions.
func (fn *Func) blockPoints(b *Block) (points [][2][]*Var) {
	add := func(n ast.Node) {
		var u, d []*Var
		fn.refs(n, func(v *Var) { u = append(u, v) }, func(v *Var) { d = append(d, v) })
		points = append(points, [2][]*Var{u, d})
	}
	if b.Resume != nil {
		var u, d []*Var
		if b.Resume.Slot != nil {
			u = append(u, b.Resume.Slot)
		}
		for _, x := range b.Resume.Dest {
			if x == nil {
				continue
			}
			if id, ok := x.(*ast.Ident); ok {
				if v := fn.IdentVar(id); v != nil {
					d = append(d, v)
					continue
				}
			}
			fn.refs(x, func(v *Var) { u = append(u, v) }, func(*Var) {})
		}
		points = append(points, [2][]*Var{u, d})
	}
	for _, s := range b.Stmts {
		add(s)
	}
	switch t := b.Term.(type) {
	case *If:
		add(t.Cond)
	case *Dispatch:
		// The variables it defines are not uses: the receive clauses
		// assign them.
		var u []*Var
		fn.refs(t.Stmt, func(v *Var) {
			if !slices.Contains(t.Defs, v) {
				u = append(u, v)
			}
		}, func(*Var) {})
		points = append(points, [2][]*Var{u, t.Defs})
	case *Suspend:
		var u, d []*Var
		if t.Arg != nil {
			fn.refs(t.Arg, func(v *Var) { u = append(u, v) }, func(*Var) {})
			if t.Slot != nil {
				d = append(d, t.Slot)
			}
		}
		points = append(points, [2][]*Var{u, d})
	}
	if b == fn.Exit {
		points = append(points, [2][]*Var{fn.Results, nil})
	}
	return points
}

// Interference returns the pairs of variables that are live at the same
// time: a variable interferes with every variable live where it is
// defined. Variables that do not interfere may share storage.
func (fn *Func) Interference(lv *Liveness) map[*Var]map[*Var]bool {
	g := map[*Var]map[*Var]bool{}
	link := func(a, b *Var) {
		if a == b {
			return
		}
		if g[a] == nil {
			g[a] = map[*Var]bool{}
		}
		if g[b] == nil {
			g[b] = map[*Var]bool{}
		}
		g[a][b], g[b][a] = true, true
	}
	for _, b := range fn.Blocks {
		live := varSet{}
		for v := range lv.Out[b] {
			live[v] = true
		}
		points := lv.points[b]
		lv.liveBefore(b, live, func(i int, after varSet) {
			for _, d := range points[i][1] {
				for v := range after {
					link(d, v)
				}
			}
		})
		// Everything live on entry is live together.
		var in []*Var
		for v := range lv.In[b] {
			in = append(in, v)
		}
		for i := range in {
			for j := i + 1; j < len(in); j++ {
				link(in[i], in[j])
			}
		}
	}
	return g
}

// Clears returns, for each suspension block, the variables that may still
// hold a value there but are dead from that suspension on, so their
// storage can be cleared for the garbage collector. clearable selects the
// variables to consider.
func (fn *Func) Clears(lv *Liveness, clearable func(*Var) bool) map[*Block][]*Var {
	in := map[*Block]varSet{}
	out := map[*Block]varSet{}
	clears := map[*Block][]*Var{}
	for _, b := range fn.Blocks {
		in[b], out[b] = varSet{}, varSet{}
	}
	for _, v := range fn.Vars {
		if v.Kind == VParam && clearable(v) {
			in[fn.Blocks[0]][v] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, b := range fn.Blocks {
			h := varSet{}
			for v := range in[b] {
				h[v] = true
			}
			for _, p := range b.Preds {
				for v := range out[p] {
					h[v] = true
				}
			}
			for _, pt := range lv.points[b] {
				for _, d := range pt[1] {
					if clearable(d) {
						h[d] = true
					}
				}
			}
			var cl []*Var
			if s, ok := b.Term.(*Suspend); ok {
				across := map[*Var]bool{}
				for _, v := range lv.Across[b] {
					across[v] = true
				}
				for _, v := range fn.Vars {
					if h[v] && !across[v] && v != s.Slot {
						cl = append(cl, v)
						delete(h, v)
					}
				}
				clears[b] = cl
			}
			if len(h) != len(out[b]) {
				changed = true
			} else {
				for v := range h {
					if !out[b][v] {
						changed = true
					}
				}
			}
			out[b] = h
		}
	}
	return clears
}

// Read returns the variables some point of the body reads.
func (lv *Liveness) Read() map[*Var]bool {
	read := map[*Var]bool{}
	for _, pts := range lv.points {
		for _, pt := range pts {
			for _, u := range pt[0] {
				read[u] = true
			}
		}
	}
	return read
}
