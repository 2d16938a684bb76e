// Package conformance holds annotated bodies whose machines the tests run
// against the same bodies called directly.
package conformance

//go:generate go tool asyncgen

import (
	"github.com/asyncgen/asyncgen/runtime"
)

// Pending is a future that is pending n times before it yields v. Each time
// it returns pending it wakes its task at once, as a future whose event
// already happened would.
type Pending[T any] struct {
	V T
	N int
}

// Poll implements runtime.Future.
func (p *Pending[T]) Poll(cx *runtime.Context) (T, bool) {
	if p.N > 0 {
		p.N--
		cx.Waker().Wake()
		var zero T
		return zero, false
	}
	return p.V, true
}

// After returns a future of v pending n times.
func After[T any](n int, v T) runtime.Future[T] { return &Pending[T]{V: v, N: n} }

// Log records effects in order.
type Log struct{ Items []string }

func (l *Log) Add(s string) { l.Items = append(l.Items, s) }
