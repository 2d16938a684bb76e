//go:build linux

package anet

// This file holds the epoll poller and the poll descriptor of a socket:
// edge-triggered readiness, consumed without a lock on the fast path.

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// Directions of a poll descriptor.
const (
	dirRead = iota
	dirWrite
)

// poller is one epoll instance and an eventfd that interrupts its Wait.
// An executor has one (attached with runtime.AttachPoller); futures polled
// outside any executor share a process-wide one that a goroutine of its
// own waits in.
type poller struct {
	epfd     int
	evfd     int
	notified atomic.Bool // an interrupt is written and not yet read
	// dispatching is set while Wait wakes what became ready: a Wait in
	// progress that will return without blocking again, so Interrupt has
	// nothing to do (the wakes Wait makes call it, through the executor,
	// and would otherwise write the eventfd for the next Wait to read).
	dispatching atomic.Bool
	mu          sync.RWMutex
	fds         []*pollDesc // by file descriptor
	events      [256]syscall.EpollEvent
	pds         [256]*pollDesc // the descriptors of events (Wait's only)
}

// newPoller returns a poller, or nil and the error.
func newPoller() (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r, _, e := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if e != 0 {
		syscall.Close(epfd)
		return nil, e
	}
	p := &poller{epfd: epfd, evfd: int(r)}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(p.evfd)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.evfd, &ev); err != nil {
		syscall.Close(p.evfd)
		syscall.Close(epfd)
		return nil, err
	}
	return p, nil
}

// Wait waits for readiness and wakes the wakers of the descriptors that
// became ready; see runtime.Poller.
func (p *poller) Wait(timeout time.Duration) {
	ms := -1
	if timeout == 0 {
		ms = 0
	} else if timeout > 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond) // never early
		if ms <= 0 || timeout > 24*time.Hour {
			ms = int(24 * time.Hour / time.Millisecond)
		}
	}
	var n int
	var err error
	if ms == 0 {
		n, err = rawEpollWait(p.epfd, p.events[:])
	} else {
		n, err = syscall.EpollWait(p.epfd, p.events[:], ms)
	}
	if err != nil {
		return // EINTR: the caller looks again
	}
	p.dispatching.Store(true)
	defer p.dispatching.Store(false)
	// Look the descriptors up under the lock, and wake outside it: a
	// descriptor being armed holds its own lock and then takes p.mu.
	p.mu.RLock()
	for i := range n {
		ev := &p.events[i]
		fd := int(ev.Fd)
		p.pds[i] = nil
		if fd < len(p.fds) && fd != p.evfd {
			p.pds[i] = p.fds[fd]
		}
	}
	p.mu.RUnlock()
	for i := range n {
		if pd := p.pds[i]; pd != nil {
			p.pds[i] = nil
			pd.ready(p.events[i].Events)
		} else if int(p.events[i].Fd) == p.evfd {
			// Read, then clear the flag: an Interrupt after the clear
			// writes again, and one between the two finds the flag set
			// and writes nothing, but this Wait returns (and the caller
			// looks at its state anyway). Clearing first would let an
			// Interrupt's write be read here with the flag left set, the
			// descriptor (level-triggered) not ready, and every later
			// Interrupt dropped.
			var buf [8]byte
			rawRead(p.evfd, buf[:])
			p.notified.Store(false)
		}
	}
}

// Interrupt makes Wait return; see runtime.Poller. It writes the eventfd
// at most once per Wait, and not while a Wait wakes what became ready:
// that Wait returns next, and its caller looks at its queues after it (an
// executor that queued a task before calling Interrupt finds it there).
func (p *poller) Interrupt() {
	if p.dispatching.Load() || p.notified.Swap(true) {
		return
	}
	one := [8]byte{1}
	rawWrite(p.evfd, one[:])
}

// add registers pd, edge-triggered for both directions.
func (p *poller) add(pd *pollDesc) error {
	p.mu.Lock()
	for len(p.fds) <= pd.fd {
		p.fds = append(p.fds, nil)
	}
	p.fds[pd.fd] = pd
	p.mu.Unlock()
	ev := syscall.EpollEvent{
		Events: syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | epollET,
		Fd:     int32(pd.fd),
	}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, pd.fd, &ev); err != nil {
		p.forget(pd)
		return err
	}
	return nil
}

// del deregisters pd.
func (p *poller) del(pd *pollDesc) {
	syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, pd.fd, nil)
	p.forget(pd)
}

func (p *poller) forget(pd *pollDesc) {
	p.mu.Lock()
	if pd.fd < len(p.fds) && p.fds[pd.fd] == pd {
		p.fds[pd.fd] = nil
	}
	p.mu.Unlock()
}

var (
	bgOnce   sync.Once
	bgPoller *poller
	bgErr    error
)

// background returns the process-wide poller, starting the goroutine that
// waits in it.
func background() (*poller, error) {
	bgOnce.Do(func() {
		bgPoller, bgErr = newPoller()
		if bgErr == nil {
			go func() {
				for {
					bgPoller.Wait(-1)
				}
			}()
		}
	})
	return bgPoller, bgErr
}

// pollerFor returns the poller to wait in for a future polled with cx:
// its executor's, or the process-wide one.
func pollerFor(cx *runtime.Context) (*poller, error) {
	var err error
	rp := runtime.AttachPoller(cx, func() runtime.Poller {
		p, e := newPoller()
		if e != nil {
			err = e
			return nil
		}
		return p
	})
	if p, ok := rp.(*poller); ok {
		return p, nil
	}
	if rp != nil {
		// Another package attached a poller of its own: ours waits on
		// its own goroutine.
		return background()
	}
	if err != nil {
		return nil, err
	}
	return background()
}

// pollDesc is a non-blocking socket and its readiness. seq[d] counts
// readiness events of direction d: an operation reads it before its system
// call, and on EAGAIN registers its waker only if no event came since
// (under mu, which the event also takes), so no edge is lost.
type pollDesc struct {
	fd    int
	refs  atomic.Int64 // 2 × operations in flight, | 1 once closed
	seq   [2]atomic.Uint64
	idle  atomic.Uint64 // 1 + seq[dirRead] when tryRead last emptied the socket; 0: it may not have
	mu    sync.Mutex
	p     *poller // registered with, or nil
	waker [2]runtime.Waker
	gone  bool // the descriptor is closed
}

// ready records the events ev and wakes the waiters they concern.
func (pd *pollDesc) ready(ev uint32) {
	const errs = syscall.EPOLLERR | syscall.EPOLLHUP
	var ws [2]runtime.Waker
	r := ev&(syscall.EPOLLIN|syscall.EPOLLRDHUP|errs) != 0
	w := ev&(syscall.EPOLLOUT|errs) != 0
	if r {
		pd.seq[dirRead].Add(1)
	}
	if w {
		pd.seq[dirWrite].Add(1)
	}
	pd.mu.Lock()
	if r {
		ws[0], pd.waker[dirRead] = pd.waker[dirRead], nil
	}
	if w {
		ws[1], pd.waker[dirWrite] = pd.waker[dirWrite], nil
	}
	pd.mu.Unlock()
	for _, x := range ws {
		if x != nil {
			x.Wake()
		}
	}
}

// incref counts an operation in; false once the descriptor is closed.
func (pd *pollDesc) incref() bool {
	for {
		s := pd.refs.Load()
		if s&1 != 0 {
			return false
		}
		if pd.refs.CompareAndSwap(s, s+2) {
			return true
		}
	}
}

// decref counts an operation out, destroying a closed descriptor with no
// operation left.
func (pd *pollDesc) decref() {
	if pd.refs.Add(-2) == 1 {
		pd.destroy()
	}
}

// markClosed closes the descriptor for new operations and wakes the
// waiting ones; the file descriptor is closed once none is in flight. It
// reports false if it was closed already.
func (pd *pollDesc) markClosed() bool {
	for {
		s := pd.refs.Load()
		if s&1 != 0 {
			return false
		}
		if pd.refs.CompareAndSwap(s, s|1) {
			pd.mu.Lock()
			ws := pd.waker
			pd.waker = [2]runtime.Waker{}
			pd.mu.Unlock()
			for _, w := range ws {
				if w != nil {
					w.Wake()
				}
			}
			if s == 0 {
				pd.destroy()
			}
			return true
		}
	}
}

// destroy deregisters and closes the file descriptor; it runs once.
func (pd *pollDesc) destroy() {
	pd.mu.Lock()
	p := pd.p
	pd.p = nil
	pd.gone = true
	pd.mu.Unlock()
	if p != nil {
		p.del(pd)
	}
	syscall.Close(pd.fd)
}

// arm registers cx's waker for direction d after an operation that began
// when the direction's event count was seq found the socket not ready. It
// reports false when the operation must be retried: an event came in
// between, or the descriptor was closed. The socket is registered with the
// poller of cx's executor, moving it if it was registered with another.
func (pd *pollDesc) arm(cx *runtime.Context, d int, seq uint64) (bool, error) {
	p, err := pollerFor(cx)
	if err != nil {
		return false, err
	}
	pd.mu.Lock()
	defer pd.mu.Unlock()
	if pd.gone || pd.refs.Load()&1 != 0 {
		return false, nil
	}
	if pd.p != p {
		if pd.p != nil {
			pd.p.del(pd)
			pd.p = nil
		}
		if err := p.add(pd); err != nil {
			return false, err
		}
		pd.p = p
		// Registering reports the current readiness as an event (edge
		// triggering included), which the seq check below waits for.
	}
	if pd.seq[d].Load() != seq {
		return false, nil
	}
	pd.waker[d] = cx.Waker()
	return true, nil
}

// disarm forgets the waker of direction d (a pending operation was
// canceled, or gave up on a deadline).
func (pd *pollDesc) disarm(d int) {
	pd.mu.Lock()
	pd.waker[d] = nil
	pd.mu.Unlock()
}

// kick wakes the waiter of direction d, which looks at its deadline again.
func (pd *pollDesc) kick(d int) {
	pd.mu.Lock()
	w := pd.waker[d]
	pd.waker[d] = nil
	pd.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// epollET is EPOLLET as the unsigned events field holds it.
const epollET = 1 << 31
