package anet

// This file holds Sim, the simulated network: the same Network, Conn and
// Listener in memory, on an executor's clock.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// Link is how a simulated link carries data, in both directions.
type Link struct {
	// Latency is the one-way delay of a segment.
	Latency time.Duration
	// Jitter adds up to this much, uniformly, to each segment's delay
	// (segments still arrive in order, as TCP delivers them).
	Jitter time.Duration
	// Bandwidth is in bytes per second in each direction; 0 is unlimited.
	Bandwidth int64
	// Loss is the probability that a transmission is lost; a lost
	// segment is retransmitted after a timeout that doubles each time,
	// holding back the segments behind it.
	Loss float64
}

// Simulation constants: segment size, receive window, retransmissions.
const (
	simMSS      = 16 << 10
	simWindow   = 256 << 10
	simRTO      = 200 * time.Millisecond
	simMaxRTO   = 3200 * time.Millisecond
	simMaxTries = 8 // a segment lost this many times resets the connection
)

// Sim is a simulated network of named nodes, each a [Network] (see
// [Sim.Node]) with addresses "node:port". Connections behave as TCP's:
// bytes arrive in order, once, after the link's latency and at its
// bandwidth; a lost segment is retransmitted (so loss shows as delay);
// a partition holds segments back until it heals or the retransmissions
// give up, which resets the connection; a node that crashes loses its
// connections (both ends see a reset) and listeners until it restarts.
// Dialing a node that does not listen on the port is refused; dialing
// across a partition times out.
//
// Time is the clock of the executor polling the operations: on a Local
// executor with virtual time (runtime.WithVirtualTime) a simulation of
// minutes runs in milliseconds. Every random choice (loss, jitter) comes
// from a generator seeded by the seed given to NewSim, and every event is
// hashed into a trace: with a seeded Local executor, the same seed gives
// the same run, bit for bit (compare TraceHash). A Sim is meant for one
// Local executor; its methods are safe from any goroutine.
type Sim struct {
	mu     sync.Mutex
	seed   uint64
	rng    *rand.Rand
	def    Link
	links  map[[2]string]Link
	cut    map[[2]string]bool
	nodes  map[string]*SimNode
	now    int64 // the latest time an operation saw, Unix nanoseconds
	trace  hash.Hash
	events int
	record bool
	log    []string
	ids    uint64 // connection ends made
}

// NewSim returns a simulated network whose links are all link (see
// SetLink), with random choices seeded by seed.
func NewSim(seed uint64, link Link) *Sim {
	return &Sim{
		seed:  seed,
		rng:   rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)),
		def:   link,
		links: make(map[[2]string]Link),
		cut:   make(map[[2]string]bool),
		nodes: make(map[string]*SimNode),
		trace: sha256.New(),
	}
}

// Seed returns the seed the simulation was created with.
func (s *Sim) Seed() uint64 { return s.seed }

// Record makes the simulation keep its trace as text (see Trace).
func (s *Sim) Record() {
	s.mu.Lock()
	s.record = true
	s.mu.Unlock()
}

// Trace returns the events recorded since Record.
func (s *Sim) Trace() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// TraceHash returns a hash of every event so far (with its time) and
// their number.
func (s *Sim) TraceHash() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return hex.EncodeToString(s.trace.Sum(nil)), s.events
}

// event adds an event to the trace; s.mu is held.
func (s *Sim) event(format string, args ...any) {
	line := strconv.FormatInt(s.now, 10) + " " + fmt.Sprintf(format, args...)
	s.trace.Write([]byte(line))
	s.trace.Write([]byte{'\n'})
	s.events++
	if s.record {
		s.log = append(s.log, line)
	}
}

func pairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// SetLink sets the link between nodes a and b.
func (s *Sim) SetLink(a, b string, l Link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.links[pairKey(a, b)] = l
	s.event("link %s %s %+v", a, b, l)
}

func (s *Sim) link(a, b string) Link {
	if l, ok := s.links[pairKey(a, b)]; ok {
		return l
	}
	return s.def
}

// Partition cuts the link between nodes a and b until Heal.
func (s *Sim) Partition(a, b string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut[pairKey(a, b)] = true
	s.event("partition %s %s", a, b)
}

// Heal restores the link between a and b.
func (s *Sim) Heal(a, b string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cut, pairKey(a, b))
	s.event("heal %s %s", a, b)
}

// HealAll restores every link.
func (s *Sim) HealAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.cut)
	s.event("heal all")
}

// Node returns the node named name, creating it (up) if needed.
func (s *Sim) Node(name string) *SimNode {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[name]
	if n == nil {
		n = &SimNode{sim: s, name: name, up: true, listeners: make(map[int]*simListener), conns: make(map[*simEnd]bool), nextPort: 40000}
		s.nodes[name] = n
	}
	return n
}

// clock records the time of the executor polling with cx and returns it.
func (s *Sim) clock(cx *runtime.Context) int64 {
	t, _ := runtime.Now().Poll(cx)
	if ns := t.UnixNano(); ns > s.now {
		s.now = ns
	}
	return s.now
}

// passes reports whether a transmission from a to b now gets through:
// both up, not partitioned, not lost. s.mu is held.
func (s *Sim) passes(a, b string) bool {
	na, nb := s.nodes[a], s.nodes[b]
	if na == nil || nb == nil || !na.up || !nb.up || s.cut[pairKey(a, b)] {
		return false
	}
	l := s.link(a, b)
	return l.Loss <= 0 || s.rng.Float64() >= l.Loss
}

// delay returns the latency of one segment on the link a–b.
func (s *Sim) delay(a, b string) int64 {
	l := s.link(a, b)
	d := int64(l.Latency)
	if l.Jitter > 0 {
		d += s.rng.Int64N(int64(l.Jitter))
	}
	return d
}

func rto(tries int) int64 {
	d := simRTO << (tries - 1)
	if d > simMaxRTO || d <= 0 {
		d = simMaxRTO
	}
	return int64(d)
}

// SimNode is a node of a Sim: a Network whose addresses are "name:port".
type SimNode struct {
	sim       *Sim
	name      string
	up        bool
	listeners map[int]*simListener
	conns     map[*simEnd]bool
	nextPort  int
}

// Name returns the node's name.
func (n *SimNode) Name() string { return n.name }

// Up reports whether the node is running.
func (n *SimNode) Up() bool {
	n.sim.mu.Lock()
	defer n.sim.mu.Unlock()
	return n.up
}

// Crash stops the node: its listeners close (a waiting Accept fails with
// net.ErrClosed), its connections are reset at both ends, and it can
// neither dial nor be reached until Restart.
func (n *SimNode) Crash() {
	s := n.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if !n.up {
		return
	}
	n.up = false
	s.event("crash %s", n.name)
	for _, port := range sortedPorts(n.listeners) {
		n.listeners[port].shut()
	}
	for _, e := range sortedEnds(n.conns) {
		e.resetConn(syscall.ECONNRESET)
	}
}

// Restart brings a crashed node back, with no listener and no connection.
func (n *SimNode) Restart() {
	s := n.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if !n.up {
		n.up = true
		s.event("restart %s", n.name)
	}
}

// sortedPorts and sortedEnds give map contents in a fixed order, so that
// what a crash does is the same every run.
func sortedPorts(m map[int]*simListener) []int {
	var ps []int
	for p := range m {
		ps = append(ps, p)
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j] < ps[j-1]; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	return ps
}

func sortedEnds(m map[*simEnd]bool) []*simEnd {
	var es []*simEnd
	for e := range m {
		es = append(es, e)
	}
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].id < es[j-1].id; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

// SimAddr is the address of a simulated endpoint.
type SimAddr struct {
	Node string
	Port int
}

// Network returns "sim".
func (a SimAddr) Network() string { return "sim" }

func (a SimAddr) String() string { return a.Node + ":" + strconv.Itoa(a.Port) }

func (n *SimNode) parse(addr string) (SimAddr, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return SimAddr{}, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return SimAddr{}, fmt.Errorf("bad port %q", port)
	}
	if host == "" {
		host = n.name
	}
	return SimAddr{host, p}, nil
}

// Listen listens on addr (":port" or "name:port" of this node; port 0
// picks a free one).
func (n *SimNode) Listen(addr string) (*Listener, error) {
	s := n.sim
	a, err := n.parse(addr)
	opErr := func(err error) error { return &net.OpError{Op: "listen", Net: "sim", Addr: a, Err: err} }
	if err != nil {
		return nil, opErr(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Node != n.name {
		return nil, opErr(os.NewSyscallError("bind", syscall.EADDRNOTAVAIL))
	}
	if !n.up {
		return nil, opErr(os.NewSyscallError("bind", syscall.ENETDOWN))
	}
	if a.Port == 0 {
		for n.listeners[n.nextPort] != nil {
			n.nextPort++
		}
		a.Port = n.nextPort
		n.nextPort++
	}
	if n.listeners[a.Port] != nil {
		return nil, opErr(os.NewSyscallError("bind", syscall.EADDRINUSE))
	}
	sl := &simListener{node: n, addr: a}
	n.listeners[a.Port] = sl
	s.event("listen %v", a)
	return &Listener{a: sl, net: "sim", addr: a}, nil
}

// Dial returns a future of a connection to addr ("node:port").
func (n *SimNode) Dial(addr string) runtime.Future[runtime.Result[*Conn]] {
	return &simDial{node: n, addr: addr}
}

// simListener is a simulated listening port.
type simListener struct {
	node    *SimNode
	addr    SimAddr
	backlog []*Conn
	w       runtime.Waker
	closed  bool
}

func (l *simListener) accept(cx *runtime.Context) (*Conn, error, bool) {
	s := l.node.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock(cx)
	if l.closed {
		return nil, net.ErrClosed, true
	}
	if len(l.backlog) > 0 {
		c := l.backlog[0]
		l.backlog[0] = nil
		l.backlog = l.backlog[1:]
		s.event("accept %v <- %v", c.LocalAddr(), c.RemoteAddr())
		return c, nil, true
	}
	l.w = cx.Waker()
	return nil, nil, false
}

func (l *simListener) disarm() {
	s := l.node.sim
	s.mu.Lock()
	l.w = nil
	s.mu.Unlock()
}

func (l *simListener) close() error {
	s := l.node.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.closed {
		return net.ErrClosed
	}
	l.shut()
	return nil
}

// shut closes the listener, resetting connections not yet accepted; s.mu
// is held.
func (l *simListener) shut() {
	l.closed = true
	if l.node.listeners[l.addr.Port] == l {
		delete(l.node.listeners, l.addr.Port)
	}
	l.node.sim.event("close listener %v", l.addr)
	for _, c := range l.backlog {
		c.s.(*simEnd).resetConn(syscall.ECONNRESET)
	}
	l.backlog = nil
	if l.w != nil {
		l.w.Wake()
		l.w = nil
	}
}

// simDial is the future of SimNode.Dial: a SYN that crosses the link
// (retransmitted while lost or partitioned), then the SYN-ACK.
type simDial struct {
	node  *SimNode
	addr  string
	to    SimAddr
	phase int // 0 start, 1 SYN in flight, 2 SYN-ACK in flight, 3 refused in flight
	at    int64
	tries int
	conn  *Conn
	timer runtime.SleepFuture
	done  bool
}

func (d *simDial) fail(err error) (runtime.Result[*Conn], bool) {
	d.done = true
	d.timer.Cancel()
	return runtime.Result[*Conn]{Err: &net.OpError{Op: "dial", Net: "sim", Addr: d.to, Err: err}}, true
}

func (d *simDial) Poll(cx *runtime.Context) (runtime.Result[*Conn], bool) {
	if d.done {
		panic("anet: Dial polled after completion")
	}
	n := d.node
	s := n.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock(cx)
	if d.phase == 0 {
		to, err := n.parse(d.addr)
		d.to = to
		if err != nil {
			return d.fail(err)
		}
		if !n.up {
			return d.fail(os.NewSyscallError("connect", syscall.ENETDOWN))
		}
		d.phase, d.at = 1, now+s.delay(n.name, to.Node)
		s.event("syn %s -> %v", n.name, to)
	}
	for d.at <= now {
		switch d.phase {
		case 1:
			if !s.passes(n.name, d.to.Node) {
				d.tries++
				if d.tries >= simMaxTries {
					s.event("syn timeout %s -> %v", n.name, d.to)
					return d.fail(os.NewSyscallError("connect", syscall.ETIMEDOUT))
				}
				d.at = now + rto(d.tries)
				s.event("syn lost %s -> %v", n.name, d.to)
				continue
			}
			peer := s.nodes[d.to.Node]
			l := peer.listeners[d.to.Port]
			if l == nil {
				d.phase, d.at = 3, now+s.delay(n.name, d.to.Node)
				s.event("refused %s -> %v", n.name, d.to)
				continue
			}
			// The connection exists once the SYN has arrived: the
			// server's end waits in the backlog.
			port := n.nextPort
			n.nextPort++
			caddr := SimAddr{n.name, port}
			ce, se := newSimPair(s, n, peer, caddr, d.to)
			d.conn = newConn(ce)
			l.backlog = append(l.backlog, newConn(se))
			if l.w != nil {
				l.w.Wake()
				l.w = nil
			}
			d.phase, d.at = 2, now+s.delay(n.name, d.to.Node)
			s.event("syn-ack %v -> %v", d.to, caddr)
		case 2:
			d.done = true
			d.timer.Cancel()
			c := d.conn
			d.conn = nil
			if e := c.s.(*simEnd); e.in.err != nil {
				return runtime.Result[*Conn]{Err: c.opErr("dial", e.in.err)}, true
			}
			s.event("connected %v -> %v", c.LocalAddr(), c.RemoteAddr())
			return runtime.Result[*Conn]{Value: c}, true
		case 3:
			return d.fail(os.NewSyscallError("connect", syscall.ECONNREFUSED))
		}
	}
	d.timer.InitUntil(time.Unix(0, d.at))
	if _, ok := d.timer.Poll(cx); ok {
		cx.Waker().Wake() // the deadline passed meanwhile: look again
	}
	return runtime.Result[*Conn]{}, false
}

// Cancel abandons the dial; a connection made meanwhile is reset.
func (d *simDial) Cancel() {
	if d.done {
		return
	}
	d.done = true
	d.timer.Cancel()
	if d.conn != nil {
		s := d.node.sim
		s.mu.Lock()
		d.conn.s.(*simEnd).resetConn(syscall.ECONNRESET)
		s.mu.Unlock()
	}
}

// simPipe is one direction of a simulated connection.
type simPipe struct {
	from, to string
	q        []simSeg // in flight, in order
	buf      []byte   // arrived, not yet read
	fin      bool     // the FIN arrived: EOF once buf is read
	finSent  bool
	err      error // the connection was reset
	inflight int
	busy     int64 // when the sending side of the link is free (bandwidth)
	last     int64 // arrival time of the last segment sent
	rw, ww   runtime.Waker
	timer    runtime.SleepFuture // the reader's wait for q[0]
	timerAt  int64
}

type simSeg struct {
	at    int64
	data  []byte
	fin   bool
	tries int
}

// simEnd is one end of a simulated connection: a stream.
type simEnd struct {
	sim     *Sim
	id      uint64
	node    *SimNode
	in, out *simPipe
	peer    *simEnd
	closed  bool
	name    string // "local->remote", for the trace
	la, ra  SimAddr
}

func (e *simEnd) addrs() (string, net.Addr, net.Addr) { return "sim", e.la, e.ra }

func newSimPair(s *Sim, a, b *SimNode, aa, ba SimAddr) (*simEnd, *simEnd) {
	ab := &simPipe{from: a.name, to: b.name}
	ba2 := &simPipe{from: b.name, to: a.name}
	s.ids++
	ea := &simEnd{sim: s, id: s.ids, node: a, in: ba2, out: ab, name: aa.String() + "->" + ba.String()}
	s.ids++
	eb := &simEnd{sim: s, id: s.ids, node: b, in: ab, out: ba2, name: ba.String() + "->" + aa.String()}
	ea.peer, eb.peer = eb, ea
	ea.la, ea.ra, eb.la, eb.ra = aa, ba, ba, aa
	a.conns[ea] = true
	b.conns[eb] = true
	return ea, eb
}

// resetConn resets both ends; s.mu is held.
func (e *simEnd) resetConn(errno syscall.Errno) {
	if e.in.err != nil {
		return
	}
	e.sim.event("reset %s", e.name)
	err := os.NewSyscallError("read", errno)
	for _, p := range []*simPipe{e.in, e.out} {
		p.err = err
		p.q = nil
		p.inflight = 0
		p.buf = nil
		p.timer.Cancel()
		p.timerAt = 0
		for _, w := range []runtime.Waker{p.rw, p.ww} {
			if w != nil {
				w.Wake()
			}
		}
		p.rw, p.ww = nil, nil
	}
	delete(e.node.conns, e)
	delete(e.peer.node.conns, e.peer)
}

// advance delivers the segments of p that have arrived by now, and
// retransmits the first one if the link does not pass it; s.mu is held.
func (e *simEnd) advance(p *simPipe, now int64) {
	s := e.sim
	for len(p.q) > 0 && p.q[0].at <= now && p.err == nil {
		seg := &p.q[0]
		if !s.passes(p.from, p.to) {
			seg.tries++
			if seg.tries >= simMaxTries {
				s.event("give up %s->%s", p.from, p.to)
				e.resetConn(syscall.ETIMEDOUT)
				return
			}
			seg.at = now + rto(seg.tries)
			s.event("lost %s->%s %d bytes, try %d", p.from, p.to, len(seg.data), seg.tries)
			return
		}
		if e.closed && len(seg.data) > 0 {
			// Data for a closed socket: the receiver answers with a
			// reset.
			e.resetConn(syscall.ECONNRESET)
			return
		}
		s.event("deliver %s->%s %d bytes fin=%v", p.from, p.to, len(seg.data), seg.fin)
		p.buf = append(p.buf, seg.data...)
		if seg.fin {
			p.fin = true
		}
		p.inflight -= len(seg.data)
		p.q[0] = simSeg{}
		p.q = p.q[1:]
		if p.ww != nil {
			p.ww.Wake()
			p.ww = nil
		}
	}
}

// send queues data (or a FIN) on p at now; s.mu is held.
func (e *simEnd) send(p *simPipe, now int64, data []byte, fin bool) {
	s := e.sim
	l := s.link(p.from, p.to)
	dep := max(now, p.busy)
	if l.Bandwidth > 0 {
		dep += int64(len(data)) * int64(time.Second) / l.Bandwidth
	}
	p.busy = dep
	at := max(dep+s.delay(p.from, p.to), p.last)
	p.last = at
	p.q = append(p.q, simSeg{at: at, data: data, fin: fin})
	p.inflight += len(data)
	s.event("send %s->%s %d bytes fin=%v at %d", p.from, p.to, len(data), fin, at)
	if p.rw != nil {
		p.rw.Wake()
		p.rw = nil
	}
}

// wait arranges for cx's task to be woken at the next arrival on p (or
// when a segment is sent, with rw); s.mu is held.
func (e *simEnd) wait(cx *runtime.Context, p *simPipe) {
	p.rw = cx.Waker()
	if len(p.q) == 0 {
		return
	}
	if at := p.q[0].at; at != p.timerAt {
		p.timer.InitUntil(time.Unix(0, at))
		p.timerAt = at
	}
	if _, ok := p.timer.Poll(cx); ok {
		p.timerAt = 0
		cx.Waker().Wake()
	}
}

func (e *simEnd) read(cx *runtime.Context, b []byte) (int, error, bool) {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	e.advance(e.in, s.clock(cx))
	if n, err, ok := e.take(b); ok {
		return n, err, true
	}
	e.wait(cx, e.in)
	return 0, nil, false
}

// take reads what has arrived; s.mu is held.
func (e *simEnd) take(b []byte) (int, error, bool) {
	p := e.in
	switch {
	case e.closed:
		return 0, net.ErrClosed, true
	case len(p.buf) > 0:
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		if len(p.buf) == 0 {
			p.buf = nil
		}
		if p.ww != nil {
			p.ww.Wake()
			p.ww = nil
		}
		return n, nil, true
	case p.err != nil:
		return 0, p.err, true
	case p.fin:
		return 0, io.EOF, true
	case len(b) == 0:
		return 0, nil, true
	}
	return 0, nil, false
}

func (e *simEnd) tryRead(b []byte) (int, error, bool) {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	e.advance(e.in, s.now)
	return e.take(b)
}

func (e *simEnd) readable(cx *runtime.Context) bool {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	e.advance(e.in, s.clock(cx))
	p := e.in
	if e.closed || len(p.buf) > 0 || p.err != nil || p.fin {
		return true
	}
	e.wait(cx, p)
	return false
}

func (e *simEnd) write(cx *runtime.Context, b []byte) (int, error, bool) {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock(cx)
	p := e.out
	switch {
	case e.closed:
		return 0, net.ErrClosed, true
	case p.err != nil:
		return 0, os.NewSyscallError("write", syscall.ECONNRESET), true
	case p.finSent:
		return 0, os.NewSyscallError("write", syscall.EPIPE), true
	}
	// The receiver's window is what is in flight plus what it has not
	// read.
	e.peer.advance(p, now)
	off := 0
	for off < len(b) {
		room := simWindow - p.inflight - len(p.buf)
		if room <= 0 {
			p.ww = cx.Waker()
			return off, nil, false
		}
		n := min(len(b)-off, room, simMSS)
		e.send(p, now, append([]byte(nil), b[off:off+n]...), false)
		off += n
	}
	return off, nil, true
}

func (e *simEnd) disarm(d int) {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if d == dirRead {
		e.in.rw = nil
		e.in.timer.Cancel()
		e.in.timerAt = 0
	} else {
		e.out.ww = nil
	}
}

func (e *simEnd) kick(d int) {
	s := e.sim
	s.mu.Lock()
	var w runtime.Waker
	if d == dirRead {
		w, e.in.rw = e.in.rw, nil
	} else {
		w, e.out.ww = e.out.ww, nil
	}
	s.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (e *simEnd) closeWrite() error {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.closed {
		return net.ErrClosed
	}
	e.sendFIN()
	return nil
}

// sendFIN ends the outgoing direction; s.mu is held.
func (e *simEnd) sendFIN() {
	if p := e.out; !p.finSent && p.err == nil {
		p.finSent = true
		e.send(p, e.sim.now, nil, true)
	}
}

func (e *simEnd) close() error {
	s := e.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.closed {
		return net.ErrClosed
	}
	e.closed = true
	s.event("close %s", e.name)
	e.sendFIN()
	e.in.buf = nil
	for _, w := range []runtime.Waker{e.in.rw, e.out.ww} {
		if w != nil {
			w.Wake()
		}
	}
	e.in.rw, e.out.ww = nil, nil
	e.in.timer.Cancel()
	delete(e.node.conns, e)
	return nil
}
