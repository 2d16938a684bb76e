// Package plain holds annotated bodies without a suspension point, in a
// package that does not import the runtime: every result shape an async
// body may have, each lowered with nothing to await.
package plain

//go:generate go tool asyncgen

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Log records effects in order.
type Log struct{ Items []string }

func (l *Log) Add(s string) { l.Items = append(l.Items, s) }

var errNeg = errors.New("negative")

//asyncgen:async Nothing
func nothing(l *Log, n int) {
	if n < 0 {
		l.Add("negative")
		return
	}
	l.Add(fmt.Sprint("n=", n))
}

//asyncgen:async Basic
func basic(l *Log, n int) int {
	l.Add("basic")
	return n * 2
}

//asyncgen:async BasicErr
func basicErr(l *Log, n int) (int, error) {
	if n < 0 {
		return 0, errNeg
	}
	l.Add("basicErr")
	return n + 1, nil
}

//asyncgen:async Slice
func slice(l *Log, n int) ([]int, error) {
	if n < 0 {
		return nil, errNeg
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i * i
	}
	l.Add("slice")
	return out, nil
}

//asyncgen:async Map
func mapOf(l *Log, n int) (map[string]int, error) {
	if n < 0 {
		return nil, errNeg
	}
	m := map[string]int{}
	for i := 0; i < n; i++ {
		m[fmt.Sprint(i)] = i
	}
	l.Add("map")
	return m, nil
}

//asyncgen:async Pointer
func pointer(l *Log, n int) (*int, error) {
	if n < 0 {
		return nil, errNeg
	}
	l.Add("pointer")
	return &n, nil
}

//asyncgen:async Foreign
func foreign(l *Log, n int) (time.Duration, error) {
	if n < 0 {
		return 0, errNeg
	}
	l.Add("foreign")
	return time.Duration(n) * time.Second, nil
}

//asyncgen:async ForeignPointer
func foreignPointer(l *Log, s string) (*strings.Builder, error) {
	if s == "" {
		return nil, errNeg
	}
	var b strings.Builder
	b.WriteString(s)
	l.Add("foreignPointer")
	return &b, nil
}

//asyncgen:async Generic
func generic[T any](l *Log, v T, fail bool) (T, error) {
	l.Add(fmt.Sprint("generic ", v))
	if fail {
		var zero T
		return zero, errNeg
	}
	return v, nil
}

//asyncgen:async GenericSlice
func genericSlice[T comparable](l *Log, xs []T, x T) ([]T, error) {
	var out []T
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	l.Add("genericSlice")
	return out, nil
}

//asyncgen:async Named
func named(l *Log, n int) (v []string, err error) {
	if n < 0 {
		err = errNeg
		return v, err
	}
	for i := 0; i < n; i++ {
		v = append(v, fmt.Sprint(i))
	}
	l.Add("named")
	return v, nil
}

//asyncgen:async Naked
func naked(l *Log, n int) (v map[int]bool, err error) {
	v = map[int]bool{}
	if n < 0 {
		err = errNeg
		return
	}
	v[n] = true
	l.Add("naked")
	return
}

//asyncgen:async NakedOne
func nakedOne(l *Log, n int) (v *time.Time) {
	t := time.Unix(int64(n), 0).UTC()
	v = &t
	l.Add("nakedOne")
	return
}

// Counter has async methods.
type Counter struct{ N int }

//asyncgen:async Add
func (c *Counter) add(l *Log, k int) ([]int, error) {
	if k < 0 {
		return nil, errNeg
	}
	c.N += k
	l.Add("add")
	return []int{c.N}, nil
}

//asyncgen:async Get
func (c Counter) get(l *Log) (n int) {
	l.Add("get")
	n = c.N
	return
}

// Stack is a generic type with async methods.
type Stack[T any] struct{ items []T }

//asyncgen:async Push
func (s *Stack[T]) push(l *Log, v T) ([]T, error) {
	s.items = append(s.items, v)
	l.Add(fmt.Sprint("push ", v))
	return s.items, nil
}

//asyncgen:async Pop
func (s *Stack[T]) pop(l *Log) (v T, err error) {
	if len(s.items) == 0 {
		err = errNeg
		return
	}
	v, s.items = s.items[len(s.items)-1], s.items[:len(s.items)-1]
	l.Add("pop")
	return
}

//asyncgen:async Blanks
func blanks(l *Log, s string) string {
	a, _ := strings.CutPrefix(s, "a")
	b, _ := strings.CutSuffix(a, "z")
	c, _, _ := strings.Cut(b, ",")
	l.Add(c)
	return c
}
