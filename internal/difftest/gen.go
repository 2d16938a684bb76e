// Package difftest is a differential random tester for the lowering: it
// writes random but valid annotated bodies, lowers them with asyncgen, and
// checks that every state machine behaves like the same body run directly.
package difftest

import (
	"fmt"
	"go/format"
	"math/rand/v2"
	"slices"
	"strings"
)

// Constructs that exposed bugs in the lowering are generated only when
// their switch is on. Each names the bug it hides; turn it on again once
// the lowering is fixed (see the report in the commit that added it).
const (
	// enableSelectAwaitRecvChan awaits the channel operand of a select's
	// receive case.
	enableSelectAwaitRecvChan = true
	// enablePanicRecover makes bodies panic and recover in a deferred
	// closure that sets the named result.
	enablePanicRecover = true
	// enableChanInField sends to a channel with awaits before ranging over
	// it, so that the channel variable is a field of the machine: the range
	// is then emitted as `m.ch = m.ch`, which go vet reports
	// (self-assignment).
	enableChanInField = true
	// enableElseReturn writes `if <suspends> { ... } else { return }`: the
	// lowered if is followed by a goto after the else branch's return,
	// which go vet reports (unreachable code).
	enableElseReturn = true
	// enableRangeChanNoVar writes `for range ch { <suspends> }`: the
	// lowering receives into a temporary it never uses, which does not
	// compile (declared and not used).
	enableRangeChanNoVar = true
)

// Kind is the kind of a generated body.
type Kind int

const (
	Async Kind = iota
	Gen
	Stream // awaits and yields
)

// Category is a set of constructs the generator may write beyond the base
// ones (statements, loops, defers, closures, selects, awaits and yields).
type Category uint

const (
	// RangeFunc: loops over function iterators (iter.Seq, iter.Seq2,
	// 0-argument, the standard library's, a generated iterator's All),
	// nested and labeled, left by break, continue, goto and return, with
	// defers and panics in their bodies; iterators that panic, recover
	// (and panic again or not), and misbehave (yield after false, yield
	// kept and called after the loop).
	RangeFunc Category = 1 << iota
	// InitCtor: awaiting futures made by a constructor (a function or a
	// method) whose type has an unrelated Init method.
	InitCtor
	// Shapes: async bodies of every result shape ((), (T), (T, error),
	// named or not, T a slice, a map, a struct, another package's type),
	// a third of them without a suspension point (generators and streams
	// without one too).
	Shapes
	// PanicEnd: bodies whose last statement is a panic (recovered by a
	// deferred call or not).
	PanicEnd

	// AllCategories is every category.
	AllCategories = RangeFunc | InitCtor | Shapes | PanicEnd
)

var categoryNames = []struct {
	c    Category
	name string
}{{RangeFunc, "rangefunc"}, {InitCtor, "init"}, {Shapes, "shapes"}, {PanicEnd, "panicend"}}

// String lists the categories, comma-separated ("base" for none).
func (c Category) String() string {
	var out []string
	for _, n := range categoryNames {
		if c&n.c != 0 {
			out = append(out, n.name)
		}
	}
	if len(out) == 0 {
		return "base"
	}
	return strings.Join(out, ",")
}

// ParseCategories parses a comma-separated list of category names ("all"
// for every category, "base" or "" for none).
func ParseCategories(s string) (Category, error) {
	var c Category
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch f {
		case "", "base":
			continue
		case "all":
			c |= AllCategories
			continue
		}
		found := false
		for _, n := range categoryNames {
			if n.name == f {
				c |= n.c
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown category %q", f)
		}
	}
	return c, nil
}

// Body is one generated body.
type Body struct {
	Name string // lower-case name of the body function; the constructor is capitalized
	Kind Kind
	File string // the file's source
	Test string // its test's source, with PKG, NAME and CTOR to replace
}

// Ctor returns the constructor's name.
func (b *Body) Ctor() string { return strings.ToUpper(b.Name[:1]) + b.Name[1:] }

type loopFrame struct {
	label string
	used  bool
}

type gotoFrame struct {
	label string
	used  bool
}

type generator struct {
	r        *rand.Rand
	kind     Kind
	cats     Category
	n        int      // names
	scopes   [][]ivar // int variables in scope
	loops    []*loopFrame
	gotos    []*gotoFrame // labels just after enclosing function-iterator loops
	brk      int          // enclosing breakable statements (for, switch, select)
	budget   int          // statements left
	named    bool
	recovers bool   // the body has a deferred recover
	nosus    bool   // the body neither awaits nor yields
	inRF     int    // enclosing loops over function iterators
	shape    *shape // an async body's results
}

type ivar struct {
	name     string
	writable bool
}

// A shape is an async body's result type: none, T or (T, error).
type shape struct {
	typ     string // "" for none
	err     bool   // (T, error)
	val     string // a value of typ: a format with int expressions for %s
	nval    int    // how many %s val has
	imports []string
}

var shapes = []shape{
	{typ: "int", val: "%s", nval: 1},
	{typ: "[]int", val: "[]int{%s, %s}", nval: 2},
	{typ: "[]string", val: "[]string{fmt.Sprint(%s), \"s\"}", nval: 1},
	{typ: "map[string]int", val: "map[string]int{\"k\": %s}", nval: 1},
	{typ: "pair", val: "pair{A: %s, B: %s}", nval: 2},
	{typ: "*pair", val: "&pair{A: %s}", nval: 1},
	{typ: "[]byte", val: "[]byte(fmt.Sprint(%s))", nval: 1},
	{typ: "time.Duration", val: "time.Duration(%s) * time.Millisecond", nval: 1, imports: []string{"time"}},
	{typ: "*big.Int", val: "big.NewInt(int64(%s))", nval: 1, imports: []string{"math/big"}},
	{typ: "*bytes.Buffer", val: "bytes.NewBufferString(fmt.Sprint(%s))", nval: 1, imports: []string{"bytes"}},
	{typ: "[2]string", val: "[2]string{strconv.Itoa(%s)}", nval: 1, imports: []string{"strconv"}},
}

// value returns a value of the shape's type.
func (g *generator) value() string {
	args := make([]any, g.shape.nval)
	for i := range args {
		args[i] = g.expr(2)
	}
	return fmt.Sprintf(g.shape.val, args...)
}

// ret returns a return statement of the body.
func (g *generator) ret() string {
	switch {
	case g.kind != Async || g.shape.typ == "":
		return "return\n"
	case g.named && g.chance(2):
		return "return\n"
	case g.shape.err:
		e := "nil"
		if g.chance(2) {
			e = fmt.Sprintf("fmt.Errorf(%q, %s)", g.name("e")+" %d", g.expr(1))
		}
		return fmt.Sprintf("return %s, %s\n", g.value(), e)
	default:
		return fmt.Sprintf("return %s\n", g.value())
	}
}

// Generate returns the body of the given name and kind made from seed,
// with the base constructs only.
func Generate(name string, kind Kind, seed uint64) *Body {
	return GenerateWith(name, kind, seed, 0)
}

// GenerateWith returns the body of the given name and kind made from seed,
// using the constructs of cats too.
func GenerateWith(name string, kind Kind, seed uint64, cats Category) *Body {
	return GenerateSized(name, kind, seed, cats, 10)
}

// GenerateSized is GenerateWith with a statement budget of size to 2*size
// (10 by default): smaller bodies compile faster, so more of them fit in a
// run.
func GenerateSized(name string, kind Kind, seed uint64, cats Category, size int) *Body {
	g := &generator{r: rand.New(rand.NewPCG(seed, uint64(kind)+7)), kind: kind, cats: cats, budget: size + int(seed%3)*size/2}
	g.scopes = [][]ivar{nil}
	g.shape = &shapes[0]
	imports := map[string]bool{}
	if kind == Async && cats&Shapes != 0 && g.chance(2) {
		// half of them int, the rest of every shape
		switch g.r.IntN(3) {
		case 0:
			g.shape = &shape{}
		default:
			sh := shapes[g.r.IntN(len(shapes))]
			sh.err = g.chance(2)
			g.shape = &sh
		}
	}
	if cats&Shapes != 0 && g.chance(3) {
		g.nosus = true
		g.budget = (4 + int(seed%3)*3) * size / 10
	}
	for _, imp := range g.shape.imports {
		imports[imp] = true
	}
	panicky := cats&(RangeFunc|PanicEnd) != 0
	var sb strings.Builder
	ctor := strings.ToUpper(name[:1]) + name[1:]
	var stmts string
	switch kind {
	case Async:
		sh := g.shape
		g.named = sh.typ != "" && g.r.IntN(2) == 0
		if g.named && sh.typ == "int" {
			g.scopes[0] = append(g.scopes[0], ivar{"r", true})
		}
		pre := ""
		if enablePanicRecover && (g.named || panicky) && g.r.IntN(3) == 0 {
			g.recovers = true
			fix := ""
			switch {
			case g.named && sh.typ == "int":
				fix = "r = -r - 1\n"
			case g.named && sh.err:
				fix = "err = fmt.Errorf(\"recovered %v\", e)\n"
			}
			pre = "defer func() {\nif e := recover(); e != nil {\nlg(log, \"recovered\", e)\n" + fix + "}\n}()\n"
		}
		stmts = pre + g.stmts(0)
		var end string
		switch {
		case cats&PanicEnd != 0 && g.chance(5):
			end = fmt.Sprintf("lg(log, %q)\npanic(fmt.Sprint(%q, %s))\n", g.name("end"), g.name("boom"), g.expr(1))
		case g.named && sh.typ == "int" && g.chance(2):
			end = fmt.Sprintf("r += %s\nreturn\n", g.expr(2))
		case g.named && sh.typ != "int" && g.chance(3):
			end = fmt.Sprintf("r = %s\nreturn\n", g.value())
		case sh.typ == "":
			if g.chance(2) {
				end = "return\n"
			}
		default:
			end = g.ret()
			if end == "return\n" && g.named && sh.typ != "int" {
				end = fmt.Sprintf("r = %s\nreturn\n", g.value())
			}
		}
		stmts += end
		var results string
		switch {
		case sh.typ == "":
		case g.named && sh.err:
			results = fmt.Sprintf(" (r %s, err error)", sh.typ)
		case g.named:
			results = fmt.Sprintf(" (r %s)", sh.typ)
		case sh.err:
			results = fmt.Sprintf(" (%s, error)", sh.typ)
		default:
			results = " " + sh.typ
		}
		fmt.Fprintf(&sb, "//asyncgen:async %s\nfunc %s(log *Log)%s {\n%s}\n", ctor, name, results, stmts)
	case Gen, Stream:
		pre := ""
		if enablePanicRecover && panicky && g.r.IntN(4) == 0 {
			g.recovers = true
			pre = "defer func() {\nif e := recover(); e != nil {\nlg(log, \"recovered\", e)\n}\n}()\n"
		}
		stmts = pre + g.stmts(0)
		if cats&PanicEnd != 0 && g.chance(5) {
			stmts += fmt.Sprintf("lg(log, %q)\npanic(fmt.Sprint(%q, %s))\n", g.name("end"), g.name("boom"), g.expr(1))
		}
		directive := "gen"
		if kind == Stream {
			directive = "stream"
		}
		fmt.Fprintf(&sb, "//asyncgen:%s %s\nfunc %s(log *Log, yield func(int) bool) {\n%s}\n", directive, ctor, name, stmts)
	}
	var head strings.Builder
	fmt.Fprintf(&head, "package PKG\n\nimport (\n\t\"fmt\"\n\t\"slices\"\n")
	var extra []string
	for imp := range imports {
		extra = append(extra, imp)
	}
	slices.Sort(extra)
	for _, imp := range extra {
		fmt.Fprintf(&head, "\t%q\n", imp)
	}
	// A body that names nothing of the runtime is in a file that does not
	// import it, as a user's would be.
	if strings.Contains(sb.String(), "runtime.") {
		fmt.Fprintf(&head, "\n\t\"github.com/asyncgen/asyncgen/runtime\"\n)\n\n")
		fmt.Fprintf(&head, "var _ = runtime.Await[int]\n")
	} else {
		fmt.Fprintf(&head, ")\n\n")
	}
	fmt.Fprintf(&head, "var _ = fmt.Sprint\nvar _ = slices.Sort[[]int]\n")
	for _, imp := range extra {
		// A body that never returns its shape's value still uses the
		// package the shape imports.
		fmt.Fprintf(&head, "var _ = %s\n", importUse[imp])
	}
	head.WriteString("\n")
	src, err := format.Source([]byte(head.String() + sb.String()))
	if err != nil {
		panic(fmt.Sprintf("difftest: generated body does not parse: %v\n%s", err, head.String()+sb.String()))
	}
	return &Body{Name: name, Kind: kind, File: string(src), Test: g.testSrc(extra)}
}

// testSrc returns the body's test, comparing its machine with its direct
// form.
func (g *generator) testSrc(imports []string) string {
	switch g.kind {
	case Gen:
		return genTestSrc
	case Stream:
		return streamTestSrc
	}
	var sb strings.Builder
	sb.WriteString("package PKG\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&sb, "\t%q\n", imp)
	}
	sb.WriteString("\n\t\"github.com/asyncgen/asyncgen/runtime\"\n)\n\n")
	for _, imp := range imports {
		fmt.Fprintf(&sb, "var _ = %s\n", importUse[imp])
	}
	sh := g.shape
	var direct, typ string
	switch {
	case sh.typ == "":
		typ, direct = "struct{}", "NAME(l)\nreturn struct{}{}"
	case sh.err:
		typ = "runtime.Result[" + sh.typ + "]"
		direct = "v, err := NAME(l)\nreturn " + typ + "{Value: v, Err: err}"
	default:
		typ, direct = sh.typ, "return NAME(l)"
	}
	fmt.Fprintf(&sb, "func init() { register(\"NAME\", test_NAME) }\n\nfunc test_NAME(t Reporter) {\nsameAsync(t, func(l *Log) %s {\n%s\n}, func(l *Log) runtime.Future[%s] { return CTOR(l) })\n}\n", typ, direct, typ)
	src, err := format.Source([]byte(sb.String()))
	if err != nil {
		panic(fmt.Sprintf("difftest: generated test does not parse: %v\n%s", err, sb.String()))
	}
	return string(src)
}

// importUse names something of each package a shape imports, so that a
// file importing it uses it.
var importUse = map[string]string{
	"time":     "time.Second",
	"math/big": "big.NewInt",
	"bytes":    "bytes.NewBuffer",
	"strconv":  "strconv.Itoa",
}

func (g *generator) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

func (g *generator) push()             { g.scopes = append(g.scopes, nil) }
func (g *generator) pop()              { g.scopes = g.scopes[:len(g.scopes)-1] }
func (g *generator) declare(v ivar)    { g.scopes[len(g.scopes)-1] = append(g.scopes[len(g.scopes)-1], v) }
func (g *generator) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *generator) vars(writable bool) []string {
	var out []string
	for _, s := range g.scopes {
		for _, v := range s {
			if !writable || v.writable {
				out = append(out, v.name)
			}
		}
	}
	return out
}

func (g *generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// k is how many times an awaited future is pending.
func (g *generator) k() int { return g.r.IntN(4) }

// sus wraps e in an await (async bodies only).
func (g *generator) sus(e string) string {
	return fmt.Sprintf("runtime.Await(P(%d, %s))", g.k(), e)
}

// expr returns an int expression; in async bodies it may await.
func (g *generator) expr(depth int) string {
	vs := g.vars(false)
	async := g.awaits()
	n := 12
	if async && g.cats&InitCtor != 0 {
		n = 13
	}
	for {
		switch c := g.r.IntN(n); {
		case c == 0 || depth <= 0:
			if len(vs) > 0 && g.chance(2) {
				return g.pick(vs)
			}
			return fmt.Sprint(g.r.IntN(10))
		case c == 1 && len(vs) > 0:
			return g.pick(vs)
		case c == 2 && len(vs) > 0:
			return fmt.Sprintf("%s + %d", g.pick(vs), g.r.IntN(5))
		case c == 3:
			return fmt.Sprintf("tick(log, %q, %s)", g.name("t"), g.expr(depth-1))
		case c <= 6 && async:
			return g.sus(g.expr(depth - 1))
		case c == 7 && async:
			return fmt.Sprintf("add3(%s, %s, %s)", g.tick(depth-1), g.sus(g.expr(depth-1)), g.tick(depth-1))
		case c == 8:
			return fmt.Sprintf("sum([]int{%s, %s, %s})", g.tick(depth-1), g.expr(depth-1), g.tick(depth-1))
		case c == 9:
			return fmt.Sprintf("(pair{A: %s, B: %s}).sum()", g.tick(depth-1), g.expr(depth-1))
		case c == 10:
			return fmt.Sprintf("(%s - %s)", g.expr(depth-1), g.expr(depth-1))
		case c == 11 && async:
			return fmt.Sprintf("([]int{%s, %s, 7})[%s]", g.expr(depth-1), g.tick(depth-1), g.sus(fmt.Sprint(g.r.IntN(3))))
		case c == 12:
			return fmt.Sprintf("runtime.Await(newGauge(log, %d, %s))", g.k(), g.expr(depth-1))
		}
	}
}

// awaits reports whether the body may await here.
func (g *generator) awaits() bool { return g.kind != Gen && !g.nosus }

// plainExpr returns an int expression that does not suspend.
func (g *generator) plainExpr(depth int) string {
	k := g.kind
	g.kind = Gen
	defer func() { g.kind = k }()
	return g.expr(depth)
}

func (g *generator) tick(depth int) string {
	return fmt.Sprintf("tick(log, %q, %s)", g.name("t"), g.expr(depth))
}

// cond returns a bool expression; in async bodies the right of && and ||
// may await.
func (g *generator) cond() string {
	e := g.expr(1)
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("%s > %d", e, g.r.IntN(8))
	case 1:
		return fmt.Sprintf("%s%%2 == 0", e)
	case 2:
		return fmt.Sprintf("%s < %d && %s > %d", e, g.r.IntN(10), g.expr(1), g.r.IntN(5))
	case 3:
		return fmt.Sprintf("%s > %d || %s%%3 == 1", e, g.r.IntN(10), g.expr(1))
	default:
		return fmt.Sprintf("(%s == %d) != (%s > 2)", e, g.r.IntN(4), g.expr(1))
	}
}

// suspend returns a statement that suspends: an await or a checked yield.
func (g *generator) suspend() string {
	if g.nosus {
		return fmt.Sprintf("lg(log, %q, %s)\n", g.name("ns"), g.expr(1))
	}
	if g.kind == Gen || g.kind == Stream && g.chance(2) {
		return fmt.Sprintf("if !yield(%s) {\nlg(log, %q)\nreturn\n}\n", g.expr(1), g.name("stop"))
	}
	if w := g.vars(true); len(w) > 0 && g.chance(2) {
		return fmt.Sprintf("%s += %s\n", g.pick(w), g.sus(g.expr(1)))
	}
	return fmt.Sprintf("lg(log, %q, %s)\n", g.name("a"), g.sus(g.expr(1)))
}

func (g *generator) block(depth int) string {
	g.push()
	defer g.pop()
	return g.stmts(depth)
}

func (g *generator) stmts(depth int) string {
	var sb strings.Builder
	n := 1 + g.r.IntN(3)
	if depth == 0 {
		n = 3 + g.r.IntN(4)
	}
	for i := 0; i < n && (g.budget > 0 || i == 0); i++ {
		g.budget--
		sb.WriteString(g.stmt(depth))
	}
	if g.chance(2) {
		sb.WriteString(g.suspend())
	}
	return sb.String()
}

func (g *generator) stmt(depth int) string {
	for {
		c := g.r.IntN(40)
		if depth >= 3 && (c >= 8 && c < 28 || c == 32 || c == 33) {
			continue // too deep for compound statements
		}
		if s, ok := g.try(c, depth); ok {
			return s
		}
	}
}

func (g *generator) try(c, depth int) (string, bool) {
	async := g.awaits()
	if g.nosus && (c == 15 || c == 26 || c == 29) {
		return "", false // they yield
	}
	w := g.vars(true)
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	switch c {
	case 0, 1: // declaration
		v := g.name("x")
		p("%s := %s\n", v, g.expr(2))
		p("lg(log, %q, %s)\n", v, v)
		g.declare(ivar{v, true})
	case 2: // assignment
		if len(w) == 0 {
			return "", false
		}
		op := "="
		if g.chance(2) {
			op = "+="
		}
		v, e := g.pick(w), g.expr(2)
		if e == v {
			op = "+="
		}
		p("%s %s %s\n", v, op, e)
	case 3: // swap
		if len(w) < 2 {
			return "", false
		}
		a, b := g.pick(w), g.pick(w)
		if a == b {
			return "", false
		}
		if g.chance(2) {
			p("%s, %s = %s, %s\n", a, b, b, a)
		} else {
			p("%s, %s = %s+%s, %s\n", a, b, b, g.expr(2), a)
		}
		p("lg(log, %q, %s, %s)\n", g.name("swap"), a, b)
	case 4, 5: // log / suspend
		if g.chance(2) {
			return g.suspend(), true
		}
		p("lg(log, %q, %s, %s)\n", g.name("l"), g.expr(2), g.expr(2))
	case 6: // break / continue
		kw := "continue"
		if g.chance(2) {
			kw = "break"
		}
		if len(g.loops) > 0 && g.chance(2) {
			f := g.loops[g.r.IntN(len(g.loops))]
			if f.label != "" {
				f.used = true
				p("if %s {\nlg(log, %q)\n%s %s\n}\n", g.cond(), g.name("br"), kw, f.label)
				return sb.String(), true
			}
		}
		if kw == "continue" && len(g.loops) > 0 || kw == "break" && g.brk > 0 {
			p("if %s {\nlg(log, %q)\n%s\n}\n", g.cond(), g.name("br"), kw)
			return sb.String(), true
		}
		return "", false
	case 7: // conditional return
		if !g.chance(3) {
			return "", false
		}
		p("if %s {\nlg(log, %q)\n%s}\n", g.cond(), g.name("ret"), g.ret())
	case 8, 9: // if / else chain
		p("if %s {\n%s", g.cond(), g.block(depth+1))
		for g.chance(2) {
			p("} else if %s {\n%s", g.cond(), g.block(depth+1))
		}
		if g.chance(2) {
			p("} else {\n%s", g.block(depth+1))
		}
		p("}\n")
	case 10, 11: // 3-clause for
		i := g.name("i")
		cond := fmt.Sprintf("%s < %d", i, g.r.IntN(4))
		post := i + "++"
		if async && g.chance(4) {
			cond = fmt.Sprintf("%s < %s", i, g.sus(fmt.Sprint(g.r.IntN(4))))
		}
		if async && g.chance(5) {
			post = fmt.Sprintf("%s += %s", i, g.sus("1"))
		}
		return g.loop(depth, fmt.Sprintf("for %s := 0; %s; %s {\n", i, cond, post), []string{i}, ""), true
	case 12: // range over int
		i := g.name("i")
		n := fmt.Sprint(g.r.IntN(4))
		if async && g.chance(3) {
			n = g.sus(n)
		}
		return g.loop(depth, fmt.Sprintf("for %s := range %s {\n", i, n), []string{i}, ""), true
	case 13: // range over slice
		i, v, s := g.name("i"), g.name("v"), g.name("s")
		p("%s := []int{%s, %s, %s}\n", s, g.expr(1), g.expr(1), g.expr(1))
		extra := ""
		if g.chance(2) {
			extra = fmt.Sprintf("%s[2] += 100\n", s)
		}
		rng := s
		if async && g.chance(3) {
			rng = g.sus(s)
		}
		p("%s", g.loop(depth, fmt.Sprintf("for %s, %s := range %s {\n%s", i, v, rng, extra), []string{i, v}, ""))
		p("lg(log, %q, %s)\n", s, s)
	case 14: // range over string
		i, r := g.name("i"), g.name("r")
		p("%s", g.loop(depth, fmt.Sprintf("for %s, %s := range \"aé😀b\" {\nlg(log, %q, string(%s))\n", i, r, r, r), []string{i}, ""))
	case 15: // range over map, order-independent
		m, ks, s, k, v := g.name("m"), g.name("ks"), g.name("ms"), g.name("k"), g.name("v")
		p("%s := map[string]int{\"a\": %s, \"b\": %s, \"c\": 3}\n", m, g.expr(1), g.expr(1))
		p("var %s []string\n%s := 0\n", ks, s)
		p("for %s, %s := range %s {\n%s = append(%s, %s)\n", k, v, m, ks, ks, k)
		if async {
			p("%s += %s\n", s, g.sus(v))
		} else {
			p("%s += %s\nif !yield(len(%s)) {\nlg(log, %q)\nreturn\n}\n", s, v, ks, g.name("stop"))
		}
		if g.chance(3) {
			// delete the others: exactly one iteration, whichever it is
			k2 := g.name("k")
			p("for %s := range %s {\nif %s != %s {\ndelete(%s, %s)\n}\n}\n", k2, m, k2, k, m, k2)
			p("%s = 0\n", s)
		}
		p("}\n")
		p("slices.Sort(%s)\n", ks)
		p("lg(log, %q, len(%s), %s)\n", m, ks, s)
		if !strings.Contains(sb.String(), "delete") {
			p("lg(log, %q, %s)\n", ks, ks)
		}
	case 16: // range over channel
		ch, v := g.name("ch"), g.name("v")
		e1, e2 := g.expr(1), g.expr(1)
		if !enableChanInField {
			e1, e2 = g.plainExpr(1), g.plainExpr(1)
		}
		p("%s := make(chan int, 3)\n%s <- %s\n%s <- %s\nclose(%s)\n", ch, ch, e1, ch, e2, ch)
		if enableRangeChanNoVar && g.chance(4) {
			p("%s", g.loop(depth, fmt.Sprintf("for range %s {\n", ch), nil, ""))
			break
		}
		p("%s", g.loop(depth, fmt.Sprintf("for %s := range %s {\n", v, ch), []string{v}, ""))
	case 17: // switch with a tag
		p("switch %s %% 4 {\n", g.expr(1))
		g.brk++
		vals := g.r.Perm(4)
		nc := 1 + g.r.IntN(3)
		for j := 0; j < nc; j++ {
			if async && g.chance(3) {
				p("case %s:\n", g.sus(fmt.Sprint(vals[j])))
			} else {
				p("case %d:\n", vals[j])
			}
			p("lg(log, %q)\n%s", g.name("case"), g.block(depth+1))
			if j < nc-1 && g.chance(2) || j == nc-1 && g.chance(2) {
				p("fallthrough\n")
			}
		}
		p("default:\nlg(log, %q)\n%s", g.name("def"), g.block(depth+1))
		p("}\n")
		g.brk--
	case 18: // tagless switch
		g.brk++
		p("switch {\n")
		for j := 0; j < 1+g.r.IntN(3); j++ {
			p("case %s:\nlg(log, %q)\n%s", g.cond(), g.name("case"), g.block(depth+1))
		}
		if g.chance(2) {
			p("default:\n%s", g.block(depth+1))
		}
		p("}\n")
		g.brk--
	case 19: // labeled nested loops
		i, j := g.name("i"), g.name("j")
		outer := &loopFrame{label: g.name("L")}
		g.loops = append(g.loops, outer)
		g.brk++
		g.push()
		g.declare(ivar{i, false})
		inner := g.loop(depth+1, fmt.Sprintf("for %s := range %d {\n", j, 1+g.r.IntN(3)), []string{j}, g.name("L"))
		var cont string
		if g.chance(2) {
			outer.used = true
			cont = fmt.Sprintf("if %s == %s {\nlg(log, %q)\ncontinue %s\n}\n", i, j, g.name("cj"), outer.label)
		}
		body := g.stmts(depth + 2)
		g.pop()
		g.brk--
		g.loops = g.loops[:len(g.loops)-1]
		if outer.used {
			p("%s:\n", outer.label)
		}
		p("for %s := 0; %s < 3; %s++ {\nlg(log, %q, %s)\n", i, i, i, i, i)
		p("%s%s%s}\n", strings.Replace(inner, "{\n", "{\n"+cont, 1), body, "")
	case 20: // goto forward
		l := g.name("G")
		p("if %s {\nlg(log, %q)\ngoto %s\n}\n", g.cond(), g.name("goto"), l)
		p("{\n%s}\n", g.block(depth+1))
		p("%s:\nlg(log, %q)\n", l, l)
	case 21: // defer
		vs := g.vars(false)
		if len(vs) == 0 || !g.chance(2) {
			return "", false
		}
		v := g.pick(vs)
		d := g.name("d")
		switch g.r.IntN(3) {
		case 0:
			p("defer func() {\nlg(log, %q, %s)\n}()\n", d, v)
		case 1:
			p("defer lg(log, %q, %s)\n", d, v)
		default:
			if g.named && g.shape.typ == "int" {
				p("defer func() {\nr += %s\nlg(log, %q, r)\n}()\n", v, d)
			} else {
				p("defer func(n int) {\nlg(log, %q, n, %s)\n}(%s)\n", d, v, v)
			}
		}
	case 22: // closure over a local, across a suspension
		cv, cf := g.name("cv"), g.name("cf")
		p("%s := %s\n%s := func() int {\n%s += 2\nreturn %s\n}\n", cv, g.expr(1), cf, cv, cv)
		p("lg(log, %q, %s())\n", cf, cf)
		g.declare(ivar{cv, true})
		p("%s", g.suspend())
		p("%s", g.stmts(depth+1))
		p("lg(log, %q, %s())\n", cf, cf)
		p("lg(log, %q, %s)\n", cv, cv)
	case 23: // pointer to a local, across a suspension
		pv, pp := g.name("pv"), g.name("pp")
		p("%s := %s\n%s := &%s\n", pv, g.expr(1), pp, pv)
		g.declare(ivar{pv, true})
		if async {
			p("*%s += %s\n", pp, g.sus(g.expr(1)))
		} else {
			p("%s", g.suspend())
			p("*%s += 1\n", pp)
		}
		p("%s", g.stmts(depth+1))
		p("*%s += 10\nlg(log, %q, %s, *%s)\n", pp, pv, pv, pp)
	case 24: // closures and pointers capturing per-iteration loop variables
		fs, ps, i, x := g.name("fs"), g.name("ps"), g.name("i"), g.name("x")
		p("var %s []func() int\nvar %s []*int\n", fs, ps)
		head := fmt.Sprintf("for %s := 0; %s < %d; %s++ {\n%s := %s * 10\n%s = append(%s, func() int {\n%s++\nreturn %s*100 + %s\n})\n%s = append(%s, &%s)\n",
			i, i, 1+g.r.IntN(3), i, x, i, fs, fs, x, i, x, ps, ps, i)
		g.push()
		g.declare(ivar{x, true})
		body := g.loop(depth, head+g.suspend(), []string{i}, "")
		g.pop()
		p("%s", body)
		p("for _, f := range %s {\nlg(log, %q, f())\n}\n", fs, fs)
		p("for _, q := range %s {\nlg(log, %q, *q)\n}\n", ps, ps)
	case 25: // select on ready buffered channels
		ch, v := g.name("sc"), g.name("v")
		p("%s := make(chan int, 1)\n", ch)
		g.brk++
		switch g.r.IntN(3) {
		case 0:
			if g.chance(2) {
				p("%s <- %s\n", ch, g.expr(1))
			}
			p("select {\ncase %s := <-%s:\nlg(log, %q, %s)\n", v, ch, v, v)
			g.push()
			g.declare(ivar{v, false})
			p("%s", g.stmts(depth+1))
			g.pop()
			p("default:\nlg(log, %q)\n%s}\n", g.name("seldef"), g.block(depth+1))
		case 1:
			nilc := g.name("nc")
			val := g.expr(1)
			if async {
				val = g.sus(val)
			}
			p("var %s chan int\nselect {\ncase %s <- %s:\nlg(log, %q, <-%s)\n%s", nilc, ch, val, g.name("sent"), ch, g.block(depth+1))
			p("case %s := <-%s:\nlg(log, %q, %s)\n}\n", v, nilc, v, v)
		default:
			p("%s <- %s\n", ch, g.expr(1))
			src := ch
			if async && enableSelectAwaitRecvChan {
				src = fmt.Sprintf("runtime.Await(P(%d, %s))", g.k(), ch)
			}
			ok := g.name("ok")
			p("select {\ncase %s, %s := <-%s:\nlg(log, %q, %s, %s)\n", v, ok, src, v, v, ok)
			g.push()
			g.declare(ivar{v, false})
			p("%s", g.stmts(depth+1))
			g.pop()
			p("}\n")
		}
		g.brk--
	case 26: // && and || with suspensions on the right
		b := g.name("b")
		if async {
			p("%s := %s > %d && %s > %d\n", b, g.expr(1), g.r.IntN(6), g.sus(g.expr(1)), g.r.IntN(6))
			p("%s = %s || %s%%2 == 0\n", b, b, g.sus(g.expr(1)))
			p("lg(log, %q, %s)\n", b, b)
		} else {
			switch g.r.IntN(4) {
			case 0:
				p("%s := yield(%s) && yield(%s)\nlg(log, %q, %s)\nif !%s {\nreturn\n}\n", b, g.expr(1), g.expr(1), b, b, b)
			case 1:
				if !enableElseReturn {
					p("if !yield(%s) {\nlg(log, %q)\nreturn\n} else {\n%s}\n", g.expr(1), g.name("stop"), g.block(depth+1))
					break
				}
				p("if yield(%s) {\n%s} else {\nlg(log, %q)\nreturn\n}\n", g.expr(1), g.block(depth+1), g.name("stop"))
			case 2:
				p("if %s && !yield(%s) {\nlg(log, %q)\nreturn\n}\n", g.cond(), g.expr(1), g.name("stop"))
			default:
				if !enableElseReturn {
					p("if !(%s || yield(%s)) {\nlg(log, %q)\nreturn\n} else {\n%s}\n", g.cond(), g.expr(1), g.name("stop"), g.block(depth+1))
					break
				}
				p("if %s || yield(%s) {\n%s} else {\nlg(log, %q)\nreturn\n}\n", g.cond(), g.expr(1), g.block(depth+1), g.name("stop"))
			}
		}
	case 27: // multi-assignment through indexes
		s := g.name("sl")
		p("%s := []int{%s, %s, %s}\n", s, g.expr(1), g.expr(1), g.expr(1))
		rhs := fmt.Sprintf("%s[0]", s)
		if async {
			rhs = g.sus(rhs)
		}
		p("%s[tick(log, %q, 0)], %s[2] = %s[2], %s\n", s, g.name("t"), s, s, rhs)
		p("lg(log, %q, %s)\n", s, s)
	case 28: // awaits in call arguments and composite literals
		if !async {
			return "", false
		}
		q := g.name("q")
		p("%s := pair{A: %s, B: %s}\n", q, g.tick(1), g.sus(g.expr(1)))
		p("lg(log, %q, %s, []int{%s, %s, %s})\n", q, q, g.tick(1), g.sus(g.expr(1)), g.tick(1))
	case 29: // TryAwait; in generators and streams, a loop that calls nothing
		if g.kind == Gen || g.kind == Stream && g.chance(2) {
			return g.quietLoop(), true
		}
		tv, te := g.name("tv"), g.name("te")
		p("%s, %s := runtime.TryAwait(PR(%d, %s, %v))\nlg(log, %q, %s, %s)\n", tv, te, g.k(), g.expr(1), g.chance(2), tv, tv, te)
		g.declare(ivar{tv, true})
	case 30: // panic, recovered by the body's deferred closure
		if !g.recovers || !g.chance(2) {
			return "", false
		}
		p("if %s {\nlg(log, %q)\npanic(fmt.Sprint(%q, %s))\n}\n", g.cond(), g.name("panic"), g.name("boom"), g.expr(1))
	case 32, 33: // a loop over a function iterator
		if g.cats&RangeFunc == 0 {
			return "", false
		}
		return g.rangeFunc(depth), true
	case 34: // a defer in a loop body over a function iterator
		vs := g.vars(false)
		if g.inRF == 0 || len(vs) == 0 {
			return "", false
		}
		d := g.name("d")
		switch g.r.IntN(3) {
		case 0:
			p("defer lg(log, %q, %s)\n", d, g.pick(vs))
		case 1:
			p("defer func() {\nlg(log, %q, %s)\n}()\n", d, g.pick(vs))
		default:
			p("defer func() {\nlg(log, %q, recover())\n}()\n", d)
		}
	case 35, 36: // a panic in a loop body over a function iterator
		if g.inRF == 0 {
			return "", false
		}
		p("if %s {\nlg(log, %q)\npanic(fmt.Sprint(%q, %s))\n}\n", g.cond(), g.name("panic"), g.name("boom"), g.expr(1))
	case 37: // goto out of a loop over a function iterator
		if len(g.gotos) == 0 {
			return "", false
		}
		f := g.gotos[g.r.IntN(len(g.gotos))]
		f.used = true
		p("if %s {\nlg(log, %q)\ngoto %s\n}\n", g.cond(), g.name("goto"), f.label)
	case 38: // futures made by a method of a type with an unrelated Init
		if !async || g.cats&InitCtor == 0 {
			return "", false
		}
		f, v := g.name("fa"), g.name("mv")
		p("%s := &factory{}\n%s := runtime.Await(%s.meter(%d, %s))\n", f, v, f, g.k(), g.expr(1))
		p("%s += runtime.Await(%s.meter(%d, %s))\nlg(log, %q, %s, %s.made)\n", v, f, g.k(), g.expr(1), v, v, f)
		g.declare(ivar{v, true})
	case 39:
		return "", false
	default: // nested suspension
		if async {
			p("lg(log, %q, %s)\n", g.name("n"), g.sus(g.sus(g.expr(1))+"+1"))
		} else {
			return g.suspend(), true
		}
	}
	return sb.String(), true
}

// quietLoop writes a generator loop whose way from its yield back to it
// calls nothing and cannot panic (the shape that gets a fast path): only
// arithmetic on its own variables, with continue and break on conditions.
func (g *generator) quietLoop() string {
	acc, i, v, xs := g.name("acc"), g.name("i"), g.name("v"), g.name("xs")
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	p("%s := %s\n", acc, g.expr(1))
	vars := []string{acc, i}
	switch g.r.IntN(4) {
	case 0:
		p("%s := []int{%d, %d, %d}\nfor %s, %s := range %s {\n", xs, g.r.IntN(9), g.r.IntN(9), g.r.IntN(9), i, v, xs)
		vars = append(vars, v)
	case 1:
		p("for %s, %s := range [2]int{%d, %d} {\n", i, v, g.r.IntN(9), g.r.IntN(9))
		vars = append(vars, v)
	case 2:
		p("for %s := 0; %s < %d; %s++ {\n", i, i, 1+g.r.IntN(4), i)
	default:
		p("for %s := range %d {\n", i, 1+g.r.IntN(4))
	}
	if len(vars) == 3 {
		p("%s += %s\n", acc, v) // every loop variable is used
	}
	operand := func() string {
		if g.chance(3) {
			return fmt.Sprint(1 + g.r.IntN(9))
		}
		return g.pick(vars)
	}
	for range 1 + g.r.IntN(3) {
		switch g.r.IntN(9) {
		case 8: // an assignment in a block
			p("{\n%s = %s*%d + %d\n}\n", acc, g.pick(vars[1:]), 1+g.r.IntN(3), g.r.IntN(9))
		case 6: // an assignment that may not run, of a value not read from acc
			p("if %s%%%d == 0 {\n%s = %s + %d\n}\n", operand(), 2+g.r.IntN(3), acc, g.pick(vars[1:]), g.r.IntN(9))
		case 7:
			p("if %s > %d {\n%s -= %s\ncontinue\n}\n", operand(), 5+g.r.IntN(20), acc, operand())
		case 0:
			p("%s = %s*%d + %s\n", acc, acc, 1+g.r.IntN(3), operand())
		case 1:
			p("%s -= %s\n", acc, operand())
		case 2:
			p("%s ^= %s << %d\n", acc, operand(), g.r.IntN(3))
		case 3:
			p("%s %%= %d\n", acc, 5+g.r.IntN(20))
		case 4:
			p("if %s%%%d == 0 {\ncontinue\n}\n", operand(), 2+g.r.IntN(3))
		default:
			p("if %s > %d {\nbreak\n}\n", operand(), 10+g.r.IntN(40))
		}
	}
	guard := ""
	switch g.r.IntN(3) {
	case 0:
		guard = fmt.Sprintf("%s > %d || ", operand(), 5+g.r.IntN(30))
	case 1:
		guard = fmt.Sprintf("%s%%%d == 0 && ", operand(), 2+g.r.IntN(2))
	}
	p("if %s!yield(%s + %s*%d) {\nlg(log, %q)\nreturn\n}\n}\n", guard, acc, i, g.r.IntN(3), g.name("stop"))
	p("lg(log, %q, %s)\n", acc, acc)
	g.declare(ivar{acc, true})
	return sb.String()
}

// loop writes a loop whose head (ending in "{\n") is given: it declares
// vars (read-only), logs them, and writes a random body. label is used if
// some branch of the body refers to it.
func (g *generator) loop(depth int, head string, vars []string, label string) string {
	f := &loopFrame{label: label}
	if f.label == "" && g.chance(3) {
		f.label = g.name("L")
	}
	g.loops = append(g.loops, f)
	g.brk++
	g.push()
	for _, v := range vars {
		g.declare(ivar{v, false})
	}
	var sb strings.Builder
	sb.WriteString(head)
	fmt.Fprintf(&sb, "lg(log, %q, %s)\n", g.name("it"), strings.Join(vars, ", "))
	if g.inRF > 0 && depth < 2 && g.cats&RangeFunc != 0 && g.chance(3) {
		sb.WriteString(g.rangeFunc(depth + 1)) // nested loops over function iterators
	}
	sb.WriteString(g.stmts(depth + 1))
	sb.WriteString("}\n")
	g.pop()
	g.brk--
	g.loops = g.loops[:len(g.loops)-1]
	if f.used {
		return f.label + ":\n" + sb.String()
	}
	return sb.String()
}

// rangeFunc writes a loop over a function iterator: a well-behaved one of
// each signature, the standard library's, a generated iterator's All, or
// one that panics, recovers, or misbehaves. Its body may suspend, defer,
// panic, and leave by break, continue, goto and return.
func (g *generator) rangeFunc(depth int) string {
	it, x := g.name("it"), g.name("x")
	n := fmt.Sprint(g.r.IntN(4))
	if g.awaits() && g.chance(4) {
		n = g.sus(n)
	}
	var pre, post, head string
	vars := []string{x}
	switch g.r.IntN(13) {
	case 0, 1:
		head = fmt.Sprintf("for %s := range seq(log, %q, %s) {\n", x, it, n)
	case 2:
		k := g.name("k")
		head = fmt.Sprintf("for %s, %s := range seq2(log, %q, %s) {\n", k, x, it, n)
		vars = []string{k, x}
	case 3:
		head = fmt.Sprintf("for range seq0(log, %q, %s) {\n", it, n)
		vars = nil
	case 4, 5:
		head = fmt.Sprintf("for %s := range Count(log, %q, %s, %d).All() {\n", x, it, n, g.r.IntN(5)-2)
	case 6:
		head = fmt.Sprintf("for %s := range panicSeq(log, %q, %s, %d) {\n", x, it, n, g.r.IntN(4))
	case 7:
		head = fmt.Sprintf("for %s := range recoverSeq(log, %q, %s, %v) {\n", x, it, n, g.chance(2))
	case 8:
		head = fmt.Sprintf("for %s := range swallowSeq(log, %q, %s) {\n", x, it, n)
	case 9:
		head = fmt.Sprintf("for %s := range badSeq(log, %q, %s) {\n", x, it, n)
	case 10:
		kp := g.name("kp")
		pre = fmt.Sprintf("%s := &keeper{}\n", kp)
		head = fmt.Sprintf("for %s := range %s.seq(log, %q, %s) {\n", x, kp, it, n)
		post = fmt.Sprintf("%s.again(log)\n", kp)
	default:
		sl, i := g.name("sl"), g.name("i")
		pre = fmt.Sprintf("%s := []int{%s, %s, %s}\n", sl, g.expr(1), g.expr(1), g.expr(1))
		switch g.r.IntN(3) {
		case 0:
			head = fmt.Sprintf("for %s := range slices.Values(%s) {\n", x, sl)
		case 1:
			head = fmt.Sprintf("for %s, %s := range slices.All(%s) {\n", i, x, sl)
			vars = []string{i, x}
		default:
			head = fmt.Sprintf("for %s, %s := range slices.Backward(%s) {\n", i, x, sl)
			vars = []string{i, x}
		}
	}
	label := ""
	if g.chance(2) {
		label = g.name("L")
	}
	gf := &gotoFrame{label: g.name("G")}
	g.gotos = append(g.gotos, gf)
	g.inRF++
	body := g.loop(depth, head, vars, label)
	g.inRF--
	g.gotos = g.gotos[:len(g.gotos)-1]
	out := pre + body + post
	if gf.used {
		out += fmt.Sprintf("%s:\nlg(log, %q)\n", gf.label, gf.label)
	}
	return out
}
