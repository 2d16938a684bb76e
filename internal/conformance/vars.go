package conformance

import (
	"fmt"

	"github.com/asyncgen/asyncgen/runtime"
)

//asyncgen:async Pointers
func pointers(log *Log, n int) int {
	x := n
	p := &x
	arr := [4]int{1, 2, 3, 4}
	s := arr[1:3]
	pt := point{1, 2}
	runtime.Await(ready(0))
	*p += 10
	s[0] = 99
	pt.Scale(runtime.Await(ready(3)))
	log.Add(fmt.Sprint(x, arr, pt))
	inc := func() { x++ }
	inc()
	runtime.Await(ready(0))
	inc()
	log.Add(fmt.Sprint(x, *p))
	return x
}

//asyncgen:async Closures
func closures(log *Log, n int) int {
	var fs []func() int
	var ps []*int
	for i := 0; i < n; i++ {
		fs = append(fs, func() int { return i * 10 })
		ps = append(ps, &i)
		runtime.Await(ready(i))
		i++
		log.Add(fmt.Sprint("i=", i))
	}
	for _, v := range []int{7, 8} {
		j := v
		fs = append(fs, func() int { return v + j })
		runtime.Await(ready(0))
		j++
	}
	total := 0
	for _, f := range fs {
		total += f()
	}
	for _, p := range ps {
		total += *p * 1000
	}
	counter := 0
	bump := func() int { counter++; return counter }
	for k := 0; k < 3; k++ {
		runtime.Await(ready(bump()))
	}
	return total + counter
}

// Stack is a generic stack used by methods.
type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

//asyncgen:async PushAll
func (s *Stack[T]) pushAll(log *Log, vs ...T) int {
	for _, v := range vs {
		s.Push(runtime.Await(ready(v)))
		log.Add(fmt.Sprint(v))
	}
	return len(s.items)
}

//asyncgen:async MapAsync
func mapAsync[T, U any](xs []T, f func(T) runtime.Future[U]) []U {
	var out []U
	for _, x := range xs {
		out = append(out, runtime.Await(f(x)))
	}
	return out
}

// Client is a receiver for a method machine.
type Client struct{ prefix string }

//asyncgen:async Get
func (c *Client) get(key string) (string, error) {
	n, err := runtime.TryAwait(failing(len(key)))
	if err != nil {
		return "", err
	}
	return c.prefix + key + fmt.Sprint(n), nil
}

//asyncgen:async Nested
func nested(log *Log, c *Client) string {
	s, err := runtime.TryAwait(c.Get("abc"))
	log.Add(s)
	if err != nil {
		return "error"
	}
	sum := runtime.Await(Sum(log, []int{1, 2}, 1))
	vs := runtime.Await(MapAsync([]int{1, 2, 3}, func(x int) runtime.Future[string] { return ready(fmt.Sprint(x * x)) }))
	return fmt.Sprint(s, sum, vs)
}
