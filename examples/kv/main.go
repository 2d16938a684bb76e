// Command kv is a Redis-protocol key-value server (see package kvserver)
// whose connections are asyncgen machines on one executor:
//
//	go run ./examples/kv -addr 127.0.0.1:6380            # on a Local executor
//	go run ./examples/kv -addr 127.0.0.1:6380 -exec pool # on a Pool
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
	"runtime/pprof"

	"github.com/asyncgen/asyncgen/examples/kv/internal/gokv"
	"github.com/asyncgen/asyncgen/examples/kv/kvserver"
	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6380", "address to listen on")
	exec := flag.String("exec", "local", "how to run connections: local (one Local executor), pool (a Pool), goroutine (a goroutine each, net package)")
	workers := flag.Int("workers", 0, "workers of -exec pool (0: GOMAXPROCS)")
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
		if _, err := runtime.Spawn(ex, s.Serve(ex, l)).Wait(); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown -exec %q", *exec)
	}
}

func waitSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	<-c
}
