//go:build linux

package anet

// This file holds TCP over non-blocking sockets registered with epoll:
// no goroutine per connection, no blocking system call.

import (
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"

	"github.com/asyncgen/asyncgen/runtime"
)

// sock is a non-blocking socket: a connection's stream or a listener's
// acceptor, with its addresses (kept small: a net.Addr is made when asked
// for).
type sock struct {
	pd pollDesc
	ra netip.AddrPort // the peer's; the local address is asked of the socket
}

// sysConn is the socket a Conn holds inline.
type sysConn = sock

func newSock(fd int) *sock {
	s := &sock{}
	s.pd.fd = fd
	return s
}

// newSockConn returns a Conn whose stream is the socket fd, held inline.
func newSockConn(fd int) *Conn {
	c := &Conn{}
	c.sys.pd.fd = fd
	c.s = &c.sys
	return c
}

func (s *sock) addrs() (string, net.Addr, net.Addr) {
	var local net.Addr
	if s.pd.incref() {
		if sa, err := syscall.Getsockname(s.pd.fd); err == nil {
			local = tcpAddr(addrPort(sa))
		}
		s.pd.decref()
	}
	return "tcp", local, tcpAddr(s.ra)
}

func tcpAddr(a netip.AddrPort) net.Addr {
	if !a.IsValid() {
		return nil
	}
	return net.TCPAddrFromAddrPort(a)
}

func addrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	return netip.AddrPort{}
}

func (s *sock) read(cx *runtime.Context, p []byte) (int, error, bool) {
	pd := &s.pd
	if !pd.incref() {
		return 0, net.ErrClosed, true
	}
	for {
		seq := pd.seq[dirRead].Load()
		n, err := rawRead(pd.fd, p)
		switch {
		case err == nil:
			pd.decref()
			if n == 0 && len(p) > 0 {
				return 0, io.EOF, true
			}
			return n, nil, true
		case err == syscall.EINTR:
			continue
		case err != syscall.EAGAIN:
			pd.decref()
			return 0, os.NewSyscallError("read", err), true
		}
		ok, err := pd.arm(cx, dirRead, seq)
		if ok || err != nil || pd.refs.Load()&1 != 0 {
			pd.decref()
			if ok {
				return 0, nil, false
			}
			if err == nil {
				err = net.ErrClosed
			}
			return 0, err, true
		}
	}
}

func (s *sock) tryRead(p []byte) (int, error, bool) {
	pd := &s.pd
	if !pd.incref() {
		return 0, net.ErrClosed, true
	}
	defer pd.decref()
	for {
		seq := pd.seq[dirRead].Load()
		n, err := rawRead(pd.fd, p)
		switch {
		case err == nil:
			if n == 0 && len(p) > 0 {
				return 0, io.EOF, true
			}
			if n < len(p) {
				// A short read emptied the receive queue: data that
				// arrives later is a new edge, so Readable may wait for
				// it without reading EAGAIN first (one system call less
				// per request).
				pd.idle.Store(seq + 1)
			} else if pd.idle.Load() != 0 {
				pd.idle.Store(0) // more may be queued: read before waiting
			}
			return n, nil, true
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			pd.idle.Store(seq + 1)
			return 0, nil, false
		}
		return 0, os.NewSyscallError("read", err), true
	}
}

// readable waits for the read event that follows the last time tryRead
// emptied the receive queue (EAGAIN, or a short read), without a system
// call; if the last read may have left data, it reports true.
func (s *sock) readable(cx *runtime.Context) bool {
	pd := &s.pd
	idle := pd.idle.Load()
	if idle == 0 {
		return true
	}
	if ok, _ := pd.arm(cx, dirRead, idle-1); ok {
		return false
	}
	pd.idle.Store(0)
	return true
}

func (s *sock) write(cx *runtime.Context, p []byte) (int, error, bool) {
	pd := &s.pd
	if !pd.incref() {
		return 0, net.ErrClosed, true
	}
	off := 0
	for off < len(p) {
		seq := pd.seq[dirWrite].Load()
		n, err := rawWrite(pd.fd, p[off:])
		if n > 0 {
			off += n
		}
		switch {
		case err == nil || err == syscall.EINTR:
			continue
		case err != syscall.EAGAIN:
			pd.decref()
			return off, os.NewSyscallError("write", err), true
		}
		ok, err := pd.arm(cx, dirWrite, seq)
		if ok || err != nil || pd.refs.Load()&1 != 0 {
			pd.decref()
			if ok {
				return off, nil, false
			}
			if err == nil {
				err = net.ErrClosed
			}
			return off, err, true
		}
	}
	pd.decref()
	return off, nil, true
}

func (s *sock) disarm(d int) { s.pd.disarm(d) }
func (s *sock) kick(d int)   { s.pd.kick(d) }

func (s *sock) closeWrite() error {
	if !s.pd.incref() {
		return net.ErrClosed
	}
	defer s.pd.decref()
	if err := syscall.Shutdown(s.pd.fd, syscall.SHUT_WR); err != nil {
		return os.NewSyscallError("shutdown", err)
	}
	return nil
}

func (s *sock) close() error {
	if !s.pd.markClosed() {
		return net.ErrClosed
	}
	return nil
}

// accept takes a pending connection off a listening socket.
func (s *sock) accept(cx *runtime.Context) (*Conn, error, bool) {
	pd := &s.pd
	if !pd.incref() {
		return nil, net.ErrClosed, true
	}
	defer pd.decref()
	for {
		seq := pd.seq[dirRead].Load()
		fd, sa, err := syscall.Accept4(pd.fd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		switch {
		case err == nil:
			syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
			c := newSockConn(fd)
			c.sys.ra = addrPort(sa)
			return c, nil, true
		case err == syscall.EINTR || err == syscall.ECONNABORTED:
			continue
		case err != syscall.EAGAIN:
			return nil, os.NewSyscallError("accept4", err), true
		}
		ok, err := pd.arm(cx, dirRead, seq)
		if ok {
			return nil, nil, false
		}
		if err != nil {
			return nil, err, true
		}
		if pd.refs.Load()&1 != 0 {
			return nil, net.ErrClosed, true
		}
	}
}

// sockAcceptor is a listening socket as an acceptor.
type sockAcceptor struct{ *sock }

func (a sockAcceptor) disarm() { a.pd.disarm(dirRead) }

// tcpNetwork is TCP.
type tcpNetwork struct{}

// TCP is the network of the operating system's TCP sockets.
var TCP Network = tcpNetwork{}

func (tcpNetwork) Listen(addr string) (*Listener, error)                  { return Listen(addr) }
func (tcpNetwork) Dial(addr string) runtime.Future[runtime.Result[*Conn]] { return Dial(addr) }

// Listen listens for TCP connections on addr ("host:port"; host is an IP
// address or a name resolved at once, empty for all of IPv4).
func Listen(addr string) (*Listener, error) { return listen(addr, false) }

// ListenReusePort is Listen with SO_REUSEPORT: several listeners on the
// same address (each on an executor of its own, as one event loop per
// core) share the incoming connections, which the kernel spreads among
// them. Where the fallback of other systems serves, it returns
// errors.ErrUnsupported.
func ListenReusePort(addr string) (*Listener, error) { return listen(addr, true) }

func listen(addr string, reusePort bool) (*Listener, error) {
	opErr := func(err error, a net.Addr) error {
		return &net.OpError{Op: "listen", Net: "tcp", Addr: a, Err: err}
	}
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, opErr(err, nil)
	}
	family, sa := tcpToSockaddr(ta)
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, opErr(os.NewSyscallError("socket", err), ta)
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if reusePort {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, soReusePort, 1); err != nil {
			syscall.Close(fd)
			return nil, opErr(os.NewSyscallError("setsockopt", err), ta)
		}
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, opErr(os.NewSyscallError("bind", err), ta)
	}
	if err := syscall.Listen(fd, 4096); err != nil {
		syscall.Close(fd)
		return nil, opErr(os.NewSyscallError("listen", err), ta)
	}
	lsa, _ := syscall.Getsockname(fd)
	return &Listener{a: sockAcceptor{newSock(fd)}, net: "tcp", addr: sockaddrToTCP(lsa)}, nil
}

// A DialFuture connects to a TCP address; see [Dial].
type DialFuture struct {
	addr  string
	raddr *net.TCPAddr
	c     *Conn
	done  bool
}

// Dial returns a future of a TCP connection to addr ("host:port"; a host
// name is resolved at the first poll, blocking it: pass an IP address from
// a task). Canceling it (or a runtime.Timeout around it) closes the
// socket.
func Dial(addr string) *DialFuture { return &DialFuture{addr: addr} }

// Init sets f up to dial addr and returns f. A waiting f is canceled
// first.
func (f *DialFuture) Init(addr string) *DialFuture {
	f.Cancel()
	*f = DialFuture{addr: addr}
	return f
}

// Poll connects, or waits for the connection to be made.
func (f *DialFuture) Poll(cx *runtime.Context) (runtime.Result[*Conn], bool) {
	if f.done {
		panic("anet: Dial polled after completion")
	}
	if f.c == nil {
		ta, err := net.ResolveTCPAddr("tcp", f.addr)
		if err != nil {
			return f.fail(err)
		}
		f.raddr = ta
		family, sa := tcpToSockaddr(ta)
		fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return f.fail(os.NewSyscallError("socket", err))
		}
		f.c = newSockConn(fd)
		for {
			err = syscall.Connect(fd, sa)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil && err != syscall.EINPROGRESS {
			return f.fail(os.NewSyscallError("connect", err))
		}
	}
	pd := &f.c.sys.pd
	for {
		seq := pd.seq[dirWrite].Load()
		e, err := syscall.GetsockoptInt(pd.fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
		if err != nil {
			return f.fail(os.NewSyscallError("getsockopt", err))
		}
		switch errno := syscall.Errno(e); errno {
		case 0, syscall.EISCONN:
			if rsa, err := syscall.Getpeername(pd.fd); err == nil {
				syscall.SetsockoptInt(pd.fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
				f.done = true
				c := f.c
				c.sys.ra = addrPort(rsa)
				f.c = nil
				return runtime.Result[*Conn]{Value: c}, true
			}
		case syscall.EINPROGRESS, syscall.EALREADY, syscall.EINTR:
		default:
			return f.fail(os.NewSyscallError("connect", errno))
		}
		ok, err := pd.arm(cx, dirWrite, seq)
		if ok {
			return runtime.Result[*Conn]{}, false
		}
		if err != nil {
			return f.fail(err)
		}
	}
}

func (f *DialFuture) fail(err error) (runtime.Result[*Conn], bool) {
	f.done = true
	if f.c != nil {
		f.c.sys.close()
		f.c = nil
	}
	var a net.Addr
	if f.raddr != nil {
		a = f.raddr
	}
	return runtime.Result[*Conn]{Err: &net.OpError{Op: "dial", Net: "tcp", Addr: a, Err: err}}, true
}

// Cancel abandons the connection being made.
func (f *DialFuture) Cancel() {
	if !f.done {
		f.done = true
		if f.c != nil {
			f.c.sys.close()
			f.c = nil
		}
	}
}

// tcpToSockaddr returns the socket family and address of a.
func tcpToSockaddr(a *net.TCPAddr) (int, syscall.Sockaddr) {
	if a.IP == nil || a.IP.To4() != nil {
		sa := &syscall.SockaddrInet4{Port: a.Port}
		if a.IP != nil {
			copy(sa.Addr[:], a.IP.To4())
		}
		return syscall.AF_INET, sa
	}
	sa := &syscall.SockaddrInet6{Port: a.Port}
	copy(sa.Addr[:], a.IP.To16())
	if a.Zone != "" {
		if ifi, err := net.InterfaceByName(a.Zone); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return syscall.AF_INET6, sa
}

// sockaddrToTCP converts a socket address to a *net.TCPAddr (nil if it is
// not one).
func sockaddrToTCP(sa syscall.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IPv4(sa.Addr[0], sa.Addr[1], sa.Addr[2], sa.Addr[3]), Port: sa.Port}
	case *syscall.SockaddrInet6:
		ip := make(net.IP, net.IPv6len)
		copy(ip, sa.Addr[:])
		return &net.TCPAddr{IP: ip, Port: sa.Port}
	}
	return nil
}
