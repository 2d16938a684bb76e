package lower_test

import (
	"go/types"
	"regexp"
	"strconv"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/packages"
)

// The size -explain reports for a machine is the size the compiler gives
// the struct its twin declares (go/types' gc sizes are the compiler's), for
// every machine of the packages below that is not generic.
func TestExplainSizes(t *testing.T) {
	head := regexp.MustCompile(`^\S+ \(\S+:\d+\): (\w+), (\d+) bytes\n`)
	n := 0
	for pkg, reports := range explainReports(t) {
		for _, report := range reports {
			m := head.FindStringSubmatch(report)
			if m == nil {
				t.Fatalf("explain report without a size line:\n%s", report)
			}
			obj, _ := pkg.Types.Scope().Lookup(m[1]).(*types.TypeName)
			if obj == nil {
				t.Errorf("%s: no type %s", pkg.ID, m[1])
				continue
			}
			if named, ok := obj.Type().(*types.Named); ok && named.TypeParams().Len() > 0 {
				continue
			}
			want := pkg.TypesSizes.Sizeof(obj.Type())
			if got, _ := strconv.ParseInt(m[2], 10, 64); got != want {
				t.Errorf("%s.%s: -explain says %d bytes, the compiler %d", pkg.Types.Name(), m[1], got, want)
			}
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d machines compared", n)
	}
	t.Logf("%d machines", n)
}

// explainReports loads the conformance bodies and the examples and returns
// each package's -explain reports; it skips the test with -short.
func explainReports(t *testing.T) map[*packages.Package][]string {
	t.Helper()
	if testing.Short() {
		t.Skip("loads packages")
	}
	pkgs, err := lower.Load(loadtest.RepoRoot(), "./internal/conformance", "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	reports := map[*packages.Package][]string{}
	for _, pkg := range pkgs {
		out, diags := lower.Generate(pkg)
		if len(diags) > 0 {
			t.Fatalf("%s: %v", pkg.ID, diags)
		}
		if out != nil {
			reports[pkg] = out.Explain
		}
	}
	return reports
}

// Packages generated at once give what each gives alone (run with -race:
// packages share their dependencies' types and, between a package and its
// test variant, syntax).
func TestGenerateAll(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages")
	}
	pkgs, err := lower.Load(loadtest.RepoRoot(), "./internal/conformance", "./examples/...", "./runtime/anet")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 8 {
		t.Fatalf("only %d packages", len(pkgs))
	}
	outs, diags := lower.GenerateAll(pkgs, lower.Options{})
	for i, pkg := range pkgs {
		out, ds := lower.Generate(pkg)
		if len(ds) > 0 || len(diags[i]) > 0 {
			t.Fatalf("%s: %v / %v", pkg.ID, ds, diags[i])
		}
		if (out == nil) != (outs[i] == nil) {
			t.Fatalf("%s: output %v alone, %v at once", pkg.ID, out != nil, outs[i] != nil)
		}
		if out == nil {
			continue
		}
		if len(out.Write) != len(outs[i].Write) {
			t.Errorf("%s: %d files alone, %d at once", pkg.ID, len(out.Write), len(outs[i].Write))
		}
		for path, src := range out.Write {
			if string(outs[i].Write[path]) != string(src) {
				t.Errorf("%s: %s differs when generated at once", pkg.ID, path)
			}
		}
	}
}
