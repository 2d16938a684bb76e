package conformance

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async Producer
func producer(ch *runtime.Chan[int], n int) error {
	for i := 0; i < n; i++ {
		if err := runtime.Await(ch.Send(i)); err != nil {
			return err
		}
	}
	ch.Close()
	return nil
}

//asyncgen:async Consumer
func consumer(mu *runtime.Mutex, ch *runtime.Chan[int], total *int) int {
	n := 0
	for {
		v, err := runtime.TryAwait(ch.Recv())
		if err != nil {
			return n
		}
		runtime.Await(mu.Lock())
		*total += v
		mu.Unlock()
		n++
	}
}
