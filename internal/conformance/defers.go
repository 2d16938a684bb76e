package conformance

import (
	"errors"
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:async Defers
func defers(log *Log, n int) (out string) {
	defer log.Add("first deferred")
	defer func() {
		log.Add(fmt.Sprint("closure sees ", out))
		out += "!"
	}()
	for i := 0; i < n; i++ {
		defer log.Add(fmt.Sprint("loop ", i))
		runtime.Await(ready(i))
	}
	defer func(k int) { log.Add(fmt.Sprint("arg ", k)) }(n * 2)
	runtime.Await(ready(0))
	return fmt.Sprint("ret", n)
}

func handle(log *Log, err *error) {
	if r := recover(); r != nil {
		log.Add(fmt.Sprint("helper recovered ", r))
		*err = fmt.Errorf("recovered: %v", r)
	}
}

//asyncgen:async Recovers
func recovers(log *Log, n int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Add(fmt.Sprint("recovered ", r))
			v = -1
			err = fmt.Errorf("%v", r)
		}
	}()
	defer log.Add("deferred before panic")
	v = runtime.Await(ready(n))
	if v > 2 {
		panic(fmt.Sprint("too big ", v))
	}
	runtime.Await(ready(0))
	return v * 2, nil
}

//asyncgen:async Panics
func panics(log *Log, n int) int {
	defer log.Add("deferred")
	runtime.Await(ready(0))
	if n > 0 {
		panic(errors.New("boom"))
	}
	return n
}

//asyncgen:async DeferPanics
func deferPanics(log *Log) (s string) {
	defer func() {
		r := recover()
		log.Add(fmt.Sprint("outer recovered ", r))
		s = fmt.Sprint(r)
	}()
	defer func() {
		panic("from defer")
	}()
	runtime.Await(ready(0))
	return "normal"
}

// Gate is a future that stays pending until Open; it records cancellation.
type Gate struct {
	open     bool
	Canceled bool
	waker    runtime.Waker
}

func (g *Gate) Poll(cx *runtime.Context) (int, bool) {
	if g.open {
		return 1, true
	}
	g.waker = cx.Waker()
	return 0, false
}

func (g *Gate) Cancel() { g.Canceled = true }

//asyncgen:async Cancellable
func cancellable(log *Log, g *Gate) int {
	defer log.Add("cleanup 1")
	runtime.Await(ready(0))
	defer log.Add("cleanup 2")
	v := runtime.Await[int](g)
	log.Add("never after cancel")
	return v
}

//asyncgen:async HelperRecovers
func helperRecovers(log *Log, n int) (v int, err error) {
	defer handle(log, &err)
	defer log.Add(fmt.Sprint("deferred with ", n))
	v = runtime.Await(ready(n))
	if v > 1 {
		panic(fmt.Sprint("bad ", v))
	}
	return v, nil
}
