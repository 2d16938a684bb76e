package anet_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

var simSeed = flag.Uint64("sim.seed", 0, "run the simulation tests with this seed only")

// roundTripOn is roundTrip over any network.
//
//asyncgen:async RoundTripOn
func roundTripOn(nw anet.Network, addr string, msg []byte) ([]byte, error) {
	c, err := runtime.TryAwait(nw.Dial(addr))
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

// simClients runs n round trips from nodes c0..c(n-1) at once.
//
//asyncgen:async SimClients
func simClients(ex runtime.Executor, sim *anet.Sim, addr string, n, size int) error {
	var ts []*runtime.Task[runtime.Result[[]byte]]
	for i := 0; i < n; i++ {
		ts = append(ts, runtime.Spawn(ex, RoundTripOn(sim.Node(fmt.Sprint("c", i)), addr, message(i, size))))
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
			return fmt.Errorf("client %d: echo differs", i)
		}
	}
	return nil
}

var simStart = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func simLocal(seed uint64) *runtime.Local {
	return runtime.NewLocal(runtime.WithSeed(seed), runtime.WithVirtualTime(simStart))
}

// simEcho runs n echo clients of size bytes against a server on node
// "srv" and returns the virtual time it took and the trace hash.
func simEcho(t *testing.T, seed uint64, link anet.Link, n, size int) (time.Duration, string) {
	t.Helper()
	ex := simLocal(seed)
	defer ex.Close()
	sim := anet.NewSim(seed, link)
	l, err := sim.Node("srv").Listen(":7")
	if err != nil {
		t.Fatal(err)
	}
	runtime.Spawn(ex, Serve(ex, l, n))
	r, err := runtime.RunFuture(ex, SimClients(ex, sim, "srv:7", n, size))
	if err != nil || r != nil {
		t.Fatalf("seed %d: %v %v (replay: go test -run %s ./runtime/anet -args -sim.seed=%d)", seed, err, r, t.Name(), seed)
	}
	h, _ := sim.TraceHash()
	return ex.Now().Sub(simStart), h
}

func TestSimEchoTiming(t *testing.T) {
	// 100 KB each way at 1 MB/s with 10 ms latency: the echo overlaps
	// the sending, so it takes the 98 ms of transmission one way, the
	// handshake's two latencies and one more each way, and the last
	// segment's transmission back (16 ms).
	took, _ := simEcho(t, 1, anet.Link{Latency: 10 * time.Millisecond, Bandwidth: 1 << 20}, 1, 100<<10)
	if took < 150*time.Millisecond || took > 200*time.Millisecond {
		t.Fatalf("echo of 100 KB took %v of virtual time", took)
	}
	// Many clients at once over lossy, jittery links.
	for _, seed := range seeds(8) {
		simEcho(t, seed, anet.Link{Latency: 5 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.05}, 20, 40<<10)
	}
}

// seeds returns n seeds, or the one given with -sim.seed.
func seeds(n int) []uint64 {
	if *simSeed != 0 {
		return []uint64{*simSeed}
	}
	var s []uint64
	for i := range n {
		s = append(s, uint64(i+1)*0x9e3779b9)
	}
	return s
}

// TestSimDeterminism runs the same lossy scenario twice per seed: the
// traces are identical; other seeds give other traces.
func TestSimDeterminism(t *testing.T) {
	link := anet.Link{Latency: 3 * time.Millisecond, Jitter: 4 * time.Millisecond, Bandwidth: 4 << 20, Loss: 0.1}
	hashes := map[string]uint64{}
	for _, seed := range seeds(4) {
		_, h1 := simEcho(t, seed, link, 10, 30<<10)
		_, h2 := simEcho(t, seed, link, 10, 30<<10)
		if h1 != h2 {
			t.Fatalf("seed %d: two runs differ: %s and %s", seed, h1, h2)
		}
		if s, ok := hashes[h1]; ok {
			t.Fatalf("seeds %d and %d give the same trace", s, seed)
		}
		hashes[h1] = seed
	}
}

// simDialOnce dials addr from node n.
//
//asyncgen:async SimDialOnce
func simDialOnce(n *anet.SimNode, addr string) (*anet.Conn, error) {
	return runtime.TryAwait(n.Dial(addr))
}

func TestSimFailures(t *testing.T) {
	ex := simLocal(1)
	defer ex.Close()
	sim := anet.NewSim(1, anet.Link{Latency: time.Millisecond})
	a, b := sim.Node("a"), sim.Node("b")

	// Nobody listens: refused after a round trip.
	start := ex.Now()
	r, _ := runtime.RunFuture(ex, SimDialOnce(a, "b:1"))
	if !errors.Is(r.Err, syscall.ECONNREFUSED) || ex.Now().Sub(start) != 2*time.Millisecond {
		t.Fatalf("dial to a closed port: %v after %v", r.Err, ex.Now().Sub(start))
	}

	// Across a partition: the SYN is retransmitted, then the dial times
	// out.
	l, err := b.Listen(":1")
	if err != nil {
		t.Fatal(err)
	}
	sim.Partition("a", "b")
	r, _ = runtime.RunFuture(ex, SimDialOnce(a, "b:1"))
	if !errors.Is(r.Err, syscall.ETIMEDOUT) {
		t.Fatalf("dial across a partition: %v", r.Err)
	}

	// Healed before the retransmissions give up: the connection is made.
	runtime.Spawn(ex, runtime.Map(runtime.Future[struct{}](runtime.Sleep(time.Second)), func(struct{}) struct{} { sim.HealAll(); return struct{}{} }))
	r, _ = runtime.RunFuture(ex, SimDialOnce(a, "b:1"))
	if r.Err != nil {
		t.Fatalf("dial across a partition that heals: %v", r.Err)
	}
	c := r.Value
	acc, _ := runtime.RunFuture(ex, runtime.Future[runtime.Result[*anet.Conn]](l.Accept()))
	if acc.Err != nil {
		t.Fatal(acc.Err)
	}
	s := acc.Value
	if c.RemoteAddr().String() != "b:1" || s.RemoteAddr().String() != c.LocalAddr().String() {
		t.Fatalf("addresses: %v->%v, %v->%v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}

	// A crash resets both ends; the node's listener closes.
	rd := runtime.Spawn(ex, ReadOnce(c, make([]byte, 10)))
	acc2 := runtime.Spawn(ex, runtime.Future[runtime.Result[*anet.Conn]](l.Accept()))
	ex.RunUntilStalled()
	b.Crash()
	ex.RunUntilStalled()
	if res, _ := rd.Join(); !errors.Is(res.Err, syscall.ECONNRESET) {
		t.Fatalf("read after the peer crashed: %v", res.Err)
	}
	if res, _ := acc2.Join(); !errors.Is(res.Err, net.ErrClosed) {
		t.Fatalf("accept on a crashed node: %v", res.Err)
	}
	r, _ = runtime.RunFuture(ex, SimDialOnce(a, "b:1"))
	if !errors.Is(r.Err, syscall.ETIMEDOUT) {
		t.Fatalf("dial to a crashed node: %v", r.Err)
	}
	b.Restart()
	if _, err := b.Listen(":1"); err != nil {
		t.Fatalf("listen after restart: %v", err)
	}
	r, _ = runtime.RunFuture(ex, SimDialOnce(a, "b:1"))
	if r.Err != nil {
		t.Fatalf("dial after restart: %v", r.Err)
	}
}
