// Package ir is the intermediate form of an annotated body: a control-flow
// graph whose edges include the body's suspension points.
//
// The builder walks a type-checked body and splits it into basic blocks.
// Every marker call — runtime.Await, runtime.TryAwait, a call of the yield
// parameter, the step of a for-await loop — ends a block even when it sits
// deep inside an expression: the operands that Go evaluates before it are
// spilled into temporaries (only calls and receives are spilled, because the
// gc compiler reads plain variables after the calls of an expression), the
// suspension becomes the block's terminator, and the rest of the expression
// continues in the resume block. && and || are control flow.
//
// Statements that contain no suspension are kept whole ("verbatim"): an
// inner loop without awaits stays a Go loop. The builder records only the
// rewrites they need: a break, continue or goto that leaves them, a return,
// and a defer.
//
// For
//
//	y := g(h(), runtime.Await(f(x)), h())
//	if y > 0 && runtime.Await(f(y)) > 1 {
//		x++
//	}
//
// the dump (see Fprint; with a file set each block also names its source
// line, and a table of the variables follows, with the facts storage is
// decided on: kind, type, address taken, declared in a cycle) is
//
//	b0 entry:
//		t = h()
//		await await1 = f(x) → b1 (state 1) live: await1 t x
//	b1 resume ← b0:
//		resume 1: v
//		y = g(t, v, h())
//		cond = y > 0
//		if cond → b2 else b3
//	b2 cond ← b1:
//		await await2 = f(y) → b4 (state 2) live: await2 x y
//	b3 cond.done ← b1 b4:
//		if cond → b5 else b6
//	b4 resume ← b2:
//		resume 2: v1
//		cond = v1 > 1
//		jump b3
//	b5 if.then ← b3:
//		x++
//		jump b6
//
// The first h() runs before the suspension and is kept in t; the second
// runs after it. Each suspension lists the variables live across it.
//
// Variables declared at the level the builder flattens are "hoisted": the
// lowering decides, from liveness and from whether their address is taken,
// whether each one becomes a field of the machine, a fresh box per
// declaration (address taken inside a cycle), or a local of Poll.
//
// What the graph does not model: the inside of function literals (they are
// values; a marker inside one is an error), and the control flow inside
// verbatim statements.
package ir
