package main

// This file holds -coverprofile: a coverage profile made by go test
// counts a body twice over, once as the function the compiler instruments
// in x.go (the body run directly) and once as the units of its machine,
// which the generated file's line directives map onto the same lines of
// x.go. Both are right, but go tool cover -html draws a file's units in
// one pass and needs them disjoint. Folding gives each machine unit's
// count to the body's own unit where the machine unit starts (every
// statement of a machine is mapped to the statement of the body it does
// the work of) and drops the machine units: the body's lines then read as
// covered when either run covered them.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/cover"
	"golang.org/x/tools/go/packages"
)

// foldCoverage rewrites the profile at file for the source files of the
// packages that patterns name whose generated twin is there.
func foldCoverage(file string, patterns []string, tags string) error {
	profiles, err := cover.ParseProfiles(file)
	if err != nil {
		return err
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles}
	if tags != "" {
		cfg.BuildFlags = []string{"-tags=" + tags}
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return err
	}
	// The profile names a file by its package path and base name.
	local := map[string]string{}
	for _, p := range pkgs {
		for _, f := range p.GoFiles {
			if _, err := os.Stat(lower.TwinOf(f)); err == nil {
				local[path.Join(p.PkgPath, filepath.Base(f))] = f
			}
		}
	}
	for _, p := range profiles {
		src, ok := local[p.FileName]
		if !ok {
			continue
		}
		own, err := unitsOf(src)
		if err != nil {
			return err
		}
		funcs, err := funcsOf(src)
		if err != nil {
			return err
		}
		p.Blocks = fold(p.Blocks, own, funcs, p.Mode)
	}
	var out bytes.Buffer
	for i, p := range profiles {
		if i == 0 {
			fmt.Fprintf(&out, "mode: %s\n", p.Mode)
		}
		for _, b := range p.Blocks {
			fmt.Fprintf(&out, "%s:%d.%d,%d.%d %d %d\n", p.FileName, b.StartLine, b.StartCol, b.EndLine, b.EndCol, b.NumStmt, b.Count)
		}
	}
	tmp := file + ".asyncgen"
	if err := os.WriteFile(tmp, out.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// pos is a line and column.
type pos struct{ line, col int }

func (a pos) before(b pos) bool { return a.line < b.line || a.line == b.line && a.col < b.col }

// unit is the extent of a coverage unit.
type unit struct{ start, end pos }

func unitOf(b cover.ProfileBlock) unit {
	return unit{pos{b.StartLine, b.StartCol}, pos{b.EndLine, b.EndCol}}
}

// fn is the extent of a function declaration: from its func keyword to
// its closing brace, its body opening at lbrace.
type fn struct{ start, lbrace, end pos }

// fold folds the units of blocks that are not among the file's own units
// (own) into the own unit where each starts, or, for one that starts
// between a function's func keyword and its body, into the function's
// first unit; a count adds the largest count folded into a unit (set mode:
// either covers it). Units that land nowhere are dropped with the rest.
func fold(blocks []cover.ProfileBlock, own map[unit]bool, funcs []fn, mode string) []cover.ProfileBlock {
	var kept []cover.ProfileBlock
	for _, b := range blocks {
		if own[unitOf(b)] {
			kept = append(kept, b)
		}
	}
	add := make([]int, len(kept))
	for _, b := range blocks {
		if own[unitOf(b)] || b.Count == 0 {
			continue
		}
		at := pos{b.StartLine, b.StartCol}
		for _, f := range funcs {
			if !at.before(f.start) && at.before(f.end) {
				if at.before(f.lbrace) {
					at = f.lbrace
				}
				break
			}
		}
		for i, k := range kept {
			u := unitOf(k)
			if !at.before(u.start) && at.before(u.end) {
				add[i] = max(add[i], b.Count)
				break
			}
		}
	}
	for i := range kept {
		if mode == "set" {
			kept[i].Count = max(kept[i].Count, add[i])
		} else {
			kept[i].Count += add[i]
		}
	}
	return kept
}

// funcsOf returns the extents of the functions declared in the file at
// src.
func funcsOf(src string) ([]fn, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, src, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	at := func(p token.Pos) pos {
		q := fset.Position(p)
		return pos{q.Line, q.Column}
	}
	var out []fn
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			out = append(out, fn{at(fd.Pos()), at(fd.Body.Lbrace), at(fd.End())})
		}
	}
	return out, nil
}

// coverPos matches a unit of the table go tool cover writes into the
// file it instruments: start line, end line, end column << 16 | start
// column.
var coverPos = regexp.MustCompile(`(?m)^\s*(\d+), (\d+), 0x([0-9a-f]+), // \[\d+\]$`)

// unitsOf returns the coverage units of the file at src, as the go tool
// instruments it.
func unitsOf(src string) (map[unit]bool, error) {
	cmd := exec.Command("go", "tool", "cover", "-mode=set", "-var=asyncgenCover", filepath.Base(src))
	cmd.Dir = filepath.Dir(src)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go tool cover %s: %v", src, err)
	}
	units := map[unit]bool{}
	for _, m := range coverPos.FindAllSubmatch(out, -1) {
		sl, _ := strconv.Atoi(string(m[1]))
		el, _ := strconv.Atoi(string(m[2]))
		cols, _ := strconv.ParseUint(string(m[3]), 16, 32)
		units[unit{pos{sl, int(cols & 0xffff)}, pos{el, int(cols >> 16)}}] = true
	}
	return units, nil
}
