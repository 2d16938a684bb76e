package anet_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

//go:generate go tool asyncgen

// echo copies what c sends back to it until EOF, then closes c.
//
//asyncgen:async Echo
func echo(c *anet.Conn) error {
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := runtime.TryAwait(c.Read(buf))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := runtime.TryAwait(c.Write(buf[:n])); err != nil {
			return err
		}
	}
}

// serve accepts n connections from l and echoes each on its own task.
//
//asyncgen:async Serve
func serve(ex runtime.Executor, l *anet.Listener, n int) error {
	for i := 0; i < n; i++ {
		c, err := runtime.TryAwait(l.Accept())
		if err != nil {
			return err
		}
		runtime.Spawn(ex, Echo(c))
	}
	return nil
}

// roundTrip dials addr, writes msg, half-closes, and reads everything back.
//
//asyncgen:async RoundTrip
func roundTrip(addr string, msg []byte) ([]byte, error) {
	c, err := runtime.TryAwait(anet.Dial(addr))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := runtime.TryAwait(c.Write(msg)); err != nil {
		return nil, err
	}
	if err := c.CloseWrite(); err != nil {
		return nil, err
	}
	var out []byte
	buf := make([]byte, 1000)
	for {
		n, err := runtime.TryAwait(c.Read(buf))
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// readOnce reads once from c.
//
//asyncgen:async ReadOnce
func readOnce(c *anet.Conn, buf []byte) (int, error) {
	return runtime.TryAwait(c.Read(buf))
}

// clients runs n round trips at once, each with its own message, and
// checks every echo.
//
//asyncgen:async Clients
func clients(ex runtime.Executor, addr string, n, size int) error {
	var ts []*runtime.Task[runtime.Result[[]byte]]
	for i := 0; i < n; i++ {
		ts = append(ts, runtime.Spawn(ex, RoundTrip(addr, message(i, size))))
	}
	for i, t := range ts {
		r, err := runtime.TryAwait(t)
		if err != nil {
			return err
		}
		if r.Err != nil {
			return fmt.Errorf("client %d: %w", i, r.Err)
		}
		if !bytes.Equal(r.Value, message(i, size)) {
			return fmt.Errorf("client %d: echo of %d bytes differs (%d bytes back)", i, size, len(r.Value))
		}
	}
	return nil
}

func message(i, size int) []byte {
	b := make([]byte, size)
	for j := range b {
		b[j] = byte(i*31 + j*7)
	}
	return b
}

func listen(t *testing.T) *anet.Listener {
	t.Helper()
	l, err := anet.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// echoTest runs n clients of size bytes each against an echo server on ex.
func echoTest(t *testing.T, ex runtime.Executor, run func(runtime.Future[error]) error, n, size int) {
	l := listen(t)
	srv := runtime.Spawn(ex, Serve(ex, l, n))
	if err := run(Clients(ex, l.Addr().String(), n, size)); err != nil {
		t.Fatal(err)
	}
	if r, err := srv.Join(); err != nil || r != nil {
		t.Fatal(err, r)
	}
}

func onLocal(l *runtime.Local) func(runtime.Future[error]) error {
	return func(f runtime.Future[error]) error {
		r, err := runtime.RunFuture(l, f)
		if err != nil {
			return err
		}
		return r
	}
}

func onPool(p *runtime.Pool) func(runtime.Future[error]) error {
	return func(f runtime.Future[error]) error {
		r, err := runtime.Spawn(p, f).Join()
		if err != nil {
			return err
		}
		return r
	}
}

func TestEchoLocal(t *testing.T) {
	l := runtime.NewLocal()
	defer l.Close()
	echoTest(t, l, onLocal(l), 200, 3000)
	echoTest(t, l, onLocal(l), 4, 1<<20) // writes wait for the reader
}

func TestEchoPool(t *testing.T) {
	p := runtime.NewPool(4)
	defer p.Close()
	echoTest(t, p, onPool(p), 200, 3000)
	echoTest(t, p, onPool(p), 4, 1<<20)
}

// TestChurn opens and closes connections from many tasks at once on a
// Pool: some clients close before the server answers, some servers close
// before the client has written.
func TestChurn(t *testing.T) {
	p := runtime.NewPool(4)
	defer p.Close()
	l := listen(t)
	const n = 1000
	var accepted atomic.Int64
	acc := runtime.Spawn(p, ChurnServe(p, l, n, &accepted))
	var ts []*runtime.Task[runtime.Result[int]]
	for i := range n {
		ts = append(ts, runtime.Spawn(p, ChurnClient(l.Addr().String(), i)))
	}
	echoed := 0
	for _, tk := range ts {
		r, err := tk.Join()
		if err != nil {
			t.Fatal(err)
		}
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		echoed += r.Value
	}
	if r, err := acc.Join(); err != nil || r != nil {
		t.Fatal(err, r)
	}
	if accepted.Load() != n {
		t.Fatalf("accepted %d connections, want %d", accepted.Load(), n)
	}
	if echoed == 0 {
		t.Fatal("no client got its echo")
	}
}

// churnServe accepts n connections; every third it closes at once, the
// others it echoes.
//
//asyncgen:async ChurnServe
func churnServeBody(ex runtime.Executor, l *anet.Listener, n int, accepted *atomic.Int64) error {
	for i := 0; i < n; i++ {
		c, err := runtime.TryAwait(l.Accept())
		if err != nil {
			return err
		}
		accepted.Add(1)
		if i%3 == 0 {
			c.Close()
			continue
		}
		runtime.Spawn(ex, Echo(c))
	}
	return nil
}

// churnClient dials, and then by i: closes at once, writes and closes, or
// makes a round trip (reporting 1 when the echo came back whole). A reset
// or EOF from a server that closed early is not an error.
//
//asyncgen:async ChurnClient
func churnClient(addr string, i int) (int, error) {
	c, err := runtime.TryAwait(anet.Dial(addr))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	switch i % 4 {
	case 0:
		return 0, nil
	case 1:
		runtime.TryAwait(c.Write([]byte("bye")))
		return 0, nil
	}
	msg := message(i, 100)
	if _, err := runtime.TryAwait(c.Write(msg)); err != nil {
		return 0, nil
	}
	got := make([]byte, 0, 100)
	buf := make([]byte, 100)
	for len(got) < len(msg) {
		n, err := runtime.TryAwait(c.Read(buf))
		if err != nil {
			if err == io.EOF || errors.Is(err, syscall.ECONNRESET) {
				return 0, nil
			}
			return 0, err
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, msg) {
		return 0, fmt.Errorf("client %d: wrong echo", i)
	}
	return 1, nil
}

// pair returns the two ends of a loopback connection.
func pair(t *testing.T) (*anet.Conn, *anet.Conn) {
	t.Helper()
	l := listen(t)
	d, err := runtime.BlockOn(anet.Dial(l.Addr().String())).Unpack()
	if err != nil {
		t.Fatal(err)
	}
	s, err := runtime.BlockOn(l.Accept()).Unpack()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(); s.Close() })
	return d, s
}

func TestReadDeadline(t *testing.T) {
	for _, virtual := range []bool{false, true} {
		t.Run(fmt.Sprint("virtual=", virtual), func(t *testing.T) {
			c, _ := pair(t)
			var l *runtime.Local
			if virtual {
				l = runtime.NewLocal(runtime.WithVirtualTime(time.Unix(1e9, 0)))
			} else {
				l = runtime.NewLocal()
			}
			defer l.Close()
			c.SetReadDeadline(l.Now().Add(30 * time.Millisecond))
			start := time.Now()
			r, err := runtime.RunFuture(l, ReadOnce(c, make([]byte, 10)))
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(r.Err, os.ErrDeadlineExceeded) {
				t.Fatalf("read: %v, want a deadline error", r.Err)
			}
			var ne net.Error
			if !errors.As(r.Err, &ne) || !ne.Timeout() {
				t.Fatalf("read: %v is not a timeout net.Error", r.Err)
			}
			if el := time.Since(start); !virtual && el < 30*time.Millisecond {
				t.Fatalf("deadline hit after %v", el)
			}
		})
	}
}

// TestCancelRead cancels a waiting read, then reads the data with a new
// one: the canceled read left no waker behind.
func TestCancelRead(t *testing.T) {
	c, s := pair(t)
	l := runtime.NewLocal()
	defer l.Close()
	buf := make([]byte, 10)
	first := runtime.Spawn(l, ReadOnce(c, buf))
	if l.RunUntilStalled() {
		t.Fatal("read finished with nothing sent")
	}
	first.Cancel()
	l.RunUntilStalled()
	if _, err := first.Join(); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatalf("canceled read: %v", err)
	}
	runtime.BlockOn(s.Write([]byte("hello")))
	r, err := runtime.RunFuture(l, ReadOnce(c, buf))
	if err != nil || r.Err != nil || string(buf[:r.Value]) != "hello" {
		t.Fatalf("read after cancel: %q %v %v", buf[:r.Value], err, r.Err)
	}
}

// TestCloseWakesRead closes a connection from another goroutine while a
// read waits on a Pool.
func TestCloseWakesRead(t *testing.T) {
	c, _ := pair(t)
	p := runtime.NewPool(2)
	defer p.Close()
	task := runtime.Spawn(p, ReadOnce(c, make([]byte, 10)))
	time.Sleep(10 * time.Millisecond)
	c.Close()
	r, err := task.Join()
	if err != nil || !errors.Is(r.Err, net.ErrClosed) {
		t.Fatalf("read on closed conn: %v %v", err, r.Err)
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
}

func TestDialRefused(t *testing.T) {
	l := listen(t)
	addr := l.Addr().String()
	l.Close()
	_, err := runtime.BlockOn(anet.Dial(addr)).Unpack()
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial to closed port: %v", err)
	}
}

func TestAddrs(t *testing.T) {
	c, s := pair(t)
	if c.RemoteAddr().String() != s.LocalAddr().String() || c.LocalAddr().String() != s.RemoteAddr().String() {
		t.Fatalf("addresses: %v->%v and %v->%v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
	if _, ok := c.RemoteAddr().(*net.TCPAddr); !ok {
		t.Fatalf("remote address is a %T", c.RemoteAddr())
	}
}

// TestLocalTimersBoundPollerWait sleeps on a Local whose other task waits
// for a read: the executor waits in the poller, and wakes for the timer.
func TestLocalTimersBoundPollerWait(t *testing.T) {
	c, s := pair(t)
	l := runtime.NewLocal()
	defer l.Close()
	rd := runtime.Spawn(l, ReadOnce(c, make([]byte, 10)))
	start := time.Now()
	if _, err := runtime.RunFuture(l, runtime.Sleep(20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 20*time.Millisecond || el > 2*time.Second {
		t.Fatalf("sleep took %v", el)
	}
	go func() {
		time.Sleep(5 * time.Millisecond)
		runtime.BlockOn(s.Write([]byte("x")))
	}()
	l.Run()
	if r, err := rd.Join(); err != nil || r.Err != nil || r.Value != 1 {
		t.Fatalf("read: %v %v %v", r.Value, r.Err, err)
	}
}

// acceptOnce accepts one connection from l.
//
//asyncgen:async AcceptOnce
func acceptOnce(l *anet.Listener) (*anet.Conn, error) {
	return runtime.TryAwait(l.Accept())
}

// writeAll writes p to c.
//
//asyncgen:async WriteAll
func writeAll(c *anet.Conn, p []byte) (int, error) {
	return runtime.TryAwait(c.Write(p))
}

// TestCancelAcceptAndWrite cancels a waiting accept and a waiting write:
// the listener and the connection go on working.
func TestCancelAcceptAndWrite(t *testing.T) {
	l := listen(t)
	ex := runtime.NewLocal()
	defer ex.Close()
	first := runtime.Spawn(ex, AcceptOnce(l))
	ex.RunUntilStalled()
	first.Cancel()
	ex.RunUntilStalled()
	if _, err := first.Join(); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatalf("canceled accept: %v", err)
	}
	go runtime.BlockOn(anet.Dial(l.Addr().String()))
	r, err := runtime.RunFuture(ex, AcceptOnce(l))
	if err != nil || r.Err != nil {
		t.Fatalf("accept after a canceled one: %v %v", err, r.Err)
	}
	s := r.Value
	defer s.Close()

	// A write larger than the socket buffers waits for a reader that
	// does not read; cancel it, then read what got through and write
	// again.
	c, err := runtime.BlockOn(anet.Dial(l.Addr().String())).Unpack()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := runtime.RunFuture(ex, AcceptOnce(l))
	if err != nil || peer.Err != nil {
		t.Fatal(err, peer.Err)
	}
	defer peer.Value.Close()
	big := make([]byte, 64<<20)
	w := runtime.Spawn(ex, WriteAll(c, big))
	ex.RunUntilStalled()
	if w.Done() {
		t.Fatal("a 64 MB write to a reader that does not read finished")
	}
	w.Cancel()
	ex.RunUntilStalled()
	if _, err := w.Join(); !errors.Is(err, runtime.ErrCanceled) {
		t.Fatalf("canceled write: %v", err)
	}
	drained := make(chan []byte)
	go func() {
		var tail []byte
		buf := make([]byte, 1<<20)
		for {
			n, err := runtime.BlockOn(peer.Value.Read(buf)).Unpack()
			tail = append(tail, buf[:n]...)
			if len(tail) > 16 {
				tail = tail[len(tail)-16:]
			}
			if err != nil {
				drained <- tail
				return
			}
		}
	}()
	if r, err := runtime.RunFuture(ex, WriteAll(c, []byte("after"))); err != nil || r.Err != nil || r.Value != 5 {
		t.Fatalf("write after a canceled one: %v %v", err, r.Err)
	}
	c.CloseWrite()
	if tail := <-drained; !bytes.HasSuffix(tail, []byte("after")) {
		t.Fatalf("the stream ends with %q", tail)
	}
}
