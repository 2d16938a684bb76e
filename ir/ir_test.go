package ir_test

import (
	"bytes"
	"flag"
	"go/ast"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/ir"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const mode = packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedImports

// directives returns the annotated functions of a package in source order.
func directives(pkg *packages.Package) (out []struct {
	kind ir.Kind
	name string
	decl *ast.FuncDecl
}) {
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			for _, c := range fd.Doc.List {
				fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
				if len(fields) != 2 {
					continue
				}
				kinds := map[string]ir.Kind{"asyncgen:async": ir.Async, "asyncgen:gen": ir.Gen, "asyncgen:stream": ir.Stream}
				if k, ok := kinds[fields[0]]; ok {
					out = append(out, struct {
						kind ir.Kind
						name string
						decl *ast.FuncDecl
					}{k, fields[1], fd})
				}
			}
		}
	}
	return out
}

// TestGolden builds the graph of every annotated function in
// testdata/*.txtar and compares its dump with the archive's "want" file.
// The DOT form of each graph is checked to be well formed.
func TestGolden(t *testing.T) {
	archives := loadtest.Archives(t, filepath.Join(loadtest.RepoRoot(), "testdata", "ir"))
	dir := loadtest.Module(t, archives)
	pkgs, err := packages.Load(&packages.Config{Mode: mode, Dir: dir}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*packages.Package{}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		byName[strings.TrimPrefix(p.PkgPath, loadtest.ModulePath+"/")] = p
	}
	names := make([]string, 0, len(archives))
	for n := range archives {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			pkg := byName[name]
			if pkg == nil {
				t.Fatalf("package %s not loaded", name)
			}
			var buf bytes.Buffer
			for _, d := range directives(pkg) {
				fn := ir.Build(d.kind, d.name, d.decl, pkg.TypesInfo, pkg.Types)
				for _, e := range fn.Errors {
					t.Errorf("%s: %s", pkg.Fset.Position(e.Pos), e.Msg)
				}
				if err := fn.Check(); err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				if dot := fn.DOT(); !strings.HasPrefix(dot, "digraph") || !strings.HasSuffix(dot, "}\n") {
					t.Errorf("bad DOT for %s", d.name)
				}
				fn.Fprint(&buf, pkg.Fset, fn.Live())
				buf.WriteString("\n")
			}
			a := archives[name]
			if *update {
				loadtest.SetFile(a, "want", buf.Bytes())
				if err := os.WriteFile(filepath.Join(loadtest.RepoRoot(), "testdata", "ir", name+".txtar"), txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := loadtest.File(a, "want"); !bytes.Equal(want, buf.Bytes()) {
				t.Errorf("dump differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", buf.Bytes(), want)
			}
		})
	}
}

// TestStdlibSmoke builds the graph of every function of some standard
// library packages, decomposing every compound statement, and checks the
// invariants and that liveness runs.
func TestStdlibSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("loads standard library packages")
	}
	pkgs, err := packages.Load(&packages.Config{Mode: mode}, "fmt", "strconv", "go/parser", "go/printer", "encoding/json",
		"regexp/syntax", "text/template/parse", "compress/flate", "math/big", "time", "bufio", "sort", "strings", "net/url", "archive/tar")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pkg := range pkgs {
		for _, f := range pkg.Syntax {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				if pkg.TypesInfo.Defs[fd.Name] == nil {
					continue
				}
				fn := ir.BuildOpts(ir.Async, "F", fd, pkg.TypesInfo, pkg.Types, ir.Options{SplitAll: true})
				if err := fn.Check(); err != nil {
					t.Errorf("%s: %v", pkg.Fset.Position(fd.Pos()), err)
				}
				fn.Live()
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d functions built", n)
	}
	t.Logf("%d functions", n)
}

// The checker reports each violation it is given, every one of them.
func TestCheckReports(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a package")
	}
	dir := loadtest.Module(t, map[string]*txtar.Archive{"c": txtar.Parse([]byte(`
-- c.go --
package c

import "github.com/asyncgen/asyncgen/runtime"

func f(int) runtime.Future[int] { return nil }
func h() int                    { return 0 }

//asyncgen:async G
func g(x int) int {
	return h() + runtime.Await(f(x))
}
`))})
	pkgs, err := packages.Load(&packages.Config{Mode: mode, Dir: dir}, "./c")
	if err != nil || len(pkgs) != 1 || len(pkgs[0].Errors) > 0 {
		t.Fatalf("load: %v %v", err, pkgs)
	}
	d := directives(pkgs[0])[0]
	fn := ir.Build(d.kind, d.name, d.decl, pkgs[0].TypesInfo, pkgs[0].Types)
	if err := fn.Check(); err != nil {
		t.Fatal(err)
	}
	// The entry evaluates h() into a temporary before it suspends: drop
	// that assignment.
	entry := fn.Blocks[0]
	if len(entry.Stmts) == 0 {
		t.Fatalf("entry has no statement:\n%s", fn)
	}
	saved := entry.Stmts
	entry.Stmts = entry.Stmts[1:]
	if err := fn.Check(); err == nil || !strings.Contains(err.Error(), "temporary t may be read before it is assigned") {
		t.Errorf("check without the assignment: %v", err)
	}
	entry.Stmts = saved
	// Repeat an edge.
	exit := fn.Exit
	exit.Preds = append(exit.Preds, exit.Preds[0])
	if err := fn.Check(); err == nil || !strings.Contains(err.Error(), "is a predecessor of block 2 2 times") {
		t.Errorf("check with a repeated edge: %v", err)
	}
}
