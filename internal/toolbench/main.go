// Command toolbench measures how long asyncgen takes beside go vet on the
// same packages after an edit, the way both run in a development loop.
//
//	go run ./internal/toolbench [-rounds 5]
//
// It writes a temporary module holding copies of three standard-library
// packages (text/template/parse, encoding/csv, bufio) with every function
// whose results fit marked //asyncgen:async, and a generated package of
// 1,000 async functions; generates once; then, each round, appends a
// comment to one file of a package (an edit) and times go vet, edits again
// and times asyncgen. It prints the median times and their ratio.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("toolbench: ")
	rounds := flag.Int("rounds", 5, "measurements per package and tool")
	keep := flag.Bool("keep", false, "keep the temporary module and print its directory")
	flag.Parse()
	repo := repoRoot()
	dir, err := os.MkdirTemp("", "toolbench")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		fmt.Println("module in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	tool := filepath.Join(dir, "asyncgen")
	run(repo, "go", "build", "-o", tool, "./cmd/asyncgen")
	writeModule(dir, repo)
	n := 0
	for _, p := range []string{"text/template/parse", "encoding/csv", "bufio"} {
		n += copyAnnotated(p, filepath.Join(dir, "std", filepath.Base(p)))
	}
	writeGenerated(filepath.Join(dir, "many"), 1000)
	run(dir, "go", "mod", "tidy")
	run(dir, tool, "./...")
	run(dir, "go", "vet", "./...")
	fmt.Printf("go: %s; GOMAXPROCS %d; %d functions annotated in 3 standard-library packages\n", runtime.Version(), runtime.GOMAXPROCS(0), n)
	for _, c := range []struct{ name, pattern, edit string }{
		{"std (parse, csv, bufio)", "./std/...", "std/parse/lex.go"},
		{"1,000 generated functions", "./many", "many/many.go"},
	} {
		var vet, gen []time.Duration
		for i := 0; i < *rounds; i++ {
			edit(filepath.Join(dir, c.edit), i)
			vet = append(vet, timed(dir, "go", "vet", c.pattern))
			edit(filepath.Join(dir, c.edit), i)
			gen = append(gen, timed(dir, tool, c.pattern))
		}
		v, g := median(vet), median(gen)
		fmt.Printf("%-26s go vet %6.2fs  asyncgen %6.2fs  asyncgen/vet %.2fx\n", c.name, v.Seconds(), g.Seconds(), g.Seconds()/v.Seconds())
	}
}

// repoRoot returns this repository's root.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func run(dir, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func timed(dir, name string, args ...string) time.Duration {
	t := time.Now()
	run(dir, name, args...)
	return time.Since(t)
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// edit appends a comment to the file, as an edit would change it.
func edit(path string, i int) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(f, "\n// edit %d %d\n", i, time.Now().UnixNano())
	f.Close()
}

// writeModule writes the module's go.mod, using this repository.
func writeModule(dir, repo string) {
	mod := "module example.com/toolbench\n\ngo 1.26\n\nrequire github.com/asyncgen/asyncgen v0.0.0\n\nreplace github.com/asyncgen/asyncgen => " + repo + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		log.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(repo, "go.sum"))
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// copyAnnotated copies the package's non-test files to dir, marking every
// function whose results an async body may have, and returns how many.
func copyAnnotated(pkg, dir string) int {
	src := filepath.Join(runtime.GOROOT(), "src", pkg)
	entries, err := os.ReadDir(src)
	if err != nil {
		log.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			log.Fatal(err)
		}
		out, k := annotate(name, data)
		n += k
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	return n
}

// annotate inserts a directive before every function with a body whose
// results are (), (T) or (T, error).
func annotate(name string, data []byte) ([]byte, int) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, data, parser.ParseComments)
	if err != nil {
		log.Fatal(err)
	}
	var at []int
	var names []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || !fits(fd.Type.Results) {
			continue
		}
		recv := ""
		if fd.Recv != nil {
			recv = recvName(fd.Recv.List[0].Type)
		}
		at = append(at, fset.Position(fd.Type.Func).Offset)
		names = append(names, fmt.Sprintf("Async%s%s%d", recv, strings.ToUpper(fd.Name.Name[:1])+fd.Name.Name[1:], len(at)))
	}
	var out bytes.Buffer
	last := 0
	for i, off := range at {
		out.Write(data[last:off])
		fmt.Fprintf(&out, "//asyncgen:async %s\n", names[i])
		last = off
	}
	out.Write(data[last:])
	return out.Bytes(), len(at)
}

// fits reports whether a result list is (), (T) or (T, error).
func fits(r *ast.FieldList) bool {
	n := 0
	if r != nil {
		for _, f := range r.List {
			n += max(1, len(f.Names))
		}
	}
	switch n {
	case 0, 1:
		return true
	case 2:
		last := r.List[len(r.List)-1].Type
		id, ok := last.(*ast.Ident)
		return ok && id.Name == "error"
	}
	return false
}

func recvName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return strings.ToUpper(t.Name[:1]) + t.Name[1:]
	}
	return ""
}

// writeGenerated writes a package of n async functions, each awaiting.
func writeGenerated(dir string, n int) {
	var b bytes.Buffer
	b.WriteString("package many\n\nimport \"github.com/asyncgen/asyncgen/runtime\"\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n//asyncgen:async F%d\nfunc f%d(xs []int) (int, error) {\n\tt := 0\n\tfor _, x := range xs {\n\t\tif x < 0 {\n\t\t\treturn 0, nil\n\t\t}\n\t\tt += runtime.Await(runtime.Ready(x + %d))\n\t}\n\treturn t, nil\n}\n", i, i, i)
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "many.go"), b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
