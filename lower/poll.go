// This file emits the machine's declarations: the struct, the constructor,
// Poll (Next, PollNext) and Cancel (Close).

package lower

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// emit writes the machine's declarations to f.
func (e *emitter) emit(f *jen.File) {
	fn := e.fn
	e.layout()
	// Label uses must be known before blocks render; naming is on demand.
	var fields []jen.Code
	fields = append(fields,
		jen.Id(e.fNoCopy).Qual(rt, "NoCopy"),
		jen.Id(e.fState).Int().Comment("0: not started; k > 0: suspended at resume k; runtime.State* otherwise"),
		jen.Id(e.fSelf).Op("*").Add(e.machineType()).Comment("set at the first poll: detects a moved machine"),
	)
	for _, v := range fn.Vars {
		switch e.store[v] {
		case sField:
			fields = append(fields, jen.Id(e.names[v]).Add(e.typ(v.Type)))
		case sBoxed:
			fields = append(fields, jen.Id(e.names[v]).Op("*").Add(e.typ(v.Type)))
		}
	}
	if fn.HasDefer {
		fields = append(fields, jen.Id(e.fDefers).Index().Func().Params().Comment("pending defers, run last first"))
	}
	kindWord := map[ir.Kind]string{ir.Async: "future", ir.Gen: "iterator", ir.Stream: "stream"}[fn.Kind]
	f.Commentf("%s is the %s state machine of %s; %s returns one.", e.typeName, kindWord, e.d.decl.Name.Name, e.d.name)
	f.Commentf("It must not be copied once used.")
	tdecl := jen.Type().Id(e.typeName)
	if len(e.tparams) > 0 {
		tdecl = tdecl.Types(e.typeParamDecls()...)
	}
	f.Add(tdecl.Struct(fields...))
	f.Line()
	e.emitLocalDecls(f)
	e.emitConstructor(f)
	f.Line()
	switch fn.Kind {
	case ir.Async:
		e.emitPoll(f)
		f.Line()
		e.emitCancel(f)
	}
	if fn.HasDefer {
		f.Line()
		e.emitUnwind(f)
	}
}

// emitLocalDecls hoists the body's local const and type declarations.
func (e *emitter) emitLocalDecls(f *jen.File) {
	for _, gd := range e.fn.LocalTypes {
		f.Add(e.genDecl(gd, func(id *ast.Ident) string {
			if obj := e.info.Defs[id]; obj != nil && e.hoisted[obj] != "" {
				return e.hoisted[obj]
			}
			return id.Name
		}))
		f.Line()
	}
}

func (e *emitter) recvDecl() jen.Code {
	return jen.Id(e.recv).Op("*").Add(e.machineType())
}

// emitConstructor writes NAME(params) returning a new machine.
func (e *emitter) emitConstructor(f *jen.File) {
	d := e.d
	sig := d.sig
	var params []jen.Code
	var inits []jen.Code
	for _, v := range e.fn.Vars {
		if v.Kind != ir.VParam || v.Obj == sig.Recv() && sig.Recv() != nil {
			continue
		}
	}
	pname := func(v *ir.Var) string { return e.names[v] }
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		if p == e.fn.Yield {
			continue
		}
		v := e.fn.VarOf[p]
		var t jen.Code
		if sig.Variadic() && i == sig.Params().Len()-1 && (e.fn.Yield == nil) {
			t = jen.Op("...").Add(e.typ(p.Type().(*types.Slice).Elem()))
		} else {
			t = e.typ(p.Type())
		}
		params = append(params, jen.Id(pname(v)).Add(t))
		inits = append(inits, jen.Id(e.names[v]).Op(":").Id(pname(v)))
	}
	ret := jen.Op("*").Add(e.machineType())
	body := jen.Return(jen.Op("&").Add(e.machineType()).Values(inits...))
	what := map[ir.Kind]string{ir.Async: "a future that runs", ir.Gen: "an iterator over the values yielded by", ir.Stream: "a stream of the values yielded by"}[e.fn.Kind]
	f.Commentf("%s returns %s %s one step at a time.", d.name, what, d.decl.Name.Name)
	if r := sig.Recv(); r != nil {
		v := e.fn.VarOf[r]
		rt := e.typ(r.Type())
		if rn, ok := d.decl.Recv.List[0].Type.(ast.Expr); ok {
			rt = e.recvTypeExpr(rn)
		}
		inits = append([]jen.Code{jen.Id(e.names[v]).Op(":").Id(pname(v))}, inits...)
		body = jen.Return(jen.Op("&").Add(e.machineType()).Values(inits...))
		f.Func().Params(jen.Id(pname(v)).Add(rt)).Id(d.name).Params(params...).Add(ret).Block(body)
		return
	}
	c := f.Func().Id(d.name)
	if len(e.tparams) > 0 {
		c.Types(e.typeParamDecls()...)
	}
	c.Params(params...).Add(ret).Block(body)
}

// recvTypeExpr renders the receiver type as written (keeping the receiver's
// type parameter names).
func (e *emitter) recvTypeExpr(x ast.Expr) jen.Code {
	switch x := x.(type) {
	case *ast.StarExpr:
		return jen.Op("*").Add(e.recvTypeExpr(x.X))
	case *ast.ParenExpr:
		return e.recvTypeExpr(x.X)
	case *ast.Ident:
		return jen.Id(x.Name)
	case *ast.IndexExpr:
		return jen.Add(e.recvTypeExpr(x.X)).Types(jen.Id(x.Index.(*ast.Ident).Name))
	case *ast.IndexListExpr:
		var ts []jen.Code
		for _, i := range x.Indices {
			ts = append(ts, jen.Id(i.(*ast.Ident).Name))
		}
		return jen.Add(e.recvTypeExpr(x.X)).Types(ts...)
	}
	return e.expr(x)
}

// resultValue renders the machine's value from its result variables.
func (e *emitter) resultValue() jen.Code {
	rs := e.fn.Results
	switch {
	case len(rs) == 0:
		return jen.Struct().Values()
	case len(rs) == 1:
		return e.varRef(rs[0])
	}
	return jen.Qual(rt, "Result").Types(e.typ(rs[0].Type)).Values(
		jen.Id("Value").Op(":").Add(e.varRef(rs[0])),
		jen.Id("Err").Op(":").Add(e.varRef(rs[1])),
	)
}

// pinCheck renders the first statements of every step: the move check and
// the state dispatch.
func (e *emitter) prologue(name string, dispatch []jen.Code) []jen.Code {
	var out []jen.Code
	out = append(out, jen.If(e.field(e.fSelf).Op("!=").Id(e.recv)).Block(
		jen.If(e.field(e.fSelf).Op("!=").Nil()).Block(jen.Qual(rt, "PanicMoved").Call(jen.Lit(name))),
		e.field(e.fSelf).Op("=").Id(e.recv),
	))
	if e.fn.HasDefer {
		out = append(out, jen.Defer().Add(e.field("unwind")).Call(jen.Op("&").Id(e.res), jen.Op("&").Id(e.ready)))
	}
	// Poll locals.
	for _, v := range e.fn.Vars {
		if e.store[v] == sLocal {
			out = append(out, jen.Var().Id(e.names[v]).Add(e.typ(v.Type)))
		}
	}
	out = append(out, jen.Id("state").Op(":=").Add(e.field(e.fState)))
	out = append(out, e.field(e.fState).Op("=").Qual(rt, "StateRunning"))
	cases := []jen.Code{jen.Case(jen.Lit(0))}
	for _, b := range e.fn.Suspends {
		s := b.Term.(*ir.Suspend)
		cases = append(cases, jen.Case(jen.Lit(s.State)).Block(e.gotoBlock(s.Resume)))
	}
	cases = append(cases, jen.Default().Block(
		e.field(e.fState).Op("=").Id("state"),
		jen.Qual(rt, "BadPoll").Call(jen.Lit(name), jen.Id("state")),
	))
	out = append(out, jen.Switch(jen.Id("state")).Block(cases...))
	return out
}

// emitPoll writes Poll for an async machine.
func (e *emitter) emitPoll(f *jen.File) {
	fn := e.fn
	var body []jen.Code
	body = append(body, e.prologue(e.d.name, nil)...)
	body = append(body, e.blocks()...)
	results := jen.Params(e.valueType(), jen.Bool())
	if fn.HasDefer {
		results = jen.Params(jen.Id(e.res).Add(e.valueType()), jen.Id(e.ready).Bool())
	}
	f.Commentf("Poll runs %s until it suspends or returns.", e.d.decl.Name.Name)
	f.Func().Params(e.recvDecl()).Id("Poll").Params(jen.Id(e.cx).Op("*").Qual(rt, "Context")).Add(results).Block(body...)
}

// pending renders the return of a suspended step in state k.
func (e *emitter) pending(k int) []jen.Code {
	return []jen.Code{
		e.field(e.fState).Op("=").Lit(k),
		jen.Return(e.zero(e.d.value), jen.False()),
	}
}

// blocks renders the body's blocks in layout order.
func (e *emitter) blocks() []jen.Code {
	var out []jen.Code
	// Name every label that a jump or resume needs, first.
	needs := map[*ir.Block]bool{}
	for i, b := range e.order {
		var prev *ir.Block
		if i > 0 {
			prev = e.order[i-1]
		}
		if b.Resume != nil {
			needs[b] = true
		}
		if e.fn.Labels[b] != "" {
			needs[b] = true
		}
		for _, p := range b.Preds {
			if p != prev {
				needs[b] = true
			}
			if _, ok := p.Term.(*ir.Dispatch); ok {
				needs[b] = true
			}
			if p == prev {
				if t, ok := p.Term.(*ir.If); ok && t.Then != b && t.Else != b {
					needs[b] = true
				}
			}
		}
		walkGotoTargets(e.fn, b, func(t *ir.Block) { needs[t] = true })
	}
	for _, b := range e.order {
		var stmts []jen.Code
		if b.Resume != nil {
			stmts = append(stmts, e.self(e.resume(b.Resume))...)
		}
		for _, s := range b.Stmts {
			stmts = append(stmts, e.at(s.Pos(), e.stmtCodes(s))...)
		}
		stmts = append(stmts, e.term(b)...)
		if b == e.fn.Exit {
			stmts = e.self(e.exit())
		}
		if needs[b] && e.fn.Labels[b] == "" || b == e.fn.Exit && needs[b] {
			if len(stmts) == 0 {
				stmts = []jen.Code{jen.Empty()}
			}
			out = append(out, jen.Id(e.labelOf(b)).Op(":"))
		} else if e.fn.Labels[b] != "" {
			// The user's label sits on the verbatim statement itself.
		}
		out = append(out, stmts...)
	}
	return out
}

func walkGotoTargets(fn *ir.Func, b *ir.Block, f func(*ir.Block)) {
	for _, s := range b.Stmts {
		walkGotos(fn, s, f)
	}
	if d, ok := b.Term.(*ir.Dispatch); ok {
		walkGotos(fn, d.Stmt, f)
	}
}

// term renders the terminator of b.
func (e *emitter) term(b *ir.Block) []jen.Code {
	next := e.next[b]
	switch t := b.Term.(type) {
	case *ir.Jump:
		if t.To == next {
			return nil
		}
		return []jen.Code{e.gotoBlock(t.To)}
	case *ir.If:
		switch {
		case t.Then == next:
			return e.at(t.Cond.Pos(), []jen.Code{jen.If(e.not(t.Cond)).Block(e.gotoBlock(t.Else))})
		case t.Else == next:
			return e.at(t.Cond.Pos(), []jen.Code{jen.If(e.expr(t.Cond)).Block(e.gotoBlock(t.Then))})
		}
		return e.at(t.Cond.Pos(), []jen.Code{jen.If(e.expr(t.Cond)).Block(e.gotoBlock(t.Then)), e.gotoBlock(t.Else)})
	case *ir.Dispatch:
		return []jen.Code{e.stmt(t.Stmt)}
	case *ir.Return:
		if e.fn.Exit == next || b == e.fn.Exit {
			return nil
		}
		return []jen.Code{e.gotoBlock(e.fn.Exit)}
	case *ir.Suspend:
		var out []jen.Code
		switch t.Kind {
		case ir.SAwait, ir.STryAwait:
			out = append(out, e.at(t.Pos, []jen.Code{jen.Add(e.varRef(t.Slot)).Op("=").Add(e.expr(t.Arg))})...)
		}
		if t.Resume != next {
			out = append(out, e.gotoBlock(t.Resume))
		}
		return out
	case *ir.Unreachable:
		return []jen.Code{jen.Panic(jen.Lit("asyncgen: unreachable"))}
	}
	return nil
}

// at prefixes the first of codes with a line directive pointing at pos in
// the body's file, so that panics and stack traces name the body's lines.
func (e *emitter) at(pos token.Pos, codes []jen.Code) []jen.Code {
	if len(codes) == 0 || !pos.IsValid() {
		return codes
	}
	p := e.fset.Position(pos)
	out := append([]jen.Code{}, codes...)
	out[0] = jen.Comment(fmt.Sprintf("/*line %s:%d:%d*/", filepath.Base(p.Filename), p.Line, p.Column)).Add(codes[0])
	return out
}

// selfLine marks a statement of the machinery: after rendering, it becomes
// a line directive pointing back at the generated file itself.
const selfLine = "/*line asyncgen.self:1:1*/"

// self prefixes the first of codes with a directive back to the generated
// file.
func (e *emitter) self(codes []jen.Code) []jen.Code {
	if len(codes) == 0 {
		return codes
	}
	out := append([]jen.Code{}, codes...)
	out[0] = jen.Comment(selfLine).Add(codes[0])
	return out
}

// not renders the negation of a condition.
func (e *emitter) not(c ast.Expr) jen.Code {
	switch x := c.(type) {
	case *ast.Ident, *ast.CallExpr, *ast.ParenExpr, *ast.SelectorExpr, *ast.IndexExpr:
		return jen.Op("!").Add(e.expr(x))
	case *ast.UnaryExpr:
		if x.Op.String() == "!" {
			return e.expr(x.X)
		}
	}
	return jen.Op("!").Parens(e.expr(c))
}

// resume renders the code at a resume point: poll what the machine waits
// for, return if it is pending, and store its outcome.
func (e *emitter) resume(s *ir.Suspend) []jen.Code {
	var out []jen.Code
	dest := func(i int) jen.Code {
		if i >= len(s.Dest) || s.Dest[i] == nil {
			return jen.Id("_")
		}
		return e.expr(s.Dest[i])
	}
	clear := func() jen.Code {
		if isPointerLike(s.Slot.Type) && e.store[s.Slot] != sLocal {
			return jen.Add(e.varRef(s.Slot)).Op("=").Add(e.zero(s.Slot.Type))
		}
		return nil
	}
	switch s.Kind {
	case ir.SAwait, ir.STryAwait:
		inner := []jen.Code{
			jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Add(e.varRef(s.Slot)).Dot("Poll").Call(jen.Id(e.cx)),
			jen.If(jen.Op("!").Id("ok")).Block(e.pending(s.State)...),
		}
		if c := clear(); c != nil {
			inner = append(inner, c)
		}
		if s.Kind == ir.SAwait && len(s.Dest) > 0 {
			inner = append(inner, jen.Add(dest(0)).Op("=").Id("v"))
		} else if s.Kind == ir.STryAwait && len(s.Dest) > 0 {
			inner = append(inner, jen.List(dest(0), dest(1)).Op("=").List(jen.Id("v").Dot("Value"), jen.Id("v").Dot("Err")))
		} else {
			inner[0] = jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Add(e.varRef(s.Slot)).Dot("Poll").Call(jen.Id(e.cx))
		}
		out = append(out, jen.Block(inner...))
	case ir.SNext:
		inner := []jen.Code{
			jen.List(jen.Id("v"), jen.Id("st")).Op(":=").Add(e.varRef(s.Slot)).Dot("PollNext").Call(jen.Id(e.cx)),
			jen.If(jen.Id("st").Op("==").Qual(rt, "Pending")).Block(e.pending(s.State)...),
			jen.List(dest(0), dest(1)).Op("=").List(jen.Id("v"), jen.Id("st").Op("==").Qual(rt, "Yielded")),
		}
		out = append(out, jen.Block(inner...))
	}
	return out
}

// exit renders the return block: run the defers, finish, hand out the value.
func (e *emitter) exit() []jen.Code {
	var out []jen.Code
	if e.fn.HasDefer {
		out = append(out, jen.Qual(rt, "RunDefers").Call(jen.Op("&").Add(e.field(e.fDefers))))
	}
	out = append(out, e.field(e.fState).Op("=").Qual(rt, "StateDone"))
	out = append(out, jen.Return(e.resultValue(), jen.True()))
	return out
}

// emitCancel writes Cancel for an async machine.
func (e *emitter) emitCancel(f *jen.File) {
	var cases []jen.Code
	for _, b := range e.fn.Suspends {
		s := b.Term.(*ir.Suspend)
		if (s.Kind == ir.SAwait || s.Kind == ir.STryAwait) && e.store[s.Slot] != sLocal {
			cases = append(cases, jen.Case(jen.Lit(s.State)).Block(jen.Qual(rt, "Cancel").Call(e.varRef(s.Slot))))
		}
	}
	var body []jen.Code
	body = append(body, jen.If(e.field(e.fState).Op("<").Lit(0)).Block(jen.Return()))
	if len(cases) > 0 {
		body = append(body, jen.Switch(e.field(e.fState)).Block(cases...))
	}
	body = append(body, e.field(e.fState).Op("=").Qual(rt, "StateCancelled"))
	if e.fn.HasDefer {
		body = append(body, jen.Qual(rt, "RunDefers").Call(jen.Op("&").Add(e.field(e.fDefers))))
	}
	f.Commentf("Cancel drops the future: its pending defers run and the future it awaits")
	f.Commentf("is cancelled. Polling it afterwards panics.")
	f.Func().Params(e.recvDecl()).Id("Cancel").Params().Block(body...)
}

// emitUnwind writes the deferred handler of a body that defers: on a panic
// it runs the pending defers so that a recover in them works, and turns a
// recovered panic into the machine's completion.
func (e *emitter) emitUnwind(f *jen.File) {
	f.Comment("unwind runs the pending defers when the body panics during a step.")
	f.Func().Params(e.recvDecl()).Id("unwind").Params(jen.Id("result").Op("*").Add(e.valueType()), jen.Id("ready").Op("*").Bool()).Block(
		jen.If(e.field(e.fState).Op("!=").Qual(rt, "StateRunning").Op("||").Len(e.field(e.fDefers)).Op("==").Lit(0)).Block(jen.Return()),
		jen.Id("p").Op(":=").Recover(),
		jen.If(jen.Id("p").Op("==").Nil()).Block(
			jen.Comment("runtime.Goexit"),
			jen.Qual(rt, "RunDefers").Call(jen.Op("&").Add(e.field(e.fDefers))),
			jen.Return(),
		),
		jen.Qual(rt, "Unwind").Call(jen.Op("&").Add(e.field(e.fDefers)), jen.Id("p")),
		jen.Comment("a deferred call recovered: the body returns normally"),
		e.field(e.fState).Op("=").Qual(rt, "StateDone"),
		jen.List(jen.Op("*").Id("result"), jen.Op("*").Id("ready")).Op("=").List(e.resultValue(), jen.True()),
	)
}

var _ = strconv.Itoa
