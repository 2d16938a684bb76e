package kvserver_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

var simSeed = flag.Uint64("sim.seed", 0, "run the simulation test with this seed only")

// history is what the clients of a simulation know about each key: the
// last acknowledged write, and the writes in doubt (sent, then the
// connection failed: they may apply at any time, even late). Each key is
// written by one client, with increasing values.
type history struct {
	acked   map[string]int
	doubt   map[string]map[int]bool
	next    map[string]int
	writes  int // acknowledged
	reads   int // checked
	failed  int // requests whose connection failed
	crashes int
	cuts    int
}

func newHistory() *history {
	return &history{acked: map[string]int{}, doubt: map[string]map[int]bool{}, next: map[string]int{}}
}

// check reports whether a read of key may give v: the acknowledged value,
// or a write in doubt (0 is a missing key).
func (h *history) check(key string, v int) error {
	if v == h.acked[key] || h.doubt[key][v] {
		return nil
	}
	return fmt.Errorf("GET %s = %d, but the last acknowledged write is %d (in doubt: %v)", key, v, h.acked[key], h.doubt[key])
}

// replyBuf holds what a client has read and not yet parsed.
type replyBuf struct {
	buf []byte
	tmp [512]byte
}

// parseReply parses one simple reply (+, -, :, or a bulk string) at the
// start of b and renders it: "+OK", "nil", or the bulk's text.
func parseReply(b []byte) (string, int, bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return "", 0, false
	}
	if b[0] != '$' {
		return string(b[:i]), i + 2, true
	}
	n, err := strconv.Atoi(string(b[1:i]))
	if err != nil || n < 0 {
		return "nil", i + 2, true
	}
	if len(b) < i+2+n+2 {
		return "", 0, false
	}
	return string(b[i+2 : i+2+n]), i + 2 + n + 2, true
}

func command(words ...string) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(words))
	for _, w := range words {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(w), w)
	}
	return b
}

// request sends cmd and reads its reply, within two seconds.
//
//asyncgen:async Request
func request(c *anet.Conn, cmd []byte, rb *replyBuf) (string, error) {
	now := runtime.Await(runtime.Now())
	c.SetDeadline(now.Add(2 * time.Second))
	if _, err := runtime.TryAwait(c.Write(cmd)); err != nil {
		return "", err
	}
	for {
		if r, n, ok := parseReply(rb.buf); ok {
			rb.buf = rb.buf[n:]
			return r, nil
		}
		k, err := runtime.TryAwait(c.Read(rb.tmp[:]))
		if err != nil {
			return "", err
		}
		rb.buf = append(rb.buf, rb.tmp[:k]...)
	}
}

// kvClient makes ops requests from node nd, half SETs of its own keys,
// half GETs checked against the history; a failed connection is dropped
// and dialed again.
//
//asyncgen:async KVClient
func kvClient(nd *anet.SimNode, addr string, id, ops int, seed uint64, h *history) error {
	rng := rand.New(rand.NewPCG(seed, uint64(id)))
	var c *anet.Conn
	rb := &replyBuf{}
	for i := 0; i < ops; i++ {
		if c == nil {
			cc, err := runtime.TryAwait(nd.Dial(addr))
			if err != nil {
				runtime.Await(runtime.Sleep(100 * time.Millisecond))
				continue
			}
			c = cc
			rb.buf = rb.buf[:0]
		}
		key := fmt.Sprintf("c%d:k%d", id, rng.IntN(3))
		if rng.IntN(2) == 0 {
			h.next[key]++
			v := h.next[key]
			resp, err := runtime.TryAwait(Request(c, command("SET", key, strconv.Itoa(v)), rb))
			if err != nil {
				if h.doubt[key] == nil {
					h.doubt[key] = map[int]bool{}
				}
				h.doubt[key][v] = true
				h.failed++
				c.Close()
				c = nil
				continue
			}
			if resp != "+OK" {
				return fmt.Errorf("SET %s %d: %s", key, v, resp)
			}
			h.acked[key] = v
			h.writes++
			continue
		}
		resp, err := runtime.TryAwait(Request(c, command("GET", key), rb))
		if err != nil {
			h.failed++
			c.Close()
			c = nil
			continue
		}
		v := 0
		if resp != "nil" {
			if v, err = strconv.Atoi(resp); err != nil {
				return fmt.Errorf("GET %s: %s", key, resp)
			}
		}
		if err := h.check(key, v); err != nil {
			return err
		}
		h.reads++
	}
	if c != nil {
		c.Close()
	}
	return nil
}

// nemesis disturbs the network until *stop: it cuts the server off from
// a client for a while, or crashes it and restarts it (its data kept, as
// if on disk), with a new Serve.
//
//asyncgen:async Nemesis
func nemesis(ex runtime.Executor, sim *anet.Sim, db *kvserver.DB, clients int, seed uint64, stop *bool, h *history) error {
	rng := rand.New(rand.NewPCG(seed, 99))
	srv := sim.Node("kv")
	for !*stop {
		runtime.Await(runtime.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond))
		if *stop {
			break
		}
		switch rng.IntN(3) {
		case 0, 1:
			peer := fmt.Sprint("c", rng.IntN(clients))
			sim.Partition("kv", peer)
			h.cuts++
			runtime.Await(runtime.Sleep(time.Duration(500+rng.IntN(3000)) * time.Millisecond))
			sim.Heal("kv", peer)
		case 2:
			srv.Crash()
			h.crashes++
			runtime.Await(runtime.Sleep(time.Duration(100+rng.IntN(1000)) * time.Millisecond))
			srv.Restart()
			l, err := srv.Listen(":6379")
			if err != nil {
				return err
			}
			runtime.Go(ex, discard(ex, &kvserver.Server{DB: db}, l))
		}
	}
	return nil
}

func discard(ex runtime.Executor, s *kvserver.Server, l *anet.Listener) runtime.Future[struct{}] {
	return runtime.Map(runtime.Future[error](s.Serve(ex, l)), func(error) struct{} { return struct{}{} })
}

// scenario runs clients against a kv server on a simulated network
// disturbed by the nemesis, then heals it and reads every key once more.
//
//asyncgen:async Scenario
func scenario(ex runtime.Executor, sim *anet.Sim, clients, ops int, seed uint64, h *history) error {
	db := kvserver.NewDB()
	l, err := sim.Node("kv").Listen(":6379")
	if err != nil {
		return err
	}
	runtime.Go(ex, discard(ex, &kvserver.Server{DB: db}, l))
	stop := false
	nem := runtime.Spawn(ex, Nemesis(ex, sim, db, clients, seed, &stop, h))
	var ts []*runtime.Task[error]
	for i := 0; i < clients; i++ {
		ts = append(ts, runtime.Spawn(ex, KVClient(sim.Node(fmt.Sprint("c", i)), "kv:6379", i, ops, seed, h)))
	}
	for _, t := range ts {
		e, err := runtime.TryAwait(t)
		if err != nil {
			return err
		}
		if e != nil {
			return e
		}
	}
	stop = true
	if e, err := runtime.TryAwait(nem); err != nil || e != nil {
		return fmt.Errorf("nemesis: %v %v", err, e)
	}
	sim.HealAll()
	// Every acknowledged write (or a write in doubt) is there to read.
	c, err := runtime.TryAwait(sim.Node("check").Dial("kv:6379"))
	if err != nil {
		return err
	}
	defer c.Close()
	rb := &replyBuf{}
	for i := 0; i < clients; i++ {
		for k := 0; k < 3; k++ {
			key := fmt.Sprintf("c%d:k%d", i, k)
			resp, err := runtime.TryAwait(Request(c, command("GET", key), rb))
			if err != nil {
				return err
			}
			v := 0
			if resp != "nil" {
				v, _ = strconv.Atoi(resp)
			}
			if err := h.check(key, v); err != nil {
				return fmt.Errorf("final read: %w", err)
			}
		}
	}
	return nil
}

// runScenario runs the scenario with seed on a seeded virtual-time Local
// and returns the history and the trace hash.
func runScenario(t *testing.T, seed uint64, clients, ops int) (*history, string, int) {
	t.Helper()
	ex := runtime.NewLocal(runtime.WithSeed(seed), runtime.WithVirtualTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	defer ex.Close()
	sim := anet.NewSim(seed, anet.Link{Latency: 2 * time.Millisecond, Jitter: 3 * time.Millisecond, Bandwidth: 1 << 20, Loss: 0.03})
	sim.SetLink("kv", "c0", anet.Link{Latency: 40 * time.Millisecond, Jitter: 20 * time.Millisecond, Bandwidth: 64 << 10, Loss: 0.1})
	h := newHistory()
	e, err := runtime.RunFuture(ex, Scenario(ex, sim, clients, ops, seed, h))
	if err == nil {
		err = e
	}
	if err != nil {
		t.Fatalf("seed %d: %v\nreplay: go test ./examples/kv/kvserver -run '^%s$' -args -sim.seed=%d", seed, err, t.Name(), seed)
	}
	hash, events := sim.TraceHash()
	return h, hash, events
}

// TestSimulated runs the kv server on a simulated network with latency,
// loss, partitions and crashes, under several seeds, checking that reads
// see acknowledged writes; and runs one seed twice to show that the run
// is the same, bit for bit.
func TestSimulated(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	if testing.Short() {
		seeds = seeds[:3]
	}
	if *simSeed != 0 {
		seeds = []uint64{*simSeed}
	}
	var total history
	for _, seed := range seeds {
		h, _, _ := runScenario(t, seed, 4, 300)
		total.writes += h.writes
		total.reads += h.reads
		total.failed += h.failed
		total.crashes += h.crashes
		total.cuts += h.cuts
	}
	t.Logf("%d seeds: %d acknowledged writes, %d checked reads, %d failed requests, %d crashes, %d partitions",
		len(seeds), total.writes, total.reads, total.failed, total.crashes, total.cuts)
	if total.writes == 0 || total.reads == 0 || total.failed == 0 || total.crashes == 0 || total.cuts == 0 {
		t.Fatal("the scenario did not exercise writes, reads, failures, crashes and partitions")
	}
	_, h1, n1 := runScenario(t, seeds[0], 4, 300)
	_, h2, n2 := runScenario(t, seeds[0], 4, 300)
	if h1 != h2 || n1 != n2 {
		t.Fatalf("seed %d: two runs differ: %d events hashing to %s, then %d to %s", seeds[0], n1, h1, n2, h2)
	}
}
