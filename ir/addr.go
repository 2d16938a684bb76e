// This file finds variables whose address is taken.

package ir

import (
	"go/ast"
	"go/token"
	"go/types"
)

// addrTaken marks every variable of the body whose address is taken
// explicitly (&x, &x.f, &a[i] of an array), implicitly (a pointer-method
// call or a slice of an addressable array) or by a closure capturing it.
func (b *builder) addrTaken(body *ast.BlockStmt) {
	b.addr = map[*types.Var]bool{}
	mark := func(e ast.Expr) {
		if v := rootVar(b.info, e); v != nil {
			b.addr[v] = true
		}
	}
	var walk func(n ast.Node, lit *ast.FuncLit)
	walk = func(n ast.Node, lit *ast.FuncLit) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				if n != lit {
					walk(n.Body, n)
					return false
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					mark(n.X)
				}
			case *ast.SliceExpr:
				if _, ok := under(b.info.TypeOf(n.X)).(*types.Array); ok {
					mark(n.X)
				}
			case *ast.SelectorExpr:
				if sel := b.info.Selections[n]; sel != nil && sel.Kind() != types.FieldVal {
					if sig, ok := sel.Obj().Type().(*types.Signature); ok && sig.Recv() != nil {
						if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
							if _, isPtr := under(b.info.TypeOf(n.X)).(*types.Pointer); !isPtr {
								mark(n.X)
							}
						}
					}
				}
			case *ast.RangeStmt:
				// range over an addressable array by value copies it: no address.
			case *ast.Ident:
				if lit != nil {
					if v, ok := b.info.Uses[n].(*types.Var); ok && !v.IsField() {
						if v.Pos() < lit.Pos() || v.Pos() > lit.End() {
							b.addr[v] = true
						}
					}
				}
			}
			return true
		})
	}
	walk(body, nil)
	for obj := range b.addr {
		if v := b.fn.VarOf[obj]; v != nil {
			v.AddrTaken = true
		}
	}
}

// rootVar returns the variable whose storage e denotes part of, or nil.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			if v == nil {
				v, _ = info.Defs[x].(*types.Var)
			}
			return v
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && !sel.Indirect() {
				if _, ptr := under(info.TypeOf(x.X)).(*types.Pointer); !ptr {
					e = x.X
					continue
				}
			}
			return nil
		case *ast.IndexExpr:
			if _, ok := under(info.TypeOf(x.X)).(*types.Array); ok {
				e = x.X
				continue
			}
			return nil
		case *ast.CompositeLit:
			return nil
		default:
			return nil
		}
	}
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if tp, ok := t.(*types.TypeParam); ok {
		// A type parameter's core type, if any.
		if it, ok := tp.Constraint().Underlying().(*types.Interface); ok && it.NumEmbeddeds() == 1 {
			e := it.EmbeddedType(0)
			if u, ok := e.(*types.Union); ok {
				// ~[]E, or terms that share their underlying type.
				var core types.Type
				for i := 0; i < u.Len(); i++ {
					ut := under(u.Term(i).Type())
					if core != nil && !types.Identical(core, ut) {
						return t
					}
					core = ut
				}
				if core == nil {
					return t
				}
				return core
			}
			return under(e)
		}
		return t
	}
	return t.Underlying()
}
