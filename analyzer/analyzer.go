// Package analyzer is asyncgen's checker as a go/analysis Analyzer, for
// go vet (go vet -vettool=$(which asyncgen-vet)), gopls and other drivers.
//
// It reports, on the package it is given:
//
//   - every error asyncgen reports on directives and markers, where the
//     tool would (it runs the same lowering, without writing anything);
//   - a directive whose body changed since its twin was generated (the
//     twin records a hash of the body), or that has no twin yet;
//   - a body of an async function called directly from inside an async or
//     stream body, where awaiting its constructor was meant: the call
//     blocks the executor;
//   - a future created and dropped: the value of a call that is a
//     runtime.Future (a task's handle aside), used as a statement or
//     assigned to _;
//   - blocking calls inside async and stream bodies — time.Sleep,
//     sync.Mutex and RWMutex locks, sync.WaitGroup.Wait, runtime.BlockOn,
//     sends, receives, selects without a default and ranges over Go
//     channels — naming the runtime's asynchronous alternative.
//
// A function literal or a go statement inside a body runs apart from the
// machine: what it does is not reported.
package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// Analyzer checks asyncgen's directives and bodies.
var Analyzer = &analysis.Analyzer{
	Name: "asyncgen",
	Doc:  "check asyncgen directives and the bodies they annotate\n\nReports what asyncgen would report, stale generated twins, bodies called where their constructors should be awaited, dropped futures, and blocking calls inside async bodies.",
	URL:  "https://pkg.go.dev/github.com/asyncgen/asyncgen/analyzer",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	if !usesAsyncgen(pass) {
		return nil, nil
	}
	refused := reportLowering(pass)
	bodies := annotated(pass)
	// A body the tool refuses is reported for that alone: no twin is
	// coming for it, and what it does otherwise waits on the fix. An
	// error outside every body (two bodies claiming one name, a package
	// the tool does not lower) holds up the package's twins: saying that
	// one is missing or stale would be noise.
	outside := false
	for _, p := range refused {
		in := false
		for fd := range bodies {
			start := fd.Pos()
			if fd.Doc != nil {
				start = fd.Doc.Pos()
			}
			if start <= p && p < fd.End() {
				delete(bodies, fd)
				in = true
				break
			}
		}
		outside = outside || !in
	}
	if !outside {
		reportStale(pass, bodies)
	}
	for fd, d := range bodies {
		if d.Kind != "gen" {
			checkBody(pass, fd, bodies)
		}
	}
	reportDropped(pass)
	return nil, nil
}

// usesAsyncgen reports whether the package has a directive or imports the
// runtime: others are left alone.
func usesAsyncgen(pass *analysis.Pass) bool {
	for _, imp := range pass.Pkg.Imports() {
		if imp.Path() == ir.RuntimePath {
			return true
		}
	}
	for _, f := range pass.Files {
		for _, g := range f.Comments {
			for _, c := range g.List {
				if strings.HasPrefix(c.Text, "//asyncgen:") {
					return true
				}
			}
		}
	}
	return false
}

// reportLowering runs the tool's lowering on the package, reports its
// errors and returns their positions.
func reportLowering(pass *analysis.Pass) (at []token.Pos) {
	pkg := &packages.Package{
		ID: pass.Pkg.Path(), Name: pass.Pkg.Name(), PkgPath: pass.Pkg.Path(),
		Fset: pass.Fset, Syntax: pass.Files, Types: pass.Pkg, TypesInfo: pass.TypesInfo,
	}
	_, diags := lower.Generate(pkg)
	for _, d := range diags {
		pos := position(pass, d.Pos)
		if pos.IsValid() {
			pass.Reportf(pos, "%s", d.Msg)
			at = append(at, pos)
		}
	}
	return at
}

// position finds p in the pass's files.
func position(pass *analysis.Pass, p token.Position) token.Pos {
	var pos token.Pos
	pass.Fset.Iterate(func(f *token.File) bool {
		if f.Name() == p.Filename && p.Offset <= f.Size() {
			pos = f.Pos(p.Offset)
			return false
		}
		return true
	})
	return pos
}

// annotated returns the package's annotated functions, outside generated
// files.
func annotated(pass *analysis.Pass) map[*ast.FuncDecl]lower.Directive {
	out := map[*ast.FuncDecl]lower.Directive{}
	for _, f := range pass.Files {
		if ast.IsGenerated(f) {
			continue
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
				if d, ok := lower.DirectiveOf(fd); ok {
					out[fd] = d
				}
			}
		}
	}
	return out
}

// reportStale reports directives whose twin is missing or was generated
// from another body.
func reportStale(pass *analysis.Pass, bodies map[*ast.FuncDecl]lower.Directive) {
	recorded := map[string]map[string]string{} // by twin file name
	for _, f := range pass.Files {
		name := pass.Fset.File(f.Pos()).Name()
		if ast.IsGenerated(f) {
			recorded[name] = lower.RecordedHashes(f)
		}
	}
	for fd, d := range bodies {
		src := pass.Fset.File(fd.Pos()).Name()
		twin := lower.TwinOf(src)
		key := d.Name
		if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
			key = lower.ConstructorKey(fn, d.Name)
		}
		hashes, ok := recorded[twin]
		switch {
		case !ok:
			pass.Reportf(fd.Name.Pos(), "%s has no generated twin (%s); run go generate", key, filepath.Base(twin))
		case hashes[key] == "":
			pass.Reportf(fd.Name.Pos(), "%s is not in %s yet; run go generate", key, filepath.Base(twin))
		case hashes[key] != lower.BodyHash(pass.Fset, fd, d.Kind, d.Name):
			pass.Reportf(fd.Name.Pos(), "the body of %s changed since %s was generated; run go generate", key, filepath.Base(twin))
		}
	}
}

// blocking names, by function, the runtime's asynchronous alternative to
// a call that blocks.
var blocking = map[string]string{
	"time.Sleep":                "await runtime.Sleep",
	"(*sync.Mutex).Lock":        "use a runtime.Mutex (await its Lock)",
	"(*sync.RWMutex).Lock":      "use a runtime.Mutex (await its Lock)",
	"(*sync.RWMutex).RLock":     "use a runtime.Mutex (await its Lock)",
	"(*sync.WaitGroup).Wait":    "use a runtime.Group (await its Wait)",
	"(*sync.Cond).Wait":         "use a runtime.Notify (await it)",
	ir.RuntimePath + ".BlockOn": "use runtime.Await",
}

// checkBody reports, in an async or stream body, direct calls of other
// async bodies and blocking operations.
func checkBody(pass *analysis.Pass, fd *ast.FuncDecl, bodies map[*ast.FuncDecl]lower.Directive) {
	byFunc := map[*types.Func]lower.Directive{}
	for b, d := range bodies {
		if fn, ok := pass.TypesInfo.Defs[b.Name].(*types.Func); ok {
			byFunc[fn] = d
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt:
			return false // runs apart from the machine
		case *ast.CallExpr:
			fn := typeutil.StaticCallee(pass.TypesInfo, n)
			if fn == nil {
				return true
			}
			if d, ok := byFunc[fn]; ok && d.Kind != "gen" {
				pass.Reportf(n.Pos(), "%s is the body of %s: called directly it blocks the executor; await its constructor (runtime.Await(%s(...)))", fn.Name(), d.Name, d.Name)
			}
			if alt, ok := blocking[fn.FullName()]; ok {
				pass.Reportf(n.Pos(), "%s blocks the executor in an async body; %s", fn.FullName(), alt)
			}
		case *ast.SendStmt:
			if isChan(pass, n.Chan) {
				pass.Reportf(n.Pos(), "a send on a Go channel blocks the executor in an async body; use a runtime.Chan (await its Send)")
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && isChan(pass, n.X) {
				pass.Reportf(n.Pos(), "a receive from a Go channel blocks the executor in an async body; use a runtime.Chan, or runtime.FromChan to await a Go channel")
			}
		case *ast.SelectStmt:
			for _, c := range n.Body.List {
				if c.(*ast.CommClause).Comm == nil {
					return false // a default: the select does not block
				}
			}
			pass.Reportf(n.Pos(), "a select on Go channels blocks the executor in an async body; await runtime.Select over runtime futures")
			return false
		case *ast.RangeStmt:
			if isChan(pass, n.X) {
				pass.Reportf(n.Pos(), "a range over a Go channel blocks the executor in an async body; range over runtime.ForAwait(runtime.FromChan(ch))")
			}
		}
		return true
	})
}

func isChan(pass *analysis.Pass, x ast.Expr) bool {
	t := pass.TypesInfo.TypeOf(x)
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

// reportDropped reports futures made and dropped.
func reportDropped(pass *analysis.Pass) {
	for _, f := range pass.Files {
		if ast.IsGenerated(f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ExprStmt:
				if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && isFuture(pass.TypesInfo.TypeOf(call)) && !initsInPlace(call) {
					pass.Reportf(call.Pos(), "the future %s returns is dropped: await, spawn or return it", describeCall(call))
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "_" && len(n.Rhs) == len(n.Lhs) {
						if call, ok := ast.Unparen(n.Rhs[i]).(*ast.CallExpr); ok && isFuture(pass.TypesInfo.TypeOf(call)) {
							pass.Reportf(call.Pos(), "the future %s returns is dropped: await, spawn or return it", describeCall(call))
						}
					}
				}
			}
			return true
		})
	}
}

// initsInPlace reports whether call is an Init method of the runtime's
// build-in-place protocol: it returns its receiver, which holds the future.
func initsInPlace(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && strings.HasPrefix(sel.Sel.Name, "Init")
}

func describeCall(call *ast.CallExpr) string {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return "the call"
}

// isFuture reports whether t has the method set of a runtime.Future:
// Poll(*runtime.Context) (T, bool). A task's handle (runtime.Task) is not
// counted: its task runs whether or not the handle is awaited.
func isFuture(t types.Type) bool {
	if t == nil {
		return false
	}
	if p, ok := t.(*types.Pointer); ok {
		if n, ok := p.Elem().(*types.Named); ok && n.Obj().Name() == "Task" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == ir.RuntimePath {
			return false
		}
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Poll")
	m, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := m.Type().(*types.Signature)
	if sig.Params().Len() != 1 || sig.Results().Len() != 2 {
		return false
	}
	p, ok := sig.Params().At(0).Type().(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := p.Elem().(*types.Named)
	return ok && named.Obj().Name() == "Context" && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == ir.RuntimePath &&
		types.Identical(sig.Results().At(1).Type(), types.Typ[types.Bool])
}
