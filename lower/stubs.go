// This file loads packages in two phases. Bodies may call constructors
// that asyncgen generates (awaiting another machine), so the package must
// type-check before its generated files exist or while they are stale: the
// second phase replaces every generated file by stubs of the declarations
// it will hold, made from the first phase's types.

package lower

import (
	"bytes"
	"go/ast"
	"os"
	"path/filepath"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/go/packages"
)

// Load loads the packages matching patterns, with generated files replaced
// by stubs of what they declare.
func Load(dir string, patterns ...string) ([]*packages.Package, error) {
	cfg := &packages.Config{Mode: LoadMode, Dir: dir}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	overlay := map[string][]byte{}
	for _, pkg := range pkgs {
		for path, src := range stubs(pkg) {
			overlay[path] = src
		}
	}
	if len(overlay) == 0 {
		return pkgs, nil
	}
	cfg.Overlay = overlay
	return packages.Load(cfg, patterns...)
}

// stubs returns, for each generated file of pkg, the stub that replaces it.
func stubs(pkg *packages.Package) map[string][]byte {
	if pkg.TypesInfo == nil || pkg.Types == nil {
		return nil
	}
	out := map[string][]byte{}
	g := &generator{pkg: pkg, info: pkg.TypesInfo, fset: pkg.Fset, twins: map[string]bool{}}
	sources := map[string]bool{}
	for _, f := range pkg.Syntax {
		path := pkg.Fset.File(f.Pos()).Name()
		if strings.HasSuffix(path, Suffix) && ast.IsGenerated(f) {
			g.twins[path] = true
			continue
		}
		sources[path] = true
		dirs := g.findDirectives(f)
		twin := strings.TrimSuffix(path, ".go") + Suffix
		if len(dirs) == 0 {
			continue
		}
		jf := jen.NewFilePathName(pkg.PkgPath, pkg.Name)
		jf.HeaderComment(Header)
		for _, d := range dirs {
			g.stub(jf, d)
		}
		var buf bytes.Buffer
		if err := jf.Render(&buf); err == nil {
			out[twin] = buf.Bytes()
		}
	}
	// A generated file whose source lost its directives, or is gone, is
	// blanked: it is about to be removed.
	dirs := map[string]bool{}
	for p := range sources {
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "*"+Suffix))
		for _, m := range matches {
			if _, ok := out[m]; ok {
				continue
			}
			src, err := os.ReadFile(m)
			if err == nil && IsGenerated(src) {
				out[m] = []byte(Header + "\n\npackage " + pkg.Name + "\n")
			}
		}
	}
	return out
}

// stub writes the declarations d will generate, with bodies that panic.
func (g *generator) stub(f *jen.File, d *directive) {
	defer func() { recover() }() // a malformed directive is reported by Generate
	recvName := ""
	if d.sig.Recv() != nil {
		recvName = recvTypeName(d.sig.Recv().Type())
	}
	fn := &ir.Func{Kind: d.kind, VarOf: map[*typesVar]*ir.Var{}}
	e := &emitter{d: d, info: g.info, pkg: g.pkg.Types, fn: fn, hoisted: map[typesObject]string{},
		typeName: machineTypeName(d, recvName), recv: "m", cx: "cx", names: map[*ir.Var]string{}}
	if tps := d.sig.RecvTypeParams(); tps != nil {
		for i := 0; i < tps.Len(); i++ {
			e.tparams = append(e.tparams, tps.At(i))
		}
	}
	if tps := d.sig.TypeParams(); tps != nil {
		for i := 0; i < tps.Len(); i++ {
			e.tparams = append(e.tparams, tps.At(i))
		}
	}
	if d.kind != ir.Async {
		fn.Yield = d.sig.Params().At(d.sig.Params().Len() - 1)
	}
	tdecl := jen.Type().Id(e.typeName)
	if len(e.tparams) > 0 {
		tdecl = tdecl.Types(e.typeParamDecls()...)
	}
	f.Add(tdecl.Struct(jen.Id("noCopy").Qual(rt, "NoCopy")))
	// Constructor with the body's parameters.
	var params []jen.Code
	sig := d.sig
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		if p == fn.Yield {
			continue
		}
		if sig.Variadic() && i == sig.Params().Len()-1 && fn.Yield == nil {
			params = append(params, jen.Op("...").Add(e.typ(p.Type().(*typesSlice).Elem())))
		} else {
			params = append(params, e.typ(p.Type()))
		}
	}
	ret := jen.Op("*").Add(e.machineType())
	panicBody := jen.Block(jen.Panic(jen.Lit("asyncgen: stub")))
	if r := sig.Recv(); r != nil {
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
	v := e.valueType()
	switch e.d.kind {
	case ir.Async:
		f.Func().Add(recv).Id("Poll").Params(jen.Op("*").Qual(rt, "Context")).Params(v, jen.Bool()).Add(body)
		f.Func().Add(recv).Id("Cancel").Params().Add(body)
	case ir.Gen:
		f.Func().Add(recv).Id("Next").Params().Params(v, jen.Bool()).Add(body)
		f.Func().Add(recv).Id("Close").Params().Add(body)
		f.Func().Add(recv).Id("All").Params().Qual("iter", "Seq").Types(v).Add(body)
	case ir.Stream:
		f.Func().Add(recv).Id("PollNext").Params(jen.Op("*").Qual(rt, "Context")).Params(v, jen.Qual(rt, "Status")).Add(body)
		f.Func().Add(recv).Id("Close").Params().Add(body)
	}
}
