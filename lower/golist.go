// This file lists packages for the quick load without go/packages: the
// packages named on the command line, when they are directories of the
// main module, are read with go/build in this process (as go list -test
// lists them), and their dependencies' export data comes from one go list
// run. go/packages runs go list for the named packages, then once more for
// the dependencies, each run after one of its own for the release tags;
// after an edit those runs are most of the time asyncgen takes.

package lower

import (
	"bytes"
	"errors"
	"fmt"
	"go/build"
	"go/types"
	"io/fs"
	"iter"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
)

// contextTemplate is what go list and go/build must agree on for the local
// listing to stand: a line of go list's template, and the same line made
// from a go/build context.
const contextTemplate = `{{context.Compiler}} {{context.GOOS}} {{context.GOARCH}} {{context.CgoEnabled}} ` +
	`{{join context.BuildTags ","}} {{join context.ToolTags ","}} {{join context.ReleaseTags ","}}`

func contextLine(c *build.Context) string {
	return fmt.Sprintf("%s %s %s %t %s %s %s", c.Compiler, c.GOOS, c.GOARCH, c.CgoEnabled,
		strings.Join(c.BuildTags, ","), strings.Join(c.ToolTags, ","), strings.Join(c.ReleaseTags, ","))
}

// localList is the outcome of listLocal: the packages, and the context
// they were read under, which go list must confirm.
type localList struct {
	pkgs    []*packages.Package
	context string
}

// listLocal lists the packages that patterns name in cfg.Dir, with their
// tests if cfg.Tests is set, as go/packages does with NeedName, NeedFiles,
// NeedCompiledGoFiles, NeedImports and NeedModule (test mains left out),
// reading the directories with go/build. It reports false, and the
// caller lists with go list, unless every pattern is a directory of the
// main module ("./x", "./x/...", "."), the module is not part of a
// workspace, the build flags are at most -tags, and no package it lists
// uses cgo or has a file go/build cannot read.
func listLocal(cfg packages.Config, patterns []string) (localList, bool) {
	var none localList
	if len(patterns) == 0 || cfg.Env != nil || len(cfg.Overlay) > 0 {
		return none, false
	}
	ctx := build.Default
	for _, f := range cfg.BuildFlags {
		tags, ok := strings.CutPrefix(f, "-tags=")
		if !ok {
			return none, false
		}
		ctx.BuildTags = append(ctx.BuildTags, strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	switch os.Getenv("GO111MODULE") {
	case "", "on", "auto":
	default:
		return none, false
	}
	dir := cfg.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return none, false
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return none, false
	}
	mod, ok := mainModule(dir)
	if !ok {
		return none, false
	}
	var dirs []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		rest, all := strings.CutSuffix(pat, "/...")
		if pat == "..." || !build.IsLocalImport(rest) && !filepath.IsAbs(rest) {
			return none, false
		}
		root := rest
		if !filepath.IsAbs(root) {
			root = filepath.Join(dir, filepath.FromSlash(rest))
		}
		if m, ok := mainModule(root); !ok || m.Dir != mod.Dir {
			return none, false // another module's, or none
		}
		found, ok := packageDirs(root, all, &ctx)
		if !ok {
			return none, false
		}
		// go list lists a pattern's packages by path.
		slices.SortFunc(found, func(a, b string) int { return strings.Compare(filepath.ToSlash(a), filepath.ToSlash(b)) })
		for _, d := range found {
			if !seen[d] {
				seen[d] = true
				dirs = append(dirs, d)
			}
		}
	}
	var pkgs, tests []*packages.Package
	for _, d := range dirs {
		bp, err := ctx.ImportDir(d, 0)
		if err != nil || bp.Name == "" || len(bp.CgoFiles)+len(bp.SwigFiles)+len(bp.SwigCXXFiles) > 0 || len(bp.InvalidGoFiles) > 0 {
			return none, false
		}
		rel, err := filepath.Rel(mod.Dir, d)
		if err != nil {
			return none, false
		}
		pkgPath := path.Join(mod.Path, filepath.ToSlash(rel))
		files := func(names ...[]string) []string {
			var out []string
			for _, n := range names {
				for _, name := range n {
					out = append(out, filepath.Join(d, name))
				}
			}
			return out
		}
		newPkg := func(id, name, pkgPath string, goFiles []string) *packages.Package {
			return &packages.Package{ID: id, Name: name, PkgPath: pkgPath, GoFiles: goFiles,
				CompiledGoFiles: goFiles, Imports: map[string]*packages.Package{}, Module: mod}
		}
		p := newPkg(pkgPath, bp.Name, pkgPath, files(bp.GoFiles))
		p.OtherFiles = files(bp.CFiles, bp.CXXFiles, bp.MFiles, bp.HFiles, bp.FFiles, bp.SFiles, bp.SysoFiles)
		p.IgnoredFiles = files(bp.IgnoredGoFiles, bp.IgnoredOtherFiles)
		addImports(p, bp.Imports, nil)
		pkgs = append(pkgs, p)
		if !cfg.Tests {
			continue
		}
		testID := pkgPath + " [" + pkgPath + ".test]"
		under := p
		if len(bp.TestGoFiles) > 0 {
			v := newPkg(testID, bp.Name, pkgPath, files(bp.GoFiles, bp.TestGoFiles))
			v.OtherFiles, v.IgnoredFiles = p.OtherFiles, p.IgnoredFiles
			addImports(v, bp.Imports, nil)
			addImports(v, bp.TestImports, nil)
			tests = append(tests, v)
			under = v
		}
		if len(bp.XTestGoFiles) > 0 {
			x := newPkg(pkgPath+"_test ["+pkgPath+".test]", bp.Name+"_test", pkgPath+"_test", files(bp.XTestGoFiles))
			addImports(x, bp.XTestImports, map[string]*packages.Package{pkgPath: under})
			tests = append(tests, x)
		}
	}
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
	}
	for _, p := range append(append([]*packages.Package{}, pkgs...), tests...) {
		for path, imp := range p.Imports {
			if r := byPath[path]; r != nil && imp.ID == path {
				p.Imports[path] = r
			}
		}
	}
	// A test that reaches its own package through another named package
	// would import a test variant of that one: go list makes those.
	for _, t := range tests {
		self := strings.TrimSuffix(t.PkgPath, "_test")
		for _, imp := range t.Imports {
			if imp.PkgPath != self && reaches(imp, self, map[*packages.Package]bool{}) {
				return none, false
			}
		}
	}
	// go list lists the packages, then their tests.
	return localList{append(pkgs, tests...), contextLine(&ctx)}, true
}

// addImports records paths as p's imports: a path of within is that
// package, any other a package known by its path alone.
func addImports(p *packages.Package, paths []string, within map[string]*packages.Package) {
	for _, path := range paths {
		if w := within[path]; w != nil {
			p.Imports[path] = w
		} else if p.Imports[path] == nil {
			p.Imports[path] = &packages.Package{ID: path, PkgPath: path}
		}
	}
}

// reaches reports whether p imports the package at path, directly or
// through the packages listed with it.
func reaches(p *packages.Package, path string, seen map[*packages.Package]bool) bool {
	if seen[p] {
		return false
	}
	seen[p] = true
	for _, imp := range p.Imports {
		if imp.PkgPath == path || reaches(imp, path, seen) {
			return true
		}
	}
	return false
}

// mainModule returns the module whose go.mod is the nearest above dir,
// and false when there is none, it does not parse, it is part of a
// workspace, or it names directories to ignore.
func mainModule(dir string) (*packages.Module, bool) {
	for d := range upward(dir) {
		gomod := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(gomod)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false
		}
		f, err := modfile.ParseLax(gomod, data, nil)
		if err != nil || f.Module == nil || len(f.Ignore) > 0 || inWorkspace(d) {
			return nil, false
		}
		m := &packages.Module{Path: f.Module.Mod.Path, Main: true, Dir: d, GoMod: gomod}
		if f.Go != nil {
			m.GoVersion = f.Go.Version
		}
		return m, true
	}
	return nil, false
}

// inWorkspace reports whether the go command may see the module at dir
// as part of a workspace.
func inWorkspace(dir string) bool {
	switch os.Getenv("GOWORK") {
	case "off":
		return false
	case "":
	default:
		return true
	}
	for d := range upward(dir) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return true
		}
	}
	return false
}

// upward yields dir and each directory above it, up to the root.
func upward(dir string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for d := dir; yield(d); {
			up := filepath.Dir(d)
			if up == d {
				return
			}
			d = up
		}
	}
}

// packageDirs returns root, or with all the directories under root that
// hold a package, as go list matches "root/..." in the module: it skips
// directories whose names start with "." or "_", testdata, and the trees
// of other modules. It reports false when it meets a vendor directory or
// cannot read one, and when root, named alone, holds no package.
func packageDirs(root string, all bool, ctx *build.Context) ([]string, bool) {
	holds := func(d string) bool {
		_, err := ctx.ImportDir(d, 0)
		var noGo *build.NoGoError
		return !errors.As(err, &noGo)
	}
	if !all {
		return []string{root}, holds(root)
	}
	var dirs []string
	ok := true
	err := filepath.WalkDir(root, func(d string, e fs.DirEntry, err error) error {
		if err != nil {
			ok = false
			return filepath.SkipAll
		}
		if !e.IsDir() {
			return nil
		}
		if d != root {
			name := e.Name()
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" {
				return filepath.SkipDir
			}
			if name == "vendor" {
				ok = false
				return filepath.SkipAll
			}
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		if holds(d) {
			dirs = append(dirs, d)
		}
		return nil
	})
	return dirs, ok && err == nil
}

// exported is a dependency as go list -export lists it.
type exported struct {
	path, export string
	main         bool // of the main module
	broken       bool // it or one of its dependencies has errors
}

// listDeps lists paths and everything they import, each with its export
// data (go list compiles what is not in the build cache), and the build
// context go list ran in (contextTemplate).
func listDeps(cfg packages.Config, paths []string) (deps []exported, context string, err error) {
	args := []string{"list", "-e", "-deps", "-export", "-pgo=off", "-f",
		"{{.ImportPath}}\t{{.Export}}\t{{with .Module}}{{.Main}}{{end}}\t{{if or .Error .DepsErrors}}broken{{end}}\t" + contextTemplate}
	args = append(args, cfg.BuildFlags...)
	args = append(args, "--")
	args = append(args, paths...)
	cmd := exec.Command("go", args...)
	cmd.Dir = cfg.Dir
	cmd.Env = cfg.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSuffix(line, "\n"), "\t", 5)
		if len(f) != 5 {
			return nil, "", fmt.Errorf("go list: unexpected line %q", line)
		}
		if context != "" && f[4] != context {
			return nil, "", fmt.Errorf("go list: two contexts")
		}
		context = f[4]
		deps = append(deps, exported{path: f[0], export: f[1], main: f[2] == "true", broken: f[3] != ""})
	}
	return deps, context, nil
}

// contextSizes returns the sizes of the target a context line names, or
// nil.
func contextSizes(context string) types.Sizes {
	f := strings.Fields(context)
	if len(f) < 3 {
		return nil
	}
	return types.SizesFor(f[0], f[2])
}
