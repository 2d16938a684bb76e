// This file loads packages in two phases. Bodies may call constructors
// that asyncgen generates (awaiting another machine), so the package must
// type-check before its generated files exist or while they are stale: the
// second phase replaces every generated file by stubs of the declarations
// it will hold, made from the first phase's types.

package lower

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/go/packages"
)

// Load loads the packages matching patterns with their tests (test mains
// left out), with generated files replaced by stubs of what they declare.
func Load(dir string, patterns ...string) ([]*packages.Package, error) {
	return LoadTags(dir, "", patterns...)
}

// LoadTags is Load with the build tags tags (a comma-separated list, as
// for go build -tags) set.
func LoadTags(dir, tags string, patterns ...string) ([]*packages.Package, error) {
	cfg := &packages.Config{Mode: LoadMode, Dir: dir, Tests: true}
	if tags != "" {
		cfg.BuildFlags = []string{"-tags=" + tags}
	}
	load := func() ([]*packages.Package, error) {
		pkgs, err := packages.Load(cfg, patterns...)
		return slices.DeleteFunc(pkgs, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") }), err
	}
	q := loadQuick(*cfg, patterns)
	if q.state == quickClean {
		return q.pkgs, nil
	}
	var pkgs []*packages.Package
	if q.state == quickTypeErrors {
		// The named packages parse and their dependencies are sound but
		// outside the main module: stubbing needs the roots alone.
		pkgs = q.pkgs
	} else {
		var err error
		if pkgs, err = load(); err != nil {
			return nil, err
		}
		// When everything type-checks, the generated files present declare
		// what the bodies use with the types they have: generate from this load.
		clean := true
		packages.Visit(pkgs, nil, func(p *packages.Package) {
			if len(p.Errors) > 0 {
				clean = false
			}
		})
		if clean {
			return pkgs, nil
		}
		// Stubbing needs the syntax of the module's packages among the
		// dependencies too: load them from source this once.
		cfg.Mode |= packages.NeedDeps
		if pkgs, err = load(); err != nil {
			return nil, err
		}
		cfg.Mode &^= packages.NeedDeps
	}
	overlay := map[string][]byte{}
	var stale []string
	// The packages of the main module among the dependencies are stubbed
	// too: a body may await the constructors of another package of the
	// module whose twins are not generated yet (go generate ./... from a
	// clean checkout runs the packages in any order).
	packages.Visit(pkgs, nil, func(pkg *packages.Package) {
		if pkg.Module == nil || !pkg.Module.Main {
			return
		}
		stubbed, old := stubs(pkg)
		for path, src := range stubbed {
			overlay[path] = src
		}
		stale = append(stale, old...)
	})
	// A generated file whose source lost its directives, or is gone, is
	// blanked, keeping its package clause: it is about to be removed.
	for _, path := range stale {
		if _, ok := overlay[path]; ok {
			continue // another variant of the package stubs it
		}
		if src, err := os.ReadFile(path); err == nil && IsGenerated(src) {
			if f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly); err == nil {
				overlay[path] = []byte(Header + "\n\npackage " + f.Name.Name + "\n")
			}
		}
	}
	if len(overlay) == 0 {
		return pkgs, nil
	}
	cfg.Overlay = overlay
	if q.state == quickTypeErrors {
		if q := loadQuick(*cfg, patterns); q.state != quickRefused {
			return q.pkgs, nil
		}
	}
	return load()
}

// stubs returns, for each generated file of pkg, the stub that replaces
// it, and the generated files beside pkg's sources that none of them is
// the twin of.
func stubs(pkg *packages.Package) (out map[string][]byte, stale []string) {
	if pkg.TypesInfo == nil || pkg.Types == nil {
		return nil, nil
	}
	out = map[string][]byte{}
	g := &generator{pkg: pkg, info: pkg.TypesInfo, fset: pkg.Fset, twins: map[string]bool{}}
	sources := map[string]bool{}
	for _, f := range pkg.Syntax {
		path := pkg.Fset.File(f.Pos()).Name()
		if twinNamed(path) && ast.IsGenerated(f) {
			g.twins[path] = true
			continue
		}
		sources[path] = true
		dirs := g.findDirectives(f)
		twin := TwinOf(path)
		if len(dirs) == 0 {
			continue
		}
		jf := jen.NewFilePathName(pkg.PkgPath, pkg.Name)
		jf.HeaderComment(Header)
		g.importMachine(jf)
		for _, d := range dirs {
			g.stub(jf, d)
		}
		if src, err := os.ReadFile(twin); err == nil && !IsGenerated(src) {
			continue // a hand-written file in the twin's place: Generate reports it
		}
		var buf bytes.Buffer
		if err := jf.Render(&buf); err == nil {
			out[twin] = buf.Bytes()
		} else if debugStubs {
			panic(err)
		}
	}
	dirs := map[string]bool{}
	for p := range sources {
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "*"+Suffix))
		tests, _ := filepath.Glob(filepath.Join(d, "*"+TestSuffix))
		for _, m := range append(matches, tests...) {
			if _, ok := out[m]; !ok {
				stale = append(stale, m)
			}
		}
	}
	return out, stale
}

// stub writes the declarations d will generate, with bodies that panic.
func (g *generator) stub(f *jen.File, d *directive) {
	defer func() {
		if p := recover(); p != nil && debugStubs {
			panic(p)
		}
	}() // a malformed directive is reported by Generate
	recvName := ""
	if d.sig.Recv() != nil {
		recvName = recvTypeName(d.sig.Recv().Type())
	}
	fn := &ir.Func{Kind: d.kind, VarOf: map[*types.Var]*ir.Var{}}
	e := newEmitter(&plan{d: d, info: g.info, pkg: g.pkg.Types, fn: fn, hoisted: map[types.Object]string{},
		typeName: machineTypeName(d, recvName), recv: "m", cx: "cx", names: map[*ir.Var]string{}})
	e.tparams = typeParams(d.sig)
	if d.kind != ir.Async {
		fn.Yield = d.sig.Params().At(d.sig.Params().Len() - 1)
	}
	tdecl := jen.Type().Id(e.typeName)
	if len(e.tparams) > 0 {
		tdecl = tdecl.Types(e.typeParamDecls()...)
	}
	f.Add(tdecl.Struct(jen.Id("noCopy").Qual(mc, "NoCopy")))
	// Constructor with the body's parameters.
	var params []jen.Code
	fields := d.decl.Type.Params.List
	if d.kind != ir.Async && len(fields) > 0 {
		last := fields[len(fields)-1]
		if len(last.Names) > 1 {
			fields = append(fields[:len(fields)-1:len(fields)-1], &ast.Field{Names: last.Names[:len(last.Names)-1], Type: last.Type})
		} else {
			fields = fields[:len(fields)-1]
		}
	}
	for _, fl := range fields {
		for range max(1, len(fl.Names)) {
			params = append(params, synType(fl.Type, d.file))
		}
	}
	e.stubValue = g.stubValue(d)
	ret := jen.Op("*").Add(e.machineType())
	panicBody := jen.Block(jen.Panic(jen.Lit("asyncgen: stub")))
	if d.sig.Recv() != nil {
		f.Func().Params(e.recvTypeExpr(d.decl.Recv.List[0].Type)).Id(d.name).Params(params...).Add(ret).Add(panicBody)
	} else {
		c := f.Func().Id(d.name)
		if len(e.tparams) > 0 {
			c.Types(e.typeParamDecls()...)
		}
		c.Params(params...).Add(ret).Add(panicBody)
	}
	e.emitMethodStubs(f, panicBody)
}

// emitMethodStubs writes the machine's methods with the given body.
func (e *emitter) emitMethodStubs(f *jen.File, body jen.Code) {
	recv := jen.Params(jen.Op("*").Add(e.machineType()))
	v := e.stubValue
	switch e.d.kind {
	case ir.Async:
		f.Func().Add(recv).Id("Poll").Params(jen.Op("*").Qual(rt, "Context")).Params(v, jen.Bool()).Add(body)
		f.Func().Add(recv).Id("Cancel").Params().Add(body)
	case ir.Gen:
		f.Func().Add(recv).Id("Next").Params().Params(v, jen.Bool()).Add(body)
		f.Func().Add(recv).Id("Close").Params().Add(body)
		f.Func().Add(recv).Id("ClosePanicking").Params(jen.Id("p").Any()).Any().Add(body)
		f.Func().Add(recv).Id("All").Params().Qual("iter", "Seq").Types(v).Add(body)
	case ir.Stream:
		f.Func().Add(recv).Id("PollNext").Params(jen.Op("*").Qual(rt, "Context")).Params(v, jen.Qual(rt, "Status")).Add(body)
		f.Func().Add(recv).Id("Close").Params().Add(body)
	}
}

var debugStubs = os.Getenv("ASYNCGEN_DEBUG_STUBS") != ""

// stubValue renders, from syntax, the type of the values of d's machine.
func (g *generator) stubValue(d *directive) jen.Code {
	ft := d.decl.Type
	switch d.kind {
	case ir.Async:
		var rs []ast.Expr
		if ft.Results != nil {
			for _, f := range ft.Results.List {
				for range max(1, len(f.Names)) {
					rs = append(rs, f.Type)
				}
			}
		}
		switch len(rs) {
		case 0:
			return jen.Struct()
		case 1:
			return synType(rs[0], d.file)
		default:
			return jen.Qual(rt, "Result").Types(synType(rs[0], d.file))
		}
	}
	last := ft.Params.List[len(ft.Params.List)-1]
	if yt, ok := last.Type.(*ast.FuncType); ok && len(yt.Params.List) == 1 {
		return synType(yt.Params.List[0].Type, d.file)
	}
	return jen.Any()
}

// synType renders a type expression from syntax alone: the stubs are made
// before the package type-checks, when types that name generated
// declarations are still invalid. Package names resolve through the file's
// imports.
func synType(x ast.Expr, file *ast.File) jen.Code {
	switch x := x.(type) {
	case *ast.Ident:
		return jen.Id(x.Name)
	case *ast.ParenExpr:
		return synType(x.X, file)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			for _, imp := range file.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				name := path[strings.LastIndex(path, "/")+1:]
				if imp.Name != nil {
					name = imp.Name.Name
				}
				if name == id.Name {
					return jen.Qual(path, x.Sel.Name)
				}
			}
		}
		return jen.Add(synType(x.X, file)).Dot(x.Sel.Name)
	case *ast.StarExpr:
		return jen.Op("*").Add(synType(x.X, file))
	case *ast.ArrayType:
		if x.Len == nil {
			return jen.Index().Add(synType(x.Elt, file))
		}
		if lit, ok := x.Len.(*ast.BasicLit); ok {
			return jen.Index(jen.Id(lit.Value)).Add(synType(x.Elt, file))
		}
		return jen.Index(synType(x.Len, file)).Add(synType(x.Elt, file))
	case *ast.MapType:
		return jen.Map(synType(x.Key, file)).Add(synType(x.Value, file))
	case *ast.ChanType:
		switch x.Dir {
		case ast.SEND:
			return jen.Chan().Op("<-").Add(synType(x.Value, file))
		case ast.RECV:
			return jen.Op("<-").Chan().Add(synType(x.Value, file))
		}
		return jen.Chan().Add(synType(x.Value, file))
	case *ast.Ellipsis:
		return jen.Op("...").Add(synType(x.Elt, file))
	case *ast.IndexExpr:
		return jen.Add(synType(x.X, file)).Types(synType(x.Index, file))
	case *ast.IndexListExpr:
		var ts []jen.Code
		for _, i := range x.Indices {
			ts = append(ts, synType(i, file))
		}
		return jen.Add(synType(x.X, file)).Types(ts...)
	case *ast.FuncType:
		var ps, rs []jen.Code
		for _, f := range x.Params.List {
			for range max(1, len(f.Names)) {
				ps = append(ps, synType(f.Type, file))
			}
		}
		if x.Results != nil {
			for _, f := range x.Results.List {
				for range max(1, len(f.Names)) {
					rs = append(rs, synType(f.Type, file))
				}
			}
		}
		c := jen.Func().Params(ps...)
		switch len(rs) {
		case 0:
		case 1:
			c = c.Add(rs[0])
		default:
			c = c.Params(rs...)
		}
		return c
	case *ast.InterfaceType:
		if len(x.Methods.List) == 0 {
			return jen.Interface()
		}
	case *ast.StructType:
		if len(x.Fields.List) == 0 {
			return jen.Struct()
		}
	}
	return jen.Any()
}
