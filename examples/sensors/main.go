// Command sensors is an async pipeline: sensors that read on timers are
// merged into one stream, sent over a channel to a consumer that checks
// each reading against a limit and a silence timeout, and the whole run is
// canceled through a context.Context, by the consumer's error or from
// outside.
//
//	go run ./examples/sensors
package main

//go:generate go tool asyncgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// A Sensor reads every Period, Count times.
type Sensor struct {
	Name   string
	Period time.Duration
	Count  int
}

// Reading is one measurement.
type Reading struct {
	Sensor string
	Seq    int
	At     time.Duration // since the start of the run
	Value  int
}

// value is the deterministic measurement of sensor name at seq.
func value(name string, seq int) int {
	h := 17
	for _, c := range name {
		h = h*31 + int(c)
	}
	return (h + seq*seq*7) % 100
}

// ErrSilent is the error of a consumer that heard nothing for too long.
var ErrSilent = errors.New("no reading in time")

// Read yields a sensor's readings on a fixed grid of its period from
// start.
//
//asyncgen:stream Read
func read(s Sensor, start time.Time, yield func(Reading) bool) {
	for i := 0; i < s.Count; i++ {
		at := time.Duration(i+1) * s.Period
		runtime.Await(runtime.SleepUntil(start.Add(at)))
		if !yield(Reading{Sensor: s.Name, Seq: i, At: at, Value: value(s.Name, i)}) {
			return
		}
	}
}

// Produce merges the sensors' streams and sends the readings on out, until
// the streams end, out is closed by the consumer, or ctx is done. It closes
// out when it stops.
//
//asyncgen:async Produce
func produce(ctx context.Context, out *runtime.Chan[Reading], sensors []Sensor, start time.Time) error {
	defer out.Close()
	var streams []runtime.AsyncIterator[Reading]
	for _, s := range sensors {
		streams = append(streams, Read(s, start))
	}
	m := runtime.Merge(streams...)
	defer m.Close()
	for {
		item, err := runtime.TryAwait(runtime.UntilDone(ctx, runtime.NextItem(m)))
		if err != nil {
			return err
		}
		if !item.OK {
			return nil
		}
		if err := runtime.Await(out.Send(item.Value)); err != nil {
			return nil // the consumer stopped
		}
	}
}

// Summary is what the consumer saw.
type Summary struct {
	Readings int
	PerSense map[string]int
	Max      Reading
	Last     time.Duration
}

// Consume receives readings until the channel closes. It fails when a
// reading is over limit, when nothing arrives within silence, or when ctx
// is done; whichever way it stops, it cancels cancel's context and closes
// in, which stops the producer.
//
//asyncgen:async Consume
func consume(ctx context.Context, cancel context.CancelFunc, in *runtime.Chan[Reading], limit int, silence time.Duration) (Summary, error) {
	defer cancel()
	defer in.Close()
	sum := Summary{PerSense: map[string]int{}}
	for {
		r, err := runtime.TryAwait(runtime.TryUntilDone(ctx, runtime.TryTimeout(in.Recv(), silence)))
		switch {
		case err == runtime.ErrClosed:
			// The producer stopped: at the streams' end, or because ctx
			// is done.
			return sum, context.Cause(ctx)
		case err == runtime.ErrTimeout:
			return sum, fmt.Errorf("after %v: %w", sum.Last, ErrSilent)
		case err != nil:
			return sum, err
		}
		sum.Readings++
		sum.PerSense[r.Sensor]++
		sum.Last = r.At
		if r.Value > sum.Max.Value || sum.Readings == 1 {
			sum.Max = r
		}
		if r.Value > limit {
			return sum, fmt.Errorf("%s #%d at %v: %d over the limit %d", r.Sensor, r.Seq, r.At, r.Value, limit)
		}
	}
}

// Monitor runs the producer and the consumer side by side and returns the
// consumer's summary and error. When the consumer stops first, the
// producer is canceled on the spot (its defers close the streams and the
// channel); when the producer ends first, the consumer drains the channel.
// Canceling ctx stops the run.
//
//asyncgen:async Monitor
func monitor(ctx context.Context, sensors []Sensor, limit int, silence time.Duration) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := runtime.Await(runtime.Now())
	ch := runtime.NewChan[Reading](4)
	fs := []runtime.Future[runtime.Result[Summary]]{
		runtime.Map(runtime.Future[error](Produce(ctx, ch, sensors, start)), runtime.Err[Summary]),
		Consume(ctx, cancel, ch, limit, silence),
	}
	first := runtime.Await(runtime.WaitAny(fs...))
	if first.Index == 1 {
		runtime.Cancel(fs[0])
		return first.Value.Unpack()
	}
	return runtime.TryAwait(fs[1])
}

// Sensors is the set the program and its tests run.
var Sensors = []Sensor{
	{"north", 7 * time.Millisecond, 10},
	{"south", 11 * time.Millisecond, 10},
	{"east", 13 * time.Millisecond, 10},
}

func report(what string, s Summary, err error) {
	fmt.Printf("%s: %d readings (north %d, south %d, east %d), last at %v, max %s #%d = %d",
		what, s.Readings, s.PerSense["north"], s.PerSense["south"], s.PerSense["east"],
		s.Last, s.Max.Sensor, s.Max.Seq, s.Max.Value)
	if err != nil {
		fmt.Printf("; stopped: %v", err)
	}
	fmt.Println()
}

func main() {
	virtual := func() *runtime.Local { return runtime.NewLocal(runtime.WithVirtualTime(time.Unix(0, 0))) }

	// The full run, on virtual time: 130ms of sensor time in microseconds.
	r, err := runtime.RunFuture(virtual(), Monitor(context.Background(), Sensors, 100, 50*time.Millisecond))
	report("all", r.Value, errors.Join(err, r.Err))

	// A lower limit: the consumer fails, which cancels the producer.
	r, err = runtime.RunFuture(virtual(), Monitor(context.Background(), Sensors, 90, 50*time.Millisecond))
	report("limit 90", r.Value, errors.Join(err, r.Err))

	// A short silence timeout with one slow sensor.
	slow := []Sensor{{"north", 10 * time.Millisecond, 3}, {"south", 60 * time.Millisecond, 2}}
	r, err = runtime.RunFuture(virtual(), Monitor(context.Background(), slow, 100, 20*time.Millisecond))
	report("silence 20ms", r.Value, errors.Join(err, r.Err))

	// Canceled from outside, on the real clock: contexts run in real time,
	// so this run uses a Local with the real clock too.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	r, err = runtime.RunFuture(runtime.NewLocal(), Monitor(ctx, Sensors, 100, 50*time.Millisecond))
	report("context deadline 40ms (real time)", r.Value, errors.Join(err, r.Err))
	if !errors.Is(r.Err, context.DeadlineExceeded) {
		os.Exit(1)
	}
}
