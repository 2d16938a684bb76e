package machine

import (
	"iter"
)

// This file holds what a machine needs to range over a function iterator
// when the loop body suspends: the loop cannot run inside the iterator's
// call, so the machine pulls the items, and keeps Go's range-over-func
// rules by hand. A panic of the loop body travels through the iterator's
// frames (its defers run and its recover sees the value), and an iterator
// that calls yield when it must not panics with Go's runtime errors.

// A Loop is a range over a function iterator that a machine pulls: a
// generated iterator (ranged over through its All) or any other function
// iterator pulled with [Pull], [Pull2] or [Pull0]. Generated code keeps the
// loops the body is inside on a stack.
type Loop interface {
	// Close stops the iterator when the loop is left (break, return, goto,
	// the body closed or canceled): the yield it is suspended at returns
	// false and it runs to its return.
	Close()
	// ClosePanicking stops the iterator while the loop body panics with p:
	// the yield it is suspended at panics with p, so its deferred calls run
	// and may recover, as in Go. It returns the panic that comes out of the
	// iterator: p, another the iterator raised, or Go's runtime error for
	// an iterator that recovered p and returned.
	ClosePanicking(p any) any
}

// rangeError is a runtime error of Go's range-over-func checks.
type rangeError string

func (e rangeError) Error() string { return "runtime error: " + string(e) }

// RuntimeError marks the error as a run-time error, as Go's are.
func (rangeError) RuntimeError() {}

// The errors Go's range-over-func checks panic with, with Go's messages.
var (
	errRangeDone         error = rangeError("range function continued iteration after function for loop body returned false")
	errRangePanic        error = rangeError("range function continued iteration after loop body panic")
	errRangeExhausted    error = rangeError("range function continued iteration after whole loop exit")
	errRangeMissingPanic error = rangeError("range function recovered a loop body panic and did not resume panicking")
)

// pullState is where a pulled loop is.
type pullState uint8

const (
	pullIdle      pullState = iota // the iterator runs, the machine waits for an item
	pullBody                       // the loop body runs; the iterator is suspended in yield
	pullDone                       // the loop was left: yield returned false
	pullPanicking                  // the loop body panicked: yield panics
	pullExited                     // the loop is over and the iterator has returned
)

// pulled is the Loop of a function iterator run through iter.Pull.
type pulled struct {
	state pullState
	p     any // the loop body's panic, while pullPanicking
	stop  func()
}

// enter checks a call of yield by the iterator, as Go does: once the loop
// body returned false, panicked or the loop is over, calling yield panics
// in the iterator.
// After such a call the loop counts as panicking, as in Go: an iterator
// that recovers and returns gets Go's error for a swallowed panic.
func (l *pulled) enter() {
	old := l.state
	if old == pullIdle {
		return
	}
	l.state = pullPanicking
	switch old {
	case pullDone:
		panic(errRangeDone)
	case pullExited:
		panic(errRangeExhausted)
	}
	panic(errRangePanic)
}

// leave returns what yield returns to the iterator; while the loop body
// panics, yield panics with its value instead.
func (l *pulled) leave(more bool) bool {
	if !more && l.state == pullPanicking {
		panic(l.p)
	}
	return more
}

// got records the outcome of a call of iter.Pull's next.
func (l *pulled) got(ok bool) {
	if ok {
		l.state = pullBody
	} else {
		l.state = pullExited
	}
}

// Close implements [Loop].
func (l *pulled) Close() {
	if l.state == pullExited {
		return
	}
	l.state = pullDone
	defer l.exited()
	l.stop()
	if l.state == pullPanicking {
		// The iterator called yield again and recovered the panic.
		panic(errRangeMissingPanic)
	}
}

// exited marks the iterator as returned (or panicked out).
func (l *pulled) exited() { l.state, l.p = pullExited, nil }

// ClosePanicking implements [Loop].
func (l *pulled) ClosePanicking(p any) (out any) {
	if l.state != pullBody {
		// The panic did not come from the loop body (the iterator itself
		// panicked, or the loop is over): it does not pass through the
		// iterator.
		l.exited()
		return p
	}
	l.state, l.p = pullPanicking, p
	defer func() {
		l.exited()
		if r := recover(); r != nil {
			out = r
		}
	}()
	l.stop()
	return errRangeMissingPanic
}

// Pull starts pulling seq for a loop whose body suspends, as iter.Pull
// does, with Go's range-over-func rules kept (see [Loop]). next returns
// the items; the machine pushes l on its stack of loops.
func Pull[V any](seq func(yield func(V) bool)) (next func() (V, bool), l Loop) {
	p := &pulled{}
	n, stop := iter.Pull(func(yield func(V) bool) {
		seq(func(v V) bool {
			p.enter()
			return p.leave(yield(v))
		})
	})
	p.stop = stop
	return func() (V, bool) {
		p.state = pullIdle
		v, ok := n()
		p.got(ok)
		return v, ok
	}, p
}

// Pull2 is [Pull] for an iterator of pairs.
func Pull2[K, V any](seq func(yield func(K, V) bool)) (next func() (K, V, bool), l Loop) {
	p := &pulled{}
	n, stop := iter.Pull2(func(yield func(K, V) bool) {
		seq(func(k K, v V) bool {
			p.enter()
			return p.leave(yield(k, v))
		})
	})
	p.stop = stop
	return func() (K, V, bool) {
		p.state = pullIdle
		k, v, ok := n()
		p.got(ok)
		return k, v, ok
	}, p
}

// Pull0 is [Pull] for an iterator that yields no values.
func Pull0(seq func(yield func() bool)) (next func() bool, l Loop) {
	p := &pulled{}
	n, stop := iter.Pull(func(yield func(struct{}) bool) {
		seq(func() bool {
			p.enter()
			return p.leave(yield(struct{}{}))
		})
	})
	p.stop = stop
	return func() bool {
		p.state = pullIdle
		_, ok := n()
		p.got(ok)
		return ok
	}, p
}

// PopLoop removes entry i of the stack of loops (a loop left normally),
// trimming removed entries from the top.
func PopLoop(ls *[]Loop, i int) {
	list := *ls
	if i >= len(list) {
		return
	}
	list[i] = nil
	for len(list) > 0 && list[len(list)-1] == nil {
		list = list[:len(list)-1]
	}
	*ls = list
}

// CloseLoops closes the loops a canceled or closed body is inside,
// innermost first, and empties the stack. An iterator that panics does not
// keep the others from being closed.
func CloseLoops(ls *[]Loop) {
	list := *ls
	*ls = nil
	for _, l := range list {
		if l != nil {
			defer l.Close()
		}
	}
}

// UnwindLoops passes the panic p of a body through the iterators of the
// loops it is inside, innermost first, as the iterators' frames unwind in
// Go before the body's, and empties the stack. It returns the panic that
// comes out of the outermost.
func UnwindLoops(ls *[]Loop, p any) any {
	list := *ls
	*ls = nil
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] != nil {
			p = list[i].ClosePanicking(p)
		}
	}
	return p
}

// EndRange is deferred by a generated iterator's All when it pulls the
// items (the iterator had started): it closes l when the range loop is
// left, and when the loop body panicked (*inBody), it passes the panic
// through l's body first, as a range over the body run directly does.
func EndRange(l Loop, inBody *bool) {
	if *inBody {
		if p := recover(); p != nil {
			panic(l.ClosePanicking(p))
		}
	}
	l.Close()
}

// A Stop is why a generated iterator's or stream's body is resumed at a
// yield without an item pulled: nil while it runs, [Closed] after Close,
// [StopPanicking] when the loop ranging over it panics.
type Stop struct {
	panicking bool
	p         any
}

var closed = &Stop{}

// Closed is the Stop of Close: yield returns false.
func Closed() *Stop { return closed }

// StopPanicking is the Stop of ClosePanicking: yield panics with p.
func StopPanicking(p any) *Stop { return &Stop{panicking: true, p: p} }

// Resume returns what the yield a body is suspended at returns when it is
// resumed: true unless s stops the body; a body stopped by a panic panics
// with it there.
func Resume(s *Stop) bool {
	if s == nil {
		return true
	}
	if s.panicking {
		panic(s.p)
	}
	return false
}

// Rethrown runs step, the step of a body stopped by StopPanicking, and
// returns the panic that comes out of it; a body that recovered and
// returned gives Go's runtime error.
func Rethrown(step func()) (out any) {
	defer func() {
		if r := recover(); r != nil {
			out = r
		}
	}()
	step()
	return errRangeMissingPanic
}
