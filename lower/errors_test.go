package lower_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
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
	root := filepath.Join("testdata", "errors")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), loadtest.GoMod(t), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(loadtest.RepoRoot(), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string][]*expectation{} // by package directory
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		exps, err := copyPackage(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want[e.Name()] = exps
	}
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
				if !matchOne(exps, d) {
					t.Errorf("%s:%d:%d: unexpected error: %s", filepath.Base(d.Pos.Filename), d.Pos.Line, d.Pos.Column, d.Msg)
				}
			}
			for _, x := range exps {
				if !x.matched {
					t.Errorf("%s: no error matching %s", x.pos(), x)
				}
			}
		})
	}
}

// An expectation is one ERROR of a source line.
type expectation struct {
	file    string
	line    int
	col     int // 0: any column
	re      *regexp.Regexp
	matched bool
}

func (x *expectation) pos() string { return fmt.Sprintf("%s:%d", x.file, x.line) }

func (x *expectation) String() string {
	if x.col > 0 {
		return fmt.Sprintf("col=%d %q", x.col, x.re)
	}
	return strconv.Quote(x.re.String())
}

// matchOne marks the first unmatched expectation that d meets.
func matchOne(exps []*expectation, d lower.Diagnostic) bool {
	for _, x := range exps {
		if !x.matched && x.file == filepath.Base(d.Pos.Filename) && x.line == d.Pos.Line &&
			(x.col == 0 || x.col == d.Pos.Column) && x.re.MatchString(d.Msg) {
			x.matched = true
			return true
		}
	}
	return false
}

var (
	errorComment = regexp.MustCompile(`\s*// ERROR\b.*$`)
	errorItem    = regexp.MustCompile(`ERROR(?:\s+col=(\d+))?\s+("(?:[^"\\]|\\.)*"|` + "`[^`]*`)")
)

// copyPackage copies the files of one package from src to dst, cutting
// the ERROR comments, and returns the expectations they held.
func copyPackage(src, dst string) ([]*expectation, error) {
	files, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	var exps []*expectation
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			return nil, err
		}
		lines := strings.Split(string(data), "\n")
		for i, line := range lines {
			c := errorComment.FindString(line)
			if c == "" {
				continue
			}
			text := strings.TrimPrefix(strings.TrimSpace(c), "//")
			items := errorItem.FindAllStringSubmatch(text, -1)
			if len(items) == 0 || strings.TrimSpace(errorItem.ReplaceAllString(text, "")) != "" {
				return nil, fmt.Errorf("%s:%d: malformed ERROR comment", filepath.Join(src, f.Name()), i+1)
			}
			for _, it := range items {
				x := &expectation{file: f.Name(), line: i + 1}
				if it[1] != "" {
					x.col, _ = strconv.Atoi(it[1])
				}
				re, err := strconv.Unquote(it[2])
				if err == nil {
					x.re, err = regexp.Compile(re)
				}
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %v", filepath.Join(src, f.Name()), i+1, err)
				}
				exps = append(exps, x)
			}
			lines[i] = strings.TrimSuffix(line, c)
		}
		if err := os.WriteFile(filepath.Join(dst, f.Name()), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			return nil, err
		}
	}
	return exps, nil
}
