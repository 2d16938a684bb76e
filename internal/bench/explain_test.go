package bench

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/lower"
)

// TestExplainSizes checks the machine sizes asyncgen -explain reports
// against the compiler's, and that it reports fast paths.
func TestExplainSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the package")
	}
	pkgs, err := lower.Load(".", ".")
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{}      // by machine type
	reports := map[string]string{} // by constructor
	header := regexp.MustCompile(`^(\w+) \(\S+\): (\w+), (\d+) bytes$`)
	for _, pkg := range pkgs {
		if strings.Contains(pkg.ID, " [") {
			continue // the test variant: the same machines
		}
		out, diags := lower.Generate(pkg)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		for _, r := range out.Explain {
			if m := header.FindStringSubmatch(strings.SplitN(r, "\n", 2)[0]); m != nil {
				sizes[m[2]], _ = strconv.Atoi(m[3])
				reports[m[1]] = r
			}
		}
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[CountIter](), reflect.TypeFor[EachIter](), reflect.TypeFor[EvensIter](),
		reflect.TypeFor[ItemsStream](), reflect.TypeFor[IdleFuture](), reflect.TypeFor[Chain1Future](),
		reflect.TypeFor[Chain16Future](), reflect.TypeFor[Wrap1Future](), reflect.TypeFor[Wrap8Future](),
	} {
		got, ok := sizes[typ.Name()]
		if !ok {
			t.Errorf("-explain reports no %s", typ.Name())
			continue
		}
		if uintptr(got) != typ.Size() {
			t.Errorf("-explain reports %s as %d bytes; it is %d", typ.Name(), got, typ.Size())
		}
	}
	for name, want := range map[string]string{
		"Count": "    fast path: Next runs the way back to this yield on locals\n",
		"Evens": "    fast path: Next runs the way back to this yield on locals, looping over what it skips\n",
		"Items": "    fast path: PollNext runs the way back to this yield on locals\n",
	} {
		if !strings.Contains(reports[name], want) {
			t.Errorf("-explain of %s lacks %q:\n%s", name, want, reports[name])
		}
	}
}
