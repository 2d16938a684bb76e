// This file holds the synthetic statements and expressions the builder
// makes, which the lowering knows how to emit.

package ir

import (
	"go/ast"
	"go/types"
)

// A Special is a synthetic statement. Specials appear only at the top level
// of Block.Stmts and of Func.Rewrites, never nested in syntax.
type Special interface {
	ast.Stmt
	special()
}

type specialBase struct{ *ast.EmptyStmt }

func (specialBase) special() {}

// NewBox allocates fresh storage for Var at its declaration when the
// variable is boxed (see Var.Boxed); otherwise it does nothing.
type NewBox struct {
	specialBase
	Var *Var
}

// Rebox gives Var fresh storage holding its current value (Go 1.22
// per-iteration loop variables), when the variable is boxed.
type Rebox struct {
	specialBase
	Var *Var
}

// PushDefer pushes a deferred call on the machine's defer stack; the
// function value and arguments are evaluated now.
type PushDefer struct {
	specialBase
	Call *ast.CallExpr
}

// PushCleanup pushes Loop (a machine.Loop: the iterator a pull loop
// ranges over) on the machine's stack of loops and records its index in
// Slot, so that a panic passes through the iterator and a cancellation
// closes it.
type PushCleanup struct {
	specialBase
	Loop ast.Expr
	Slot *Var
}

// PopCleanup removes the entry pushed by the matching PushCleanup and
// closes the iterator: the loop is left normally.
type PopCleanup struct {
	specialBase
	Loop ast.Expr
	Slot *Var
}

func newSpecialBase() specialBase { return specialBase{&ast.EmptyStmt{Implicit: true}} }

// SynthExpr is what a placeholder identifier in Func.Exprs stands for.
type SynthExpr interface{ synth() }

// Zero is the zero value of Type.
type Zero struct{ Type types.Type }

// TypeExpr is Type written as an expression (for a conversion).
type TypeExpr struct{ Type types.Type }

// PkgName is the qualified identifier Path.Name.
type PkgName struct{ Path, Name string }

func (Zero) synth()     {}
func (TypeExpr) synth() {}
func (PkgName) synth()  {}
