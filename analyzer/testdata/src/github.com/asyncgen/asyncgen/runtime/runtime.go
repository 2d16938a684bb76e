// Package runtime is a stand-in for asyncgen's runtime, with the names the
// analyzer's tests use.
package runtime

import "iter"

type Context struct{}

type Future[T any] interface{ Poll(cx *Context) (T, bool) }

type Result[T any] struct {
	Value T
	Err   error
}

type AsyncIterator[T any] interface{ Close() }

func Await[T any](f Future[T]) T                     { var v T; return v }
func TryAwait[T any](f Future[Result[T]]) (T, error) { var v T; return v, nil }
func ForAwait[T any](s AsyncIterator[T]) iter.Seq[T] { return nil }
func BlockOn[T any](f Future[T]) T                   { var v T; return v }

type ReadyFuture[T any] struct{ v T }

func (r *ReadyFuture[T]) Poll(*Context) (T, bool) { return r.v, true }

func Ready[T any](v T) *ReadyFuture[T] { return &ReadyFuture[T]{v} }

type Task[T any] struct{}

func (t *Task[T]) Poll(*Context) (T, bool) { var v T; return v, true }

func Spawn[T any](f Future[T]) *Task[T] { return &Task[T]{} }
