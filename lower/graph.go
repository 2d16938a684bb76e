// This file draws a machine's states for asyncgen -graph.

package lower

import (
	"go/ast"
	"strings"

	"github.com/asyncgen/asyncgen/ir"
	"golang.org/x/tools/go/packages"
)

// StateGraph returns the state machine of the constructor named name
// (NAME, or Recv.NAME for a method) among pkg's directives, in Graphviz
// DOT form (see ir.Func.StateDOT), each suspension point labelled with
// what the machine's plan holds there, and whether pkg declares it. A body
// that does not lower gives its errors.
func StateGraph(pkg *packages.Package, name string) (dot string, found bool, errs []Diagnostic) {
	g := &generator{pkg: pkg, info: pkg.TypesInfo, fset: pkg.Fset, twins: map[string]bool{}}
	var all []*directive
	var want *directive
	for _, f := range pkg.Syntax {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range g.findDirectives(f) {
			all = append(all, d)
			if d.name == name || ctorKey(d) == name {
				want = d
			}
		}
	}
	if want == nil {
		return "", false, nil
	}
	// The package's plans together: whether a child is stored inline
	// depends on the others.
	g.diags = nil
	g.prepare(all)
	p := g.plans[want]
	if p == nil {
		var mine []Diagnostic
		for _, d := range g.sorted() {
			if inDecl(g, want, d) {
				mine = append(mine, d)
			}
		}
		return "", true, mine
	}
	blockOf := map[*ir.Suspend]*ir.Block{}
	for _, b := range p.fn.Suspends {
		blockOf[b.Term.(*ir.Suspend)] = b
	}
	held := func(s *ir.Suspend) string {
		var names []string
		for _, v := range p.held(blockOf[s]) {
			names = append(names, p.describeHeld(s, v))
		}
		if len(names) == 0 {
			return ""
		}
		return "holds " + strings.Join(names, ", ")
	}
	return p.fn.StateDOT(g.fset, held), true, nil
}

// inDecl reports whether diagnostic x is inside d's declaration.
func inDecl(g *generator, d *directive, x Diagnostic) bool {
	start, end := g.fset.Position(d.decl.Pos()), g.fset.Position(d.decl.End())
	return x.Pos.Filename == start.Filename && x.Pos.Line >= start.Line && x.Pos.Line <= end.Line
}
