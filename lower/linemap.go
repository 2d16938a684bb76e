// This file maps the generated code back to the source: line directives on
// every line of the methods that run the body, and back to the generated
// file itself on everything else.

package lower

import (
	"bytes"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"
)

// A machine's step methods (Poll, Next, PollNext and their fast paths) run
// the body: each of their lines carries a directive naming the body's line
// it does the work of, so that panics, stack traces and coverage point at
// the body. A directive holds until the next one and the line number grows
// with every newline after it, so the emitter writes one at each statement
// it knows the source of, and stick (below) repeats the last one on every
// line that has none: the machinery around a statement (a resume point's
// poll, the dispatch at a step's start, the clearing of dead references)
// counts as that statement's line. The go tool's coverage attributes a
// function to the file its func keyword maps to, so a step method maps its
// func keyword to the body's declaration, and every other function of the
// generated file maps back to the generated file at its own lines.

// lineDirective renders a /*line*/ directive for a source position. The
// file is named by its base name: go/scanner (go vet, gopls) reads a
// relative name as relative to the generated file's directory, which is
// the source's; the compiler keeps it as written, so stack traces name
// the base name (an absolute name, which Options.AbsPaths asks for, makes
// the output depend on where the module is checked out). The column is 1
// on every line: the go tool's coverage takes block extents from these
// positions, and columns that are the generated code's would not be the
// source's.
func (e *emitter) lineDirective(p token.Position) string {
	return fmt.Sprintf("/*line %s:%d:1*/", e.g.opts.lineName(p.Filename), p.Line)
}

// at prefixes the first of codes with a line directive pointing at pos in
// the body's file, so that panics and stack traces name the body's lines.
func (e *emitter) at(pos token.Pos, codes []jen.Code) []jen.Code {
	if len(codes) == 0 || !pos.IsValid() {
		return codes
	}
	out := append([]jen.Code{}, codes...)
	out[0] = jen.Comment(e.lineDirective(e.fset.Position(pos))).Add(codes[0])
	return out
}

// bodyFunc starts a step method: the line before its func keyword is a
// directive naming the body's declaration (a directive comment on the
// func line itself would be moved to a line of its own by gofmt).
func (e *emitter) bodyFunc(f *jen.File) *jen.Statement {
	p := e.fset.Position(e.d.decl.Pos())
	f.Comment(fmt.Sprintf("//line %s:%d:1", e.g.opts.lineName(p.Filename), p.Line))
	return f.Func()
}

// directiveRE matches a line directive at the start of a line's code: a
// /*line*/ one, for the code that follows it, or a //line one alone on a
// line at its start, for the next line.
var directiveRE = regexp.MustCompile(`^(?:/\*line ([^*]*):(\d+):1\*/|//line (.*):(\d+):1\n?$)`)

// stick finishes the line mapping of a generated file, named twin in
// directives (its base name, or its absolute path), from src, its formatted source: in a
// step method, each line without a directive gets the last one again; a
// top-level declaration without one gets a directive back to the
// generated file at its own line, which then holds for the lines after it.
// Lines inside a multi-line raw string or comment are left alone.
//
// gofmt moves a comment before a brace or a case clause to a line of its
// own; such a line gets its position from a directive at the end of the
// line before it instead, one line less, since the newline after a
// directive is where it puts its position.
func stick(src []byte, twin string) ([]byte, error) {
	fset := token.NewFileSet()
	file := fset.AddFile(twin, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	// first[line] is the offset of the first token starting on that line;
	// lineComment[line] says its last token is a // comment.
	first := map[int]int{}
	lineComment := map[int]bool{}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // an automatic semicolon
		}
		p := file.PositionFor(pos, false) // the file's own lines, not the directives'
		if _, ok := first[p.Line]; !ok {
			first[p.Line] = p.Offset
		}
		lineComment[p.Line] = tok == token.COMMENT && strings.HasPrefix(lit, "//")
	}
	var out [][]byte
	current := ""     // the directive in force in a region mapped to the body
	name, at := "", 0 // its file and line
	mapped := false   // in a region mapped to the body
	pending := false  // a //line directive was just written for the next line
	maxLine := 0      // the furthest line in the current basic block
	lastCode := -1    // the index in out of the last line ending in code
	off := 0
	for i, l := range bytes.SplitAfter(src, []byte("\n")) {
		line, lineOff := i+1, off
		off += len(l)
		start, ok := first[line]
		if !ok || start < lineOff || start >= lineOff+len(l) {
			out = append(out, l)
			continue
		}
		col := start - lineOff
		code := l[col:]
		rest := code // the line's code after a directive
		wasPending := pending
		pending = false
		switch {
		case directiveRE.Match(code):
			m := directiveRE.FindSubmatch(code)
			file, ln := m[1], atoi(m[2])
			if m[3] != nil {
				file, ln = m[3], atoi(m[4])
				pending = true
			}
			mapped = string(file) != twin
			current = ""
			if mapped {
				rest = bytes.TrimLeft(code[len(m[0]):], " ")
				if !pending && ln < maxLine {
					// Within a basic block, positions do not go back: the
					// go tool's coverage takes a block's extent from its
					// first and last statements.
					ln = maxLine
					fixed := fmt.Sprintf("/*line %s:%d:1*/", file, ln)
					l = append(append(append([]byte{}, l[:col]...), fixed...), code[len(m[0]):]...)
				}
				maxLine = ln
				current = fmt.Sprintf("/*line %s:%d:1*/", file, ln)
				name, at = string(file), ln
			}
		case bytes.HasPrefix(code, []byte("//")) || bytes.HasPrefix(code, []byte("/*")):
			// A comment: no code to map.
		case col == 0 && startsDecl(code):
			if !wasPending {
				// A declaration of the generated file's own: back to it
				// (numbered once formatted).
				out = append(out, []byte("//line "+twin+":1:1\n"))
				current, mapped = "", false
			}
		case mapped && bytes.Equal(bytes.TrimRight(code, "\n"), []byte("}")):
			// A closing brace alone: no code, and no block starts after it.
		case mapped && (isLabel(code) || closesOrCases(code)):
			if x := at - (len(out) - lastCode); lastCode >= 0 && x >= 1 {
				prev := bytes.TrimRight(out[lastCode], "\n")
				out[lastCode] = append(append([]byte{}, prev...), fmt.Sprintf(" /*line %s:%d:1*/\n", name, x)...)
			}
		case mapped && lastCode >= 0 && lastCode < len(out)-1:
			// After a comment line, gofmt would move a directive before the
			// code to a line of its own: the line before the comment ends
			// with a directive counting the lines in between instead.
			if x := at - (len(out) - lastCode); x >= 1 {
				prev := bytes.TrimRight(out[lastCode], "\n")
				out[lastCode] = append(append([]byte{}, prev...), fmt.Sprintf(" /*line %s:%d:1*/\n", name, x)...)
			}
		case mapped:
			l = append(append(append([]byte{}, l[:col]...), current+" "...), code...)
		}
		if isLabel(rest) || closesOrCases(rest) || endsBlock(rest) {
			maxLine = 0 // a new basic block starts after this line
		}
		out = append(out, l)
		if !lineComment[line] {
			lastCode = len(out) - 1
		}
	}
	formatted, err := format.Source(bytes.Join(out, nil))
	if err != nil {
		return nil, err
	}
	// Number the directives back to the generated file by where they
	// ended up: the line after each.
	selfRE := regexp.MustCompile(`(?m)^//line ` + regexp.QuoteMeta(twin) + `:\d+:1$`)
	lines := bytes.SplitAfter(formatted, []byte("\n"))
	for i, l := range lines {
		if selfRE.Match(bytes.TrimSuffix(l, []byte("\n"))) {
			lines[i] = []byte(fmt.Sprintf("//line %s:%d:1\n", twin, i+2))
		}
	}
	return bytes.Join(lines, nil), nil
}

// startsDecl reports whether a line at column 0 starts a top-level
// declaration.
func startsDecl(code []byte) bool {
	for _, kw := range []string{"func ", "func(", "type ", "var ", "const "} {
		if bytes.HasPrefix(code, []byte(kw)) {
			return true
		}
	}
	return false
}

// closesOrCases reports whether a line starts with a brace or a case
// clause: gofmt would move a directive before it to a line of its own,
// and it holds no code that runs but jumps. It keeps the line after the
// last directive.
func closesOrCases(code []byte) bool {
	for _, p := range []string{"}", "{", "case ", "default:"} {
		if bytes.HasPrefix(code, []byte(p)) {
			return true
		}
	}
	return false
}

// endsBlock reports whether a line's code ends a basic block for the go
// tool's coverage: a control statement, or the start of a nested block.
func endsBlock(code []byte) bool {
	code = bytes.TrimRight(code, " \n")
	if bytes.HasSuffix(code, []byte("{")) {
		return true
	}
	for _, kw := range []string{"if ", "for ", "for {", "switch ", "select ", "goto ", "return", "break", "continue", "fallthrough", "panic("} {
		if bytes.HasPrefix(code, []byte(kw)) {
			return true
		}
	}
	return false
}

// atoi returns the number b spells (digits only, as the patterns match).
func atoi(b []byte) int {
	n := 0
	for _, d := range b {
		n = n*10 + int(d-'0')
	}
	return n
}

// labelRE matches a line holding only a label.
var labelRE = regexp.MustCompile(`^[\pL_][\pL\pN_]*:\s*$`)

// isLabel reports whether a line's code is a label alone: it generates no
// code, and a directive before it would not survive formatting.
func isLabel(code []byte) bool { return labelRE.Match(bytes.TrimRight(code, "\n")) }
