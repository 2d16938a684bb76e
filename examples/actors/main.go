// Command actors runs a rumor spreading through 100,000 actors, each a
// task with a mailbox, on one goroutine with virtual time: an actor that
// hears the rumor for the first time passes it to its ring neighbour and
// to two pseudo-random peers, each after a network delay of its own. The
// simulation is deterministic: the same run every time, in the same
// virtual time, whatever the machine's load.
//
// It also measures the memory one idle actor (task, machine and mailbox)
// holds, against a goroutine blocked on a Go channel as its mailbox.
//
//	go run ./examples/actors [-n 100000]
package main

//go:generate go tool asyncgen

import (
	"flag"
	"fmt"
	goruntime "runtime"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// A Rumor is the message actors pass on.
type Rumor struct {
	From, Hops int
}

// World is the actors' shared state. It is touched only by the tasks of
// one Local, so it needs no lock.
type World struct {
	Inbox    []*runtime.Chan[Rumor]
	Heard    []bool
	Informed int
	MaxHops  int
	Last     time.Time // when the last actor heard the rumor
	Sent     int
}

// mix is a deterministic hash of two numbers.
func mix(a, b int) uint64 {
	x := uint64(a)*0x9e3779b97f4a7c15 ^ uint64(b)*0xc2b2ae3d27d4eb4f
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>29
}

// Fanout is how many actors an informed actor tells.
const Fanout = 3

// Actor waits for messages in its mailbox until it is closed; the first
// time it hears the rumor it passes it on.
//
//asyncgen:async Actor
func actor(w *World, id int) {
	n := len(w.Inbox)
	for {
		m, err := runtime.TryAwait(w.Inbox[id].Recv())
		if err != nil {
			return // the mailbox is closed
		}
		if w.Heard[id] {
			continue
		}
		w.Heard[id] = true
		w.Informed++
		w.MaxHops = max(w.MaxHops, m.Hops)
		w.Last = runtime.Await(runtime.Now())
		for k := 0; k < Fanout; k++ {
			peer := (id + 1) % n // the ring neighbour first, then random peers
			if k > 0 {
				peer = int(mix(id, k) % uint64(n))
			}
			delay := time.Duration(1+mix(peer, id)%50) * time.Millisecond
			runtime.Await(runtime.Sleep(delay))
			w.Sent++
			if err := w.Inbox[peer].TrySend(Rumor{From: id, Hops: m.Hops + 1}); err != nil {
				return
			}
		}
	}
}

// Sim is a world of n actors spawned on a Local with virtual time.
type Sim struct {
	L     *runtime.Local
	W     *World
	Start time.Time
}

// NewSim spawns n idle actors.
func NewSim(n int) *Sim {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := runtime.NewLocal(runtime.WithVirtualTime(start))
	w := &World{Inbox: make([]*runtime.Chan[Rumor], n), Heard: make([]bool, n)}
	for i := range n {
		w.Inbox[i] = runtime.NewLocalUnbounded[Rumor](l)
		runtime.Go(l, Actor(w, i))
	}
	return &Sim{L: l, W: w, Start: start}
}

// Spread tells actor 0 the rumor and runs until every message has been
// delivered and handled, then closes the mailboxes and lets the actors
// return.
func (s *Sim) Spread() {
	s.L.RunUntilStalled() // every actor waits on its mailbox
	if err := s.W.Inbox[0].TrySend(Rumor{From: -1}); err != nil {
		panic(err)
	}
	s.L.RunUntilStalled()
	for _, c := range s.W.Inbox {
		c.Close()
	}
	s.L.Run()
}

// heapAndStacks is the memory in use: heap plus goroutine stacks, after
// collecting garbage.
func heapAndStacks() uint64 {
	goruntime.GC()
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// ActorBytes returns the memory per idle actor: n actors spawned and
// waiting on their mailboxes, the world's own slices excluded.
func ActorBytes(n int) float64 {
	before := heapAndStacks()
	s := NewSim(n)
	s.L.RunUntilStalled()
	per := float64(heapAndStacks()-before) / float64(n)
	goruntime.KeepAlive(s)
	s.Spread()
	return per - float64(8+8+1) // minus the world's slots for the actor
}

// GoroutineBytes returns the memory per idle goroutine actor: a goroutine
// blocked receiving from its own Go channel mailbox.
func GoroutineBytes(n int) float64 {
	before := heapAndStacks()
	inbox := make([]chan Rumor, n)
	done := make(chan struct{}, n)
	for i := range n {
		inbox[i] = make(chan Rumor, 1)
		go func() {
			for range inbox[i] {
			}
			done <- struct{}{}
		}()
	}
	per := float64(heapAndStacks()-before) / float64(n)
	for _, c := range inbox {
		close(c)
	}
	for range n {
		<-done
	}
	return per - 8 // minus the slot in inbox
}

func main() {
	n := flag.Int("n", 100_000, "number of actors")
	flag.Parse()

	t0 := time.Now()
	s := NewSim(*n)
	s.Spread()
	w := s.W
	fmt.Printf("%d actors: %d informed, %d messages, at most %d hops, all informed after %v of virtual time (%v of real time, %d polls)\n",
		*n, w.Informed, w.Sent, w.MaxHops, w.Last.Sub(s.Start), time.Since(t0).Round(time.Millisecond), s.L.Polls())

	a, g := ActorBytes(*n), GoroutineBytes(*n)
	fmt.Printf("memory per idle actor: %.0f bytes as a task, %.0f bytes as a goroutine (%.1fx)\n", a, g, g/a)
}
