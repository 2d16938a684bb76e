// This file carries a source file's build constraints over to its twin.

package lower

import (
	"go/ast"
	"go/build/constraint"
	"path/filepath"
	"strings"
)

// The GOOS and GOARCH values a file name's suffix can name (x_linux.go,
// x_windows_amd64.go), as the go command knows them.
var (
	knownOS   = set("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos")
	knownArch = set("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le " +
		"ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// buildConstraint returns the //go:build expression under which the source
// file builds, or "" when it always does: its own //go:build line, and the
// GOOS and GOARCH its name implies. The twin's name (x_linux_asyncgen.go)
// implies none, so the twin carries them explicitly; without them it
// would build where its source does not.
func buildConstraint(file *ast.File, path string) string {
	var parts []constraint.Expr
	for _, g := range file.Comments {
		if g.Pos() >= file.Package {
			break
		}
		for _, c := range g.List {
			if constraint.IsGoBuild(c.Text) {
				if x, err := constraint.Parse(c.Text); err == nil {
					parts = append(parts, x)
				}
			}
		}
	}
	if tag := nameConstraint(path); tag != nil {
		parts = append(parts, tag)
	}
	if len(parts) == 0 {
		return ""
	}
	x := parts[0]
	for _, p := range parts[1:] {
		x = &constraint.AndExpr{X: x, Y: p}
	}
	return "//go:build " + x.String()
}

// nameConstraint returns what the file's name implies (*_GOOS, *_GOARCH,
// *_GOOS_GOARCH, before _test), as go/build reads it, or nil.
func nameConstraint(path string) constraint.Expr {
	name := strings.TrimSuffix(filepath.Base(path), ".go")
	name = strings.TrimSuffix(name, "_test")
	if i := strings.Index(name, "_"); i >= 0 {
		name = name[i:] // the first element never counts
	} else {
		return nil
	}
	l := strings.Split(name, "_")
	n := len(l)
	tag := func(t string) constraint.Expr { return &constraint.TagExpr{Tag: t} }
	switch {
	case n >= 2 && knownOS[l[n-2]] && knownArch[l[n-1]]:
		return &constraint.AndExpr{X: tag(l[n-2]), Y: tag(l[n-1])}
	case n >= 1 && knownOS[l[n-1]]:
		return tag(l[n-1])
	case n >= 1 && knownArch[l[n-1]]:
		return tag(l[n-1])
	}
	return nil
}
