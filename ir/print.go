// This file prints graphs as text and as Graphviz DOT; the text form is the
// golden format of the tests.

package ir

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"sort"
	"strings"
)

// String returns the text dump of fn.
func (fn *Func) String() string {
	var buf bytes.Buffer
	fn.Fprint(&buf, nil, fn.Live())
	return buf.String()
}

// Fprint writes the text dump of fn, with the variables live across each
// suspension when lv is not nil. With fset, each block names the source
// line it starts at, and a table of the variables follows the blocks: the
// facts their storage is decided on.
func (fn *Func) Fprint(buf *bytes.Buffer, fset *token.FileSet, lv *Liveness) {
	fmt.Fprintf(buf, "%s %s (%s)\n", fn.Kind, fn.Decl.Name.Name, fn.Name)
	for _, b := range fn.Blocks {
		fmt.Fprintf(buf, "b%d %s", b.Index, b.Kind)
		if len(b.Preds) > 0 {
			var ps []string
			for _, p := range b.Preds {
				ps = append(ps, fmt.Sprintf("b%d", p.Index))
			}
			fmt.Fprintf(buf, " ← %s", strings.Join(ps, " "))
		}
		if p := fn.blockPos(b); fset != nil && p.IsValid() {
			fmt.Fprintf(buf, " (line %d)", fset.Position(p).Line)
		}
		buf.WriteString(":\n")
		if b.Resume != nil {
			fmt.Fprintf(buf, "\tresume %d: %s\n", b.Resume.State, fn.exprs(b.Resume.Dest))
		}
		for _, s := range b.Stmts {
			fmt.Fprintf(buf, "\t%s\n", fn.stmtString(s))
		}
		fmt.Fprintf(buf, "\t%s\n", fn.termString(b, lv))
	}
	if fset != nil {
		fn.fprintVars(buf)
	}
}

// blockPos returns the source position of the first statement of b that
// has one, or of its terminator.
func (fn *Func) blockPos(b *Block) token.Pos {
	for _, s := range b.Stmts {
		if p := fn.StmtPos(s); p.IsValid() {
			return p
		}
	}
	switch t := b.Term.(type) {
	case *Suspend:
		return t.Pos
	case *If:
		return t.Cond.Pos()
	case *Dispatch:
		return t.Stmt.Pos()
	}
	return token.NoPos
}

// fprintVars writes the table of fn's variables: name, kind, type, and
// the flags storage depends on (address taken, declared in a cycle, a
// fresh variable per iteration).
func (fn *Func) fprintVars(buf *bytes.Buffer) {
	if len(fn.Vars) == 0 {
		return
	}
	qual := func(p *types.Package) string {
		if p == fn.Pkg {
			return ""
		}
		return p.Name()
	}
	rows := make([][4]string, len(fn.Vars))
	var width [3]int
	for i, v := range fn.Vars {
		var flags []string
		if v.AddrTaken {
			flags = append(flags, "addr")
		}
		if v.InCycle {
			flags = append(flags, "cycle")
		}
		if v.PerIter {
			flags = append(flags, "per-iter")
		}
		if v.Decl != nil {
			flags = append(flags, fmt.Sprintf("decl b%d", v.Decl.Index))
		}
		rows[i] = [4]string{v.Name, v.Kind.String(), types.TypeString(v.Type, qual), strings.Join(flags, " ")}
		for j := range width {
			width[j] = max(width[j], len(rows[i][j]))
		}
	}
	buf.WriteString("vars:\n")
	for _, r := range rows {
		line := fmt.Sprintf("\t%-*s %-*s %-*s %s", width[0], r[0], width[1], r[1], width[2], r[2], r[3])
		buf.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

func (fn *Func) exprs(es []ast.Expr) string {
	var out []string
	for _, e := range es {
		if e == nil {
			out = append(out, "_")
			continue
		}
		out = append(out, fn.nodeString(e))
	}
	if len(out) == 0 {
		return "(discarded)"
	}
	return strings.Join(out, ", ")
}

// nodeString prints syntax on one line, placeholders by their meaning.
func (fn *Func) nodeString(n ast.Node) string {
	var buf bytes.Buffer
	if err := format.Node(&buf, token.NewFileSet(), n); err != nil {
		return fmt.Sprintf("<%T>", n)
	}
	s := buf.String()
	// Placeholders print as their names; name the synthetic ones.
	s = strings.ReplaceAll(s, "_goto", "goto")
	s = strings.Join(strings.Fields(s), " ")
	return s
}

func (fn *Func) stmtString(s ast.Stmt) string {
	switch s := s.(type) {
	case *NewBox:
		return fmt.Sprintf("newbox %s", s.Var.Name)
	case *Rebox:
		return fmt.Sprintf("rebox %s", s.Var.Name)
	case *PushDefer:
		return "defer " + fn.nodeString(s.Call)
	case *PushCleanup:
		return fmt.Sprintf("cleanup %s = push %s", s.Slot.Name, fn.nodeString(s.Loop))
	case *PopCleanup:
		return fmt.Sprintf("cleanup pop %s; %s.Close()", s.Slot.Name, fn.nodeString(s.Loop))
	}
	str := fn.nodeString(s)
	if r := fn.gotoTargets(s); r != "" {
		str += "  // " + r
	}
	return str
}

func (fn *Func) gotoTargets(n ast.Node) string {
	var ts []string
	fn.Inspect(n, func(n ast.Node) bool {
		if s, ok := n.(ast.Stmt); ok {
			if _, to, ok := fn.BranchOut(s); ok {
				ts = append(ts, fmt.Sprintf("%s → b%d", fn.nodeString(n), to.Index))
				return false
			}
		}
		if br, ok := n.(*ast.BranchStmt); ok && br.Label != nil {
			if t := fn.Gotos[br.Label]; t != nil {
				ts = append(ts, fmt.Sprintf("→ b%d", t.Index))
			}
		}
		return true
	})
	return strings.Join(ts, ", ")
}

func (fn *Func) termString(b *Block, lv *Liveness) string {
	switch t := b.Term.(type) {
	case *Jump:
		return fmt.Sprintf("jump b%d", t.To.Index)
	case *If:
		return fmt.Sprintf("if %s → b%d else b%d", fn.nodeString(t.Cond), t.Then.Index, t.Else.Index)
	case *Dispatch:
		var ts []string
		for _, x := range t.Targets {
			ts = append(ts, fmt.Sprintf("b%d", x.Index))
		}
		kind := strings.TrimPrefix(strings.TrimSuffix(fmt.Sprintf("%T", t.Stmt), "Stmt"), "*ast.")
		s := fmt.Sprintf("dispatch %s → %s", strings.ToLower(kind), strings.Join(ts, " "))
		if len(t.Defs) > 0 {
			var ds []string
			for _, v := range t.Defs {
				ds = append(ds, v.Name)
			}
			s += " defines " + strings.Join(ds, " ")
		}
		return s
	case *Return:
		return "return"
	case *Unreachable:
		return "unreachable"
	case *Terminated:
		return "terminated"
	case *Suspend:
		s := fmt.Sprintf("%s", t.Kind)
		if t.Slot != nil && t.Arg != nil {
			s += fmt.Sprintf(" %s = %s", t.Slot.Name, fn.nodeString(t.Arg))
		} else if t.Slot != nil {
			s += " " + t.Slot.Name
		} else if t.Arg != nil {
			s += " " + fn.nodeString(t.Arg)
		}
		s += fmt.Sprintf(" → b%d (state %d)", t.Resume.Index, t.State)
		if lv != nil {
			var names []string
			for _, v := range lv.Across[b] {
				names = append(names, v.Name)
			}
			sort.Strings(names)
			s += " live: " + strings.Join(names, " ")
		}
		return s
	}
	return "?"
}

// DOT returns the graph in Graphviz DOT form.
func (fn *Func) DOT() string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "digraph %q {\n\tnode [shape=box fontname=monospace];\n", fn.Decl.Name.Name)
	for _, b := range fn.Blocks {
		var lines []string
		lines = append(lines, fmt.Sprintf("b%d %s", b.Index, b.Kind))
		for _, s := range b.Stmts {
			lines = append(lines, fn.stmtString(s))
		}
		lines = append(lines, fn.termString(b, nil))
		label := strings.Join(lines, "\\l") + "\\l"
		label = strings.ReplaceAll(label, `"`, `\"`)
		style := ""
		if _, ok := b.Term.(*Suspend); ok {
			style = " style=bold"
		}
		fmt.Fprintf(&buf, "\tb%d [label=\"%s\"%s];\n", b.Index, label, style)
		for _, s := range allSuccs(fn, b) {
			fmt.Fprintf(&buf, "\tb%d -> b%d;\n", b.Index, s.Index)
		}
	}
	buf.WriteString("}\n")
	return buf.String()
}
