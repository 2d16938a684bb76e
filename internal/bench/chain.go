package bench

import "github.com/asyncgen/asyncgen/runtime"

// Toggle is a future that is pending every other poll, waking its task at
// once: a leaf that is pending once per step.
type Toggle struct{ pending bool }

// Poll implements runtime.Future.
func (t *Toggle) Poll(cx *runtime.Context) (int, bool) {
	t.pending = !t.pending
	if t.pending {
		cx.Waker().Wake()
		return 0, false
	}
	return 1, true
}

// Chain1 awaits the toggle n times: the leaf of the await chains.
//
//asyncgen:async Chain1
func chain1(t *Toggle, n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += runtime.Await[int](t)
	}
	return s
}

//asyncgen:async Chain2
func chain2(t *Toggle, n int) int { return runtime.Await(Chain1(t, n)) }

//asyncgen:async Chain3
func chain3(t *Toggle, n int) int { return runtime.Await(Chain2(t, n)) }

//asyncgen:async Chain4
func chain4(t *Toggle, n int) int { return runtime.Await(Chain3(t, n)) }

//asyncgen:async Chain5
func chain5(t *Toggle, n int) int { return runtime.Await(Chain4(t, n)) }

//asyncgen:async Chain6
func chain6(t *Toggle, n int) int { return runtime.Await(Chain5(t, n)) }

//asyncgen:async Chain7
func chain7(t *Toggle, n int) int { return runtime.Await(Chain6(t, n)) }

//asyncgen:async Chain8
func chain8(t *Toggle, n int) int { return runtime.Await(Chain7(t, n)) }

//asyncgen:async Chain9
func chain9(t *Toggle, n int) int { return runtime.Await(Chain8(t, n)) }

//asyncgen:async Chain10
func chain10(t *Toggle, n int) int { return runtime.Await(Chain9(t, n)) }

//asyncgen:async Chain11
func chain11(t *Toggle, n int) int { return runtime.Await(Chain10(t, n)) }

//asyncgen:async Chain12
func chain12(t *Toggle, n int) int { return runtime.Await(Chain11(t, n)) }

//asyncgen:async Chain13
func chain13(t *Toggle, n int) int { return runtime.Await(Chain12(t, n)) }

//asyncgen:async Chain14
func chain14(t *Toggle, n int) int { return runtime.Await(Chain13(t, n)) }

//asyncgen:async Chain15
func chain15(t *Toggle, n int) int { return runtime.Await(Chain14(t, n)) }

//asyncgen:async Chain16
func chain16(t *Toggle, n int) int { return runtime.Await(Chain15(t, n)) }

// HandChain1 is chain1 written by hand as a state machine: the limit.
type HandChain1 struct {
	state int
	t     *Toggle
	n, i  int
	s     int
}

// Poll implements runtime.Future.
func (h *HandChain1) Poll(cx *runtime.Context) (int, bool) {
	switch h.state {
	case 0:
		h.i = 0
	case 1:
		v, ok := h.t.Poll(cx)
		if !ok {
			return 0, false
		}
		h.s += v
		h.i++
	}
	for h.i < h.n {
		v, ok := h.t.Poll(cx)
		if !ok {
			h.state = 1
			return 0, false
		}
		h.s += v
		h.i++
	}
	h.state = -1
	return h.s, true
}

// Wrap1 returns its argument after one await: the first of the wrap chains,
// whose machines nest inline (Rust stores the argument twice per level).
//
//asyncgen:async Wrap1
func wrap1(t *Toggle) int { return runtime.Await[int](t) }

//asyncgen:async Wrap2
func wrap2(t *Toggle) int { return runtime.Await(Wrap1(t)) }

//asyncgen:async Wrap3
func wrap3(t *Toggle) int { return runtime.Await(Wrap2(t)) }

//asyncgen:async Wrap4
func wrap4(t *Toggle) int { return runtime.Await(Wrap3(t)) }

//asyncgen:async Wrap5
func wrap5(t *Toggle) int { return runtime.Await(Wrap4(t)) }

//asyncgen:async Wrap6
func wrap6(t *Toggle) int { return runtime.Await(Wrap5(t)) }

//asyncgen:async Wrap7
func wrap7(t *Toggle) int { return runtime.Await(Wrap6(t)) }

//asyncgen:async Wrap8
func wrap8(t *Toggle) int { return runtime.Await(Wrap7(t)) }

// Idle is a small task: a few locals and one pending await.
//
//asyncgen:async Idle
func idle(g runtime.Future[int], a, b int) int {
	x := a * b
	y := runtime.Await(g)
	return x + y
}
