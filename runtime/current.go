package runtime

// This file holds CurrentExecutor: how a body reaches the executor that
// runs it.

// executorHost is implemented by wakers that belong to an executor's task
// (and by the wakers combinators derive from them).
type executorHost interface {
	executor() Executor
}

func (w *subWaker) executor() Executor {
	w.s.mu.Lock()
	p := w.s.parent
	w.s.mu.Unlock()
	return executorOf(p)
}

// executorOf returns the executor behind w, or nil.
func executorOf(w Waker) Executor {
	if h, ok := w.(executorHost); ok {
		return h.executor()
	}
	return nil
}

// ExecutorOf returns the executor whose task is being polled with cx, or
// nil when cx belongs to no executor (under BlockOn, or in direct mode).
// It is for hand-written futures; a body awaits [CurrentExecutor].
func ExecutorOf(cx *Context) Executor {
	if cx == nil {
		return nil
	}
	return executorOf(cx.waker)
}

// currentExecutor is the future of CurrentExecutor.
type currentExecutor struct{}

func (currentExecutor) Poll(cx *Context) (Executor, bool) { return ExecutorOf(cx), true }

// CurrentExecutor returns a future, ready at once, of the executor that
// polls it (nil outside one). In a body:
//
//	ex := runtime.Await(runtime.CurrentExecutor())
//	h := runtime.Spawn(ex, Worker(i)) // a sibling task on the same executor
func CurrentExecutor() Future[Executor] { return currentExecutor{} }
