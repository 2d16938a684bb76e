package lower

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"
)

// listMode is what loadQuick asks go/packages for when it lists the
// named packages itself.
const listMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedModule

// The named packages, read with go/build, are what go list lists: the
// same packages in the same order, test variants included, with the
// same files, imports and module.
func TestListLocalAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := loadtest.Module(t, map[string]*txtar.Archive{
		"a": txtar.Parse([]byte(`
-- a.go --
package a

import "strings"

var A = strings.ToUpper("a")
-- a_linux.go --
package a

var OnLinux = true
-- a_windows.go --
package a

var OnWindows = true
-- tagged.go --
//go:build foo

package a

import "bytes"

var Tagged = bytes.ToUpper(nil)
-- ignored.go --
//go:build ignore

package main
-- a_test.go --
package a

import "testing"

func TestA(t *testing.T) {}
-- x_test.go --
package a_test

import (
	"testing"

	"example.com/t/a"
	"example.com/t/b"
)

func TestX(t *testing.T) { _, _ = a.A, b.B }
-- asm.s --
-- sub/sub.go --
package sub

import "example.com/t/a"

var S = a.A
`)),
		// b has external tests, c tests only, d no Go file at all, f
		// external tests only.
		"b": txtar.Parse([]byte("-- b.go --\npackage b\n\nvar B = 1\n-- b_test.go --\npackage b_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/t/b\"\n)\n\nfunc TestB(t *testing.T) { _ = b.B }\n")),
		"c": txtar.Parse([]byte("-- c_test.go --\npackage c\n\nimport \"testing\"\n\nfunc TestC(t *testing.T) {}\n")),
		"d": txtar.Parse([]byte("-- README --\nno Go here\n")),
		"f": txtar.Parse([]byte("-- f_test.go --\npackage f_test\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {}\n")),
		// Trees go list does not walk into.
		"_skip":         txtar.Parse([]byte("-- s.go --\npackage skip\n")),
		".hidden":       txtar.Parse([]byte("-- h.go --\npackage hidden\n")),
		"a/testdata":    txtar.Parse([]byte("-- t.go --\npackage testdata\n")),
		"nested":        txtar.Parse([]byte("-- go.mod --\nmodule example.com/nested\n\ngo 1.24\n-- n.go --\npackage nested\n")),
		"e/deeper/than": txtar.Parse([]byte("-- e.go --\npackage than\n\nimport _ \"example.com/t/c\"\n")),
	})
	for _, c := range []struct {
		tags     string
		patterns []string
		noTests  bool
	}{
		{"", []string{"./..."}, false},
		{"", []string{"./..."}, true},
		{"foo", []string{"./..."}, false},
		{"", []string{"./a", "./b"}, false},
		{"", []string{"./a/..."}, false},
		{"", []string{"./b", "./a", "./b/..."}, false},
		{"foo,bar", []string{"./c", "./e/..."}, false},
		{"", []string{dir + "/a"}, false},
	} {
		cfg := packages.Config{Mode: listMode, Dir: dir, Tests: !c.noTests}
		if c.tags != "" {
			cfg.BuildFlags = []string{"-tags=" + c.tags}
		}
		local, ok := listLocal(cfg, c.patterns)
		if !ok {
			t.Errorf("listLocal %v (tags %q) refused", c.patterns, c.tags)
			continue
		}
		listed, err := packages.Load(&cfg, c.patterns...)
		if err != nil {
			t.Fatal(err)
		}
		listed = slices.DeleteFunc(listed, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
		if got, want := listing(local.pkgs), listing(listed); got != want {
			t.Errorf("listLocal %v (tags %q):\n%s\ngo list:\n%s", c.patterns, c.tags, got, want)
		}
		_, context, err := listDeps(cfg, []string{"unsafe"})
		if err != nil {
			t.Fatal(err)
		}
		if context != local.context {
			t.Errorf("listLocal %v (tags %q) read in context\n%s\ngo list's is\n%s", c.patterns, c.tags, local.context, context)
		}
	}
	// The repository itself: where listLocal refuses, go list made a
	// test variant of a package imported by a test.
	compared := 0
	for _, patterns := range [][]string{{"./..."}, {"./ir/...", "./lower"}, {"./cmd/...", "./internal/toolbench"}} {
		cfg := packages.Config{Mode: listMode, Dir: loadtest.RepoRoot(), Tests: true}
		listed, err := packages.Load(&cfg, patterns...)
		if err != nil {
			t.Fatal(err)
		}
		listed = slices.DeleteFunc(listed, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
		local, ok := listLocal(cfg, patterns)
		if !ok {
			t.Logf("listLocal %v of the repository refused", patterns)
			if !importsVariant(listed) {
				t.Errorf("listLocal %v of the repository refused", patterns)
			}
			continue
		}
		compared++
		if got, want := listing(local.pkgs), listing(listed); got != want {
			t.Errorf("listLocal %v of the repository:\n%s\ngo list:\n%s", patterns, got, want)
		}
	}
	if compared < 2 {
		t.Errorf("listLocal listed %d of the repository's pattern sets, want 2", compared)
	}
}

// importsVariant reports whether a package of pkgs imports a test
// variant of a package other than its own.
func importsVariant(pkgs []*packages.Package) bool {
	for _, p := range pkgs {
		for path, imp := range p.Imports {
			if strings.Contains(imp.ID, " [") && path != strings.TrimSuffix(p.PkgPath, "_test") {
				return true
			}
		}
	}
	return false
}

// listLocal leaves to go list what it cannot be sure to list as go list
// does.
func TestListLocalRefuses(t *testing.T) {
	dir := loadtest.Module(t, map[string]*txtar.Archive{
		"a": txtar.Parse([]byte("-- a.go --\npackage a\n")),
		// b's test imports c, which imports b: go list makes a variant of c.
		"b": txtar.Parse([]byte("-- b.go --\npackage b\n-- b_test.go --\npackage b\n\nimport _ \"example.com/t/c\"\n")),
		"c": txtar.Parse([]byte("-- c.go --\npackage c\n\nimport _ \"example.com/t/b\"\n")),
		"d": txtar.Parse([]byte("-- README --\n")),
		"e": txtar.Parse([]byte("-- e.go --\npackage e\n\nimport \"C\"\n")),
		"f": txtar.Parse([]byte("-- f.go --\npackage f\n-- g.go --\npackage g\n")),
		"v": txtar.Parse([]byte("-- v.go --\npackage v\n-- vendor/x/x.go --\npackage x\n")),
		"n": txtar.Parse([]byte("-- go.mod --\nmodule example.com/n\n\ngo 1.24\n-- n.go --\npackage n\n")),
	})
	cfg := packages.Config{Mode: listMode, Dir: dir, Tests: true}
	for _, c := range []struct {
		why      string
		patterns []string
	}{
		{"an import path", []string{"example.com/t/a"}},
		{"every package", []string{"..."}},
		{"a test reaching its package through another named one", []string{"./b", "./c"}},
		{"a directory without Go files", []string{"./d"}},
		{"cgo", []string{"./e"}},
		{"two packages in a directory", []string{"./f"}},
		{"a vendor directory", []string{"./v/..."}},
		{"another module", []string{"./n"}},
		{"no directory", []string{"./zz"}},
	} {
		if _, ok := listLocal(cfg, c.patterns); ok {
			t.Errorf("listLocal %v (%s): not refused", c.patterns, c.why)
		}
	}
	if _, ok := listLocal(cfg, []string{"./a", "./c"}); !ok {
		t.Errorf("listLocal ./a ./c refused")
	}
	for _, flags := range [][]string{{"-mod=mod"}, {"-tags", "x"}} {
		cfg := cfg
		cfg.BuildFlags = flags
		if _, ok := listLocal(cfg, []string{"./a"}); ok {
			t.Errorf("listLocal with build flags %q: not refused", flags)
		}
	}
	// A workspace decides which modules are main: go list knows.
	if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte("go 1.24\n\nuse .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := listLocal(cfg, []string{"./a"}); ok {
		t.Errorf("listLocal in a workspace: not refused")
	}
	t.Setenv("GOWORK", "off")
	if _, ok := listLocal(cfg, []string{"./a"}); !ok {
		t.Errorf("listLocal with GOWORK=off refused")
	}
}

// listing prints what loadQuick reads of listed packages.
func listing(pkgs []*packages.Package) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%s name=%s path=%s\n  go %v\n  compiled %v\n  other %v\n", p.ID, p.Name, p.PkgPath, p.GoFiles, p.CompiledGoFiles, p.OtherFiles)
		var imps []string
		for path, imp := range p.Imports {
			imps = append(imps, path+"="+imp.ID)
		}
		slices.Sort(imps)
		fmt.Fprintf(&b, "  imports %v\n", imps)
		if m := p.Module; m != nil {
			fmt.Fprintf(&b, "  module %s main=%t dir=%s gomod=%s go=%s\n", m.Path, m.Main, m.Dir, m.GoMod, m.GoVersion)
		}
	}
	return b.String()
}
