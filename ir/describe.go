// This file names syntax in messages as a Go programmer would.

package ir

import (
	"fmt"
	"go/ast"
	"go/token"
)

// Describe names the construct n in a message: "a select statement", "a
// composite literal", not the go/ast type.
func Describe(n ast.Node) string {
	switch n := n.(type) {
	case *ast.AssignStmt:
		if n.Tok == token.DEFINE {
			return "a short variable declaration"
		}
		return "an assignment"
	case *ast.BadStmt, *ast.BadExpr, *ast.BadDecl:
		return "malformed syntax"
	case *ast.BlockStmt:
		return "a block"
	case *ast.BranchStmt:
		return "a " + n.Tok.String() + " statement"
	case *ast.CaseClause:
		return "a case clause"
	case *ast.CommClause:
		return "a select case"
	case *ast.DeclStmt:
		return "a declaration"
	case *ast.DeferStmt:
		return "a defer statement"
	case *ast.EmptyStmt:
		return "an empty statement"
	case *ast.ExprStmt:
		return "an expression statement"
	case *ast.ForStmt:
		return "a for statement"
	case *ast.GoStmt:
		return "a go statement"
	case *ast.IfStmt:
		return "an if statement"
	case *ast.IncDecStmt:
		return "an " + n.Tok.String() + " statement"
	case *ast.LabeledStmt:
		return "a labeled statement"
	case *ast.RangeStmt:
		return "a range statement"
	case *ast.ReturnStmt:
		return "a return statement"
	case *ast.SelectStmt:
		return "a select statement"
	case *ast.SendStmt:
		return "a send statement"
	case *ast.SwitchStmt:
		return "a switch statement"
	case *ast.TypeSwitchStmt:
		return "a type switch"
	case *ast.ArrayType:
		return "an array type"
	case *ast.BasicLit:
		return "a literal"
	case *ast.BinaryExpr:
		return "a binary expression"
	case *ast.CallExpr:
		return "a call"
	case *ast.ChanType:
		return "a channel type"
	case *ast.CompositeLit:
		return "a composite literal"
	case *ast.Ellipsis:
		return "an ellipsis"
	case *ast.FuncLit:
		return "a function literal"
	case *ast.FuncType:
		return "a function type"
	case *ast.Ident:
		return "an identifier"
	case *ast.IndexExpr, *ast.IndexListExpr:
		return "an index expression"
	case *ast.InterfaceType:
		return "an interface type"
	case *ast.KeyValueExpr:
		return "a key-value pair"
	case *ast.MapType:
		return "a map type"
	case *ast.ParenExpr:
		return "a parenthesized expression"
	case *ast.SelectorExpr:
		return "a selector"
	case *ast.SliceExpr:
		return "a slice expression"
	case *ast.StarExpr:
		return "a pointer expression"
	case *ast.StructType:
		return "a struct type"
	case *ast.TypeAssertExpr:
		return "a type assertion"
	case *ast.UnaryExpr:
		return "a unary expression"
	}
	return fmt.Sprintf("this construct (%T)", n)
}
