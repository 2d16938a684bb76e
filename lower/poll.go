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
	e.fast = e.findFastPath()
	if e.fast != nil {
		e.fFast = e.pickField("fast")
	}
	e.layout()
	// Label uses must be known before blocks render; naming is on demand.
	var fields []jen.Code
	fields = append(fields,
		jen.Id(e.fNoCopy).Qual(mc, "NoCopy"),
		jen.Id(e.fState).Int().Comment("0: not started; k > 0: suspended at resume k; machine.State* otherwise"),
		jen.Id(e.fSelf).Op("*").Add(e.machineType()).Comment("set at the first poll: detects a moved machine"),
	)
	declared := map[string]bool{}
	for _, v := range fn.Vars {
		if e.store[v] == sField || e.store[v] == sBoxed {
			if declared[e.names[v]] {
				continue
			}
			declared[e.names[v]] = true
		}
		switch e.store[v] {
		case sField:
			fields = append(fields, jen.Id(e.names[v]).Add(e.typ(e.slotType(v))))
		case sBoxed:
			fields = append(fields, jen.Id(e.names[v]).Op("*").Add(e.typ(v.Type)))
		}
	}
	if e.fLoops != "" {
		fields = append(fields, jen.Id(e.fLoops).Index().Qual(mc, "Loop").Comment("the iterators of the pull loops the body is in, innermost last"))
	}
	if fn.HasDefer {
		if len(e.typedDefers) > 0 {
			fields = append(fields, jen.Id(e.fDefers).Index().Any().Comment("pending defers, run last first: func() or a deferred call's record"))
		} else {
			fields = append(fields, jen.Id(e.fDefers).Index().Func().Params().Comment("pending defers, run last first"))
		}
	}
	if fn.Kind != ir.Async {
		fields = append(fields, jen.Id(e.fClosing).Op("*").Qual(mc, "Stop").Comment("why the body was resumed without an item pulled: Close, or a panic passing through"))
	}
	if e.fDeep != "" {
		fields = append(fields, jen.Id(e.fDeep).Qual(mc, "Stepper").Comment("the innermost inline child suspended in, stepped first"))
	}
	if e.fFast != "" {
		fields = append(fields, jen.Id(e.fFast).Op("*").Add(e.machineType()).Comment("the machine itself while "+e.stepName()+" may take its fast path"))
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

// lazy reports whether the resume point of s leaves the state alone while
// the child is pending: a generated child held inline is poisoned by its
// own panics, so the parent marks itself running only once the child is
// done. Not with defers, whose unwinding needs the running state.
func (e *emitter) lazy(s *ir.Suspend) bool {
	return !e.unwinds() && e.inline[s] != nil
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

// secondType is the type of a step's second result: ready, more or status.
func (e *emitter) secondType() jen.Code {
	if e.fn.Kind == ir.Stream {
		return jen.Qual(rt, "Status")
	}
	return jen.Bool()
}

// endSecond is a step's second result when the body has finished.
func (e *emitter) endSecond() jen.Code {
	if e.fn.Kind == ir.Stream {
		return jen.Qual(rt, "Done")
	}
	return jen.False()
}

// stepName is the name of the method that runs the body one step.
func (e *emitter) stepName() string {
	return map[ir.Kind]string{ir.Async: "Poll", ir.Gen: "Next", ir.Stream: "PollNext"}[e.fn.Kind]
}

// fullStep is the name of the full step of a machine with a fast path.
func (e *emitter) fullStep() string {
	return map[ir.Kind]string{ir.Gen: "next", ir.Stream: "pollNext"}[e.fn.Kind]
}

// emitStep writes the method that runs the body to its next suspension:
// Poll for a future, Next for an iterator, PollNext for a stream.
func (e *emitter) emitStep(f *jen.File) {
	fn := e.fn
	var body []jen.Code
	body = append(body, e.prologue()...)
	body = append(body, e.blocks()...)
	results := jen.Params(e.valueType(), e.secondType())
	if e.unwinds() {
		results = jen.Params(jen.Id(e.res).Add(e.valueType()), jen.Id(e.ready).Add(e.secondType()))
	}
	var params []jen.Code
	if fn.Kind != ir.Gen {
		params = append(params, jen.Id(e.cx).Op("*").Qual(rt, "Context"))
	}
	switch fn.Kind {
	case ir.Async:
		f.Commentf("Poll runs %s until it suspends or returns.", e.d.decl.Name.Name)
	case ir.Gen:
		if e.fast == nil {
			f.Commentf("Next runs %s until it yields an item, and returns it; it returns false", e.d.decl.Name.Name)
			f.Commentf("once the body has returned, panicked or been closed.")
		}
	case ir.Stream:
		if e.fast == nil {
			f.Commentf("PollNext runs %s until it yields an item (Yielded), suspends", e.d.decl.Name.Name)
			f.Commentf("(Pending) or has finished (Done).")
		}
	default:
		panic(fmt.Sprintf("unknown body kind %v", fn.Kind))
	}
	body = append([]jen.Code{jen.If(e.field(e.fSelf).Op("!=").Id(e.recv)).Block(jen.Id(e.recv).Dot("pin").Call())}, body...)
	if fp := e.fast; fp != nil {
		body = append([]jen.Code{e.field(e.fFast).Op("=").Nil()}, body...)
		e.emitFastNext(f, fp)
		f.Commentf("%s is the full step of %s.", e.fullStep(), e.stepName())
		e.bodyFunc(f).Params(e.recvDecl()).Id(e.fullStep()).Params(params...).Add(results).Block(body...)
		f.Line()
		e.emitPin(f)
		return
	}
	e.bodyFunc(f).Params(e.recvDecl()).Id(e.stepName()).Params(params...).Add(results).Block(body...)
	f.Line()
	e.emitPin(f)
}

// pending renders the return of a step suspended in state k.
func (e *emitter) pending(k int) []jen.Code {
	return []jen.Code{e.field(e.fState).Op("=").Lit(k), e.pendingReturn()}
}

// pendingReturn renders the return of a step that stays suspended where it
// is.
func (e *emitter) pendingReturn() jen.Code {
	second := jen.False()
	if e.fn.Kind == ir.Stream {
		second = jen.Qual(rt, "Pending")
	}
	return jen.Return(e.zero(e.d.value), second)
}

// closingCheck renders the panic of a body that suspends again after Close.
func (e *emitter) closingCheck(what string) jen.Code {
	return jen.If(e.field(e.fClosing).Op("!=").Nil()).Block(jen.Panic(jen.Lit(fmt.Sprintf("asyncgen: %s %s after Close", e.d.name, what))))
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
		for _, t := range e.fn.GotoTargets(b) {
			needs[t] = true
		}
	}
	for i, b := range e.order {
		var stmts []jen.Code
		if b.Resume != nil {
			p := e.fset.Position(b.Resume.Pos)
			what := map[ir.SuspendKind]string{ir.SAwait: "await", ir.STryAwait: "await (TryAwait)", ir.SYield: "yield", ir.SNext: "for-await step"}[b.Resume.Kind]
			stmts = append(stmts, jen.Commentf("%s at %s:%d", what, filepath.Base(p.Filename), p.Line))
			// A parent suspended here, polling its child, is at the await.
			stmts = append(stmts, e.at(b.Resume.Pos, e.resume(b.Resume))...)
		}
		for _, s := range b.Stmts {
			stmts = append(stmts, e.at(e.fn.StmtPos(s), e.stmtCodes(s))...)
		}
		stmts = append(stmts, e.term(b)...)
		if b == e.fn.Exit {
			if len(b.Preds) == 0 {
				// No path returns: the block before ends in a terminating
				// statement, and code after it would be unreachable.
				continue
			}
			// Returning is the body's closing brace.
			stmts = e.at(e.d.decl.Body.Rbrace, e.exit())
		}
		if needs[b] && e.fn.Labels[b] == "" || b == e.fn.Exit && needs[b] {
			if len(stmts) == 0 && i == len(e.order)-1 {
				// A label needs a statement after it; elsewhere the next
				// block's first one follows.
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

// term renders the terminator of b.
func (e *emitter) term(b *ir.Block) (res []jen.Code) {
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
		// References dead from here on are dropped for the garbage
		// collector, once what the suspension evaluates has been evaluated.
		defer func() {
			var clears []jen.Code
			for _, v := range e.clears[b] {
				clears = append(clears, jen.Add(e.varRef(v)).Op("=").Add(e.zero(v.Type)))
			}
			if len(clears) == 0 {
				return
			}
			n := len(out)
			if t.Resume != next {
				n-- // before the jump to the resume point
			}
			if t.Kind == ir.SYield {
				return // cleared inside the yield's block
			}
			res = append(append(append([]jen.Code{}, out[:n]...), clears...), out[n:]...)
		}()
		switch t.Kind {
		case ir.SAwait, ir.STryAwait:
			if e.fn.Kind == ir.Stream {
				out = append(out, e.closingCheck("awaited"))
			}
			switch {
			case t.Arg == nil:
				// The future is a variable of the body, polled where it is.
			case e.inline[t] != nil || e.initInline[t]:
				// The child machine (or runtime future) is constructed in
				// place, inside this one.
				call := ast.Unparen(t.Arg).(*ast.CallExpr)
				var args []jen.Code
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
					if selection := e.info.Selections[sel]; selection != nil {
						args = append(args, e.expr(sel.X))
					}
				}
				for i, a := range call.Args {
					c := e.expr(a)
					if i == len(call.Args)-1 && call.Ellipsis.IsValid() {
						c = jen.Add(c).Op("...")
					}
					args = append(args, c)
				}
				initName := "init"
				if e.initInline[t] {
					initName = "Init"
				}
				out = append(out, e.at(t.Pos, []jen.Code{jen.Add(e.varRef(t.Slot)).Dot(initName).Call(args...)})...)
				if e.lazy(t) {
					out = append(out, e.field(e.fState).Op("=").Lit(t.State))
				}
			default:
				out = append(out, e.at(t.Pos, []jen.Code{jen.Add(e.varRef(t.Slot)).Op("=").Add(e.expr(t.Arg))})...)
			}
		case ir.SYield:
			second := jen.True()
			if e.fn.Kind == ir.Stream {
				second = jen.Qual(rt, "Yielded")
			}
			inner := []jen.Code{jen.Id("v").Op(":=").Add(e.expr(t.Arg))}
			for _, v := range e.clears[b] {
				inner = append(inner, jen.Add(e.varRef(v)).Op("=").Add(e.zero(v.Type)))
			}
			inner = append(inner, e.closingCheck("yielded"), e.field(e.fState).Op("=").Lit(t.State))
			if e.fast != nil && e.fast.yield == t {
				inner = append(inner, e.field(e.fFast).Op("=").Id(e.recv))
			}
			inner = append(inner, jen.Return(jen.Id("v"), second))
			out = append(out, e.at(t.Pos, []jen.Code{jen.Block(inner...)})...)
			return out
		case ir.SNext:
			// The stream is a variable of the body, stepped at the resume.
		default:
			panic(fmt.Sprintf("unknown suspension kind %v", t.Kind))
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

// not renders the negation of a condition.
func (e *emitter) not(c ast.Expr) jen.Code {
	switch x := c.(type) {
	case *ast.Ident, *ast.CallExpr, *ast.ParenExpr, *ast.SelectorExpr, *ast.IndexExpr:
		return jen.Op("!").Add(e.expr(x))
	case *ast.UnaryExpr:
		if x.Op.String() == "!" {
			return e.expr(x.X)
		}
	case *ast.BinaryExpr:
		// A comparison turns into its complement: == and != for every
		// type, the orderings for integers and strings (not floats: NaN
		// is neither less nor greater nor equal).
		inverse := map[token.Token]token.Token{token.EQL: token.NEQ, token.NEQ: token.EQL,
			token.LSS: token.GEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR}
		if op, ok := inverse[x.Op]; ok && (x.Op == token.EQL || x.Op == token.NEQ || e.ordered(x.X) && e.ordered(x.Y)) {
			return jen.Add(e.expr(x.X)).Op(op.String()).Add(e.expr(x.Y))
		}
	}
	return jen.Op("!").Parens(e.expr(c))
}

// ordered reports whether x is known to be an integer or a string: a
// type whose values are totally ordered.
func (e *emitter) ordered(x ast.Expr) bool {
	var t types.Type
	if tv, ok := e.info.Types[x]; ok {
		t = tv.Type
	} else if id, ok := ast.Unparen(x).(*ast.Ident); ok {
		if v := e.identVar(id); v != nil {
			t = v.Type
		}
	} else if call, ok := ast.Unparen(x).(*ast.CallExpr); ok {
		if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap") && e.info.ObjectOf(id) == nil {
			return true // written by the builder
		}
	}
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsInteger|types.IsString) != 0
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
		switch {
		case s.Slot.Kind != ir.VTemp || e.store[s.Slot] == sLocal:
			return nil
		case e.inline[s] != nil || e.initInline[s]:
			// Drop what the finished child holds.
			return jen.Add(e.varRef(s.Slot)).Op("=").Add(e.zero(e.slotType(s.Slot)))
		case isPointerLike(s.Slot.Type):
			return jen.Add(e.varRef(s.Slot)).Op("=").Add(e.zero(s.Slot.Type))
		}
		return nil
	}
	switch s.Kind {
	case ir.SYield:
		// Resumed by Next, yield returns true; by Close, false; by the panic
		// of a loop ranging over the iterator, it panics.
		resume := jen.Qual(mc, "Resume").Call(e.field(e.fClosing))
		if len(s.Dest) > 0 && s.Dest[0] != nil {
			out = append(out, jen.Add(dest(0)).Op("=").Add(resume))
		} else {
			out = append(out, resume)
		}
	case ir.SAwait, ir.STryAwait:
		wants := len(s.Dest) > 0
		var inner []jen.Code
		if e.lazy(s) {
			inner = e.lazyPoll(s, wants)
		} else {
			v := jen.Id("_")
			if wants {
				v = jen.Id("v")
			}
			inner = []jen.Code{
				jen.List(v, jen.Id("ok")).Op(":=").Add(e.varRef(s.Slot)).Dot("Poll").Call(jen.Id(e.cx)),
				jen.If(jen.Op("!").Id("ok")).Block(e.pending(s.State)...),
			}
		}
		if c := clear(); c != nil {
			inner = append(inner, c)
		}
		switch {
		case s.Kind == ir.SAwait && wants:
			inner = append(inner, jen.Add(dest(0)).Op("=").Id("v"))
		case s.Kind == ir.STryAwait && wants:
			inner = append(inner, jen.List(dest(0), dest(1)).Op("=").List(jen.Id("v").Dot("Value"), jen.Id("v").Dot("Err")))
		}
		out = append(out, jen.Block(inner...))
	case ir.SNext:
		inner := []jen.Code{
			jen.List(jen.Id("v"), jen.Id("st")).Op(":=").Add(e.varRef(s.Slot)).Dot("PollNext").Call(jen.Id(e.cx)),
			jen.If(jen.Id("st").Op("==").Qual(rt, "Pending")).Block(e.pending(s.State)...),
			jen.List(dest(0), dest(1)).Op("=").List(jen.Id("v"), jen.Id("st").Op("==").Qual(rt, "Yielded")),
		}
		out = append(out, jen.Block(inner...))
	default:
		panic(fmt.Sprintf("unknown suspension kind %v", s.Kind))
	}
	return out
}

// doneValues renders the results of a step after the body returned.
func (e *emitter) doneValues() []jen.Code {
	if e.fn.Kind == ir.Async {
		return []jen.Code{e.resultValue(), jen.True()}
	}
	return []jen.Code{e.zero(e.d.value), e.endSecond()}
}

// exit renders the return block: run the defers, finish, hand out the value.
func (e *emitter) exit() []jen.Code {
	var out []jen.Code
	if e.fn.HasDefer {
		// Pulled iterators were stopped as their loops were left: only the
		// defers are pending.
		out = append(out, e.deferCalls(false, nil)...)
	}
	out = append(out, e.field(e.fState).Op("=").Qual(mc, "StateDone"))
	out = append(out, jen.Return(e.doneValues()...))
	return out
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

// slotType is the type of v's field: the machine itself for an inline
// child, v's type otherwise.
func (e *emitter) slotType(v *ir.Var) types.Type {
	if e.inlineSlot[v] {
		return v.Type.(*types.Pointer).Elem()
	}
	return v.Type
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

// pollValue is the type of the value the future in slot v produces (the
// first result of its Poll), instantiated as the slot holds it.
func (e *emitter) pollValue(v *ir.Var) types.Type {
	obj, _, _ := types.LookupFieldOrMethod(v.Type, true, nil, "Poll")
	return obj.Type().(*types.Signature).Results().At(0).Type()
}

// lazyPoll renders the resume of an inline child (see lazy): its value is
// read from it when a step of the deepest child finished it, else it is
// polled; while it is pending the deepest child is remembered. The value
// lands in v when wanted.
func (e *emitter) lazyPoll(s *ir.Suspend, wants bool) []jen.Code {
	slot := e.varRef(s.Slot)
	stillPending := jen.If(jen.Op("!").Id("ok")).Block(
		e.field(e.fDeep).Op("=").Add(slot).Dot("deepest").Call(),
		e.pendingReturn(),
	)
	var out []jen.Code
	if wants {
		out = append(out,
			jen.Var().Id("v").Add(e.typ(e.pollValue(s.Slot))),
			jen.If(jen.Add(slot).Dot("finished").Call()).Block(
				jen.Comment("finished by a step of the deepest child"),
				jen.Id("v").Op("=").Add(slot).Dot("value").Call(),
			).Else().Block(
				jen.Var().Id("ok").Bool(),
				jen.List(jen.Id("v"), jen.Id("ok")).Op("=").Add(slot).Dot("Poll").Call(jen.Id(e.cx)),
				stillPending,
			),
		)
	} else {
		out = append(out, jen.If(jen.Op("!").Add(slot).Dot("finished").Call()).Block(
			jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Add(slot).Dot("Poll").Call(jen.Id(e.cx)),
			stillPending,
		))
	}
	return append(out,
		e.field(e.fDeep).Op("=").Nil(),
		e.field(e.fState).Op("=").Qual(mc, "StateRunning"),
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

// unwinds reports whether a step must handle a panic: the body defers, or
// it pulls iterators that a panic must stop.
func (e *emitter) unwinds() bool { return e.fn.HasDefer || e.fn.HasCleanup }

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
		f.Func().Params(e.recvDecl()).Id("unwind").Params(jen.Id("result").Op("*").Add(e.valueType()), jen.Id("ready").Op("*").Add(e.secondType())).Block(body...)
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
		jen.List(jen.Op("*").Id("result"), jen.Op("*").Id("ready")).Op("=").List(e.doneValues()...),
	)
	f.Func().Params(e.recvDecl()).Id("unwind").Params(jen.Id("result").Op("*").Add(e.valueType()), jen.Id("ready").Op("*").Add(e.secondType())).Block(body...)
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
