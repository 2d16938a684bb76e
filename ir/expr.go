// This file lowers expressions that hold markers: it spills what Go
// evaluates before a suspension and turns && and || into control flow.

package ir

import (
	"go/ast"
	"go/token"
	"go/types"
)

// expr lowers e at the flattened level and returns the expression that
// computes the rest of it after every suspension inside it was emitted.
func (b *builder) expr(e ast.Expr) ast.Expr {
	if e == nil || !b.hasMarker(e) {
		return e
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return &ast.ParenExpr{X: b.expr(x.X)}
	case *ast.CallExpr:
		switch MarkerOf(b.info, b.fn.Yield, x) {
		case MAwait, MYield:
			t := b.newTemp("v", b.info.TypeOf(x))
			b.markerInto(x, []ast.Expr{b.ident(t)})
			return b.ident(t)
		case MTryAwait:
			b.errorf(x.Pos(), "TryAwait in a single-value context")
			return x
		case MForAwait:
			b.errorf(x.Pos(), "ForAwait outside the head of a range loop")
			return x
		}
		// f(TryAwait(x)): a multi-value argument.
		if len(x.Args) == 1 && MarkerOf(b.info, b.fn.Yield, x.Args[0]) == MTryAwait {
			fun := x.Fun
			if b.isValueFun(x.Fun) && b.hasMarker(x.Fun) {
				fun = b.expr(fun)
			}
			tup := b.info.TypeOf(x.Args[0]).(*types.Tuple)
			t0 := b.newTemp("v", tup.At(0).Type())
			t1 := b.newTemp("err", tup.At(1).Type())
			b.markerInto(ast.Unparen(x.Args[0]).(*ast.CallExpr), []ast.Expr{b.ident(t0), b.ident(t1)})
			return &ast.CallExpr{Fun: fun, Args: []ast.Expr{b.ident(t0), b.ident(t1)}}
		}
		ops := []ast.Expr{nil}
		if b.isValueFun(x.Fun) {
			ops[0] = x.Fun
		}
		ops = append(ops, x.Args...)
		r := b.ordered(ops)
		fun := r[0]
		if fun == nil {
			fun = x.Fun
		}
		return &ast.CallExpr{Fun: fun, Args: r[1:], Ellipsis: x.Ellipsis}
	case *ast.BinaryExpr:
		if (x.Op == token.LAND || x.Op == token.LOR) && b.hasMarker(x.Y) {
			return b.shortCircuit(x)
		}
		r := b.ordered([]ast.Expr{x.X, x.Y})
		return &ast.BinaryExpr{X: r[0], Op: x.Op, Y: r[1]}
	case *ast.UnaryExpr:
		return &ast.UnaryExpr{Op: x.Op, X: b.expr(x.X)}
	case *ast.StarExpr:
		return &ast.StarExpr{X: b.expr(x.X)}
	case *ast.SelectorExpr:
		return &ast.SelectorExpr{X: b.expr(x.X), Sel: x.Sel}
	case *ast.IndexExpr:
		r := b.ordered([]ast.Expr{x.X, x.Index})
		return &ast.IndexExpr{X: r[0], Index: r[1]}
	case *ast.SliceExpr:
		r := b.ordered([]ast.Expr{x.X, x.Low, x.High, x.Max})
		return &ast.SliceExpr{X: r[0], Low: r[1], High: r[2], Max: r[3], Slice3: x.Slice3}
	case *ast.TypeAssertExpr:
		return &ast.TypeAssertExpr{X: b.expr(x.X), Type: x.Type}
	case *ast.CompositeLit:
		var ops []ast.Expr
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if b.isMapOrArrayKey(x) {
					ops = append(ops, kv.Key)
				} else {
					ops = append(ops, nil)
				}
				ops = append(ops, kv.Value)
			} else {
				ops = append(ops, nil, el)
			}
		}
		r := b.ordered(ops)
		lit := &ast.CompositeLit{Type: x.Type, Incomplete: x.Incomplete}
		if x.Type == nil {
			// An elided type inside an outer literal: keep it elided.
			lit.Type = nil
		}
		for i, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				key := kv.Key
				if r[2*i] != nil {
					key = r[2*i]
				}
				lit.Elts = append(lit.Elts, &ast.KeyValueExpr{Key: key, Value: r[2*i+1]})
			} else {
				lit.Elts = append(lit.Elts, r[2*i+1])
			}
		}
		return lit
	case *ast.KeyValueExpr:
		return &ast.KeyValueExpr{Key: x.Key, Value: b.expr(x.Value)}
	}
	b.errorf(e.Pos(), "cannot lower a marker inside %s", Describe(e))
	return e
}

func (b *builder) isMapOrArrayKey(lit *ast.CompositeLit) bool {
	switch under(b.info.TypeOf(lit)).(type) {
	case *types.Map, *types.Slice, *types.Array:
		return true
	}
	return false
}

// isValueFun reports whether the callee of a call is a function value (as
// opposed to a type in a conversion or a builtin).
func (b *builder) isValueFun(fun ast.Expr) bool {
	tv, ok := b.info.Types[fun]
	if !ok {
		return true
	}
	return tv.IsValue()
}

// ordered lowers operands evaluated left to right. An operand holding a
// call or receive that Go evaluates before a later operand's suspension is
// spilled into a temporary; plain variable reads stay in place, as the gc
// compiler reads them after the calls of the expression.
func (b *builder) ordered(es []ast.Expr) []ast.Expr {
	last := -1
	for i, e := range es {
		if e != nil && b.hasMarker(e) {
			last = i
		}
	}
	out := make([]ast.Expr, len(es))
	for i, e := range es {
		if e == nil {
			continue
		}
		r := b.expr(e)
		if i < last && b.hasCall(r) {
			if t := b.info.TypeOf(e); t != nil {
				r = b.tempOfType("t", r, t)
			}
		}
		out[i] = r
	}
	return out
}

// tempOfType stores e, of type t, in a new temporary.
func (b *builder) tempOfType(hint string, e ast.Expr, t types.Type) ast.Expr {
	if basic, ok := t.(*types.Basic); ok && basic.Info()&types.IsUntyped != 0 {
		t = types.Default(t)
	}
	v := b.newTemp(hint, t)
	b.emit(assign(b.ident(v), e))
	return b.ident(v)
}

// hasCall reports whether e holds a call (not a conversion) or a receive
// outside function literals.
func (b *builder) hasCall(e ast.Expr) bool {
	return anyOutsideLits(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if tv, ok := b.info.Types[n.Fun]; ok && tv.IsType() {
				return false // a conversion
			}
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if _, synth := b.fn.Exprs[id]; synth {
					return false // a synthetic conversion
				}
			}
			return true
		case *ast.UnaryExpr:
			return n.Op == token.ARROW
		}
		return false
	})
}

func (b *builder) anyHasCall(es []ast.Expr) bool {
	for _, e := range es {
		if b.hasCall(e) || b.hasMarker(e) {
			return true
		}
	}
	return false
}

// shortCircuit lowers x && y or x || y where y suspends.
func (b *builder) shortCircuit(x *ast.BinaryExpr) ast.Expr {
	l := b.expr(x.X)
	t := b.newTemp("cond", b.info.TypeOf(x))
	b.emit(assign(b.ident(t), l))
	rhs := b.newBlock(KCond, x.Y)
	done := b.newBlock(KCondDone, x)
	if x.Op == token.LAND {
		b.ifElse(b.ident(t), rhs, done)
	} else {
		b.ifElse(b.ident(t), done, rhs)
	}
	b.cur = rhs
	r := b.expr(x.Y)
	b.emit(assign(b.ident(t), r))
	b.jump(done)
	b.cur = done
	return b.ident(t)
}

// markerInto lowers a marker call whose results go to dests (nil: discarded).
func (b *builder) markerInto(call *ast.CallExpr, dests []ast.Expr) {
	m := MarkerOf(b.info, b.fn.Yield, call)
	arg := b.expr(call.Args[0])
	switch m {
	case MAwait, MTryAwait:
		kind := SAwait
		if m == MTryAwait {
			kind = STryAwait
		}
		// A future held in a variable is polled where it is: no copy.
		if id, ok := arg.(*ast.Ident); ok {
			if v := b.fn.IdentVar(id); v != nil {
				b.suspend(kind, call.Pos(), nil, v, dests)
				return
			}
		}
		ft := b.info.TypeOf(call.Args[0])
		slot := b.newTemp("fut", ft) // named await<state> once states are numbered (nameSlots)
		b.suspend(kind, call.Pos(), arg, slot, dests)
	case MYield:
		b.suspend(SYield, call.Pos(), arg, nil, dests)
	}
}

// suspend ends the current block with a suspension and continues in its
// resume block.
func (b *builder) suspend(kind SuspendKind, pos token.Pos, arg ast.Expr, slot *Var, dests []ast.Expr) *Block {
	resume := b.newBlock(KResume, nil)
	s := &Suspend{Kind: kind, Pos: pos, Arg: arg, Slot: slot, Dest: dests, Resume: resume}
	resume.Resume = s
	b.setTerm(s)
	b.cur = resume
	return resume
}
