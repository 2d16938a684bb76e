// This file fingerprints bodies, so that a stale twin can be told apart.

package lower

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/printer"
	"go/token"
	"go/types"
	"regexp"
	"strings"
)

// BodyHash fingerprints an annotated function: its signature and body as
// go/printer prints them (comments and layout do not count), with the
// directive's kind and constructor name. The generated machine's doc
// comment records it (HashLine), so that a checker can tell a body edited
// since its twin was generated.
func BodyHash(fset *token.FileSet, fd *ast.FuncDecl, kind, name string) string {
	var buf bytes.Buffer
	buf.WriteString(kind + " " + name + "\n")
	decl := *fd
	decl.Doc = nil
	if err := (&printer.Config{Mode: printer.RawFormat}).Fprint(&buf, fset, &decl); err != nil {
		return ""
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:8])
}

// HashLine is the doc comment line of a machine type that records the
// hash of the body it was generated from.
func HashLine(name, hash string) string {
	return "Generated for " + name + " from a body with hash " + hash + "."
}

var hashLineRE = regexp.MustCompile(`^// Generated for ([\pL_][\pL\pN_.]*) from a body with hash ([0-9a-f]+)\.$`)

// RecordedHashes returns the body hashes a generated file records, by
// constructor name (Recv.NAME for a method).
func RecordedHashes(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, g := range f.Comments {
		for _, c := range g.List {
			if m := hashLineRE.FindStringSubmatch(strings.TrimSpace(c.Text)); m != nil {
				out[m[1]] = m[2]
			}
		}
	}
	return out
}

// ConstructorKey names the constructor name generated for the body fn:
// NAME, or Recv.NAME for a method, as the machine's doc records it.
func ConstructorKey(fn *types.Func, name string) string {
	if r := fn.Type().(*types.Signature).Recv(); r != nil {
		return recvTypeName(r.Type()) + "." + name
	}
	return name
}

// A Directive is an annotation as written: the body's kind ("async",
// "gen" or "stream") and the constructor's name.
type Directive struct {
	Kind, Name string
}

// DirectiveOf returns the well-formed directive in fd's doc comment, if
// any (what is wrong with a malformed one, Generate reports).
func DirectiveOf(fd *ast.FuncDecl) (Directive, bool) {
	if fd.Doc == nil {
		return Directive{}, false
	}
	for _, c := range fd.Doc.List {
		fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
		if len(fields) != 2 || !token.IsIdentifier(fields[1]) {
			continue
		}
		if kind, ok := directiveKinds[fields[0]]; ok {
			return Directive{Kind: kind.String(), Name: fields[1]}, true
		}
	}
	return Directive{}, false
}
