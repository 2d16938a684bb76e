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

// fieldSizes returns the sizes of the machine's fields, in order; inline
// children count at their own machine's size.
func (p *plan) fieldSizes(machineSize func(*directive) int64) []fieldSize {
	sizes := p.g.sizes()
	ptr := types.Typ[types.UnsafePointer]
	var out []fieldSize
	for _, fl := range p.fields {
		var t types.Type
		switch fl.role {
		case roleVar, roleBox:
			out = append(out, p.varSize(fl.v, machineSize))
			continue
		case roleNoCopy:
			t = types.NewStruct(nil, nil)
		case roleState:
			t = types.Typ[types.Int]
		case roleSelf, roleClosing, roleFast:
			t = ptr
		case roleLoops, roleDefers:
			t = types.NewSlice(ptr)
		case roleDeep:
			t = types.NewInterfaceType(nil, nil)
		default:
			panic(fmt.Sprintf("unknown field role %d", fl.role))
		}
		out = append(out, fieldSize{fl.name, sizes.Sizeof(t), sizes.Alignof(t)})
	}
	return out
}

// varSize is the size of v's field: 0 for a type parameter's, which has
// none until the machine is instantiated.
func (p *plan) varSize(v *ir.Var, machineSize func(*directive) int64) (f fieldSize) {
	sizes := p.g.sizes()
	word := sizes.Sizeof(types.Typ[types.Uintptr])
	f.name = p.names[v]
	if p.store[v] == sBoxed {
		return fieldSize{f.name, word, word}
	}
	for s, child := range p.inline {
		if s.Slot == v {
			return fieldSize{f.name, machineSize(child), word}
		}
	}
	defer func() {
		if recover() != nil {
			f = fieldSize{f.name, 0, 1}
		}
	}()
	t := p.slotType(v)
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
func (p *plan) explain(machineSize func(*directive) int64) string {
	var b strings.Builder
	pos := p.fset.Position(p.d.decl.Pos())
	fmt.Fprintf(&b, "%s (%s:%d): %s, %d bytes\n", p.d.name, filepath.Base(pos.Filename), pos.Line, p.typeName, structSize(p.fieldSizes(machineSize)))
	for _, blk := range p.fn.Suspends {
		s := blk.Term.(*ir.Suspend)
		at := p.fset.Position(s.Pos)
		var held []string
		var total int64
		for _, v := range p.held(blk) {
			n := p.varSize(v, machineSize).size
			total += n
			held = append(held, fmt.Sprintf("%s (%d)", p.describeHeld(s, v), n))
		}
		fmt.Fprintf(&b, "  resume %d, %s at line %d: %d bytes held: %s\n", s.State, s.Kind, at.Line, total, strings.Join(held, ", "))
		if p.fast != nil && p.fast.yield == s {
			loop := ""
			if p.fast.loop > 0 {
				loop = ", looping over what it skips"
			}
			fmt.Fprintf(&b, "    fast path: %s runs the way back to this yield on locals%s\n", p.stepName(), loop)
		}
	}
	return b.String()
}

// held returns the variables the machine holds in its fields while
// suspended at the end of blk, in the order of their descriptions.
func (p *plan) held(blk *ir.Block) []*ir.Var {
	s := blk.Term.(*ir.Suspend)
	var vs []*ir.Var
	for _, v := range p.live.Across[blk] {
		if p.store[v] != sLocal && p.store[v] != sDiscard {
			vs = append(vs, v)
		}
	}
	sort.Slice(vs, func(i, j int) bool { return p.describeHeld(s, vs[i]) < p.describeHeld(s, vs[j]) })
	return vs
}

// describeHeld describes a variable held at s: its name and type, and the
// child machine stored inline in it.
func (p *plan) describeHeld(s *ir.Suspend, v *ir.Var) string {
	what := v.Name
	if p.inline[s] != nil && v == s.Slot {
		what += " (inline " + p.inline[s].name + ")"
	}
	return what + " " + types.TypeString(p.slotType(v), p.qualifier)
}

// qualifier writes other packages by name and this one not at all.
func (p *plan) qualifier(other *types.Package) string {
	if other == p.pkg {
		return ""
	}
	return other.Name()
}
