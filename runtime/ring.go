package runtime

// This file holds ring, the growable double-ended queue behind run queues
// and channel buffers.

// ring is a growable circular buffer. The zero value is an empty ring. Its
// capacity is a power of two, so indices wrap with a mask, not a division.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) len() int { return r.n }

func (r *ring[T]) grow() {
	c := 2 * len(r.buf)
	if c < 8 {
		c = 8
	}
	nb := make([]T, c)
	for i := 0; i < r.n; i++ {
		nb[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
	}
	r.buf, r.head = nb, 0
}

// pushBack appends v.
func (r *ring[T]) pushBack(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
}

// pushFront prepends v.
func (r *ring[T]) pushFront(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.head = (r.head - 1) & (len(r.buf) - 1)
	r.buf[r.head] = v
	r.n++
}

// popFront removes and returns the first element; ok is false when empty.
func (r *ring[T]) popFront() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v = r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return v, true
}

// swapFront exchanges the first element with the i'th.
func (r *ring[T]) swapFront(i int) {
	a, b := r.head, (r.head+i)&(len(r.buf)-1)
	r.buf[a], r.buf[b] = r.buf[b], r.buf[a]
}
