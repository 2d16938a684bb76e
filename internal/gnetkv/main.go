// Command gnetkv is examples/kv's server on gnet v2, an event-loop
// networking library, for the benchmarks (see docs/BENCHMARKS.md): the
// same protocol parser and commands (kvserver.Parse, kvserver.DB), one
// event loop per core. It lives in a module of its own so that the main
// module does not depend on gnet.
package main

import (
	"errors"
	"flag"
	"log"
	"time"

	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
	"github.com/panjf2000/gnet/v2"
)

type server struct {
	gnet.BuiltinEventEngine
	db *kvserver.DB
}

// loopState is a connection's scratch space: its parsed arguments and
// pending replies.
type loopState struct {
	args [][]byte
	out  []byte
}

func (s *server) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	c.SetContext(&loopState{})
	return nil, gnet.None
}

func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	st := c.Context().(*loopState)
	in, _ := c.Peek(-1)
	now := time.Now()
	used := 0
	action := gnet.None
	for {
		args, n, err := kvserver.Parse(in[used:], st.args)
		st.args = args
		if errors.Is(err, kvserver.ErrIncomplete) {
			break
		}
		if err != nil {
			st.out = append(st.out, "-ERR "+err.Error()+"\r\n"...)
			action = gnet.Close
			break
		}
		used += n
		var quit bool
		st.out, quit = s.db.Exec(now, args, st.out)
		if quit {
			action = gnet.Close
			break
		}
	}
	c.Discard(used)
	if len(st.out) > 0 {
		c.Write(st.out)
		st.out = st.out[:0]
	}
	clear(st.args)
	return action
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6380", "address to listen on")
	flag.Parse()
	log.Printf("gnetkv: listening on %s", *addr)
	s := &server{db: kvserver.NewDB()}
	log.Fatal(gnet.Run(s, "tcp://"+*addr, gnet.WithMulticore(true)))
}
