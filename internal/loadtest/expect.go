package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// An Expectation is one ERROR comment of a source line:
//
//	go runtime.Await(f) // ERROR "inside a go statement"
//	//asyncgen:async // ERROR col=1 "needs exactly one argument"
//
// Each ERROR gives a regular expression the message must match and, with
// col=N, the column the diagnostic must have. A line may carry several.
type Expectation struct {
	File    string // base name
	Line    int
	Col     int // 0: any column
	Re      *regexp.Regexp
	Matched bool
}

// Pos returns file:line.
func (x *Expectation) Pos() string { return fmt.Sprintf("%s:%d", x.File, x.Line) }

func (x *Expectation) String() string {
	if x.Col > 0 {
		return fmt.Sprintf("col=%d %q", x.Col, x.Re)
	}
	return strconv.Quote(x.Re.String())
}

// MatchOne marks the first unmatched expectation of exps that a diagnostic
// at file (a base name), line and col with message msg meets, and reports
// whether there was one.
func MatchOne(exps []*Expectation, file string, line, col int, msg string) bool {
	for _, x := range exps {
		if !x.Matched && x.File == file && x.Line == line &&
			(x.Col == 0 || x.Col == col) && x.Re.MatchString(msg) {
			x.Matched = true
			return true
		}
	}
	return false
}

var (
	errorComment = regexp.MustCompile(`\s*// ERROR\b.*$`)
	errorItem    = regexp.MustCompile(`ERROR(?:\s+col=(\d+))?\s+("(?:[^"\\]|\\.)*"|` + "`[^`]*`)")
)

// CopyExpecting copies the files of one package from src to dst, cutting
// the ERROR comments (so that a directive keeps its text), and returns the
// expectations they held.
func CopyExpecting(src, dst string) ([]*Expectation, error) {
	files, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	var exps []*Expectation
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
				x := &Expectation{File: f.Name(), Line: i + 1}
				if it[1] != "" {
					x.Col, _ = strconv.Atoi(it[1])
				}
				re, err := strconv.Unquote(it[2])
				if err == nil {
					x.Re, err = regexp.Compile(re)
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

// ExpectingModule writes a temporary module holding a copy of each package
// directory of root (ERROR comments cut) and returns its directory and the
// expectations by package directory name.
func ExpectingModule(t testing.TB, root string) (string, map[string][]*Expectation) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := Module(t, nil)
	want := map[string][]*Expectation{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		exps, err := CopyExpecting(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want[e.Name()] = exps
	}
	return dir, want
}
