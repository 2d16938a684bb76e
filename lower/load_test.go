package lower

import (
	"fmt"
	"go/types"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"
)

// The quick load must give what go/packages gives: the same packages, each
// with the same files and the same type of every object it declares.
func TestLoadQuickAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := loadtest.Module(t, map[string]*txtar.Archive{
		// b is imported by a, and both are named: b is checked from
		// source first and a sees that b.
		"a": txtar.Parse([]byte(`
-- a.go --
package a

import (
	"bufio"
	"strings"

	"example.com/t/b"
	"github.com/asyncgen/asyncgen/runtime"
)

func A(s string) runtime.Future[int] { return b.F(bufio.NewReader(strings.NewReader(s))) }
-- a_test.go --
package a

import "testing"

func TestA(t *testing.T) { _ = A("x") }
-- x_test.go --
package a_test

import (
	"testing"

	"example.com/t/a"
)

func TestX(t *testing.T) { _ = a.A("y") }
`)),
		"b": txtar.Parse([]byte(`
-- b.go --
package b

import (
	"io"

	"github.com/asyncgen/asyncgen/runtime"
)

type R struct{ io.Reader }

func F(r io.Reader) runtime.Future[int] { return runtime.Ready(len(R{r}.String())) }

func (R) String() string { return "r" }
`)),
	})
	cfg := packages.Config{Mode: LoadMode, Dir: dir, Tests: true}
	q := loadQuick(cfg, []string{"./..."})
	if q.state != quickClean {
		t.Fatalf("loadQuick of a clean module: state %d", q.state)
	}
	quick := q.pkgs
	slow, err := packages.Load(&cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	slow = slices.DeleteFunc(slow, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
	if got, want := summary(quick), summary(slow); got != want {
		t.Errorf("quick load:\n%s\ngo/packages:\n%s", got, want)
	}
}

// A named package imported through one that is not named cannot share its
// types with that one's export data: loadQuick leaves it to go/packages, as
// it does type errors where a dependency of the main module is imported.
func TestLoadQuickRefuses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := loadtest.Module(t, map[string]*txtar.Archive{
		"a": txtar.Parse([]byte("-- a.go --\npackage a\n\nimport \"example.com/t/c\"\n\nvar X = c.Y\n")),
		"c": txtar.Parse([]byte("-- c.go --\npackage c\n\nimport \"example.com/t/b\"\n\nvar Y = b.Z\n")),
		"b": txtar.Parse([]byte("-- b.go --\npackage b\n\nvar Z = 1\n")),
		"e": txtar.Parse([]byte("-- e.go --\npackage e\n\nvar W int = \"x\"\n")),
	})
	cfg := packages.Config{Mode: LoadMode, Dir: dir, Tests: true}
	for _, c := range []struct {
		patterns []string
		want     quickState
	}{
		{[]string{"./a", "./b"}, quickRefused},
		{[]string{"./a", "./c"}, quickClean},
		{[]string{"./e"}, quickTypeErrors},
		{[]string{"./e", "./b"}, quickTypeErrors},
		{[]string{"./a"}, quickClean},
	} {
		if q := loadQuick(cfg, c.patterns); q.state != c.want {
			t.Errorf("loadQuick %v: state %d, want %d", c.patterns, q.state, c.want)
		}
	}
	// Type errors with a dependency of the main module: stubbing needs
	// that dependency's syntax.
	dir = loadtest.Module(t, map[string]*txtar.Archive{
		"f": txtar.Parse([]byte("-- f.go --\npackage f\n\nimport \"example.com/t/b\"\n\nvar W string = b.Z\n")),
		"b": txtar.Parse([]byte("-- b.go --\npackage b\n\nvar Z = 1\n")),
	})
	cfg.Dir = dir
	if q := loadQuick(cfg, []string{"./f"}); q.state != quickRefused {
		t.Errorf("loadQuick ./f: state %d, want refused", q.state)
	}
}

func summary(pkgs []*packages.Package) string {
	var lines []string
	for _, p := range pkgs {
		lines = append(lines, fmt.Sprintf("%s: %d files, %d errors", p.ID, len(p.Syntax), len(p.Errors)))
		scope := p.Types.Scope()
		for _, name := range scope.Names() {
			lines = append(lines, fmt.Sprintf("  %s %s", name, types.TypeString(scope.Lookup(name).Type(), nil)))
		}
		var uses []string
		for id, obj := range p.TypesInfo.Uses {
			if obj.Pkg() != nil {
				uses = append(uses, fmt.Sprintf("  use %s %s.%s", p.Fset.Position(id.Pos()), obj.Pkg().Path(), obj.Name()))
			}
		}
		sort.Strings(uses)
		lines = append(lines, uses...)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
