package conformance

import (
	"fmt"
	"iter"

	"github.com/asyncgen/asyncgen/runtime"
)

// Range over function iterators whose loop bodies suspend, keeping Go's
// range-over-func rules: a panic of the loop body travels through the
// iterator, and iterators that call yield when they must not panic. The
// iterators below follow the ones Go's own rangefunc tests use; each body
// is run as a machine and directly, and the two compared.

// ofSliceIndex is range s.
func ofSliceIndex(log *Log, s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer log.Add("ofSliceIndex returns")
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// badOfSliceIndex ignores yield's false and goes on.
func badOfSliceIndex(log *Log, s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer log.Add("bad returns")
		for i, v := range s {
			yield(i, v)
		}
	}
}

// veryBadOfSliceIndex ignores yield's false and recovers whatever yield
// panics with, to keep going.
func veryBadOfSliceIndex(log *Log, s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i, v := range s {
			func() {
				defer func() {
					if r := recover(); r != nil {
						log.Add(fmt.Sprint("very bad recovered: ", r))
					}
				}()
				yield(i, v)
			}()
		}
	}
}

// swallowPanicOfSliceIndex turns a panic of the loop body into a normal
// return.
func swallowPanicOfSliceIndex(log *Log, s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i, v := range s {
			done := false
			func() {
				defer func() {
					if r := recover(); r != nil {
						log.Add(fmt.Sprint("swallowed: ", r))
						done = true
					}
				}()
				done = !yield(i, v)
			}()
			if done {
				return
			}
		}
	}
}

// panickyOfSliceIndex panics when the loop is left early.
func panickyOfSliceIndex(s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i, v := range s {
			if !yield(i, v) {
				panic(fmt.Errorf("panicky iterator panicking"))
			}
		}
	}
}

// watching logs what its deferred call sees: the iterator's frames unwind
// while the loop body panics, and recover sees the value. With repanic it
// panics again with what it recovered (wrapped), otherwise it lets the
// panic go on untouched.
func watching(log *Log, name string, n int, rewrap bool) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() {
			if !rewrap {
				log.Add(name + " unwinds")
				return
			}
			r := recover()
			log.Add(fmt.Sprint(name, " recovered: ", r))
			if r != nil {
				panic(fmt.Sprint(name, "(", r, ")"))
			}
		}()
		for i := 0; i < n; i++ {
			if !yield(i) {
				log.Add(name + " stopped")
				return
			}
		}
	}
}

// tricky keeps the yield of its loops to call it after they are left.
type tricky struct {
	yield func(int, int) bool
}

func (ti *tricky) iterAll(s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		ti.yield = yield
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

func (ti *tricky) iterZero() iter.Seq2[int, int] {
	return func(yield func(int, int) bool) { ti.yield = yield }
}

func (ti *tricky) fail() {
	if ti.yield != nil {
		ti.yield(1, 1)
	}
}

// logRecover logs the panic a deferred call of the body recovers.
func logRecover(log *Log, what string) {
	log.Add(fmt.Sprint(what, " recovered: ", recover()))
}

//asyncgen:async BodyPanics
func bodyPanics(log *Log, n int, rewrap bool) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	defer log.Add("body defer")
	for x := range watching(log, "outer", 3, rewrap) {
		defer log.Add(fmt.Sprint("loop defer ", x))
		for y := range watching(log, "inner", 3, rewrap) {
			v := runtime.Await(ready(10*x + y))
			if v == n {
				panic(fmt.Sprint("boom ", v))
			}
			sum += v
		}
	}
	return sum
}

//asyncgen:async SwallowedPanic
func swallowedPanic(log *Log, n int) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	for _, x := range swallowPanicOfSliceIndex(log, []int{1, 2, 3, 4}) {
		if runtime.Await(ready(x)) == n {
			panic(fmt.Sprint("boom ", x))
		}
		sum += x
	}
	log.Add("after loop")
	return sum
}

//asyncgen:async BadBreak
func badBreak(log *Log, stop int) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	for _, x := range badOfSliceIndex(log, []int{1, 2, 3, 4, 5}) {
		sum += runtime.Await(ready(x))
		if x == stop {
			break
		}
	}
	log.Add("after loop")
	return sum
}

// veryBad is Go's own veryBad test with a suspension in each loop body:
// the iterator recovers the check's panic and goes on, and the loop then
// reports the swallowed panic.
//
//asyncgen:async VeryBad
func veryBad(log *Log, s []int) (result []int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
X:
	for _, x := range ofSliceIndex(log, []int{1, 2, 3}) {
		result = append(result, runtime.Await(ready(x)))
		for _, y := range veryBadOfSliceIndex(log, s) {
			result = append(result, runtime.Await(ready(y)))
			break X
		}
		for _, z := range ofSliceIndex(log, []int{100, 200, 300}) {
			result = append(result, runtime.Await(ready(z)))
			if z == 100 {
				break
			}
		}
	}
	return result
}

//asyncgen:async PanickyBreak
func panickyBreak(log *Log) (result []int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	for _, z := range panickyOfSliceIndex([]int{1, 2, 3, 4}) {
		result = append(result, runtime.Await(ready(z)))
		if z == 2 {
			break
		}
	}
	return result
}

// iterEcho calls the yield of an earlier loop, kept in ti, while it
// iterates.
func (ti *tricky) iterEcho(s []int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
			ti.fail()
		}
	}
}

// failSafely calls the kept yield and logs what it panics with.
func failSafely(log *Log, ti *tricky) {
	defer logRecover(log, "fail")
	ti.fail()
}

//asyncgen:async TrickyAfterExit
func trickyAfterExit(log *Log, zero bool) (sum int) {
	defer logRecover(log, "echo")
	ti := &tricky{}
	seq := ti.iterAll([]int{1, 2, 3, 4, 5})
	if zero {
		seq = ti.iterZero()
	}
	for _, x := range seq {
		sum += runtime.Await(ready(x))
		if sum >= 6 {
			break
		}
	}
	failSafely(log, ti)
	// A later loop whose iterator calls the first one's yield.
	for _, x := range ti.iterEcho([]int{7, 8}) {
		sum += runtime.Await(ready(x))
		log.Add(fmt.Sprint("echo ", x))
	}
	return sum
}

// exits leaves nested loops over function iterators in every way, with
// suspensions in the bodies and defers inside them.
//
//asyncgen:async Exits
func exits(log *Log, how int) (res string) {
	defer log.Add("exits returns")
outer:
	for x := range watching(log, "outer", 4, false) {
		defer log.Add(fmt.Sprint("deferred in loop ", x))
		for y := range watching(log, "inner", 4, false) {
			v := runtime.Await(ready(10*x + y))
			switch {
			case how == 0 && v == 12:
				break outer
			case how == 1 && v == 12:
				continue outer
			case how == 2 && v == 21:
				return fmt.Sprint("returned ", runtime.Await(ready(v)))
			case how == 3 && v == 13:
				goto out
			case how == 4 && y == 1:
				break
			case how == 5 && v == 22:
				panic(fmt.Sprint("exit by panic ", v))
			}
			log.Add(fmt.Sprint("at ", v))
		}
	}
	return "end"
out:
	return "out by goto"
}

// exitsThroughKept leaves a loop over a function iterator whose body does
// not suspend (kept whole: a native loop inside the machine) by return,
// break and continue of the suspending loop around it, and goto: the inner
// iterator returns before the outer one is closed, as in Go.
//
//asyncgen:async ExitsThroughKept
func exitsThroughKept(log *Log, how int) string {
	defer log.Add("exits returns")
outer:
	for x := range watching(log, "outer", 3, false) {
		runtime.Await(ready(x))
		for y := range watching(log, "inner", 3, false) {
			switch {
			case how == 0 && y == 1:
				return fmt.Sprint("returned ", x, y)
			case how == 1 && y == 1:
				break outer
			case how == 2 && y == 1:
				continue outer
			case how == 3 && x == 1 && y == 1:
				goto out
			}
			log.Add(fmt.Sprint("at ", x, y))
		}
	}
	return "end"
out:
	return "out by goto"
}

//asyncgen:async PanicOutOfIterator
func panicOutOfIterator(log *Log) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	for x := range watching(log, "outer", 3, false) {
		for _, y := range panickyOfSliceIndex([]int{1, 2}) {
			sum += runtime.Await(ready(x + y))
			break
		}
	}
	return sum
}

// Generators: the same rules when the machine is an iterator itself, over
// a foreign iterator and delegating through a generated one's All.

//asyncgen:gen Relay
func relay(log *Log, n, bad int, yield func(int) bool) {
	defer func() { log.Add(fmt.Sprint("relay recovered: ", recover())) }()
	for x := range watching(log, "source", n, true) {
		if x == bad {
			panic(fmt.Sprint("relay boom ", x))
		}
		if !yield(x) {
			return
		}
	}
}

//asyncgen:gen Numbers
func numbers(log *Log, n int, yield func(int) bool) {
	defer func() {
		r := recover()
		log.Add(fmt.Sprint("numbers recovered: ", r))
		if r != nil {
			panic(fmt.Sprint("numbers(", r, ")"))
		}
	}()
	for i := 0; i < n; i++ {
		if !yield(i) {
			log.Add("numbers stopped")
			return
		}
	}
}

//asyncgen:gen Delegate
func delegate(log *Log, n, bad int, yield func(int) bool) {
	defer func() { log.Add(fmt.Sprint("delegate recovered: ", recover())) }()
	for x := range Numbers(log, n).All() {
		if x == bad {
			panic(fmt.Sprint("delegate boom ", x))
		}
		if !yield(x * 10) {
			return
		}
	}
}

// Swallower recovers what passes through it and returns: a loop over it
// whose body panics gets Go's error for a swallowed panic.
//
//asyncgen:gen Swallower
func swallower(log *Log, yield func(int) bool) {
	defer func() { log.Add(fmt.Sprint("swallower recovered: ", recover())) }()
	for i := 0; i < 3; i++ {
		if !yield(i) {
			return
		}
	}
}

//asyncgen:async OverGenerated
func overGenerated(log *Log, bad int, swallow bool) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	var seq iter.Seq[int] = Numbers(log, 4).All()
	if swallow {
		seq = Swallower(log).All()
	}
	for x := range seq {
		if runtime.Await(ready(x)) == bad {
			panic(fmt.Sprint("over boom ", x))
		}
		sum += x
	}
	return sum
}

//asyncgen:async OverGeneratedDirect
func overGeneratedDirect(log *Log, bad int) (sum int) {
	defer func() { log.Add(fmt.Sprint("body recovered: ", recover())) }()
	for x := range Numbers(log, 4).All() {
		if runtime.Await(ready(x)) == bad {
			panic(fmt.Sprint("over boom ", x))
		}
		sum += x
	}
	return sum
}

//asyncgen:stream RelayStream
func relayStream(log *Log, bad int, yield func(int) bool) {
	defer func() { log.Add(fmt.Sprint("stream recovered: ", recover())) }()
	for x := range watching(log, "source", 4, true) {
		v := runtime.Await(ready(x))
		if v == bad {
			panic(fmt.Sprint("stream boom ", v))
		}
		if !yield(v) {
			return
		}
	}
}
