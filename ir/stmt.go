// This file lowers statements into blocks.

package ir

import (
	"go/ast"
	"go/token"
	"go/types"
)

func (b *builder) stmtList(list []ast.Stmt) {
	for _, s := range list {
		b.stmt(s)
	}
}

// stmt lowers one statement at the flattened level.
func (b *builder) stmt(s ast.Stmt) {
	// What the builder writes for s points at s; what it writes after s,
	// at the construct s is in.
	defer func(outer token.Pos) { b.pos = outer }(b.pos)
	b.pos = s.Pos()
	switch s := s.(type) {
	case *ast.EmptyStmt:
		return
	case *ast.LabeledStmt:
		b.labeledStmt(s)
		return
	case *ast.BranchStmt:
		b.branchStmt(s)
		return
	case *ast.ReturnStmt:
		b.returnStmt(s)
		return
	case *ast.DeferStmt:
		if b.hasMarker(s.Call) {
			b.errorf(s.Pos(), "await or yield inside a defer statement")
			return
		}
		b.fn.HasDefer = true
		b.emit(&PushDefer{specialBase: newSpecialBase(), Call: s.Call})
		return
	case *ast.GoStmt:
		if b.hasMarker(s.Call) {
			b.errorf(s.Pos(), "await or yield inside a go statement")
			return
		}
	case *ast.DeclStmt:
		b.declStmt(s)
		return
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE || b.hasMarker(s) {
			b.assignStmt(s)
			return
		}
	}
	if !b.hasMarker(s) && !b.split(s) {
		b.verbatim(s, "")
		return
	}
	switch s := s.(type) {
	case *ast.ExprStmt:
		b.exprStmt(s)
	case *ast.IncDecStmt:
		b.emit(&ast.IncDecStmt{X: b.expr(s.X), Tok: s.Tok, TokPos: s.TokPos})
	case *ast.SendStmt:
		r := b.ordered([]ast.Expr{s.Chan, s.Value})
		b.emit(&ast.SendStmt{Chan: r[0], Arrow: s.Arrow, Value: r[1]})
	case *ast.BlockStmt:
		b.stmtList(s.List)
	case *ast.IfStmt:
		b.ifStmt(s)
	case *ast.ForStmt:
		b.forStmt(s, "")
	case *ast.RangeStmt:
		b.rangeStmt(s, "")
	case *ast.SwitchStmt:
		b.switchStmt(s, "")
	case *ast.TypeSwitchStmt:
		b.typeSwitchStmt(s, "")
	case *ast.SelectStmt:
		b.selectStmt(s, "")
	case *ast.GoStmt, *ast.DeferStmt:
		// reported above
	default:
		b.errorf(s.Pos(), "cannot lower %s here", Describe(s))
	}
}

// exprStmt lowers an expression statement holding a marker.
func (b *builder) exprStmt(s *ast.ExprStmt) {
	switch MarkerOf(b.info, b.fn.Yield, s.X) {
	case MAwait, MTryAwait, MYield:
		b.markerInto(ast.Unparen(s.X).(*ast.CallExpr), nil)
		return
	}
	b.emit(&ast.ExprStmt{X: b.expr(s.X)})
	if b.terminating(s) {
		// panic(runtime.Await(f)): control does not get past it.
		b.setTerm(&Terminated{})
	}
}

// declStmt lowers var declarations to assignments of hoisted variables and
// collects const and type declarations for hoisting.
func (b *builder) declStmt(s *ast.DeclStmt) {
	gd := s.Decl.(*ast.GenDecl)
	if gd.Tok != token.VAR {
		b.fn.LocalTypes = append(b.fn.LocalTypes, gd)
		return
	}
	for _, spec := range gd.Specs {
		vs := spec.(*ast.ValueSpec)
		var lhs []ast.Expr
		for _, name := range vs.Names {
			if name.Name == "_" {
				lhs = append(lhs, name)
				continue
			}
			v := b.local(b.info.Defs[name].(*types.Var))
			b.emit(&NewBox{specialBase: newSpecialBase(), Var: v})
			lhs = append(lhs, name)
		}
		if len(vs.Values) == 0 {
			for i, name := range vs.Names {
				if name.Name == "_" {
					continue
				}
				b.emit(assign(lhs[i], b.zero(b.info.Defs[name].Type())))
			}
			continue
		}
		if len(vs.Values) == 1 && len(lhs) > 1 || len(vs.Values) == 1 && isMarkerCall(b, vs.Values[0]) {
			if call, ok := ast.Unparen(vs.Values[0]).(*ast.CallExpr); ok && isMarkerCall(b, call) {
				b.markerInto(call, lhs)
				continue
			}
		}
		rhs := b.ordered(vs.Values)
		b.emit(&ast.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: rhs})
	}
}

func isMarkerCall(b *builder, e ast.Expr) bool {
	switch MarkerOf(b.info, b.fn.Yield, e) {
	case MAwait, MTryAwait, MYield:
		return true
	}
	return false
}

// zero returns a placeholder for the zero value of t.
func (b *builder) zero(t types.Type) ast.Expr {
	id := &ast.Ident{Name: "_zero"}
	b.fn.Exprs[id] = Zero{Type: t}
	return id
}

// typeExpr returns a placeholder for t as an expression.
func (b *builder) typeExpr(t types.Type) ast.Expr {
	id := &ast.Ident{Name: "_type"}
	b.fn.Exprs[id] = TypeExpr{Type: t}
	return id
}

// pkgName returns a placeholder for path.name.
func (b *builder) pkgName(path, name string) ast.Expr {
	id := &ast.Ident{Name: name}
	b.fn.Exprs[id] = PkgName{Path: path, Name: name}
	return id
}

// assignStmt lowers an assignment that defines variables or holds a marker.
func (b *builder) assignStmt(s *ast.AssignStmt) {
	tok := s.Tok
	var boxes []ast.Stmt
	if tok == token.DEFINE {
		tok = token.ASSIGN
		for _, l := range s.Lhs {
			id := l.(*ast.Ident)
			if id.Name == "_" {
				continue // a blank is no variable: it stays _ in the assignment
			}
			if obj, ok := b.info.Defs[id].(*types.Var); ok && obj != nil {
				v := b.local(obj)
				boxes = append(boxes, &NewBox{specialBase: newSpecialBase(), Var: v})
			}
		}
	}
	for _, box := range boxes {
		b.emit(box)
	}
	if len(s.Rhs) == 1 && tok == token.ASSIGN && isMarkerCall(b, s.Rhs[0]) && !b.anyHasCall(s.Lhs) {
		b.markerInto(ast.Unparen(s.Rhs[0]).(*ast.CallExpr), s.Lhs)
		return
	}
	if !b.hasMarker(s) {
		b.emit(&ast.AssignStmt{Lhs: s.Lhs, TokPos: s.TokPos, Tok: tok, Rhs: s.Rhs})
		return
	}
	// Left operands are evaluated before the right-hand side.
	var ops []ast.Expr
	type slot struct{ at, n int }
	var slots []slot
	for _, l := range s.Lhs {
		o := lhsOperands(l)
		slots = append(slots, slot{len(ops), len(o)})
		ops = append(ops, o...)
	}
	nl := len(ops)
	ops = append(ops, s.Rhs...)
	res := b.ordered(ops)
	var lhs []ast.Expr
	for i, l := range s.Lhs {
		lhs = append(lhs, rebuildLHS(l, res[slots[i].at:slots[i].at+slots[i].n]))
	}
	b.emit(&ast.AssignStmt{Lhs: lhs, TokPos: s.TokPos, Tok: tok, Rhs: res[nl:]})
}

// lhsOperands returns the operands of an assignment's left side that Go
// evaluates in the first phase.
func lhsOperands(l ast.Expr) []ast.Expr {
	switch x := ast.Unparen(l).(type) {
	case *ast.IndexExpr:
		return []ast.Expr{x.X, x.Index}
	case *ast.StarExpr:
		return []ast.Expr{x.X}
	case *ast.SelectorExpr:
		return []ast.Expr{x.X}
	}
	return nil
}

func rebuildLHS(l ast.Expr, ops []ast.Expr) ast.Expr {
	switch x := ast.Unparen(l).(type) {
	case *ast.IndexExpr:
		return &ast.IndexExpr{X: ops[0], Index: ops[1]}
	case *ast.StarExpr:
		return &ast.StarExpr{X: ops[0]}
	case *ast.SelectorExpr:
		return &ast.SelectorExpr{X: ops[0], Sel: x.Sel}
	}
	return l
}

// returnStmt lowers a return statement at the flattened level.
func (b *builder) returnStmt(s *ast.ReturnStmt) {
	for _, st := range b.returnStmts(s, true) {
		b.emit(st)
	}
	b.jump(b.fn.Exit)
}

// returnStmts returns the statements that set the results for s and run
// the cleanups of every enclosing construct. At the flattened level
// (flat) markers in the results are lowered in place.
func (b *builder) returnStmts(s *ast.ReturnStmt, flat bool) []ast.Stmt {
	return append(b.resultStmts(s, flat), b.cleanups()...)
}

// resultStmts returns the statements that set the results for s.
func (b *builder) resultStmts(s *ast.ReturnStmt, flat bool) []ast.Stmt {
	var out []ast.Stmt
	res := b.fn.Results
	if len(s.Results) > 0 {
		var lhs []ast.Expr
		for _, r := range res {
			lhs = append(lhs, b.ident(r))
		}
		switch {
		case flat && len(s.Results) == 1 && isMarkerCall(b, s.Results[0]):
			b.markerInto(ast.Unparen(s.Results[0]).(*ast.CallExpr), lhs)
		case flat && b.hasMarker(s):
			rhs := b.ordered(s.Results)
			b.emit(&ast.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: rhs})
		default:
			// Skip results returned as themselves (return v, nil with v named).
			var l, r []ast.Expr
			for i, e := range s.Results {
				if len(s.Results) == len(res) && b.isVar(e, res[i]) {
					continue
				}
				if len(s.Results) == len(res) {
					l = append(l, lhs[i])
				}
				r = append(r, e)
			}
			if len(s.Results) != len(res) {
				l = lhs
			}
			if len(r) > 0 {
				out = append(out, &ast.AssignStmt{Lhs: l, Tok: token.ASSIGN, Rhs: r})
			}
		}
	}
	return out
}

// cleanups returns the cleanups of every enclosing construct, innermost
// first: what leaving the body runs.
func (b *builder) cleanups() []ast.Stmt {
	var out []ast.Stmt
	for t := b.targets; t != nil; t = t.tail {
		out = append(out, t.cleanup...)
	}
	return out
}

// trampoline returns a block that runs cleanup and jumps to to, or to
// itself when there is no cleanup. A branch out of a statement kept whole
// goes through it rather than running the cleanups where it stands: inside
// a loop over a function iterator kept whole, they must run once that
// loop is left, after its iterator has returned, as they do in Go.
func (b *builder) trampoline(cleanup []ast.Stmt, to *Block) *Block {
	if len(cleanup) == 0 {
		return to
	}
	tramp := &Block{Kind: KLeave, Stmts: cleanup, Term: &Jump{To: to}}
	tramp.Index = len(b.fn.Blocks)
	b.fn.Blocks = append(b.fn.Blocks, tramp)
	return tramp
}

// branchStmt lowers break, continue, goto and fallthrough at the flattened level.
func (b *builder) branchStmt(s *ast.BranchStmt) {
	stmts, to := b.branchTarget(s)
	if to == nil {
		b.errorf(s.Pos(), "cannot resolve the target of %s", Describe(s))
		return
	}
	for _, st := range stmts {
		b.emit(st)
	}
	b.jump(to)
}

// branchTarget resolves a branch statement that leaves the flattened
// construct it is in: the cleanup statements to run and the block to go to.
func (b *builder) branchTarget(s *ast.BranchStmt) ([]ast.Stmt, *Block) {
	var cleanup []ast.Stmt
	switch s.Tok {
	case token.GOTO:
		l := b.label(s.Label.Name, s.Label.Pos())
		hasCleanup := false
		for t := b.targets; t != nil; t = t.tail {
			hasCleanup = hasCleanup || len(t.cleanup) > 0
		}
		if !hasCleanup {
			return nil, l.block
		}
		// Leaving constructs with cleanups (pulled iterators): jump through
		// a trampoline that runs those the label is outside of.
		tramp := &Block{Kind: KLeave, Term: &Jump{To: l.block}}
		tramp.Index = len(b.fn.Blocks)
		b.fn.Blocks = append(b.fn.Blocks, tramp)
		if l.defined {
			tramp.Stmts = cleanupsLeaving(b.targets, l.stack)
		} else {
			l.pending = append(l.pending, pendingGoto{tramp, b.targets})
		}
		return nil, tramp
	case token.FALLTHROUGH:
		for t := b.targets; t != nil; t = t.tail {
			if t.fallthrough_ != nil {
				return nil, t.fallthrough_
			}
		}
		return nil, nil
	}
	for t := b.targets; t != nil; t = t.tail {
		match := false
		if s.Label != nil {
			match = t.label == s.Label.Name
		} else if s.Tok == token.BREAK {
			match = t.brk != nil
		} else {
			match = t.cont != nil
		}
		if match {
			if s.Tok == token.BREAK {
				// The construct's own cleanup runs where its exit block starts.
				return cleanup, t.brk
			}
			return cleanup, t.cont
		}
		cleanup = append(cleanup, t.cleanup...)
	}
	return nil, nil
}

// gotoStmt returns a synthetic goto to blk.
func (b *builder) gotoStmt(blk *Block) *ast.BranchStmt {
	id := &ast.Ident{Name: "_goto"}
	b.fn.Gotos[id] = blk
	return &ast.BranchStmt{Tok: token.GOTO, Label: id}
}

// label returns the label named name, creating its block on first use.
func (b *builder) label(name string, pos token.Pos) *label {
	l := b.labels[name]
	if l == nil {
		l = &label{block: b.newBlock(KLabel, nil), pos: pos}
		b.labels[name] = l
	}
	return l
}

func (b *builder) labeledStmt(s *ast.LabeledStmt) {
	l := b.label(s.Label.Name, s.Pos())
	l.defined = true
	l.stack = b.targets
	for _, p := range l.pending {
		p.tramp.Stmts = cleanupsLeaving(p.stack, l.stack)
	}
	l.pending = nil
	l.block.Node = s
	b.jump(l.block)
	b.cur = l.block
	if !b.hasMarker(s.Stmt) && !b.split(s.Stmt) {
		switch s.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt, *ast.IfStmt:
			// Keep the label on the verbatim statement; the block is named after it.
			b.fn.Labels[l.block] = s.Label.Name
			b.verbatim(s.Stmt, s.Label.Name)
			return
		}
		b.stmt(s.Stmt)
		return
	}
	switch inner := s.Stmt.(type) {
	case *ast.ForStmt:
		b.forStmt(inner, s.Label.Name)
	case *ast.RangeStmt:
		b.rangeStmt(inner, s.Label.Name)
	case *ast.SwitchStmt:
		b.switchStmt(inner, s.Label.Name)
	case *ast.TypeSwitchStmt:
		b.typeSwitchStmt(inner, s.Label.Name)
	case *ast.SelectStmt:
		b.selectStmt(inner, s.Label.Name)
	default:
		b.stmt(inner)
	}
}

// push and pop maintain the target stack.
func (b *builder) push(t *targets) { t.tail = b.targets; b.targets = t }
func (b *builder) pop()            { b.targets = b.targets.tail }

func (b *builder) ifStmt(s *ast.IfStmt) {
	if s.Init != nil {
		b.stmt(s.Init)
	}
	cond := b.expr(s.Cond)
	then := b.newBlock(KIfThen, s.Body)
	var els *Block
	if s.Else != nil {
		els = b.newBlock(KIfElse, s.Else)
	}
	done := b.newBlock(KIfDone, s)
	if els == nil {
		b.ifElse(cond, then, done)
	} else {
		b.ifElse(cond, then, els)
	}
	b.cur = then
	b.stmtList(s.Body.List)
	b.jump(done)
	if els != nil {
		b.cur = els
		if blk, ok := s.Else.(*ast.BlockStmt); ok {
			b.stmtList(blk.List)
		} else {
			b.stmt(s.Else)
		}
		b.jump(done)
	}
	b.cur = done
}

// definedVars returns the variables a := statement defines.
func (b *builder) definedVars(s ast.Stmt) []*Var {
	as, ok := s.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE {
		return nil
	}
	var out []*Var
	for _, l := range as.Lhs {
		if obj, ok := b.info.Defs[l.(*ast.Ident)].(*types.Var); ok && obj != nil {
			if v := b.fn.VarOf[obj]; v != nil {
				out = append(out, v)
			}
		}
	}
	return out
}

func (b *builder) forStmt(s *ast.ForStmt, lbl string) {
	if s.Init != nil {
		b.stmt(s.Init)
	}
	loopVars := b.definedVars(s.Init)
	for _, v := range loopVars {
		v.PerIter = true
	}
	cond := b.newBlock(KForCond, s)
	body := b.newBlock(KForBody, s.Body)
	post := b.newBlock(KForPost, s.Post)
	done := b.newBlock(KForDone, s)
	b.jump(cond)
	b.cur = cond
	if s.Cond != nil {
		c := b.expr(s.Cond)
		b.ifElse(c, body, done)
	} else {
		b.jump(body)
	}
	b.push(&targets{label: lbl, brk: done, cont: post})
	b.cur = body
	b.stmtList(s.Body.List)
	b.jump(post)
	b.pop()
	b.cur = post
	for _, v := range loopVars {
		b.emit(&Rebox{specialBase: newSpecialBase(), Var: v})
	}
	if s.Post != nil {
		b.stmt(s.Post)
	}
	b.jump(cond)
	b.cur = done
}

// iterVars declares (or evaluates) the iteration variables of a range
// statement and returns the left sides for them (nil where absent).
func (b *builder) iterVars(s *ast.RangeStmt) (key, val ast.Expr) {
	isBlank := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return e == nil || ok && id.Name == "_"
	}
	if !isBlank(s.Key) {
		key = s.Key
	}
	if !isBlank(s.Value) {
		val = s.Value
	}
	return key, val
}

// declareIter emits the per-iteration declaration of the range variables.
func (b *builder) declareIter(s *ast.RangeStmt, lhs, rhs []ast.Expr) {
	if len(lhs) == 0 {
		return
	}
	if s.Tok == token.DEFINE {
		for _, l := range lhs {
			if obj, ok := b.info.Defs[l.(*ast.Ident)].(*types.Var); ok && obj != nil {
				v := b.local(obj)
				b.emit(&NewBox{specialBase: newSpecialBase(), Var: v})
			}
		}
	}
	b.emit(&ast.AssignStmt{Lhs: lhs, Tok: token.ASSIGN, Rhs: rhs})
}

func (b *builder) rangeStmt(s *ast.RangeStmt, lbl string) {
	if MarkerOf(b.info, b.fn.Yield, s.X) == MForAwait {
		b.forAwait(s, lbl)
		return
	}
	key, val := b.iterVars(s)
	xt := b.info.TypeOf(s.X)
	loop := b.newBlock(KRangeLoop, s)
	body := b.newBlock(KRangeBody, s.Body)
	post := b.newBlock(KForPost, s)
	done := b.newBlock(KRangeDone, s)
	var lhs, rhs []ast.Expr
	add := func(l, r ast.Expr) {
		if l != nil {
			lhs = append(lhs, l)
			rhs = append(rhs, r)
		}
	}
	intT := types.Typ[types.Int]
	var postStmts []ast.Stmt
	switch u := under(xt).(type) {
	case *types.Basic:
		if u.Info()&types.IsString != 0 {
			str := b.tempOf("str", s.X, b.expr(s.X))
			idx := b.newTemp("i", intT)
			r := b.newTemp("r", types.Typ[types.Rune])
			w := b.newTemp("w", intT)
			b.countLoop(idx, lenOf(str), loop, body, done)
			b.emit(&ast.AssignStmt{Lhs: []ast.Expr{b.ident(r), b.ident(w)}, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.CallExpr{
				Fun:  &ast.SelectorExpr{X: b.pkgName("unicode/utf8", "utf8"), Sel: ast.NewIdent("DecodeRuneInString")},
				Args: []ast.Expr{&ast.SliceExpr{X: str, Low: b.ident(idx)}},
			}}})
			add(key, b.ident(idx))
			add(val, b.ident(r))
			postStmts = append(postStmts, &ast.AssignStmt{Lhs: []ast.Expr{b.ident(idx)}, Tok: token.ADD_ASSIGN, Rhs: []ast.Expr{b.ident(w)}})
			break
		}
		// range over an integer
		n := b.tempOf("n", s.X, b.expr(s.X))
		it := b.typeOf(n)
		idx := b.newTemp("i", it)
		b.countLoop(idx, n, loop, body, done)
		add(key, b.ident(idx))
		postStmts = append(postStmts, &ast.IncDecStmt{X: b.ident(idx), Tok: token.INC})
	case *types.Slice, *types.Array, *types.Pointer:
		var length ast.Expr
		var xs ast.Expr
		if _, isSlice := u.(*types.Slice); !isSlice && val == nil && !b.hasCall(s.X) {
			length = lenOf(s.X) // a constant: the operand is not evaluated
		} else {
			xs = b.tempOf("xs", s.X, b.expr(s.X))
			length = lenOf(xs)
		}
		idx := b.newTemp("i", intT)
		b.countLoop(idx, length, loop, body, done)
		add(key, b.ident(idx))
		if val != nil {
			ix := &ast.IndexExpr{X: xs, Index: b.ident(idx)}
			if _, isPtr := u.(*types.Pointer); !isPtr {
				b.fn.InBounds[ix] = true // a nil pointer to an array would panic
			}
			add(val, ix)
		}
		postStmts = append(postStmts, &ast.IncDecStmt{X: b.ident(idx), Tok: token.INC})
	case *types.Map:
		mp := b.tempOf("mp", s.X, b.expr(s.X))
		keys := b.newTemp("keys", types.NewSlice(u.Key()))
		b.emit(assign(b.ident(keys), &ast.CallExpr{
			Fun: &ast.SelectorExpr{X: b.pkgName("slices", "slices"), Sel: ast.NewIdent("Collect")},
			Args: []ast.Expr{&ast.CallExpr{
				Fun:  &ast.SelectorExpr{X: b.pkgName("maps", "maps"), Sel: ast.NewIdent("Keys")},
				Args: []ast.Expr{mp},
			}},
		}))
		idx := b.newTemp("i", intT)
		kt := b.newTemp("k", u.Key())
		vt := b.newTemp("v", u.Elem())
		ok := b.newTemp("ok", types.Typ[types.Bool])
		check := b.newBlock(KRangeLoop, s)
		b.countLoop(idx, lenOf(b.ident(keys)), loop, check, done)
		b.emit(assign(b.ident(kt), &ast.IndexExpr{X: b.ident(keys), Index: b.ident(idx)}))
		b.emit(&ast.AssignStmt{Lhs: []ast.Expr{b.ident(vt), b.ident(ok)}, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.IndexExpr{X: mp, Index: b.ident(kt)}}})
		b.ifElse(b.ident(ok), body, post) // an entry deleted before it was reached is skipped
		b.cur = body
		add(key, b.ident(kt))
		add(val, b.ident(vt))
		postStmts = append(postStmts, &ast.IncDecStmt{X: b.ident(idx), Tok: token.INC})
	case *types.Chan:
		ch := b.tempOf("ch", s.X, b.expr(s.X))
		vt := b.newTemp("v", u.Elem())
		ok := b.newTemp("ok", types.Typ[types.Bool])
		b.jump(loop)
		b.cur = loop
		b.emit(&ast.AssignStmt{Lhs: []ast.Expr{b.ident(vt), b.ident(ok)}, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.UnaryExpr{Op: token.ARROW, X: ch}}})
		b.ifElse(b.ident(ok), body, done)
		b.cur = body
		add(key, b.ident(vt))
	case *types.Signature:
		b.rangeFunc(s, u, lbl, loop, body, post, done, key, val)
		return
	default:
		b.errorf(s.X.Pos(), "cannot range over %s", xt)
		return
	}
	b.declareIter(s, lhs, rhs)
	b.push(&targets{label: lbl, brk: done, cont: post})
	b.stmtList(s.Body.List)
	b.jump(post)
	b.pop()
	b.cur = post
	for _, st := range postStmts {
		b.emit(st)
	}
	b.jump(loop)
	b.cur = done
}

// rangeFunc lowers a range over a function iterator whose body suspends:
// the machine pulls the items, with Go's range-over-func rules kept by the
// machine package (machine.Loop): a generated iterator ranged over through its All
// is pulled with Next; any other function iterator through machine.Pull
// (iter.Pull with the checks Go makes). The iterator is pushed on the
// machine's stack of loops, so that a panic of the body passes through it
// and a cancellation closes it, and closed when the loop is left.
// pulledNames name the values a pull loop's next returns, by their count.
var pulledNames = [][]string{nil, {"pulled"}, {"key", "val"}}

func (b *builder) rangeFunc(s *ast.RangeStmt, sig *types.Signature, lbl string, loop, body, post, done *Block, key, val ast.Expr) {
	yieldSig := sig.Params().At(0).Type().Underlying().(*types.Signature)
	n := yieldSig.Params().Len()
	var elems []types.Type
	for i := 0; i < n; i++ {
		elems = append(elems, yieldSig.Params().At(i).Type())
	}
	var nextFn, loopVal ast.Expr
	if it := b.iteratorOf(s.X); it != nil {
		// A range over it.All() of a generated iterator: pull it with Next,
		// no coroutine needed; the iterator is its own machine.Loop.
		recv := b.tempOf("it", it, b.expr(it))
		nextFn = &ast.SelectorExpr{X: recv, Sel: ast.NewIdent("Next")}
		loopVal = recv
	} else {
		// machine.Pull, Pull2, or Pull0 for a sequence of no values.
		seq := b.expr(s.X)
		bool_ := types.Typ[types.Bool]
		next := b.newTemp("next", funcOf(nil, append(append([]types.Type{}, elems...), bool_)))
		lp := b.newTemp("loop", loopType)
		pull := map[int]string{0: "Pull0", 1: "Pull", 2: "Pull2"}[n]
		seqType := funcOf([]types.Type{funcOf(elems, []types.Type{bool_})}, nil)
		call := &ast.CallExpr{
			Fun:  &ast.SelectorExpr{X: b.pkgName(MachinePath, MachineName), Sel: ast.NewIdent(pull)},
			Args: []ast.Expr{&ast.CallExpr{Fun: b.typeExpr(seqType), Args: []ast.Expr{seq}}},
		}
		b.emit(&ast.AssignStmt{Lhs: []ast.Expr{b.ident(next), b.ident(lp)}, Tok: token.ASSIGN, Rhs: []ast.Expr{call}})
		nextFn, loopVal = b.ident(next), b.ident(lp)
	}
	slot := b.newTemp("cleanup", types.Typ[types.Int])
	b.fn.HasCleanup = true
	b.emit(&PushCleanup{specialBase: newSpecialBase(), Loop: loopVal, Slot: slot})
	pop := &PopCleanup{specialBase: newSpecialBase(), Loop: loopVal, Slot: slot}
	var temps []ast.Expr
	for i, t := range elems {
		temps = append(temps, b.ident(b.newTemp(pulledNames[n][i], t)))
	}
	ok := b.newTemp("ok", types.Typ[types.Bool])
	b.jump(loop)
	b.cur = loop
	b.emit(&ast.AssignStmt{Lhs: append(append([]ast.Expr{}, temps...), b.ident(ok)), Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.CallExpr{Fun: nextFn}}})
	b.ifElse(b.ident(ok), body, done)
	b.cur = body
	var lhs, rhs []ast.Expr
	if key != nil {
		lhs, rhs = append(lhs, key), append(rhs, temps[0])
	}
	if val != nil {
		lhs, rhs = append(lhs, val), append(rhs, temps[1])
	}
	b.declareIter(s, lhs, rhs)
	b.push(&targets{label: lbl, brk: done, cont: post, cleanup: []ast.Stmt{pop}})
	b.stmtList(s.Body.List)
	b.jump(post)
	b.pop()
	b.cur = post
	b.jump(loop)
	b.cur = done
	b.emit(pop)
}

// forAwait lowers `for x := range runtime.ForAwait(s)`.
func (b *builder) forAwait(s *ast.RangeStmt, lbl string) {
	call := ast.Unparen(s.X).(*ast.CallExpr)
	stream := b.expr(call.Args[0])
	st := b.newTemp("stream", b.typeOf(call.Args[0]))
	b.emit(assign(b.ident(st), stream))
	elem := b.info.TypeOf(s.X).Underlying().(*types.Signature).Params().At(0).Type().Underlying().(*types.Signature).Params().At(0).Type()
	vt := b.newTemp("elem", elem)
	ok := b.newTemp("ok", types.Typ[types.Bool])
	loop := b.newBlock(KRangeLoop, s)
	body := b.newBlock(KRangeBody, s.Body)
	done := b.newBlock(KRangeDone, s)
	b.jump(loop)
	b.cur = loop
	b.suspend(SNext, call.Pos(), nil, st, []ast.Expr{b.ident(vt), b.ident(ok)})
	b.ifElse(b.ident(ok), body, done)
	b.cur = body
	key, _ := b.iterVars(s)
	if key != nil {
		b.declareIter(s, []ast.Expr{key}, []ast.Expr{b.ident(vt)})
	}
	b.push(&targets{label: lbl, brk: done, cont: loop})
	b.stmtList(s.Body.List)
	b.jump(loop)
	b.pop()
	b.cur = done
}

func (b *builder) switchStmt(s *ast.SwitchStmt, lbl string) {
	if s.Init != nil {
		b.stmt(s.Init)
	}
	var tag ast.Expr
	if s.Tag != nil {
		tag = b.expr(s.Tag)
		if b.hasMarker(s.Tag) || b.anyCaseMarker(s.Body) {
			tag = b.tempOf("tag", s.Tag, tag)
		}
	}
	done := b.newBlock(KSwitchDone, s)
	clauses := s.Body.List
	bodies := make([]*Block, len(clauses))
	for i, c := range clauses {
		bodies[i] = b.newBlock(KSwitchBody, c)
	}
	dflt := done
	for i, c := range clauses {
		if c.(*ast.CaseClause).List == nil {
			dflt = bodies[i]
		}
	}
	if !b.anyCaseMarker(s.Body) {
		// Dispatch with a native switch whose clauses jump to the bodies.
		sw := &ast.SwitchStmt{Tag: tag, Body: &ast.BlockStmt{}}
		targetsList := []*Block{}
		for i, c := range clauses {
			cc := c.(*ast.CaseClause)
			sw.Body.List = append(sw.Body.List, &ast.CaseClause{List: cc.List, Body: []ast.Stmt{b.gotoStmt(bodies[i])}})
			targetsList = append(targetsList, bodies[i])
		}
		if dflt == done {
			sw.Body.List = append(sw.Body.List, &ast.CaseClause{Body: []ast.Stmt{b.gotoStmt(done)}})
			targetsList = append(targetsList, done)
		}
		b.setTerm(&Dispatch{Stmt: sw, Targets: targetsList})
	} else {
		// Evaluate case expressions in order, lazily.
		for i, c := range clauses {
			cc := c.(*ast.CaseClause)
			for _, e := range cc.List {
				if b.cur == nil {
					b.cur = b.newBlock(KSwitchCase, cc)
				}
				v := b.expr(e)
				var cond ast.Expr = v
				if tag != nil {
					cond = &ast.BinaryExpr{X: tag, Op: token.EQL, Y: v}
				}
				next := b.newBlock(KSwitchCase, cc)
				b.ifElse(cond, bodies[i], next)
				b.cur = next
			}
		}
		b.jump(dflt)
	}
	for i, c := range clauses {
		cc := c.(*ast.CaseClause)
		var ft *Block
		if i+1 < len(clauses) {
			ft = bodies[i+1]
		}
		b.push(&targets{label: lbl, brk: done, fallthrough_: ft})
		b.cur = bodies[i]
		b.stmtList(cc.Body)
		b.jump(done)
		b.pop()
	}
	b.cur = done
}

func (b *builder) anyCaseMarker(body *ast.BlockStmt) bool {
	for _, c := range body.List {
		for _, e := range c.(*ast.CaseClause).List {
			if b.hasMarker(e) {
				return true
			}
		}
	}
	return false
}

func (b *builder) typeSwitchStmt(s *ast.TypeSwitchStmt, lbl string) {
	if s.Init != nil {
		b.stmt(s.Init)
	}
	var x ast.Expr
	switch a := s.Assign.(type) {
	case *ast.ExprStmt:
		x = a.X.(*ast.TypeAssertExpr).X
	case *ast.AssignStmt:
		x = a.Rhs[0].(*ast.TypeAssertExpr).X
	}
	xv := b.tempOf("x", x, b.expr(x))
	done := b.newBlock(KSwitchDone, s)
	clauses := s.Body.List
	bodies := make([]*Block, len(clauses))
	sw := &ast.TypeSwitchStmt{Assign: &ast.ExprStmt{X: &ast.TypeAssertExpr{X: xv}}, Body: &ast.BlockStmt{}}
	var tl []*Block
	hasDefault := false
	for i, c := range clauses {
		cc := c.(*ast.CaseClause)
		bodies[i] = b.newBlock(KSwitchBody, cc)
		sw.Body.List = append(sw.Body.List, &ast.CaseClause{List: cc.List, Body: []ast.Stmt{b.gotoStmt(bodies[i])}})
		tl = append(tl, bodies[i])
		if cc.List == nil {
			hasDefault = true
		}
	}
	if !hasDefault {
		sw.Body.List = append(sw.Body.List, &ast.CaseClause{Body: []ast.Stmt{b.gotoStmt(done)}})
		tl = append(tl, done)
	}
	b.setTerm(&Dispatch{Stmt: sw, Targets: tl})
	for i, c := range clauses {
		cc := c.(*ast.CaseClause)
		b.cur = bodies[i]
		if obj, ok := b.info.Implicits[cc].(*types.Var); ok && usesObj(b.info, cc, obj) {
			v := b.local(obj)
			b.emit(&NewBox{specialBase: newSpecialBase(), Var: v})
			var rhs ast.Expr = xv
			if len(cc.List) == 1 && !isNilIdent(b.info, cc.List[0]) {
				rhs = &ast.TypeAssertExpr{X: xv, Type: cc.List[0]}
			}
			b.emit(assign(b.ident(v), rhs))
		}
		b.push(&targets{label: lbl, brk: done})
		b.stmtList(cc.Body)
		b.jump(done)
		b.pop()
	}
	b.cur = done
}

func isNilIdent(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	_, isNil := info.Uses[id].(*types.Nil)
	return isNil
}

func (b *builder) selectStmt(s *ast.SelectStmt, lbl string) {
	clauses := s.Body.List
	// Channel operands and sent values are evaluated in source order on entry.
	commMarker := false
	for _, c := range clauses {
		if cc := c.(*ast.CommClause); cc.Comm != nil && b.hasMarker(cc.Comm) {
			commMarker = true
		}
	}
	done := b.newBlock(KSelectDone, s)
	sel := &ast.SelectStmt{Body: &ast.BlockStmt{}}
	var tl []*Block
	bodies := make([]*Block, len(clauses))
	type bind struct {
		lhs []ast.Expr
		rhs []ast.Expr
		tok token.Token
	}
	binds := make([]bind, len(clauses))
	var defs []*Var
	for i, c := range clauses {
		cc := c.(*ast.CommClause)
		bodies[i] = b.newBlock(KSelectBody, cc)
		tl = append(tl, bodies[i])
		var comm ast.Stmt
		switch st := cc.Comm.(type) {
		case nil:
		case *ast.SendStmt:
			ch, v := st.Chan, st.Value
			if commMarker {
				r := b.ordered([]ast.Expr{ch, v})
				ch = b.tempOf("ch", st.Chan, r[0])
				v = b.tempOf("v", st.Value, r[1])
			}
			comm = &ast.SendStmt{Chan: ch, Value: v}
		case *ast.ExprStmt:
			recv := ast.Unparen(st.X).(*ast.UnaryExpr)
			ch := recv.X
			if commMarker {
				ch = b.tempOf("ch", recv.X, b.expr(ch))
			}
			comm = &ast.ExprStmt{X: &ast.UnaryExpr{Op: token.ARROW, X: ch}}
		case *ast.AssignStmt:
			recv := ast.Unparen(st.Rhs[0]).(*ast.UnaryExpr)
			ch := recv.X
			if commMarker {
				ch = b.tempOf("ch", recv.X, b.expr(ch))
			}
			if b.anyHasMarker(st.Lhs) {
				b.errorf(st.Pos(), "cannot lower an await in the left side of a select receive")
			}
			var temps []ast.Expr
			elem := under(b.info.TypeOf(recv.X)).(*types.Chan).Elem()
			for j := range st.Lhs {
				t := elem
				if j == 1 {
					t = types.Typ[types.Bool]
				}
				v := b.newTemp("recv", t)
				defs = append(defs, v)
				temps = append(temps, b.ident(v))
			}
			comm = &ast.AssignStmt{Lhs: temps, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.UnaryExpr{Op: token.ARROW, X: ch}}}
			var rhs []ast.Expr
			for _, t := range temps {
				rhs = append(rhs, b.ident(b.fn.Temps[t.(*ast.Ident)]))
			}
			binds[i] = bind{lhs: st.Lhs, rhs: rhs, tok: st.Tok}
		}
		sel.Body.List = append(sel.Body.List, &ast.CommClause{Comm: comm, Body: []ast.Stmt{b.gotoStmt(bodies[i])}})
	}
	b.setTerm(&Dispatch{Stmt: sel, Targets: tl, Defs: defs})
	for i, c := range clauses {
		cc := c.(*ast.CommClause)
		b.cur = bodies[i]
		if bd := binds[i]; bd.lhs != nil {
			b.assignStmt(&ast.AssignStmt{Lhs: bd.lhs, Tok: bd.tok, Rhs: bd.rhs})
		}
		b.push(&targets{label: lbl, brk: done})
		b.stmtList(cc.Body)
		b.jump(done)
		b.pop()
	}
	b.cur = done
}

func (b *builder) anyHasMarker(es []ast.Expr) bool {
	for _, e := range es {
		if b.hasMarker(e) {
			return true
		}
	}
	return false
}

// usesObj reports whether obj is used inside n.
func usesObj(info *types.Info, n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

// split reports whether a compound statement without markers is
// decomposed anyway (Options.SplitAll).
func (b *builder) split(s ast.Stmt) bool {
	if !b.splitAll {
		return false
	}
	switch s := s.(type) {
	case *ast.IfStmt, *ast.ForStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
		return true
	case *ast.RangeStmt:
		_, isSig := under(b.info.TypeOf(s.X)).(*types.Signature)
		return !isSig
	}
	return false
}

// isVar reports whether e is the variable v itself.
func (b *builder) isVar(e ast.Expr, v *Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || v.Obj == nil {
		return false
	}
	return b.info.Uses[id] == v.Obj
}

// iteratorOf returns E when x is E.All() and E is an iterator asyncgen
// generated: it has Next() (T, bool) over the same items, Close() and
// ClosePanicking (machine.Loop); otherwise nil.
func (b *builder) iteratorOf(x ast.Expr) ast.Expr {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "All" {
		return nil
	}
	recvT := b.info.TypeOf(sel.X)
	if recvT == nil {
		return nil
	}
	ms := types.NewMethodSet(recvT)
	next := ms.Lookup(nil, "Next")
	cls := ms.Lookup(nil, "Close")
	if next == nil || cls == nil || ms.Lookup(nil, "ClosePanicking") == nil {
		return nil // not a generated iterator: pulled as any function iterator
	}
	nsig := next.Type().(*types.Signature)
	csig := cls.Type().(*types.Signature)
	yieldT := b.info.TypeOf(x).Underlying().(*types.Signature).Params().At(0).Type().Underlying().(*types.Signature)
	if nsig.Params().Len() != 0 || nsig.Results().Len() != 2 || yieldT.Params().Len() != 1 ||
		!types.Identical(nsig.Results().At(0).Type(), yieldT.Params().At(0).Type()) ||
		!types.Identical(nsig.Results().At(1).Type(), types.Typ[types.Bool]) ||
		csig.Params().Len() != 0 || csig.Results().Len() != 0 {
		return nil
	}
	return sel.X
}

// cleanupsLeaving returns the cleanups of the targets on from that are not
// on to: the constructs a jump from one to the other leaves.
func cleanupsLeaving(from, to *targets) []ast.Stmt {
	on := map[*targets]bool{}
	for t := to; t != nil; t = t.tail {
		on[t] = true
	}
	var out []ast.Stmt
	for t := from; t != nil && !on[t]; t = t.tail {
		out = append(out, t.cleanup...)
	}
	return out
}

// countLoop starts a loop over idx from 0 while idx < bound: it sets idx to
// 0, enters loop, and continues at into (at done once idx reaches bound).
func (b *builder) countLoop(idx *Var, bound ast.Expr, loop, into, done *Block) {
	b.emit(assign(b.ident(idx), &ast.BasicLit{Kind: token.INT, Value: "0"}))
	b.jump(loop)
	b.cur = loop
	b.ifElse(&ast.BinaryExpr{X: b.ident(idx), Op: token.LSS, Y: bound}, into, done)
	b.cur = into
}

// lenOf returns len(x).
func lenOf(x ast.Expr) ast.Expr {
	return &ast.CallExpr{Fun: ast.NewIdent("len"), Args: []ast.Expr{x}}
}

// loopType is machine.Loop, the type of what a pull loop pushes on the
// machine's stack of loops. It is only ever printed, so it need not come
// from a loaded package (no body imports package machine).
var loopType = types.NewNamed(
	types.NewTypeName(token.NoPos, types.NewPackage(MachinePath, MachineName), "Loop", nil),
	types.NewInterfaceType(nil, nil).Complete(), nil)

// funcOf returns the type func(params...) (results...).
func funcOf(params, results []types.Type) *types.Signature {
	tuple := func(ts []types.Type) *types.Tuple {
		var vs []*types.Var
		for _, t := range ts {
			vs = append(vs, types.NewParam(token.NoPos, nil, "", t))
		}
		return types.NewTuple(vs...)
	}
	return types.NewSignatureType(nil, nil, nil, tuple(params), tuple(results), false)
}
