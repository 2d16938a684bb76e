// This file holds the data model: functions, blocks, terminators, variables.

package ir

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Kind is the kind of body: async function, generator or stream.
type Kind int

const (
	Async Kind = iota
	Gen
	Stream
)

func (k Kind) String() string {
	return [...]string{"async", "gen", "stream"}[k]
}

// A Func is the control-flow graph of one annotated body.
type Func struct {
	Kind   Kind
	Name   string // the constructor's name
	Decl   *ast.FuncDecl
	Info   *types.Info
	Pkg    *types.Package
	Blocks []*Block // Blocks[0] is the entry
	Exit   *Block   // the return block: results are set, defers run

	Vars     []*Var                   // hoisted variables: params, results, flattened locals, temporaries
	VarOf    map[*types.Var]*Var      // by object
	Temps    map[*ast.Ident]*Var      // synthetic identifiers naming temporaries
	Results  []*Var                   // result variables (named or synthesized)
	Yield    *types.Var               // the yield parameter (gen, stream)
	Rewrites map[ast.Node][]ast.Stmt  // replacements for nodes inside verbatim statements
	Labels   map[*Block]string        // user label names kept on verbatim statements
	Gotos    map[*ast.Ident]*Block    // labels of synthetic gotos, by identifier
	Exprs    map[*ast.Ident]SynthExpr // placeholders for synthetic expressions

	// Positions holds the source position of each statement the builder
	// wrote that has none of its own: that of the source statement it
	// lowers (as go/ssa's emit helpers take one), so that every statement
	// of the machine points at the body. See StmtPos.
	Positions map[ast.Stmt]token.Pos

	// InBounds holds the index expressions the builder wrote that cannot
	// panic: a range over a slice or an array reads xs[i] only after
	// i < len(xs), with both temporaries its own.
	InBounds map[*ast.IndexExpr]bool

	// Suspends lists the suspension terminators in state order (state i+1).
	Suspends []*Block

	HasDefer   bool           // defer statements exist
	HasCleanup bool           // pull loops push cleanups (PushCleanup)
	LocalTypes []*ast.GenDecl // local type and const declarations to hoist
	Errors     []Error
}

// StmtPos returns the source position of s: its own, or that of the source
// statement the builder wrote it for.
func (fn *Func) StmtPos(s ast.Stmt) token.Pos {
	if p := s.Pos(); p.IsValid() {
		return p
	}
	return fn.Positions[s]
}

// An Error is a positioned diagnostic found while building.
type Error struct {
	Pos token.Pos
	Msg string
}

// BlockKind says which construct made a block.
type BlockKind int

const (
	KEntry BlockKind = iota
	KBody
	KResume
	KIfThen
	KIfElse
	KIfDone
	KForCond
	KForBody
	KForPost
	KForDone
	KRangeLoop
	KRangeBody
	KRangeDone
	KSwitchCase
	KSwitchBody
	KSwitchDone
	KSelectBody
	KSelectDone
	KLabel
	KLeave // runs the cleanups a branch out of pulled loops leaves behind
	KCond
	KCondDone
	KExit
	KUnreachable
)

var kindNames = [...]string{
	"entry", "body", "resume", "if.then", "if.else", "if.done", "for.cond",
	"for.body", "for.post", "for.done", "range.loop", "range.body",
	"range.done", "switch.case", "switch.body", "switch.done", "select.body",
	"select.done", "label", "leave", "cond", "cond.done", "exit", "unreachable",
}

func (k BlockKind) String() string { return kindNames[k] }

// A Block is a basic block: statements run in order, then the terminator.
type Block struct {
	Index int
	Kind  BlockKind
	Node  ast.Node   // the syntax that made it, if any
	Stmts []ast.Stmt // straight-line statements, verbatim statements included
	Term  Term
	// Resume is set on the block a suspension continues in.
	Resume *Suspend
	Preds  []*Block
}

// Succs returns the successors of b.
func (b *Block) Succs() []*Block {
	switch t := b.Term.(type) {
	case *Jump:
		return []*Block{t.To}
	case *If:
		return []*Block{t.Then, t.Else}
	case *Suspend:
		return []*Block{t.Resume}
	case *Dispatch:
		return t.Targets
	}
	return nil
}

// Term is a block terminator.
type Term interface{ term() }

// Jump continues at To.
type Jump struct{ To *Block }

// If continues at Then when Cond is true, else at Else.
type If struct {
	Cond       ast.Expr
	Then, Else *Block
}

// Dispatch runs Stmt, a verbatim switch, type switch or select whose
// clauses end by jumping to one of Targets (written as goto statements
// recorded in Func.Rewrites under the clause).
type Dispatch struct {
	Stmt    ast.Stmt
	Targets []*Block
	// Defs are the variables the dispatch itself assigns: the temporaries
	// a select's receive clauses receive into (each defined on the way to
	// its clause's body, the only place that reads it).
	Defs []*Var
}

// Return leaves the body: results are set; defers run at Func.Exit.
type Return struct{}

// Unreachable ends a block that control never leaves (after panic, or an
// infinite loop's missing exit).
type Unreachable struct{}

// Terminated ends a block whose last statement does not complete normally
// (a kept statement that returns, jumps or panics on every path).
type Terminated struct{}

// SuspendKind tells what a suspension waits for.
type SuspendKind int

const (
	SAwait    SuspendKind = iota // runtime.Await: Dest = value
	STryAwait                    // runtime.TryAwait: Dest = value, error
	SYield                       // yield(v): Dest = still wanted
	SNext                        // for-await step: Dest = item, more
)

var suspendNames = [...]string{"await", "tryawait", "yield", "next"}

func (k SuspendKind) String() string { return suspendNames[k] }

// A Suspend ends a block at a suspension point.
type Suspend struct {
	Kind   SuspendKind
	State  int // 1-based state number of the resume point
	Pos    token.Pos
	Arg    ast.Expr // the future (evaluated into Slot), the yielded value, or nil
	Slot   *Var     // where the future or stream is kept while suspended
	Dest   []ast.Expr
	Resume *Block
}

func (*Jump) term()        {}
func (*If) term()          {}
func (*Dispatch) term()    {}
func (*Return) term()      {}
func (*Unreachable) term() {}
func (*Terminated) term()  {}
func (*Suspend) term()     {}

// VarKind classifies hoisted variables.
type VarKind int

const (
	VParam VarKind = iota
	VResult
	VLocal
	VTemp
)

func (k VarKind) String() string {
	return [...]string{"param", "result", "local", "temp"}[k]
}

// A Var is a hoisted variable of the body.
type Var struct {
	Name      string // source name (temporaries: a made-up one)
	Type      types.Type
	Obj       *types.Var // nil for temporaries
	Kind      VarKind
	AddrTaken bool   // &x, x captured by a closure, x sliced, pointer-method call
	Decl      *Block // block of the declaration (nil for params/results)
	InCycle   bool   // declaration can run more than once per activation
	PerIter   bool   // a 3-clause for loop's variable: fresh each iteration
	Index     int
}

// Boxed reports whether each declaration needs fresh storage: the
// variable's address is taken and its declaration can run more than once.
func (v *Var) Boxed() bool { return v.AddrTaken && v.InCycle }

// IdentVar returns the hoisted variable id names (a temporary's synthetic
// identifier, or a use or definition of a hoisted variable), or nil.
func (fn *Func) IdentVar(id *ast.Ident) *Var {
	if v := fn.Temps[id]; v != nil {
		return v
	}
	if obj, ok := fn.Info.ObjectOf(id).(*types.Var); ok {
		return fn.VarOf[obj]
	}
	return nil
}

// Inspect walks n depth-first as ast.Inspect does, with the builder's
// rewrites applied: a node that was rewritten is visited, and then, if f
// returns true, its replacement statements are walked in place of its
// children. A synthetic statement (a Special) is visited, not entered.
// Every walk of verbatim code that must see what runs goes through it.
func (fn *Func) Inspect(n ast.Node, f func(ast.Node) bool) {
	ast.Inspect(n, func(m ast.Node) bool {
		if m == nil || !f(m) {
			return false
		}
		if _, ok := m.(Special); ok {
			return false
		}
		if r, ok := fn.Rewrites[m]; ok {
			for _, st := range r {
				fn.Inspect(st, f)
			}
			return false
		}
		return true
	})
}

// BranchOut reports whether s is a branch out of a verbatim statement the
// builder rewrote (a break, continue, goto or return that leaves it): what
// runs on the way (results set, cleanups), then the jump to the block it
// reaches.
func (fn *Func) BranchOut(s ast.Stmt) (way []ast.Stmt, to *Block, ok bool) {
	r, ok := fn.Rewrites[s]
	if !ok || len(r) == 0 {
		return nil, nil, false
	}
	if _, branch := s.(*ast.BranchStmt); !branch {
		if _, ret := s.(*ast.ReturnStmt); !ret {
			return nil, nil, false
		}
	}
	g, ok := r[len(r)-1].(*ast.BranchStmt)
	if !ok || g.Tok != token.GOTO || g.Label == nil || fn.Gotos[g.Label] == nil {
		return nil, nil, false
	}
	return r[:len(r)-1], fn.Gotos[g.Label], true
}
