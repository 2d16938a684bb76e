// This file finds and emits an iterator's fast path: the most common step
// of a generator resumes at a yield and loops straight back to it. When the
// code on that cycle cannot panic and calls nothing, Next runs it on
// locals, with no state dispatch and no state stores, and commits the
// locals to the machine only when it reaches the yield; any branch off the
// cycle falls back, with nothing changed, to the full step.

package lower

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strconv"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
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
}

const maxFastBlocks = 12

// findFastPath returns the fast path of a generator, or nil.
func (e *emitter) findFastPath() *fastPath {
	if e.fn.Kind == ir.Async || e.unwinds() {
		return nil
	}
	for _, sb := range e.fn.Suspends {
		y := sb.Term.(*ir.Suspend)
		if y.Kind != ir.SYield || !e.safeExpr(y.Arg) {
			continue
		}
		fp := &fastPath{yield: y, next: map[*ir.Block]*ir.Block{}}
		seen := map[*ir.Block]bool{}
		var walk func(b *ir.Block) bool
		walk = func(b *ir.Block) bool {
			if seen[b] || len(fp.blocks) >= maxFastBlocks || b.Resume != nil && b != y.Resume || !e.safeBlock(b) {
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
				if e.safeExpr(t.Cond) {
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
		if walk(y.Resume) && e.findBackEdges(fp) && e.followable(fp) {
			return fp
		}
	}
	return nil
}

// followable reports whether no condition on the cycle is known to take
// the other way (a constant one, or one computed from the yield's result):
// otherwise the fast path could never reach the yield.
func (e *emitter) followable(fp *fastPath) bool {
	_, _, conds := e.knownValues(fp)
	for b, val := range conds {
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
func (e *emitter) findBackEdges(fp *fastPath) bool {
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
				len(e.fn.GotoTargets(c)) > 0 || !e.safeBlock(c) {
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
		for _, t := range e.fn.GotoTargets(b) {
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
func (e *emitter) safeBlock(b *ir.Block) bool {
	for _, s := range b.Stmts {
		if !e.safeStmt(s) {
			return false
		}
	}
	return true
}

func (e *emitter) safeStmt(s ast.Stmt) bool {
	if r, ok := e.fn.Rewrites[s]; ok {
		// A branch out of a verbatim statement: safe statements, then a
		// goto (findBackEdges decides where it may go).
		if _, branch := s.(*ast.BranchStmt); !branch || len(r) == 0 {
			return false
		}
		for _, st := range r[:len(r)-1] {
			if !e.safeStmt(st) {
				return false
			}
		}
		g, ok := r[len(r)-1].(*ast.BranchStmt)
		return ok && g.Tok == token.GOTO && g.Label != nil && e.fn.Gotos[g.Label] != nil
	}
	switch s := s.(type) {
	case *ast.IfStmt:
		return s.Init == nil && e.safeExpr(s.Cond) && e.safeStmt(s.Body) && (s.Else == nil || e.safeStmt(s.Else))
	case *ast.BlockStmt:
		for _, st := range s.List {
			if !e.safeStmt(st) {
				return false
			}
		}
		return true
	case *ir.NewBox:
		return e.store[s.Var] != sBoxed // a no-op unless boxed
	case *ir.Rebox:
		return e.store[s.Var] != sBoxed
	case *ast.AssignStmt:
		switch s.Tok {
		case token.ASSIGN, token.DEFINE, token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN,
			token.AND_ASSIGN, token.OR_ASSIGN, token.XOR_ASSIGN, token.AND_NOT_ASSIGN:
		case token.QUO_ASSIGN, token.REM_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
			if len(s.Lhs) != 1 || len(s.Rhs) != 1 || !e.safeOp(opOf[s.Tok], s.Lhs[0], s.Rhs[0]) {
				return false
			}
		default:
			return false
		}
		for _, l := range s.Lhs {
			if !e.plainVar(l) {
				return false
			}
		}
		for _, r := range s.Rhs {
			if !e.safeExpr(r) {
				return false
			}
		}
		return len(s.Lhs) == len(s.Rhs)
	case *ast.IncDecStmt:
		return e.plainVar(s.X)
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
func (e *emitter) plainVar(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "_" {
		return true
	}
	v := e.identVar(id)
	return v != nil && !v.AddrTaken && e.store[v] != sBoxed && !e.shared[v] && !e.inlineSlot[v] && v.Kind != ir.VResult
}

// safeExpr reports whether x evaluates without calls or panics: variables,
// constants, arithmetic that cannot fault, len and cap, and the element
// reads of range loops, which are in bounds by construction.
func (e *emitter) safeExpr(x ast.Expr) bool {
	if x == nil {
		return true
	}
	if tv, ok := e.info.Types[x]; ok && tv.Value != nil {
		return true // a constant
	}
	switch x := x.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		if _, synth := e.fn.Exprs[x]; synth {
			return false
		}
		if e.identVar(x) != nil {
			return e.plainVar(x)
		}
		switch e.info.ObjectOf(x).(type) {
		case *types.Const, *types.Nil:
			return true
		}
		return x.Name == "true" || x.Name == "false"
	case *ast.ParenExpr:
		return e.safeExpr(x.X)
	case *ast.UnaryExpr:
		switch x.Op {
		case token.SUB, token.ADD, token.NOT, token.XOR:
			return e.safeExpr(x.X)
		}
	case *ast.IndexExpr:
		return e.fn.InBounds[x] && e.safeExpr(x.X) && e.safeExpr(x.Index)
	case *ast.CallExpr:
		// len and cap never panic, not even on nil.
		id, ok := ast.Unparen(x.Fun).(*ast.Ident)
		if !ok || len(x.Args) != 1 || id.Name != "len" && id.Name != "cap" {
			return false
		}
		switch e.info.ObjectOf(id).(type) {
		case *types.Builtin, nil: // nil: written by the builder
			return e.identVar(id) == nil && e.safeExpr(x.Args[0])
		}
		return false
	case *ast.BinaryExpr:
		if !e.safeOp(x.Op, x.X, x.Y) {
			return false
		}
		if t, ok := e.info.Types[x.X]; ok {
			if _, isIface := t.Type.Underlying().(*types.Interface); isIface {
				return false // comparing interfaces can panic
			}
		}
		return e.safeExpr(x.X) && e.safeExpr(x.Y)
	}
	return false
}

// safeOp reports whether x op y cannot panic, given that x and y do not.
func (e *emitter) safeOp(op token.Token, x, y ast.Expr) bool {
	switch op {
	case token.QUO, token.REM:
		// Integer division panics on a zero divisor; by a constant other
		// than zero, or on floats, it cannot.
		if t, ok := e.info.Types[x]; ok && isFloat(t.Type) {
			return true
		}
		tv, ok := e.info.Types[y]
		return ok && tv.Value != nil && constant.Sign(tv.Value) != 0
	case token.SHL, token.SHR:
		// A shift panics on a negative count: not a constant one (that
		// does not compile) nor an unsigned one.
		tv, ok := e.info.Types[y]
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
func (e *emitter) knownValues(fp *fastPath) (dests map[*ir.Var]bool, stmts map[ast.Stmt]bool, conds map[*ir.Block]bool) {
	dests, kv := map[*ir.Var]bool{}, map[*ir.Var]bool{}
	for _, d := range fp.yield.Dest {
		if id, ok := d.(*ast.Ident); ok {
			if v := e.identVar(id); v != nil {
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
				if v := e.identVar(id); v != nil {
					if val, ok := e.evalKnown(as.Rhs[0], kv); ok {
						kv[v] = val
						if folded != nil {
							folded[s] = val
						}
						return
					}
				}
			}
		}
		e.forAssigned(s, func(v *ir.Var) { delete(kv, v) })
	}
	// run runs blocks from kv, folding statements and conditions; at each
	// branch back to the loop's head it hands what is known there to back.
	run := func(blocks []*ir.Block, kv map[*ir.Var]bool, back func(map[*ir.Var]bool)) (stmts map[ast.Stmt]bool, conds map[*ir.Block]bool) {
		stmts, conds = map[ast.Stmt]bool{}, map[*ir.Block]bool{}
		for _, b := range blocks {
			for _, s := range b.Stmts {
				if back != nil && e.jumpsBack(fp, s) {
					kb := maps.Clone(kv)
					e.forAssigned(s, func(v *ir.Var) { delete(kb, v) })
					back(kb)
				}
				apply(s, kv, stmts)
			}
			t, ok := b.Term.(*ir.If)
			if !ok {
				continue
			}
			if val, ok := e.evalKnown(t.Cond, kv); ok {
				conds[b] = val
			}
			if chain, ok := fp.back[b]; ok && back != nil {
				kb := maps.Clone(kv)
				e.learn(kb, t.Cond, fp.next[b] != t.Then) // the branch back takes the other way
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
func (e *emitter) learn(kv map[*ir.Var]bool, cond ast.Expr, value bool) {
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
			if v := e.identVar(x); v != nil {
				kv[v] = value
			}
		}
		return
	}
}

// jumpsBack reports whether s holds a branch back to the loop's head.
func (e *emitter) jumpsBack(fp *fastPath, s ast.Stmt) bool {
	for _, t := range e.fn.GotoTargets(&ir.Block{Stmts: []ast.Stmt{s}}) {
		if _, back := fp.jumps[t]; back {
			return true
		}
	}
	return false
}

// forAssigned calls f with each variable that s assigns, at any depth
// (the statements that replace its branches included).
func (e *emitter) forAssigned(s ast.Stmt, f func(*ir.Var)) {
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
	ast.Inspect(s, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.IncDecStmt:
			lhs = []ast.Expr{n.X}
		}
		for _, l := range lhs {
			if id, ok := l.(*ast.Ident); ok {
				if v := e.identVar(id); v != nil {
					f(v)
				}
			}
		}
		if n != nil {
			for _, r := range e.fn.Rewrites[n] {
				e.forAssigned(r, f)
			}
		}
		return true
	})
}

// evalKnown evaluates a condition from the known values kv.
func (e *emitter) evalKnown(x ast.Expr, kv map[*ir.Var]bool) (value, ok bool) {
	if tv, ok := e.info.Types[x]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
		return constant.BoolVal(tv.Value), true
	}
	switch x := x.(type) {
	case *ast.ParenExpr:
		return e.evalKnown(x.X, kv)
	case *ast.UnaryExpr:
		if x.Op == token.NOT {
			v, ok := e.evalKnown(x.X, kv)
			return !v, ok
		}
	case *ast.Ident:
		if v := e.identVar(x); v != nil {
			val, ok := kv[v]
			return val, ok
		}
	case *ast.BinaryExpr:
		// Operands on the cycle have no effects: one known operand can
		// decide.
		if x.Op == token.LAND || x.Op == token.LOR {
			l, lok := e.evalKnown(x.X, kv)
			r, rok := e.evalKnown(x.Y, kv)
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

// emitFastNext writes Next with the fast path in front of next, the full
// step. The cycle runs on locals for the variables it assigns (the others
// are read from the machine); each condition of the cycle nests the rest of
// it, so leaving the cycle anywhere falls through to next with nothing
// changed. It is written small so that the compiler may inline it.
func (e *emitter) emitFastNext(f *jen.File, fp *fastPath) {
	// The yield's result is true on the fast path, and conditions computed
	// from it are known: they are not tested.
	known, constStmts, knownConds := e.knownValues(fp)
	// Variables the cycle assigns get locals; names avoid every other name
	// the cycle spells. The cycle's reads and writes are listed in the
	// order it runs them (a loop's twice over, as two turns of it run): a
	// variable whose first event is a plain assignment is declared there
	// (:=); one read first starts as a copy of its field.
	taken := map[string]bool{e.recv: true, e.cx: true}
	varOf := func(x ast.Expr) *ir.Var {
		if id, ok := ast.Unparen(x).(*ast.Ident); ok {
			if v := e.identVar(id); v != nil && !known[v] && e.store[v] != sDiscard {
				return v
			}
		}
		return nil
	}
	type event struct {
		v     *ir.Var
		s     ast.Stmt // the assignment, for a write
		write bool
		use   bool // a read the compiler counts as a use (x++ and x op= y are not)
		maybe bool // on a branch back to the loop: it may not run
		turn  int  // 1 or 2: the turn of the loop it belongs to; 0 outside
	}
	var events []event
	turn, maybe := 0, false
	read := func(n ast.Node) {
		if _, special := n.(ir.Special); n == nil || special {
			return
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v := varOf(id); v != nil {
					events = append(events, event{v: v, use: true, maybe: maybe, turn: turn})
				} else if e.identVar(id) == nil {
					taken[id.Name] = true
				}
			}
			return true
		})
	}
	var stmtEvents func(s ast.Stmt)
	stmtEvents = func(s ast.Stmt) {
		if r, ok := e.fn.Rewrites[s]; ok {
			// A branch out: its statements, then those on the way back.
			for _, st := range r[:len(r)-1] {
				stmtEvents(st)
			}
			for _, c := range fp.jumps[e.fn.Gotos[r[len(r)-1].(*ast.BranchStmt).Label]] {
				for _, st := range c.Stmts {
					stmtEvents(st)
				}
			}
			return
		}
		var lhs []ast.Expr
		switch s := s.(type) {
		case *ast.IfStmt:
			read(s.Cond)
			outer := maybe
			maybe = true
			stmtEvents(s.Body)
			if s.Else != nil {
				stmtEvents(s.Else)
			}
			maybe = outer
		case *ast.BlockStmt:
			for _, st := range s.List {
				stmtEvents(st)
			}
		case *ast.AssignStmt:
			if _, ok := constStmts[s]; !ok {
				for _, r := range s.Rhs {
					read(r)
				}
			}
			lhs = s.Lhs
			if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
				events = append(events, event{v: varOf(s.Lhs[0]), maybe: maybe, turn: turn})
			}
		case *ast.IncDecStmt:
			lhs = []ast.Expr{s.X}
			events = append(events, event{v: varOf(s.X), maybe: maybe, turn: turn})
		}
		for _, l := range lhs {
			events = append(events, event{v: varOf(l), s: s, write: true, maybe: maybe, turn: turn})
		}
	}
	blockEvents := func(b *ir.Block) {
		for _, s := range b.Stmts {
			stmtEvents(s)
		}
		if _, ok := knownConds[b]; !ok {
			if t, ok := b.Term.(*ir.If); ok {
				read(t.Cond)
				if chain, ok := fp.back[b]; ok {
					maybe = true
					for _, c := range chain {
						for _, s := range c.Stmts {
							stmtEvents(s)
						}
					}
					maybe = false
				}
			}
		}
	}
	head := len(fp.blocks)
	if fp.loop > 0 {
		head = fp.loop
	}
	for _, b := range fp.blocks[:head] {
		blockEvents(b)
	}
	for turn = 1; head < len(fp.blocks) && turn <= 2; turn++ {
		for _, b := range fp.blocks[head:] {
			blockEvents(b)
		}
	}
	turn = 0
	read(fp.yield.Arg)
	// A field is committed at the yield unless the yield clears it (dead
	// from there on: the full step cleared it there before, and it stays
	// clear).
	cleared := map[*ir.Var]bool{}
	for _, v := range e.clears[fp.blocks[len(fp.blocks)-1]] {
		cleared[v] = true
	}
	commits := func(v *ir.Var) bool { return e.store[v] == sField && !cleared[v] }
	// A known value assigned and overwritten before it is read (by a write
	// that surely runs), or never read nor committed, is not written at
	// all: dead in every turn of the loop it is written in.
	deadIn := map[ast.Stmt]int{}
	writes := map[ast.Stmt]int{}
	pending := map[*ir.Var]ast.Stmt{}
	for _, ev := range events {
		if ev.v == nil {
			continue
		}
		if p := pending[ev.v]; p != nil && (!ev.write || !ev.maybe) {
			delete(pending, ev.v)
			if ev.write {
				deadIn[p]++
			}
		}
		if _, ok := constStmts[ev.s]; ok && ev.write {
			writes[ev.s]++
			pending[ev.v] = ev.s
		}
	}
	for v, p := range pending {
		if !commits(v) {
			deadIn[p]++
		}
	}
	dead := map[ast.Stmt]bool{}
	for s, n := range writes {
		dead[s] = deadIn[s] == n
	}
	assigned := map[*ir.Var]bool{}
	readFirst := map[*ir.Var]bool{}
	used := map[*ir.Var]bool{}
	firstWrite := map[*ir.Var]ast.Stmt{}
	firstTurn := map[*ir.Var]int{}
	var order []*ir.Var
	for _, ev := range events {
		switch {
		case ev.v == nil || dead[ev.s]:
		case !ev.write:
			used[ev.v] = used[ev.v] || ev.use
			if !assigned[ev.v] {
				readFirst[ev.v] = true
			}
		case !assigned[ev.v]:
			assigned[ev.v] = true
			order = append(order, ev.v)
			if !readFirst[ev.v] && !ev.maybe {
				firstWrite[ev.v], firstTurn[ev.v] = ev.s, ev.turn
			}
		}
	}
	// A variable first written inside the loop is declared there only if
	// the loop's second turn, too, writes it there before reading it: each
	// turn declares it afresh.
	seen2 := map[*ir.Var]bool{}
	for _, ev := range events {
		if ev.turn != 2 || ev.v == nil || dead[ev.s] || seen2[ev.v] {
			continue
		}
		seen2[ev.v] = true
		if w := firstWrite[ev.v]; w != nil && firstTurn[ev.v] == 1 && !(ev.write && !ev.maybe && ev.s == w) {
			delete(firstWrite, ev.v)
		}
	}
	// A variable neither committed nor used is dropped, with the
	// assignments to it (they have no effects).
	dropped := map[*ir.Var]bool{}
	e.shadow = map[*ir.Var]string{}
	for v := range known {
		e.shadow[v] = "true" // read only in known conditions, never emitted
	}
	var decls []jen.Code
	for _, v := range order {
		if !used[v] && !commits(v) {
			dropped[v] = true
			continue
		}
		name := e.names[v]
		for i := 1; taken[name]; i++ {
			name = e.names[v] + strconv.Itoa(i)
		}
		taken[name] = true
		e.shadow[v] = name
	}
	// defines reports whether an assignment declares its variables: every
	// one it keeps is assigned there first.
	defines := func(s *ast.AssignStmt) bool {
		if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
			return false
		}
		seen := map[*ir.Var]bool{}
		for _, l := range s.Lhs {
			v := varOf(l)
			if v == nil || dropped[v] {
				continue
			}
			if firstWrite[v] != ast.Stmt(s) || seen[v] {
				return false
			}
			seen[v] = true
		}
		return len(seen) > 0
	}
	for _, v := range order {
		if dropped[v] {
			continue
		}
		switch s, _ := firstWrite[v].(*ast.AssignStmt); {
		case s != nil && defines(s):
			// declared by its first assignment
		case readFirst[v] && e.store[v] == sField:
			decls = append(decls, jen.Id(e.shadow[v]).Op(":=").Add(e.field(e.names[v])))
		default:
			decls = append(decls, jen.Var().Id(e.shadow[v]).Add(e.typ(v.Type)))
		}
	}
	var stmtCodes func(s ast.Stmt) []jen.Code
	list := func(ss []ast.Stmt) []jen.Code {
		var out []jen.Code
		for _, s := range ss {
			out = append(out, stmtCodes(s)...)
		}
		return out
	}
	stmtCodes = func(s ast.Stmt) []jen.Code {
		if dead[s] {
			return nil
		}
		if r, ok := e.fn.Rewrites[s]; ok {
			// A branch out: back to the loop's head, or out of the loop.
			out := list(r[:len(r)-1])
			t := e.fn.Gotos[r[len(r)-1].(*ast.BranchStmt).Label]
			if fp.leave[t] {
				return append(out, jen.Break())
			}
			for _, c := range fp.jumps[t] {
				out = append(out, list(c.Stmts)...)
			}
			return append(out, jen.Continue())
		}
		switch s := s.(type) {
		case *ast.IfStmt:
			c := jen.If(e.expr(s.Cond)).Block(list(s.Body.List)...)
			switch els := s.Else.(type) {
			case *ast.BlockStmt:
				c = c.Else().Block(list(els.List)...)
			case *ast.IfStmt:
				c = c.Else().Add(stmtCodes(els)...)
			}
			return []jen.Code{c}
		case *ast.BlockStmt:
			return []jen.Code{jen.Block(list(s.List)...)}
		case *ast.AssignStmt:
			if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
				if v := varOf(s.Lhs[0]); v != nil && dropped[v] {
					return nil
				}
				break
			}
			var lhs []jen.Code
			kept := false
			for _, l := range s.Lhs {
				if v := varOf(l); v == nil || dropped[v] {
					lhs = append(lhs, jen.Id("_"))
					continue
				}
				lhs = append(lhs, e.expr(l))
				kept = true
			}
			if !kept {
				return nil // the right side has no effects
			}
			tok := "="
			if defines(s) {
				tok = ":="
			}
			rhs := e.exprList(s.Rhs)
			if val, ok := constStmts[s]; ok {
				rhs = jen.Lit(val)
			}
			return []jen.Code{jen.List(lhs...).Op(tok).Add(rhs)}
		case *ast.IncDecStmt:
			if v := varOf(s.X); v != nil && dropped[v] {
				return nil
			}
		}
		return e.stmtCodes(s)
	}
	// The innermost level: commit the assigned fields and hand out the item.
	var commit []jen.Code
	for _, v := range order {
		if !dropped[v] && commits(v) {
			commit = append(commit, e.field(e.names[v]).Op("=").Id(e.shadow[v]))
		}
	}
	yielded := jen.True()
	if e.fn.Kind == ir.Stream {
		yielded = jen.Qual(rt, "Yielded")
	}
	commit = append(commit, jen.Return(e.expr(fp.yield.Arg), yielded))
	// Build the cycle from the inside out. Before the loop's head, each
	// condition nests the rest; in the loop, a branch off the cycle breaks
	// out of it or, coming back, continues it.
	level := commit
	for i := len(fp.blocks) - 1; i >= 0; i-- {
		b := fp.blocks[i]
		inLoop := fp.loop > 0 && i >= fp.loop
		if t, ok := b.Term.(*ir.If); ok {
			wantThen := fp.next[b] == t.Then
			off := []jen.Code{jen.Break()} // the branch off the cycle
			if chain, ok := fp.back[b]; ok {
				off = nil
				for _, c := range chain {
					for _, s := range c.Stmts {
						off = append(off, stmtCodes(s)...)
					}
				}
				off = append(off, jen.Continue())
			}
			switch _, known := knownConds[b]; {
			case known: // and taken: followable checked it
			case inLoop && wantThen:
				level = append([]jen.Code{jen.If(e.not(t.Cond)).Block(off...)}, level...)
			case inLoop:
				level = append([]jen.Code{jen.If(e.expr(t.Cond)).Block(off...)}, level...)
			case wantThen:
				level = []jen.Code{jen.If(e.expr(t.Cond)).Block(level...)}
			default:
				level = []jen.Code{jen.If(e.not(t.Cond)).Block(level...)}
			}
		}
		var stmts []jen.Code
		for _, s := range b.Stmts {
			stmts = append(stmts, stmtCodes(s)...)
		}
		level = append(stmts, level...)
		if fp.loop > 0 && i == fp.loop {
			level = []jen.Code{jen.For().Block(level...)}
		}
	}
	body := append(decls, level...)
	e.shadow = nil
	if e.fn.Kind == ir.Stream {
		f.Commentf("PollNext runs %s until it yields an item (Yielded), suspends", e.d.decl.Name.Name)
		f.Comment("(Pending) or has finished (Done). Its fast path runs the cycle from the")
		f.Comment("last yield back to it on locals; whenever the body leaves that cycle,")
		f.Comment("pollNext, the full step, runs instead.")
	} else {
		f.Commentf("Next runs %s until it yields an item, and returns it; it returns false", e.d.decl.Name.Name)
		f.Comment("once the body has returned, panicked or been closed. Its fast path runs")
		f.Comment("the cycle from the last yield back to it on locals; whenever the body")
		f.Comment("leaves that cycle, next, the full step, runs instead.")
	}
	// The results are named: assigning the full step's results and
	// returning costs the inliner less than returning them.
	resultName := func(base string) string {
		name := base
		for i := 1; taken[name] || name == e.typeName || name == "runtime"; i++ {
			name = base + strconv.Itoa(i)
		}
		taken[name] = true
		return name
	}
	item, more := resultName("item"), resultName("more")
	// The full step is called as a function value through runtime.NextVia
	// (PollNextVia): to the inliner a call of a parameter costs a third of
	// a call of a method, which keeps Next small enough to inline into the
	// caller's loop.
	var params []jen.Code
	full := jen.List(jen.Id(item), jen.Id(more)).Op("=")
	fullStep := jen.Parens(jen.Op("*").Add(e.machineType())).Dot(e.fullStep())
	if e.fn.Kind == ir.Stream {
		more = resultName("st")
		params = append(params, jen.Id(e.cx).Op("*").Qual(rt, "Context"))
		full = jen.List(jen.Id(item), jen.Id(more)).Op("=").Qual(rt, "PollNextVia").Call(jen.Id(e.recv), jen.Id(e.cx), fullStep)
	} else {
		full = full.Qual(rt, "NextVia").Call(jen.Id(e.recv), fullStep)
	}
	f.Func().Params(e.recvDecl()).Id(e.stepName()).Params(params...).Params(jen.Id(item).Add(e.valueType()), jen.Id(more).Add(e.secondType())).Block(
		// fast is the machine's own address exactly when it is suspended at
		// the cycle's yield, not closing and not moved: one comparison.
		jen.If(e.field(e.fFast).Op("==").Id(e.recv)).Block(body...),
		full,
		jen.Return(),
	)
	f.Line()
}
