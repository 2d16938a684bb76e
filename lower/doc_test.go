package lower_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/asyncgen/asyncgen/internal/loadtest"
	"golang.org/x/tools/txtar"
)

// The generated code lower/doc.go shows is what the golden file it names
// holds: each code block after a paragraph saying "as
// testdata/golden/NAME.txtar has it" must appear, line by line and in
// order, in that golden's generated files (line directives, comments and
// blank lines left out on both sides).
func TestDocExamples(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	named := regexp.MustCompile(`as\s+testdata/golden/(\w+)\.txtar\s+has\s+it`)
	lines := strings.Split(doc, "\n")
	golden := ""
	checked := 0
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "\t") {
			// Prose: remember the golden its last sentence names, until
			// a paragraph names another or none.
			if lines[i] == "" {
				continue
			}
			para := lines[i]
			for i+1 < len(lines) && lines[i+1] != "" && !strings.HasPrefix(lines[i+1], "\t") {
				i++
				para += " " + lines[i]
			}
			golden = ""
			if m := named.FindStringSubmatch(para); m != nil {
				golden = m[1]
			}
			continue
		}
		var block []string
		for ; i < len(lines) && (strings.HasPrefix(lines[i], "\t") || lines[i] == ""); i++ {
			block = append(block, lines[i])
		}
		i--
		if golden == "" {
			continue
		}
		want := codeLines(goldenOutput(t, golden))
		got := codeLines(strings.Join(block, "\n"))
		if len(got) == 0 {
			continue
		}
		j := 0
		for _, l := range got {
			for j < len(want) && want[j] != l {
				j++
			}
			if j == len(want) {
				t.Errorf("doc.go, example from %s.txtar: %q is not in the golden output (in this order)", golden, l)
				break
			}
			j++
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d examples checked", checked)
	}
	t.Logf("%d examples checked", checked)
}

// goldenOutput returns the generated files of testdata/golden/name.txtar.
func goldenOutput(t *testing.T, name string) string {
	data, err := os.ReadFile(filepath.Join(loadtest.RepoRoot(), "testdata", "golden", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range txtar.Parse(data).Files {
		if strings.HasPrefix(f.Name, "want") {
			out = append(out, string(f.Data))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s.txtar has no generated file", name)
	}
	return strings.Join(out, "\n")
}

var (
	lineDirective = regexp.MustCompile(`/\*line [^*]*\*/ ?`)
	lineComment   = regexp.MustCompile(`\s*//.*$`)
)

// codeLines returns the lines of code of src, trimmed, without line
// directives, comments and blank lines.
func codeLines(src string) []string {
	var out []string
	for _, l := range strings.Split(src, "\n") {
		l = lineDirective.ReplaceAllString(l, "")
		l = lineComment.ReplaceAllString(l, "")
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
