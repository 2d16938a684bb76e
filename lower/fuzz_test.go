package lower_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/analysis/passes/assign"
	"golang.org/x/tools/go/analysis/passes/atomic"
	"golang.org/x/tools/go/analysis/passes/bools"
	"golang.org/x/tools/go/analysis/passes/composite"
	"golang.org/x/tools/go/analysis/passes/copylock"
	"golang.org/x/tools/go/analysis/passes/defers"
	"golang.org/x/tools/go/analysis/passes/errorsas"
	"golang.org/x/tools/go/analysis/passes/ifaceassert"
	"golang.org/x/tools/go/analysis/passes/loopclosure"
	"golang.org/x/tools/go/analysis/passes/lostcancel"
	"golang.org/x/tools/go/analysis/passes/nilfunc"
	"golang.org/x/tools/go/analysis/passes/printf"
	"golang.org/x/tools/go/analysis/passes/shift"
	"golang.org/x/tools/go/analysis/passes/stdmethods"
	"golang.org/x/tools/go/analysis/passes/stringintconv"
	"golang.org/x/tools/go/analysis/passes/structtag"
	"golang.org/x/tools/go/analysis/passes/unmarshal"
	"golang.org/x/tools/go/analysis/passes/unreachable"
	"golang.org/x/tools/go/analysis/passes/unsafeptr"
	"golang.org/x/tools/go/analysis/passes/unusedresult"
	"golang.org/x/tools/go/packages"
)

// The fuzz targets type-check in memory: one file set and one importer
// (which reads export data and caches what it imported) serve every input.
var (
	fuzzMu   sync.Mutex
	fuzzFset = token.NewFileSet()
	fuzzImp  = importer.ForCompiler(fuzzFset, "gc", exportData)
	exports  = map[string]string{}
)

// exportData opens the export data of the package at path, which go list
// finds (and builds) once per path.
func exportData(path string) (io.ReadCloser, error) {
	if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") && !strings.HasPrefix(path, "github.com/asyncgen/asyncgen/") {
		return nil, fmt.Errorf("%s is neither in the standard library nor in this module", path)
	}
	file, ok := exports[path]
	if !ok {
		out, err := exec.Command("go", "list", "-export", "-f", "{{.Export}}", path).Output()
		if err != nil {
			return nil, fmt.Errorf("go list %s: %v", path, err)
		}
		file = strings.TrimSpace(string(out))
		exports[path] = file
	}
	if file == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	return os.Open(file)
}

// FuzzGenerate gives the tool a whole source file. Whatever the file, the
// tool must not panic (nor report an internal error, a panic it caught);
// every error it reports is positioned; and when it reports none, what it
// writes is gofmt'd and type-checks together with the file. The seeds are
// the golden archives' sources and the conformance bodies.
func FuzzGenerate(f *testing.F) {
	for _, src := range fuzzSeeds(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkGenerate(t, src)
	})
}

// bodyTemplate wraps a body in a file and a function of each kind.
const bodyTemplate = `package p

import (
	"errors"
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

var _ = errors.New
var _ = fmt.Sprint

func ready[T any](v T) runtime.Future[T] { return runtime.Ready(v) }

//asyncgen:%s F
func f(n int, s []string, fut runtime.Future[int]%s) %s {
%s
}
`

// FuzzBody gives the tool a function body (a kind: async, gen or
// stream, and the statements), with the same requirements as
// FuzzGenerate; most mutations of a body still parse, so this target
// reaches the lowering more often than FuzzGenerate does.
func FuzzBody(f *testing.F) {
	for _, b := range []string{
		"return n",
		"x := runtime.Await(fut)\nreturn x + n",
		"for i := range n {\n\tif runtime.Await(ready(i)) > 2 {\n\t\tbreak\n\t}\n}\nreturn 0",
		"defer func() { recover() }()\nswitch runtime.Await(fut) {\ncase 1:\n\treturn 1\ndefault:\n\tpanic(n)\n}",
		"a, _ := fmt.Println(s)\nL:\nif runtime.Await(fut) > a {\n\tgoto L\n}\nreturn a",
		"for _, x := range s {\n\tif !yield(x) {\n\t\treturn\n\t}\n}",
		"for i := 0; ; i++ {\n\tif !yield(fmt.Sprint(runtime.Await(ready(i)))) {\n\t\treturn\n\t}\n}",
		"select {}",
		"ch := make(chan int, 1)\nch <- runtime.Await(fut)\nselect {\ncase v := <-ch:\n\treturn v\n}",
	} {
		for _, kind := range []uint8{0, 1, 2} {
			f.Add(kind, b)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, body string) {
		var src string
		switch kind % 3 {
		case 0:
			src = sprintf(bodyTemplate, "async", "", "int", body)
		case 1:
			src = sprintf(bodyTemplate, "gen", ", yield func(string) bool", "", body)
		case 2:
			src = sprintf(bodyTemplate, "stream", ", yield func(string) bool", "", body)
		}
		checkGenerate(t, src)
	})
}

func sprintf(format string, args ...any) string {
	s := format
	for _, a := range args {
		s = strings.Replace(s, "%s", a.(string), 1)
	}
	return s
}

// checkGenerate type-checks src as a.go of package p; if it type-checks,
// it runs the tool on it and checks what the tool says and writes.
func checkGenerate(t *testing.T, src string) {
	fuzzMu.Lock()
	defer fuzzMu.Unlock()
	file, err := parser.ParseFile(fuzzFset, "/fuzz/p/a.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil || file.Name.Name == "_" {
		return
	}
	pkg, ok := typeCheck([]*ast.File{file})
	if !ok {
		return
	}
	var out *lower.Output
	var diags []lower.Diagnostic
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("the tool panicked: %v\n%s", p, src)
			}
		}()
		out, diags = lower.Generate(pkg)
	}()
	for _, d := range diags {
		if d.Pos.Filename == "" || d.Pos.Line == 0 {
			t.Errorf("an error without a position: %s\n%s", d.Msg, src)
		}
		if strings.Contains(d.Msg, "internal error") {
			t.Errorf("%s\n%s", d, src)
		}
	}
	if len(diags) > 0 || out == nil {
		return
	}
	for path, gen := range out.Write {
		if formatted, err := format.Source(gen); err != nil || !bytes.Equal(formatted, gen) {
			t.Fatalf("%s is not gofmt'd (%v):\n%s", filepath.Base(path), err, src)
		}
		g, err := parser.ParseFile(fuzzFset, path, gen, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("generated code does not parse: %v\n%s\n%s", err, src, gen)
		}
		both, ok := typeCheck([]*ast.File{file, g})
		if !ok {
			_, errs := typeCheckErrs([]*ast.File{file, g})
			t.Fatalf("generated code does not compile: %v\n--- source\n%s\n--- generated\n%s", errs, src, gen)
		}
		for _, d := range vet(t, both) {
			if p := fuzzFset.Position(d.Pos); p.Filename == path {
				t.Fatalf("go vet: %s: %s\n--- source\n%s\n--- generated\n%s", p, d.Message, src, gen)
			}
		}
	}
}

// vetAnalyzers are go vet's analyzers that work on one package without
// the facts of its dependencies' analysis.
var vetAnalyzers = []*analysis.Analyzer{
	assign.Analyzer, atomic.Analyzer, bools.Analyzer, composite.Analyzer,
	copylock.Analyzer, defers.Analyzer, errorsas.Analyzer, ifaceassert.Analyzer,
	loopclosure.Analyzer, lostcancel.Analyzer, nilfunc.Analyzer, printf.Analyzer,
	shift.Analyzer, stdmethods.Analyzer, stringintconv.Analyzer, structtag.Analyzer,
	unmarshal.Analyzer, unreachable.Analyzer, unsafeptr.Analyzer, unusedresult.Analyzer,
}

// vet runs vetAnalyzers on pkg, in memory, and returns their diagnostics.
func vet(t *testing.T, pkg *packages.Package) []analysis.Diagnostic {
	g, err := checker.Analyze(vetAnalyzers, []*packages.Package{pkg}, nil)
	if err != nil {
		t.Fatalf("vet: %v", err)
	}
	var out []analysis.Diagnostic
	for act := range g.All() {
		if act.Err != nil {
			t.Fatalf("vet %s: %v", act.Analyzer.Name, act.Err)
		}
		out = append(out, act.Diagnostics...)
	}
	return out
}

// typeCheck builds the package the tool is given.
func typeCheck(files []*ast.File) (*packages.Package, bool) {
	pkg, errs := typeCheckErrs(files)
	return pkg, len(errs) == 0
}

func typeCheckErrs(files []*ast.File) (*packages.Package, []error) {
	info := &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		Scopes:       map[ast.Node]*types.Scope{},
		Instances:    map[*ast.Ident]types.Instance{},
		FileVersions: map[*ast.File]string{},
	}
	var errs []error
	conf := types.Config{Importer: fuzzImp, Error: func(err error) { errs = append(errs, err) }, GoVersion: "go1.26"}
	tp, _ := conf.Check("example.com/fuzz/p", fuzzFset, files, info)
	var names []string
	for _, f := range files {
		names = append(names, fuzzFset.File(f.Pos()).Name())
	}
	return &packages.Package{
		ID: "example.com/fuzz/p", Name: files[0].Name.Name, PkgPath: "example.com/fuzz/p",
		GoFiles: names, CompiledGoFiles: names,
		Fset: fuzzFset, Syntax: files, Types: tp, TypesInfo: info, TypesSizes: types.SizesFor("gc", "amd64"),
		Module: &packages.Module{Path: "example.com/fuzz", Main: true},
	}, errs
}

// fuzzSeeds returns the sources of the golden archives and, one file per
// conformance package, the conformance bodies.
func fuzzSeeds(t testing.TB) []string {
	var seeds []string
	for _, a := range loadtest.Archives(t, filepath.Join(loadtest.RepoRoot(), "testdata", "golden")) {
		if src := loadtest.File(a, "a.go"); src != nil {
			seeds = append(seeds, string(src))
		}
	}
	for _, dir := range []string{"conformance", "conformance/plain"} {
		if src := merged(t, filepath.Join(loadtest.RepoRoot(), "internal", filepath.FromSlash(dir))); src != "" {
			seeds = append(seeds, src)
		}
	}
	return seeds
}

// merged joins the non-test, non-generated files of a package into one
// file: one package clause, the union of the imports, every declaration
// with its doc comment.
func merged(t testing.TB, dir string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	sort.Strings(paths)
	imports := map[string]string{}
	var pkgName string
	var body strings.Builder
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, lower.Suffix) {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		pkgName = f.Name.Name
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := ""
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[path] = name
		}
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			from := d.Pos()
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Doc != nil {
					from = d.Doc.Pos()
				}
			case *ast.GenDecl:
				if d.Doc != nil {
					from = d.Doc.Pos()
				}
			}
			body.Write(src[fset.Position(from).Offset:fset.Position(d.End()).Offset])
			body.WriteString("\n\n")
		}
	}
	if pkgName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("package " + pkgName + "\n\nimport (\n")
	var paths2 []string
	for p := range imports {
		paths2 = append(paths2, p)
	}
	sort.Strings(paths2)
	for _, p := range paths2 {
		b.WriteString("\t" + imports[p] + " " + strconv.Quote(p) + "\n")
	}
	b.WriteString(")\n\n")
	b.WriteString(body.String())
	return b.String()
}

// The in-memory vet of the fuzz targets reports what go vet would.
func TestFuzzVet(t *testing.T) {
	fuzzMu.Lock()
	defer fuzzMu.Unlock()
	src := "package p\n\nimport \"fmt\"\n\nfunc f() int {\n\treturn 1\n\tfmt.Printf(\"%d\")\n\treturn 2\n}\n"
	file, err := parser.ParseFile(fuzzFset, "/fuzz/vet/a.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	pkg, ok := typeCheck([]*ast.File{file})
	if !ok {
		t.Fatal("does not type-check")
	}
	var got []string
	for _, d := range vet(t, pkg) {
		got = append(got, d.Category+": "+d.Message)
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{"unreachable code", "Printf format %d reads arg #1"} {
		if !strings.Contains(text, want) {
			t.Errorf("vet reports %q, want %q", got, want)
		}
	}
}
