package runtime

// NoCopy is embedded in every generated machine. Its Lock and Unlock
// methods do nothing; they exist so that go vet's copylocks check reports
// a machine copied by value. A machine is pinned: it must not be copied once
// polled.
type NoCopy struct{}

// Lock does nothing; see NoCopy.
func (*NoCopy) Lock() {}

// Unlock does nothing; see NoCopy.
func (*NoCopy) Unlock() {}

// Canceler is implemented by futures that can be dropped before completion.
// Cancel releases what the future holds: a generated future runs its pending
// defers and cancels the future it was awaiting.
type Canceler interface {
	Cancel()
}

// Cancel cancels f if it is a Canceler, and does nothing otherwise.
func Cancel(f any) {
	if c, ok := f.(Canceler); ok {
		c.Cancel()
	}
}
