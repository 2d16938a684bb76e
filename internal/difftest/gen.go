// Package difftest is a differential random tester for the lowering: it
// writes random but valid annotated bodies, lowers them with asyncgen, and
// checks that every state machine behaves like the same body run directly.
package difftest

import (
	"fmt"
	"go/format"
	"math/rand/v2"
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

// Body is one generated body.
type Body struct {
	Name string // lower-case name of the body function; the constructor is capitalized
	Kind Kind
	File string // the file's source
}

// Ctor returns the constructor's name.
func (b *Body) Ctor() string { return strings.ToUpper(b.Name[:1]) + b.Name[1:] }

type loopFrame struct {
	label string
	used  bool
}

type generator struct {
	r        *rand.Rand
	kind     Kind
	n        int      // names
	scopes   [][]ivar // int variables in scope
	loops    []*loopFrame
	brk      int // enclosing breakable statements (for, switch, select)
	budget   int // statements left
	named    bool
	recovers bool // the body has a deferred recover
}

type ivar struct {
	name     string
	writable bool
}

// Generate returns the body of the given name and kind made from seed.
func Generate(name string, kind Kind, seed uint64) *Body {
	g := &generator{r: rand.New(rand.NewPCG(seed, uint64(kind)+7)), kind: kind, budget: 10 + int(seed%3)*5}
	g.scopes = [][]ivar{nil}
	var sb strings.Builder
	fmt.Fprintf(&sb, "package PKG\n\nimport (\n\t\"fmt\"\n\t\"slices\"\n\n\t\"github.com/asyncgen/asyncgen/runtime\"\n)\n\n")
	fmt.Fprintf(&sb, "var _ = fmt.Sprint\nvar _ = slices.Sort[[]int]\nvar _ = runtime.Await[int]\n\n")
	ctor := strings.ToUpper(name[:1]) + name[1:]
	var stmts string
	switch kind {
	case Async:
		g.named = g.r.IntN(2) == 0
		if g.named {
			g.scopes[0] = append(g.scopes[0], ivar{"r", true})
		}
		pre := ""
		if g.named && enablePanicRecover && g.r.IntN(3) == 0 {
			g.recovers = true
			pre = "defer func() {\nif e := recover(); e != nil {\nlg(log, \"recovered\", e, r)\nr = -r - 1\n}\n}()\n"
		}
		stmts = pre + g.stmts(0)
		if g.named {
			if g.r.IntN(2) == 0 {
				stmts += fmt.Sprintf("r += %s\nreturn\n", g.expr(2))
			} else {
				stmts += fmt.Sprintf("return %s\n", g.expr(2))
			}
			fmt.Fprintf(&sb, "//asyncgen:async %s\nfunc %s(log *Log) (r int) {\n%s}\n", ctor, name, stmts)
		} else {
			stmts += fmt.Sprintf("return %s\n", g.expr(2))
			fmt.Fprintf(&sb, "//asyncgen:async %s\nfunc %s(log *Log) int {\n%s}\n", ctor, name, stmts)
		}
	case Gen:
		stmts = g.stmts(0)
		fmt.Fprintf(&sb, "//asyncgen:gen %s\nfunc %s(log *Log, yield func(int) bool) {\n%s}\n", ctor, name, stmts)
	case Stream:
		stmts = g.stmts(0)
		fmt.Fprintf(&sb, "//asyncgen:stream %s\nfunc %s(log *Log, yield func(int) bool) {\n%s}\n", ctor, name, stmts)
	}
	src, err := format.Source([]byte(sb.String()))
	if err != nil {
		panic(fmt.Sprintf("difftest: generated body does not parse: %v\n%s", err, sb.String()))
	}
	return &Body{Name: name, Kind: kind, File: string(src)}
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
	async := g.kind != Gen // async and stream bodies await
	for {
		switch c := g.r.IntN(12); {
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
		}
	}
}

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
		c := g.r.IntN(32)
		if depth >= 3 && c >= 8 && c < 28 {
			continue // too deep for compound statements
		}
		if s, ok := g.try(c, depth); ok {
			return s
		}
	}
}

func (g *generator) try(c, depth int) (string, bool) {
	async := g.kind != Gen // async and stream bodies await
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
		p("if %s {\nlg(log, %q)\n", g.cond(), g.name("ret"))
		switch {
		case g.kind != Async:
			p("return\n")
		case g.named && g.chance(2):
			p("return\n")
		default:
			p("return %s\n", g.expr(2))
		}
		p("}\n")
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
			if g.named {
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
