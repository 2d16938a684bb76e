package runtime

import (
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"sync"
	"testing"
	"time"
)

// chanWorker sends the values [next, end) on c, or receives from c until
// it is closed, with its future stored inline. It gives up an operation
// (Cancel) after patience pending polls when patience is set (waking
// itself until then), and polls
// every other time through a waker of another type (so a waiting node's
// waker changes under it).
type chanWorker struct {
	c         *Chan[int]
	send      bool
	next, end int
	sf        SendFuture[int]
	rf        RecvFuture[int]
	active    bool
	pending   int
	patience  int
	foreign   bool
	sent      []int // sends that completed
	maybe     []int // sends canceled while waiting (taken or not)
	got       []int // values received
}

// fwdWaker is a waker of a type the runtime does not know.
type fwdWaker struct{ w Waker }

func (f *fwdWaker) Wake() { f.w.Wake() }

func (w *chanWorker) Poll(cx *Context) (int, bool) {
	for {
		if w.send && w.next == w.end {
			return 0, true
		}
		if !w.active {
			if w.send {
				w.sf.Init(w.c, w.next)
			} else {
				w.rf.Init(w.c)
			}
			w.active, w.pending = true, 0
		}
		pcx := cx
		if w.foreign && w.pending%2 == 1 {
			pcx = NewContext(&fwdWaker{cx.Waker()})
		}
		if w.send {
			if err, ok := w.sf.Poll(pcx); ok {
				if err != nil {
					panic(fmt.Sprintf("send %d: %v", w.next, err))
				}
				w.sent = append(w.sent, w.next)
				w.next++
				w.active = false
				continue
			}
		} else {
			if r, ok := w.rf.Poll(pcx); ok {
				w.active = false
				if r.Err != nil {
					return 0, true // closed and drained
				}
				w.got = append(w.got, r.Value)
				continue
			}
		}
		w.pending++
		if w.patience == 0 {
			return 0, false
		}
		if w.pending < w.patience {
			cx.Waker().Wake() // polled again soon: a poll of a waiting node
			return 0, false
		}
		// Give up: a send withdraws its value unless it was taken; a
		// receive passes on a value handed to it.
		if w.send {
			w.sf.Cancel()
			w.maybe = append(w.maybe, w.next)
			w.next++
		} else {
			w.rf.Cancel()
		}
		w.active = false
		cx.Waker().Wake()
		return 0, false
	}
}

// Many senders and receivers on one unbuffered channel, as tasks of a
// Pool or a Local and as goroutines blocking in BlockOn: some give up
// waiting, some are polled with changing wakers, every task is woken
// spuriously. Every completed send's value is received once, no value is
// received twice, and no received value was never sent.
func TestStressUnbufferedChan(t *testing.T) {
	before := goruntime.NumGoroutine()
	const per = 400
	for _, exec := range []string{"local", "pool1", "pool2", "pool4"} {
		t.Run(exec, func(t *testing.T) {
			c := NewChan[int](0)
			r := rand.New(rand.NewPCG(1, uint64(len(exec))))
			var workers []*chanWorker
			value := 0
			// More senders than receivers: senders wait, and give up.
			for i := range 10 {
				send := i < 6
				w := &chanWorker{c: c, send: send, foreign: i%2 == 1}
				if i%3 == 0 {
					w.patience = 2 + r.IntN(3)
				}
				if send {
					w.next, w.end = value, value+per
					value += per
				}
				workers = append(workers, w)
			}
			// Goroutines: two senders, one receiver.
			var outside sync.WaitGroup
			outSent := make([][]int, 2)
			for k := range 2 {
				from := value
				value += per
				outside.Add(1)
				go func() {
					defer outside.Done()
					for v := from; v < from+per; v++ {
						if err := BlockOn(c.Send(v)); err != nil {
							panic(err)
						}
						outSent[k] = append(outSent[k], v)
					}
				}()
			}
			var outGot []int
			recvDone := make(chan struct{})
			go func() {
				defer close(recvDone)
				for {
					res := BlockOn(c.Recv())
					if res.Err != nil {
						return
					}
					outGot = append(outGot, res.Value)
				}
			}()
			// A goroutine takes the lock over and over (closing the gate,
			// moving the waiting node to its list) and now and then
			// receives without waiting.
			var probeGot []int
			probeDone := make(chan struct{})
			go func() {
				defer close(probeDone)
				for i := 0; ; i++ {
					c.Len()
					if i%8 == 0 {
						v, err := c.TryRecv()
						if err == ErrClosed {
							return
						}
						if err == nil {
							probeGot = append(probeGot, v)
						}
					}
					if i%64 == 0 {
						goruntime.Gosched()
					}
				}
			}()
			var hs []*Task[int]
			var run func()
			switch exec {
			case "local":
				l := NewLocal()
				for _, w := range workers {
					hs = append(hs, Spawn[int](l, w))
				}
				run = func() { l.Run() }
			default:
				p := NewPool(int(exec[len(exec)-1] - '0'))
				defer p.Close()
				for _, w := range workers {
					hs = append(hs, Spawn[int](p, w))
				}
				run = func() {}
			}
			stop := wakeSpuriously(hs, true)
			// The senders end on their own; then the channel closes and
			// the receivers drain it.
			closer := make(chan struct{})
			go func() {
				defer close(closer)
				outside.Wait()
				for i, h := range hs {
					if workers[i].send {
						for !h.Done() {
							time.Sleep(50 * time.Microsecond)
						}
					}
				}
				c.Close()
			}()
			run()
			waitAll(t, "worker", time.Minute, hs)
			<-closer
			<-recvDone
			<-probeDone
			stop()
			count := map[int]int{}
			maybe := map[int]bool{}
			var sent []int
			for _, w := range workers {
				for _, v := range w.got {
					count[v]++
				}
				for _, v := range w.maybe {
					maybe[v] = true
				}
				sent = append(sent, w.sent...)
			}
			for _, v := range append(outGot, probeGot...) {
				count[v]++
			}
			for _, s := range outSent {
				sent = append(sent, s...)
			}
			for _, v := range sent {
				if count[v] != 1 {
					t.Fatalf("value %d sent, received %d times", v, count[v])
				}
				delete(count, v)
			}
			for v, n := range count {
				if !maybe[v] || n != 1 {
					t.Fatalf("value %d received %d times, sent by a canceled send: %t", v, n, maybe[v])
				}
			}
			if len(sent) < per {
				t.Fatalf("only %d sends completed", len(sent))
			}
			t.Logf("%d sends completed, %d canceled sends taken, %d withdrawn", len(sent), len(count), len(maybe)-len(count))
		})
	}
	checkGoroutines(t, before)
}

// Two tasks hand values back and forth on unbuffered channels while
// goroutines take the channels' locks over and over: a waiter that parks
// while an operation holds the lock must not be left waiting beside the
// operation that would complete it (each side then waits for ever, as
// nothing else uses the channels).
func TestUnbufferedPingPongBesideLocks(t *testing.T) {
	before := goruntime.NumGoroutine()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, workers := range []int{1, 2} {
		p := NewPool(workers)
		ping, pong := newPingPong(n, func() *Chan[int] { return NewChan[int](0) })
		quit := make(chan struct{})
		var probes sync.WaitGroup
		for _, c := range []*Chan[int]{ping.out, ping.in} {
			probes.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-quit:
						return
					default:
					}
					c.Len()
					if i%16 == 0 {
						goruntime.Gosched()
					}
				}
			})
		}
		hs := []*Task[struct{}]{Spawn[struct{}](p, ping), Spawn[struct{}](p, pong)}
		waitAll(t, fmt.Sprintf("%d workers: task", workers), 20*time.Second, hs)
		close(quit)
		probes.Wait()
		p.Close()
	}
	checkGoroutines(t, before)
}
