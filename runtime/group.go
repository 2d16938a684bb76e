package runtime

// This file holds the combinators for groups of fallible futures and for
// waiting without canceling: TryJoinAll (join, stop at the first error,
// at most limit at once), WaitAny and Completed (the first ready, or each
// as it becomes ready, the others kept), NextItem (a stream's next item as
// a future), and TryTimeout and TryDeadline (Timeout without nesting
// Results).

import "time"

// tryJoinAll is the future of TryJoinAll.
type tryJoinAll[T any] struct {
	fs      []Future[Result[T]]
	out     []T
	limit   int
	next    int // the next child to start
	running int
	left    int
	ws      *wakeSet
	done    bool
}

// TryJoinAll returns a future of all of fs's values, in order, polling them
// concurrently, at most limit at a time (limit <= 0: no limit), starting
// them in index order as earlier ones finish. It stops at the first error:
// every unfinished child, started or not, is canceled, and the future
// fails with that error. A child that panics cancels the others too before
// the panic propagates.
func TryJoinAll[T any](limit int, fs ...Future[Result[T]]) Future[Result[[]T]] {
	if limit <= 0 || limit > len(fs) {
		limit = len(fs)
	}
	return &tryJoinAll[T]{fs: fs, out: make([]T, len(fs)), limit: limit, left: len(fs)}
}

func (j *tryJoinAll[T]) Poll(cx *Context) (Result[[]T], bool) {
	if j.done {
		panic("asyncgen: TryJoinAll polled after completion")
	}
	if j.left == 0 {
		j.done = true
		return Ok(j.out), true
	}
	if j.ws == nil {
		j.ws = newWakeSet(len(j.fs))
	}
	ok := false
	defer func() {
		if !ok && !j.done {
			// A child panicked: drop the rest before the panic goes on.
			j.Cancel()
		}
	}()
	for _, i := range j.ws.take(cx.Waker()) {
		if i >= j.next || j.fs[i] == nil {
			continue // not started yet, or finished
		}
		if err := j.step(i); err != nil {
			return j.fail(err), true
		}
	}
	for j.running < j.limit && j.next < len(j.fs) {
		i := j.next
		j.next++
		j.running++
		if err := j.step(i); err != nil {
			return j.fail(err), true
		}
	}
	ok = true
	if j.left == 0 {
		j.done = true
		return Ok(j.out), true
	}
	return Result[[]T]{}, false
}

// step polls the started child i once.
func (j *tryJoinAll[T]) step(i int) error {
	r, ok := j.fs[i].Poll(&j.ws.cxs[i])
	if !ok {
		return nil
	}
	j.fs[i] = nil
	j.running--
	j.left--
	if r.Err != nil {
		return r.Err
	}
	j.out[i] = r.Value
	return nil
}

func (j *tryJoinAll[T]) fail(err error) Result[[]T] {
	j.Cancel()
	return Err[[]T](err)
}

func (j *tryJoinAll[T]) Cancel() {
	j.done = true
	for i, f := range j.fs {
		if f != nil {
			j.fs[i] = nil
			Cancel(f)
		}
	}
}

// waitAny is the future of WaitAny.
type waitAny[T any] struct {
	fs   []Future[T]
	ws   *wakeSet
	done bool
}

// WaitAny returns a future of the first of fs to be ready, with its index,
// that cancels none of them: the others are left as they are, to be polled
// again later (by another WaitAny, say), and the winner has completed and
// must not be polled again. Canceling the WaitAny cancels none of fs
// either. A nil entry is skipped, so a caller may nil out the futures that
// have finished; at least one entry must be non-nil.
func WaitAny[T any](fs ...Future[T]) Future[Selected[T]] { return &waitAny[T]{fs: fs} }

func (w *waitAny[T]) Poll(cx *Context) (Selected[T], bool) {
	if w.done {
		panic("asyncgen: WaitAny polled after completion")
	}
	if w.ws == nil {
		live := false
		for _, f := range w.fs {
			live = live || f != nil
		}
		if !live {
			panic("asyncgen: WaitAny of no futures")
		}
		w.ws = newWakeSet(len(w.fs))
	}
	for _, i := range w.ws.take(cx.Waker()) {
		f := w.fs[i]
		if f == nil {
			continue
		}
		if v, ok := f.Poll(&w.ws.cxs[i]); ok {
			w.done = true
			w.fs = nil
			return Selected[T]{i, v}, true
		}
	}
	return Selected[T]{}, false
}

// completed is the stream of Completed.
type completed[T any] struct {
	fs     []Future[T]
	left   int
	ws     *wakeSet
	closed bool
}

// Completed returns a stream of fs's values, each with its index, in the
// order the futures become ready (those woken together in the order they
// were woken, the first poll in index order). It is done once every future
// has been yielded; taking only some items (with a break out of a
// for-await loop) leaves the rest running as they are. Closing the stream
// cancels the futures not yet yielded.
func Completed[T any](fs ...Future[T]) AsyncIterator[Selected[T]] {
	return &completed[T]{fs: fs, left: len(fs)}
}

func (c *completed[T]) PollNext(cx *Context) (Selected[T], Status) {
	if c.closed || c.left == 0 {
		return Selected[T]{}, Done
	}
	if c.ws == nil {
		c.ws = newWakeSet(len(c.fs))
	}
	for {
		woken := c.ws.take(cx.Waker())
		if len(woken) == 0 {
			return Selected[T]{}, Pending
		}
		for k, i := range woken {
			f := c.fs[i]
			if f == nil {
				continue
			}
			v, ok := f.Poll(&c.ws.cxs[i])
			if !ok {
				continue
			}
			c.fs[i] = nil
			c.left--
			// The children after this one were woken but not polled:
			// record them again so the next PollNext polls them.
			for _, r := range woken[k+1:] {
				c.ws.subs[r].Wake()
			}
			return Selected[T]{i, v}, Yielded
		}
	}
}

func (c *completed[T]) Close() {
	if c.closed {
		return
	}
	c.closed = true
	for i, f := range c.fs {
		if f != nil {
			c.fs[i] = nil
			Cancel(f)
		}
	}
}

// Item is the value of NextItem: the stream's next item, or OK false when
// the stream is done.
type Item[T any] struct {
	Value T
	OK    bool
}

// A NextFuture is the next item of a stream; see [NextItem].
type NextFuture[T any] struct {
	s    AsyncIterator[T]
	done bool
}

// NextItem returns a future of s's next item. Canceling it (when it loses
// a Select, say) loses no item: the stream is left where it was, and s is
// not closed.
func NextItem[T any](s AsyncIterator[T]) *NextFuture[T] { return &NextFuture[T]{s: s} }

// Poll polls the stream for its next item.
func (n *NextFuture[T]) Poll(cx *Context) (Item[T], bool) {
	if n.done {
		panic("asyncgen: NextItem polled after completion")
	}
	v, st := n.s.PollNext(cx)
	switch st {
	case Yielded:
		n.done = true
		return Item[T]{v, true}, true
	case Done:
		n.done = true
		return Item[T]{}, true
	}
	return Item[T]{}, false
}

// tryTimeout is the future of TryTimeout and TryDeadline.
type tryTimeout[T any] struct {
	t TimeoutFuture[Result[T]]
}

// TryTimeout is Timeout for a future of a Result: the result is f's own,
// or ErrTimeout, not a Result of a Result.
func TryTimeout[T any](f Future[Result[T]], d time.Duration) Future[Result[T]] {
	return &tryTimeout[T]{TimeoutFuture[Result[T]]{f: f, sleep: SleepFuture{d: d}}}
}

// TryDeadline is Deadline for a future of a Result; see TryTimeout.
func TryDeadline[T any](f Future[Result[T]], at time.Time) Future[Result[T]] {
	return &tryTimeout[T]{TimeoutFuture[Result[T]]{f: f, sleep: SleepFuture{abs: at, hasAbs: true}}}
}

func (t *tryTimeout[T]) Poll(cx *Context) (Result[T], bool) {
	r, ok := t.t.Poll(cx)
	if !ok {
		return Result[T]{}, false
	}
	if r.Err != nil {
		return Err[T](r.Err), true
	}
	return r.Value, true
}

func (t *tryTimeout[T]) Cancel() { t.t.Cancel() }
