package conformance

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// lineOf returns the line of file holding the comment "trace: what".
func lineOf(t *testing.T, file, what string) int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "// trace: "+what+"\n")
	if i < 0 {
		t.Fatalf("no %q in %s", what, file)
	}
	return 1 + strings.Count(string(src[:i]), "\n")
}

// stackOf runs f and returns the stack where it panicked.
func stackOf(f func()) (stack string) {
	defer func() {
		recover()
		stack = string(debug.Stack())
	}()
	f()
	return ""
}

// frameAt reports whether the stack has a frame of function fn at
// file:line.
func frameAt(stack, fn, file string, line int) bool {
	lines := strings.Split(stack, "\n")
	for i, l := range lines[:len(lines)-1] {
		if strings.Contains(l, fn) && strings.Contains(lines[i+1], fmt.Sprintf("%s:%d ", file, line)) {
			return true
		}
	}
	return false
}

// A panic after an await, in a return's expression, is reported at the
// body's line; the parent suspended in the child is at its await.
func TestTraceLines(t *testing.T) {
	stack := stackOf(func() { drive(t, AwaitsIndex(nil, 3)) })
	if !frameAt(stack, "(*IndexAfterAwaitFuture).Poll", "traces.go", lineOf(t, "traces.go", "index")) {
		t.Errorf("the panicking frame is not at the body's line:\n%s", stack)
	}
	if !frameAt(stack, "(*AwaitsIndexFuture).Poll", "traces.go", lineOf(t, "traces.go", "parent await")) {
		t.Errorf("the parent's frame is not at its await:\n%s", stack)
	}
	// A panic as the last statement of a generator: its own line.
	stack = stackOf(func() {
		it := PanicsLast(2)
		for {
			if _, ok := it.Next(); !ok {
				return
			}
		}
	})
	if !frameAt(stack, "PanicsLastIter", "traces.go", lineOf(t, "traces.go", "last statement")) {
		t.Errorf("the panic is not at the body's last line:\n%s", stack)
	}
}
