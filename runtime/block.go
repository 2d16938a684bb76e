package runtime

// parker is the waker of a goroutine blocked in BlockOn. A wake that arrives
// while the goroutine is not parked (during a poll) is remembered in the
// channel's buffer, so it is never lost.
type parker struct {
	ch chan struct{}
}

func newParker() *parker { return &parker{ch: make(chan struct{}, 1)} }

// Wake unparks the goroutine, or makes its next park return at once.
func (p *parker) Wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

// park blocks until Wake has been called since the last park.
func (p *parker) park() { <-p.ch }

// BlockOn polls f to completion on the calling goroutine, parking the
// goroutine while f is pending, and returns its value.
func BlockOn[T any](f Future[T]) T {
	p := newParker()
	cx := NewContext(p)
	for {
		if v, ok := f.Poll(cx); ok {
			return v
		}
		p.park()
	}
}
