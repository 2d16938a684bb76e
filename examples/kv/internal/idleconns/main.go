// Command idleconns measures what a Redis-protocol server spends per idle
// connection: it reads the server's used_memory (INFO), opens n
// connections, makes one PING on each (so the server has served it), and
// reads used_memory again while they sit idle. For examples/kv and the
// other Go servers of the benchmarks used_memory is the Go heap and
// goroutine stacks in use after a collection; for redis-server it is what
// its allocator holds.
//
//	go run ./examples/kv/internal/idleconns -addr 127.0.0.1:6380 -n 10000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6380", "server address")
	n := flag.Int("n", 10000, "idle connections to open")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("idleconns: ")

	ctl, err := net.Dial("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	br := bufio.NewReader(ctl)
	before := usedMemory(ctl, br)
	conns := make([]net.Conn, 0, *n)
	buf := make([]byte, 16)
	for i := 0; i < *n; i++ {
		c, err := net.Dial("tcp", *addr)
		if err != nil {
			log.Fatalf("connection %d: %v", i, err)
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			log.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf), "+PONG") {
			log.Fatalf("connection %d: PING: %q %v", i, buf, err)
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond)
	after := usedMemory(ctl, br)
	per := float64(after-before) / float64(*n)
	fmt.Printf("used_memory before %d after %d: %.0f bytes per idle connection\n", before, after, per)
	for _, c := range conns {
		c.Close()
	}
}

// usedMemory asks the server for INFO and returns its used_memory.
func usedMemory(c net.Conn, br *bufio.Reader) int64 {
	if _, err := c.Write([]byte("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n")); err != nil {
		log.Fatal(err)
	}
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "$") {
		log.Fatalf("INFO: %q %v", line, err)
	}
	size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	body := make([]byte, size+2)
	if _, err := io.ReadFull(br, body); err != nil {
		log.Fatal(err)
	}
	for _, l := range strings.Split(string(body), "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	log.Fatalf("INFO has no used_memory")
	return 0
}
