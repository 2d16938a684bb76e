// Package kvserver is a key-value server speaking the Redis protocol
// (RESP2), written as async bodies that asyncgen lowers to state
// machines: one task per connection, on any executor and any
// anet.Network (TCP, or a simulated network).
//
// Commands: PING, ECHO, GET, SET (EX, PX, NX, XX), DEL, EXISTS, STRLEN, INCR,
// EXPIRE, TTL, DBSIZE, INFO, QUIT, and CONFIG, COMMAND and SELECT 0 as
// clients send them at start. Requests may be pipelined; replies to the
// requests of one read are written together.
//
// Bad input costs a connection, never the server: malformed RESP or a
// request over a limit (MaxArgs, MaxBulk) gets a protocol error and the
// connection is closed; a client that vanishes mid-command is dropped;
// a command must arrive whole within CmdTimeout (a slowloris is cut
// off). An idle connection holds no buffer: it waits until readable and
// reads into a buffer taken from a pool.
package kvserver

//go:generate go tool asyncgen

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

// Server serves a DB.
type Server struct {
	DB *DB
	// CmdTimeout bounds the time from the first byte of a command to its
	// last; zero means 10 seconds.
	CmdTimeout time.Duration

	open     atomic.Int64
	accepted atomic.Int64
	stopped  atomic.Bool
	bufs     sync.Pool
}

// NewServer returns a server of an empty DB.
func NewServer() *Server { return &Server{DB: NewDB()} }

// Open returns the number of open connections.
func (s *Server) Open() int { return int(s.open.Load()) }

// Accepted returns the number of connections accepted so far.
func (s *Server) Accepted() int { return int(s.accepted.Load()) }

// bufSize is the size of a connection's input buffer while it reads;
// flushAt the size of pending replies that are written before reading on.
const (
	bufSize = 16 << 10
	flushAt = 64 << 10
)

// buffer is a connection's input and output while it is not idle.
type buffer struct {
	in         []byte
	start, end int // in[start:end] is unparsed input
	out        []byte
	args       [][]byte
}

func (s *Server) getBuf() *buffer {
	if b, ok := s.bufs.Get().(*buffer); ok {
		return b
	}
	return &buffer{in: make([]byte, bufSize), out: make([]byte, 0, bufSize)}
}

// putBuf returns b to the pool, dropping what a large request grew.
func (s *Server) putBuf(b *buffer) {
	if len(b.in) > bufSize {
		b.in = make([]byte, bufSize)
	}
	if cap(b.out) > flushAt*2 {
		b.out = make([]byte, 0, bufSize)
	}
	clear(b.args)
	b.start, b.end, b.out, b.args = 0, 0, b.out[:0], b.args[:0]
	s.bufs.Put(b)
}

// room makes room at the end of b.in for more input; false if a request
// would grow past MaxRequest.
func (b *buffer) room() bool {
	if b.end < len(b.in) {
		return true
	}
	if b.start > 0 {
		n := copy(b.in, b.in[b.start:b.end])
		b.start, b.end = 0, n
		return true
	}
	if len(b.in) >= MaxRequest {
		return false
	}
	bigger := make([]byte, min(2*len(b.in), MaxRequest))
	copy(bigger, b.in[:b.end])
	b.in = bigger
	return true
}

// Serve accepts connections from l until it is closed, serving each on
// its own task on ex, and expires keys in the background meanwhile.
//
//asyncgen:async Serve
func (s *Server) serve(ex runtime.Executor, l *anet.Listener) error {
	runtime.Go(ex, s.Sweeper())
	defer s.stopped.Store(true)
	for {
		c, err := runtime.TryAwait(l.Accept())
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			// Out of file descriptors, or the like: wait for some to be
			// closed.
			runtime.Await(runtime.Sleep(10 * time.Millisecond))
			continue
		}
		s.accepted.Add(1)
		runtime.Go(ex, s.Handle(c))
	}
}

// Sweeper removes expired keys nobody reads, ten times a second, until
// Serve returns.
//
//asyncgen:async Sweeper
func (s *Server) sweeper() {
	for !s.stopped.Load() {
		runtime.Await(runtime.Sleep(100 * time.Millisecond))
		now := runtime.Await(runtime.Now())
		for s.DB.Sweep(now, 20) == 20 {
		}
	}
}

// Handle serves one connection until the client quits or goes, or sends
// bad input. It is written with one await of each kind and no defer, so
// that its machine, what an idle connection costs, stays small.
//
//asyncgen:async Handle
func (s *Server) handle(c *anet.Conn) {
	s.open.Add(1)
	var b *buffer
	wait := true     // wait until readable before reading (the socket was emptied)
	more := false    // complete requests are left in b: parse before reading
	closing := false // the reply being written is the last
	partial := false // a request has begun: the read deadline is set
	for !closing {
		if wait && !more {
			if b != nil && b.start == b.end {
				s.putBuf(b) // idle: hold no buffer while waiting
				b = nil
			}
			// Idle (b is nil), or in the middle of a request.
			if r := runtime.Await(c.Readable()); r.Err != nil {
				break // the peer went, or a request did not arrive in time
			}
			wait = false
		}
		if b == nil {
			b = s.getBuf()
		}
		if !more {
			if !b.room() {
				b.out = appendError(b.out, "ERR Protocol error: request too big")
				closing = true
			} else {
				n, ok, err := c.TryRead(b.in[b.end:])
				if err != nil {
					break // EOF, or the connection failed
				}
				if !ok {
					wait = true // and give b back if idle, before waiting
					continue
				}
				// A short read emptied the socket: the next read waits
				// for readiness first (Readable costs no system call
				// then, a read would find nothing).
				wait = n < len(b.in)-b.end
				b.end += n
			}
		}
		more = false
		now := runtime.Await(runtime.Now())
		for !closing {
			args, used, perr := Parse(b.in[b.start:b.end], b.args)
			b.args = args
			if perr == ErrIncomplete {
				break
			}
			if perr != nil {
				b.out = appendError(b.out, "ERR "+perr.Error())
				closing = true
				break
			}
			b.start += used
			b.out, closing = s.DB.Exec(now, args, b.out)
			if len(b.out) >= flushAt {
				more = true
				break
			}
		}
		if !more && !closing {
			if b.start == b.end {
				b.start, b.end = 0, 0
				if partial {
					partial = false
					c.SetReadDeadline(time.Time{})
				}
			} else if !partial {
				partial = true
				c.SetReadDeadline(now.Add(s.cmdTimeout()))
			}
		}
		if len(b.out) > 0 {
			// Let the other connections that became readable with this
			// one read and execute first: the replies of one turn of the
			// executor then go out together, as redis-server writes them
			// after its loop's reads, and a client waiting on many
			// connections finds them ready at once (about 10% more
			// requests per second from redis-benchmark -c 50, for one
			// more poll of this machine).
			runtime.Await(runtime.YieldNow())
			if r := runtime.Await(c.Write(b.out)); r.Err != nil {
				break
			}
			b.out = b.out[:0]
		}
	}
	if b != nil {
		s.putBuf(b)
	}
	c.Close()
	s.open.Add(-1)
}

func (s *Server) cmdTimeout() time.Duration {
	if s.CmdTimeout > 0 {
		return s.CmdTimeout
	}
	return 10 * time.Second
}
