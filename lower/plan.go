// This file holds the plan of a machine: everything the lowering decides
// about one body before any code is written. -explain reads it; the
// emitter renders it.

package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"github.com/asyncgen/asyncgen/ir"
)

// storage is where a hoisted variable lives.
type storage int

const (
	sField   storage = iota // a field of the machine
	sBoxed                  // a field pointing to fresh storage per declaration
	sLocal                  // a local of Poll: not live across a suspension
	sDiscard                // never read: what is assigned to it is discarded (_)
)

// A plan is what the lowering decides about one body, in three steps:
// newPlan builds the graph, decides storage and names Poll's locals
// (storage.go); the package's plans then decide together which awaited
// children are stored inline (planInline); last, each plan lays out its
// fields (nameFields, storage.go) and finds its fast path (fastpath.go).
type plan struct {
	g    *generator
	d    *directive
	fn   *ir.Func
	info *types.Info
	fset *token.FileSet
	pkg  *types.Package
	live *ir.Liveness

	// Storage.
	store   map[*ir.Var]storage
	shared  map[*ir.Var]bool        // variables sharing a field with others
	clears  map[*ir.Block][]*ir.Var // dead references cleared at each suspension
	unread  []*ir.Var               // locals of Poll no code that runs reads
	fields  []machineField          // the machine's fields, in order
	hoisted map[types.Object]string // the body's local types and constants, by package-level name

	// Names: of variables, of the machine and its methods' own
	// identifiers, and of the machine's internal fields.
	names                                                           map[*ir.Var]string
	fieldNames                                                      map[string]bool
	typeName, recv, cx, res, ready                                  string
	fState, fSelf, fDefers, fNoCopy, fClosing, fDeep, fLoops, fFast string
	tparams                                                         []*types.TypeParam

	// Children: inline maps an await of a generated future to the
	// callee's directive when the child machine is stored by value;
	// inlineSlot marks its slot; initInline marks a runtime future built
	// in place with Init.
	inline     map[*ir.Suspend]*directive
	initInline map[*ir.Suspend]bool
	inlineSlot map[*ir.Var]bool

	// Defers: the calls deferred with arguments to a function value, each
	// pushed as a record that runDefers defers directly.
	typedDefers map[*ast.CallExpr]*typedDefer
	deferOrder  []*typedDefer

	fast *fastPath // an iterator's fast path, if it has one
}

// finish completes the plan once the package's plans know their inline
// children: it names the fields (sharing some, deciding what each
// suspension clears), finds the fast path and how it runs on locals, and
// lists the machine's fields.
func (p *plan) finish() {
	p.nameFields()
	if p.fast = p.findFastPath(); p.fast != nil {
		p.fFast = p.pickField("fast")
		p.fast.locals = p.planFastLocals(p.fast)
	}
	p.fields = p.machineFields()
}

// A fieldRole says what a field of the machine holds.
type fieldRole int

const (
	roleVar     fieldRole = iota // a variable, or variables sharing the field
	roleBox                      // a pointer to a variable's current box
	roleNoCopy                   // the marker go vet's copylocks sees
	roleState                    // where the body is suspended
	roleSelf                     // the machine's address at the first poll
	roleLoops                    // the iterators of the pull loops the body is in
	roleDefers                   // pending defers
	roleClosing                  // why an iterator's body was resumed without an item
	roleDeep                     // the innermost inline child suspended in
	roleFast                     // the machine itself, while the fast path may run
)

// A machineField is one field of the machine's struct.
type machineField struct {
	name string
	role fieldRole
	v    *ir.Var // roleVar, roleBox: the (first) variable stored there
}

// machineFields lists the machine's fields in the order the struct
// declares them.
func (p *plan) machineFields() []machineField {
	fs := []machineField{{name: p.fNoCopy, role: roleNoCopy}, {name: p.fState, role: roleState}, {name: p.fSelf, role: roleSelf}}
	declared := map[string]bool{}
	for _, v := range p.fn.Vars {
		role := roleVar
		switch p.store[v] {
		case sField:
		case sBoxed:
			role = roleBox
		default:
			continue
		}
		if declared[p.names[v]] {
			continue
		}
		declared[p.names[v]] = true
		fs = append(fs, machineField{name: p.names[v], role: role, v: v})
	}
	own := []struct {
		name string
		role fieldRole
	}{{p.fLoops, roleLoops}, {p.fDefers, roleDefers}, {p.fClosing, roleClosing}, {p.fDeep, roleDeep}, {p.fFast, roleFast}}
	for _, f := range own {
		if f.name != "" {
			fs = append(fs, machineField{name: f.name, role: f.role})
		}
	}
	// Lay the fields after the first three out by alignment, largest
	// first, as rustc orders a coroutine's fields: the compiler pads each
	// field to its alignment, so a bool between two words costs a word.
	// Fields of size 0 go first, where they cost nothing (last, one would
	// be padded so as not to point past the struct).
	// Each field's key is computed once: its alignment, or more than any
	// for size 0 (an inline child's field counts as a word-aligned
	// machine, a type parameter's as size 0, its size being the
	// instantiation's).
	word := p.g.sizes().Alignof(types.Typ[types.UnsafePointer])
	tail := fs[3:]
	keys := make(map[string]int64, len(tail)) // field names are unique
	for _, f := range tail {
		key := word // a pointer, a slice, an interface
		if f.role == roleVar {
			if l := p.varSize(f.v, func(*directive) int64 { return 1 }); l.size == 0 {
				key = 1 << 10
			} else {
				key = l.align
			}
		}
		keys[f.name] = key
	}
	sort.SliceStable(tail, func(i, j int) bool { return keys[tail[i].name] > keys[tail[j].name] })
	return fs
}

// stepName is the name of the method that runs the body one step.
func (p *plan) stepName() string {
	return map[ir.Kind]string{ir.Async: "Poll", ir.Gen: "Next", ir.Stream: "PollNext"}[p.fn.Kind]
}

// fullStep is the name of the full step of a machine with a fast path.
func (p *plan) fullStep() string {
	return map[ir.Kind]string{ir.Gen: "next", ir.Stream: "pollNext"}[p.fn.Kind]
}

// unwinds reports whether a step must handle a panic: the body defers, or
// it pulls iterators that a panic must stop.
func (p *plan) unwinds() bool { return p.fn.HasDefer || p.fn.HasCleanup }
