// This file writes the -explain report: each machine's size and, per
// suspension point, the variables held there.

package lower

import (
	"fmt"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
)

// sizes returns the sizes of the package's target (GOARCH), as go list
// gave them, or as the quick load defaults them.
func (g *generator) sizes() types.Sizes {
	if g.pkg.TypesSizes != nil {
		return g.pkg.TypesSizes
	}
	return defaultSizes()
}

// A fieldSize is the size and alignment of one field of a machine.
type fieldSize struct {
	name        string
	size, align int64
}

// fieldSizes returns the machine's fields in declaration order (as the
// struct the step renders declares them); inline children count at their
// own machine's size.
func (e *emitter) fieldSizes(machineSize func(*directive) int64) []fieldSize {
	sizes := e.g.sizes()
	var out []fieldSize
	add := func(name string, t types.Type) {
		out = append(out, fieldSize{name, sizes.Sizeof(t), sizes.Alignof(t)})
	}
	ptr := types.Typ[types.UnsafePointer]
	slice := types.NewSlice(ptr)
	add(e.fNoCopy, types.NewStruct(nil, nil))
	add(e.fState, types.Typ[types.Int])
	add(e.fSelf, ptr)
	seen := map[string]bool{}
	for _, v := range e.fn.Vars {
		if e.store[v] == sLocal || e.store[v] == sDiscard || seen[e.names[v]] {
			continue
		}
		seen[e.names[v]] = true
		out = append(out, e.varSize(v, machineSize))
	}
	if e.fLoops != "" {
		add(e.fLoops, slice)
	}
	if e.fn.HasDefer {
		add(e.fDefers, slice)
	}
	if e.fn.Kind != ir.Async {
		add(e.fClosing, ptr)
	}
	if e.fDeep != "" {
		add(e.fDeep, types.NewInterfaceType(nil, nil))
	}
	if e.fFast != "" {
		add(e.fFast, ptr)
	}
	return out
}

// varSize is the size of v's field: 0 for a type parameter's, which has
// none until the machine is instantiated.
func (e *emitter) varSize(v *ir.Var, machineSize func(*directive) int64) (f fieldSize) {
	sizes := e.g.sizes()
	word := sizes.Sizeof(types.Typ[types.Uintptr])
	f.name = e.names[v]
	if e.store[v] == sBoxed {
		return fieldSize{f.name, word, word}
	}
	for s, child := range e.inline {
		if s.Slot == v {
			return fieldSize{f.name, machineSize(child), word}
		}
	}
	defer func() {
		if recover() != nil {
			f = fieldSize{f.name, 0, 1}
		}
	}()
	t := e.slotType(v)
	return fieldSize{f.name, sizes.Sizeof(t), sizes.Alignof(t)}
}

// structSize lays the fields out as the compiler does (each at an offset
// that is a multiple of its alignment, the whole a multiple of the largest)
// and returns the total.
func structSize(fields []fieldSize) int64 {
	var off, maxAlign int64 = 0, 1
	for _, f := range fields {
		a := max(f.align, 1)
		maxAlign = max(maxAlign, a)
		off = (off+a-1)/a*a + f.size
	}
	if n := len(fields); n > 0 && fields[n-1].size == 0 && off > 0 {
		off++ // a zero-size last field would point past the struct
	}
	return (off + maxAlign - 1) / maxAlign * maxAlign
}

// explain renders the report of one machine.
func (e *emitter) explain(machineSize func(*directive) int64) string {
	var b strings.Builder
	pos := e.fset.Position(e.d.decl.Pos())
	fmt.Fprintf(&b, "%s (%s:%d): %s, %d bytes\n", e.d.name, filepath.Base(pos.Filename), pos.Line, e.typeName, structSize(e.fieldSizes(machineSize)))
	for _, blk := range e.fn.Suspends {
		s := blk.Term.(*ir.Suspend)
		p := e.fset.Position(s.Pos)
		var held []string
		var total int64
		for _, v := range e.live.Across[blk] {
			if e.store[v] == sLocal || e.store[v] == sDiscard {
				continue
			}
			n := e.varSize(v, machineSize).size
			total += n
			what := v.Name
			if e.inline[s] != nil && v == s.Slot {
				what += " (inline " + e.inline[s].name + ")"
			}
			held = append(held, fmt.Sprintf("%s %s (%d)", what, types.TypeString(e.slotType(v), e.qualifier), n))
		}
		sort.Strings(held)
		fmt.Fprintf(&b, "  resume %d, %s at line %d: %d bytes held: %s\n", s.State, s.Kind, p.Line, total, strings.Join(held, ", "))
		if e.fast != nil && e.fast.yield == s {
			loop := ""
			if e.fast.loop > 0 {
				loop = ", looping over what it skips"
			}
			fmt.Fprintf(&b, "    fast path: %s runs the way back to this yield on locals%s\n", e.stepName(), loop)
		}
	}
	return b.String()
}

// qualifier writes other packages by name and this one not at all.
func (e *emitter) qualifier(p *types.Package) string {
	if p == e.pkg {
		return ""
	}
	return p.Name()
}
