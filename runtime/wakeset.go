package runtime

// This file holds wakeSet, the per-child wakers of combinators that drive
// many futures or streams: a child's wake records which child can progress
// and wakes the parent, so the combinator polls only woken children.

import "sync"

// wakeSet gives each of n children its own Context and Waker.
type wakeSet struct {
	mu     sync.Mutex
	parent Waker
	ready  []int
	spare  []int
	queued []bool
	subs   []subWaker
	cxs    []Context
}

// subWaker is the waker of one child. It forwards the parent's executor to
// timers, so a Sleep inside a combinator uses the executor's timer heap.
type subWaker struct {
	s *wakeSet
	i int
}

func newWakeSet(n int) *wakeSet {
	s := &wakeSet{
		ready:  make([]int, 0, n),
		spare:  make([]int, 0, n),
		queued: make([]bool, n),
		subs:   make([]subWaker, n),
		cxs:    make([]Context, n),
	}
	for i := range n {
		s.subs[i] = subWaker{s, i}
		s.cxs[i].waker = &s.subs[i]
		s.ready = append(s.ready, i)
		s.queued[i] = true
	}
	return s
}

// Wake records the child as ready and wakes the parent.
func (w *subWaker) Wake() {
	if p := w.record(); p != nil {
		p.Wake()
	}
}

// record records the child as ready and returns the parent's waker (nil
// before the combinator's first poll), which the caller wakes.
func (w *subWaker) record() Waker {
	s := w.s
	s.mu.Lock()
	if !s.queued[w.i] {
		s.queued[w.i] = true
		s.ready = append(s.ready, w.i)
	}
	p := s.parent
	s.mu.Unlock()
	return p
}

// pollingTask returns the task being polled with cx, through the contexts
// combinators give their children, or nil when cx is no task's. Only the
// goroutine polling with cx calls it: a combinator sets its parent waker
// (take) on that goroutine, during this poll, before it polls a child, so
// reading it needs no lock.
func pollingTask(cx *Context) *task {
	w := cx.waker
	for {
		switch k := w.(type) {
		case *taskWaker:
			return (*task)(k)
		case *subWaker:
			w = k.s.parent
		default:
			return nil
		}
	}
}

func (w *subWaker) timerQueue() *timerQueue {
	w.s.mu.Lock()
	p := w.s.parent
	w.s.mu.Unlock()
	return timersOf(p)
}

// take records the parent's current waker and returns the children woken
// since the last take, in the order they were woken. The slice is valid
// until the next take.
func (s *wakeSet) take(parent Waker) []int {
	s.mu.Lock()
	s.parent = parent
	r := s.ready
	s.ready = s.spare[:0]
	for _, i := range r {
		s.queued[i] = false
	}
	s.spare = r
	s.mu.Unlock()
	return r
}
