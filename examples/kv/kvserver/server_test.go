package kvserver_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/examples/kv/internal/gokv"
	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

// server is a running server under test.
type server struct {
	addr string
	open func() int
}

// start starts a server on 127.0.0.1: "local" and "pool" are kvserver on
// those executors, "goroutine" is gokv. It is stopped when the test ends.
func start(t testing.TB, exec string, cmdTimeout time.Duration) server {
	t.Helper()
	if exec == "goroutine" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &gokv.Server{DB: kvserver.NewDB()}
		go s.Serve(l)
		t.Cleanup(func() { l.Close() })
		return server{l.Addr().String(), s.Open}
	}
	l, err := anet.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := kvserver.NewServer()
	s.CmdTimeout = cmdTimeout
	done := make(chan struct{})
	var stop func()
	switch exec {
	case "local":
		ex := runtime.NewLocal()
		go func() {
			defer close(done)
			if _, err := runtime.RunFuture(ex, s.Serve(ex, l)); err != nil {
				t.Error(err)
			}
		}()
		stop = ex.Close
	case "pool":
		ex := runtime.NewPool(2)
		task := runtime.Spawn(ex, s.Serve(ex, l))
		go func() {
			defer close(done)
			if _, err := task.Join(); err != nil {
				t.Error(err)
			}
		}()
		stop = ex.Close
	}
	t.Cleanup(func() {
		l.Close()
		<-done
		stop()
	})
	return server{l.Addr().String(), s.Open}
}

var execs = []string{"local", "pool", "goroutine"}

// client is a connection speaking raw RESP.
type client struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t, c, bufio.NewReader(c)}
}

// send writes commands, each a list of words, as RESP arrays.
func (c *client) send(cmds ...[]string) {
	var b bytes.Buffer
	for _, cmd := range cmds {
		fmt.Fprintf(&b, "*%d\r\n", len(cmd))
		for _, a := range cmd {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	if _, err := c.c.Write(b.Bytes()); err != nil {
		c.t.Fatal(err)
	}
}

// reply reads one reply and renders it: +s, -s, :n, "bulk", nil, [a b].
func (c *client) reply() string {
	c.t.Helper()
	line, err := c.br.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading a reply: %v", err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+', '-', ':':
		return line
	case '$':
		var n int
		fmt.Sscan(line[1:], &n)
		if n < 0 {
			return "nil"
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.br, b); err != nil {
			c.t.Fatal(err)
		}
		return fmt.Sprintf("%q", b[:n])
	case '*':
		var n int
		fmt.Sscan(line[1:], &n)
		var parts []string
		for range n {
			parts = append(parts, c.reply())
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	c.t.Fatalf("bad reply line %q", line)
	return ""
}

// do sends one command and returns its reply.
func (c *client) do(words ...string) string {
	c.t.Helper()
	c.send(words)
	return c.reply()
}

// closed reports whether the server closed the connection (reading EOF
// or a reset within a second).
func (c *client) closed() bool {
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.br.ReadByte()
	return err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// ttlLater reports whether got is the TTL a second less than want: time
// passes between setting an expiry and asking for it (1.5 s left rounds to
// 2, 1.499 s to 1), so only a fixed clock gives one answer (TestTTLRounds).
func ttlLater(cmd, got, want string) bool {
	var g, w int
	if !strings.HasPrefix(cmd, "TTL ") {
		return false
	}
	if _, err := fmt.Sscanf(got, ":%d", &g); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(want, ":%d", &w); err != nil {
		return false
	}
	return w > 0 && g == w-1
}

// TTL rounds the time left to the nearest second, as Redis does.
func TestTTLRounds(t *testing.T) {
	db := kvserver.NewDB()
	now := time.Unix(1_000_000, 0)
	exec := func(at time.Duration, args ...string) string {
		var bs [][]byte
		for _, a := range args {
			bs = append(bs, []byte(a))
		}
		out, _ := db.Exec(now.Add(at), bs, nil)
		return strings.TrimSuffix(string(out), "\r\n")
	}
	if got := exec(0, "SET", "e", "v", "PX", "1500"); got != "+OK" {
		t.Fatal(got)
	}
	for _, c := range []struct {
		at   time.Duration
		want string
	}{{0, ":2"}, {time.Millisecond, ":1"}, {1000 * time.Millisecond, ":1"}, {1001 * time.Millisecond, ":0"}, {1500 * time.Millisecond, ":-2"}} {
		if got := exec(c.at, "TTL", "e"); got != c.want {
			t.Errorf("TTL %v after PX 1500: %s, want %s", c.at, got, c.want)
		}
	}
}

func TestCommands(t *testing.T) {
	script := []struct{ cmd, want string }{
		{"PING", "+PONG"},
		{"PING hi", `"hi"`},
		{"ECHO hello", `"hello"`},
		{"GET k", "nil"},
		{"SET k v1", "+OK"},
		{"GET k", `"v1"`},
		{"set k v2", "+OK"},
		{"get k", `"v2"`},
		{"SET k v3 NX", "nil"},
		{"SET k2 x XX", "nil"},
		{"SET k2 x NX", "+OK"},
		{"EXISTS k k2 k3", ":2"},
		{"DEL k k2 k3", ":2"},
		{"GET k", "nil"},
		{"INCR n", ":1"},
		{"INCR n", ":2"},
		{"GET n", `"2"`},
		{"SET s abc", "+OK"},
		{"INCR s", "-ERR value is not an integer or out of range"},
		{"SET big 9223372036854775807", "+OK"},
		{"INCR big", "-ERR increment or decrement would overflow"},
		{"TTL n", ":-1"},
		{"TTL missing", ":-2"},
		{"EXPIRE n 100", ":1"},
		{"TTL n", ":100"},
		{"EXPIRE missing 100", ":0"},
		{"SET e v EX 50", "+OK"},
		{"TTL e", ":50"},
		{"SET e v PX 1500", "+OK"},
		{"TTL e", ":2"},
		{"SET e v EX 0", "-ERR invalid expire time in 'set' command"},
		{"SET e v EX x", "-ERR invalid expire time in 'set' command"},
		{"SET e v EX", "-ERR syntax error"},
		{"SET e v EX 1 PX 1", "-ERR syntax error"},
		{"SET e v BOGUS", "-ERR syntax error"},
		{"EXPIRE n 0", ":1"},
		{"GET n", "nil"},
		{"GET", "-ERR wrong number of arguments for 'get' command"},
		{"NOPE x", "-ERR unknown command 'NOPE'"},
		{"CONFIG GET save", `["save" ""]`},
		{"SELECT 0", "+OK"},
		{"DBSIZE", ":3"},
		{"QUIT", "+OK"},
	}
	for _, exec := range execs {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			c := dial(t, s.addr)
			for _, st := range script {
				got := c.do(strings.Fields(st.cmd)...)
				if got != st.want && !ttlLater(st.cmd, got, st.want) {
					t.Errorf("%s: got %s, want %s", st.cmd, got, st.want)
				}
			}
			if !c.closed() {
				t.Error("connection open after QUIT")
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	for _, exec := range execs {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			c := dial(t, s.addr)
			c.do("SET", "a", "1", "PX", "30")
			c.do("SET", "b", "1")
			c.do("EXPIRE", "b", "1")
			time.Sleep(60 * time.Millisecond)
			if got := c.do("GET", "a"); got != "nil" {
				t.Errorf("GET of an expired key: %s", got)
			}
			if got := c.do("GET", "b"); got != `"1"` {
				t.Errorf("GET of a live key: %s", got)
			}
		})
	}
}

// TestPipelining sends many commands in one write and reads the replies.
func TestPipelining(t *testing.T) {
	for _, exec := range execs {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			c := dial(t, s.addr)
			const n = 3000
			var cmds [][]string
			for i := range n {
				cmds = append(cmds, []string{"SET", fmt.Sprint("k", i), strings.Repeat("v", i%100)})
				cmds = append(cmds, []string{"GET", fmt.Sprint("k", i)})
			}
			go c.send(cmds...)
			for i := range n {
				if got := c.reply(); got != "+OK" {
					t.Fatalf("SET %d: %s", i, got)
				}
				if got, want := c.reply(), fmt.Sprintf("%q", strings.Repeat("v", i%100)); got != want {
					t.Fatalf("GET %d: %s, want %s", i, got, want)
				}
			}
		})
	}
}

// TestLargeValue stores and reads back a value larger than the read buffer
// and the socket buffers.
func TestLargeValue(t *testing.T) {
	for _, exec := range execs {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			c := dial(t, s.addr)
			v := strings.Repeat("0123456789", 60_000)
			go c.send([]string{"SET", "big", v}, []string{"GET", "big"}, []string{"GET", "big"})
			if got := c.reply(); got != "+OK" {
				t.Fatal(got)
			}
			for range 2 {
				if got := c.reply(); got != `"`+v+`"` {
					t.Fatalf("GET returned %d bytes", len(got))
				}
			}
		})
	}
}

// TestBadInput sends what a broken or hostile client sends: each gets an
// error and a closed connection, and the server stays up.
func TestBadInput(t *testing.T) {
	bad := []struct{ in, want string }{
		{"*1\r\n$99999999999\r\n", "-ERR Protocol error: invalid bulk length"},
		{"*999999999\r\n", "-ERR Protocol error: invalid multibulk length"},
		{"*1\r\n$3\r\nGETxx\r\n", "-ERR Protocol error: bulk string not ended by CRLF"},
		{"*2\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'"},
		{"*abc\r\n", "-ERR Protocol error: invalid multibulk length"},
	}
	for _, exec := range []string{"local", "pool"} {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 200*time.Millisecond)
			for _, b := range bad {
				c := dial(t, s.addr)
				c.c.Write([]byte(b.in))
				if got := c.reply(); got != b.want {
					t.Errorf("%q: %s, want %s", b.in, got, b.want)
				}
				if !c.closed() {
					t.Errorf("%q: connection left open", b.in)
				}
			}
			// A line with no end, longer than an inline command may be.
			c := dial(t, s.addr)
			go c.c.Write(bytes.Repeat([]byte("x"), kvserver.MaxInline+10))
			if got := c.reply(); got != "-ERR Protocol error: too big inline request" {
				t.Errorf("endless line: %s", got)
			}
			// A client that goes away in the middle of a command.
			c = dial(t, s.addr)
			c.c.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc"))
			c.c.Close()
			// A slowloris: one byte of a command, then silence; it is
			// cut off after CmdTimeout.
			c = dial(t, s.addr)
			c.c.Write([]byte("*2\r\n$3\r\nGET"))
			began := time.Now()
			if !c.closed() {
				t.Error("slowloris left connected")
			} else if el := time.Since(began); el < 150*time.Millisecond {
				t.Errorf("slowloris cut off after %v, before its timeout", el)
			}
			// The server still serves, and every bad connection is gone.
			c = dial(t, s.addr)
			if got := c.do("PING"); got != "+PONG" {
				t.Fatalf("PING after bad input: %s", got)
			}
			c.c.Close()
			waitOpen(t, s, 0)
		})
	}
}

func waitOpen(t *testing.T, s server, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.open() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want %d", s.open(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestManyClients runs clients at once, each with keys of its own.
func TestManyClients(t *testing.T) {
	for _, exec := range execs {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			const clients, rounds = 100, 50
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := net.Dial("tcp", s.addr)
					if err != nil {
						errs <- err
						return
					}
					defer c.Close()
					c.SetDeadline(time.Now().Add(20 * time.Second))
					br := bufio.NewReader(c)
					for r := range rounds {
						fmt.Fprintf(c, "*2\r\n$4\r\nINCR\r\n$%d\r\nc%d\r\n", len(fmt.Sprint("c", i)), i)
						line, err := br.ReadString('\n')
						if err != nil {
							errs <- err
							return
						}
						if want := fmt.Sprintf(":%d\r\n", r+1); line != want {
							errs <- fmt.Errorf("client %d: %q, want %q", i, line, want)
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			waitOpen(t, s, 0)
		})
	}
}

// TestIdleConnections checks that an idle connection, once served, holds
// no buffer: what 300 of them add to the process's heap and stacks (the
// server's INFO used_memory, which counts this test's client sockets too)
// stays far below one 16 KB read buffer each.
func TestIdleConnections(t *testing.T) {
	for _, exec := range []string{"local", "pool"} {
		t.Run(exec, func(t *testing.T) {
			s := start(t, exec, 0)
			ctl := dial(t, s.addr)
			used := func() int64 {
				t.Helper()
				info, err := strconv.Unquote(ctl.do("INFO", "memory"))
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range strings.Split(info, "\r\n") {
					if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
						n, err := strconv.ParseInt(v, 10, 64)
						if err != nil {
							t.Fatal(err)
						}
						return n
					}
				}
				t.Fatalf("no used_memory in %q", info)
				return 0
			}
			const n = 300
			before := used()
			conns := make([]net.Conn, 0, n)
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			buf := make([]byte, 7)
			for range n {
				c, err := net.Dial("tcp", s.addr)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				c.SetDeadline(time.Now().Add(20 * time.Second))
				if _, err := c.Write([]byte("PING\r\n")); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "+PONG\r\n" {
					t.Fatalf("PING: %q %v", buf, err)
				}
			}
			waitOpen(t, s, n+1)
			per := (used() - before) / n
			t.Logf("%d bytes per idle connection", per)
			if per > 4096 {
				t.Errorf("%d bytes per idle connection: a connection holds its buffers while idle", per)
			}
		})
	}
}
