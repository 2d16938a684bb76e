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
	s := w.s
	s.mu.Lock()
	if !s.queued[w.i] {
		s.queued[w.i] = true
		s.ready = append(s.ready, w.i)
	}
	p := s.parent
	s.mu.Unlock()
	if p != nil {
		p.Wake()
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
