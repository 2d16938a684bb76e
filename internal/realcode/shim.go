package realcode

// shims are the packages that stand in for the standard library's internal
// packages in the copies: internal/bytealg and internal/abi in pure Go, go/internal/scannerhooks
// (what strings uses of them), internal/stringslite and
// internal/reflectlite by the public packages that offer the same.
var shims = map[string]string{
	"shim/bytealg/bytealg.go": `// Package bytealg stands in for internal/bytealg in copied packages.
package bytealg

import "strings"

const MaxBruteForce = 64

const PrimeRK = 16777619

func Cutover(n int) int { return (n + 16) / 8 }

func CompareString(a, b string) int { return strings.Compare(a, b) }

func CountString(s string, c byte) int { return strings.Count(s, string(c)) }

func LastIndexByteString(s string, c byte) int { return strings.LastIndexByte(s, c) }

func IndexString(a, b string) int { return strings.Index(a, b) }

func MakeNoZero(n int) []byte { return make([]byte, n) }

func HashStrRev[T string | []byte](sep T) (uint32, uint32) {
	hash := uint32(0)
	for i := len(sep) - 1; i >= 0; i-- {
		hash = hash*PrimeRK + uint32(sep[i])
	}
	var pow, sq uint32 = 1, PrimeRK
	for i := len(sep); i > 0; i >>= 1 {
		if i&1 != 0 {
			pow *= sq
		}
		sq *= sq
	}
	return hash, pow
}
`,
	"shim/scannerhooks/hooks.go": `// Package scannerhooks stands in for go/internal/scannerhooks.
package scannerhooks

import "go/token"

var StringEnd func(scanner any) token.Pos
`,
	"shim/abi/abi.go": `// Package abi stands in for internal/abi in copied packages.
package abi

import "unsafe"

func NoEscape(p unsafe.Pointer) unsafe.Pointer { return p }
`,
}

// importRewrites maps an internal import of a copied package to what the
// copy imports instead, and the name it imports it under.
var importRewrites = map[string][2]string{
	"internal/bytealg":         {"bytealg", "/shim/bytealg"},
	"internal/abi":             {"abi", "/shim/abi"},
	"internal/stringslite":     {"stringslite", "strings"},
	"internal/reflectlite":     {"reflectlite", "reflect"},
	"go/internal/scannerhooks": {"scannerhooks", "/shim/scannerhooks"},
}
