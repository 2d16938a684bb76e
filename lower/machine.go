// This file emits one machine: its type, constructor and methods.

package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// rt is the path of the runtime package, whose names generated code shares
// with its users; mc that of package machine, the helpers only generated
// code calls.
const (
	rt = ir.RuntimePath
	mc = ir.MachinePath
)

// storage is where a hoisted variable lives.
type storage int

const (
	sField   storage = iota // a field of the machine
	sBoxed                  // a field pointing to fresh storage per declaration
	sLocal                  // a local of Poll: not live across a suspension
	sDiscard                // never read: what is assigned to it is discarded (_)
)

// emitter emits the machine of one body.
type emitter struct {
	unread   []*ir.Var // locals of Poll no code that runs reads
	fn       *ir.Func
	d        *directive
	info     *types.Info
	fset     *token.FileSet
	pkg      *types.Package
	names    map[*ir.Var]string
	store    map[*ir.Var]storage
	bound    map[*ir.Var]string
	hoisted  map[types.Object]string
	tparams  []*types.TypeParam
	labels   map[*ir.Block]string
	order    []*ir.Block
	next     map[*ir.Block]*ir.Block
	recv     string // the receiver of the machine's methods
	cx       string
	res      string // Poll's named results, when the body defers
	ready    string
	typeName string
	errs     []diag
	// internal field names
	fState, fSelf, fDefers, fNoCopy, fClosing, fDeep, fLoops, fFast string
	stubValue                                                       jen.Code // the value type, for stubs
	// inline maps an await of a generated future to the callee's directive
	// when the child machine is stored by value; inlineSlot marks its slot.
	inline     map[*ir.Suspend]*directive
	initInline map[*ir.Suspend]bool // a runtime future built in place with Init
	// typedDefers are the calls deferred with arguments to a function value:
	// each is pushed as a record that runDefers defers directly.
	shadow      map[*ir.Var]string // locals standing for variables, in a fast path
	fast        *fastPath          // an iterator's fast path, if it has one
	typedDefers map[*ast.CallExpr]*typedDefer
	deferOrder  []*typedDefer
	g           *generator
	inlineSlot  map[*ir.Var]bool
	fieldNames  map[string]bool
	live        *ir.Liveness
	shared      map[*ir.Var]bool        // variables sharing a field with others
	clears      map[*ir.Block][]*ir.Var // dead references cleared at each suspension
}

func (e *emitter) errorf(pos token.Pos, format string, args ...any) {
	e.errs = append(e.errs, newDiag(pos, format, args...))
}

// machineType renders the machine type with its type parameters.
func (e *emitter) machineType() *jen.Statement { return e.withTypeParams(e.typeName) }

// withTypeParams renders the generic type name instantiated with the
// machine's type parameters.
func (e *emitter) withTypeParams(name string) *jen.Statement {
	c := jen.Id(name)
	if len(e.tparams) > 0 {
		var ts []jen.Code
		for _, tp := range e.tparams {
			ts = append(ts, jen.Id(tp.Obj().Name()))
		}
		c = c.Types(ts...)
	}
	return c
}

// typeParamDecls renders the type parameter list with constraints.
func (e *emitter) typeParamDecls() []jen.Code {
	var out []jen.Code
	for _, tp := range e.tparams {
		out = append(out, jen.Id(tp.Obj().Name()).Add(e.typ(tp.Constraint())))
	}
	return out
}

// valueType is the type of the machine's value: T for Future[T] and so on.
func (e *emitter) valueType() jen.Code {
	return e.typ(e.d.value)
}

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

// layout orders the blocks: each block is followed, where possible, by
// the successor it falls through to, and a suspension by its resume block.
func (e *emitter) layout() {
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
func (e *emitter) findTypedDefers() {
	e.typedDefers = map[*ast.CallExpr]*typedDefer{}
	visit := func(s ast.Stmt) {
		pd, ok := s.(*ir.PushDefer)
		if !ok || len(pd.Call.Args) == 0 {
			return
		}
		fun := ast.Unparen(pd.Call.Fun)
		if _, lit := fun.(*ast.FuncLit); lit {
			return
		}
		tv, ok := e.info.Types[fun]
		if !ok || !tv.IsValue() {
			return
		}
		sig, ok := tv.Type.Underlying().(*types.Signature)
		if !ok {
			return
		}
		td := &typedDefer{sig: sig, spread: pd.Call.Ellipsis.IsValid()}
		if len(pd.Call.Args) == 1 {
			if tup, ok := e.info.TypeOf(pd.Call.Args[0]).(*types.Tuple); ok {
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
		e.typedDefers[pd.Call] = td
	}
	for _, b := range e.fn.Blocks {
		for _, s := range b.Stmts {
			visit(s)
		}
	}
	for _, r := range e.fn.Rewrites {
		for _, s := range r {
			visit(s)
		}
	}
	// Name the records in source order, so the output is deterministic.
	var calls []*ast.CallExpr
	for c := range e.typedDefers {
		calls = append(calls, c)
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].Pos() < calls[j].Pos() })
	e.deferOrder = nil
	for i, c := range calls {
		td := e.typedDefers[c]
		td.name = e.g.uniquePkgName(strings.ToLower(e.typeName[:1]) + e.typeName[1:] + "Defer" + strconv.Itoa(i))
		e.deferOrder = append(e.deferOrder, td)
	}
}
