package machine

import "github.com/asyncgen/asyncgen/runtime"

// NoCopy is embedded in every generated machine. Its Lock and Unlock
// methods do nothing; they exist so that go vet's copylocks check reports
// a machine copied by value. A machine is pinned: it must not be copied once
// polled.
type NoCopy struct{}

// Lock does nothing; see NoCopy.
func (*NoCopy) Lock() {}

// Unlock does nothing; see NoCopy.
func (*NoCopy) Unlock() {}

// Cancel cancels f, the future or stream a dropped machine was suspended
// on, if it is a [runtime.Canceler]; other futures hold nothing to release.
func Cancel(f any) {
	if c, ok := f.(runtime.Canceler); ok {
		c.Cancel()
	}
}

// Machine states shared by generated machines. A state above zero is a
// suspension point; zero is "not started".
const (
	// StateDone: the body returned; polling again panics.
	StateDone = -1
	// StateRunning: the body is running. A machine found in this state at
	// the start of a poll panicked during an earlier one.
	StateRunning = -2
	// StateCanceled: Cancel dropped the machine.
	StateCanceled = -3
)

// BadPoll panics with the message for a generated future named name that
// is polled in state (StateDone, StateRunning or StateCanceled).
func BadPoll(name string, state int) {
	switch state {
	case StateDone:
		panic("asyncgen: " + name + " polled after completion")
	case StateRunning:
		panic("asyncgen: " + name + " polled after a panic")
	case StateCanceled:
		panic("asyncgen: " + name + " polled after Cancel")
	}
	panic("asyncgen: " + name + " polled in a corrupt state")
}

// PanicMoved panics: the machine made by the constructor name was copied
// after its first poll.
func PanicMoved(name string) {
	panic("asyncgen: " + name + " machine moved after its first poll (machines are pinned: never copy one)")
}

// RunDefers runs the deferred calls in *ds last first, as a returning
// function does, and empties *ds first. Entries may be nil (removed). A
// deferred call that panics does not stop the others, and one of them may
// recover it, as in Go.
func RunDefers(ds *[]func()) {
	list := *ds
	*ds = nil
	for _, d := range list {
		if d != nil {
			defer d()
		}
	}
}

// Unwind runs the deferred calls in *ds while panicking with p: each call
// is deferred directly, so a recover in it stops the panic as it would in
// the body. Unwind returns normally only if one of them recovered.
func Unwind(ds *[]func(), p any) {
	list := *ds
	*ds = nil
	for _, d := range list {
		if d != nil {
			defer d()
		}
	}
	panic(p)
}

// NextVia returns next(m). A generated Next whose fast path misses calls
// its full step through it: the compiler's inliner charges a call of a
// function parameter far less than a call of a method, so Next stays small
// enough to be inlined into the caller's loop, and the fast path runs there
// with no call at all.
func NextVia[M any, T any](m M, next func(M) (T, bool)) (T, bool) { return next(m) }

// PollNextVia returns pollNext(m, cx): NextVia for a generated stream's
// PollNext.
func PollNextVia[M any, T any](m M, cx *runtime.Context, pollNext func(M, *runtime.Context) (T, runtime.Status)) (T, runtime.Status) {
	return pollNext(m, cx)
}

// A Stepper is a generated machine that can be stepped directly. A parent
// machine suspended inside inline children remembers the deepest one and,
// when polled, steps it first: the walk through every level happens only
// when that child finishes, so a wake costs the same at any depth. Step
// reports whether the machine has finished (true again once it has).
type Stepper interface {
	Step(cx *runtime.Context) bool
}
