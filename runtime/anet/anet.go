package anet

// This file holds the API shared by every transport: Network, Conn,
// Listener and the futures of their operations.

import (
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// A Network makes connections: [TCP] over the operating system's sockets,
// or a node of a simulated network ([Sim.Node]). A server written against
// a Network (and [*Conn], [*Listener]) runs unchanged on both.
type Network interface {
	// Listen listens on addr ("host:port"; port 0 picks one).
	Listen(addr string) (*Listener, error)
	// Dial returns a future of a connection to addr.
	Dial(addr string) runtime.Future[runtime.Result[*Conn]]
}

// stream is the transport behind a Conn.
type stream interface {
	// read reads into p, or registers cx's waker and reports false.
	read(cx *runtime.Context, p []byte) (int, error, bool)
	// tryRead reads into p, or reports false if it would have to wait.
	tryRead(p []byte) (int, error, bool)
	// readable reports true if a read may not have to wait; otherwise it
	// registers cx's waker for when it may not.
	readable(cx *runtime.Context) bool
	// write writes as much of p as it can and reports how much; it
	// reports false, having registered cx's waker, when it must wait to
	// write the rest.
	write(cx *runtime.Context, p []byte) (int, error, bool)
	// disarm forgets the waker a pending operation of direction d
	// registered; kick wakes it.
	disarm(d int)
	kick(d int)
	closeWrite() error
	close() error
	// addrs returns the network's name and the two ends' addresses.
	addrs() (network string, local, remote net.Addr)
}

// acceptor is the transport behind a Listener.
type acceptor interface {
	accept(cx *runtime.Context) (*Conn, error, bool)
	disarm()
	close() error
}

// Conn is a connection. Its Read and Write return futures; one read and
// one write may wait at a time (a second one replaces the first's waker).
// Close, CloseWrite and the deadline setters are safe from any goroutine
// and wake a waiting operation.
type Conn struct {
	s      stream
	dl     [2]atomic.Int64 // read and write deadlines, Unix nanoseconds; 0: none
	closed atomic.Bool
	sys    sysConn // the socket s is, when it is one: one allocation for both
}

func newConn(s stream) *Conn { return &Conn{s: s} }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr {
	_, a, _ := c.s.addrs()
	return a
}

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr {
	_, _, a := c.s.addrs()
	return a
}

// Read returns a future that reads into p: the number of bytes read (at
// least one, unless p is empty), io.EOF once the peer has closed its
// writing side, or an error wrapping the cause in a *net.OpError.
func (c *Conn) Read(p []byte) *ReadFuture { return &ReadFuture{c: c, p: p} }

// TryRead reads into p if it can without waiting: it reports false (and
// reads nothing) when no data has arrived. With [Conn.Readable] it lets a
// server hold no buffer while a connection is idle: wait until the
// connection is readable, then read into a buffer taken from a pool.
func (c *Conn) TryRead(p []byte) (n int, ok bool, err error) {
	if c.closed.Load() {
		return 0, true, c.opErr("read", net.ErrClosed)
	}
	n, err, ok = c.s.tryRead(p)
	if err != nil {
		err = c.opErr("read", err)
	}
	return n, ok, err
}

// Readable returns a future that is ready once a read may not have to
// wait: data has arrived, the peer has closed, or the connection failed
// (it may be ready spuriously, so TryRead may still report false). It
// fails like Read with the read deadline, and with net.ErrClosed.
func (c *Conn) Readable() *ReadableFuture { return &ReadableFuture{c: c} }

// Write returns a future that writes all of p: len(p), or fewer bytes and
// an error.
func (c *Conn) Write(p []byte) *WriteFuture { return &WriteFuture{c: c, p: p} }

// Close closes the connection; waiting operations fail with an error
// wrapping net.ErrClosed.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return c.opErr("close", net.ErrClosed)
	}
	if err := c.s.close(); err != nil {
		return c.opErr("close", err)
	}
	return nil
}

// CloseWrite shuts down the writing side: the peer reads io.EOF once it
// has read what was written.
func (c *Conn) CloseWrite() error {
	if c.closed.Load() {
		return c.opErr("close", net.ErrClosed)
	}
	if err := c.s.closeWrite(); err != nil {
		return c.opErr("close", err)
	}
	return nil
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.setDeadline(dirRead, t)
	c.setDeadline(dirWrite, t)
	return nil
}

// SetReadDeadline sets the time, on the clock of the executor that polls
// the read (virtual on a virtual-time Local), after which a read fails
// with an error wrapping os.ErrDeadlineExceeded. The zero time means none.
// It applies to a waiting read too.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.setDeadline(dirRead, t)
	return nil
}

// SetWriteDeadline is SetReadDeadline for writes.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.setDeadline(dirWrite, t)
	return nil
}

func (c *Conn) setDeadline(d int, t time.Time) {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
		if ns == 0 {
			ns = 1
		}
	}
	if c.dl[d].Swap(ns) != ns {
		c.s.kick(d)
	}
}

// opErr wraps err as the net package does.
func (c *Conn) opErr(op string, err error) error {
	if err == io.EOF {
		return err
	}
	n, l, r := c.s.addrs()
	return &net.OpError{Op: op, Net: n, Source: l, Addr: r, Err: err}
}

// deadline is the deadline part of a read or write future: a timer of the
// executor, allocated by the first wait under a deadline (so that a
// future without one, and the machine holding it, stays small).
type deadline struct {
	at    int64 // the deadline the timer is set for; 0: none
	timer *runtime.SleepFuture
}

// expired reports whether the deadline ns (0: none) has passed on cx's
// executor's clock; if not, the timer wakes the task when it does.
func (d *deadline) expired(cx *runtime.Context, ns int64) bool {
	if ns == 0 {
		if d.at != 0 {
			d.timer.Cancel()
			d.at = 0
		}
		return false
	}
	if d.at != ns {
		if d.timer == nil {
			d.timer = new(runtime.SleepFuture)
		}
		d.timer.InitUntil(time.Unix(0, ns))
		d.at = ns
	}
	_, ok := d.timer.Poll(cx)
	return ok
}

func (d *deadline) stop() {
	if d.at != 0 {
		d.timer.Cancel()
		d.at = 0
	}
}

// A ReadFuture reads from a Conn; see [Conn.Read]. A generated machine
// stores it inline (Init), so a read allocates nothing.
type ReadFuture struct {
	c    *Conn
	p    []byte
	dl   deadline
	done bool
}

// Init sets f up to read from c into p and returns f. A waiting f is
// canceled first.
func (f *ReadFuture) Init(c *Conn, p []byte) *ReadFuture {
	f.Cancel()
	*f = ReadFuture{c: c, p: p}
	return f
}

// Poll reads, or waits until the connection is readable.
func (f *ReadFuture) Poll(cx *runtime.Context) (runtime.Result[int], bool) {
	if f.done {
		panic("anet: Read polled after completion")
	}
	c := f.c
	if c.closed.Load() {
		return f.fail(net.ErrClosed)
	}
	if f.dl.expired(cx, c.dl[dirRead].Load()) {
		c.s.disarm(dirRead)
		return f.fail(os.ErrDeadlineExceeded)
	}
	n, err, ok := c.s.read(cx, f.p)
	if !ok {
		return runtime.Result[int]{}, false
	}
	f.done = true
	f.dl.stop()
	if err != nil {
		return runtime.Result[int]{Value: n, Err: c.opErr("read", err)}, true
	}
	return runtime.Result[int]{Value: n}, true
}

func (f *ReadFuture) fail(err error) (runtime.Result[int], bool) {
	f.done = true
	f.dl.stop()
	return runtime.Result[int]{Err: f.c.opErr("read", err)}, true
}

// Cancel abandons a waiting read: its waker and timer are dropped.
func (f *ReadFuture) Cancel() {
	if f.c != nil && !f.done {
		f.done = true
		f.c.s.disarm(dirRead)
		f.dl.stop()
	}
}

// A ReadableFuture waits until a Conn may be read; see [Conn.Readable].
type ReadableFuture struct {
	c    *Conn
	dl   deadline
	done bool
}

// Init sets f up to wait for c and returns f. A waiting f is canceled
// first.
func (f *ReadableFuture) Init(c *Conn) *ReadableFuture {
	f.Cancel()
	*f = ReadableFuture{c: c}
	return f
}

// Poll reports whether the connection may be read.
func (f *ReadableFuture) Poll(cx *runtime.Context) (runtime.Result[struct{}], bool) {
	if f.done {
		panic("anet: Readable polled after completion")
	}
	c := f.c
	var err error
	switch {
	case c.closed.Load():
		err = net.ErrClosed
	case f.dl.expired(cx, c.dl[dirRead].Load()):
		c.s.disarm(dirRead)
		err = os.ErrDeadlineExceeded
	case !c.s.readable(cx):
		return runtime.Result[struct{}]{}, false
	}
	f.done = true
	f.dl.stop()
	if err != nil {
		return runtime.Result[struct{}]{Err: c.opErr("read", err)}, true
	}
	return runtime.Result[struct{}]{}, true
}

// Cancel abandons the wait.
func (f *ReadableFuture) Cancel() {
	if f.c != nil && !f.done {
		f.done = true
		f.c.s.disarm(dirRead)
		f.dl.stop()
	}
}

// A WriteFuture writes to a Conn; see [Conn.Write].
type WriteFuture struct {
	c    *Conn
	p    []byte
	n    int
	dl   deadline
	done bool
}

// Init sets f up to write p to c and returns f. A waiting f is canceled
// first.
func (f *WriteFuture) Init(c *Conn, p []byte) *WriteFuture {
	f.Cancel()
	*f = WriteFuture{c: c, p: p}
	return f
}

// Poll writes, or waits until the connection is writable.
func (f *WriteFuture) Poll(cx *runtime.Context) (runtime.Result[int], bool) {
	if f.done {
		panic("anet: Write polled after completion")
	}
	c := f.c
	if c.closed.Load() {
		return f.fail(net.ErrClosed)
	}
	if f.dl.expired(cx, c.dl[dirWrite].Load()) {
		c.s.disarm(dirWrite)
		return f.fail(os.ErrDeadlineExceeded)
	}
	n, err, ok := c.s.write(cx, f.p[f.n:])
	f.n += n
	if !ok {
		return runtime.Result[int]{}, false
	}
	if err != nil {
		return f.fail(err)
	}
	f.done = true
	f.dl.stop()
	return runtime.Result[int]{Value: f.n}, true
}

func (f *WriteFuture) fail(err error) (runtime.Result[int], bool) {
	f.done = true
	f.dl.stop()
	return runtime.Result[int]{Value: f.n, Err: f.c.opErr("write", err)}, true
}

// Cancel abandons a waiting write (what was written stays written).
func (f *WriteFuture) Cancel() {
	if f.c != nil && !f.done {
		f.done = true
		f.c.s.disarm(dirWrite)
		f.dl.stop()
	}
}

// Listener accepts connections.
type Listener struct {
	a      acceptor
	net    string
	addr   net.Addr
	closed atomic.Bool
}

// Addr returns the address listened on.
func (l *Listener) Addr() net.Addr { return l.addr }

// Accept returns a future of the next connection.
func (l *Listener) Accept() *AcceptFuture { return &AcceptFuture{l: l} }

// Close stops listening; a waiting Accept fails with an error wrapping
// net.ErrClosed.
func (l *Listener) Close() error {
	if l.closed.Swap(true) {
		return l.opErr("close", net.ErrClosed)
	}
	if err := l.a.close(); err != nil {
		return l.opErr("close", err)
	}
	return nil
}

func (l *Listener) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: l.net, Addr: l.addr, Err: err}
}

// An AcceptFuture accepts a connection; see [Listener.Accept].
type AcceptFuture struct {
	l    *Listener
	done bool
}

// Init sets f up to accept from l and returns f.
func (f *AcceptFuture) Init(l *Listener) *AcceptFuture {
	f.Cancel()
	*f = AcceptFuture{l: l}
	return f
}

// Poll accepts, or waits for a connection.
func (f *AcceptFuture) Poll(cx *runtime.Context) (runtime.Result[*Conn], bool) {
	if f.done {
		panic("anet: Accept polled after completion")
	}
	l := f.l
	if l.closed.Load() {
		f.done = true
		return runtime.Result[*Conn]{Err: l.opErr("accept", net.ErrClosed)}, true
	}
	c, err, ok := l.a.accept(cx)
	if !ok {
		return runtime.Result[*Conn]{}, false
	}
	f.done = true
	if err != nil {
		return runtime.Result[*Conn]{Err: l.opErr("accept", err)}, true
	}
	return runtime.Result[*Conn]{Value: c}, true
}

// Cancel abandons a waiting accept.
func (f *AcceptFuture) Cancel() {
	if f.l != nil && !f.done {
		f.done = true
		f.l.a.disarm()
	}
}
