// Package gokv is examples/kv's server written the usual Go way, as the
// benchmarks' anchor: a goroutine per connection blocked in net.Conn
// reads, a bufio.Writer for the replies. It shares the protocol and the
// commands (kvserver.DB) with the asynchronous server.
package gokv

import (
	"bufio"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
)

// Server serves a DB.
type Server struct {
	DB   *kvserver.DB
	open atomic.Int64
}

// Open returns the number of open connections.
func (s *Server) Open() int { return int(s.open.Load()) }

// Serve accepts connections until l is closed.
func (s *Server) Serve(l net.Listener) error {
	go func() {
		for {
			time.Sleep(100 * time.Millisecond)
			for s.DB.Sweep(time.Now(), 20) == 20 {
			}
		}
	}()
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go s.handle(c)
	}
}

func (s *Server) handle(c net.Conn) {
	s.open.Add(1)
	defer s.open.Add(-1)
	defer c.Close()
	r := kvserver.NewReader(bufio.NewReader(c))
	w := bufio.NewWriter(c)
	var out []byte
	var quit bool
	for {
		args, err := r.Next()
		if err != nil {
			var pe *kvserver.ProtocolError
			if errors.As(err, &pe) {
				w.WriteString("-ERR " + pe.Error() + "\r\n")
				w.Flush()
			}
			return
		}
		out, quit = s.DB.Exec(time.Now(), args, out[:0])
		w.Write(out)
		if quit {
			w.Flush()
			return
		}
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}
