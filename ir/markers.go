// This file recognises the markers of the asyncgen contract in typed syntax.

package ir

import (
	"go/ast"
	"go/types"
)

// RuntimePath is the import path of the runtime package.
const RuntimePath = "github.com/asyncgen/asyncgen/runtime"

// MachinePath is the import path of the package of the helpers only
// generated code calls, and MachineName its name.
const (
	MachinePath = RuntimePath + "/machine"
	MachineName = "machine"
)

// Marker is the kind of a marker call.
type Marker int

const (
	NoMarker Marker = iota
	MAwait
	MTryAwait
	MForAwait
	MYield
)

// MarkerOf reports which marker call e is, given the yield parameter (or nil).
func MarkerOf(info *types.Info, yield *types.Var, e ast.Expr) Marker {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return NoMarker
	}
	fun := ast.Unparen(call.Fun)
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	} else if ix, ok := fun.(*ast.IndexListExpr); ok {
		fun = ix.X
	}
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return NoMarker
	}
	obj := info.Uses[id]
	if obj == nil {
		return NoMarker
	}
	if yield != nil && obj == yield {
		return MYield
	}
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != RuntimePath {
		return NoMarker
	}
	switch fn.Name() {
	case "Await":
		return MAwait
	case "TryAwait":
		return MTryAwait
	case "ForAwait":
		return MForAwait
	}
	return NoMarker
}

// ContainsMarker reports whether n contains a marker call outside function
// literals.
func ContainsMarker(info *types.Info, yield *types.Var, n ast.Node) bool {
	return anyOutsideLits(n, func(n ast.Node) bool {
		return MarkerOf(info, yield, asExpr(n)) != NoMarker
	})
}

func asExpr(n ast.Node) ast.Expr {
	e, _ := n.(ast.Expr)
	return e
}

// anyOutsideLits reports whether pred holds for a node of n outside the
// function literals in it (whose frames are not the body's).
func anyOutsideLits(n ast.Node, pred func(ast.Node) bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if found {
			return false
		}
		if _, lit := n.(*ast.FuncLit); lit {
			return false
		}
		if n != nil && pred(n) {
			found = true
		}
		return !found
	})
	return found
}
