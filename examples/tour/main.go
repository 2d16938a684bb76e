// Command tour runs the examples: each body once as a state machine on the
// deterministic executor with virtual time, and once directly as plain
// blocking Go, and shows that both give the same answer.
package main

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/asyncgen/asyncgen/examples/fetch"
	"github.com/asyncgen/asyncgen/examples/pipeline"
	"github.com/asyncgen/asyncgen/runtime"
)

func store() *fetch.Store {
	return &fetch.Store{
		Latency: 10 * time.Millisecond,
		Data: map[string]string{
			"a": "->b", "b": "->c", "c": "gold",
			"x": "->y", "y": "->x",
			"plain": "value",
		},
	}
}

func main() {
	keys := []string{"a", "plain", "x", "missing"}

	// As a machine: one goroutine, virtual time, all resolutions concurrent.
	l := runtime.NewLocal(runtime.WithVirtualTime(time.Unix(0, 0)))
	s := store()
	start := l.Now()
	got, err := runtime.RunFuture(l, fetch.ResolveAll(s, keys))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("fetch, as a state machine:")
	for _, line := range got {
		fmt.Println("  ", line)
	}
	fmt.Printf("   %d reads in %v of virtual time (concurrent)\n", s.Reads, l.Now().Sub(start))

	// Directly: the same body as blocking Go.
	d := store()
	t0 := time.Now()
	var direct []string
	for _, k := range keys {
		v, err := fetch.ResolveDirect(d, k, 5)
		if err != nil {
			direct = append(direct, fmt.Sprintf("%s: error: %v", k, err))
		} else {
			direct = append(direct, fmt.Sprintf("%s = %s", k, v))
		}
	}
	fmt.Printf("fetch, directly: %d reads in %v of real time (one at a time)\n", d.Reads, time.Since(t0).Round(10*time.Millisecond))
	if !reflect.DeepEqual(got, direct) {
		fmt.Println("MISMATCH:", direct)
		os.Exit(1)
	}
	fmt.Println("   same results")
	for _, run := range extra {
		if !run() {
			os.Exit(1)
		}
	}
}

// extra lists the other examples, run after fetch.
var extra []func() bool

func init() { extra = append(extra, pipelineTour) }

// pipelineTour runs the generator → stream → for-await pipeline as machines
// on the deterministic executor, and directly.
func pipelineTour() bool {
	var t *pipeline.Tree
	for _, w := range strings.Fields("the quick brown fox jumps over the lazy dog") {
		t = t.Insert(w)
	}
	l := runtime.NewLocal(runtime.WithVirtualTime(time.Unix(0, 0)))
	start := l.Now()
	got, err := runtime.RunFuture(l, pipeline.Collect(pipeline.Lengths(pipeline.Walk(t), time.Second), 3))
	if err != nil {
		fmt.Println("error:", err)
		return false
	}
	fmt.Println("pipeline, as state machines (generator → stream → for-await):")
	fmt.Println("   first 3:", got.First)
	fmt.Println("   the rest:", got.Rest)
	fmt.Printf("   %v of virtual time\n", l.Now().Sub(start))
	direct := pipeline.CollectDirect(t, time.Millisecond, 3)
	if !reflect.DeepEqual(got, direct) {
		fmt.Println("MISMATCH:", direct)
		return false
	}
	fmt.Println("   same results directly")
	return true
}
