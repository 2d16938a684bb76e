package runtime

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestBlocking(t *testing.T) {
	before := runtime.NumGoroutine()
	l := NewLocal()
	v, err := RunFuture[int](l, Blocking(func() int { time.Sleep(time.Millisecond); return 3 }))
	if v != 3 || err != nil {
		t.Fatalf("got %d, %v", v, err)
	}
	_, err = RunFuture[int](l, Blocking(func() int { panic("inside") }))
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("panic not surfaced: %v", err)
	}
	ctxErr := make(chan error, 1)
	f := BlockingContext(context.Background(), func(ctx context.Context) (int, error) {
		<-ctx.Done()
		ctxErr <- ctx.Err()
		return 0, ctx.Err()
	})
	r, _ := RunFuture(l, Timeout[Result[int]](f, 5*time.Millisecond))
	if r.Err != ErrTimeout || <-ctxErr != context.Canceled {
		t.Fatalf("timeout %v", r.Err)
	}
	checkGoroutines(t, before)
}

func TestFromChan(t *testing.T) {
	before := runtime.NumGoroutine()
	ch := make(chan int)
	go func() {
		for i := range 50 {
			ch <- i
		}
		close(ch)
	}()
	got, _ := RunFuture(NewLocal(), Collect[int](FromChan(ch)))
	if len(got) != 50 || got[49] != 49 {
		t.Fatalf("got %v", got)
	}
	// closing a stream whose goroutine waits stops it
	idle := make(chan int)
	s := FromChan(idle)
	if _, st := s.PollNext(NewContext(nil)); st != Pending {
		t.Fatal("not pending")
	}
	s.Close()
	checkGoroutines(t, before)
}

func TestValues(t *testing.T) {
	s := &countingStream{id: 1, n: 10}
	var got []int
	for v := range Values[int](s) {
		got = append(got, v)
		if len(got) == 3 {
			break
		}
	}
	if !slices.Equal(got, []int{1, 1, 1}) || !s.closed {
		t.Fatalf("got %v, closed %v", got, s.closed)
	}
}
