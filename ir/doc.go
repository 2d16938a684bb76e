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
//	x := a()
//	if runtime.Await(f(x)) > 0 {
//		x++
//	}
//	return x
//
// the graph is
//
//	b0 entry:  x = a(); tmp0 = f(x)  → await tmp0 → b1
//	b1 resume: ok after tmp1 = <value>; if tmp1 > 0 → b2, b3
//	b2 if.then: x++ → b3
//	b3 if.done: result0 = x → return
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
