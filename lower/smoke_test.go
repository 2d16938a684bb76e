package lower

import (
	"bytes"
	"go/ast"
	"go/types"
	"testing"

	"github.com/asyncgen/asyncgen/ir"
	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/go/packages"
)

// TestStdlibEmitSmoke lowers every function of some standard library
// packages as if it were an async body (it holds no markers, so nothing
// suspends and every statement goes through the go/ast → jennifer bridge),
// and checks that the lowering neither panics nor writes code that does not
// format. Skipped with -short.
func TestStdlibEmitSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("loads standard library packages")
	}
	pkgs, err := packages.Load(&packages.Config{Mode: LoadMode}, "strconv", "text/template/parse", "go/scanner", "encoding/csv", "net/url", "bufio")
	if err != nil {
		t.Fatal(err)
	}
	n, refused := 0, 0
	for _, pkg := range pkgs {
		g := &generator{pkg: pkg, info: pkg.TypesInfo, fset: pkg.Fset, twins: map[string]bool{}}
		for _, f := range pkg.Syntax {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				obj, _ := pkg.TypesInfo.Defs[fd.Name].(*types.Func)
				if obj == nil {
					continue
				}
				d := &directive{kind: ir.Async, name: "Smoke" + fd.Name.Name, decl: fd, file: f, sig: obj.Type().(*types.Signature)}
				before := len(g.diags)
				if !g.checkShape(d) {
					g.diags = g.diags[:before]
					continue
				}
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s: lowering panicked: %v", pkg.Fset.Position(fd.Pos()), p)
						}
					}()
					before := len(g.diags)
					g.prepare([]*directive{d})
					p := g.plans[d]
					if p == nil {
						refused++
						for _, x := range g.diags[before:] {
							t.Logf("refused: %s: %s", pkg.Fset.Position(x.pos), x.msg)
						}
						return
					}
					jf := jen.NewFilePathName(pkg.PkgPath, pkg.Name)
					before = len(g.diags)
					newEmitter(p).emit(jf)
					if len(g.diags) > before {
						return
					}
					var buf bytes.Buffer
					if err := jf.Render(&buf); err != nil {
						t.Errorf("%s: generated code does not format: %.300v", pkg.Fset.Position(fd.Pos()), err)
					}
					n++
				}()
			}
		}
	}
	if n < 300 {
		t.Fatalf("only %d functions lowered", n)
	}
	t.Logf("%d functions lowered, %d refused", n, refused)
}
