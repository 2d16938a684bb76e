// This file finds and emits an iterator's fast path: the most common step
// of a generator resumes at a yield and loops straight back to it. When the
// code on that cycle cannot panic and calls nothing, Next runs it on
// locals, with no state dispatch and no state stores, and commits the
// locals to the machine only when it reaches the yield; any branch off the
// cycle falls back, with nothing changed, to the full step.

package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// A fastPath is a cycle of blocks from a yield's resume point back to it.
type fastPath struct {
	yield  *ir.Suspend
	blocks []*ir.Block
	next   map[*ir.Block]*ir.Block // the successor taken on the cycle
}

const maxFastBlocks = 12

// findFastPath returns the fast path of a generator, or nil.
func (e *emitter) findFastPath() *fastPath {
	if e.fn.Kind != ir.Gen || e.unwinds() {
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
		if walk(y.Resume) {
			return fp
		}
	}
	return nil
}

// safeBlock reports whether b's statements run without calls or panics.
func (e *emitter) safeBlock(b *ir.Block) bool {
	if len(e.fn.GotoTargets(b)) > 0 {
		return false
	}
	for _, s := range b.Stmts {
		if !e.safeStmt(s) {
			return false
		}
	}
	return true
}

func (e *emitter) safeStmt(s ast.Stmt) bool {
	if _, ok := e.fn.Rewrites[s]; ok {
		return false
	}
	switch s := s.(type) {
	case *ir.NewBox:
		return e.store[s.Var] != sBoxed // a no-op unless boxed
	case *ir.Rebox:
		return e.store[s.Var] != sBoxed
	case *ast.AssignStmt:
		if s.Tok != token.ASSIGN && s.Tok != token.ADD_ASSIGN && s.Tok != token.SUB_ASSIGN && s.Tok != token.MUL_ASSIGN &&
			s.Tok != token.AND_ASSIGN && s.Tok != token.OR_ASSIGN && s.Tok != token.XOR_ASSIGN && s.Tok != token.DEFINE {
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
// constants, and arithmetic that cannot fault.
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
	case *ast.BinaryExpr:
		switch x.Op {
		case token.QUO, token.REM, token.SHL, token.SHR:
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

// emitFastNext writes Next with the fast path in front of next, the full
// step. The cycle runs on locals for the variables it assigns (the others
// are read from the machine); each condition of the cycle nests the rest of
// it, so leaving the cycle anywhere falls through to next with nothing
// changed. It is written small so that the compiler may inline it.
func (e *emitter) emitFastNext(f *jen.File, fp *fastPath) {
	// The yield's result is true on the fast path (Close takes the full
	// step), so conditions on it are known.
	known := map[*ir.Var]bool{}
	for _, d := range fp.yield.Dest {
		if id, ok := d.(*ast.Ident); ok {
			if v := e.identVar(id); v != nil {
				known[v] = true
			}
		}
	}
	isKnown := func(c ast.Expr) (value, ok bool) {
		neg := false
		for {
			switch x := c.(type) {
			case *ast.ParenExpr:
				c = x.X
				continue
			case *ast.UnaryExpr:
				if x.Op == token.NOT {
					neg = !neg
					c = x.X
					continue
				}
			case *ast.Ident:
				if v := e.identVar(x); v != nil && known[v] {
					return !neg, true
				}
			}
			return false, false
		}
	}
	// Variables the cycle assigns get locals; names avoid every other name
	// the cycle spells.
	taken := map[string]bool{e.recv: true}
	assigned := map[*ir.Var]bool{}
	var order []*ir.Var
	assign := func(x ast.Expr) {
		if id, ok := x.(*ast.Ident); ok {
			if v := e.identVar(id); v != nil && !assigned[v] && !known[v] {
				assigned[v] = true
				order = append(order, v)
			}
		}
	}
	markNames := func(n ast.Node) {
		if _, special := n.(ir.Special); n == nil || special {
			return
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && e.identVar(id) == nil {
				taken[id.Name] = true
			}
			return true
		})
	}
	for _, b := range fp.blocks {
		for _, s := range b.Stmts {
			markNames(s)
			switch s := s.(type) {
			case *ast.AssignStmt:
				for _, l := range s.Lhs {
					assign(l)
				}
			case *ast.IncDecStmt:
				assign(s.X)
			}
		}
		if t, ok := b.Term.(*ir.If); ok {
			markNames(t.Cond)
		}
	}
	markNames(fp.yield.Arg)
	e.shadow = map[*ir.Var]string{}
	for v := range known {
		e.shadow[v] = "true" // read only in known conditions, never emitted
	}
	var decls []jen.Code
	for _, v := range order {
		if e.store[v] == sDiscard {
			continue // never read: assignments to it are discarded
		}
		name := e.names[v]
		for i := 1; taken[name]; i++ {
			name = e.names[v] + strconv.Itoa(i)
		}
		taken[name] = true
		e.shadow[v] = name
		if e.store[v] == sField {
			decls = append(decls, jen.Id(name).Op(":=").Add(e.field(e.names[v])))
		} else {
			decls = append(decls, jen.Var().Id(name).Add(e.typ(v.Type)))
		}
	}
	// The innermost level: commit the assigned fields and hand out the item.
	var commit []jen.Code
	for _, v := range order {
		if e.store[v] == sField {
			commit = append(commit, e.field(e.names[v]).Op("=").Id(e.shadow[v]))
		}
	}
	commit = append(commit, jen.Return(e.expr(fp.yield.Arg), jen.True()))
	// Build the cycle from the inside out.
	level := commit
	for i := len(fp.blocks) - 1; i >= 0; i-- {
		b := fp.blocks[i]
		if t, ok := b.Term.(*ir.If); ok {
			wantThen := fp.next[b] == t.Then
			if val, ok := isKnown(t.Cond); ok {
				if val != wantThen {
					level = nil // never taken: the cycle cannot be followed
				}
			} else if wantThen {
				level = []jen.Code{jen.If(e.expr(t.Cond)).Block(level...)}
			} else {
				level = []jen.Code{jen.If(e.not(t.Cond)).Block(level...)}
			}
		}
		var stmts []jen.Code
		for _, s := range b.Stmts {
			stmts = append(stmts, e.stmtCodes(s)...)
		}
		level = append(stmts, level...)
	}
	body := append(decls, level...)
	e.shadow = nil
	f.Commentf("Next runs %s until it yields an item, and returns it; it returns false", e.d.decl.Name.Name)
	f.Comment("once the body has returned, panicked or been closed. Its fast path runs")
	f.Comment("the cycle from the last yield back to it on locals; whenever the body")
	f.Comment("leaves that cycle, next, the full step, runs instead.")
	f.Func().Params(e.recvDecl()).Id("Next").Params().Params(e.valueType(), jen.Bool()).Block(
		// fast is the machine's own address exactly when it is suspended at
		// the cycle's yield, not closing and not moved: one comparison.
		jen.If(e.field(e.fFast).Op("==").Id(e.recv)).Block(body...),
		// The full step is called as a function value through
		// runtime.NextVia: to the inliner a call of a parameter costs a
		// third of a call of a method, which keeps Next small enough to
		// inline into the caller's loop.
		jen.Return(jen.Qual(rt, "NextVia").Call(jen.Id(e.recv), jen.Parens(jen.Op("*").Add(e.machineType())).Dot("next"))),
	)
	f.Line()
}
