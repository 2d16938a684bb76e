// This file holds the storage part of a plan: where each hoisted variable
// lives, which variables share a field, the machine's fields in order,
// and the names of everything the lowering invents, so that no name
// collides with the user's.

package lower

import (
	"go/ast"
	"go/types"
	"strconv"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
)

// newPlan builds the graph of d's body, decides where each variable
// lives and names Poll's own identifiers and internal fields.
func (g *generator) newPlan(d *directive) *plan {
	recvName := ""
	if d.sig.Recv() != nil {
		recvName = recvTypeName(d.sig.Recv().Type())
	}
	fn := ir.Build(d.kind, d.name, d.decl, g.info, g.pkg.Types)
	for _, err := range fn.Errors {
		g.errorf(err.Pos, "%s", err.Msg)
	}
	if len(fn.Errors) > 0 {
		return nil
	}
	if err := fn.Check(); err != nil {
		g.errorf(d.decl.Pos(), "internal error: %v", err)
		return nil
	}
	d.used = ir.UsedNames(d.decl)
	p := &plan{
		fn: fn, d: d, info: g.info, fset: g.fset, pkg: g.pkg.Types,
		names: map[*ir.Var]string{}, store: map[*ir.Var]storage{}, shared: map[*ir.Var]bool{},
		hoisted: map[types.Object]string{}, typeName: machineTypeName(d, recvName), g: g,
	}
	p.tparams = typeParams(d.sig)
	p.findTypedDefers()
	// Storage: params and results are fields; a local is a field when it is
	// live across a suspension or its address is taken (boxed when its
	// declaration can run again); otherwise a local of Poll.
	lv := fn.Live()
	read := lv.Read()
	for _, v := range fn.Vars {
		switch {
		case v.Kind == ir.VTemp && !read[v] && !v.AddrTaken:
			p.store[v] = sDiscard
		case v.Kind == ir.VParam || v.Kind == ir.VResult:
			p.store[v] = sField
		case v.Boxed():
			p.store[v] = sBoxed
		case v.AddrTaken || lv.Stored[v]:
			p.store[v] = sField
		default:
			p.store[v] = sLocal
			if !read[v] {
				// Read only in code that cannot run (after an endless
				// loop), which is not written: Poll must still use it.
				p.unread = append(p.unread, v)
			}
		}
	}
	// Names. Poll-level names avoid every name the body refers to that is
	// not one of its hoisted variables, and every universe name.
	// outside holds the names the body refers to; shared (every
	// package-level and universe name, computed once for the package) is
	// avoided too, without being copied for each body.
	outside := map[string]bool{}
	shared := g.pkgNames()
	ast.Inspect(d.decl.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if obj := g.info.ObjectOf(id); obj != nil {
				if v, ok := obj.(*types.Var); ok && fn.VarOf[v] != nil {
					return true
				}
				if obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope() && obj.Parent() != types.Universe {
					return true // a local of a nested scope: shadowing keeps it apart
				}
				outside[id.Name] = true
			}
		}
		return true
	})
	pick := freshName
	// pickOutside is freshName avoiding the shared names as well.
	pickOutside := func(base string, taken map[string]bool) string {
		name := base
		for i := 1; taken[name] || shared[name]; i++ {
			name = base + strconv.Itoa(i)
		}
		taken[name] = true
		return name
	}
	// The receiver must differ from every identifier in the body.
	all := map[string]bool{}
	for n := range d.used {
		all[n] = true
	}
	for n := range outside {
		all[n] = true
	}
	p.recv = pickOutside("m", all)
	pollNames := map[string]bool{}
	for n := range outside {
		pollNames[n] = true
	}
	for _, n := range []string{p.recv, "state", "v", "ok", "st", "next", "fn", "runtime", g.machineName()} {
		pollNames[n] = true
	}
	for i := 0; i < 8; i++ {
		pollNames["arg"+strconv.Itoa(i)] = true
	}
	p.cx = pickOutside("cx", pollNames)
	// The step's results have one pair of names per kind, on every
	// method that returns or sets them (Poll and unwind; Next, next and
	// unwind; PollNext, pollNext and unwind).
	switch fn.Kind {
	case ir.Async:
		p.res, p.ready = pickOutside("result", pollNames), pickOutside("ready", pollNames)
	case ir.Gen:
		p.res, p.ready = pickOutside("item", pollNames), pickOutside("more", pollNames)
	case ir.Stream:
		p.res, p.ready = pickOutside("item", pollNames), pickOutside("status", pollNames)
	}
	fieldNames := map[string]bool{}
	for _, n := range []string{"Poll", "Cancel", "Next", "Close", "PollNext", "All", "unwind", "init", "poll", "next", "pollNext", "pin", "Step", "finished", "value", "deepest"} {
		fieldNames[n] = true
	}
	p.fNoCopy = pick("noCopy", fieldNames)
	p.fState = pick("state", fieldNames)
	p.fSelf = pick("self", fieldNames)
	if fn.HasDefer {
		p.fDefers = pick("defers", fieldNames)
	}
	if fn.HasCleanup {
		p.fLoops = pick("loops", fieldNames)
	}
	if fn.Kind != ir.Async {
		p.fClosing = pick("closing", fieldNames)
	}
	// Temporaries first: their names are unique already (v1, v2), and a
	// local named as a step's own (v) then takes a number none of them has.
	for _, temps := range []bool{true, false} {
		for _, v := range fn.Vars {
			if p.store[v] == sLocal && (v.Kind == ir.VTemp) == temps {
				p.names[v] = pickOutside(baseName(v), pollNames)
			}
		}
	}
	p.fieldNames = fieldNames
	p.live = lv
	// Hoisted local types and constants.
	for _, gd := range fn.LocalTypes {
		for _, spec := range gd.Specs {
			var ids []*ast.Ident
			switch sp := spec.(type) {
			case *ast.TypeSpec:
				ids = []*ast.Ident{sp.Name}
			case *ast.ValueSpec:
				ids = sp.Names
			}
			for _, id := range ids {
				if obj := g.info.Defs[id]; obj != nil {
					base := strings.ToLower(d.decl.Name.Name[:1]) + d.decl.Name.Name[1:] + strings.ToUpper(id.Name[:1]) + id.Name[1:]
					if id.Name == "_" {
						continue
					}
					p.hoisted[obj] = g.uniquePkgName(base)
				}
			}
		}
	}
	return p
}

func baseName(v *ir.Var) string {
	if v.Kind == ir.VResult && (v.Obj == nil || v.Obj.Name() == "") {
		return "result" + strings.TrimPrefix(v.Name, "r")
	}
	return v.Name
}

// freshName returns base, or base with the first number that makes it
// unlike every name taken, and takes it.
func freshName(base string, taken map[string]bool) string {
	name := base
	for i := 1; taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	taken[name] = true
	return name
}

// pickField reserves a field name for the machine's own use.
func (p *plan) pickField(base string) string { return freshName(base, p.fieldNames) }

// nameFields names the machine's fields once the package's plan is known
// (which awaits hold their child inline). Variables of identical type whose
// live ranges never overlap share one field; the others get their own. It
// also decides which dead references each suspension clears.
func (p *plan) nameFields() {
	fn := p.fn
	pick := p.pickField
	for _, b := range fn.Suspends {
		if p.lazy(b.Term.(*ir.Suspend)) {
			p.fDeep = pick("deep")
			break
		}
	}
	interf := fn.Interference(p.live)
	type group struct {
		name    string
		typ     types.Type
		members []*ir.Var
	}
	var groups []*group
	shareable := func(v *ir.Var) bool {
		return p.store[v] == sField && (v.Kind == ir.VLocal || v.Kind == ir.VTemp) && !v.AddrTaken
	}
	for _, v := range fn.Vars {
		switch p.store[v] {
		case sLocal, sDiscard:
			continue
		case sBoxed:
			p.names[v] = pick(baseName(v))
			continue
		}
		if !shareable(v) {
			p.names[v] = pick(baseName(v))
			continue
		}
		t := p.slotType(v)
		var joined *group
		for _, g := range groups {
			if !types.Identical(g.typ, t) {
				continue
			}
			ok := true
			for _, m := range g.members {
				if interf[v][m] {
					ok = false
					break
				}
			}
			if ok {
				joined = g
				break
			}
		}
		if joined == nil {
			joined = &group{name: pick(baseName(v)), typ: t}
			groups = append(groups, joined)
		}
		joined.members = append(joined.members, v)
		p.names[v] = joined.name
		if len(joined.members) > 1 {
			p.shared[v] = true
		}
	}
	// Dead references cleared at each suspension, by field.
	slotTemp := map[*ir.Var]bool{}
	for _, b := range fn.Suspends {
		if s := b.Term.(*ir.Suspend); s.Slot != nil && s.Slot.Kind == ir.VTemp {
			slotTemp[s.Slot] = true
		}
	}
	clearable := func(v *ir.Var) bool {
		return p.store[v] == sField && v.Kind != ir.VResult && !v.AddrTaken && !slotTemp[v] &&
			!p.inlineSlot[v] && isPointerLike(v.Type)
	}
	p.clears = map[*ir.Block][]*ir.Var{}
	for b, vs := range fn.Clears(p.live, clearable) {
		across := map[string]bool{}
		for _, v := range p.live.Across[b] {
			across[p.names[v]] = true
		}
		if s := b.Term.(*ir.Suspend); s.Slot != nil {
			across[p.names[s.Slot]] = true
		}
		seen := map[string]bool{}
		for _, v := range vs {
			n := p.names[v]
			if across[n] || seen[n] {
				continue
			}
			seen[n] = true
			p.clears[b] = append(p.clears[b], v)
		}
	}
}

// pkgNames returns the names declared at package level, the file-level
// import names and the universe's, computed once for the package.
func (g *generator) pkgNames() map[string]bool {
	if g.pkgNameCache != nil {
		return g.pkgNameCache
	}
	m := map[string]bool{}
	g.pkgNameCache = m
	for _, n := range types.Universe.Names() {
		m[n] = true
	}
	for _, n := range g.pkg.Types.Scope().Names() {
		m[n] = true
	}
	for _, f := range g.pkg.Syntax {
		for _, imp := range f.Imports {
			if imp.Name != nil {
				m[imp.Name.Name] = true
			} else {
				p := strings.Trim(imp.Path.Value, `"`)
				m[p[strings.LastIndex(p, "/")+1:]] = true
			}
		}
	}
	return m
}

// machineName returns the name the twins of the package import package
// machine by: its own, unless the package declares that name or one of its
// files imports another package by it; then the first numbered form that
// is free. Locals of Poll and the fast path avoid it.
func (g *generator) machineName() string {
	if g.machineAlias != "" {
		return g.machineAlias
	}
	taken := map[string]bool{}
	scope := g.pkg.Types.Scope()
	for _, n := range scope.Names() {
		if !g.inTwin(scope.Lookup(n).Pos()) {
			taken[n] = true
		}
	}
	for _, f := range g.pkg.Syntax {
		if ast.IsGenerated(f) {
			continue
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			switch {
			case imp.Name != nil:
				taken[imp.Name.Name] = true
			case p != ir.MachinePath:
				taken[p[strings.LastIndex(p, "/")+1:]] = true
			}
		}
	}
	name := ir.MachineName
	for i := 1; taken[name]; i++ {
		name = ir.MachineName + strconv.Itoa(i)
	}
	g.machineAlias = name
	return name
}

// importMachine names package machine in f as machineName says.
func (g *generator) importMachine(f *jen.File) {
	if name := g.machineName(); name != ir.MachineName {
		f.ImportAlias(ir.MachinePath, name)
	} else {
		f.ImportName(ir.MachinePath, name)
	}
}

// uniquePkgName returns base, or base with a number, unused at package level.
func (g *generator) uniquePkgName(base string) string {
	if g.hoistedNames == nil {
		g.hoistedNames = map[string]bool{}
	}
	scope := g.pkg.Types.Scope()
	name := base
	for i := 1; g.hoistedNames[name] || scope.Lookup(name) != nil && !g.inTwin(scope.Lookup(name).Pos()); i++ {
		name = base + strconv.Itoa(i)
	}
	g.hoistedNames[name] = true
	return name
}

// typeParams returns the machine's type parameters: the receiver's, then
// the function's.
func typeParams(sig *types.Signature) []*types.TypeParam {
	var out []*types.TypeParam
	for _, l := range []*types.TypeParamList{sig.RecvTypeParams(), sig.TypeParams()} {
		for i := 0; i < l.Len(); i++ {
			out = append(out, l.At(i))
		}
	}
	return out
}

// lazy reports whether the resume point of s leaves the state alone while
// the child is pending: a generated child held inline is poisoned by its
// own panics, so the parent marks itself running only once the child is
// done. Not with defers, whose unwinding needs the running state.
func (p *plan) lazy(s *ir.Suspend) bool {
	return !p.unwinds() && p.inline[s] != nil
}

// slotType is the type of v's field: the machine itself for an inline
// child, v's type otherwise.
func (p *plan) slotType(v *ir.Var) types.Type {
	if p.inlineSlot[v] {
		return v.Type.(*types.Pointer).Elem()
	}
	return v.Type
}

// pollValue is the type of the value the future in slot v produces (the
// first result of its Poll), instantiated as the slot holds it.
func (p *plan) pollValue(v *ir.Var) types.Type {
	obj, _, _ := types.LookupFieldOrMethod(v.Type, true, nil, "Poll")
	return obj.Type().(*types.Signature).Results().At(0).Type()
}
