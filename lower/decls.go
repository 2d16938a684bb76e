// This file writes the machine's declarations around the step: the
// struct, the constructor, Init and the Stepper of a future, and All of an
// iterator.

package lower

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// emit writes the machine's declarations to f.
func (e *emitter) emit(f *jen.File) {
	fn := e.fn
	e.orderBlocks()
	var fields []jen.Code
	for _, fl := range e.fields {
		fields = append(fields, e.fieldDecl(fl))
	}
	kindWord := map[ir.Kind]string{ir.Async: "future", ir.Gen: "iterator", ir.Stream: "stream"}[fn.Kind]
	f.Commentf("%s is the %s state machine of %s; %s returns one.", e.typeName, kindWord, e.d.decl.Name.Name, e.d.name)
	f.Commentf("It must not be copied once used.")
	f.Comment("")
	f.Comment(HashLine(ctorKey(e.d), BodyHash(e.fset, e.d.decl, e.fn.Kind.String(), e.d.name)))
	tdecl := jen.Type().Id(e.typeName)
	if len(e.tparams) > 0 {
		tdecl = tdecl.Types(e.typeParamDecls()...)
	}
	f.Add(tdecl.Struct(fields...))
	f.Line()
	e.emitLocalDecls(f)
	e.emitConstructor(f)
	f.Line()
	e.emitStep(f)
	f.Line()
	switch fn.Kind {
	case ir.Async:
		e.emitCancel(f)
		f.Line()
		e.emitInit(f)
		f.Line()
		e.emitStepper(f)
	case ir.Gen:
		e.emitClose(f)
		f.Line()
		e.emitAll(f)
	case ir.Stream:
		e.emitClose(f)
	default:
		panic(fmt.Sprintf("unknown body kind %v", fn.Kind))
	}
	if e.unwinds() {
		f.Line()
		e.emitUnwind(f)
	}
	if len(e.typedDefers) > 0 {
		f.Line()
		e.emitDeferRunners(f)
	}
}

// fieldDecl renders the declaration of a field of the machine.
func (e *emitter) fieldDecl(fl machineField) jen.Code {
	c := jen.Id(fl.name)
	switch fl.role {
	case roleVar:
		return c.Add(e.typ(e.slotType(fl.v)))
	case roleBox:
		return c.Op("*").Add(e.typ(fl.v.Type))
	case roleNoCopy:
		return c.Qual(mc, "NoCopy")
	case roleState:
		return c.Int().Comment("0: not started; k > 0: suspended at resume k; machine.State* otherwise")
	case roleSelf:
		return c.Op("*").Add(e.machineType()).Comment("set at the first poll: detects a moved machine")
	case roleLoops:
		return c.Index().Qual(mc, "Loop").Comment("the iterators of the pull loops the body is in, innermost last")
	case roleDefers:
		if len(e.typedDefers) > 0 {
			return c.Index().Any().Comment("pending defers, run last first: func() or a deferred call's record")
		}
		return c.Index().Func().Params().Comment("pending defers, run last first")
	case roleClosing:
		return c.Op("*").Qual(mc, "Stop").Comment("why the body was resumed without an item pulled: Close, or a panic passing through")
	case roleDeep:
		return c.Qual(mc, "Stepper").Comment("the innermost inline child suspended in, stepped first")
	case roleFast:
		return c.Op("*").Add(e.machineType()).Comment("the machine itself while " + e.stepName() + " may take its fast path")
	}
	panic(fmt.Sprintf("unknown field role %d", fl.role))
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
func (e *emitter) prologue() []jen.Code {
	var out []jen.Code
	if e.unwinds() {
		out = append(out, jen.Defer().Add(e.field("unwind")).Call(jen.Op("&").Id(e.res), jen.Op("&").Id(e.ready)))
	}
	// Poll locals.
	for _, v := range e.fn.Vars {
		if e.store[v] == sLocal {
			out = append(out, jen.Var().Id(e.names[v]).Add(e.typ(v.Type)))
		}
	}
	for _, v := range e.unread {
		out = append(out, jen.Id("_").Op("=").Id(e.names[v]))
	}
	// While the body runs the state is StateRunning: a machine found in
	// that state by a later step panicked in an earlier one. Resuming is
	// the work of the suspension's line: a parent waiting in a child is
	// at its await in a stack trace.
	running := e.field(e.fState).Op("=").Qual(mc, "StateRunning")
	cases := []jen.Code{jen.Case(jen.Lit(0)).Block(running)}
	for _, b := range e.fn.Suspends {
		s := b.Term.(*ir.Suspend)
		var resume []jen.Code
		if e.lazy(s) {
			if e.fDeep != "" {
				// Suspended inside inline children: step the deepest one
				// first; this one resumes when it has finished.
				resume = append(resume, jen.If(e.field(e.fDeep).Op("!=").Nil().Op("&&").Op("!").Add(e.field(e.fDeep)).Dot("Step").Call(jen.Id(e.cx))).Block(
					e.pendingReturn(),
				))
			}
			resume = append(resume, e.gotoBlock(s.Resume))
		} else {
			resume = append(resume, running.Clone(), e.gotoBlock(s.Resume))
		}
		cases = append(cases, jen.Case(jen.Lit(s.State)).Block(e.at(s.Pos, resume)...))
	}
	decl := e.d.decl.Pos()
	if e.fn.Kind == ir.Async {
		cases = append(cases, jen.Default().Block(e.at(decl, []jen.Code{
			jen.Qual(mc, "BadPoll").Call(jen.Lit(e.d.name), e.field(e.fState)),
		})...))
	} else {
		// Finished by returning, panicking or Close: no more items.
		cases = append(cases, jen.Default().Block(e.at(decl, []jen.Code{
			jen.Return(e.zero(e.d.value), e.endSecond()),
		})...))
	}
	out = append(out, jen.Switch(e.field(e.fState)).Block(cases...))
	return out
}

// emitPin writes pin, the cold path of the move check.
func (e *emitter) emitPin(f *jen.File) {
	f.Comment("pin records the machine's address at its first step and panics if it")
	f.Comment("has moved since.")
	f.Func().Params(e.recvDecl()).Id("pin").Params().Block(
		jen.If(e.field(e.fSelf).Op("!=").Nil()).Block(jen.Qual(mc, "PanicMoved").Call(jen.Lit(e.d.name))),
		e.field(e.fSelf).Op("=").Id(e.recv),
	)
}

// emitInit writes init, which constructs the machine in place: a parent
// machine holds its children by value and calls init instead of the
// constructor, so awaiting a generated future allocates nothing.
func (e *emitter) emitInit(f *jen.File) {
	var params, inits []jen.Code
	sig := e.d.sig
	if r := sig.Recv(); r != nil {
		v := e.fn.VarOf[r]
		params = append(params, jen.Id(e.names[v]).Add(e.typ(r.Type())))
		inits = append(inits, jen.Id(e.names[v]).Op(":").Id(e.names[v]))
	}
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		v := e.fn.VarOf[p]
		t := e.typ(p.Type())
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = jen.Op("...").Add(e.typ(p.Type().(*types.Slice).Elem()))
		}
		params = append(params, jen.Id(e.names[v]).Add(t))
		inits = append(inits, jen.Id(e.names[v]).Op(":").Id(e.names[v]))
	}
	f.Comment("init constructs the machine in place (a parent holds it by value).")
	f.Func().Params(e.recvDecl()).Id("init").Params(params...).Block(
		jen.Op("*").Id(e.recv).Op("=").Add(e.machineType()).Values(inits...),
	)
}

// emitStepper writes Step and the helpers a parent holding the machine
// inline uses: finished, value and deepest.
func (e *emitter) emitStepper(f *jen.File) {
	f.Comment("Step polls the machine and reports whether it has finished; it reports")
	f.Comment("true again, without polling, once it has (see machine.Stepper).")
	f.Func().Params(e.recvDecl()).Id("Step").Params(jen.Id("cx").Op("*").Qual(rt, "Context")).Bool().Block(
		jen.If(e.field(e.fState).Op("==").Qual(mc, "StateDone")).Block(jen.Return(jen.True())),
		jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id(e.recv).Dot("Poll").Call(jen.Id("cx")),
		jen.Return(jen.Id("ok")),
	)
	f.Line()
	f.Comment("finished reports whether the body has returned.")
	f.Func().Params(e.recvDecl()).Id("finished").Params().Bool().Block(
		jen.Return(e.field(e.fState).Op("==").Qual(mc, "StateDone")),
	)
	f.Line()
	f.Comment("value is the machine's value once it has finished.")
	f.Func().Params(e.recvDecl()).Id("value").Params().Add(e.valueType()).Block(jen.Return(e.resultValue()))
	f.Line()
	f.Comment("deepest is the innermost inline child the machine is suspended in, or")
	f.Comment("the machine itself.")
	body := []jen.Code{}
	if e.fDeep != "" {
		body = append(body, jen.If(e.field(e.fDeep).Op("!=").Nil()).Block(jen.Return(e.field(e.fDeep))))
	}
	body = append(body, jen.Return(jen.Id(e.recv)))
	f.Func().Params(e.recvDecl()).Id("deepest").Params().Qual(mc, "Stepper").Block(body...)
}

// emitAll writes All for an iterator.
func (e *emitter) emitAll(f *jen.File) {
	// The direct call of the body: push iteration, the reference semantics.
	var args []jen.Code
	sig := e.d.sig
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		if p == e.fn.Yield {
			continue
		}
		a := e.field(e.names[e.fn.VarOf[p]])
		if sig.Variadic() && i == sig.Params().Len()-1 {
			a = a.Op("...")
		}
		args = append(args, a)
	}
	args = append(args, jen.Id("yield"))
	var body *jen.Statement
	if r := sig.Recv(); r != nil {
		body = e.field(e.names[e.fn.VarOf[r]]).Dot(e.d.decl.Name.Name)
	} else {
		body = jen.Id(e.d.decl.Name.Name)
		if tps := sig.TypeParams(); tps != nil && tps.Len() > 0 {
			var ts []jen.Code
			for i := 0; i < tps.Len(); i++ {
				ts = append(ts, jen.Id(tps.At(i).Obj().Name()))
			}
			body = body.Types(ts...)
		}
	}
	f.Comment("All returns the items as a sequence for range. On an iterator that has")
	f.Comment("not started, it runs the body directly, pushing the items: no state")
	f.Comment("machine is needed when nothing pulls. Otherwise it pulls them; leaving")
	f.Comment("the loop early closes the iterator, and a panic of the loop body passes")
	f.Comment("through the body (ClosePanicking), as it would through the body run")
	f.Comment("directly.")
	f.Func().Params(e.recvDecl()).Id("All").Params().Qual("iter", "Seq").Types(e.valueType()).Block(
		jen.Return(jen.Func().Params(jen.Id("yield").Func().Params(e.valueType()).Bool()).Block(
			jen.If(e.field(e.fState).Op("==").Lit(0).Op("&&").Add(e.field(e.fSelf)).Op("==").Nil()).Block(
				e.field(e.fState).Op("=").Qual(mc, "StateDone"),
				body.Call(args...),
				jen.Return(),
			),
			jen.Id("inBody").Op(":=").False(),
			jen.Defer().Qual(mc, "EndRange").Call(jen.Id(e.recv), jen.Op("&").Id("inBody")),
			jen.For().Block(
				jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Id(e.recv).Dot("Next").Call(),
				jen.If(jen.Op("!").Id("ok")).Block(jen.Return()),
				jen.Id("inBody").Op("=").True(),
				jen.Id("more").Op(":=").Id("yield").Call(jen.Id("v")),
				jen.Id("inBody").Op("=").False(),
				jen.If(jen.Op("!").Id("more")).Block(jen.Return()),
			),
		)),
	)
}
