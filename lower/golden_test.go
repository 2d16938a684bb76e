package lower_test

import (
	"bytes"
	"flag"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden lowers each testdata/golden/*.txtar package and compares the
// generated a_asyncgen.go with the archive's "want" file. The generated code
// of all archives is then vetted (so it type-checks and passes copylocks).
func TestGolden(t *testing.T) {
	archives := loadtest.Archives(t, filepath.Join(loadtest.RepoRoot(), "testdata", "golden"))
	dir := loadtest.Module(t, archives)
	pkgs, err := lower.Load(dir, "./...")
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(archives))
	for n := range archives {
		names = append(names, n)
	}
	sort.Strings(names)
	generated := map[string][]byte{}
	for _, p := range pkgs {
		out, diags := lower.Generate(p)
		for _, d := range diags {
			t.Errorf("%s", d)
		}
		if out == nil {
			continue
		}
		name := strings.TrimPrefix(p.PkgPath, loadtest.ModulePath+"/")
		for path, src := range out.Write {
			if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
				t.Errorf("%s is not gofmt'd (%v)", path, err)
			}
			if filepath.Base(path) == "a_asyncgen.go" {
				generated[name] = src
			}
			if err := os.WriteFile(path, src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got := generated[name]
			a := archives[name]
			if *update {
				loadtest.SetFile(a, "want", got)
				if err := os.WriteFile(filepath.Join(loadtest.RepoRoot(), "testdata", "golden", name+".txtar"), txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := loadtest.File(a, "want"); !bytes.Equal(want, got) {
				t.Errorf("generated code differs (run with -update to accept):\n--- got\n%s", got)
			}
		})
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the generated code: %v\n%s", err, out)
	}
}
