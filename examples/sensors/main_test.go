package main

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

type outcome struct {
	sum     Summary
	err     string
	elapsed time.Duration
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// onVirtual runs Monitor as a machine on a Local with virtual time.
func onVirtual(ctx context.Context, sensors []Sensor, limit int, silence time.Duration) outcome {
	l := runtime.NewLocal(runtime.WithVirtualTime(time.Unix(0, 0)))
	start := l.Now()
	r, err := runtime.RunFuture(l, Monitor(ctx, sensors, limit, silence))
	if err != nil {
		panic(err)
	}
	return outcome{r.Value, errString(r.Err), l.Now().Sub(start)}
}

var cases = []struct {
	name     string
	sensors  []Sensor
	limit    int
	silence  time.Duration
	readings int
	err      string
	elapsed  time.Duration
}{
	{"all", Sensors, 100, 50 * time.Millisecond, 30, "", 130 * time.Millisecond},
	{"limit", Sensors, 90, 50 * time.Millisecond, 8, "north #3 at 28ms: 95 over the limit 90", 28 * time.Millisecond},
	{"silence", []Sensor{{"north", 10 * time.Millisecond, 3}, {"south", 60 * time.Millisecond, 2}}, 100, 20 * time.Millisecond,
		3, "after 30ms: no reading in time", 50 * time.Millisecond},
}

func TestVirtualTime(t *testing.T) {
	for _, c := range cases {
		got := onVirtual(context.Background(), c.sensors, c.limit, c.silence)
		if got.sum.Readings != c.readings || got.err != c.err || got.elapsed != c.elapsed {
			t.Errorf("%s: %d readings, error %q, after %v; want %d, %q, %v",
				c.name, got.sum.Readings, got.err, got.elapsed, c.readings, c.err, c.elapsed)
		}
	}
}

// TestSynctest runs the same bodies inside a testing/synctest bubble, two
// ways: called directly (plain blocking Go: Await blocks the goroutine and
// timers are the bubble's fake timers) and as a machine on a Local with the
// real clock (which, in a bubble, is the fake clock). Both agree with the
// machine on virtual time, to the nanosecond.
func TestSynctest(t *testing.T) {
	for _, c := range cases {
		want := onVirtual(context.Background(), c.sensors, c.limit, c.silence)
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			sum, err := monitor(context.Background(), c.sensors, c.limit, c.silence)
			direct := outcome{sum, errString(err), time.Since(start)}
			if !reflect.DeepEqual(direct, want) {
				t.Errorf("%s: direct in a bubble %+v, on virtual time %+v", c.name, direct, want)
			}

			start = time.Now()
			r, err := runtime.RunFuture(runtime.NewLocal(), Monitor(context.Background(), c.sensors, c.limit, c.silence))
			if err != nil {
				t.Fatal(err)
			}
			machine := outcome{r.Value, errString(r.Err), time.Since(start)}
			if !reflect.DeepEqual(machine, want) {
				t.Errorf("%s: machine in a bubble %+v, on virtual time %+v", c.name, machine, want)
			}
		})
	}
}

// In a bubble a context's deadline is on the fake clock too, so
// cancellation through a context is as deterministic as the timers: the
// run stops exactly at the deadline.
func TestSynctestContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
		defer cancel()
		start := time.Now()
		r, err := runtime.RunFuture(runtime.NewLocal(), Monitor(ctx, Sensors, 100, 50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		// Readings at or before 39ms: north 7..35 (5), south 11..33 (3),
		// east 13..39 (3).
		if !errors.Is(r.Err, context.DeadlineExceeded) || r.Value.Readings != 11 || time.Since(start) != 40*time.Millisecond {
			t.Fatalf("%d readings, %v, after %v", r.Value.Readings, r.Err, time.Since(start))
		}
	})
}

// On a Local with virtual time a context's deadline stays on the real
// clock: the whole virtual run finishes before it.
func TestVirtualTimeContextDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	got := onVirtual(ctx, Sensors, 100, 50*time.Millisecond)
	if got.sum.Readings != 30 || got.err != "" {
		t.Fatalf("%+v", got)
	}
	// An already canceled context stops the run at once.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	got = onVirtual(done, Sensors, 100, 50*time.Millisecond)
	if got.sum.Readings != 0 || got.err != context.Canceled.Error() || got.elapsed != 0 {
		t.Fatalf("canceled: %+v", got)
	}
}

// TestProgram runs the program (which exits with status 1 if the run on
// the real clock does not end at its context's deadline).
func TestProgram(t *testing.T) {
	main()
}
