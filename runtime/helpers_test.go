package runtime

import goruntime "runtime"

// A script is a hand-written async body for tests: a list of steps, each
// awaiting a future and handing its value to a callback.
type script struct {
	steps []step
	i     int
	cur   func(cx *Context) bool
	canc  func()
}

type step func() (poll func(cx *Context) bool, cancel func())

// await is the step that awaits the future mk makes, then calls then with
// its value.
func await[T any](mk func() Future[T], then func(T)) step {
	return func() (func(*Context) bool, func()) {
		f := mk()
		return func(cx *Context) bool {
				v, ok := f.Poll(cx)
				if ok && then != nil {
					then(v)
				}
				return ok
			}, func() {
				Cancel(f)
			}
	}
}

// do is the step that runs fn.
func do(fn func()) step {
	return func() (func(*Context) bool, func()) {
		return func(*Context) bool { fn(); return true }, nil
	}
}

func run(steps ...step) *script { return &script{steps: steps} }

func (s *script) Poll(cx *Context) (struct{}, bool) {
	for {
		if s.cur == nil {
			if s.i == len(s.steps) {
				return struct{}{}, true
			}
			s.cur, s.canc = s.steps[s.i]()
			s.i++
		}
		if !s.cur(cx) {
			return struct{}{}, false
		}
		s.cur, s.canc = nil, nil
	}
}

func (s *script) Cancel() {
	if s.canc != nil {
		s.canc()
	}
	s.i = len(s.steps)
	s.cur = nil
}

// repeat returns n copies of the steps made by mk.
func repeat(n int, mk func(i int) []step) []step {
	var out []step
	for i := range n {
		out = append(out, mk(i)...)
	}
	return out
}

// wakeSpuriously wakes every task of hs over and over from a goroutine of
// its own (yielding the processor between rounds if yield is set) until
// the returned stop is called; stop returns once the goroutine has ended.
func wakeSpuriously(hs []*Task[int], yield bool) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-quit:
				return
			default:
			}
			for _, h := range hs {
				h.wake()
			}
			if yield {
				goruntime.Gosched()
			}
		}
	}()
	return func() { close(quit); <-done }
}

// yieldNow is YieldNow as a Future, for await.
func yieldNow() Future[struct{}] { return YieldNow() }
