// This file finds and checks the directives and the shape of their bodies.

package lower

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
)

// A directive is one annotated function.
type directive struct {
	kind  ir.Kind
	name  string // the constructor
	decl  *ast.FuncDecl
	sig   *types.Signature
	value types.Type // T of Future[T], Iterator[T], AsyncIterator[T]
	file  *ast.File
	used  map[string]bool
}

const prefix = "//asyncgen:"

// findDirectives returns the directives of file, reporting malformed ones.
func (g *generator) findDirectives(file *ast.File) []*directive {
	var out []*directive
	attached := map[*ast.Comment]bool{}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Doc == nil {
			continue
		}
		for _, c := range fd.Doc.List {
			if !strings.HasPrefix(c.Text, prefix) {
				continue
			}
			attached[c] = true
			if dir := g.parseDirective(c, fd, file); dir != nil {
				out = append(out, dir)
			}
		}
	}
	for _, cg := range file.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, prefix) && !attached[c] {
				g.errorf(c.Pos(), "directive %s is not in the doc comment of a function declaration", strings.Fields(c.Text)[0])
			}
		}
	}
	return out
}

func (g *generator) parseDirective(c *ast.Comment, fd *ast.FuncDecl, file *ast.File) *directive {
	fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
	var kind ir.Kind
	switch fields[0] {
	case "asyncgen:async":
		kind = ir.Async
	case "asyncgen:gen":
		kind = ir.Gen
	case "asyncgen:stream":
		kind = ir.Stream
	default:
		g.errorf(c.Pos(), "unknown directive %s (want asyncgen:async, asyncgen:gen or asyncgen:stream)", fields[0])
		return nil
	}
	if len(fields) != 2 || !token.IsIdentifier(fields[1]) || fields[1] == "_" {
		g.errorf(c.Pos(), "%s needs exactly one argument, the name of the constructor to generate", fields[0])
		return nil
	}
	d := &directive{kind: kind, name: fields[1], decl: fd, file: file}
	obj, _ := g.info.Defs[fd.Name].(*types.Func)
	if obj == nil {
		g.errorf(fd.Pos(), "no type information for %s", fd.Name.Name)
		return nil
	}
	d.sig = obj.Type().(*types.Signature)
	if fd.Body == nil {
		g.errorf(fd.Pos(), "%s has no body", fd.Name.Name)
		return nil
	}
	if !g.checkShape(d) {
		return nil
	}
	return d
}

var errorType = types.Universe.Lookup("error").Type()

// checkShape checks the signature against the directive's kind and
// records the machine's value type.
func (g *generator) checkShape(d *directive) bool {
	sig := d.sig
	res := sig.Results()
	switch d.kind {
	case ir.Async:
		switch {
		case res.Len() == 0:
			d.value = types.NewStruct(nil, nil)
		case res.Len() == 1:
			d.value = res.At(0).Type()
		case res.Len() == 2 && types.Identical(res.At(1).Type(), errorType):
			d.value = g.resultOf(res.At(0).Type())
		default:
			g.errorf(d.decl.Type.Pos(), "an async body returns (), (T) or (T, error); %s returns %s", d.decl.Name.Name, res)
			return false
		}
		if d.value == nil {
			return false
		}
	case ir.Gen, ir.Stream:
		if res.Len() != 0 {
			g.errorf(d.decl.Type.Pos(), "a %s body returns nothing; %s returns %s", d.kind, d.decl.Name.Name, res)
			return false
		}
		ps := sig.Params()
		ok := ps.Len() > 0
		var elem types.Type
		if ok {
			y, isSig := ps.At(ps.Len() - 1).Type().Underlying().(*types.Signature)
			ok = isSig && y.Params().Len() == 1 && y.Results().Len() == 1 &&
				types.Identical(y.Results().At(0).Type(), types.Typ[types.Bool]) && !sig.Variadic()
			if ok {
				elem = y.Params().At(0).Type()
			}
		}
		if !ok || ps.At(ps.Len()-1).Name() == "" || ps.At(ps.Len()-1).Name() == "_" {
			g.errorf(d.decl.Type.Pos(), "a %s body's last parameter is a named `yield func(T) bool`", d.kind)
			return false
		}
		d.value = elem
	}
	return true
}

// resultOf returns runtime.Result[t].
func (g *generator) resultOf(t types.Type) types.Type {
	rtp := g.rtPkg()
	obj, _ := rtp.Scope().Lookup("Result").(*types.TypeName)
	if obj == nil {
		return types.NewNamed(types.NewTypeName(token.NoPos, rtp, "Result", nil), types.NewStruct(nil, nil), nil)
	}
	inst, err := types.Instantiate(nil, obj.Type(), []types.Type{t}, false)
	if err != nil {
		return nil
	}
	return inst
}

// rtPkg returns the runtime package as the loaded package sees it.
func (g *generator) rtPkg() *types.Package {
	for _, imp := range g.pkg.Types.Imports() {
		if imp.Path() == ir.RuntimePath {
			return imp
		}
	}
	if g.pkg.Types.Path() == ir.RuntimePath {
		return g.pkg.Types
	}
	return types.NewPackage(ir.RuntimePath, "runtime")
}

// checkMarkers reports markers where they cannot be lowered.
func (g *generator) checkMarkers(d *directive) {
	var yield *types.Var
	if d.kind != ir.Async {
		yield = d.sig.Params().At(d.sig.Params().Len() - 1)
	}
	info := g.info
	callFuns := map[*ast.Ident]bool{}
	var walk func(n ast.Node, inLit bool)
	walk = func(n ast.Node, inLit bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				if !inLit {
					walk(n.Body, true)
					return false
				}
			case *ast.CallExpr:
				if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
					callFuns[id] = true
				}
				m := ir.MarkerOf(info, yield, n)
				if m == ir.NoMarker {
					break
				}
				name := map[ir.Marker]string{ir.MAwait: "Await", ir.MTryAwait: "TryAwait", ir.MForAwait: "ForAwait", ir.MYield: "yield"}[m]
				if inLit {
					g.errorf(n.Pos(), "%s inside a function literal: the literal's frame is not part of the machine (make it an annotated function)", name)
				} else if d.kind == ir.Gen && m != ir.MYield {
					g.errorf(n.Pos(), "%s in a gen body: a generator cannot suspend on a future (use asyncgen:stream)", name)
				}
			case *ast.Ident:
				if yield != nil && info.Uses[n] == yield && !callFuns[n] {
					g.errorf(n.Pos(), "yield used other than by calling it")
				}
			}
			return true
		})
	}
	walk(d.decl.Body, false)
}
