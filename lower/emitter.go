// This file holds the emitter, which renders a machine from its plan, and
// what every part of rendering shares.

package lower

import (
	"go/token"

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

// emitter renders one machine from its plan: the plan holds every
// decision (storage, names, inline children, the fast path, the fields),
// the emitter only what rendering needs on the way: the order of the
// blocks, their labels, and the renamings in force (boxes bound by a
// closure, locals standing for fields on a fast path).
type emitter struct {
	*plan
	order  []*ir.Block
	next   map[*ir.Block]*ir.Block
	labels map[*ir.Block]string
	// Renamings: bound maps a boxed variable to the parameter a closure
	// binds its box to, while the closure renders; shadow maps a variable
	// to the local that stands for its field on an iterator's fast path
	// (set on the fast path's own emitter only).
	bound     map[*ir.Var]string
	shadow    map[*ir.Var]string
	failed    *bool    // an error was reported: shared with the fast path's copy
	stubValue jen.Code // the value type, for stubs
}

// newEmitter returns an emitter of p's machine.
func newEmitter(p *plan) *emitter {
	return &emitter{plan: p, labels: map[*ir.Block]string{}, bound: map[*ir.Var]string{}, failed: new(bool)}
}

// errorf reports what the emitter cannot write.
func (e *emitter) errorf(pos token.Pos, format string, args ...any) {
	*e.failed = true
	e.g.errorf(pos, format, args...)
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
