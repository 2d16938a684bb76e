// This file draws a machine's states for asyncgen -graph.

package lower

import (
	"go/ast"

	"github.com/asyncgen/asyncgen/ir"
	"golang.org/x/tools/go/packages"
)

// StateGraph returns the state machine of the constructor named name
// (NAME, or Recv.NAME for a method) among pkg's directives, in Graphviz
// DOT form (see ir.Func.StateDOT), and whether pkg declares it. A body
// that does not lower gives its errors.
func StateGraph(pkg *packages.Package, name string) (dot string, found bool, errs []Diagnostic) {
	g := &generator{pkg: pkg, info: pkg.TypesInfo, fset: pkg.Fset, twins: map[string]bool{}}
	for _, f := range pkg.Syntax {
		if ast.IsGenerated(f) {
			continue
		}
		for _, d := range g.findDirectives(f) {
			if d.name != name && ctorKey(d) != name {
				continue
			}
			fn := ir.Build(d.kind, d.name, d.decl, g.info, g.pkg.Types)
			if len(fn.Errors) > 0 {
				for _, e := range fn.Errors {
					g.errorf(e.Pos, "%s", e.Msg)
				}
				return "", true, g.sorted()
			}
			return fn.StateDOT(g.fset), true, nil
		}
	}
	return "", false, nil
}
