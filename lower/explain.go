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

// sizes are the gc compiler's sizes for the host's word size.
var sizes = types.SizesFor("gc", "amd64")

// fieldSizes returns the machine's fields (name and size) in declaration
// order; inline children count at their own machine's size.
func (e *emitter) fieldSizes(machineSize func(*directive) int64) (names []string, sz []int64) {
	word := sizes.Sizeof(types.Typ[types.Uintptr])
	add := func(name string, n int64) {
		names = append(names, name)
		sz = append(sz, n)
	}
	add(e.fState, word)
	add(e.fSelf, word)
	seen := map[string]bool{}
	for _, v := range e.fn.Vars {
		if e.store[v] == sLocal || e.store[v] == sDiscard || seen[e.names[v]] {
			continue
		}
		seen[e.names[v]] = true
		add(e.names[v], e.varSize(v, machineSize))
	}
	if e.fDefers != "" {
		add(e.fDefers, 3*word)
	}
	if e.fLoops != "" {
		add(e.fLoops, 3*word)
	}
	if e.fn.Kind != ir.Async {
		add(e.fClosing, 1)
	}
	if e.fDeep != "" {
		add(e.fDeep, 2*word) // an interface
	}
	if e.fFast != "" {
		add(e.fFast, word)
	}
	return names, sz
}

// varSize is the size of v's field.
func (e *emitter) varSize(v *ir.Var, machineSize func(*directive) int64) int64 {
	if e.store[v] == sBoxed {
		return sizes.Sizeof(types.Typ[types.Uintptr])
	}
	for s, child := range e.inline {
		if s.Slot == v {
			return machineSize(child)
		}
	}
	defer func() { recover() }() // a type parameter has no fixed size
	return sizes.Sizeof(e.slotType(v))
}

// machineSize lays the fields out as the compiler would (each aligned to
// its size, up to a word) and returns the total.
func layout(sz []int64) int64 {
	word := sizes.Sizeof(types.Typ[types.Uintptr])
	var off int64
	for _, n := range sz {
		a := min(max(n, 1), word)
		if n >= word {
			a = word
		}
		for _, p := range []int64{8, 4, 2, 1} {
			if a >= p {
				a = p
				break
			}
		}
		off = (off + a - 1) / a * a
		off += n
	}
	return (off + word - 1) / word * word
}

// explain renders the report of one machine.
func (e *emitter) explain(machineSize func(*directive) int64) string {
	var b strings.Builder
	_, sz := e.fieldSizes(machineSize)
	pos := e.fset.Position(e.d.decl.Pos())
	fmt.Fprintf(&b, "%s (%s:%d): %s, %d bytes\n", e.d.name, filepath.Base(pos.Filename), pos.Line, e.typeName, layout(sz))
	for _, blk := range e.fn.Suspends {
		s := blk.Term.(*ir.Suspend)
		p := e.fset.Position(s.Pos)
		var held []string
		var total int64
		for _, v := range e.live.Across[blk] {
			if e.store[v] == sLocal || e.store[v] == sDiscard {
				continue
			}
			n := e.varSize(v, machineSize)
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
