package conformance

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asyncgen/asyncgen/runtime"
)

func note[T any](log *Log, s string, v T) T {
	log.Add(fmt.Sprint(s, "=", v))
	return v
}

type point struct{ X, Y int }

func (p point) Sum(k int) int  { return p.X + p.Y + k }
func (p *point) Scale(k int)   { p.X *= k; p.Y *= k }
func (p point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }
func three(a, b, c int) string { return fmt.Sprint(a, b, c) }
func pair(a int) (int, error)  { return a, nil }
func getPoint(log *Log) *point { log.Add("getPoint"); return &point{1, 2} }
func failing(n int) runtime.Future[runtime.Result[int]] {
	if n < 0 {
		return ready(runtime.Err[int](errors.New("negative")))
	}
	return ready(runtime.Ok(n * 10))
}

//asyncgen:async Order
func order(log *Log, n int) string {
	x := 1
	// a() runs before the suspension, b() after it; x is read after the calls.
	s := three(note(log, "a", x), runtime.Await(ready(note(log, "await", 2))), note(log, "b", 3))
	log.Add(s)
	ok := note(log, "l", n > 0) && runtime.Await(ready(note(log, "r", n > 1)))
	ok2 := note(log, "l2", n > 0) || runtime.Await(ready(note(log, "r2", true)))
	log.Add(fmt.Sprint(ok, ok2))
	p := point{X: runtime.Await(ready(n)), Y: note(log, "y", 7)}
	arr := []int{note(log, "e0", 0), runtime.Await(ready(1)), 2}
	m := map[string]int{"k" + strconv.Itoa(runtime.Await(ready(n))): 1}
	idx := arr[runtime.Await(ready(1))] + arr[:runtime.Await(ready(2))][0]
	r := getPoint(log).Sum(runtime.Await(ready(100)))
	f := float64(runtime.Await(ready(n))) / 2
	str := fmt.Sprint(p, arr, m, idx, r, f, runtime.Await(ready(p)).String())
	var a, b = runtime.Await(ready(1)), note(log, "b", 2)
	a, b = b+runtime.Await(ready(10)), a
	arr[runtime.Await(ready(0))] += runtime.Await(ready(5))
	arr[0]++
	x += runtime.Await(ready(x))
	return fmt.Sprint(str, a, b, arr, x)
}

//asyncgen:async Results
func results(log *Log, n int) (v int, err error) {
	v, err = runtime.TryAwait(failing(n))
	if err != nil {
		return 0, fmt.Errorf("wrapped: %w", err)
	}
	w, err := runtime.TryAwait(failing(v))
	log.Add(fmt.Sprint("w", w))
	if n == 2 {
		v = w + 1
		return
	}
	log.Add(fmt.Sprint(pair(runtime.Await(ready(7)))))
	return runtime.TryAwait(failing(n + 1))
}

//asyncgen:async NoResult
func noResult(log *Log) {
	log.Add(fmt.Sprint(runtime.Await(ready("x"))))
	if len(log.Items) > 5 {
		return
	}
	runtime.Await(ready(0))
	log.Add("end")
}

//asyncgen:async Shadow
func shadow(log *Log, n int) int {
	const k = 3
	type local struct{ A, B int }
	x := n
	{
		x := x * 2
		x += runtime.Await(ready(k))
		log.Add(fmt.Sprint("inner ", x))
	}
	if x := x + 100; x > 0 {
		log.Add(fmt.Sprint("if ", x, runtime.Await(ready(x))))
	}
	l := local{A: x, B: runtime.Await(ready(k * 2))}
	var err error
	for i := 0; i < 2; i++ {
		err := fmt.Errorf("e%d", i)
		_ = runtime.Await(ready(err))
		log.Add(err.Error())
	}
	log.Add(fmt.Sprint(err))
	return l.A + l.B
}
