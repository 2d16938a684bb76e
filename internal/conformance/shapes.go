package conformance

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// This file holds the result shapes of async bodies that suspend, bodies
// that end in a terminating statement, and a user's future that happens to
// have an Init method.

var errShape = errors.New("shape")

//asyncgen:async ShapeSlice
func shapeSlice(log *Log, n int) ([]int, error) {
	if runtime.Await(ready(n)) < 0 {
		return nil, errShape
	}
	out := make([]int, n)
	for i := range out {
		out[i] = runtime.Await(After(i%2, i*i))
	}
	log.Add("slice")
	return out, nil
}

//asyncgen:async ShapeMap
func shapeMap(log *Log, n int) (map[string]int, error) {
	m := map[string]int{}
	for i := 0; i < n; i++ {
		m[fmt.Sprint(i)] = runtime.Await(ready(i))
	}
	log.Add("map")
	return m, nil
}

//asyncgen:async ShapePointer
func shapePointer(log *Log, n int) (*int, error) {
	v := runtime.Await(ready(n))
	log.Add("pointer")
	return &v, nil
}

//asyncgen:async ShapeForeign
func shapeForeign(log *Log, s string) (*strings.Builder, error) {
	var b strings.Builder
	b.WriteString(runtime.Await(ready(s)))
	log.Add("foreign")
	return &b, nil
}

//asyncgen:async ShapeDuration
func shapeDuration(log *Log, n int) time.Duration {
	log.Add("duration")
	return time.Duration(runtime.Await(ready(n))) * time.Millisecond
}

//asyncgen:async ShapeGeneric
func shapeGeneric[T any](log *Log, v T, fail bool) (T, error) {
	got := runtime.Await(ready(v))
	log.Add(fmt.Sprint("generic ", got))
	if fail {
		var zero T
		return zero, errShape
	}
	return got, nil
}

//asyncgen:async ShapeNaked
func shapeNaked(log *Log, n int) (v []string, err error) {
	if runtime.Await(ready(n)) < 0 {
		err = errShape
		return
	}
	for i := 0; i < n; i++ {
		v = append(v, fmt.Sprint(runtime.Await(ready(i))))
	}
	log.Add("naked")
	return
}

// Shelf has an async method with named results.
type Shelf struct{ items []string }

//asyncgen:async Take
func (s *Shelf) take(log *Log) (item string, err error) {
	runtime.Await(ready(0))
	if len(s.items) == 0 {
		err = errShape
		return
	}
	item, s.items = s.items[0], s.items[1:]
	log.Add("take " + item)
	return
}

//asyncgen:async EndPanic
func endPanic(log *Log, n int) int {
	log.Add(fmt.Sprint("got ", runtime.Await(ready(n))))
	panic(fmt.Sprint("end ", n))
}

//asyncgen:async EndPanicPlain
func endPanicPlain(log *Log, n int) int {
	log.Add("plain")
	panic(fmt.Sprint("end ", n))
}

//asyncgen:async EndFor
func endFor(log *Log, n int) int {
	i := runtime.Await(ready(0))
	for {
		if i >= n {
			return i
		}
		i += runtime.Await(ready(1))
		log.Add(fmt.Sprint("i ", i))
	}
}

//asyncgen:async EndForPlain
func endForPlain(log *Log, n int) (k int) {
	for i := 0; ; i++ {
		for j := 0; j < 3; j++ {
			if j == 1 {
				break // leaves the inner loop only
			}
			log.Add(fmt.Sprint(i, j))
		}
		if i >= n {
			k = i
			return
		}
	}
}

//asyncgen:async EndSelect
func endSelect(log *Log, ch chan int) int {
	log.Add(fmt.Sprint("wait ", runtime.Await(ready(1))))
	select {
	case v := <-ch:
		return v
	case ch <- 7:
		return -1
	}
}

//asyncgen:async EndSwitch
func endSwitch(log *Log, n int) string {
	v := runtime.Await(ready(n))
	switch {
	case v < 0:
		panic("negative")
	case v == 0:
		return "zero"
	default:
		log.Add("positive")
		return fmt.Sprint(v)
	}
}

//asyncgen:async EndSwitchPlain
func endSwitchPlain(log *Log, n int) string {
	log.Add("start")
	switch n % 3 {
	case 0:
		return "zero"
	case 1:
		fallthrough
	default:
		panic(fmt.Sprint("rest ", n))
	}
}

//asyncgen:async EndGoto
func endGoto(log *Log, n int) int {
	i := 0
loop:
	if i >= n {
		return i * 10
	}
	i += runtime.Await(ready(1))
	log.Add(fmt.Sprint("i ", i))
	goto loop
}

//asyncgen:async EndGotoPlain
func endGotoPlain(log *Log, n int) int {
	i := 0
loop:
	if i >= n {
		return i * 10
	}
	i++
	goto loop
}

// Conn is a user's future whose exported Init has nothing to do with how
// Dial builds it.
type Conn struct {
	addr  string
	log   *Log
	polls int
}

// Dial makes a connection future; it logs, so it must run.
func Dial(log *Log, addr string) *Conn {
	log.Add("dial " + addr)
	return &Conn{addr: "tcp://" + addr, log: log, polls: 1}
}

// Init resets the connection's address: not a constructor.
func (c *Conn) Init(log *Log, addr string) {
	log.Add("init " + addr)
	c.addr = "init://" + addr
}

// Poll implements runtime.Future: pending once, then the address.
func (c *Conn) Poll(cx *runtime.Context) (string, bool) {
	if c.polls > 0 {
		c.polls--
		cx.Waker().Wake()
		return "", false
	}
	return c.addr, true
}

//asyncgen:async Connect
func connect(log *Log, addr string) string {
	a := runtime.Await(Dial(log, addr))
	b := runtime.Await(Dial(log, addr+"2"))
	return a + " " + b
}

//asyncgen:async Blanks
func blanks(log *Log, s string) string {
	a, _ := strings.CutPrefix(s, "a")
	b, _ := strings.CutSuffix(runtime.Await(ready(a)), "z")
	c, _, _ := strings.Cut(b, ",")
	log.Add(c)
	return c
}

//asyncgen:async SumAll
func sumAll[S ~[]E, E ~int | ~int64](log *Log, s S) E {
	var total E
	for i, x := range s {
		total += x * E(runtime.Await(After(i%2, 1)))
		log.Add(fmt.Sprint(i, x))
	}
	return total
}
