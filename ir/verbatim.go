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
		if last := lastStmt(s.List); last != nil {
			return b.terminating(last)
		}
	case *ast.IfStmt:
		return s.Else != nil && b.terminating(s.Body) && b.terminating(s.Else)
	case *ast.LabeledStmt:
		return b.terminatingLabeled(s.Stmt, s.Label.Name)
	case *ast.ForStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		return b.terminatingLabeled(s, "")
	}
	return false
}

// terminatingLabeled is terminating for a statement labeled label (or
// unlabeled): a for loop with no condition, a switch with a default clause
// and a select, none of them left by a break, whose clauses each end in a
// terminating statement (or, in a switch, fall through), as the Go
// specification defines it.
func (b *builder) terminatingLabeled(s ast.Stmt, label string) bool {
	switch s := s.(type) {
	case *ast.ForStmt:
		return s.Cond == nil && !b.breaksOut(s.Body, label)
	case *ast.SwitchStmt:
		return b.clausesTerminate(s.Body, label, true)
	case *ast.TypeSwitchStmt:
		return b.clausesTerminate(s.Body, label, true)
	case *ast.SelectStmt:
		return b.clausesTerminate(s.Body, label, false)
	}
	return b.terminating(s)
}

// clausesTerminate reports whether every clause of a switch or select body
// ends in a terminating statement (or a fallthrough) and none breaks out of
// it; a switch also needs a default clause.
func (b *builder) clausesTerminate(body *ast.BlockStmt, label string, needDefault bool) bool {
	hasDefault := false
	for _, c := range body.List {
		var list []ast.Stmt
		switch c := c.(type) {
		case *ast.CaseClause:
			list = c.Body
			hasDefault = hasDefault || c.List == nil
		case *ast.CommClause:
			list = c.Body
		}
		if b.breaksOut(&ast.BlockStmt{List: list}, label) {
			return false
		}
		last := lastStmt(list)
		if br, ok := last.(*ast.BranchStmt); ok && br.Tok == token.FALLTHROUGH {
			continue
		}
		if last == nil || !b.terminating(last) {
			return false
		}
	}
	return hasDefault || !needDefault
}

// lastStmt returns the last non-empty statement of list, or nil.
func lastStmt(list []ast.Stmt) ast.Stmt {
	for i := len(list) - 1; i >= 0; i-- {
		if _, empty := list[i].(*ast.EmptyStmt); !empty {
			return list[i]
		}
	}
	return nil
}

// breaksOut reports whether body holds a break that leaves the statement
// it belongs to: an unlabeled break outside any inner for, switch or
// select, or a break naming label. Breaks rewritten to leave further out
// are gotos, not breaks.
func (b *builder) breaksOut(body ast.Stmt, label string) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(n ast.Node, nested bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			if found {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if !nested {
					walk(n.(ast.Stmt), true)
					return false
				}
			case *ast.BranchStmt:
				if _, rewritten := b.fn.Rewrites[n]; rewritten || n.Tok != token.BREAK {
					return false
				}
				if n.Label == nil && !nested || n.Label != nil && n.Label.Name == label {
					found = true
				}
			}
			return true
		})
	}
	walk(body, false)
	return found
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
			b.errorf(s.Pos(), "cannot resolve the target of %s", Describe(s))
			return
		}
		b.fn.Rewrites[s] = []ast.Stmt{b.gotoStmt(b.trampoline(stmts, to))}
	case *ast.ReturnStmt:
		b.fn.Rewrites[s] = append(b.resultStmts(s, false), b.gotoStmt(b.trampoline(b.cleanups(), b.fn.Exit)))
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
