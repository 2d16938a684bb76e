package lower_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"github.com/asyncgen/asyncgen/lower"
	"golang.org/x/tools/txtar"
)

// -graph and -explain read one plan: every state of every machine of the
// packages below is labelled with what -explain says it holds, and its
// edges reach only states the machine has.
func TestStateGraph(t *testing.T) {
	header := regexp.MustCompile(`^(\S+) \(`)
	state := regexp.MustCompile(`^  resume (\d+), (\S+(?: \S+)*) at line (\d+): \d+ bytes held: (.*)$`)
	held := regexp.MustCompile(` \(\d+\)(, |$)`)
	node := regexp.MustCompile(`(?m)^\ts(\d+) \[label="(\d+): ([^\\]+)\\n(\S+):(\d+)(?:\\nholds ([^"]*))?" shape=box\];$`)
	edge := regexp.MustCompile(`(?m)^\t(\w+) -> (\w+);$`)
	machines := 0
	for pkg, reports := range explainReports(t) {
		for _, report := range reports {
			lines := strings.Split(strings.TrimSuffix(report, "\n"), "\n")
			name := header.FindStringSubmatch(lines[0])[1]
			dot, found, errs := lower.StateGraph(pkg, name)
			if !found || len(errs) > 0 {
				t.Fatalf("%s: -graph %s: found %v, %v", pkg.ID, name, found, errs)
			}
			// The labels -explain implies, in state order.
			var want []string
			for _, l := range lines[1:] {
				m := state.FindStringSubmatch(l)
				if m == nil {
					continue // a fast-path note
				}
				h := held.ReplaceAllString(m[4], "$1")
				want = append(want, fmt.Sprintf("%s %s line %s holds %s", m[1], m[2], m[3], h))
			}
			var got []string
			for _, m := range node.FindAllStringSubmatch(dot, -1) {
				if m[1] != m[2] {
					t.Errorf("%s: node s%s labelled state %s", name, m[1], m[2])
				}
				kind := map[string]string{"try await": "tryawait", "for-await step": "next"}[m[3]]
				if kind == "" {
					kind = m[3]
				}
				got = append(got, fmt.Sprintf("%s %s line %s holds %s", m[2], kind, m[5], m[6]))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s.%s: -graph states\n%s\n-explain states\n%s", pkg.Types.Name(), name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			nodes := map[string]bool{"start": true, "done": true}
			for i := range got {
				nodes[fmt.Sprintf("s%d", i+1)] = true
			}
			edges := edge.FindAllStringSubmatch(dot, -1)
			if len(got) > 0 && len(edges) == 0 {
				t.Errorf("%s: states and no edges", name)
			}
			for _, e := range edges {
				if !nodes[e[1]] || !nodes[e[2]] || e[1] == "done" || e[2] == "start" {
					t.Errorf("%s: edge %s -> %s", name, e[1], e[2])
				}
			}
			machines++
		}
	}
	if machines < 50 {
		t.Fatalf("only %d machines", machines)
	}
	t.Logf("%d machines", machines)
}

// A name no directive declares is not found; a body that does not lower
// gives its own errors, not the others'.
func TestStateGraphErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages")
	}
	pkgs, err := lower.Load(loadtest.RepoRoot(), "./examples/pipeline")
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := lower.StateGraph(pkgs[0], "NoSuchConstructor"); found {
		t.Error("found a constructor that does not exist")
	}
	dir := loadtest.Module(t, map[string]*txtar.Archive{"p": txtar.Parse([]byte(`-- p.go --
package p

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async Good
func good(f runtime.Future[int]) int {
	return runtime.Await(f) + 1
}

//asyncgen:async Bad
func bad(f runtime.Future[int]) int {
	go func() { runtime.Await(f) }()
	return 0
}
`))})
	pkgs, err = lower.Load(dir, "./p")
	if err != nil {
		t.Fatal(err)
	}
	dot, found, errs := lower.StateGraph(pkgs[0], "Good")
	if !found || len(errs) > 0 || !strings.Contains(dot, `s1 [label="1: await\np.go:7\nholds f runtime.Future[int]" shape=box];`) {
		t.Errorf("Good: found %v, errors %v, graph\n%s", found, errs, dot)
	}
	_, found, errs = lower.StateGraph(pkgs[0], "Bad")
	if !found || len(errs) != 1 || errs[0].Pos.Line != 12 {
		t.Errorf("Bad: found %v, errors %v; want one error at line 12", found, errs)
	}
}
