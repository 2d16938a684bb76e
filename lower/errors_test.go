package lower_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
)

// TestErrors lowers each package of testdata/errors and checks its
// diagnostics against the expectations written on the offending lines:
//
//	go runtime.Await(f) // ERROR "inside a go statement"
//	//asyncgen:async // ERROR col=1 "needs exactly one argument"
//
// Each ERROR gives a regular expression that the message must match and,
// with col=N, the column the diagnostic must have. A line may carry several.
// Every diagnostic must match an expectation of its line and every
// expectation a diagnostic. The expectations are cut from the lines (so
// that a directive keeps its text) before the packages are loaded, all of
// them in one call, as packages of one temporary module.
func TestErrors(t *testing.T) {
	dir, want := loadtest.ExpectingModule(t, filepath.Join(loadtest.RepoRoot(), "testdata", "errors"))
	pkgs, err := lower.Load(dir, "./...")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]lower.Diagnostic{}
	for _, p := range pkgs {
		name := strings.TrimPrefix(p.PkgPath, loadtest.ModulePath+"/")
		out, diags := lower.Generate(p)
		if len(diags) > 0 && out != nil {
			t.Errorf("%s: Generate reported errors and an output", name)
		}
		got[name] = diags
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			diags, ok := got[name]
			if !ok {
				t.Fatalf("package %s was not loaded", name)
			}
			exps := want[name]
			if len(exps) == 0 {
				t.Fatalf("testdata/errors/%s has no ERROR expectation", name)
			}
			for _, d := range diags {
				if !loadtest.MatchOne(exps, filepath.Base(d.Pos.Filename), d.Pos.Line, d.Pos.Column, d.Msg) {
					t.Errorf("%s:%d:%d: unexpected error: %s", filepath.Base(d.Pos.Filename), d.Pos.Line, d.Pos.Column, d.Msg)
				}
			}
			for _, x := range exps {
				if !x.Matched {
					t.Errorf("%s: no error matching %s", x.Pos(), x)
				}
			}
		})
	}
}
