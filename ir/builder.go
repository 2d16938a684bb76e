// This file holds the builder: typed syntax of a body to a Func.

package ir

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
)

// Build builds the graph of decl's body. kind says what the body is; name is
// the constructor's name. Problems are reported in Func.Errors.
func Build(kind Kind, name string, decl *ast.FuncDecl, info *types.Info, pkg *types.Package) *Func {
	return BuildOpts(kind, name, decl, info, pkg, Options{})
}

// Options tune the builder.
type Options struct {
	// SplitAll decomposes every compound statement into blocks, as if each
	// held a suspension (used to exercise the builder on ordinary code).
	SplitAll bool
}

// BuildOpts is Build with options.
func BuildOpts(kind Kind, name string, decl *ast.FuncDecl, info *types.Info, pkg *types.Package, opts Options) *Func {
	fn := &Func{
		Kind:      kind,
		Name:      name,
		Decl:      decl,
		Info:      info,
		Pkg:       pkg,
		VarOf:     map[*types.Var]*Var{},
		Temps:     map[*ast.Ident]*Var{},
		Rewrites:  map[ast.Node][]ast.Stmt{},
		Labels:    map[*Block]string{},
		Gotos:     map[*ast.Ident]*Block{},
		Exprs:     map[*ast.Ident]SynthExpr{},
		InBounds:  map[*ast.IndexExpr]bool{},
		Positions: map[ast.Stmt]token.Pos{},
	}
	b := &builder{fn: fn, info: info, labels: map[string]*label{}, splitAll: opts.SplitAll, pos: decl.Pos(), ntemp: map[string]int{}}
	sig := info.Defs[decl.Name].Type().(*types.Signature)
	if kind != Async && sig.Params().Len() > 0 {
		fn.Yield = sig.Params().At(sig.Params().Len() - 1)
	}
	b.used = UsedNames(decl)
	// Parameters (the receiver first) and results.
	if r := sig.Recv(); r != nil {
		b.param(r, VParam)
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if p := sig.Params().At(i); p != fn.Yield {
			b.param(p, VParam)
		}
	}
	for i := 0; i < sig.Results().Len(); i++ {
		r := sig.Results().At(i)
		var v *Var
		if r.Name() == "" || r.Name() == "_" {
			v = b.newTemp("r"+strconv.Itoa(i), r.Type())
			v.Kind = VResult
		} else {
			v = b.param(r, VResult)
		}
		fn.Results = append(fn.Results, v)
	}
	b.addrTaken(decl.Body)
	fn.Exit = &Block{Kind: KExit, Term: &Return{}}
	b.cur = b.newBlock(KEntry, decl)
	b.stmtList(decl.Body.List)
	if b.cur != nil {
		b.jump(fn.Exit)
	}
	for name, l := range b.labels {
		if !l.defined {
			b.errorf(l.pos, "label %s not defined", name)
		}
	}
	fn.Exit.Index = len(fn.Blocks)
	fn.Blocks = append(fn.Blocks, fn.Exit)
	b.finish()
	return fn
}

type builder struct {
	fn       *Func
	info     *types.Info
	cur      *Block    // nil after a jump, until a new block starts
	pos      token.Pos // the source statement being lowered: what emit records
	targets  *targets
	labels   map[string]*label
	used     map[string]bool
	addr     map[*types.Var]bool
	splitAll bool
	ntemp    map[string]int // the last number given to temporaries, by name
}

// targets is a linked stack of break/continue/fallthrough targets.
type targets struct {
	tail         *targets
	label        string
	brk, cont    *Block
	fallthrough_ *Block
	cleanup      []ast.Stmt // run when control leaves the construct by a branch
}

type label struct {
	block   *Block
	defined bool
	pos     token.Pos
	stack   *targets // the targets enclosing the label's statement
	// gotos waiting for the label's definition to learn which cleanups
	// they run: each jumps through a trampoline block
	pending []pendingGoto
}

type pendingGoto struct {
	tramp *Block
	stack *targets
}

func (b *builder) errorf(pos token.Pos, format string, args ...any) {
	b.fn.Errors = append(b.fn.Errors, Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// newBlock appends a new block.
func (b *builder) newBlock(kind BlockKind, node ast.Node) *Block {
	blk := &Block{Index: len(b.fn.Blocks), Kind: kind, Node: node}
	b.fn.Blocks = append(b.fn.Blocks, blk)
	return blk
}

// emit appends a statement to the current block, starting an unreachable
// block if control cannot reach here.
func (b *builder) emit(s ast.Stmt) {
	if b.cur == nil {
		b.cur = b.newBlock(KUnreachable, nil)
	}
	b.cur.Stmts = append(b.cur.Stmts, s)
	if !s.Pos().IsValid() {
		b.fn.Positions[s] = b.pos
	}
}

// setTerm ends the current block with t.
func (b *builder) setTerm(t Term) {
	if b.cur == nil {
		b.cur = b.newBlock(KUnreachable, nil)
	}
	b.cur.Term = t
	b.cur = nil
}

// jump ends the current block with a jump to to.
func (b *builder) jump(to *Block) { b.setTerm(&Jump{To: to}) }

// ifElse ends the current block with a conditional jump.
func (b *builder) ifElse(cond ast.Expr, t, f *Block) { b.setTerm(&If{Cond: cond, Then: t, Else: f}) }

// param records a parameter or named result.
func (b *builder) param(obj *types.Var, kind VarKind) *Var {
	v := &Var{Name: obj.Name(), Type: obj.Type(), Obj: obj, Kind: kind, Index: len(b.fn.Vars)}
	if v.Name == "" || v.Name == "_" {
		v.Name = "p" + strconv.Itoa(len(b.fn.Vars))
	}
	b.fn.Vars = append(b.fn.Vars, v)
	b.fn.VarOf[obj] = v
	return v
}

// local records a local variable declared at the flattened level.
func (b *builder) local(obj *types.Var) *Var {
	if v := b.fn.VarOf[obj]; v != nil {
		return v
	}
	v := &Var{Name: obj.Name(), Type: obj.Type(), Obj: obj, Kind: VLocal, Decl: b.cur, Index: len(b.fn.Vars)}
	if b.cur == nil {
		b.cur = b.newBlock(KUnreachable, nil)
		v.Decl = b.cur
	}
	b.fn.Vars = append(b.fn.Vars, v)
	b.fn.VarOf[obj] = v
	if b.addr[obj] {
		v.AddrTaken = true
	}
	return v
}

// nameSlots names the slot each await stores its future in after the
// state that resumes it, await3 beside resume3, now that states are
// numbered.
func (b *builder) nameSlots() {
	renamed := map[*Var]bool{}
	for _, blk := range b.fn.Suspends {
		s := blk.Term.(*Suspend)
		if s.Slot == nil || s.Arg == nil || s.Slot.Kind != VTemp || renamed[s.Slot] {
			continue
		}
		renamed[s.Slot] = true
		name := "await" + strconv.Itoa(s.State)
		for k := 1; b.used[name]; k++ {
			name = "await" + strconv.Itoa(s.State) + "_" + strconv.Itoa(k)
		}
		b.used[name] = true
		s.Slot.Name = name
	}
	for id, v := range b.fn.Temps {
		if renamed[v] {
			id.Name = v.Name
		}
	}
}

// newTemp makes a temporary variable named hint, or hint and the next
// number of that name that is free. The values of awaits and the ok of
// receives are always numbered (v1, ok1): a machine's step keeps v and ok
// for its own short-lived locals.
func (b *builder) newTemp(hint string, t types.Type) *Var {
	name := hint
	for b.used[name] || numbered[hint] && name == hint {
		b.ntemp[hint]++
		name = hint + strconv.Itoa(b.ntemp[hint])
	}
	b.used[name] = true
	v := &Var{Name: name, Type: t, Kind: VTemp, Decl: b.cur, Index: len(b.fn.Vars)}
	b.fn.Vars = append(b.fn.Vars, v)
	return v
}

// numbered holds the temporaries' names that always carry a number.
var numbered = map[string]bool{"v": true, "ok": true}

// ident returns a new identifier naming v.
func (b *builder) ident(v *Var) *ast.Ident {
	id := &ast.Ident{Name: v.Name}
	b.fn.Temps[id] = v
	return id
}

// tempOf stores e, the lowered form of orig, in a new temporary of orig's
// type and returns an identifier for it.
func (b *builder) tempOf(hint string, orig, e ast.Expr) ast.Expr {
	t := b.typeOf(orig)
	if t == nil {
		t = b.typeOf(e)
	}
	if t == nil {
		panic(fmt.Sprintf("asyncgen: no type for %T", orig))
	}
	if tup, ok := t.(*types.Tuple); ok && tup.Len() == 1 {
		t = tup.At(0).Type()
	}
	if basic, ok := t.(*types.Basic); ok && basic.Info()&types.IsUntyped != 0 {
		t = types.Default(t)
	}
	v := b.newTemp(hint, t)
	id := b.ident(v)
	b.emit(assign(id, e))
	return b.ident(v)
}

func (b *builder) typeOf(e ast.Expr) types.Type {
	if id, ok := e.(*ast.Ident); ok {
		if v := b.fn.Temps[id]; v != nil {
			return v.Type
		}
	}
	return b.info.TypeOf(e)
}

func assign(lhs, rhs ast.Expr) *ast.AssignStmt {
	return &ast.AssignStmt{Lhs: []ast.Expr{lhs}, Tok: token.ASSIGN, Rhs: []ast.Expr{rhs}}
}

// hasMarker reports whether n contains a marker.
func (b *builder) hasMarker(n ast.Node) bool {
	if n == nil {
		return false
	}
	if e, ok := n.(ast.Expr); ok && e == nil {
		return false
	}
	return ContainsMarker(b.info, b.fn.Yield, n)
}

// finish numbers the suspension points, computes predecessors and cycles.
func (b *builder) finish() {
	fn := b.fn
	// Drop unreachable blocks except the exit.
	reach := map[*Block]bool{}
	var visit func(*Block)
	visit = func(blk *Block) {
		if blk == nil || reach[blk] {
			return
		}
		reach[blk] = true
		for _, s := range blk.Succs() {
			visit(s)
		}
		for _, stmts := range blockGotos(fn, blk) {
			visit(stmts)
		}
	}
	visit(fn.Blocks[0])
	reach[fn.Exit] = true
	var kept []*Block
	for _, blk := range fn.Blocks {
		if reach[blk] {
			blk.Index = len(kept)
			kept = append(kept, blk)
		}
	}
	fn.Blocks = kept
	for _, blk := range kept {
		if blk.Term == nil {
			blk.Term = &Unreachable{}
		}
		// One edge per successor, however many ways lead there (an if
		// whose branches meet, clauses of one dispatch jumping alike).
		seen := map[*Block]bool{}
		for _, s := range allSuccs(fn, blk) {
			if !seen[s] {
				seen[s] = true
				s.Preds = append(s.Preds, blk)
			}
		}
		if s, ok := blk.Term.(*Suspend); ok {
			fn.Suspends = append(fn.Suspends, blk)
			s.State = len(fn.Suspends)
		}
	}
	b.nameSlots()
	// Cycles: a declaration block that reaches itself.
	for _, v := range fn.Vars {
		if v.Decl != nil && reach[v.Decl] {
			v.InCycle = v.PerIter || reaches(fn, v.Decl, v.Decl)
		}
	}
}

// allSuccs returns the successors of blk including targets of gotos in its
// verbatim statements.
func allSuccs(fn *Func, blk *Block) []*Block {
	return append(blk.Succs(), blockGotos(fn, blk)...)
}

// GotoTargets returns the blocks that synthetic gotos inside blk's
// statements and dispatch jump to.
func (fn *Func) GotoTargets(blk *Block) []*Block { return blockGotos(fn, blk) }

// StmtGotoTargets returns the blocks that synthetic gotos inside s jump to.
func (fn *Func) StmtGotoTargets(s ast.Stmt) []*Block { return stmtGotos(fn, s, nil) }

// blockGotos returns the blocks that gotos inside blk's statements (rewritten
// branches leaving verbatim statements) jump to.
func blockGotos(fn *Func, blk *Block) []*Block {
	var out []*Block
	for _, s := range blk.Stmts {
		out = stmtGotos(fn, s, out)
	}
	if d, ok := blk.Term.(*Dispatch); ok {
		out = stmtGotos(fn, d.Stmt, out)
	}
	return out
}

// stmtGotos appends to out the blocks that gotos inside s jump to.
func stmtGotos(fn *Func, s ast.Stmt, out []*Block) []*Block {
	fn.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			if n.Label != nil {
				if t := fn.Gotos[n.Label]; t != nil {
					out = append(out, t)
				}
			}
		}
		return true
	})
	return out
}

func reaches(fn *Func, from, to *Block) bool {
	seen := map[*Block]bool{}
	stack := allSuccs(fn, from)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == to {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, allSuccs(fn, n)...)
	}
	return false
}

// UsedNames returns every identifier name in the declaration.
func UsedNames(decl *ast.FuncDecl) map[string]bool {
	m := map[string]bool{}
	ast.Inspect(decl, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			m[id.Name] = true
		}
		return true
	})
	return m
}
