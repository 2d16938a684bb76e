// This file draws the state machine of a body: its states and the paths
// between them.

package ir

import (
	"bytes"
	"fmt"
	"go/token"
	"path/filepath"
	"strings"
)

// StateDOT returns the state machine of fn in Graphviz DOT form: a node
// for the start (state 0), one for each suspension point (state k,
// labelled with what it waits for and its source line), and one for the
// end; an edge from a state to each state, or the end, that the body can
// reach from it without suspending. held, if not nil, gives for each
// suspension point a line to add to its label: what the machine holds there.
func (fn *Func) StateDOT(fset *token.FileSet, held func(*Suspend) string) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "digraph %q {\n", fn.Name)
	buf.WriteString("\trankdir=TB;\n\tnode [fontname=\"monospace\"];\n")
	buf.WriteString("\tstart [label=\"0: start\" shape=circle];\n")
	what := map[SuspendKind]string{SAwait: "await", STryAwait: "try await", SYield: "yield", SNext: "for-await step"}
	for _, b := range fn.Suspends {
		s := b.Term.(*Suspend)
		p := fset.Position(s.Pos)
		extra := ""
		if held != nil {
			if h := held(s); h != "" {
				extra = "\\n" + strings.ReplaceAll(h, `"`, `\"`)
			}
		}
		fmt.Fprintf(&buf, "\ts%d [label=\"%d: %s\\n%s:%d%s\" shape=box];\n", s.State, s.State, what[s.Kind], filepath.Base(p.Filename), p.Line, extra)
	}
	buf.WriteString("\tdone [label=\"done\" shape=doublecircle];\n")
	edges := func(from string, b *Block) {
		seen := map[*Block]bool{}
		reached := map[string]bool{}
		var order []string
		var walk func(b *Block)
		walk = func(b *Block) {
			if b == nil || seen[b] {
				return
			}
			seen[b] = true
			if b == fn.Exit {
				if !reached["done"] {
					reached["done"] = true
					order = append(order, "done")
				}
				return
			}
			if s, ok := b.Term.(*Suspend); ok {
				to := fmt.Sprintf("s%d", s.State)
				if !reached[to] {
					reached[to] = true
					order = append(order, to)
				}
				return
			}
			for _, n := range allSuccs(fn, b) {
				walk(n)
			}
		}
		walk(b)
		for _, to := range order {
			fmt.Fprintf(&buf, "\t%s -> %s;\n", from, to)
		}
	}
	edges("start", fn.Blocks[0])
	for _, b := range fn.Suspends {
		s := b.Term.(*Suspend)
		edges(fmt.Sprintf("s%d", s.State), s.Resume)
	}
	buf.WriteString("}\n")
	return buf.String()
}
