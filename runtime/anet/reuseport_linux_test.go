package anet_test

import (
	"net"
	"testing"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

// Listeners with SO_REUSEPORT share an address, and the kernel spreads the
// connections among them; a listener without it cannot join.
func TestListenReusePort(t *testing.T) {
	a, err := anet.ListenReusePort("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	addr := a.Addr().String()
	b, err := anet.ListenReusePort(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if c, err := anet.Listen(addr); err == nil {
		c.Close()
		t.Fatal("a listener without SO_REUSEPORT took a shared address")
	}
	const n = 64
	var clients []net.Conn
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	// Every connection is queued on one of the two listeners by now.
	accepted := map[*anet.Listener]int{}
	for _, l := range []*anet.Listener{a, b} {
		for {
			c, err := runtime.BlockOn(runtime.TryTimeout(runtime.Future[runtime.Result[*anet.Conn]](l.Accept()), 200*time.Millisecond)).Unpack()
			if err != nil {
				break
			}
			c.Close()
			accepted[l]++
		}
	}
	if accepted[a]+accepted[b] != n || accepted[a] == 0 || accepted[b] == 0 {
		t.Fatalf("accepted %d and %d of %d connections", accepted[a], accepted[b], n)
	}
	t.Logf("accepted %d and %d", accepted[a], accepted[b])
}
