package lower_test

import (
	"go/types"
	"regexp"
	"strconv"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
)

// The size -explain reports for a machine is the size the compiler gives
// the struct its twin declares (go/types' gc sizes are the compiler's), for
// every machine of the packages below that is not generic.
func TestExplainSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages")
	}
	pkgs, err := lower.Load(loadtest.RepoRoot(), "./internal/conformance", "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	head := regexp.MustCompile(`^\S+ \(\S+:\d+\): (\w+), (\d+) bytes\n`)
	n := 0
	for _, pkg := range pkgs {
		out, diags := lower.Generate(pkg)
		if len(diags) > 0 {
			t.Fatalf("%s: %v", pkg.ID, diags)
		}
		if out == nil {
			continue
		}
		for _, report := range out.Explain {
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
