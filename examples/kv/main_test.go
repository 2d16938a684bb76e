package main

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"testing"
)

// One DB behind every executor of -exec loops: what a connection on one
// loop sets, connections on the others read, whichever loop the kernel
// gives them to.
func TestLoopsShareTheDB(t *testing.T) {
	ls, done, err := startLoops("127.0.0.1:0", 2)
	if err != nil {
		t.Fatal(err)
	}
	addr := ls[0].Addr().String()
	const n = 40
	cmd := func(c net.Conn, r *bufio.Reader, args ...string) string {
		req := fmt.Sprintf("*%d\r\n", len(args))
		for _, a := range args {
			req += fmt.Sprintf("$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := c.Write([]byte(req)); err != nil {
			t.Error(err)
			return ""
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Error(err)
			return ""
		}
		if line[0] == '$' && line != "$-1\r\n" {
			v, _ := r.ReadString('\n')
			return v[:len(v)-2]
		}
		return line[:len(line)-2]
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			if got := cmd(c, r, "SET", fmt.Sprint("k", i), fmt.Sprint("v", i)); got != "+OK" {
				t.Errorf("SET: %q", got)
			}
			if got := cmd(c, r, "INCR", "counter"); got[0] != ':' {
				t.Errorf("INCR: %q", got)
			}
		})
	}
	wg.Wait()
	// Fresh connections, spread over the loops again, read every key.
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		if got := cmd(c, r, "GET", fmt.Sprint("k", i)); got != fmt.Sprint("v", i) {
			t.Errorf("GET k%d: %q", i, got)
		}
		if got := cmd(c, r, "GET", "counter"); got != fmt.Sprint(n) {
			t.Errorf("GET counter: %q, want %d", got, n)
		}
		c.Close()
	}
	for _, l := range ls {
		l.Close()
	}
	for range ls {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
