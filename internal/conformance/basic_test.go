package conformance

import (
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
)

func TestSum(t *testing.T) {
	for _, delay := range []int{0, 1, 3} {
		xs := []int{1, 2, 3, 7, 4}
		same(t, func(l *Log) int { return sum(l, xs, delay) }, func(l *Log) runtime.Future[int] { return Sum(l, xs, delay) })
	}
}
