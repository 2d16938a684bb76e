//go:build !linux

package anet

// This file holds the fallback for systems other than Linux: TCP through
// the net package, with a goroutine blocked in each waiting operation
// (one per pending read, write, accept or dial) that wakes the task when
// its call returns. It keeps the API and its semantics, not the cost: it
// takes goroutines and copies the data through buffers of its own. A
// canceled read's data is kept for the next read; a canceled write is
// still carried out.

import (
	"errors"
	"net"
	"sync"

	"github.com/asyncgen/asyncgen/runtime"
)

// Directions of a stream.
const (
	dirRead = iota
	dirWrite
)

// goStream is a net.Conn as a stream.
type goStream struct {
	c  net.Conn
	mu sync.Mutex
	// read side: a pump goroutine reads into rbuf
	rbuf     []byte
	roff, rn int
	rerr     error
	rbusy    bool
	rw       runtime.Waker
	// write side: a pump goroutine writes wbuf
	wbuf       []byte
	wbusy      bool
	wdone      bool
	wabandoned bool
	wn         int
	werr       error
	ww         runtime.Waker
}

// unwrap strips the net package's *net.OpError: Conn wraps errors itself.
func unwrap(err error) error {
	if oe, ok := err.(*net.OpError); ok {
		return oe.Err
	}
	return err
}

func (s *goStream) read(cx *runtime.Context, p []byte) (int, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roff < s.rn {
		n := copy(p, s.rbuf[s.roff:s.rn])
		s.roff += n
		return n, nil, true
	}
	if s.rerr != nil {
		return 0, s.rerr, true
	}
	if len(p) == 0 {
		return 0, nil, true
	}
	s.rw = cx.Waker()
	if !s.rbusy {
		s.rbusy = true
		if len(s.rbuf) < len(p) {
			s.rbuf = make([]byte, max(len(p), 4096))
		}
		go s.pumpRead(s.rbuf)
	}
	return 0, nil, false
}

func (s *goStream) tryRead(p []byte) (int, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roff < s.rn {
		n := copy(p, s.rbuf[s.roff:s.rn])
		s.roff += n
		return n, nil, true
	}
	if s.rerr != nil {
		return 0, s.rerr, true
	}
	return 0, nil, len(p) == 0
}

func (s *goStream) readable(cx *runtime.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roff < s.rn || s.rerr != nil {
		return true
	}
	s.rw = cx.Waker()
	if !s.rbusy {
		s.rbusy = true
		if len(s.rbuf) == 0 {
			s.rbuf = make([]byte, 4096)
		}
		go s.pumpRead(s.rbuf)
	}
	return false
}

func (s *goStream) pumpRead(buf []byte) {
	n, err := s.c.Read(buf)
	s.mu.Lock()
	s.roff, s.rn, s.rbusy = 0, n, false
	if err != nil {
		s.rerr = unwrap(err)
	}
	w := s.rw
	s.rw = nil
	s.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (s *goStream) write(cx *runtime.Context, p []byte) (int, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wdone {
		s.wdone = false
		return s.wn, s.werr, true
	}
	s.ww = cx.Waker()
	if !s.wbusy {
		s.wbusy, s.wabandoned = true, false
		s.wbuf = append(s.wbuf[:0], p...)
		go s.pumpWrite(s.wbuf)
	}
	return 0, nil, false
}

func (s *goStream) pumpWrite(buf []byte) {
	n, err := s.c.Write(buf)
	s.mu.Lock()
	s.wbusy = false
	if !s.wabandoned {
		s.wdone, s.wn, s.werr = true, n, unwrap(err)
	}
	w := s.ww
	s.ww = nil
	s.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (s *goStream) disarm(d int) {
	s.mu.Lock()
	if d == dirRead {
		s.rw = nil
	} else {
		s.ww = nil
		s.wabandoned = true
		s.wdone = false
	}
	s.mu.Unlock()
}

func (s *goStream) kick(d int) {
	s.mu.Lock()
	var w runtime.Waker
	if d == dirRead {
		w, s.rw = s.rw, nil
	} else {
		w, s.ww = s.ww, nil
	}
	s.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (s *goStream) closeWrite() error {
	if tc, ok := s.c.(*net.TCPConn); ok {
		return unwrap(tc.CloseWrite())
	}
	return nil
}

func (s *goStream) close() error { return unwrap(s.c.Close()) }

func (s *goStream) addrs() (string, net.Addr, net.Addr) {
	return "tcp", s.c.LocalAddr(), s.c.RemoteAddr()
}

// sysConn is nothing here: the stream is a goStream of its own.
type sysConn struct{}

// goAcceptor is a net.Listener as an acceptor.
type goAcceptor struct {
	l    net.Listener
	mu   sync.Mutex
	busy bool
	c    net.Conn
	err  error
	w    runtime.Waker
}

func (a *goAcceptor) accept(cx *runtime.Context) (*Conn, error, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c != nil || a.err != nil {
		c, err := a.c, a.err
		a.c, a.err = nil, nil
		if err != nil {
			return nil, err, true
		}
		return newConn(&goStream{c: c}), nil, true
	}
	a.w = cx.Waker()
	if !a.busy {
		a.busy = true
		go a.pump()
	}
	return nil, nil, false
}

func (a *goAcceptor) pump() {
	c, err := a.l.Accept()
	a.mu.Lock()
	a.busy = false
	a.c, a.err = c, unwrap(err)
	w := a.w
	a.w = nil
	a.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (a *goAcceptor) disarm() {
	a.mu.Lock()
	a.w = nil
	a.mu.Unlock()
}

func (a *goAcceptor) close() error { return unwrap(a.l.Close()) }

// tcpNetwork is TCP.
type tcpNetwork struct{}

// TCP is the network of the operating system's TCP sockets.
var TCP Network = tcpNetwork{}

func (tcpNetwork) Listen(addr string) (*Listener, error)                  { return Listen(addr) }
func (tcpNetwork) Dial(addr string) runtime.Future[runtime.Result[*Conn]] { return Dial(addr) }

// Listen listens for TCP connections on addr.
func Listen(addr string) (*Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Listener{a: &goAcceptor{l: l}, net: "tcp", addr: l.Addr()}, nil
}

// ListenReusePort returns errors.ErrUnsupported: sharing an address among
// listeners (SO_REUSEPORT) is for the poller of Linux.
func ListenReusePort(addr string) (*Listener, error) {
	return nil, &net.OpError{Op: "listen", Net: "tcp", Err: errors.ErrUnsupported}
}

// A DialFuture connects to a TCP address; see [Dial].
type DialFuture struct {
	addr string
	f    *runtime.BlockingFuture[dialResult]
	done bool
}

type dialResult struct {
	c   net.Conn
	err error
}

// Dial returns a future of a TCP connection to addr, made by net.Dial on
// a goroutine of its own.
func Dial(addr string) *DialFuture { return &DialFuture{addr: addr} }

// Init sets f up to dial addr and returns f.
func (f *DialFuture) Init(addr string) *DialFuture {
	f.Cancel()
	*f = DialFuture{addr: addr}
	return f
}

// Poll connects, or waits for the connection.
func (f *DialFuture) Poll(cx *runtime.Context) (runtime.Result[*Conn], bool) {
	if f.done {
		panic("anet: Dial polled after completion")
	}
	if f.f == nil {
		addr := f.addr
		f.f = runtime.Blocking(func() dialResult {
			c, err := net.Dial("tcp", addr)
			return dialResult{c, err}
		})
	}
	r, ok := f.f.Poll(cx)
	if !ok {
		return runtime.Result[*Conn]{}, false
	}
	f.done = true
	if r.err != nil {
		return runtime.Result[*Conn]{Err: r.err}, true
	}
	return runtime.Result[*Conn]{Value: newConn(&goStream{c: r.c})}, true
}

// Cancel abandons the dial; a connection it makes is closed.
func (f *DialFuture) Cancel() {
	if !f.done && f.f != nil {
		f.done = true
		f.f.Cancel()
		bf := f.f
		go func() {
			if r := runtime.BlockOn(bf); r.c != nil {
				r.c.Close()
			}
		}()
	}
}
