package runtime

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
