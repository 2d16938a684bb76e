// This file writes how a machine unwinds: defers pushed and run, the
// cleanups of pull loops, unwinding on a panic, and Cancel (Close) of a
// machine suspended inside its body.

package lower

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// pushDefer renders a defer statement: the function value and arguments are
// evaluated now, and a call of them is pushed on the machine's defer stack.
// A deferred function literal is pushed itself (its parameters bound to the
// evaluated arguments), so that recover inside it works.
func (e *emitter) pushDefer(call *ast.CallExpr) jen.Code {
	push := func(f jen.Code) jen.Code {
		return e.field(e.fDefers).Op("=").Append(e.field(e.fDefers), f)
	}
	fun := ast.Unparen(call.Fun)
	sig, _ := e.info.TypeOf(fun).(*types.Signature)
	if lit, ok := fun.(*ast.FuncLit); ok && sig.Results().Len() == 0 && !sig.Variadic() {
		if len(call.Args) == 0 {
			return push(e.expr(lit))
		}
		if len(call.Args) == sig.Params().Len() {
			// func() { p1, p2 := a1, a2; body }, with the arguments evaluated
			// now and the boxes of per-iteration variables bound now.
			var decls, args, params []jen.Code
			i := 0
			for _, f := range lit.Type.Params.List {
				names := f.Names
				if len(names) == 0 {
					names = []*ast.Ident{{Name: "_"}}
				}
				for _, n := range names {
					a := "arg" + strconv.Itoa(i)
					decls = append(decls, jen.Id(a))
					args = append(args, e.expr(call.Args[i]))
					if n.Name != "_" {
						params = append(params, jen.Id(n.Name).Op(":=").Id(a))
					}
					i++
				}
			}
			boxed := e.boxedIn(lit.Body)
			for _, v := range boxed {
				decls = append(decls, jen.Id(e.names[v]))
				args = append(args, e.boxPtr(v))
			}
			for _, v := range boxed {
				e.bound[v] = e.names[v]
			}
			body := append(params, e.stmts(lit.Body.List)...)
			for _, v := range boxed {
				delete(e.bound, v)
			}
			return jen.Block(
				jen.List(decls...).Op(":=").List(args...),
				push(jen.Func().Params().Block(body...)),
			)
		}
	}
	isValue := true
	if tv, ok := e.info.Types[fun]; ok && !tv.IsValue() {
		isValue = false // a builtin
	}
	if td := e.typedDefers[call]; td != nil {
		// A record of the function and arguments, deferred directly by runDefers.
		vals := []jen.Code{jen.Id("fn").Op(":").Add(e.expr(fun))}
		if len(call.Args) == 1 && len(td.args) > 1 {
			var names []jen.Code
			for i := range td.args {
				names = append(names, jen.Id("a"+strconv.Itoa(i)))
			}
			var kv []jen.Code
			for i := range td.args {
				kv = append(kv, jen.Id("a"+strconv.Itoa(i)).Op(":").Id("a"+strconv.Itoa(i)))
			}
			return jen.Block(
				jen.List(names...).Op(":=").Add(e.expr(call.Args[0])),
				push(jen.Add(e.recordType(td.name)).Values(append(vals, kv...)...)),
			)
		}
		for i, a := range call.Args {
			vals = append(vals, jen.Id("a"+strconv.Itoa(i)).Op(":").Add(e.expr(a)))
		}
		return push(jen.Add(e.recordType(td.name)).Values(vals...))
	}
	if isValue && len(call.Args) == 0 && sig != nil && sig.Results().Len() == 0 {
		return push(e.expr(fun))
	}
	var decls, vals, args []jen.Code
	var callee jen.Code
	if isValue {
		decls = append(decls, jen.Id("fn"))
		vals = append(vals, e.expr(fun))
		callee = jen.Id("fn")
	} else {
		callee = e.expr(fun)
	}
	n := len(call.Args)
	if n == 1 {
		if tup, ok := e.info.TypeOf(call.Args[0]).(*types.Tuple); ok {
			n = tup.Len()
			var names []jen.Code
			for i := 0; i < n; i++ {
				names = append(names, jen.Id("arg"+strconv.Itoa(i)))
				args = append(args, jen.Id("arg"+strconv.Itoa(i)))
			}
			stmts := []jen.Code{jen.List(names...).Op(":=").Add(e.expr(call.Args[0]))}
			if isValue {
				stmts = append(stmts, jen.Id("fn").Op(":=").Add(e.expr(fun)))
			}
			stmts = append(stmts, push(jen.Func().Params().Block(jen.Add(callee).Call(args...))))
			return jen.Block(stmts...)
		}
	}
	for i, a := range call.Args {
		name := "arg" + strconv.Itoa(i)
		decls = append(decls, jen.Id(name))
		vals = append(vals, e.expr(a))
		c := jen.Id(name)
		if i == len(call.Args)-1 && call.Ellipsis.IsValid() {
			c = c.Op("...")
		}
		args = append(args, c)
	}
	var stmts []jen.Code
	if len(decls) > 0 {
		stmts = append(stmts, jen.List(decls...).Op(":=").List(vals...))
	}
	stmts = append(stmts, push(jen.Func().Params().Block(jen.Add(callee).Call(args...))))
	return jen.Block(stmts...)
}

// A typedDefer describes a call deferred with arguments: its record type,
// the function's signature and the arguments' types.
type typedDefer struct {
	name   string
	sig    *types.Signature
	args   []types.Type
	spread bool // the last argument is spread with ...
}

// findTypedDefers records the defer statements that call a function value
// with arguments (not a function literal, not a builtin).
func (p *plan) findTypedDefers() {
	p.typedDefers = map[*ast.CallExpr]*typedDefer{}
	visit := func(s ast.Stmt) {
		pd, ok := s.(*ir.PushDefer)
		if !ok || len(pd.Call.Args) == 0 {
			return
		}
		fun := ast.Unparen(pd.Call.Fun)
		if _, lit := fun.(*ast.FuncLit); lit {
			return
		}
		tv, ok := p.info.Types[fun]
		if !ok || !tv.IsValue() {
			return
		}
		sig, ok := tv.Type.Underlying().(*types.Signature)
		if !ok {
			return
		}
		td := &typedDefer{sig: sig, spread: pd.Call.Ellipsis.IsValid()}
		if len(pd.Call.Args) == 1 {
			if tup, ok := p.info.TypeOf(pd.Call.Args[0]).(*types.Tuple); ok {
				for i := 0; i < tup.Len(); i++ {
					td.args = append(td.args, sig.Params().At(i).Type())
				}
			}
		}
		if td.args == nil {
			n := sig.Params().Len()
			for i := range pd.Call.Args {
				switch {
				case sig.Variadic() && i >= n-1 && !td.spread:
					td.args = append(td.args, sig.Params().At(n-1).Type().(*types.Slice).Elem())
				default:
					td.args = append(td.args, sig.Params().At(i).Type())
				}
			}
		}
		p.typedDefers[pd.Call] = td
	}
	for _, b := range p.fn.Blocks {
		for _, s := range b.Stmts {
			visit(s)
		}
	}
	for _, r := range p.fn.Rewrites {
		for _, s := range r {
			visit(s)
		}
	}
	// Name the records in source order, so the output is deterministic.
	var calls []*ast.CallExpr
	for c := range p.typedDefers {
		calls = append(calls, c)
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].Pos() < calls[j].Pos() })
	p.deferOrder = nil
	for i, c := range calls {
		td := p.typedDefers[c]
		td.name = p.g.uniquePkgName(strings.ToLower(p.typeName[:1]) + p.typeName[1:] + "Defer" + strconv.Itoa(i))
		p.deferOrder = append(p.deferOrder, td)
	}
}

// emitCancel writes Cancel for an async machine.
func (e *emitter) emitCancel(f *jen.File) {
	var body []jen.Code
	body = append(body, jen.If(e.field(e.fState).Op("<").Lit(0)).Block(jen.Return()))
	body = append(body, e.cancelAwaited(nil)...)
	body = append(body, e.field(e.fState).Op("=").Qual(mc, "StateCanceled"))
	body = append(body, e.runDefers()...)
	f.Commentf("Cancel drops the future: its pending defers run and the future it awaits")
	f.Commentf("is canceled. Polling it afterwards panics.")
	f.Func().Params(e.recvDecl()).Id("Cancel").Params().Block(body...)
}

// cancelAwaited renders a switch on the state that cancels the future the
// body is suspended on, each case followed by then (a for-await step's
// stream is left as it is: its case is then alone).
func (e *emitter) cancelAwaited(then []jen.Code) []jen.Code {
	var cases []jen.Code
	for _, b := range e.fn.Suspends {
		s := b.Term.(*ir.Suspend)
		var c []jen.Code
		switch s.Kind {
		case ir.SAwait, ir.STryAwait:
			c = append(c, e.cancelSlot(s))
		case ir.SNext:
		case ir.SYield:
			continue
		default:
			panic(fmt.Sprintf("unknown suspension kind %v", s.Kind))
		}
		if c = append(c, then...); len(c) > 0 {
			cases = append(cases, jen.Case(jen.Lit(s.State)).Block(c...))
		}
	}
	if len(cases) == 0 {
		return nil
	}
	return []jen.Code{jen.Switch(e.field(e.fState)).Block(cases...)}
}

// cancelSlot renders the cancellation of the future s awaits: a static call
// for an inline child, machine.Cancel otherwise.
func (e *emitter) cancelSlot(s *ir.Suspend) jen.Code {
	if e.inline[s] != nil {
		return jen.Add(e.varRef(s.Slot)).Dot("Cancel").Call()
	}
	if e.initInline[s] {
		return jen.Qual(mc, "Cancel").Call(jen.Op("&").Add(e.varRef(s.Slot)))
	}
	return jen.Qual(mc, "Cancel").Call(e.varRef(s.Slot))
}

// noDefersPending renders the test that nothing is left to run on a panic.
func (e *emitter) noDefersPending() jen.Code {
	var conds []jen.Code
	for _, f := range []string{e.fLoops, e.fDefers} {
		if f != "" {
			conds = append(conds, jen.Len(e.field(f)).Op("==").Lit(0))
		}
	}
	c := jen.Add(conds[0])
	for _, x := range conds[1:] {
		c = c.Op("&&").Add(x)
	}
	return jen.Parens(c)
}

// runCleanups renders the closing of the iterators of the pull loops the
// body is inside, innermost first: when the body is canceled or closed
// they stop before the body's defers run, as the iterator frames unwind
// before the body's in Go.
func (e *emitter) runCleanups() []jen.Code {
	if e.fLoops == "" {
		return nil
	}
	return []jen.Code{jen.Qual(mc, "CloseLoops").Call(jen.Op("&").Add(e.field(e.fLoops)))}
}

// unwindLoops renders the passing of the panic p through the iterators of
// the pull loops the body is inside, innermost first, before the body's
// defers see it: p becomes what comes out of the outermost.
func (e *emitter) unwindLoops(p jen.Code) []jen.Code {
	if e.fLoops == "" {
		return nil
	}
	return []jen.Code{jen.Add(p).Op("=").Qual(mc, "UnwindLoops").Call(jen.Op("&").Add(e.field(e.fLoops)), p)}
}

// deferCalls renders the running of the pending defers last first, or,
// when panicking with p, with p re-panicked among them (see machine.Unwind).
func (e *emitter) deferCalls(panicking bool, p jen.Code) []jen.Code {
	switch {
	case len(e.typedDefers) > 0:
		if !panicking {
			p = jen.Nil()
		}
		return []jen.Code{jen.Id(e.recv).Dot("runDefers").Call(jen.Lit(panicking), p)}
	case e.fDefers == "":
		return nil
	case panicking:
		return []jen.Code{jen.Qual(mc, "Unwind").Call(jen.Op("&").Add(e.field(e.fDefers)), p)}
	}
	return []jen.Code{jen.Qual(mc, "RunDefers").Call(jen.Op("&").Add(e.field(e.fDefers)))}
}

// runDefers renders the calls that stop the pulled iterators and run the
// pending defers.
func (e *emitter) runDefers() []jen.Code {
	return append(e.runCleanups(), e.deferCalls(false, nil)...)
}

// unwindDefers renders the same while panicking with p: the panic passes
// through the iterators first.
func (e *emitter) unwindDefers(p jen.Code) []jen.Code {
	return append(e.unwindLoops(p), e.deferCalls(true, p)...)
}

// emitDeferRunners writes the record type of each call deferred with
// arguments and runDefers, which defers every pending call directly: the
// deferred function itself is what the defer runs, so a recover in it stops
// a panic as it would in the body (defer handle(&err)).
func (e *emitter) emitDeferRunners(f *jen.File) {
	var cases []jen.Code
	cases = append(cases, jen.Case(jen.Func().Params()).Block(jen.Defer().Id("d").Call()))
	for _, td := range e.deferOrder {
		var fields, args []jen.Code
		fields = append(fields, jen.Id("fn").Add(e.typ(td.sig)))
		for i, t := range td.args {
			name := "a" + strconv.Itoa(i)
			fields = append(fields, jen.Id(name).Add(e.typ(t)))
			c := jen.Id("d").Dot(name)
			if td.spread && i == len(td.args)-1 {
				c = c.Op("...")
			}
			args = append(args, c)
		}
		decl := jen.Type().Id(td.name)
		if len(e.tparams) > 0 {
			decl = decl.Types(e.typeParamDecls()...)
		}
		f.Commentf("%s is a call deferred by %s: its function and arguments.", td.name, e.d.decl.Name.Name)
		f.Add(decl.Struct(fields...))
		f.Line()
		cases = append(cases, jen.Case(e.recordType(td.name)).Block(jen.Defer().Id("d").Dot("fn").Call(args...)))
	}
	f.Comment("runDefers runs the pending defers last first, each deferred directly;")
	f.Comment("when panicking it re-panics with p among them, so they can recover it.")
	f.Func().Params(e.recvDecl()).Id("runDefers").Params(jen.Id("panicking").Bool(), jen.Id("p").Any()).Block(
		jen.Id("list").Op(":=").Add(e.field(e.fDefers)),
		e.field(e.fDefers).Op("=").Nil(),
		jen.For(jen.List(jen.Id("_"), jen.Id("d")).Op(":=").Range().Id("list")).Block(
			jen.Switch(jen.Id("d").Op(":=").Id("d").Assert(jen.Type())).Block(cases...),
		),
		jen.If(jen.Id("panicking")).Block(jen.Panic(jen.Id("p"))),
	)
}

// recordType renders a deferred call's record type with the machine's
// type parameters.
func (e *emitter) recordType(name string) jen.Code { return e.withTypeParams(name) }

// emitUnwind writes the deferred handler of a body that defers: on a panic
// it runs the pending defers so that a recover in them works, and turns a
// recovered panic into the machine's completion.
func (e *emitter) emitUnwind(f *jen.File) {
	if !e.fn.HasDefer {
		// Only pulled iterators: the panic passes through them, and goes on.
		body := []jen.Code{
			jen.If(e.field(e.fState).Op("!=").Qual(mc, "StateRunning").Op("||").Add(e.noDefersPending())).Block(jen.Return()),
			jen.Id("p").Op(":=").Recover(),
			jen.If(jen.Id("p").Op("==").Nil()).Block(append(append([]jen.Code{jen.Comment("runtime.Goexit")}, e.runCleanups()...), jen.Return())...),
			jen.Panic(jen.Qual(mc, "UnwindLoops").Call(jen.Op("&").Add(e.field(e.fLoops)), jen.Id("p"))),
		}
		f.Comment("unwind passes a panic of the body through the iterators it pulls.")
		f.Func().Params(e.recvDecl()).Id("unwind").Params(jen.Id(e.res).Op("*").Add(e.valueType()), jen.Id(e.ready).Op("*").Add(e.secondType())).Block(body...)
		return
	}
	f.Comment("unwind runs the pending defers when the body panics during a step.")
	goexit := append([]jen.Code{jen.Comment("runtime.Goexit")}, e.runDefers()...)
	goexit = append(goexit, jen.Return())
	body := []jen.Code{
		jen.If(e.field(e.fState).Op("!=").Qual(mc, "StateRunning").Op("||").Add(e.noDefersPending())).Block(jen.Return()),
		jen.Id("p").Op(":=").Recover(),
		jen.If(jen.Id("p").Op("==").Nil()).Block(goexit...),
	}
	body = append(body, e.unwindDefers(jen.Id("p"))...)
	body = append(body,
		jen.Comment("a deferred call recovered: the body returns normally"),
		e.field(e.fState).Op("=").Qual(mc, "StateDone"),
		jen.List(jen.Op("*").Id(e.res), jen.Op("*").Id(e.ready)).Op("=").List(e.doneValues()...),
	)
	f.Func().Params(e.recvDecl()).Id("unwind").Params(jen.Id(e.res).Op("*").Add(e.valueType()), jen.Id(e.ready).Op("*").Add(e.secondType())).Block(body...)
}

// emitClose writes Close for an iterator or a stream: a body suspended at a
// yield resumes with yield returning false and runs to its return; one that
// has not started runs nothing; a stream suspended at an await drops the
// future it awaits and runs its pending defers.
func (e *emitter) emitClose(f *jen.File) {
	var body []jen.Code
	body = append(body,
		jen.If(e.field(e.fState).Op("==").Lit(0)).Block(
			e.field(e.fState).Op("=").Qual(mc, "StateDone"),
			jen.Return(),
		),
		jen.If(e.field(e.fState).Op("<").Lit(0)).Block(jen.Return()),
	)
	// A stream suspended at an await drops the future it awaits.
	drop := []jen.Code{e.field(e.fState).Op("=").Qual(mc, "StateCanceled")}
	drop = append(drop, e.runDefers()...)
	drop = append(drop, jen.Return())
	body = append(body, e.cancelAwaited(drop)...)
	body = append(body, e.field(e.fClosing).Op("=").Qual(mc, "Closed").Call())
	step := e.stepName()
	if e.fast != nil {
		step = e.fullStep() // the fast path does not look at closing
	}
	if e.fn.Kind == ir.Gen {
		body = append(body, jen.Id(e.recv).Dot(step).Call())
		f.Comment("Close stops the iterator: a body suspended at a yield resumes with yield")
		f.Comment("returning false and runs to its return (its defers run); a body that has")
		f.Comment("not started runs nothing. Closing twice or after the end is harmless.")
		f.Func().Params(e.recvDecl()).Id("Close").Params().Block(body...)
		f.Line()
		f.Comment("ClosePanicking stops the iterator while the body of a loop ranging over")
		f.Comment("it panics with p (see machine.Loop): the yield the body is suspended at")
		f.Comment("panics with p, so its defers run and may recover it, as when the loop")
		f.Comment("ranges over the body run directly. It returns the panic that comes out.")
		f.Func().Params(e.recvDecl()).Id("ClosePanicking").Params(jen.Id("p").Any()).Any().Block(
			jen.If(e.field(e.fState).Op("<=").Lit(0)).Block(
				jen.Id(e.recv).Dot("Close").Call(),
				jen.Return(jen.Id("p")),
			),
			e.field(e.fClosing).Op("=").Qual(mc, "StopPanicking").Call(jen.Id("p")),
			jen.Return(jen.Qual(mc, "Rethrown").Call(jen.Func().Params().Block(jen.Id(e.recv).Dot(step).Call()))),
		)
		return
	}
	body = append(body, jen.Id(e.recv).Dot(step).Call(jen.Qual(rt, "NewContext").Call(jen.Nil())))
	f.Comment("Close stops the stream: a body suspended at a yield resumes with yield")
	f.Comment("returning false and runs to its return (its defers run); one suspended at")
	f.Comment("an await drops the future and runs its pending defers. Closing twice or")
	f.Comment("after the end is harmless.")
	f.Func().Params(e.recvDecl()).Id("Close").Params().Block(body...)
}
