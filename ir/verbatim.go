// This file keeps statements without suspensions whole, recording the
// rewrites of the branches, returns and defers inside them.

package ir

import (
	"go/ast"
	"go/token"
	"go/types"
)

// verbatim emits s unchanged but for the rewrites of its inner statements
// that leave it. own is the label of s itself, if any.
func (b *builder) verbatim(s ast.Stmt, own string) {
	inner := map[string]bool{}
	if own != "" {
		inner[own] = true
	}
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.LabeledStmt:
			inner[n.Label.Name] = true
		}
		return true
	})
	b.rewriteInner(s, inner, 0, 0)
	if own != "" {
		s = &ast.LabeledStmt{Label: ast.NewIdent(own), Stmt: s}
	}
	b.emit(s)
	if b.terminating(s) {
		// Control does not get past s: nothing may follow it in this block.
		b.setTerm(&Terminated{})
	}
}

// terminating reports whether s is a terminating statement in Go's sense,
// once its returns and outward branches are rewritten to gotos.
func (b *builder) terminating(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		_, rewritten := b.fn.Rewrites[s]
		return s.Tok == token.GOTO || rewritten
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				_, builtin := b.info.Uses[id].(*types.Builtin)
				return builtin && id.Name == "panic"
			}
		}
	case *ast.BlockStmt:
		for i := len(s.List) - 1; i >= 0; i-- {
			if _, empty := s.List[i].(*ast.EmptyStmt); !empty {
				return b.terminating(s.List[i])
			}
		}
	case *ast.IfStmt:
		return s.Else != nil && b.terminating(s.Body) && b.terminating(s.Else)
	case *ast.LabeledStmt:
		return b.terminating(s.Stmt)
	}
	return false
}

// rewriteInner walks the statements of a verbatim statement. breaks and
// loops count the enclosing breakable statements and loops inside it.
func (b *builder) rewriteInner(s ast.Stmt, inner map[string]bool, breaks, loops int) {
	walkList := func(list []ast.Stmt, br, lp int) {
		for _, st := range list {
			b.rewriteInner(st, inner, br, lp)
		}
	}
	switch s := s.(type) {
	case *ast.BranchStmt:
		switch {
		case s.Tok == token.FALLTHROUGH:
			return
		case s.Label != nil && inner[s.Label.Name]:
			return
		case s.Label == nil && s.Tok == token.BREAK && breaks > 0:
			return
		case s.Label == nil && s.Tok == token.CONTINUE && loops > 0:
			return
		}
		stmts, to := b.branchTarget(s)
		if to == nil {
			b.errorf(s.Pos(), "asyncgen cannot resolve %s", s.Tok)
			return
		}
		b.fn.Rewrites[s] = append(stmts, b.gotoStmt(to))
	case *ast.ReturnStmt:
		b.fn.Rewrites[s] = append(b.returnStmts(s, false), b.gotoStmt(b.fn.Exit))
	case *ast.DeferStmt:
		b.fn.HasDefer = true
		b.fn.Rewrites[s] = []ast.Stmt{&PushDefer{specialBase: newSpecialBase(), Call: s.Call}}
	case *ast.LabeledStmt:
		b.rewriteInner(s.Stmt, inner, breaks, loops)
	case *ast.BlockStmt:
		walkList(s.List, breaks, loops)
	case *ast.IfStmt:
		walkList(s.Body.List, breaks, loops)
		if s.Else != nil {
			b.rewriteInner(s.Else, inner, breaks, loops)
		}
	case *ast.ForStmt:
		walkList(s.Body.List, breaks+1, loops+1)
	case *ast.RangeStmt:
		walkList(s.Body.List, breaks+1, loops+1)
	case *ast.SwitchStmt:
		for _, c := range s.Body.List {
			walkList(c.(*ast.CaseClause).Body, breaks+1, loops)
		}
	case *ast.TypeSwitchStmt:
		for _, c := range s.Body.List {
			walkList(c.(*ast.CaseClause).Body, breaks+1, loops)
		}
	case *ast.SelectStmt:
		for _, c := range s.Body.List {
			walkList(c.(*ast.CommClause).Body, breaks+1, loops)
		}
	case *ast.CaseClause:
		walkList(s.Body, breaks, loops)
	case *ast.CommClause:
		walkList(s.Body, breaks, loops)
	}
}
