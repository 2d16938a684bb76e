// This file is the bridge from typed go/ast to jennifer: a full type switch
// over expressions and statements. Identifiers are resolved through the
// type information, so package references go through Qual and variables of
// the body become the storage the lowering chose for them.

package lower

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// expr renders an expression.
func (e *emitter) expr(x ast.Expr) jen.Code {
	if x == nil {
		return jen.Null()
	}
	if tv, ok := e.info.Types[x]; ok && tv.IsType() {
		return e.typ(tv.Type)
	}
	switch x := x.(type) {
	case *ast.Ident:
		return e.ident(x)
	case *ast.BasicLit:
		return jen.Id(x.Value)
	case *ast.CompositeLit:
		var elts []jen.Code
		for _, el := range x.Elts {
			elts = append(elts, e.expr(el))
		}
		if x.Type == nil {
			return jen.Values(elts...)
		}
		return jen.Add(e.expr(x.Type)).Values(elts...)
	case *ast.FuncLit:
		return e.funcLit(x)
	case *ast.ParenExpr:
		return jen.Parens(e.expr(x.X))
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if pn, ok := e.info.Uses[id].(*types.PkgName); ok {
				return jen.Qual(pn.Imported().Path(), x.Sel.Name)
			}
			if s, ok := e.fn.Exprs[id].(ir.PkgName); ok {
				return jen.Qual(s.Path, x.Sel.Name)
			}
		}
		return jen.Add(e.primary(x.X)).Dot(x.Sel.Name)
	case *ast.IndexExpr:
		return jen.Add(e.primary(x.X)).Index(e.expr(x.Index))
	case *ast.IndexListExpr:
		var idx []jen.Code
		for _, i := range x.Indices {
			idx = append(idx, e.expr(i))
		}
		return jen.Add(e.expr(x.X)).Types(idx...)
	case *ast.SliceExpr:
		parts := []jen.Code{e.exprOrEmpty(x.Low), e.exprOrEmpty(x.High)}
		if x.Slice3 {
			parts = append(parts, e.exprOrEmpty(x.Max))
		}
		return jen.Add(e.primary(x.X)).Index(parts...)
	case *ast.TypeAssertExpr:
		if x.Type == nil {
			return jen.Add(e.primary(x.X)).Assert(jen.Type())
		}
		return jen.Add(e.primary(x.X)).Assert(e.expr(x.Type))
	case *ast.CallExpr:
		var args []jen.Code
		for i, a := range x.Args {
			c := e.expr(a)
			if i == len(x.Args)-1 && x.Ellipsis.IsValid() {
				c = jen.Add(c).Op("...")
			}
			args = append(args, c)
		}
		return jen.Add(e.callee(x.Fun)).Call(args...)
	case *ast.StarExpr:
		return jen.Op("*").Add(e.expr(x.X))
	case *ast.UnaryExpr:
		return jen.Op(x.Op.String()).Add(e.expr(x.X))
	case *ast.BinaryExpr:
		return jen.Add(e.operand(x.X, x.Op, false)).Op(x.Op.String()).Add(e.operand(x.Y, x.Op, true))
	case *ast.KeyValueExpr:
		return jen.Add(e.expr(x.Key)).Op(":").Add(e.expr(x.Value))
	case *ast.ArrayType:
		if x.Len == nil {
			return jen.Index().Add(e.expr(x.Elt))
		}
		if _, ok := x.Len.(*ast.Ellipsis); ok {
			return jen.Index(jen.Op("...")).Add(e.expr(x.Elt))
		}
		return jen.Index(e.expr(x.Len)).Add(e.expr(x.Elt))
	case *ast.Ellipsis:
		return jen.Op("...").Add(e.expr(x.Elt))
	case *ast.MapType:
		return jen.Map(e.expr(x.Key)).Add(e.expr(x.Value))
	case *ast.ChanType:
		switch x.Dir {
		case ast.SEND:
			return jen.Chan().Op("<-").Add(e.expr(x.Value))
		case ast.RECV:
			return jen.Op("<-").Chan().Add(e.expr(x.Value))
		}
		return jen.Chan().Add(e.expr(x.Value))
	case *ast.FuncType, *ast.StructType, *ast.InterfaceType:
		if tv, ok := e.info.Types[x]; ok {
			return e.typ(tv.Type)
		}
	}
	e.errorf(x.Pos(), "cannot emit %s", ir.Describe(x))
	return jen.Null()
}

func (e *emitter) exprOrEmpty(x ast.Expr) jen.Code {
	if x == nil {
		return jen.Empty()
	}
	return e.expr(x)
}

// primary renders the operand of a selector, index, slice or assertion: a
// boxed variable (written *box) is parenthesized there.
func (e *emitter) primary(x ast.Expr) jen.Code {
	if id, ok := x.(*ast.Ident); ok {
		if v := e.identVar(id); v != nil && (e.store[v] == sBoxed || e.bound[v] != "") {
			return jen.Parens(e.expr(x))
		}
	}
	return e.expr(x)
}

// identVar returns the hoisted variable id names, if any.
func (p *plan) identVar(id *ast.Ident) *ir.Var { return p.fn.IdentVar(id) }

// callee renders the function of a call; a conversion to a type that does
// not start with an identifier is parenthesized.
func (e *emitter) callee(fun ast.Expr) jen.Code {
	if id, ok := fun.(*ast.Ident); ok {
		if s, ok := e.fn.Exprs[id].(ir.TypeExpr); ok {
			return jen.Parens(e.typ(s.Type))
		}
	}
	if tv, ok := e.info.Types[fun]; ok && tv.IsType() {
		switch tv.Type.(type) {
		case *types.Pointer, *types.Signature, *types.Chan:
			return jen.Parens(e.typ(tv.Type))
		}
	}
	return e.primary(fun)
}

// operand renders an operand of a binary operator, parenthesizing a
// synthetic operand of lower precedence.
func (e *emitter) operand(x ast.Expr, op token.Token, right bool) jen.Code {
	if bx, ok := x.(*ast.BinaryExpr); ok {
		if p := bx.Op.Precedence(); p < op.Precedence() || right && p == op.Precedence() {
			return jen.Parens(e.expr(x))
		}
	}
	return e.expr(x)
}

// ident renders an identifier.
func (e *emitter) ident(id *ast.Ident) jen.Code {
	if id.Name == "_" {
		return jen.Id("_")
	}
	if s, ok := e.fn.Exprs[id]; ok {
		switch s := s.(type) {
		case ir.Zero:
			return e.zero(s.Type)
		case ir.TypeExpr:
			return e.typ(s.Type)
		case ir.PkgName:
			return jen.Qual(s.Path, s.Name)
		}
	}
	if v := e.fn.IdentVar(id); v != nil {
		return e.varRef(v)
	}
	obj := e.info.ObjectOf(id)
	switch obj := obj.(type) {
	case *types.TypeName:
		if e.hoisted[obj] != "" {
			return e.named(obj, nil)
		}
	case *types.Const:
		if e.hoisted[obj] != "" {
			return jen.Id(e.hoisted[obj])
		}
	case *types.Label:
		return jen.Id(id.Name)
	}
	if obj != nil && obj.Pkg() != nil && obj.Pkg() != e.pkg && obj.Parent() == obj.Pkg().Scope() {
		// A dot-imported name.
		return jen.Qual(obj.Pkg().Path(), obj.Name())
	}
	return jen.Id(id.Name)
}

// funcLit renders a function literal. A literal that refers to boxed
// variables binds their current boxes when it is evaluated, so each closure
// keeps the variables of its own iteration.
func (e *emitter) funcLit(lit *ast.FuncLit) jen.Code {
	boxed := e.boxedIn(lit.Body)
	sig := e.info.TypeOf(lit).(*types.Signature)
	render := func() jen.Code {
		return jen.Func().Add(e.funcParams(lit.Type, sig)).Block(e.stmts(lit.Body.List)...)
	}
	if len(boxed) == 0 {
		return render()
	}
	var params, args []jen.Code
	for _, v := range boxed {
		name := e.names[v]
		params = append(params, jen.Id(name).Op("*").Add(e.typ(v.Type)))
		args = append(args, e.boxPtr(v))
		e.bound[v] = name
	}
	inner := render()
	for _, v := range boxed {
		delete(e.bound, v)
	}
	return jen.Func().Params(params...).Add(e.typ(sig)).Block(jen.Return(inner)).Call(args...)
}

// boxedIn returns the boxed variables that n refers to and that are not
// bound already, in order of first use.
func (e *emitter) boxedIn(n ast.Node) []*ir.Var {
	var boxed []*ir.Var
	seen := map[*ir.Var]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj, ok := e.info.Uses[id].(*types.Var); ok {
				if v := e.fn.VarOf[obj]; v != nil && e.store[v] == sBoxed && e.bound[v] == "" && !seen[v] {
					seen[v] = true
					boxed = append(boxed, v)
				}
			}
		}
		return true
	})
	return boxed
}

// funcParams renders the parameters and results of a literal with their names.
func (e *emitter) funcParams(ft *ast.FuncType, sig *types.Signature) jen.Code {
	fields := func(fl *ast.FieldList, variadicLast bool) []jen.Code {
		var out []jen.Code
		if fl == nil {
			return nil
		}
		for i, f := range fl.List {
			t := e.expr(f.Type)
			var names []jen.Code
			for _, n := range f.Names {
				names = append(names, jen.Id(n.Name))
			}
			_ = i
			if len(names) == 0 {
				out = append(out, t)
			} else {
				out = append(out, jen.List(names...).Add(t))
			}
		}
		return out
	}
	s := jen.Params(fields(ft.Params, sig.Variadic())...)
	if ft.Results != nil && len(ft.Results.List) > 0 {
		res := fields(ft.Results, false)
		if len(ft.Results.List) == 1 && len(ft.Results.List[0].Names) == 0 {
			s = s.Add(res[0])
		} else {
			s = s.Params(res...)
		}
	}
	return s
}

// stmts renders a statement list, expanding rewrites.
// Each statement carries the directive of its source line.
func (e *emitter) stmts(list []ast.Stmt) []jen.Code {
	var out []jen.Code
	for _, s := range list {
		out = append(out, e.at(e.fn.StmtPos(s), e.stmtCodes(s))...)
	}
	return out
}

// stmtCodes renders one statement, or what it was rewritten to.
func (e *emitter) stmtCodes(s ast.Stmt) []jen.Code {
	if r, ok := e.fn.Rewrites[s]; ok {
		var out []jen.Code
		for _, st := range r {
			out = append(out, e.stmtCodes(st)...)
		}
		return out
	}
	if sp, ok := s.(ir.Special); ok {
		return e.special(sp)
	}
	if c := e.stmt(s); c != nil {
		return []jen.Code{c}
	}
	return nil
}

// block renders statements as a block body.
func (e *emitter) block(b *ast.BlockStmt) jen.Code {
	return jen.Block(e.stmts(b.List)...)
}

// one renders a statement that must be a single simple statement (an init
// or post statement).
func (e *emitter) one(s ast.Stmt) jen.Code {
	if s == nil {
		return jen.Empty()
	}
	cs := e.stmtCodes(s)
	if len(cs) != 1 {
		e.errorf(s.Pos(), "cannot emit %s here", ir.Describe(s))
		return jen.Empty()
	}
	return cs[0]
}

func (e *emitter) exprList(xs []ast.Expr) jen.Code {
	var out []jen.Code
	for _, x := range xs {
		out = append(out, e.expr(x))
	}
	return jen.List(out...)
}

// stmt renders a statement.
func (e *emitter) stmt(s ast.Stmt) jen.Code {
	switch s := s.(type) {
	case *ast.EmptyStmt:
		return nil
	case *ast.ExprStmt:
		return e.expr(s.X)
	case *ast.AssignStmt:
		lhs, rhs := e.withoutNoOps(s)
		if len(lhs) == 0 {
			return nil
		}
		return jen.Add(e.exprList(lhs)).Op(s.Tok.String()).Add(e.exprList(rhs))
	case *ast.IncDecStmt:
		return jen.Add(e.expr(s.X)).Op(s.Tok.String())
	case *ast.SendStmt:
		return jen.Add(e.expr(s.Chan)).Op("<-").Add(e.expr(s.Value))
	case *ast.GoStmt:
		return jen.Go().Add(e.expr(s.Call))
	case *ast.DeferStmt:
		return jen.Defer().Add(e.expr(s.Call))
	case *ast.ReturnStmt:
		var rs []jen.Code
		for _, r := range s.Results {
			rs = append(rs, e.expr(r))
		}
		return jen.Return(rs...)
	case *ast.BranchStmt:
		switch s.Tok {
		case token.BREAK:
			if s.Label != nil {
				return jen.Break().Id(s.Label.Name)
			}
			return jen.Break()
		case token.CONTINUE:
			if s.Label != nil {
				return jen.Continue().Id(s.Label.Name)
			}
			return jen.Continue()
		case token.FALLTHROUGH:
			return jen.Fallthrough()
		case token.GOTO:
			if blk := e.fn.Gotos[s.Label]; blk != nil {
				return jen.Goto().Id(e.labelOf(blk))
			}
			return jen.Goto().Id(s.Label.Name)
		}
	case *ast.BlockStmt:
		return e.block(s)
	case *ast.LabeledStmt:
		return jen.Id(s.Label.Name).Op(":").Line().Add(e.stmt(s.Stmt))
	case *ast.IfStmt:
		var head []jen.Code
		if s.Init != nil {
			head = append(head, e.one(s.Init))
		}
		head = append(head, e.expr(s.Cond))
		c := jen.If(head...).Add(e.block(s.Body))
		if s.Else != nil {
			c = c.Else().Add(e.stmt(s.Else))
		}
		return c
	case *ast.ForStmt:
		var head []jen.Code
		if s.Init != nil || s.Post != nil {
			head = []jen.Code{e.one(s.Init), e.exprOrEmpty(s.Cond), e.one(s.Post)}
		} else if s.Cond != nil {
			head = []jen.Code{e.expr(s.Cond)}
		}
		return jen.For(head...).Add(e.block(s.Body))
	case *ast.RangeStmt:
		var head *jen.Statement
		if s.Key == nil {
			head = jen.Range().Add(e.expr(s.X))
		} else {
			lhs := []ast.Expr{s.Key}
			if s.Value != nil {
				lhs = append(lhs, s.Value)
			}
			head = jen.Add(e.exprList(lhs)).Op(s.Tok.String()).Range().Add(e.expr(s.X))
		}
		return jen.For(head).Add(e.block(s.Body))
	case *ast.SwitchStmt:
		var head []jen.Code
		if s.Init != nil {
			head = append(head, e.one(s.Init))
		}
		if s.Tag != nil {
			head = append(head, e.expr(s.Tag))
		} else if s.Init != nil {
			head = append(head, jen.Empty())
		}
		return jen.Switch(head...).Block(e.clauses(s.Body)...)
	case *ast.TypeSwitchStmt:
		var head []jen.Code
		if s.Init != nil {
			head = append(head, e.one(s.Init))
		}
		head = append(head, e.one(s.Assign))
		return jen.Switch(head...).Block(e.clauses(s.Body)...)
	case *ast.SelectStmt:
		return jen.Select().Block(e.clauses(s.Body)...)
	case *ast.DeclStmt:
		return e.genDecl(s.Decl.(*ast.GenDecl), nil)
	}
	e.errorf(s.Pos(), "cannot emit %s", ir.Describe(s))
	return nil
}

// clauses renders the clauses of a switch or select.
func (e *emitter) clauses(body *ast.BlockStmt) []jen.Code {
	var out []jen.Code
	for _, c := range body.List {
		switch c := c.(type) {
		case *ast.CaseClause:
			if c.List == nil {
				out = append(out, jen.Default().Block(e.stmts(c.Body)...))
				continue
			}
			var list []jen.Code
			for _, x := range c.List {
				list = append(list, e.expr(x))
			}
			out = append(out, jen.Case(list...).Block(e.stmts(c.Body)...))
		case *ast.CommClause:
			if c.Comm == nil {
				out = append(out, jen.Default().Block(e.stmts(c.Body)...))
				continue
			}
			out = append(out, jen.Case(e.one(c.Comm)).Block(e.stmts(c.Body)...))
		}
	}
	return out
}

// genDecl renders a var, const or type declaration. rename maps declared
// names to hoisted ones (nil: keep them).
func (e *emitter) genDecl(d *ast.GenDecl, rename func(*ast.Ident) string) jen.Code {
	name := func(id *ast.Ident) string {
		if rename != nil {
			return rename(id)
		}
		return id.Name
	}
	var defs []jen.Code
	for _, spec := range d.Specs {
		switch sp := spec.(type) {
		case *ast.ValueSpec:
			var names []jen.Code
			for _, n := range sp.Names {
				names = append(names, jen.Id(name(n)))
			}
			c := jen.List(names...)
			if sp.Type != nil {
				c = c.Add(e.expr(sp.Type))
			}
			if len(sp.Values) > 0 {
				c = c.Op("=").Add(e.exprList(sp.Values))
			}
			defs = append(defs, c)
		case *ast.TypeSpec:
			c := jen.Id(name(sp.Name))
			if rename != nil && len(e.tparams) > 0 {
				c = c.Types(e.typeParamDecls()...)
			} else if sp.TypeParams != nil {
				var tps []jen.Code
				for _, f := range sp.TypeParams.List {
					var ns []jen.Code
					for _, n := range f.Names {
						ns = append(ns, jen.Id(n.Name))
					}
					tps = append(tps, jen.List(ns...).Add(e.expr(f.Type)))
				}
				c = c.Types(tps...)
			}
			if sp.Assign.IsValid() {
				c = c.Op("=")
			}
			obj := e.info.Defs[sp.Name].(*types.TypeName)
			if named, ok := obj.Type().(*types.Named); ok && !sp.Assign.IsValid() {
				c = c.Add(e.typ(named.Underlying()))
			} else {
				c = c.Add(e.expr(sp.Type))
			}
			defs = append(defs, c)
		}
	}
	var kw *jen.Statement
	switch d.Tok {
	case token.VAR:
		kw = jen.Var()
	case token.CONST:
		kw = jen.Const()
	case token.TYPE:
		kw = jen.Type()
	}
	if len(defs) == 1 && !d.Lparen.IsValid() {
		return kw.Add(defs[0])
	}
	return kw.Defs(defs...)
}

// withoutNoOps returns the sides of the assignment s without the pairs
// that do nothing: a copy between two variables stored in one field, and,
// in a tuple assignment, a variable assigned to itself (return r, f() with
// r a named result is r, err = r, f()). go vet reports both once lowered
// (m.f = m.f); the order in which Go reads r beside a call on the right is
// not specified, and the compiler reads it after the call, as leaving the
// pair out does.
func (e *emitter) withoutNoOps(s *ast.AssignStmt) (lhs, rhs []ast.Expr) {
	if s.Tok != token.ASSIGN || len(s.Lhs) != len(s.Rhs) {
		return s.Lhs, s.Rhs
	}
	for i, l := range s.Lhs {
		if lv, rv := e.assignedVars(l, s.Rhs[i]); lv != nil && rv != nil {
			if lv == rv && len(s.Lhs) > 1 {
				continue
			}
			if lv != rv && e.names[lv] == e.names[rv] && e.store[lv] == e.store[rv] && e.store[lv] != sBoxed {
				continue
			}
		}
		lhs, rhs = append(lhs, l), append(rhs, s.Rhs[i])
	}
	return lhs, rhs
}

// assignedVars returns the variables of a pair of an assignment when both
// sides name one, or nils.
func (e *emitter) assignedVars(l, r ast.Expr) (lv, rv *ir.Var) {
	li, ok1 := l.(*ast.Ident)
	ri, ok2 := ast.Unparen(r).(*ast.Ident)
	if !ok1 || !ok2 {
		return nil, nil
	}
	return e.identVar(li), e.identVar(ri)
}
