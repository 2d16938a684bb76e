// Package loadtest builds throwaway modules for tests: each txtar archive
// becomes one package of a temporary module that points at this repository,
// and all of them are loaded in one go/packages call.
package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// ModulePath is the module path of the temporary module.
const ModulePath = "example.com/t"

// RepoRoot returns the root of this repository.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Module writes a temporary module holding one package per archive, under
// a directory named after the archive, and returns the module's directory.
// Files named "want" or starting with "want." are not written.
func Module(t testing.TB, archives map[string]*txtar.Archive) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), GoMod(t), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(RepoRoot(), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, a := range archives {
		for _, f := range a.Files {
			if f.Name == "want" || strings.HasPrefix(f.Name, "want.") {
				continue
			}
			p := filepath.Join(dir, name, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// GoMod returns the go.mod of a module that uses this repository through a
// replace directive: it repeats the repository's requirements, so that the
// repository's go.sum serves it and nothing is downloaded.
func GoMod(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(RepoRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			in = true
		case in && line == ")":
			in = false
		case in && line != "":
			reqs = append(reqs, "\t"+strings.TrimSuffix(line, " // indirect"))
		case strings.HasPrefix(line, "require ") && !strings.HasSuffix(line, "("):
			reqs = append(reqs, "\t"+strings.TrimPrefix(line, "require "))
		}
	}
	return []byte(fmt.Sprintf("module %s\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/asyncgen/asyncgen v0.0.0\n%s\n)\n\nreplace github.com/asyncgen/asyncgen => %s\n",
		ModulePath, strings.Join(reqs, "\n"), RepoRoot()))
}

// Archives reads every *.txtar file of dir, keyed by base name.
func Archives(t testing.TB, dir string) map[string]*txtar.Archive {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*txtar.Archive{}
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".txtar")] = a
	}
	return out
}

// File returns the named file of a, or nil.
func File(a *txtar.Archive, name string) []byte {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// SetFile replaces (or adds) the named file of a.
func SetFile(a *txtar.Archive, name string, data []byte) {
	for i, f := range a.Files {
		if f.Name == name {
			a.Files[i].Data = data
			return
		}
	}
	a.Files = append(a.Files, txtar.File{Name: name, Data: data})
}
