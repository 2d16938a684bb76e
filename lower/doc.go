// Package lower turns annotated bodies into state machines.
//
// # Theory of operation
//
// A body marked //asyncgen:async, //asyncgen:gen or //asyncgen:stream stays
// an ordinary Go function: called directly, runtime.Await blocks and yield
// is the caller's callback. That direct form is the reference semantics.
// For each body this package writes, in x_asyncgen.go beside x.go (in
// x_asyncgen_test.go beside a test file x_test.go), a
// machine type, a constructor with the body's parameters, and the methods
// of runtime.Future (Poll, Cancel), runtime.Iterator (Next, Close, All) or
// runtime.AsyncIterator (PollNext, Close). The generated code names its
// users' types from package runtime; the helpers only it calls (the
// machine's states, its misuse panics, defers and unwinding, pull loops)
// come from package runtime/machine, which it imports as machine (or as
// machine1 when the package declares machine itself).
//
// The package ir builds the body's control-flow graph, splitting it at
// every suspension (an await, a yield, a for-await step); this package
// decides where each variable lives and writes the graph back as Go: one
// step method whose blocks are labels, whose edges are gotos, and whose
// suspension points are resumed through a switch on the machine's state.
// Statements that hold no suspension are copied whole.
//
// # Await
//
//	//asyncgen:async Double
//	func double(f runtime.Future[int]) int {
//		k := 2
//		v := runtime.Await(f)
//		return v * k
//	}
//
// becomes, as testdata/golden/await.txtar has it (line directives and
// doc comments elided, comments added):
//
//	type DoubleFuture struct {
//		noCopy  machine.NoCopy
//		state   int
//		self    *DoubleFuture
//		f       runtime.Future[int]
//		result0 int
//		k       int
//	}
//
//	func (m *DoubleFuture) Poll(cx *runtime.Context) (result int, ready bool) {
//		if m.self != m {
//			m.pin() // first poll: remember the address; later: panic, it moved
//		}
//		var v1 int // live across no suspension: a local of Poll
//		switch m.state {
//		case 0:
//			m.state = machine.StateRunning
//		case 1:
//			m.state = machine.StateRunning
//			goto resume1
//		default:
//			machine.BadPoll("Double", m.state) // after completion, a panic or Cancel
//		}
//		m.k = 2 // live across the await: a field
//	resume1:
//		{
//			v, ok := m.f.Poll(cx)
//			if !ok {
//				m.state = 1
//				return 0, false
//			}
//			v1 = v
//		}
//		m.result0 = v1 * m.k
//		m.state = machine.StateDone
//		return m.result0, true
//	}
//
// The awaited future f is a variable of the body, so it is polled where it
// is; an awaited expression is first stored in a slot field, which is
// cleared once the future is ready.
//
// # Awaits inside expressions
//
// Go evaluates the calls and receives of an expression left to right and
// reads plain variables after them (the gc compiler's order). In
//
//	y := g(a(), runtime.Await(f(x)), b())
//
// a() runs and is spilled into a temporary before the suspension, f(x) is
// stored in the slot, and g(t, v, b()) runs after it. && and || are
// control flow: in p() && runtime.Await(q) the await runs only when p() is
// true. Multi-assignments keep their two phases: the index operands of the
// left side are spilled before a suspension on the right, and the
// assignment itself stays one Go assignment. TryAwait(f) assigns the
// Result's Value and Err. Awaits may appear in call arguments, composite
// literals, index and slice expressions, receivers, conversions, return
// lists, conditions, switch tags and cases, range expressions and select
// operands.
//
// # Control flow
//
// if, for, range, switch, type switch, select, labeled break and continue,
// goto and fallthrough are lowered only when a suspension is inside them.
// A for loop becomes cond, body and post blocks; the post block gives Go
// 1.22 per-iteration variables whose address is taken fresh storage
// (`rebox`). For two loops, the inner one awaiting, and a labeled continue
// out of the inner one (Control):
//
//	outer:
//		for i := 0; i < n; i++ {
//			for j := 0; j < i; j++ {
//				if j == 2 {
//					continue outer
//				}
//				total += runtime.Await(f(j))
//			}
//		}
//
// the step runs, as testdata/golden/control.txtar has it (line directives
// left out here and below; the await's poll is the same in every example):
//
//		m.i = 0
//	forCond11:
//		if m.i >= m.n {
//			goto forDone14
//		}
//		m.j = 0
//	forCond15:
//		if m.j >= m.i {
//			goto forDone18
//		}
//		if m.j == 2 {
//			goto forPost13 // continue outer: the outer loop's post statement
//		}
//		m.await1 = f(m.j) // the future is stored in the slot named after its state
//	resume3:
//		{
//			v, ok := m.await1.Poll(cx)
//			if !ok {
//				m.state = 3
//				return 0, false
//			}
//			m.await1 = nil
//			v2 = v
//		}
//		m.total += v2
//		m.j++
//		goto forCond15
//	forPost13:
//		m.i++
//		goto forCond11
//	forDone18:
//		goto forPost13
//
// A range evaluates its operand once: slices, arrays and
// pointers to arrays by index, strings with utf8.DecodeRuneInString,
// integers by counting, channels by receiving; a map is ranged over a
// snapshot of its keys, skipping entries deleted before they are reached,
// as Go allows. A range over a function iterator becomes a pull loop: over
// it.All() of an iterator asyncgen generated it calls it.Next itself; any
// other function iterator is pulled with machine.Pull (iter.Pull with Go's
// range-over-func checks). Either way the iterator is a machine.Loop,
// pushed on the machine's stack of loops and closed when the loop is left
// by break, continue of an outer loop, return, goto or the loop's end. The
// loop keeps Go's rules although its body runs outside the iterator's
// call: a panic of the body passes through the iterators of the loops it
// is in, innermost first, before the body's defers see it (ClosePanicking:
// the yield the iterator is suspended at panics with the value, so its
// defers run and its recover sees it; an iterator that swallows it gives
// Go's runtime error), a cancellation closes them, and an iterator that
// calls yield after it returned false, after a panic, or after the loop
// is over panics with Go's runtime errors:
//
//	for x := range seq {                 m.next, m.loop = machine.Pull(seq)
//		runtime.Await(f(x))               m.cleanup = len(m.loops)
//	}                                     m.loops = append(m.loops, m.loop)
//	                                    rangeLoop:
//	                                      x, ok = m.next()
//	                                      if !ok { goto rangeDone }
//	                                      ... await f(x) ...
//	                                      goto rangeLoop
//	                                    rangeDone:
//	                                      machine.PopLoop(&m.loops, m.cleanup)
//	                                      m.loop.Close()
//
// and on a panic p of the body, unwind runs
// p = machine.UnwindLoops(&m.loops, p) before the defers. In full, for
// `for v := range seq { if runtime.Await(f(v)) < 0 { break } }` and then
// `return t` (the receiver is m1 there: the body has a parameter m), as
// testdata/golden/ranges.txtar has it:
//
//		m1.next1, m1.loop = machine.Pull((func(func(int) bool))(m1.seq))
//		m1.i1 = len(m1.loops)
//		m1.loops = append(m1.loops, m1.loop)
//	rangeLoop27:
//		pulled, ok3 = m1.next1()
//		if !ok3 {
//			goto rangeDone30
//		}
//		v11 = pulled
//		m1.await1 = f(v11)
//		m1.xs = nil // references dead from here on are cleared
//		// ...
//	resume6:
//		// ... the await's poll, into v8
//		if v8 >= 0 {
//			goto ifDone33
//		}
//	rangeDone30:
//		machine.PopLoop(&m1.loops, m1.i1)
//		m1.loop.Close()
//		m1.result0 = m1.t
//		goto exit
//	ifDone33:
//		goto rangeLoop27
//
// A switch whose cases do not suspend dispatches with a native switch whose
// clauses jump to the bodies; otherwise its cases are evaluated in order,
// lazily, with tag == case. A type switch and a select dispatch the same
// way; a select's received values land in temporaries and are assigned in
// the chosen clause's block. break, continue, goto and return inside a
// statement kept whole are rewritten to gotos to the blocks they leave to.
// For
//
//	select {
//	case v, ok := <-a:
//		if ok {
//			return runtime.Await(f(v))
//		}
//	case b <- 1:
//	}
//	return 0
//
// the step runs, as testdata/golden/switches.txtar has it:
//
//		select {
//		case recv, recv1 = <-m.a:
//			goto selectBody6
//		case m.b <- 1:
//			goto selectBody7
//		}
//	selectBody6:
//		v1, ok1 = recv, recv1
//		if !ok1 {
//			goto ifDone9
//		}
//		m.await1 = f(v1)
//		// ...
//	resume2:
//		// ... the await's poll, into m.result0
//		goto exit
//	ifDone9:
//	selectDone5:
//		m.result0 = 0
//		goto exit
//	selectBody7:
//		goto selectDone5
//
// # Variables
//
// Each variable declared at a level that is split is hoisted; ir computes
// liveness at every suspension point. A variable lives in
//
//   - a field of the machine, when it is live across a suspension or its
//     address is taken (&x, a closure capturing it, a slice of an array, a
//     pointer-method call): pointers and closures point into the machine,
//     which is never copied once polled (it embeds machine.NoCopy, which
//     go vet reports, and the self field detects a move at the next poll);
//
//   - a fresh box per declaration, when its address is taken and its
//     declaration can run more than once (inside a loop): a closure created
//     in an iteration binds the box of that iteration,
//
//     fs = append(fs, func(i *int) func() int {
//     return func() int { return *i }
//     }(m.i))
//
//   - a local of Poll otherwise.
//
// Fields of identical type whose variables are never live at the same time
// share storage. A reference that is dead from a suspension on is cleared
// there, so a suspended machine does not keep garbage alive. After the
// state and self fields the fields are laid out by alignment, largest
// first (fields of size 0 first of all), so that the compiler pads none
// of them: a bool between two words would cost a word.
//
// # Defer, panic, recover, cancel
//
// A defer statement evaluates its function and arguments and pushes them on
// the machine's defer stack: a deferred function literal is pushed itself,
// its parameters bound to the evaluated arguments inside it; another
// function called with arguments (defer handle(&err)) is pushed as a record
// of the function and its arguments, which the machine's runDefers defers
// directly. Either way the deferred function is what Go's defer calls, so a
// recover in it stops a panic exactly as in the body. At return the
// stack runs last first (machine.RunDefers). A machine with defers defers
// its unwind method in Poll: when the body panics it recovers the value and
// re-panics inside machine.Unwind, where every pending deferred call is
// deferred directly, so a recover in them stops the panic exactly as in
// the body; if one recovers, the body has returned with its named results
// as the deferred calls left them. Cancel cancels the awaited future and
// runs the pending defers (recover sees nil: it is not a panic). A panic
// leaves the state StateRunning, so a later poll panics naming the
// constructor. For
//
//	//asyncgen:async Safe
//	func safe(n int) (v int, err error) {
//		defer func() {
//			if r := recover(); r != nil {
//				err = fmt.Errorf("recovered: %v", r)
//			}
//		}()
//		p := &v
//		*p = runtime.Await(f(n))
//		if v < 0 {
//			panic("negative")
//		}
//		defer fmt.Println("done", n)
//		return v, nil
//	}
//
// the machine is, as testdata/golden/defers.txtar has it (in part):
//
//	func (m *SafeFuture) Poll(cx *runtime.Context) (result runtime.Result[int], ready bool) {
//		if m.self != m {
//			m.pin()
//		}
//		defer m.unwind(&result, &ready)
//		// ... the dispatch on m.state
//		m.defers = append(m.defers, func() {
//			if r := recover(); r != nil {
//				m.err = fmt.Errorf("recovered: %v", r)
//			}
//		})
//		m.p = &m.v
//		// ... the await, into *m.p
//		if m.v < 0 {
//			panic("negative")
//		}
//		m.defers = append(m.defers, safeFutureDefer0{fn: fmt.Println, a0: "done", a1: m.n})
//		m.err = nil
//		m.runDefers(false, nil)
//		m.state = machine.StateDone
//		return runtime.Result[int]{Value: m.v, Err: m.err}, true
//	}
//
//	func (m *SafeFuture) Cancel() {
//		if m.state < 0 {
//			return
//		}
//		switch m.state {
//		case 1:
//			machine.Cancel(m.await1)
//		}
//		m.state = machine.StateCanceled
//		m.runDefers(false, nil)
//	}
//
//	func (m *SafeFuture) unwind(result *runtime.Result[int], ready *bool) {
//		if m.state != machine.StateRunning || (len(m.defers) == 0) {
//			return
//		}
//		p := recover()
//		if p == nil {
//			// runtime.Goexit
//			m.runDefers(false, nil)
//			return
//		}
//		m.runDefers(true, p)
//		// a deferred call recovered: the body returns normally
//		m.state = machine.StateDone
//		*result, *ready = runtime.Result[int]{Value: m.v, Err: m.err}, true
//	}
//
//	func (m *SafeFuture) runDefers(panicking bool, p any) {
//		list := m.defers
//		m.defers = nil
//		for _, d := range list {
//			switch d := d.(type) {
//			case func():
//				defer d()
//			case safeFutureDefer0:
//				defer d.fn(d.a0, d.a1)
//			}
//		}
//		if panicking {
//			panic(p)
//		}
//	}
//
// # Generators and streams
//
// yield(v) stores the state and returns v from Next (with true) or from
// PollNext (with Yielded); when the step resumes, yield's value is true
// unless Close is running. Close resumes a body suspended at a yield with
// yield returning false, runs it to its return, and panics if it yields
// again; a body that has not started runs nothing; a stream suspended at
// an await drops the awaited future and runs its pending defers. All
// returns an iter.Seq whose loop closes the iterator when left early. A
// for-await loop stores its stream and suspends at each PollNext; breaking
// out of it leaves the stream where it was. Close is, for Fib (a generator
// without defers), as testdata/golden/gen.txtar has it:
//
//	func (m *FibIter) Close() {
//		if m.state == 0 {
//			m.state = machine.StateDone
//			return
//		}
//		if m.state < 0 {
//			return
//		}
//		m.closing = machine.Closed() // what yield reports: false
//		m.next()                     // the full step runs the body to its end
//	}
//
// For `for v := range runtime.ForAwait(s) { sum += v; if sum > limit {
// break } }` the step runs, as testdata/golden/stream.txtar has it:
//
//		m.stream = m.s
//	rangeLoop1:
//	resume1:
//		{
//			v, st := m.stream.PollNext(cx)
//			if st == runtime.Pending {
//				m.state = 1
//				return 0, false
//			}
//			elem, ok1 = v, st == runtime.Yielded
//		}
//		if !ok1 {
//			goto rangeDone3
//		}
//		v1 = elem
//		m.sum += v1
//		if m.sum > m.limit {
//			goto rangeDone3
//		}
//		goto rangeLoop1
//
// An iterator or a stream whose cycle from a yield back to it calls
// nothing, awaits nothing and cannot panic (variables, constants,
// arithmetic, comparisons, len and cap, division and shifts by constants,
// the element reads of ranges over slices and arrays, which are in bounds
// by construction) gets a fast path in Next (PollNext, whose full step is
// pollNext, called through machine.PollNextVia). For
//
//	//asyncgen:gen Squares
//	func squares(n int, yield func(int) bool) {
//		for i := 0; i < n; i++ {
//			sq := i * i
//			if !yield(sq) {
//				return
//			}
//		}
//	}
//
// Next is, as testdata/golden/fastpath.txtar has it:
//
//	func (m *SquaresIter) Next() (item int, more bool) {
//		if m.fast == m { // suspended at that yield, not moved, not closing
//			i := m.i
//			i++
//			if i < m.n {
//				sq := i * i
//				m.i = i
//				return sq, true
//			}
//		}
//		item, more = machine.NextVia(m, (*SquaresIter).next) // the full step
//		return
//	}
//
// The cycle runs on locals and commits them only at the yield, so leaving
// it anywhere falls back to the full step with nothing changed. Conditions
// computed from the yield's result are known there (true) and not tested;
// locals first assigned on the cycle are declared there, and those the
// cycle never reads are dropped with their assignments. A branch that
// leaves the cycle and comes back to it (a filter's skipped item, a
// continue) makes the rest of the cycle a loop inside Next (Sparse, as
// testdata/golden/fastpath.txtar has it):
//
//	for {
//		i++
//		if i >= len(m.xs1) {
//			break // leave: the full step runs
//		}
//		x := m.xs1[i]
//		if x%3 == 0 {
//			skipped++
//			continue // the skipped item
//		}
//		m.i = i
//		m.skipped = skipped
//		return x*10 + skipped, true
//	}
//
// The full step is called as a function value through machine.NextVia: the
// compiler's inliner charges a call of a function parameter a third of
// what it charges a method call (and assigning named results less than
// returning a call's), so a Next with a short cycle fits the inlining
// budget and the cycle runs in the caller's loop, with no call.
//
// # Children, recursion and depth
//
// Awaiting a generated async constructor of the same package stores the
// child machine inline, by value, constructed in place with its init
// method: a whole tree of machines is one allocation. A future from a
// constructor C(args) of the runtime (or a package below it, such as
// runtime/anet) returning *F, where F is a type of theirs with a method
// Init taking C's receiver and arguments (the runtime's channel operations,
// locks, sleeps and sockets), is stored by value too
// and set up with Init, so waiting on it allocates nothing; any other
// constructor is called as written, whatever methods its future has.
// Inline children nest, so a cycle of them (direct or mutual recursion, across files)
// would be infinitely large: a depth-first walk over the package's
// awaits boxes exactly the awaits that close a cycle (its back edges). A
// parent suspended in an inline child remembers the deepest child
// (machine.Stepper) and steps it first when polled, so a wake costs the
// same at any depth; the full walk happens only when that child finishes.
// For `//asyncgen:async Mid` over `return runtime.Await(Leaf(f)) + 1`,
// where Leaf is generated too, as testdata/golden/children.txtar has it:
//
//	type MidFuture struct {
//		noCopy  machine.NoCopy
//		state   int
//		self    *MidFuture
//		f       runtime.Future[int]
//		result0 int
//		await1  LeafFuture // the child, by value
//		deep    machine.Stepper
//	}
//
// and its step, as testdata/golden/children.txtar has it:
//
//		switch m.state {
//		case 0:
//			m.state = machine.StateRunning
//		case 1:
//			if m.deep != nil && !m.deep.Step(cx) {
//				return 0, false // the deepest child is still pending
//			}
//			goto resume1
//		default:
//			machine.BadPoll("Mid", m.state)
//		}
//		m.await1.init(m.f) // built in place
//		m.state = 1
//		m.f = nil
//	resume1:
//		{
//			var v int
//			if m.await1.finished() {
//				v = m.await1.value()
//			} else {
//				var ok bool
//				v, ok = m.await1.Poll(cx)
//				if !ok {
//					m.deep = m.await1.deepest()
//					return 0, false
//				}
//			}
//			m.deep = nil
//			m.state = machine.StateRunning
//			m.await1 = LeafFuture{}
//			v1 = v
//		}
//		m.result0 = v1 + 1
//
// # Line directives
//
// Every line of a step method (Poll, Next, PollNext and their fast paths)
// carries a /*line x.go:L:1*/ directive naming the body's line it does
// the work of (linemap.go): the builder records, for each statement it
// writes, the source statement it lowers (ir.Func.StmtPos), and the
// machinery around a statement (a resume point's poll, the clearing of
// dead references) counts as that statement's line; the dispatch of a
// state is the line of its suspension, so a parent suspended in a child
// is at its await in a stack trace; returning is the body's closing brace.
// The step method's func keyword maps to the body's declaration, so the go
// tool's coverage counts the step under x.go, at the body's lines; every
// other function maps back to the generated file at its own lines. Within
// a basic block positions never go back (coverage takes a block's extent
// from its first and last statements). The body's own units stay in the
// profile too (uncovered when it only ran as a machine): -func counts
// both, and asyncgen -coverprofile folds each machine unit into the body's
// unit where it starts, for go tool cover -html, which needs a file's
// units disjoint. Directives name files by their base names, which the
// compiler keeps as written (a directive's relative name is not joined
// with a directory, as a source file's is), so the output does not depend
// on where the module is; Options.AbsPaths (asyncgen -abspaths) names
// them by absolute paths, as ordinary source is named, for twins that
// are generated where they are built.
//
// # Files
//
// Loading and driving:
//
//   - load.go: the quick load (named packages checked from source against
//     their dependencies' export data); golist.go: its listing (the named
//     directories read in process with go/build, the dependencies' export
//     data from one go list run); stubs.go: the load when generated
//     files are missing or stale (stubs of what they will declare);
//   - lower.go: Generate, per package and file; directive.go: directives and
//     the shapes of bodies; buildtags.go, hash.go: what a twin carries over.
//
// One machine (a new construct or suspension kind starts in package ir,
// then comes here where its variables are stored and it is dispatched and
// resumed):
//
//   - plan.go: the plan, every decision made before code is written, in
//     three steps (newPlan, planInline in lower.go, finish); storage.go:
//     where each variable lives (field, box, local; shared fields), the
//     machine's fields in order and its names;
//   - emitter.go: the emitter, which renders a plan; decls.go: the struct,
//     constructor, Init, Stepper and All; step.go: the step method, block
//     order and labels, terminators and resumes; unwind.go: defers, the
//     cleanups of pull loops, unwinding, Cancel and Close;
//   - fastpath.go finds an iterator's fast path and fastemit.go decides
//     how it runs on locals (both part of the plan), then writes it;
//   - bridge.go and types.go: typed go/ast to jennifer (every package
//     reference through Qual);
//   - linemap.go: line directives; explain.go: -explain, with sizes from
//     the target's types.Sizes, and what each suspension holds; graph.go:
//     -graph, the states with what the same plan holds at each.
//
// A new construct: ir (builder, liveness, checker), then storage.go if it
// holds values of a new kind, step.go for its terminator or resume, a
// golden in testdata/golden and a conformance body. A new suspension kind:
// ir's Suspend kinds (their switches panic on a kind they do not know),
// step.go's resume, unwind.go's Cancel and Close.
//
// # What is not supported
//
// A marker inside a function literal, a go statement or a defer is an
// error: those frames are not part of the machine.
package lower
