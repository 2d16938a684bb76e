package main

import (
	"testing"
	"time"
)

func TestSpread(t *testing.T) {
	n := 20_000
	if testing.Short() || raceEnabled {
		n = 2_000
	}
	var first *World
	var firstPolls uint64
	for run := range 2 {
		s := NewSim(n)
		s.Spread()
		w := s.W
		if w.Informed != n || w.Sent != Fanout*n || s.L.Len() != 0 {
			t.Fatalf("run %d: %d of %d informed, %d messages, %d tasks left", run, w.Informed, n, w.Sent, s.L.Len())
		}
		for id, h := range w.Heard {
			if !h {
				t.Fatalf("actor %d never heard", id)
			}
		}
		if w.Last.Sub(s.Start) <= 0 || w.Last.Sub(s.Start) > time.Duration(n)*50*time.Millisecond {
			t.Fatalf("finished at %v", w.Last.Sub(s.Start))
		}
		// Deterministic: the second run is the first, poll for poll.
		if run == 0 {
			first, firstPolls = w, s.L.Polls()
		} else if w.Last != first.Last || w.MaxHops != first.MaxHops || s.L.Polls() != firstPolls {
			t.Fatalf("runs differ: %v/%d/%d and %v/%d/%d", first.Last, first.MaxHops, firstPolls, w.Last, w.MaxHops, s.L.Polls())
		}
	}
}

func TestMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures 100,000 actors (not with -short or -race)")
	}
	a, g := ActorBytes(100_000), GoroutineBytes(100_000)
	if a <= 0 || a >= g {
		t.Fatalf("actor %.0f bytes, goroutine %.0f bytes", a, g)
	}
}

func TestProgram(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs 100,000 actors (not with -short or -race)")
	}
	main()
}

// BenchmarkIdleActor reports the memory per idle actor (bytes/actor): n
// actors spawned and waiting on their mailboxes, as tasks on a Local and
// as goroutines blocked on Go channels.
func BenchmarkIdleActor(b *testing.B) {
	const n = 100_000
	b.Run("task", func(b *testing.B) {
		var per float64
		for b.Loop() {
			per = ActorBytes(n)
		}
		b.ReportMetric(per, "bytes/actor")
	})
	b.Run("goroutine", func(b *testing.B) {
		var per float64
		for b.Loop() {
			per = GoroutineBytes(n)
		}
		b.ReportMetric(per, "bytes/actor")
	})
}

// BenchmarkSpread reports the real time to run the whole rumor through
// 100,000 actors (ns/op) on virtual time.
func BenchmarkSpread(b *testing.B) {
	for b.Loop() {
		s := NewSim(100_000)
		s.Spread()
	}
}
