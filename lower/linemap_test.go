package lower

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
)

// TestLineMapping walks every generated file of this repository and checks
// where each statement points: in a method that runs a body (its func
// keyword maps to the body's file), into an annotated function of the
// source file; everywhere else, at the generated file's own line.
func TestLineMapping(t *testing.T) {
	var twins []string
	filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !d.IsDir() && twinNamed(path) {
			twins = append(twins, path)
		}
		return nil
	})
	if len(twins) < 10 {
		t.Fatalf("found only %d generated files", len(twins))
	}
	for _, twin := range twins {
		checkLineMapping(t, twin, nil, false)
	}
}

// TestLineMappingAbsPaths generates the examples with Options.AbsPaths
// and checks the same of their output, each directive naming the source
// or the generated file by its absolute path.
func TestLineMappingAbsPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages")
	}
	pkgs, err := Load(loadtest.RepoRoot(), "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pkg := range pkgs {
		out, diags := GenerateOpts(pkg, Options{AbsPaths: true})
		if len(diags) > 0 {
			t.Fatalf("%s: %v", pkg.ID, diags)
		}
		for twin, src := range out.Write {
			if !filepath.IsAbs(twin) {
				t.Fatalf("%s: not an absolute path", twin)
			}
			checkLineMapping(t, twin, src, true)
			n++
		}
	}
	if n < 5 {
		t.Fatalf("checked only %d generated files", n)
	}
}

// checkLineMapping checks the generated file twin (its contents src, or
// the file itself if src is nil); abs says its directives name files by
// absolute paths.
func checkLineMapping(t *testing.T, twin string, src []byte, abs bool) {
	t.Helper()
	fset := token.NewFileSet()
	var text any // the file itself, unless src is given
	if src != nil {
		text = src
	}
	gen, err := parser.ParseFile(fset, twin, text, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(gen, func(n ast.Node) bool {
		c, ok := n.(*ast.Comment)
		if !ok {
			return true
		}
		m := directiveRE.FindStringSubmatch(c.Text + "\n")
		if m == nil {
			return true
		}
		name := m[1] + m[3]
		switch {
		case abs && name != twin && name != SourceOf(twin):
			t.Errorf("%s: directive names %s, want %s or %s", fset.Position(c.Pos()), name, twin, SourceOf(twin))
		case !abs && name != filepath.Base(twin) && name != filepath.Base(SourceOf(twin)):
			t.Errorf("%s: directive names %s, want a base name", fset.Position(c.Pos()), name)
		}
		return true
	})
	source, err := parser.ParseFile(fset, SourceOf(twin), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The annotated functions' extents in the source, by line.
	type extent struct{ from, to int }
	var bodies []extent
	for _, d := range source.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			bodies = append(bodies, extent{fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
		}
	}
	inBody := func(line int) bool {
		for _, b := range bodies {
			if b.from <= line && line <= b.to {
				return true
			}
		}
		return false
	}
	srcBase := filepath.Base(SourceOf(twin))
	for _, d := range gen.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			p, own := fset.Position(d.Pos()), fset.PositionFor(d.Pos(), false)
			if filepath.Base(p.Filename) != filepath.Base(twin) || p.Line != own.Line {
				t.Errorf("%s: declaration maps to %s, want its own line", own, p)
			}
			continue
		}
		step := filepath.Base(fset.Position(fd.Pos()).Filename) == srcBase
		n := 0
		ast.Inspect(fd.Body, func(node ast.Node) bool {
			s, ok := node.(ast.Stmt)
			if !ok {
				return true
			}
			if _, block := s.(*ast.BlockStmt); block {
				return true // braces: no code of their own
			}
			if _, label := s.(*ast.LabeledStmt); label {
				return true
			}
			if _, clause := s.(*ast.CaseClause); clause {
				return true
			}
			if _, empty := s.(*ast.EmptyStmt); empty {
				return true
			}
			n++
			p, own := fset.Position(s.Pos()), fset.PositionFor(s.Pos(), false)
			switch {
			case step && (filepath.Base(p.Filename) != srcBase || !inBody(p.Line)):
				t.Errorf("%s (%s): statement maps to %s, outside the bodies of %s", own, fd.Name.Name, p, srcBase)
			case !step && (filepath.Base(p.Filename) != filepath.Base(twin) || p.Line != own.Line):
				t.Errorf("%s (%s): statement maps to %s, want its own line", own, fd.Name.Name, p)
			}
			if filepath.Dir(p.Filename) != filepath.Dir(own.Filename) {
				t.Errorf("%s: maps to %s, in another directory", own, p)
			}
			return true
		})
		if n == 0 && len(fd.Body.List) > 0 {
			t.Errorf("%s: no statement checked", fd.Name.Name)
		}
	}
}
