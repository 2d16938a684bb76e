// This file holds the quick first phase of loading: the packages named on
// the command line are type-checked from source against the export data of
// what they import, as go/packages does, but without compiling them first
// (go list -export, which go/packages runs for export data, compiles every
// package it lists, the roots too; for a package of machines that costs
// more than all the rest of a run).

package lower

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// quick is the outcome of loadQuick.
type quick struct {
	pkgs  []*packages.Package
	state quickState
}

type quickState int

const (
	quickRefused    quickState = iota // load with go/packages
	quickClean                        // every package type-checks
	quickTypeErrors                   // type errors in the named packages only, none of whose dependencies is of the main module
)

// loadQuick loads patterns (with their tests) in cfg as go/packages does
// with LoadMode. It refuses (and the caller loads with go/packages) unless
// every package lists and parses, every dependency loads cleanly, and the
// import graph is one it handles: no dependency that is a test variant or
// that imports a package named on the command line. Type errors in the
// named packages are recorded as go/packages records them.
func loadQuick(cfg packages.Config, patterns []string) quick {
	refused := quick{state: quickRefused}
	local, isLocal := listLocal(cfg, patterns)
	roots := local.pkgs
	if !isLocal {
		cfg.Mode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
			packages.NeedImports | packages.NeedModule
		var err error
		if roots, err = packages.Load(&cfg, patterns...); err != nil {
			return refused
		}
		roots = slices.DeleteFunc(roots, func(p *packages.Package) bool { return strings.HasSuffix(p.ID, ".test") })
	}
	if len(roots) == 0 {
		return refused
	}
	byID := map[string]*packages.Package{}
	for _, p := range roots {
		if len(p.Errors) > 0 {
			return refused
		}
		byID[p.ID] = p
	}
	// The dependencies that are not roots come from export data, loaded in
	// one go so that they share their packages.
	var deps []string
	seen := map[string]bool{}
	for _, p := range roots {
		for _, imp := range p.Imports {
			if byID[imp.ID] != nil || seen[imp.ID] || imp.PkgPath == "unsafe" {
				continue
			}
			if imp.ID != imp.PkgPath {
				return refused // a test variant of a dependency
			}
			seen[imp.ID] = true
			deps = append(deps, imp.PkgPath)
		}
	}
	slices.Sort(deps)
	// Parse the roots while go list compiles the dependencies.
	fset := token.NewFileSet()
	if cfg.Fset != nil {
		fset = cfg.Fset
	}
	parsed := make([]*parsedFiles, len(roots))
	var parsing sync.WaitGroup
	for i, p := range roots {
		parsing.Go(func() { parsed[i] = parseFiles(p, fset, cfg.Overlay) })
	}
	exports := map[string]*types.Package{}
	// The target's sizes come with the dependencies; a package that
	// imports nothing is sized for GOARCH as go/build sees it.
	sizes := defaultSizes()
	mainDeps := false
	if len(deps) > 0 || isLocal {
		// The whole graph (to see what it holds) with the export files;
		// only the direct dependencies' export data is read, below: what
		// they refer to of their own dependencies comes with it. Listing
		// something confirms the context the roots were read in.
		list := deps
		if len(list) == 0 {
			list = []string{"unsafe"}
		}
		listed, context, err := listDeps(cfg, list)
		if err != nil || isLocal && context != local.context {
			parsing.Wait()
			return refused
		}
		if s := contextSizes(context); s != nil {
			sizes = s
		}
		exportFile := map[string]string{}
		for _, d := range listed {
			if d.broken || byID[d.path] != nil {
				parsing.Wait()
				return refused
			}
			mainDeps = mainDeps || d.main
			exportFile[d.path] = d.export
		}
		imports := map[string]*types.Package{}
		for _, path := range deps {
			tp, err := readExport(path, exportFile[path], fset, imports)
			if err != nil {
				parsing.Wait()
				return refused
			}
			exports[path] = tp
		}
	}
	parsing.Wait()
	index := map[*packages.Package]int{}
	for i, p := range roots {
		if parsed[i] == nil {
			return refused // a file does not read or parse
		}
		index[p] = i
	}
	// Type-check the roots, each once the roots it imports are checked,
	// as many at a time as there are processors.
	if importCycle(roots, byID) {
		return refused // go/packages reports it
	}
	done := make([]chan struct{}, len(roots))
	for i := range done {
		done[i] = make(chan struct{})
	}
	ok := make([]bool, len(roots))
	sem := make(chan struct{}, goruntime.GOMAXPROCS(0))
	var checking sync.WaitGroup
	for i, p := range roots {
		checking.Go(func() {
			defer close(done[i])
			for _, imp := range p.Imports {
				if r := byID[imp.ID]; r != nil {
					<-done[index[r]]
					if !ok[index[r]] {
						return
					}
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			ok[i] = typeCheck(p, parsed[i], sizes, func(id string) *types.Package {
				if r := byID[id]; r != nil {
					return r.Types
				}
				return exports[id]
			})
		})
	}
	checking.Wait()
	typeErrors := false
	for i, p := range roots {
		if !ok[i] {
			return refused
		}
		typeErrors = typeErrors || len(p.TypeErrors) > 0
	}
	switch {
	case !typeErrors:
		return quick{roots, quickClean}
	case !mainDeps:
		return quick{roots, quickTypeErrors}
	}
	return refused
}

// readExport reads the export data of the package at path from file
// into imports, which the packages read before share: a package that one
// of them refers to is completed, not made twice.
func readExport(path, file string, fset *token.FileSet, imports map[string]*types.Package) (*types.Package, error) {
	if file == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	return gcexportdata.Read(r, fset, imports, path)
}

// importCycle reports whether the roots import each other in a cycle.
func importCycle(roots []*packages.Package, byID map[string]*packages.Package) bool {
	state := map[*packages.Package]int{} // 1: on the path, 2: done
	var visit func(p *packages.Package) bool
	visit = func(p *packages.Package) bool {
		switch state[p] {
		case 1:
			return true
		case 2:
			return false
		}
		state[p] = 1
		for _, imp := range p.Imports {
			if r := byID[imp.ID]; r != nil && visit(r) {
				return true
			}
		}
		state[p] = 2
		return false
	}
	for _, p := range roots {
		if visit(p) {
			return true
		}
	}
	return false
}

// parsedFiles are a package's files, parsed, and which of them asyncgen
// wrote (their bodies dropped).
type parsedFiles struct {
	fset  *token.FileSet
	files []*ast.File
	twins map[*ast.File]bool
}

// parseFiles parses p's files (from overlay where it has them) into fset,
// or returns nil when one does not read or parse.
func parseFiles(p *packages.Package, fset *token.FileSet, overlay map[string][]byte) *parsedFiles {
	out := &parsedFiles{fset: fset, twins: map[*ast.File]bool{}}
	for _, name := range p.CompiledGoFiles {
		src, ok := overlay[name]
		if !ok {
			var err error
			if src, err = os.ReadFile(name); err != nil {
				return nil
			}
		}
		const mode = parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution
		var f *ast.File
		twin := twinNamed(name) && IsGenerated(src)
		if twin {
			// Parsing the bodies of machines is most of parsing them.
			if g, err := parser.ParseFile(fset, name, withoutBodies(src), mode); err == nil {
				f = g
			}
		}
		if f == nil {
			var err error
			if f, err = parser.ParseFile(fset, name, src, mode); err != nil {
				return nil
			}
		}
		if twin {
			dropBodies(f)
			out.twins[f] = true
		}
		out.files = append(out.files, f)
	}
	return out
}

// typeCheck type-checks p's parsed files, its imports resolved through
// lookup by package ID, recording type errors as go/packages does. It
// reports false when an import does not resolve.
func typeCheck(p *packages.Package, parsed *parsedFiles, sizes types.Sizes, lookup func(id string) *types.Package) bool {
	fset := parsed.fset
	p.Fset = fset
	p.Syntax = parsed.files
	twins := parsed.twins
	p.TypesInfo = &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
	p.TypesSizes = sizes
	failed := false
	tc := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			if imp := p.Imports[path]; imp != nil {
				if t := lookup(imp.ID); t != nil {
					return t, nil
				}
			}
			failed = true
			return nil, os.ErrNotExist
		}),
		Error: func(err error) {
			terr, ok := err.(types.Error)
			if !ok {
				failed = true
				return
			}
			if terr.Soft && unusedImport.MatchString(terr.Msg) && twins[fileOf(p.Syntax, terr.Pos)] {
				return // used in the bodies dropped
			}
			p.TypeErrors = append(p.TypeErrors, terr)
			p.Errors = append(p.Errors, packages.Error{Pos: fset.Position(terr.Pos).String(), Msg: terr.Msg, Kind: packages.TypeError})
		},
		Sizes: sizes,
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		tc.GoVersion = "go" + p.Module.GoVersion
	}
	p.Types = types.NewPackage(p.PkgPath, p.Name)
	types.NewChecker(tc, fset, p.Types, p.TypesInfo).Files(p.Syntax)
	p.IllTyped = len(p.Errors) > 0
	return !failed
}

// unusedImport matches go/types' message for an import not used.
var unusedImport = regexp.MustCompile(`^"[^"]*" imported( as \w+)? and not used$`)

// dropBodies removes the bodies of f's functions and methods: a generated
// file is about to be replaced, and what the bodies of a package use of it
// is its declarations. Type-checking the bodies of machines is most of the
// cost of a load otherwise.
func dropBodies(f *ast.File) {
	for _, d := range f.Decls {
		// go/types wants the bodies of init and of generic functions.
		if fd, ok := d.(*ast.FuncDecl); ok && (fd.Name.Name != "init" || fd.Recv != nil) && fd.Type.TypeParams == nil {
			fd.Body = nil
		}
	}
}

// withoutBodies blanks the bodies of the top-level functions of a file
// asyncgen wrote, keeping its lines: a body opens at the end of the line
// where the brackets of a declaration starting with "func " at column 0
// leave one brace open, and closes at the next line that is "}" alone;
// generic functions keep theirs.
// A file written otherwise may not parse after it; the caller then parses
// the text as it is.
func withoutBodies(src []byte) []byte {
	out := make([]byte, 0, len(src))
	const (
		outside = iota
		signature
		body
	)
	state, depth := outside, 0
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line = src[:i+1]
		}
		src = src[len(line):]
		text := bytes.TrimRight(line, "\r\n")
		if state == outside && bytes.HasPrefix(text, []byte("func ")) && !genericFunc(text) {
			state, depth = signature, 0
		}
		switch state {
		case body:
			if string(text) == "}" {
				state = outside
				out = append(out, line...)
			} else {
				out = append(out, '\n')
			}
			continue
		case signature:
			depth += bracketDepth(text)
			if depth == 1 && bytes.HasSuffix(text, []byte("{")) {
				state = body
			} else if depth <= 0 {
				state = outside // no body, or one closed on this line
			}
		}
		out = append(out, line...)
	}
	if state != outside {
		return nil
	}
	return out
}

// genericFunc reports whether a line declares a generic function (go/types
// wants its body): "func Name[".
func genericFunc(line []byte) bool {
	rest := line[len("func "):]
	i := bytes.IndexAny(rest, "[( ")
	return i > 0 && rest[i] == '['
}

// bracketDepth returns how many more brackets a line of Go opens than it
// closes, outside strings, runes and comments.
func bracketDepth(line []byte) int {
	d := 0
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return d
		case c == '(' || c == '[' || c == '{':
			d++
		case c == ')' || c == ']' || c == '}':
			d--
		}
	}
	return d
}

// fileOf returns the file of files that holds pos.
func fileOf(files []*ast.File, pos token.Pos) *ast.File {
	for _, f := range files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// defaultSizes are the gc compiler's sizes for GOARCH as go/build sees it:
// what a package is sized with when go list gave no sizes.
func defaultSizes() types.Sizes { return types.SizesFor("gc", build.Default.GOARCH) }

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
