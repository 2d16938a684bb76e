// Asyncgen compiles annotated Go functions into poll-driven state machines.
//
// Usage:
//
//	asyncgen [flags] [packages]
//
// Packages are patterns as for go list; the default is the package in the
// current directory. In a package source file, a function whose doc comment
// holds one of
//
//	//asyncgen:async  NAME   body returns (), (T) or (T, error): NAME(...) is a runtime.Future
//	//asyncgen:gen    NAME   last parameter is `yield func(T) bool`: NAME(...) is a runtime.Iterator
//	//asyncgen:stream NAME   both: NAME(...) is a runtime.AsyncIterator
//
// gets a constructor NAME with the same parameters (minus yield) and type
// parameters, returning a state machine that runs the body one step at a
// time. For each file x.go holding directives, asyncgen writes
// x_asyncgen.go beside it (x_asyncgen_test.go for a test file x_test.go,
// in the same test package); a file without directives loses its twin.
//
// The flags are:
//
//	-check    write nothing; exit 1 if a generated file is missing or stale
//	-explain  print each machine's size and, per suspension
//	          point, the variables it holds
//	-graph    write the state machine of constructor NAME as Graphviz DOT:
//	          its states (start, each suspension point with its source
//	          line and what the machine holds there, done) and the steps
//	          between them; nothing is generated
//	-debug    debug the tool: ir prints each body's graph (blocks,
//	          statements, suspensions, liveness), dot the same as Graphviz
//	          DOT, raw writes the unformatted twin of a file whose generated
//	          code does not format, so there is something to inspect
//	-coverprofile FILE
//	          rewrite the coverage profile FILE that go test wrote: the
//	          units of each machine, which count under its body's lines,
//	          are folded into the body's own units (a count goes to the
//	          unit where the machine's unit starts), so that go tool cover
//	          -html draws each body once, covered where either run
//	          covered it; nothing is generated
//	-tags     comma-separated build tags to load the packages with
//	-abspaths name files in line directives by their absolute paths, as
//	          the compiler names ordinary source: stack traces show the
//	          directory, and a -trimpath build the module path; the
//	          output then depends on where the module is, so use it for
//	          twins generated where they are built, not committed ones
//	          (-check needs the same flag)
//	-version  print the version and exit
//
// Arguments naming .go files (as in //go:generate asyncgen $GOFILE) lower
// the packages of their directories and write the twins of those files
// only. A twin carries its source's build constraints (its //go:build
// line, and those its name implies, as x_linux.go's), and a twin whose
// source file is gone is removed.
//
// Errors are reported as file:line:col: asyncgen: message, all of a run at
// once; when there is any, no file is written and the exit status is 1.
// Usage errors exit with status 2.
//
// Typical use is a go:generate line in the package:
//
//	//go:generate go tool asyncgen
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/go/packages"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("asyncgen: ")
	os.Exit(mainWithArgs(os.Args[1:], os.Stdout, os.Stderr))
}

// mainWithArgs parses the command line and runs the tool; it returns the
// exit status: 2 for a usage error.
func mainWithArgs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("asyncgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.BoolVar(&o.check, "check", false, "write nothing; exit 1 if a generated file is missing or stale")
	fs.BoolVar(&o.explain, "explain", false, "print each machine's size and, per suspension, what it holds")
	fs.StringVar(&o.debug, "debug", "", "debug the tool: `ir` prints each body's graph with liveness, dot the same as Graphviz DOT, raw writes the unformatted twin of a file whose generated code does not format")
	fs.StringVar(&o.tags, "tags", "", "comma-separated build tags to load the packages with, as for go build")
	fs.StringVar(&o.graph, "graph", "", "write the state machine of constructor `NAME` (Recv.NAME for a method) as Graphviz DOT, and nothing else")
	fs.BoolVar(&o.abspaths, "abspaths", false, "name files in line directives by their absolute paths, as the compiler names ordinary source (stack traces show the directory); the output then depends on where the module is")
	fs.StringVar(&o.coverprofile, "coverprofile", "", "rewrite the go test coverage profile `FILE`: the machines' units are folded into their bodies' own, so that go tool cover -html draws each body once; nothing is generated")
	version := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: asyncgen [-check] [-explain] [-graph NAME] [-coverprofile FILE] [-tags list] [-abspaths] [packages | files]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Fprintln(stdout, "asyncgen", toolVersion())
		return 0
	}
	return run(fs.Args(), o, stdout, stderr)
}

// options are the flags of a run.
type options struct {
	check, explain, abspaths         bool
	tags, graph, debug, coverprofile string
}

// toolVersion returns the module version the tool was built from and the
// Go version that built it.
func toolVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	return v + " " + bi.GoVersion
}

// fileArgs turns arguments naming .go files (the go:generate habit of
// passing $GOFILE) into the packages of their directories, and returns the
// files: only their twins are written or removed.
func fileArgs(args []string) (patterns []string, only map[string]bool) {
	for _, a := range args {
		if !strings.HasSuffix(a, ".go") {
			return args, nil
		}
	}
	only = map[string]bool{}
	dirs := map[string]bool{}
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			return args, nil
		}
		only[abs] = true
		if d := filepath.Dir(abs); !dirs[d] {
			dirs[d] = true
			patterns = append(patterns, d)
		}
	}
	return patterns, only
}

// run is the whole tool; it returns the exit status.
func run(args []string, o options, stdout, stderr io.Writer) int {
	check, explain := o.check, o.explain
	if len(args) == 0 {
		args = []string{"."}
	}
	if noModule() {
		wd, _ := os.Getwd()
		fmt.Fprintf(stderr, "asyncgen: no go.mod in %s or any parent directory: asyncgen lowers the packages of a module (go mod init)\n", wd)
		return 1
	}
	patterns, only := fileArgs(args)
	if o.coverprofile != "" {
		if err := foldCoverage(o.coverprofile, patterns, o.tags); err != nil {
			fmt.Fprintf(stderr, "asyncgen: %s\n", goMessage(err))
			return 1
		}
		return 0
	}
	for _, p := range patterns {
		if fi, err := os.Stat(p); only != nil && (err != nil || !fi.IsDir()) {
			fmt.Fprintf(stderr, "asyncgen: %s: no such directory\n", p)
			return 1
		}
	}
	for f := range only {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(stderr, "asyncgen: %s: no such file\n", relPath(f))
			return 1
		}
	}
	pkgs, err := lower.LoadTags("", o.tags, patterns...)
	if err != nil {
		fmt.Fprintf(stderr, "asyncgen: %s\n", goMessage(err))
		return 1
	}
	if len(pkgs) == 0 {
		fmt.Fprintf(stderr, "asyncgen: no packages match %v\n", patterns)
		return 1
	}
	if o.graph != "" {
		return graph(pkgs, o.graph, stdout, stderr)
	}
	var diags []lower.Diagnostic
	write := map[string][]byte{}
	var remove []string
	var reports []string
	opts := lower.Options{AbsPaths: o.abspaths}
	switch o.debug {
	case "":
	case "ir":
		opts.IR = true
	case "dot":
		opts.DOT = true
	case "raw":
		opts.Raw = true
	default:
		fmt.Fprintf(stderr, "asyncgen: -debug takes ir, dot or raw, not %q\n", o.debug)
		return 2
	}
	named := func(twin string) bool { return only == nil || only[lower.SourceOf(twin)] }
	outs, pkgDiags := lower.GenerateAll(pkgs, opts)
	for i := range pkgs {
		out, ds := outs[i], pkgDiags[i]
		if out != nil {
			for _, d := range out.Debug {
				fmt.Fprint(stdout, d)
			}
			for p, src := range out.Raw {
				if old, err := os.ReadFile(p); err == nil && !lower.IsGenerated(old) {
					continue
				}
				if err := writeFile(p, src); err == nil {
					fmt.Fprintf(stderr, "asyncgen: wrote %s unformatted, for inspection\n", relPath(p))
				}
			}
		}
		diags = append(diags, ds...)
		if out == nil {
			continue
		}
		for p, src := range out.Write {
			if named(p) {
				write[p] = src
			}
		}
		for _, p := range out.Remove {
			if named(p) && !slices.Contains(remove, p) {
				remove = append(remove, p)
			}
		}
		reports = append(reports, out.Explain...)
	}
	if only != nil {
		// Of the errors, those of the named files; all of them when none
		// is there: an error elsewhere can still stop the package.
		var mine []lower.Diagnostic
		for _, d := range diags {
			if abs, err := filepath.Abs(d.Pos.Filename); err == nil && only[abs] {
				mine = append(mine, d)
			}
		}
		if len(mine) > 0 {
			diags = mine
		}
	}
	// Never overwrite a file that lacks the generated header; a twin to
	// remove that lacks it is not ours: leave it alone.
	paths := make([]string, 0, len(write))
	for p := range write {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		old, err := os.ReadFile(p)
		if err == nil && !lower.IsGenerated(old) {
			diags = append(diags, lower.Diagnostic{Pos: position(p), Msg: fmt.Sprintf("%s exists and was not generated by asyncgen; not overwriting it", filepath.Base(p))})
		}
	}
	remove = slices.DeleteFunc(remove, func(p string) bool {
		old, err := os.ReadFile(p)
		return err != nil || !lower.IsGenerated(old)
	})
	sort.Strings(remove)
	if len(diags) > 0 {
		lower.SortDiagnostics(diags)
		for _, d := range diags {
			if d.Pos.Filename == "" {
				fmt.Fprintf(stderr, "asyncgen: %s\n", d.Msg)
				continue
			}
			d.Pos.Filename = relPath(d.Pos.Filename)
			fmt.Fprintln(stderr, d)
		}
		return 1
	}
	if explain {
		for _, r := range reports {
			fmt.Fprint(stdout, r)
		}
	}
	if check {
		status := 0
		for _, p := range paths {
			old, err := os.ReadFile(p)
			switch {
			case err != nil:
				fmt.Fprintf(stderr, "asyncgen: %s is missing\n", relPath(p))
				status = 1
			case !bytes.Equal(old, write[p]):
				fmt.Fprintf(stderr, "asyncgen: %s is stale\n", relPath(p))
				status = 1
			}
		}
		for _, p := range remove {
			fmt.Fprintf(stderr, "asyncgen: %s should be removed\n", relPath(p))
			status = 1
		}
		return status
	}
	for _, p := range paths {
		old, err := os.ReadFile(p)
		if err == nil && bytes.Equal(old, write[p]) {
			continue
		}
		if err := writeFile(p, write[p]); err != nil {
			fmt.Fprintf(stderr, "asyncgen: %v\n", err)
			return 1
		}
	}
	for _, p := range remove {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			fmt.Fprintf(stderr, "asyncgen: %v\n", err)
			return 1
		}
	}
	return 0
}

// graph writes the state machine of the constructor name declared in one
// of pkgs.
func graph(pkgs []*packages.Package, name string, stdout, stderr io.Writer) int {
	for _, pkg := range pkgs {
		dot, found, errs := lower.StateGraph(pkg, name)
		if !found {
			continue
		}
		if len(errs) > 0 {
			for _, d := range errs {
				d.Pos.Filename = relPath(d.Pos.Filename)
				fmt.Fprintln(stderr, d)
			}
			return 1
		}
		fmt.Fprint(stdout, dot)
		return 0
	}
	fmt.Fprintf(stderr, "asyncgen: no constructor %s in the packages\n", name)
	return 1
}

// noModule reports whether the current directory is outside any module.
func noModule() bool {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(out))
	return err == nil && (mod == "" || mod == os.DevNull)
}

// goMessage returns what the go command said, without the wrapping that
// go/packages adds around it.
func goMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "stderr: "); i >= 0 {
		msg = msg[i+len("stderr: "):]
	}
	msg = strings.TrimPrefix(msg, "go: ")
	return strings.TrimSpace(msg)
}

// relPath returns path relative to the current directory when it lies
// below it, as the compiler prints positions; otherwise path itself.
func relPath(path string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(path) {
		return path
	}
	r, err := filepath.Rel(wd, path)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return path
	}
	return r
}

func position(path string) (p lower.Position) {
	p.Filename = path
	p.Line = 1
	p.Column = 1
	return p
}

// writeFile writes data to path through a temporary file and a rename, so
// a reader never sees half a file.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".asyncgen-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
