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
				g.errorf(c.Pos(), "directive %s is not in the doc comment of a function declaration", strings.Fields(strings.TrimPrefix(c.Text, "//"))[0])
			}
		}
	}
	return out
}

// directiveKinds maps a directive's word to the kind of body it annotates.
var directiveKinds = map[string]ir.Kind{"asyncgen:async": ir.Async, "asyncgen:gen": ir.Gen, "asyncgen:stream": ir.Stream}

func (g *generator) parseDirective(c *ast.Comment, fd *ast.FuncDecl, file *ast.File) *directive {
	fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
	kind, ok := directiveKinds[fields[0]]
	if !ok {
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
	if !g.checkCollision(c, d) {
		return nil
	}
	return d
}

// checkCollision reports a constructor or machine type name that collides
// with a declaration of the package outside its generated files, or with a
// name that an earlier directive generates. It runs as the directive is
// parsed, so that no stub declares a name twice.
func (g *generator) checkCollision(c *ast.Comment, d *directive) bool {
	decls := g.sourceDecls()
	recvName := ""
	if r := d.sig.Recv(); r != nil {
		recvName = recvTypeName(r.Type())
	}
	self := generated{pos: c.Pos(), recv: recvName, name: d.name, typ: machineTypeName(d, recvName)}
	if recvName == "" {
		switch {
		case d.name == "init", d.name == "main" && g.pkg.Types.Name() == "main":
			g.errorf(c.Pos(), "%s cannot be the name of a constructor", d.name)
			return false
		case decls.pkg[d.name] != nil:
			g.errorf(c.Pos(), "%s collides with the %s at %s", d.name, declWord(decls.pkg[d.name]), g.fset.Position(decls.pkg[d.name].Pos()))
			return false
		}
	} else {
		if m := decls.methods[recvName+"."+d.name]; m != nil {
			g.errorf(c.Pos(), "%s collides with %s.%s declared at %s", d.name, recvName, d.name, g.fset.Position(m.Pos()))
			return false
		}
		obj, _, _ := types.LookupFieldOrMethod(d.sig.Recv().Type(), true, g.pkg.Types, d.name)
		if obj != nil && !g.inTwin(obj.Pos()) {
			g.errorf(c.Pos(), "%s collides with %s.%s declared at %s", d.name, recvName, d.name, g.fset.Position(obj.Pos()))
			return false
		}
	}
	if n := decls.pkg[self.typ]; n != nil {
		g.errorf(c.Pos(), "the machine type %s collides with the %s at %s", self.typ, declWord(n), g.fset.Position(n.Pos()))
		return false
	}
	for _, e := range g.allGenerated() {
		if !g.sourceBefore(e.pos, c.Pos()) {
			continue
		}
		switch {
		case e.recv == self.recv && e.name == self.name:
			g.errorf(c.Pos(), "%s is also generated for %s", self.ctor(), e.body)
		case e.typ == self.typ:
			g.errorf(c.Pos(), "the machine type %s of %s is also the machine type of %s", self.typ, self.ctor(), e.ctor())
		case e.recv == "" && e.name == self.typ:
			g.errorf(c.Pos(), "the machine type %s collides with the constructor generated for %s", self.typ, e.body)
		case self.recv == "" && self.name == e.typ:
			g.errorf(c.Pos(), "%s collides with the machine type of %s", self.name, e.ctor())
		default:
			continue
		}
		return false
	}
	return true
}

// generated is what one directive declares.
type generated struct {
	pos  token.Pos // of the directive
	body string    // the annotated function
	recv string    // the receiver's type name, for a method
	name string    // the constructor
	typ  string    // the machine type
}

func (e generated) ctor() string {
	if e.recv != "" {
		return e.recv + "." + e.name
	}
	return e.name
}

// allGenerated returns what every well-formed directive of the package
// declares, in source order.
func (g *generator) allGenerated() []generated {
	if g.generatedCache != nil {
		return *g.generatedCache
	}
	out := g.scanGenerated()
	g.generatedCache = &out
	return out
}

// scanGenerated computes allGenerated.
func (g *generator) scanGenerated() []generated {
	var out []generated
	for _, f := range g.pkg.Syntax {
		if g.inTwin(f.Pos()) {
			continue
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			obj, _ := g.info.Defs[fd.Name].(*types.Func)
			if obj == nil {
				continue
			}
			recvName := ""
			if r := obj.Type().(*types.Signature).Recv(); r != nil {
				recvName = recvTypeName(r.Type())
			}
			for _, c := range fd.Doc.List {
				fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
				if !strings.HasPrefix(c.Text, prefix) || len(fields) != 2 || !token.IsIdentifier(fields[1]) {
					continue
				}
				kind, ok := directiveKinds[fields[0]]
				if !ok {
					continue
				}
				d := &directive{kind: kind, name: fields[1]}
				out = append(out, generated{pos: c.Pos(), body: fd.Name.Name, recv: recvName, name: d.name, typ: machineTypeName(d, recvName)})
			}
		}
	}
	return out
}

// declSet holds the names declared outside generated files.
type declSet struct {
	pkg     map[string]ast.Node // package-level declarations and imports
	methods map[string]ast.Node // by receiver type name "." method name
}

// declWord names what kind of declaration n is.
func declWord(n ast.Node) string {
	if _, ok := n.(*ast.ImportSpec); ok {
		return "import"
	}
	return "declaration"
}

// sourceDecls returns the names declared in the files of the package that
// are not generated twins. It reads the syntax, not the package scope, so
// that a stale generated file declaring the same name does not hide the
// user's declaration.
func (g *generator) sourceDecls() declSet {
	if g.declCache != nil {
		return *g.declCache
	}
	ds := g.scanDecls()
	g.declCache = &ds
	return ds
}

// scanDecls computes sourceDecls.
func (g *generator) scanDecls() declSet {
	ds := declSet{pkg: map[string]ast.Node{}, methods: map[string]ast.Node{}}
	add := func(m map[string]ast.Node, name string, n ast.Node) {
		if name != "_" && m[name] == nil {
			m[name] = n
		}
	}
	for _, f := range g.pkg.Syntax {
		if g.inTwin(f.Pos()) {
			continue
		}
		for _, imp := range f.Imports {
			if imp.Name != nil {
				if imp.Name.Name != "." {
					add(ds.pkg, imp.Name.Name, imp)
				}
			} else if pn, ok := g.info.Implicits[imp].(*types.PkgName); ok {
				add(ds.pkg, pn.Name(), imp)
			}
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Recv == nil {
					if decl.Name.Name != "init" {
						add(ds.pkg, decl.Name.Name, decl.Name)
					}
				} else if base := recvBase(decl.Recv.List[0].Type); base != "" {
					add(ds.methods, base+"."+decl.Name.Name, decl.Name)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						add(ds.pkg, spec.Name.Name, spec.Name)
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							add(ds.pkg, n.Name, n)
						}
					}
				}
			}
		}
	}
	return ds
}

// recvBase returns the name of a receiver's base type.
func recvBase(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// inTwin reports whether pos lies in a generated twin of the package.
func (g *generator) inTwin(pos token.Pos) bool {
	if !pos.IsValid() {
		return false
	}
	tf := g.fset.File(pos)
	if tf == nil || !twinNamed(tf.Name()) {
		return false
	}
	for _, f := range g.pkg.Syntax {
		if g.fset.File(f.Pos()) == tf {
			return ast.IsGenerated(f)
		}
	}
	return false
}

var errorType = types.Universe.Lookup("error").Type()

// checkShape checks the signature against the directive's kind and
// records the machine's value type.
func (g *generator) checkShape(d *directive) bool {
	sig := d.sig
	res := sig.Results()
	ft := d.decl.Type
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
			g.errorf(ft.Results.Pos(), "an async body returns (), (T) or (T, error); %s returns %s", d.decl.Name.Name, g.typeString(res))
			return false
		}
		if d.value == nil {
			g.errorf(ft.Results.Pos(), "cannot instantiate runtime.Result[%s]", g.typeString(res.At(0).Type()))
			return false
		}
	case ir.Gen, ir.Stream:
		if res.Len() != 0 {
			g.errorf(ft.Results.Pos(), "a %s body returns nothing; %s returns %s", d.kind, d.decl.Name.Name, g.typeString(res))
			return false
		}
		ps := sig.Params()
		if ps.Len() == 0 {
			g.errorf(ft.Params.Pos(), "a %s body's last parameter is a named `yield func(T) bool`; %s has no parameters", d.kind, d.decl.Name.Name)
			return false
		}
		last := ps.At(ps.Len() - 1)
		y, ok := last.Type().Underlying().(*types.Signature)
		ok = ok && y.Params().Len() == 1 && y.Results().Len() == 1 &&
			types.Identical(y.Results().At(0).Type(), types.Typ[types.Bool]) && !sig.Variadic()
		if !ok || last.Name() == "" || last.Name() == "_" {
			t := g.typeString(last.Type())
			if sig.Variadic() {
				t = "..." + g.typeString(last.Type().(*types.Slice).Elem())
			}
			if last.Name() != "" {
				t = last.Name() + " " + t
			}
			g.errorf(lastParamPos(ft.Params), "a %s body's last parameter is a named `yield func(T) bool`; %s's is `%s`", d.kind, d.decl.Name.Name, t)
			return false
		}
		d.value = y.Params().At(0).Type()
	}
	return true
}

// lastParamPos returns the position of the last parameter of a list.
func lastParamPos(params *ast.FieldList) token.Pos {
	f := params.List[len(params.List)-1]
	if len(f.Names) > 0 {
		return f.Names[len(f.Names)-1].Pos()
	}
	return f.Type.Pos()
}

// typeString prints t (a type or a tuple) as the package's source would.
func (g *generator) typeString(t types.Type) string {
	return types.TypeString(t, types.RelativeTo(g.pkg.Types))
}

// resultOf returns runtime.Result[t]. A package whose bodies hold no
// marker need not import the runtime at all; Result is then declared as
// the runtime declares it, in a package of the runtime's path, so that it
// is still rendered with its type argument.
func (g *generator) resultOf(t types.Type) types.Type {
	rtp := g.rtPkg()
	obj, _ := rtp.Scope().Lookup("Result").(*types.TypeName)
	if obj == nil {
		obj = types.NewTypeName(token.NoPos, rtp, "Result", nil)
		tp := types.NewTypeParam(types.NewTypeName(token.NoPos, rtp, "T", nil), types.Universe.Lookup("any").Type())
		named := types.NewNamed(obj, nil, nil)
		named.SetTypeParams([]*types.TypeParam{tp})
		named.SetUnderlying(types.NewStruct([]*types.Var{
			types.NewField(token.NoPos, rtp, "Value", tp, false),
			types.NewField(token.NoPos, rtp, "Err", types.Universe.Lookup("error").Type(), false),
		}, nil))
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
				if id := calledIdent(n.Fun); id != nil {
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
			case *ast.SelectorExpr:
				if name := markerFunc(info.Uses[n.Sel]); name != "" && !callFuns[n.Sel] {
					g.errorf(n.Pos(), "%s.%s used other than by calling it", n.X, name)
					return false
				}
			case *ast.Ident:
				if callFuns[n] {
					break
				}
				if yield != nil && info.Uses[n] == yield {
					g.errorf(n.Pos(), "yield used other than by calling it")
				} else if name := markerFunc(info.Uses[n]); name != "" {
					g.errorf(n.Pos(), "%s used other than by calling it", name)
				}
			}
			return true
		})
	}
	walk(d.decl.Body, false)
}

// calledIdent returns the identifier that names the function of a call, or
// nil: f, pkg.f, f[T] and pkg.f[T].
func calledIdent(fun ast.Expr) *ast.Ident {
	fun = ast.Unparen(fun)
	switch x := fun.(type) {
	case *ast.IndexExpr:
		fun = ast.Unparen(x.X)
	case *ast.IndexListExpr:
		fun = ast.Unparen(x.X)
	}
	switch x := fun.(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// markerFunc returns the name of obj if it is one of the runtime's marker
// functions, or "".
func markerFunc(obj types.Object) string {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != ir.RuntimePath {
		return ""
	}
	switch fn.Name() {
	case "Await", "TryAwait", "ForAwait":
		return fn.Name()
	}
	return ""
}

// sourceBefore reports whether a comes before b in the package's source:
// by file name, then offset (a FileSet's positions follow the order files
// were parsed in, which the loader does not fix).
func (g *generator) sourceBefore(a, b token.Pos) bool {
	pa, pb := g.fset.Position(a), g.fset.Position(b)
	if pa.Filename != pb.Filename {
		return pa.Filename < pb.Filename
	}
	return pa.Offset < pb.Offset
}
