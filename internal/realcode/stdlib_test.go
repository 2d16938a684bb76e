package realcode

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/packages"
)

// Stdlib are the standard library packages TestStdlib copies.
var Stdlib = []string{
	"bufio", "io", "regexp", "database/sql", "encoding/csv", "text/tabwriter",
	"text/template/parse", "strings", "sort", "container/list", "go/scanner", "slices",
}

// loadMode is lower.LoadMode but for the dependencies' syntax: their types
// come from export data, which keeps each round of loading short.
const loadMode = lower.LoadMode &^ packages.NeedDeps

// rt is the name the copies import the runtime under.
const rt = "agrt"

// A mode says how the copies' bodies are marked.
type mode struct {
	name    string
	suspend bool // insert awaits of a pending future: at the start, before each return, in each loop
}

var modes = []mode{{"plain", false}, {"suspend", true}}

// A candidate is a function marked async in a copy.
type candidate struct {
	file    string // path in the temporary module
	name    string // the function's name (Recv.name for a method)
	ctor    string // the constructor's name
	line    int    // the line of the func keyword in the copy, before marking
	refused string // why the tool refused it, if it did
}

// A copied package of one mode.
type copied struct {
	mode   mode
	std    string // its standard library path
	dir    string
	path   string            // its import path in the temporary module
	src    map[string][]byte // original source by file path
	cands  []*candidate
	called int // functions the generated test calls
}

// TestStdlib copies standard library packages into a temporary module,
// marks every function (and method) whose results fit with
// //asyncgen:async, lowers them, and checks that the tool either lowers a
// function or refuses it with a positioned error (never an internal
// error), that every package builds and vets, and that each lowered
// function whose parameters can be given values behaves as its plain call
// (results, errors and panics), driven by runtime.BlockOn. It runs twice:
// on the bodies as they are (no suspension point) and with awaits of a
// really pending future inserted at the start of every body, before every
// return and at the top of every loop body, so that the lowering of real
// control flow runs too. Skipped with -short.
func TestStdlib(t *testing.T) {
	if testing.Short() {
		t.Skip("copies, lowers, builds and tests standard library packages")
	}
	if raceEnabled {
		// Its work is in the processes it starts and in the tool's serial
		// code: CI runs it on its own, without the race detector.
		t.Skip("run without -race: go test -run TestStdlib ./internal/realcode")
	}
	start := time.Now()
	goroot := goEnv(t, "GOROOT")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), loadtest.GoMod(t))
	sum, err := os.ReadFile(filepath.Join(loadtest.RepoRoot(), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), sum)
	for p, src := range shims {
		write(t, filepath.Join(dir, p), []byte(src))
	}
	var all []*copied
	files := goList(t, Stdlib)
	for _, m := range modes {
		for _, std := range Stdlib {
			c := &copied{mode: m, std: std, dir: filepath.Join(dir, m.name, filepath.FromSlash(std)), path: loadtest.ModulePath + "/" + m.name + "/" + std, src: map[string][]byte{}}
			for _, name := range files[std] {
				src, err := os.ReadFile(filepath.Join(goroot, "src", filepath.FromSlash(std), name))
				if err != nil {
					t.Fatal(err)
				}
				c.src[filepath.Join(c.dir, name)] = src
			}
			all = append(all, c)
		}
	}
	// Mark, lower; a refused function loses its mark and the package is
	// lowered again, until the tool accepts what is left.
	var pkgs []*packages.Package
	outs := map[string]*lower.Output{}
	for round := 0; ; round++ {
		for _, c := range all {
			c.write(t)
		}
		roundStart := time.Now()
		var err error
		pkgs, err = packages.Load(&packages.Config{Mode: loadMode, Dir: dir}, "./...")
		if err != nil {
			t.Fatal(err)
		}
		loaded := time.Since(roundStart)
		refused := 0
		for _, p := range pkgs {
			c := find(all, p.PkgPath)
			if c == nil || strings.Contains(p.ID, " [") || outs[p.PkgPath] != nil {
				continue // lowered whole in an earlier round
			}
			out, diags := generate(t, p)
			for _, d := range diags {
				if d.Pos.Filename == "" || d.Pos.Line == 0 {
					t.Errorf("%s: an error without a position: %s", c.path, d.Msg)
					continue
				}
				if strings.Contains(d.Msg, "internal error") {
					t.Errorf("%s", d)
				}
				cand := c.at(p, d.Pos)
				if cand == nil {
					t.Errorf("%s: an error outside every marked function: %s", c.path, d)
					continue
				}
				if cand.refused == "" {
					cand.refused = reason(d.Msg, cand)
					refused++
				}
			}
			if len(diags) == 0 {
				outs[p.PkgPath] = out
			}
		}
		t.Logf("round %d: loaded in %v, lowered in %v, %d refused", round, loaded.Round(time.Millisecond), (time.Since(roundStart) - loaded).Round(time.Millisecond), refused)
		if refused == 0 {
			for _, out := range outs {
				for p, src := range out.Write {
					write(t, p, src)
				}
			}
			break
		}
		if round == 5 {
			t.Fatal("the tool keeps refusing functions after 5 rounds")
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	// Tests that call each lowered function directly and as a machine (the
	// last load has the functions' signatures).
	for _, p := range pkgs {
		if c := find(all, p.PkgPath); c != nil {
			c.writeCheck(t, p)
		}
	}
	t.Logf("lowered in %v", time.Since(start).Round(time.Second))
	run(t, dir, "go", "vet", "./...")
	t.Logf("vetted at %v", time.Since(start).Round(time.Second))
	run(t, dir, "go", "test", "-count=1", "-timeout=120s", "./...")
	total := map[string]int{}
	for _, c := range all {
		annotated, lowered := len(c.cands), 0
		reasons := map[string]int{}
		for _, cand := range c.cands {
			if cand.refused == "" {
				lowered++
			} else {
				reasons[cand.refused]++
			}
		}
		total[c.mode.name+" annotated"] += annotated
		total[c.mode.name+" lowered"] += lowered
		total[c.mode.name+" called"] += c.called
		t.Logf("%-8s %-20s annotated %3d, lowered %3d, called %3d, refused %d%s", c.mode.name, c.std, annotated, lowered, c.called, annotated-lowered, formatReasons(reasons))
	}
	for _, m := range modes {
		t.Logf("%-8s total: annotated %d, lowered %d, called %d", m.name, total[m.name+" annotated"], total[m.name+" lowered"], total[m.name+" called"])
	}
	t.Logf("took %v", time.Since(start).Round(time.Second))
}

// generate runs the tool on p; a panic of the tool fails the test.
func generate(t *testing.T, p *packages.Package) (out *lower.Output, diags []lower.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: the tool panicked: %v", p.PkgPath, r)
		}
	}()
	return lower.Generate(p)
}

func find(all []*copied, path string) *copied {
	for _, c := range all {
		if c.path == path {
			return c
		}
	}
	return nil
}

// reason is a refusal's message without the function's own names, so that
// refusals group.
func reason(msg string, c *candidate) string {
	name := c.name
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	msg = strings.ReplaceAll(msg, c.ctor, "NAME")
	msg = strings.ReplaceAll(msg, name, "F")
	return msg
}

func formatReasons(r map[string]int) string {
	if len(r) == 0 {
		return ""
	}
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(":")
	for _, k := range keys {
		fmt.Fprintf(&b, "\n\t\t%d × %s", r[k], k)
	}
	return b.String()
}

// at returns the candidate whose function holds pos.
func (c *copied) at(p *packages.Package, pos token.Position) *candidate {
	for _, f := range p.Syntax {
		if p.Fset.Position(f.Pos()).Filename != pos.Filename {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			from, to := p.Fset.Position(fd.Pos()), p.Fset.Position(fd.End())
			if fd.Doc != nil {
				from = p.Fset.Position(fd.Doc.Pos())
			}
			if pos.Line < from.Line || pos.Line > to.Line {
				continue
			}
			for _, cand := range c.cands {
				if cand.file == pos.Filename && cand.name == funcName(fd) {
					return cand
				}
			}
		}
	}
	return nil
}

// funcName is name, or Recv.name for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// An edit replaces src[from:to] with text.
type edit struct {
	from, to int
	text     string
}

// write writes c's files: imports rewritten, candidates that were not
// refused marked, and, in the suspend mode, awaits inserted.
func (c *copied) write(t *testing.T) {
	first := c.cands == nil
	names := make([]string, 0, len(c.src))
	for p := range c.src {
		names = append(names, p)
	}
	sort.Strings(names)
	n := 0
	for _, path := range names {
		src := c.src[path]
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		off := func(p token.Pos) int { return fset.Position(p).Offset }
		var edits []edit
		for _, imp := range f.Imports {
			old, _ := strconv.Unquote(imp.Path.Value)
			if rw, ok := importRewrites[old]; ok {
				name, path := rw[0], rw[1]
				if strings.HasPrefix(path, "/") {
					path = loadtest.ModulePath + path
				}
				if imp.Name != nil {
					name = imp.Name.Name
				}
				edits = append(edits, edit{off(imp.Pos()), off(imp.End()), name + " " + strconv.Quote(path)})
			}
		}
		usesRT := false
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !eligible(fd) {
				continue
			}
			name := funcName(fd)
			var cand *candidate
			if first {
				n++
				cand = &candidate{file: path, name: name, ctor: fmt.Sprintf("ag%d%s", n, strings.ToUpper(fd.Name.Name[:1])+fd.Name.Name[1:]), line: fset.Position(fd.Pos()).Line}
				c.cands = append(c.cands, cand)
			} else {
				for _, x := range c.cands {
					if x.file == path && x.name == name {
						cand = x
					}
				}
			}
			if cand == nil || cand.refused != "" {
				continue
			}
			edits = append(edits, edit{off(fd.Pos()), off(fd.Pos()), "//asyncgen:async " + cand.ctor + "\n"})
			if c.mode.suspend {
				usesRT = true
				edits = append(edits, awaits(fd.Body, off)...)
			}
		}
		if usesRT {
			edits = append(edits, edit{off(f.Name.End()), off(f.Name.End()), "\n\nimport " + rt + " \"github.com/asyncgen/asyncgen/runtime\""})
		}
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
		out := append([]byte{}, src...)
		for _, e := range edits {
			out = append(out[:e.from], append([]byte(e.text), out[e.to:]...)...)
		}
		write(t, path, out)
	}
}

// await is the statement the suspend mode inserts: a future that is
// pending once.
const await = rt + ".Await(" + rt + ".YieldNow()); "

// awaits returns the insertions of awaits into body: at its start, before
// each return and at the start of each loop body, outside function
// literals.
func awaits(body *ast.BlockStmt, off func(token.Pos) int) []edit {
	edits := []edit{{off(body.Lbrace) + 1, off(body.Lbrace) + 1, " " + await}}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			edits = append(edits, edit{off(n.Pos()), off(n.Pos()), await})
		case *ast.ForStmt:
			edits = append(edits, edit{off(n.Body.Lbrace) + 1, off(n.Body.Lbrace) + 1, " " + await})
		case *ast.RangeStmt:
			edits = append(edits, edit{off(n.Body.Lbrace) + 1, off(n.Body.Lbrace) + 1, " " + await})
		}
		return true
	})
	return edits
}

// eligible reports whether fd's results fit an async body: (), (T) or
// (T, error). Functions without a body, init, and functions carrying a
// compiler directive are left alone.
func eligible(fd *ast.FuncDecl) bool {
	if fd.Body == nil || fd.Name.Name == "init" || fd.Name.Name == "_" {
		return false
	}
	if fd.Doc != nil {
		for _, c := range fd.Doc.List {
			if strings.HasPrefix(c.Text, "//go:") {
				return false
			}
		}
	}
	res := fd.Type.Results
	if res == nil {
		return true
	}
	n := 0
	for _, f := range res.List {
		n += max(len(f.Names), 1)
	}
	switch n {
	case 0, 1:
		return true
	case 2:
		last := res.List[len(res.List)-1]
		id, ok := last.Type.(*ast.Ident)
		return ok && id.Name == "error"
	}
	return false
}

// writeCheck writes a test file into c's package that calls each lowered
// function whose parameters can be given values, directly and through its
// machine, and compares the two.
func (c *copied) writeCheck(t *testing.T, p *packages.Package) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"fmt\"\n\t\"reflect\"\n\t\"testing\"\n\n\t%s \"github.com/asyncgen/asyncgen/runtime\"\n)\n\n", p.Name, rt)
	b.WriteString(`// agcheck compares what direct and machine give: values or panics.
func agcheck(t *testing.T, name string, direct, machine func() any) {
	t.Helper()
	w, wp := agrun(direct)
	g, gp := agrun(machine)
	if (wp == nil) != (gp == nil) || fmt.Sprint(wp) != fmt.Sprint(gp) || !reflect.DeepEqual(w, g) {
		t.Errorf("%s: machine %#v (panic %v), direct %#v (panic %v)", name, g, gp, w, wp)
	}
}

func agrun(f func() any) (v any, p any) {
	defer func() { p = recover() }()
	return f(), nil
}

var _ = agrt.BlockOn[struct{}]

func TestAgcheck(t *testing.T) {
`)
	for _, cand := range c.cands {
		if cand.refused != "" || strings.Contains(cand.name, ".") || nondeterministic[c.std+"."+cand.name] {
			continue
		}
		fn, _ := p.Types.Scope().Lookup(cand.name).(*types.Func)
		if fn == nil {
			continue
		}
		sig := fn.Type().(*types.Signature)
		if sig.TypeParams().Len() > 0 || !comparable(sig.Results()) {
			continue
		}
		var vals [][]string
		ok := true
		for i := 0; i < sig.Params().Len(); i++ {
			v := values(sig.Params().At(i).Type())
			if v == nil {
				ok = false
				break
			}
			vals = append(vals, v)
		}
		if !ok {
			continue
		}
		c.called++
		for k := 0; k < 4; k++ {
			var args []string
			for _, v := range vals {
				args = append(args, v[k%len(v)])
			}
			a := strings.Join(args, ", ")
			if sig.Variadic() {
				a += "..."
			}
			call, ctor := cand.name+"("+a+")", cand.ctor+"("+a+")"
			var direct, machine string
			switch sig.Results().Len() {
			case 0:
				direct, machine = call+"; return nil", rt+".BlockOn("+ctor+"); return nil"
			case 1:
				direct, machine = "return "+call, "return "+rt+".BlockOn("+ctor+")"
			case 2:
				direct, machine = "v, err := "+call+"; return [2]any{v, err}", "r := "+rt+".BlockOn("+ctor+"); return [2]any{r.Value, r.Err}"
			}
			fmt.Fprintf(&b, "\tagcheck(t, %q, func() any { %s }, func() any { %s })\n", call, direct, machine)
		}
	}
	b.WriteString("}\n")
	write(t, filepath.Join(c.dir, "zz_agcheck_test.go"), b.Bytes())
}

// nondeterministic are the functions whose result differs from call to
// call: they are lowered and built but not compared.
var nondeterministic = map[string]bool{
	"database/sql.stack": true, // the calling goroutine's stack trace
}

// comparable reports whether reflect.DeepEqual says something about
// results of these types: no functions or channels in them.
func comparable(res *types.Tuple) bool {
	ok := true
	seen := map[types.Type]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if seen[t] || !ok {
			return
		}
		seen[t] = true
		switch u := t.Underlying().(type) {
		case *types.Signature, *types.Chan:
			ok = false
		case *types.Pointer:
			walk(u.Elem())
		case *types.Slice:
			walk(u.Elem())
		case *types.Array:
			walk(u.Elem())
		case *types.Map:
			walk(u.Key())
			walk(u.Elem())
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				walk(u.Field(i).Type())
			}
		}
	}
	for i := 0; i < res.Len(); i++ {
		walk(res.At(i).Type())
	}
	return ok
}

// values returns Go expressions of a few values of t, for a basic type, a
// string or a slice of those; nil for any other type.
func values(t types.Type) []string {
	switch t := t.(type) {
	case *types.Alias:
		return values(types.Unalias(t))
	case *types.Basic:
		switch {
		case t.Kind() == types.Bool:
			return []string{"true", "false"}
		case t.Kind() == types.String:
			return []string{`""`, `"a,b"`, `"Hello, World {{.}}"`, `"x\ty\n\"z\""`}
		case t.Kind() == types.Uint8:
			return []string{"'a'", "','", "0", "'\\n'"}
		case t.Kind() == types.Int32:
			return []string{"'a'", "','", "'é'", "-1"}
		case t.Info()&types.IsInteger != 0 && t.Info()&types.IsUnsigned != 0:
			return []string{"0", "1", "3", "2"}
		case t.Info()&types.IsInteger != 0:
			return []string{"0", "1", "3", "-1"}
		case t.Info()&types.IsFloat != 0:
			return []string{"0", "1.5", "-2", "3"}
		}
	case *types.Slice:
		el := values(t.Elem())
		if el == nil {
			return nil
		}
		ts := types.TypeString(t, nil)
		return []string{"nil", ts + "{" + el[1] + ", " + el[2] + "}", ts + "{}", ts + "{" + el[2] + ", " + el[0] + ", " + el[3] + "}"}
	}
	return nil
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func goEnv(t *testing.T, key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// goList returns the Go files of standard library packages, as the build
// selects them.
func goList(t *testing.T, pkgs []string) map[string][]string {
	out, err := exec.Command("go", append([]string{"list", "-f", `{{.ImportPath}} {{join .GoFiles " "}}`}, pkgs...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		files[f[0]] = f[1:]
	}
	return files
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
