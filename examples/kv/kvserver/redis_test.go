package kvserver_test

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// need returns the path of a Redis tool, skipping the test where it is
// not installed (.ci/install-redis installs it).
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s is not installed (Debian package redis-tools; .ci/install-redis installs it): skipping the test against a real Redis client", tool)
	}
	return p
}

func runTool(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func hostPort(t *testing.T, addr string) (string, string) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// TestRedisCLI runs scripted redis-cli sessions.
func TestRedisCLI(t *testing.T) {
	cli := need(t, "redis-cli")
	script := "PING\nSET a hello\nGET a\nGET nope\nINCR n\nINCR n\nSET x 1 EX 100\nTTL x\n" +
		"DEL a x\nEXISTS a n\nECHO \"two words\"\nBOGUS\nGET\nSET big 12345 PX 100000\nGET big\nQUIT\n"
	want := "PONG\nOK\nhello\n\n1\n2\nOK\n100\n2\n1\ntwo words\nERR unknown command 'BOGUS'\n\n" +
		"ERR wrong number of arguments for 'get' command\n\nOK\n12345\n"
	for _, ex := range []string{"local", "pool"} {
		t.Run(ex, func(t *testing.T) {
			s := start(t, ex, 0)
			h, p := hostPort(t, s.addr)
			if got := runTool(t, script, cli, "-h", h, "-p", p); got != want {
				t.Errorf("session output:\n%s\nwant:\n%s", got, want)
			}
			// One command per invocation, as a shell script would.
			if got := runTool(t, "", cli, "-h", h, "-p", p, "set", "k", "v v"); got != "OK\n" {
				t.Errorf("set: %q", got)
			}
			if got := runTool(t, "", cli, "-h", h, "-p", p, "get", "k"); got != "v v\n" {
				t.Errorf("get: %q", got)
			}
			// --pipe sends a file of commands as fast as it can.
			var b strings.Builder
			for range 1000 {
				b.WriteString("INCR counter\r\n")
			}
			out := runTool(t, b.String(), cli, "-h", h, "-p", p, "--pipe")
			if !strings.Contains(out, "errors: 0, replies: 1000") {
				t.Errorf("--pipe: %s", out)
			}
			if got := runTool(t, "", cli, "-h", h, "-p", p, "get", "counter"); got != "1000\n" {
				t.Errorf("counter after --pipe: %q", got)
			}
		})
	}
}

// TestRedisBenchmark runs a short redis-benchmark, plain and pipelined,
// and checks that its writes are there.
func TestRedisBenchmark(t *testing.T) {
	bench := need(t, "redis-benchmark")
	for _, ex := range []string{"local", "pool"} {
		t.Run(ex, func(t *testing.T) {
			s := start(t, ex, 0)
			h, p := hostPort(t, s.addr)
			for _, pipe := range []string{"1", "16"} {
				out := runTool(t, "", bench, "-h", h, "-p", p, "-q", "-t", "ping,set,get", "-n", "2000", "-c", "20", "-P", pipe)
				for _, test := range []string{"PING_INLINE", "PING_MBULK", "SET", "GET"} {
					if !strings.Contains(out, test+": ") || strings.Contains(out, "WARNING") {
						t.Errorf("-P %s: no %s result, or a warning:\n%s", pipe, test, out)
					}
				}
			}
			c := dial(t, s.addr)
			// Its SETs store a 3-byte value (-d 3) under one key.
			if got := c.do("STRLEN", "key:__rand_int__"); got != ":3" {
				t.Errorf("the benchmark's key: STRLEN gives %s", got)
			}
		})
	}
}
