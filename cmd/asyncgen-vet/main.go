// Asyncgen-vet checks asyncgen's directives and the bodies they annotate
// (see package github.com/asyncgen/asyncgen/analyzer). Run it alone on
// packages, or from go vet:
//
//	go install github.com/asyncgen/asyncgen/cmd/asyncgen-vet
//	go vet -vettool=$(which asyncgen-vet) ./...
package main

import (
	"github.com/asyncgen/asyncgen/analyzer"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(analyzer.Analyzer) }
