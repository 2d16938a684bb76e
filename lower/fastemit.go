// This file decides how an iterator's fast path (found by fastpath.go)
// runs on locals, as part of the plan, and writes it as the Next
// (PollNext) in front of the full step.

package lower

import (
	"go/ast"
	"go/token"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// A fastEvent is a read or a write of a variable on the cycle.
type fastEvent struct {
	v     *ir.Var
	s     ast.Stmt // the assignment, for a write
	write bool
	use   bool // a read the compiler counts as a use (x++ and x op= y are not)
	maybe bool // on a branch that may not run (inside an if or a block, on the way back)
	turn  int  // 1 or 2: the turn of the loop it belongs to; 0 outside
}

// fastLocals is the part of the plan that decides how a fast path runs
// on locals (planFastLocals). Variables the cycle assigns get locals;
// their names avoid every other name the cycle spells. The cycle's reads
// and writes are listed in the order it runs them (a loop's twice over, as
// two turns of it run): a variable whose first event is a plain assignment
// that surely runs is declared there (:=); one read before such an
// assignment starts as a copy of its field.
type fastLocals struct {
	p  *plan
	fp *fastPath

	taken      map[string]bool // names the cycle spells, and the locals given out
	events     []fastEvent
	turn       int  // while listing events: the loop's turn
	maybe      bool // while listing events: on a branch that may not run
	cleared    map[*ir.Var]bool
	dead       map[ast.Stmt]bool // assignments of known values nothing reads
	used       map[*ir.Var]bool
	readFirst  map[*ir.Var]bool
	firstWrite map[*ir.Var]ast.Stmt
	order      []*ir.Var // the variables the cycle assigns, in order
	dropped    map[*ir.Var]bool
	names      map[*ir.Var]string // the locals standing for the others
}

// planFastLocals decides how fp runs on locals.
func (p *plan) planFastLocals(fp *fastPath) *fastLocals {
	// The locals avoid the receiver, the context, the results, the machine
	// type and the runtime and machine packages too.
	x := &fastLocals{p: p, fp: fp, taken: map[string]bool{p.recv: true, p.cx: true, p.res: true, p.ready: true, p.typeName: true, "runtime": true, p.g.machineName(): true}}
	x.listEvents()
	x.cleared = map[*ir.Var]bool{}
	for _, v := range p.clears[fp.blocks[len(fp.blocks)-1]] {
		x.cleared[v] = true
	}
	x.findDead()
	x.firstEvents()
	x.nameLocals()
	x.events = nil // what is decided is in the lists made from them
	return x
}

// A fastEmitter writes one fast path, as its fastLocals decided.
type fastEmitter struct {
	*fastLocals
	e *emitter
}

// emitFastNext writes Next (PollNext) with the fast path in front of the
// full step. The cycle runs on locals for the variables it assigns (the
// others are read from the machine); before the loop's head each
// condition nests the rest of it, so leaving the cycle anywhere falls
// through to the full step with nothing changed. It is written small so
// that the compiler may inline it.
func (e *emitter) emitFastNext(f *jen.File, fp *fastPath) {
	// The cycle renders with an emitter of its own, whose renaming maps
	// the variables the cycle assigns to the locals standing for them.
	fe := *e
	fe.shadow = map[*ir.Var]string{}
	for v := range fp.dests {
		fe.shadow[v] = "true" // read only in known conditions, never emitted
	}
	for v, name := range fp.locals.names {
		fe.shadow[v] = name
	}
	x := &fastEmitter{fastLocals: fp.locals, e: &fe}
	x.writeNext(f, append(x.decls(), x.cycle()...))
}

// varOf returns the variable x names if the fast path keeps it: not one
// known there, nor one never read.
func (x *fastLocals) varOf(ex ast.Expr) *ir.Var {
	if id, ok := ast.Unparen(ex).(*ast.Ident); ok {
		if v := x.p.identVar(id); v != nil && !x.fp.dests[v] && x.p.store[v] != sDiscard {
			return v
		}
	}
	return nil
}

// commits reports whether v is committed to its field at the yield: a
// field is, unless the yield clears it (dead from there on: the full step
// cleared it there before, and it stays clear).
func (x *fastLocals) commits(v *ir.Var) bool {
	return x.p.store[v] == sField && !x.cleared[v]
}

func (x *fastLocals) read(n ast.Node) {
	if _, special := n.(ir.Special); n == nil || special {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v := x.varOf(id); v != nil {
				x.events = append(x.events, fastEvent{v: v, use: true, maybe: x.maybe, turn: x.turn})
			} else if x.p.identVar(id) == nil {
				x.taken[id.Name] = true
			}
		}
		return true
	})
}

func (x *fastLocals) stmtEvents(s ast.Stmt) {
	fn := x.p.fn
	if way, to, ok := fn.BranchOut(s); ok {
		// A branch out: its statements, then those on the way back.
		for _, st := range way {
			x.stmtEvents(st)
		}
		for _, c := range x.fp.jumps[to] {
			for _, st := range c.Stmts {
				x.stmtEvents(st)
			}
		}
		return
	}
	var lhs []ast.Expr
	switch s := s.(type) {
	case *ast.IfStmt:
		x.read(s.Cond)
		outer := x.maybe
		x.maybe = true
		x.stmtEvents(s.Body)
		if s.Else != nil {
			x.stmtEvents(s.Else)
		}
		x.maybe = outer
	case *ast.BlockStmt:
		// Counted as branches that may not run: what a block assigns is
		// not declared there (its scope would end with it).
		outer := x.maybe
		x.maybe = true
		for _, st := range s.List {
			x.stmtEvents(st)
		}
		x.maybe = outer
	case *ast.AssignStmt:
		if _, ok := x.fp.constStmts[s]; !ok {
			for _, r := range s.Rhs {
				x.read(r)
			}
		}
		lhs = s.Lhs
		if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
			x.events = append(x.events, fastEvent{v: x.varOf(s.Lhs[0]), maybe: x.maybe, turn: x.turn})
		}
	case *ast.IncDecStmt:
		lhs = []ast.Expr{s.X}
		x.events = append(x.events, fastEvent{v: x.varOf(s.X), maybe: x.maybe, turn: x.turn})
	}
	for _, l := range lhs {
		x.events = append(x.events, fastEvent{v: x.varOf(l), s: s, write: true, maybe: x.maybe, turn: x.turn})
	}
}

func (x *fastLocals) blockEvents(b *ir.Block) {
	for _, s := range b.Stmts {
		x.stmtEvents(s)
	}
	if _, ok := x.fp.knownConds[b]; ok {
		return
	}
	if t, ok := b.Term.(*ir.If); ok {
		x.read(t.Cond)
		if chain, ok := x.fp.back[b]; ok {
			x.maybe = true
			for _, c := range chain {
				for _, s := range c.Stmts {
					x.stmtEvents(s)
				}
			}
			x.maybe = false
		}
	}
}

// listEvents lists the cycle's events: the blocks before the loop's head,
// two turns of the loop, and the yield's item.
func (x *fastLocals) listEvents() {
	fp := x.fp
	head := len(fp.blocks)
	if fp.loop > 0 {
		head = fp.loop
	}
	for _, b := range fp.blocks[:head] {
		x.blockEvents(b)
	}
	for x.turn = 1; head < len(fp.blocks) && x.turn <= 2; x.turn++ {
		for _, b := range fp.blocks[head:] {
			x.blockEvents(b)
		}
	}
	x.turn = 0
	x.read(fp.yield.Arg)
}

// findDead finds the assignments of known values that are overwritten
// before they are read (by a write that surely runs), or never read nor
// committed: dead in every turn of the loop they are written in, they are
// not written at all.
func (x *fastLocals) findDead() {
	deadIn := map[ast.Stmt]int{}
	writes := map[ast.Stmt]int{}
	pending := map[*ir.Var]ast.Stmt{}
	for _, ev := range x.events {
		if ev.v == nil {
			continue
		}
		if p := pending[ev.v]; p != nil && (!ev.write || !ev.maybe) {
			delete(pending, ev.v)
			if ev.write {
				deadIn[p]++
			}
		}
		if _, ok := x.fp.constStmts[ev.s]; ok && ev.write {
			writes[ev.s]++
			pending[ev.v] = ev.s
		}
	}
	for v, p := range pending {
		if !x.commits(v) {
			deadIn[p]++
		}
	}
	x.dead = map[ast.Stmt]bool{}
	for s, n := range writes {
		x.dead[s] = deadIn[s] == n
	}
}

// firstEvents finds, for each variable, whether the cycle uses it, reads
// it before writing it, and where it is first written; a variable first
// written inside the loop is declared there only if the loop's second
// turn, too, writes it there before reading it: each turn declares it
// afresh.
func (x *fastLocals) firstEvents() {
	assigned := map[*ir.Var]bool{}
	surely := map[*ir.Var]bool{} // assigned by a write that surely runs
	x.readFirst = map[*ir.Var]bool{}
	x.used = map[*ir.Var]bool{}
	x.firstWrite = map[*ir.Var]ast.Stmt{}
	firstTurn := map[*ir.Var]int{}
	for _, ev := range x.events {
		switch {
		case ev.v == nil || x.dead[ev.s]:
		case !ev.write:
			x.used[ev.v] = x.used[ev.v] || ev.use
			if !surely[ev.v] {
				x.readFirst[ev.v] = true // it may read the value before the cycle
			}
		default:
			if !assigned[ev.v] {
				assigned[ev.v] = true
				x.order = append(x.order, ev.v)
				if !x.readFirst[ev.v] && !ev.maybe {
					x.firstWrite[ev.v], firstTurn[ev.v] = ev.s, ev.turn
				}
			}
			surely[ev.v] = surely[ev.v] || !ev.maybe
		}
	}
	seen2 := map[*ir.Var]bool{}
	for _, ev := range x.events {
		if ev.turn != 2 || ev.v == nil || x.dead[ev.s] || seen2[ev.v] {
			continue
		}
		seen2[ev.v] = true
		if w := x.firstWrite[ev.v]; w != nil && firstTurn[ev.v] == 1 && !(ev.write && !ev.maybe && ev.s == w) {
			delete(x.firstWrite, ev.v)
		}
	}
}

// nameLocals names the locals; a variable neither committed nor used is
// dropped, with the assignments to it (they have no effects).
func (x *fastLocals) nameLocals() {
	x.dropped = map[*ir.Var]bool{}
	x.names = map[*ir.Var]string{}
	for _, v := range x.order {
		if !x.used[v] && !x.commits(v) {
			x.dropped[v] = true
			continue
		}
		x.names[v] = freshName(x.p.names[v], x.taken)
	}
}

// defines reports whether an assignment declares its variables: every one
// it keeps is assigned there first.
func (x *fastLocals) defines(s *ast.AssignStmt) bool {
	if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
		return false
	}
	seen := map[*ir.Var]bool{}
	for _, l := range s.Lhs {
		v := x.varOf(l)
		if v == nil || x.dropped[v] {
			continue
		}
		if x.firstWrite[v] != ast.Stmt(s) || seen[v] {
			return false
		}
		seen[v] = true
	}
	return len(seen) > 0
}

// decls declares the locals not declared by their first assignment.
func (x *fastEmitter) decls() []jen.Code {
	e := x.e
	var out []jen.Code
	for _, v := range x.order {
		if x.dropped[v] {
			continue
		}
		switch s, _ := x.firstWrite[v].(*ast.AssignStmt); {
		case s != nil && x.defines(s):
			// declared by its first assignment
		case x.readFirst[v] && e.store[v] == sField:
			out = append(out, jen.Id(e.shadow[v]).Op(":=").Add(e.field(e.names[v])))
		default:
			out = append(out, jen.Var().Id(e.shadow[v]).Add(e.typ(v.Type)))
		}
	}
	return out
}

func (x *fastEmitter) list(ss []ast.Stmt) []jen.Code {
	var out []jen.Code
	for _, s := range ss {
		out = append(out, x.stmtCodes(s)...)
	}
	return out
}

// stmtCodes writes a statement of the cycle on its locals.
func (x *fastEmitter) stmtCodes(s ast.Stmt) []jen.Code {
	e, fp := x.e, x.fp
	if x.dead[s] {
		return nil
	}
	if way, t, ok := e.fn.BranchOut(s); ok {
		// A branch out: back to the loop's head, or out of the loop.
		out := x.list(way)
		if fp.leave[t] {
			return append(out, jen.Break())
		}
		for _, c := range fp.jumps[t] {
			out = append(out, x.list(c.Stmts)...)
		}
		return append(out, jen.Continue())
	}
	switch s := s.(type) {
	case *ast.IfStmt:
		c := jen.If(e.expr(s.Cond)).Block(x.list(s.Body.List)...)
		switch els := s.Else.(type) {
		case *ast.BlockStmt:
			c = c.Else().Block(x.list(els.List)...)
		case *ast.IfStmt:
			c = c.Else().Add(x.stmtCodes(els)...)
		}
		return []jen.Code{c}
	case *ast.BlockStmt:
		return []jen.Code{jen.Block(x.list(s.List)...)}
	case *ast.AssignStmt:
		if s.Tok != token.ASSIGN && s.Tok != token.DEFINE {
			if v := x.varOf(s.Lhs[0]); v != nil && x.dropped[v] {
				return nil
			}
			break
		}
		var lhs []jen.Code
		kept := false
		for _, l := range s.Lhs {
			if v := x.varOf(l); v == nil || x.dropped[v] {
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
		if x.defines(s) {
			tok = ":="
		}
		rhs := e.exprList(s.Rhs)
		if val, ok := x.fp.constStmts[s]; ok {
			rhs = jen.Lit(val)
		}
		return []jen.Code{jen.List(lhs...).Op(tok).Add(rhs)}
	case *ast.IncDecStmt:
		if v := x.varOf(s.X); v != nil && x.dropped[v] {
			return nil
		}
	}
	return e.stmtCodes(s)
}

// cycle writes the cycle from the inside out: innermost, the commit of the
// assigned fields and the item. Before the loop's head, each condition
// nests the rest; in the loop, a branch off the cycle breaks out of it or,
// coming back, continues it.
func (x *fastEmitter) cycle() []jen.Code {
	e, fp := x.e, x.fp
	var level []jen.Code
	for _, v := range x.order {
		if !x.dropped[v] && x.commits(v) {
			level = append(level, e.field(e.names[v]).Op("=").Id(e.shadow[v]))
		}
	}
	yielded := jen.True()
	if e.fn.Kind == ir.Stream {
		yielded = jen.Qual(rt, "Yielded")
	}
	level = append(level, jen.Return(e.expr(fp.yield.Arg), yielded))
	for i := len(fp.blocks) - 1; i >= 0; i-- {
		b := fp.blocks[i]
		inLoop := fp.loop > 0 && i >= fp.loop
		if t, ok := b.Term.(*ir.If); ok {
			wantThen := fp.next[b] == t.Then
			off := []jen.Code{jen.Break()} // the branch off the cycle
			if chain, ok := fp.back[b]; ok {
				off = nil
				for _, c := range chain {
					off = append(off, x.list(c.Stmts)...)
				}
				off = append(off, jen.Continue())
			}
			switch _, known := x.fp.knownConds[b]; {
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
		level = append(x.list(b.Stmts), level...)
		if fp.loop > 0 && i == fp.loop {
			level = []jen.Code{jen.For().Block(level...)}
		}
	}
	return level
}

// writeNext writes Next (PollNext): the fast path, then the full step.
func (x *fastEmitter) writeNext(f *jen.File, body []jen.Code) {
	e := x.e
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
	// returning costs the inliner less than returning them. The full step
	// is called as a function value through machine.NextVia (PollNextVia):
	// to the inliner a call of a parameter costs a third of a call of a
	// method, which keeps Next small enough to inline into the caller's
	// loop.
	item, more := e.res, e.ready
	var params []jen.Code
	var full jen.Code
	fullStep := jen.Parens(jen.Op("*").Add(e.machineType())).Dot(e.fullStep())
	if e.fn.Kind == ir.Stream {
		params = append(params, jen.Id(e.cx).Op("*").Qual(rt, "Context"))
		full = jen.List(jen.Id(item), jen.Id(more)).Op("=").Qual(mc, "PollNextVia").Call(jen.Id(e.recv), jen.Id(e.cx), fullStep)
	} else {
		full = jen.List(jen.Id(item), jen.Id(more)).Op("=").Qual(mc, "NextVia").Call(jen.Id(e.recv), fullStep)
	}
	e.bodyFunc(f).Params(e.recvDecl()).Id(e.stepName()).Params(params...).Params(jen.Id(item).Add(e.valueType()), jen.Id(more).Add(e.secondType())).Block(
		// fast is the machine's own address exactly when it is suspended at
		// the cycle's yield, not closing and not moved: one comparison.
		jen.If(e.field(e.fFast).Op("==").Id(e.recv)).Block(body...),
		full,
		jen.Return(),
	)
	f.Line()
}
