// This file writes the step: the method that runs the body from one
// suspension to the next, block by block, with its terminators, resumes
// and labels.

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

// varRef renders a use of v.
func (e *emitter) varRef(v *ir.Var) jen.Code {
	if name := e.shadow[v]; name != "" {
		return jen.Id(name)
	}
	if name := e.bound[v]; name != "" {
		return jen.Op("*").Id(name)
	}
	switch e.store[v] {
	case sDiscard:
		return jen.Id("_")
	case sField:
		return jen.Id(e.recv).Dot(e.names[v])
	case sBoxed:
		return jen.Op("*").Id(e.recv).Dot(e.names[v])
	}
	return jen.Id(e.names[v])
}

// boxPtr renders the pointer to v's current box.
func (e *emitter) boxPtr(v *ir.Var) jen.Code {
	if name := e.bound[v]; name != "" {
		return jen.Id(name)
	}
	return jen.Id(e.recv).Dot(e.names[v])
}

func (e *emitter) field(name string) *jen.Statement { return jen.Id(e.recv).Dot(name) }

// special renders a synthetic statement.
func (e *emitter) special(s ir.Special) []jen.Code {
	switch s := s.(type) {
	case *ir.NewBox:
		if e.store[s.Var] == sBoxed {
			return []jen.Code{e.boxPtr(s.Var).(*jen.Statement).Clone().Op("=").New(e.typ(s.Var.Type))}
		}
	case *ir.Rebox:
		if e.store[s.Var] == sBoxed {
			p := e.boxPtr(s.Var).(*jen.Statement)
			return []jen.Code{jen.Block(
				jen.Id("next").Op(":=").Op("*").Add(p.Clone()),
				p.Clone().Op("=").Op("&").Id("next"),
			)}
		}
	case *ir.PushDefer:
		return []jen.Code{e.pushDefer(s.Call)}
	case *ir.PushCleanup:
		return []jen.Code{
			jen.Add(e.varRef(s.Slot)).Op("=").Len(e.field(e.fLoops)),
			e.field(e.fLoops).Op("=").Append(e.field(e.fLoops), e.expr(s.Loop)),
		}
	case *ir.PopCleanup:
		return []jen.Code{
			jen.Qual(mc, "PopLoop").Call(jen.Op("&").Add(e.field(e.fLoops)), e.varRef(s.Slot)),
			jen.Add(e.expr(s.Loop)).Dot("Close").Call(),
		}
	}
	return nil
}

// orderBlocks orders the blocks: each block is followed, where possible, by
// the successor it falls through to, and a suspension by its resume block.
func (e *emitter) orderBlocks() {
	fn := e.fn
	placed := map[*ir.Block]bool{}
	var order []*ir.Block
	var stack []*ir.Block
	stack = append(stack, fn.Blocks[0])
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for b != nil && !placed[b] && b != fn.Exit {
			placed[b] = true
			order = append(order, b)
			var nextB *ir.Block
			switch t := b.Term.(type) {
			case *ir.Jump:
				nextB = t.To
			case *ir.If:
				nextB = t.Then
				stack = append(stack, t.Else)
			case *ir.Suspend:
				nextB = t.Resume
			case *ir.Dispatch:
				for i := len(t.Targets) - 1; i >= 1; i-- {
					stack = append(stack, t.Targets[i])
				}
				nextB = t.Targets[0]
			}
			stack = append(stack, fn.GotoTargets(b)...)
			b = nextB
		}
	}
	// Blocks reached only by gotos from verbatim code.
	for _, b := range fn.Blocks {
		if !placed[b] && b != fn.Exit {
			placed[b] = true
			order = append(order, b)
		}
	}
	order = append(order, fn.Exit)
	e.order = order
	e.next = map[*ir.Block]*ir.Block{}
	for i := 0; i+1 < len(order); i++ {
		e.next[order[i]] = order[i+1]
	}
}

// labelOf returns the label of b, naming it on first use.
func (e *emitter) labelOf(b *ir.Block) string {
	if l, ok := e.labels[b]; ok {
		return l
	}
	var l string
	switch {
	case e.fn.Labels[b] != "":
		l = e.fn.Labels[b]
	case b == e.fn.Exit:
		l = "exit"
	case b.Resume != nil:
		l = "resume" + strconv.Itoa(b.Resume.State)
	default:
		l = labelWords[b.Kind] + strconv.Itoa(b.Index)
	}
	if e.fn.Labels[b] == "" {
		for e.usedLabel(l) {
			l += "_"
		}
	}
	e.labels[b] = l
	return l
}

var labelWords = map[ir.BlockKind]string{
	ir.KEntry: "entry", ir.KBody: "b", ir.KResume: "resume", ir.KIfThen: "ifThen",
	ir.KIfElse: "ifElse", ir.KIfDone: "ifDone", ir.KForCond: "forCond", ir.KForBody: "forBody",
	ir.KForPost: "forPost", ir.KForDone: "forDone", ir.KRangeLoop: "rangeLoop",
	ir.KRangeBody: "rangeBody", ir.KRangeDone: "rangeDone", ir.KSwitchCase: "switchCase",
	ir.KSwitchBody: "switchBody", ir.KSwitchDone: "switchDone", ir.KSelectBody: "selectBody",
	ir.KSelectDone: "selectDone", ir.KLabel: "label", ir.KLeave: "leave", ir.KCond: "cond", ir.KCondDone: "condDone",
	ir.KExit: "exit", ir.KUnreachable: "unreachable",
}

func (e *emitter) usedLabel(l string) bool {
	if e.d.used[l] {
		return true
	}
	for _, x := range e.labels {
		if x == l {
			return true
		}
	}
	return false
}

// gotoBlock renders a jump to b.
func (e *emitter) gotoBlock(b *ir.Block) jen.Code {
	return jen.Goto().Id(e.labelOf(b))
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

// emitStep writes the method that runs the body to its next suspension:
// Poll for a future, Next for an iterator, PollNext for a stream.
func (e *emitter) emitStep(f *jen.File) {
	fn := e.fn
	var body []jen.Code
	body = append(body, e.prologue()...)
	body = append(body, e.blocks()...)
	results := jen.Params(jen.Id(e.res).Add(e.valueType()), jen.Id(e.ready).Add(e.secondType()))
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

// blocks renders the body's blocks in the order orderBlocks gives.
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
