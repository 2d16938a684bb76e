package conformance

import (
	"fmt"
	"iter"
	"strings"

	"github.com/asyncgen/asyncgen/runtime"
)

func ready[T any](v T) runtime.Future[T] { return After(1, v) }

//asyncgen:async IfChain
func ifChain(log *Log, n int) string {
	if x := runtime.Await(ready(n)); x < 0 {
		log.Add("negative")
		return "neg"
	} else if y := runtime.Await(ready(x * 2)); y == 0 {
		log.Add("zero")
	} else if x > 10 && runtime.Await(ready(x)) > 20 {
		log.Add(fmt.Sprint("big ", x, y))
		return "big"
	} else {
		log.Add(fmt.Sprint("small ", x, y))
	}
	return "done"
}

//asyncgen:async ForForms
func forForms(log *Log, n int) int {
	total := 0
	for i := 0; i < runtime.Await(ready(n)); i += runtime.Await(ready(1)) {
		total += i
		log.Add(fmt.Sprint("a", i))
	}
	j := 0
	for j < n {
		j = runtime.Await(ready(j + 2))
		log.Add(fmt.Sprint("b", j))
	}
	for {
		if runtime.Await(ready(j)) > 3*n {
			break
		}
		j++
	}
	var k int
	for k = 10; k > 0; k-- {
		if k%3 == 0 {
			continue
		}
		total += runtime.Await(ready(k))
	}
	log.Add(fmt.Sprint("k", k, "j", j))
	return total
}

//asyncgen:async Ranges
func ranges(log *Log, xs []int, arr [3]string, s string, ch chan int, n int) int {
	total := 0
	for i, x := range xs {
		total += runtime.Await(ready(x)) * i
	}
	for i := range arr {
		arr[i] += "!"
		log.Add(arr[i] + runtime.Await(ready("?")))
	}
	for _, v := range arr {
		log.Add(runtime.Await(ready(v)))
	}
	p := &arr
	for i, v := range p {
		p[(i+1)%3] = "changed"
		log.Add(fmt.Sprint(i, v, runtime.Await(ready(0))))
	}
	for i, r := range s {
		log.Add(fmt.Sprint(i, string(r), runtime.Await(ready(1))))
	}
	for v := range ch {
		total += runtime.Await(ready(v))
	}
	for i := range n {
		total += runtime.Await(ready(i))
	}
	for range runtime.Await(ready(2)) {
		log.Add("twice")
	}
	return total
}

//asyncgen:async MapRange
func mapRange(log *Log, m map[string]int) int {
	total := 0
	for k, v := range m {
		total += runtime.Await(ready(v)) * len(k)
		if k == "del" {
			continue
		}
	}
	for k := range m {
		delete(m, "gone")
		total += runtime.Await(ready(len(k)))
	}
	return total
}

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(s string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, f := range strings.Fields(s) {
			if !yield(i, f) {
				return
			}
		}
	}
}

// tracked is an iterator that logs when it stops.
func tracked(log *Log, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer log.Add("iterator stopped")
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

//asyncgen:async RangeFunc
func rangeFunc(log *Log, n int) int {
	total := 0
	for x := range count(n) {
		total += runtime.Await(ready(x))
	}
	for i, w := range pairs("a bb ccc") {
		log.Add(fmt.Sprint(i, w, runtime.Await(ready(len(w)))))
	}
	for x := range tracked(log, 10) {
		if runtime.Await(ready(x)) == 3 {
			break
		}
		log.Add(fmt.Sprint("t", x))
	}
	for x := range tracked(log, 10) {
		if runtime.Await(ready(x)) == 2 {
			return total
		}
	}
	return -1
}

//asyncgen:async Switches
func switches(log *Log, n int, v any) string {
	switch x := runtime.Await(ready(n)); x {
	case 0, 1:
		log.Add("small")
		fallthrough
	case 2:
		log.Add("two or fell")
	case runtime.Await(ready(3)):
		log.Add("three")
	default:
		log.Add("other")
	}
	switch {
	case n > 5 && runtime.Await(ready(true)):
		log.Add("gt5")
	case trace(log, "lazy1", n > 2):
		log.Add("gt2")
	case trace(log, "lazy2", runtime.Await(ready(n)) > 1):
		log.Add("gt1")
		fallthrough
	default:
		log.Add("default")
	}
	switch t := v.(type) {
	case int:
		return fmt.Sprint("int ", t+runtime.Await(ready(1)))
	case string, error:
		log.Add(fmt.Sprint(t))
		return runtime.Await(ready("str or error"))
	case nil:
		return "nil"
	default:
		_ = t
	}
	return "end"
}

func trace(log *Log, s string, b bool) bool {
	log.Add(s)
	return b
}

//asyncgen:async Selects
func selects(log *Log, a, b chan int) int {
	total := 0
	for i := 0; i < 4; i++ {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				log.Add("a closed")
				continue
			}
			total += runtime.Await(ready(v))
		case v := <-b:
			total += runtime.Await(ready(v * 10))
		case <-runtime.Await(ready(make(chan int))):
			log.Add("never")
		}
	}
	select {
	case v := <-a:
		return v
	default:
		log.Add(fmt.Sprint("default ", runtime.Await(ready(total))))
	}
	return total
}

//asyncgen:async Labels
func labels(log *Log, n int) int {
	total := 0
outer:
	for i := 0; i < n; i++ {
	inner:
		for j := 0; j < n; j++ {
			switch {
			case j > i:
				continue outer
			case i+j == 5:
				break inner
			case i*j == 12:
				break outer
			}
			total += runtime.Await(ready(i * j))
			for k := 0; k < 3; k++ {
				if k == j {
					continue inner
				}
				total++
			}
		}
		log.Add(fmt.Sprint("row ", i))
	}
	i := 0
loop:
	if i < 3 {
		i += runtime.Await(ready(1))
		log.Add(fmt.Sprint("goto ", i))
		goto loop
	}
	if total > 1000 {
		goto end
	}
	total += runtime.Await(ready(1))
end:
	return total + i
}

//asyncgen:async GotoOut
func gotoOut(log *Log, n int) int {
	total := 0
	for x := range tracked(log, 10) {
		total += runtime.Await(ready(x))
		if x == n {
			goto out
		}
	}
	log.Add("loop ended")
out:
	log.Add("after loop")
	return total
}

//asyncgen:async PanicInPull
func panicInPull(log *Log, n int) (r int) {
	defer func() {
		if p := recover(); p != nil {
			log.Add(fmt.Sprint("recovered ", p))
			r = -1
		}
	}()
	for x := range tracked(log, 10) {
		defer log.Add(fmt.Sprint("loop defer ", x))
		r += runtime.Await(ready(x))
		if x == n {
			panic("in the loop")
		}
	}
	return r
}
