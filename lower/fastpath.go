// This file finds an iterator's fast path (fastemit.go writes it): the most
// common step of a generator or a stream resumes at a yield and loops
// straight back to it. When the code on that cycle cannot panic, calls
// nothing and awaits nothing, Next (PollNext) runs it on locals, with no
// state dispatch and no state stores, and commits the locals to the
// machine only when it reaches the yield; any branch off the cycle falls
// back, with nothing changed, to the full step.

package lower

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"

	"github.com/asyncgen/asyncgen/ir"
)

// A fastPath is a cycle of blocks from a yield's resume point back to it.
// A branch off the cycle that comes back to it (a filter's skipped item,
// a continue) makes the cycle from that block on a loop.
type fastPath struct {
	yield  *ir.Suspend
	blocks []*ir.Block
	next   map[*ir.Block]*ir.Block   // the successor taken on the cycle
	loop   int                       // the index in blocks of the loop's head; 0: no loop
	back   map[*ir.Block][]*ir.Block // branches back to the head: the blocks run on the way
	jumps  map[*ir.Block][]*ir.Block // targets of gotos in verbatim statements on the cycle: the way back to the head
	leave  map[*ir.Block]bool        // targets of gotos that leave the loop

	// What is known on the cycle (knownValues): the yield's destinations,
	// the assignments of known values and the known conditions.
	dests      map[*ir.Var]bool
	constStmts map[ast.Stmt]bool
	knownConds map[*ir.Block]bool

	locals *fastLocals // how it runs on locals (fastemit.go)
}

const maxFastBlocks = 12

// findFastPath returns the fast path of a generator, or nil.
func (p *plan) findFastPath() *fastPath {
	if p.fn.Kind == ir.Async || p.unwinds() {
		return nil
	}
	for _, sb := range p.fn.Suspends {
		y := sb.Term.(*ir.Suspend)
		if y.Kind != ir.SYield || !p.safeExpr(y.Arg) {
			continue
		}
		fp := &fastPath{yield: y, next: map[*ir.Block]*ir.Block{}}
		seen := map[*ir.Block]bool{}
		var walk func(b *ir.Block) bool
		walk = func(b *ir.Block) bool {
			if seen[b] || len(fp.blocks) >= maxFastBlocks || b.Resume != nil && b != y.Resume || !p.safeBlock(b) {
				return false
			}
			seen[b] = true
			fp.blocks = append(fp.blocks, b)
			switch t := b.Term.(type) {
			case *ir.Suspend:
				if t == y {
					return true
				}
			case *ir.Jump:
				fp.next[b] = t.To
				if walk(t.To) {
					return true
				}
			case *ir.If:
				if p.safeExpr(t.Cond) {
					for _, s := range []*ir.Block{t.Then, t.Else} {
						fp.next[b] = s
						if walk(s) {
							return true
						}
					}
				}
			}
			fp.blocks = fp.blocks[:len(fp.blocks)-1]
			delete(fp.next, b)
			return false
		}
		if walk(y.Resume) && p.findBackEdges(fp) && p.followable(fp) {
			return fp
		}
	}
	return nil
}

// followable reports whether no condition on the cycle is known to take
// the other way (a constant one, or one computed from the yield's result):
// otherwise the fast path could never reach the yield. It records on fp
// what is known on the cycle.
func (p *plan) followable(fp *fastPath) bool {
	fp.dests, fp.constStmts, fp.knownConds = p.knownValues(fp)
	for b, val := range fp.knownConds {
		if t := b.Term.(*ir.If); val != (fp.next[b] == t.Then) {
			return false
		}
	}
	return true
}

// findBackEdges finds the branches off the cycle that come back to it at
// or before themselves, through blocks that are safe and only jump; all
// must come back to the same block, the loop's head. The other branches of
// the cycle's conditions leave the fast path. A goto out of a statement on
// the cycle (a continue or break in an if) must come back to the head too,
// or leave from inside the loop; otherwise there is no fast path.
func (p *plan) findBackEdges(fp *fastPath) bool {
	index := map[*ir.Block]int{}
	for i, b := range fp.blocks {
		index[b] = i
	}
	// wayBack follows c to the cycle: the blocks on the way and where it
	// comes back, or -1.
	wayBack := func(c *ir.Block) ([]*ir.Block, int) {
		var chain []*ir.Block
		for {
			if k, on := index[c]; on {
				return chain, k
			}
			jump, ok := c.Term.(*ir.Jump)
			if !ok || len(chain) >= maxFastBlocks || c.Resume != nil || slices.Contains(chain, c) ||
				len(p.fn.GotoTargets(c)) > 0 || !p.safeBlock(c) {
				return nil, -1
			}
			chain = append(chain, c)
			c = jump.To
		}
	}
	head := func(k, j int) bool {
		if k >= 1 && k <= j && (fp.loop == 0 || k == fp.loop) {
			fp.loop = k
			return true
		}
		return false
	}
	fp.back = map[*ir.Block][]*ir.Block{}
	fp.jumps = map[*ir.Block][]*ir.Block{}
	fp.leave = map[*ir.Block]bool{}
	var leaving []int // blocks whose statements leave the cycle by a goto
	for j, b := range fp.blocks {
		for _, t := range p.fn.GotoTargets(b) {
			if chain, k := wayBack(t); k >= 0 && head(k, j) {
				fp.jumps[t] = chain
			} else if k >= 0 {
				return false // back to the cycle, but not to the loop's head
			} else {
				fp.leave[t] = true
				leaving = append(leaving, j)
			}
		}
		t, ok := b.Term.(*ir.If)
		if !ok {
			continue
		}
		c := t.Then
		if fp.next[b] == t.Then {
			c = t.Else
		}
		if chain, k := wayBack(c); k >= 0 && head(k, j) {
			fp.back[b] = chain
		}
	}
	for _, j := range leaving {
		if fp.loop == 0 || j < fp.loop {
			return false // a goto out must break out of the loop
		}
	}
	return true
}

// safeBlock reports whether b's statements run without calls or panics.
func (p *plan) safeBlock(b *ir.Block) bool {
	for _, s := range b.Stmts {
		if !p.safeStmt(s) {
			return false
		}
	}
	return true
}

func (p *plan) safeStmt(s ast.Stmt) bool {
	if _, ok := p.fn.Rewrites[s]; ok {
		// A break, continue or goto out of a verbatim statement: safe
		// statements, then a goto (findBackEdges decides where it may go).
		way, _, ok := p.fn.BranchOut(s)
		if _, branch := s.(*ast.BranchStmt); !ok || !branch {
			return false
		}
		for _, st := range way {
			if !p.safeStmt(st) {
				return false
			}
		}
		return true
	}
	switch s := s.(type) {
	case *ast.IfStmt:
		return s.Init == nil && p.safeExpr(s.Cond) && p.safeStmt(s.Body) && (s.Else == nil || p.safeStmt(s.Else))
	case *ast.BlockStmt:
		for _, st := range s.List {
			if !p.safeStmt(st) {
				return false
			}
		}
		return true
	case *ir.NewBox:
		return p.store[s.Var] != sBoxed // a no-op unless boxed
	case *ir.Rebox:
		return p.store[s.Var] != sBoxed
	case *ast.AssignStmt:
		switch s.Tok {
		case token.ASSIGN, token.DEFINE, token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN,
			token.AND_ASSIGN, token.OR_ASSIGN, token.XOR_ASSIGN, token.AND_NOT_ASSIGN:
		case token.QUO_ASSIGN, token.REM_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
			if len(s.Lhs) != 1 || len(s.Rhs) != 1 || !p.safeOp(opOf[s.Tok], s.Lhs[0], s.Rhs[0]) {
				return false
			}
		default:
			return false
		}
		for _, l := range s.Lhs {
			if !p.plainVar(l) {
				return false
			}
		}
		for _, r := range s.Rhs {
			if !p.safeExpr(r) {
				return false
			}
		}
		return len(s.Lhs) == len(s.Rhs)
	case *ast.IncDecStmt:
		return p.plainVar(s.X)
	case *ast.EmptyStmt:
		return true
	}
	return false
}

// opOf maps the assignment operators that can panic to their operators.
var opOf = map[token.Token]token.Token{
	token.QUO_ASSIGN: token.QUO, token.REM_ASSIGN: token.REM,
	token.SHL_ASSIGN: token.SHL, token.SHR_ASSIGN: token.SHR,
}

// plainVar reports whether x is a hoisted variable held by value in a field
// or a local of the step, whose address nothing takes.
func (p *plan) plainVar(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "_" {
		return true
	}
	v := p.identVar(id)
	return v != nil && !v.AddrTaken && p.store[v] != sBoxed && !p.shared[v] && !p.inlineSlot[v] && v.Kind != ir.VResult
}

// safeExpr reports whether x evaluates without calls or panics: variables,
// constants, arithmetic that cannot fault, len and cap, and the element
// reads of range loops, which are in bounds by construction.
func (p *plan) safeExpr(x ast.Expr) bool {
	if x == nil {
		return true
	}
	if tv, ok := p.info.Types[x]; ok && tv.Value != nil {
		return true // a constant
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		if _, synth := p.fn.Exprs[x]; synth {
			return false
		}
		if p.identVar(x) != nil {
			return p.plainVar(x)
		}
		switch p.info.ObjectOf(x).(type) {
		case *types.Const, *types.Nil:
			return true
		}
		return x.Name == "true" || x.Name == "false"
	case *ast.ParenExpr:
		return p.safeExpr(x.X)
	case *ast.UnaryExpr:
		switch x.Op {
		case token.SUB, token.ADD, token.NOT, token.XOR:
			return p.safeExpr(x.X)
		}
	case *ast.IndexExpr:
		return p.fn.InBounds[x] && p.safeExpr(x.X) && p.safeExpr(x.Index)
	case *ast.CallExpr:
		// len and cap never panic, not even on nil.
		id, ok := ast.Unparen(x.Fun).(*ast.Ident)
		if !ok || len(x.Args) != 1 || id.Name != "len" && id.Name != "cap" {
			return false
		}
		switch p.info.ObjectOf(id).(type) {
		case *types.Builtin, nil: // nil: written by the builder
			return p.identVar(id) == nil && p.safeExpr(x.Args[0])
		}
		return false
	case *ast.BinaryExpr:
		if !p.safeOp(x.Op, x.X, x.Y) {
			return false
		}
		if t, ok := p.info.Types[x.X]; ok {
			if _, isIface := t.Type.Underlying().(*types.Interface); isIface {
				return false // comparing interfaces can panic
			}
		}
		return p.safeExpr(x.X) && p.safeExpr(x.Y)
	}
	return false
}

// safeOp reports whether x op y cannot panic, given that x and y do not.
func (p *plan) safeOp(op token.Token, x, y ast.Expr) bool {
	switch op {
	case token.QUO, token.REM:
		// Integer division panics on a zero divisor; by a constant other
		// than zero, or on floats, it cannot.
		if t, ok := p.info.Types[x]; ok && isFloat(t.Type) {
			return true
		}
		tv, ok := p.info.Types[y]
		return ok && tv.Value != nil && constant.Sign(tv.Value) != 0
	case token.SHL, token.SHR:
		// A shift panics on a negative count: not a constant one (that
		// does not compile) nor an unsigned one.
		tv, ok := p.info.Types[y]
		return ok && (tv.Value != nil || isUnsigned(tv.Type))
	}
	return true
}

// isFloat reports whether t is a floating-point or complex type.
func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsFloat|types.IsComplex) != 0
}

// isUnsigned reports whether t is an unsigned integer type.
func isUnsigned(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsUnsigned != 0
}

// knownValues folds what the fast path knows: the yield's result is true
// there (Close takes the full step), and so is every condition computed
// from it on the cycle, up to the next assignment of what it reads. It
// returns the variables that receive the yield's result, the assignments
// whose value is known (written with a literal) and the known conditions
// of the cycle's branches.
func (p *plan) knownValues(fp *fastPath) (dests map[*ir.Var]bool, stmts map[ast.Stmt]bool, conds map[*ir.Block]bool) {
	dests, kv := map[*ir.Var]bool{}, map[*ir.Var]bool{}
	for _, d := range fp.yield.Dest {
		if id, ok := d.(*ast.Ident); ok {
			if v := p.identVar(id); v != nil {
				dests[v], kv[v] = true, true
			}
		}
	}
	// apply runs s on the known values: an assignment of a known value
	// makes its variable known (and s folded), any other assignment makes
	// what it assigns unknown.
	apply := func(s ast.Stmt, kv map[*ir.Var]bool, folded map[ast.Stmt]bool) {
		if as, ok := s.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && (as.Tok == token.ASSIGN || as.Tok == token.DEFINE) {
			if id, ok := as.Lhs[0].(*ast.Ident); ok {
				if v := p.identVar(id); v != nil {
					if val, ok := p.evalKnown(as.Rhs[0], kv); ok {
						kv[v] = val
						if folded != nil {
							folded[s] = val
						}
						return
					}
				}
			}
		}
		p.forAssigned(s, func(v *ir.Var) { delete(kv, v) })
	}
	// run runs blocks from kv, folding statements and conditions; at each
	// branch back to the loop's head it hands what is known there to back.
	run := func(blocks []*ir.Block, kv map[*ir.Var]bool, back func(map[*ir.Var]bool)) (stmts map[ast.Stmt]bool, conds map[*ir.Block]bool) {
		stmts, conds = map[ast.Stmt]bool{}, map[*ir.Block]bool{}
		for _, b := range blocks {
			for _, s := range b.Stmts {
				if back != nil && p.jumpsBack(fp, s) {
					kb := maps.Clone(kv)
					p.forAssigned(s, func(v *ir.Var) { delete(kb, v) })
					back(kb)
				}
				apply(s, kv, stmts)
			}
			t, ok := b.Term.(*ir.If)
			if !ok {
				continue
			}
			if val, ok := p.evalKnown(t.Cond, kv); ok {
				conds[b] = val
			}
			if chain, ok := fp.back[b]; ok && back != nil {
				kb := maps.Clone(kv)
				p.learn(kb, t.Cond, fp.next[b] != t.Then) // the branch back takes the other way
				for _, c := range chain {
					for _, s := range c.Stmts {
						apply(s, kb, nil)
					}
				}
				back(kb)
			}
		}
		return stmts, conds
	}
	if fp.loop == 0 {
		stmts, conds = run(fp.blocks, kv, nil)
		return dests, stmts, conds
	}
	stmts, conds = run(fp.blocks[:fp.loop], kv, nil)
	// What is known at the loop's head on every turn: what is known on
	// entering it and on every branch back, as a fixed point (it only
	// shrinks).
	head := kv
	for {
		next := maps.Clone(head)
		ls, lc := run(fp.blocks[fp.loop:], maps.Clone(head), func(kb map[*ir.Var]bool) {
			for v, val := range next {
				if w, ok := kb[v]; !ok || w != val {
					delete(next, v)
				}
			}
		})
		if len(next) == len(head) {
			maps.Copy(stmts, ls)
			maps.Copy(conds, lc)
			return dests, stmts, conds
		}
		head = next
	}
}

// learn records in kv the value that cond is known to have, when cond is
// a variable or its negation.
func (p *plan) learn(kv map[*ir.Var]bool, cond ast.Expr, value bool) {
	for {
		switch x := cond.(type) {
		case *ast.ParenExpr:
			cond = x.X
			continue
		case *ast.UnaryExpr:
			if x.Op == token.NOT {
				cond, value = x.X, !value
				continue
			}
		case *ast.Ident:
			if v := p.identVar(x); v != nil {
				kv[v] = value
			}
		}
		return
	}
}

// jumpsBack reports whether s holds a branch back to the loop's head.
func (p *plan) jumpsBack(fp *fastPath, s ast.Stmt) bool {
	for _, t := range p.fn.StmtGotoTargets(s) {
		if _, back := fp.jumps[t]; back {
			return true
		}
	}
	return false
}

// forAssigned calls f with each variable that s assigns, at any depth
// (the statements that replace its branches included).
func (p *plan) forAssigned(s ast.Stmt, f func(*ir.Var)) {
	switch sp := s.(type) {
	case *ir.NewBox:
		f(sp.Var)
		return
	case *ir.Rebox:
		f(sp.Var)
		return
	case ir.Special:
		return
	}
	p.fn.Inspect(s, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.IncDecStmt:
			lhs = []ast.Expr{n.X}
		}
		for _, l := range lhs {
			if id, ok := l.(*ast.Ident); ok {
				if v := p.identVar(id); v != nil {
					f(v)
				}
			}
		}
		return true
	})
}

// evalKnown evaluates a condition from the known values kv.
func (p *plan) evalKnown(x ast.Expr, kv map[*ir.Var]bool) (value, ok bool) {
	if tv, ok := p.info.Types[x]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
		return constant.BoolVal(tv.Value), true
	}
	switch x := x.(type) {
	case *ast.ParenExpr:
		return p.evalKnown(x.X, kv)
	case *ast.UnaryExpr:
		if x.Op == token.NOT {
			v, ok := p.evalKnown(x.X, kv)
			return !v, ok
		}
	case *ast.Ident:
		if v := p.identVar(x); v != nil {
			val, ok := kv[v]
			return val, ok
		}
	case *ast.BinaryExpr:
		// Operands on the cycle have no effects: one known operand can
		// decide.
		if x.Op == token.LAND || x.Op == token.LOR {
			l, lok := p.evalKnown(x.X, kv)
			r, rok := p.evalKnown(x.Y, kv)
			decides := x.Op == token.LOR // the value that decides alone
			switch {
			case lok && l == decides || rok && r == decides:
				return decides, true
			case lok && rok:
				return !decides, true
			}
		}
	}
	return false, false
}
