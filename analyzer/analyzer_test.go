package analyzer_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/analyzer"
	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "a")
}

// ownCheck matches the analyzer's reports of missing or stale twins.
var ownCheck = regexp.MustCompile(`has no generated twin|is not in \S+ yet|changed since \S+ was generated`)

// Every error the tool reports on the packages of testdata/errors,
// the analyzer reports too, at the same place: the ERROR comments there
// are the expectations of both. The packages are loaded as the tool loads
// them (what their generated files would declare stubbed in); those that
// still do not type-check are left out (analyzers do not run on them; the
// compiler reports their errors).
func TestAnalyzerReportsToolErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages with the go command")
	}
	dir, want := loadtest.ExpectingModule(t, filepath.Join(loadtest.RepoRoot(), "testdata", "errors"))
	pkgs, err := lower.Load(dir, "./...")
	if err != nil {
		t.Fatal(err)
	}
	var clean []*packages.Package
	for _, p := range pkgs {
		if len(p.Errors) == 0 {
			clean = append(clean, p)
		} else {
			t.Logf("%s: does not type-check, left out: %v", p.PkgPath, p.Errors)
		}
	}
	if len(clean) < len(want)-1 {
		t.Fatalf("%d of %d packages type-check", len(clean), len(want))
	}
	g, err := checker.Analyze([]*analysis.Analyzer{analyzer.Analyzer}, clean, nil)
	if err != nil {
		t.Fatal(err)
	}
	for act := range g.All() {
		if !act.IsRoot {
			continue
		}
		name := strings.TrimPrefix(act.Package.PkgPath, loadtest.ModulePath+"/")
		t.Run(name, func(t *testing.T) {
			if act.Err != nil {
				t.Fatal(act.Err)
			}
			exps := want[name]
			for _, d := range act.Diagnostics {
				if ownCheck.MatchString(d.Message) {
					continue // the analyzer's own (TestAnalyzer): these packages have no twins
				}
				p := act.Package.Fset.Position(d.Pos)
				if !loadtest.MatchOne(exps, filepath.Base(p.Filename), p.Line, p.Column, d.Message) {
					t.Errorf("%s:%d:%d: unexpected diagnostic: %s", filepath.Base(p.Filename), p.Line, p.Column, d.Message)
				}
			}
			for _, x := range exps {
				if !x.Matched {
					t.Errorf("%s: no diagnostic matching %s", x.Pos(), x)
				}
			}
		})
	}
}
