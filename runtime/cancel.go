package runtime

// Canceler is implemented by futures that can be dropped before completion.
// Cancel releases what the future holds: a generated future runs its pending
// defers and cancels the future it was awaiting.
type Canceler interface {
	Cancel()
}

// Cancel drops f before completion: it cancels f if f is a Canceler (what
// it holds is released, a generated future runs its pending defers); a
// future that holds nothing needs nothing done. Only a future can be
// passed: a stream is stopped with its Close.
func Cancel[T any](f Future[T]) {
	if c, ok := f.(Canceler); ok {
		c.Cancel()
	}
}
