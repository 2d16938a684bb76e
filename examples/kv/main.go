// Command kv is a Redis-protocol key-value server (see package kvserver)
// whose connections are asyncgen machines on one executor:
//
//	go run ./examples/kv -addr 127.0.0.1:6380            # on a Local executor
//	go run ./examples/kv -addr 127.0.0.1:6380 -exec pool # on a Pool
//	go run ./examples/kv -addr 127.0.0.1:6380 -exec loops # a Local per core
//	redis-cli -p 6380 set greeting hello
//
// -exec goroutine serves the same commands the usual Go way instead (a
// goroutine per connection), the anchor of the benchmarks.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/pprof"

	"github.com/asyncgen/asyncgen/examples/kv/internal/gokv"
	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6380", "address to listen on")
	exec := flag.String("exec", "local", "how to run connections: local (one Local executor), loops (a Local executor per core, each with a listener of its own on the address, SO_REUSEPORT), pool (a Pool), goroutine (a goroutine each, net package)")
	workers := flag.Int("workers", 0, "workers of -exec pool, executors of -exec loops (0: GOMAXPROCS)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until interrupted")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("kv: ")
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	if *exec == "goroutine" {
		l, err := net.Listen("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "kv: listening on %s (goroutine per connection)\n", l.Addr())
		s := &gokv.Server{DB: kvserver.NewDB()}
		go func() { waitSignal(); l.Close() }()
		if err := s.Serve(l); err != nil {
			log.Fatal(err)
		}
		return
	}

	if *exec == "loops" {
		serveLoops(*addr, *workers)
		return
	}
	l, err := anet.Listen(*addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "kv: listening on %s (%s executor)\n", l.Addr(), *exec)
	go func() { waitSignal(); l.Close() }()
	s := kvserver.NewServer()
	switch *exec {
	case "local":
		ex := runtime.NewLocal()
		if _, err := runtime.RunFuture(ex, s.Serve(ex, l)); err != nil {
			log.Fatal(err)
		}
	case "pool":
		ex := runtime.NewPool(*workers)
		if _, err := runtime.Spawn(ex, s.Serve(ex, l)).Join(); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown -exec %q", *exec)
	}
}

// serveLoops serves addr on n Local executors (GOMAXPROCS if n <= 0) until
// interrupted.
func serveLoops(addr string, n int) {
	ls, done, err := startLoops(addr, n)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "kv: listening on %s (%d Local executors)\n", ls[0].Addr(), len(ls))
	go func() {
		waitSignal()
		for _, l := range ls {
			l.Close()
		}
	}()
	for range ls {
		if err := <-done; err != nil {
			log.Fatal(err)
		}
	}
}

// startLoops starts serving addr on n Local executors (GOMAXPROCS if n <=
// 0), one goroutine each, as an event loop per core: every executor has its
// own listener on the address and the kernel spreads the connections among
// them. They share the server (its DB is locked). Each executor's end
// (its listener closed) is sent on done.
func startLoops(addr string, n int) (ls []*anet.Listener, done <-chan error, err error) {
	if n <= 0 {
		n = goruntime.GOMAXPROCS(0)
	}
	for len(ls) < n {
		a := addr
		if len(ls) > 0 {
			a = ls[0].Addr().String() // the port the first one got
		}
		l, err := anet.ListenReusePort(a)
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, nil, err
		}
		ls = append(ls, l)
	}
	s := kvserver.NewServer()
	errs := make(chan error, n)
	for _, l := range ls {
		go func() {
			ex := runtime.NewLocal()
			_, err := runtime.RunFuture(ex, s.Serve(ex, l))
			errs <- err
		}()
	}
	return ls, errs, nil
}

func waitSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	<-c
}
