// Package pipeline is an example of generators and streams: a generator
// walks a tree, a stream turns its items into slow lookups, and an async
// function consumes the stream with a for-await loop.
package pipeline

//go:generate go tool asyncgen

import (
	"fmt"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// Tree is a binary search tree of words.
type Tree struct {
	Left, Right *Tree
	Word        string
}

// Insert adds w to the tree.
func (t *Tree) Insert(w string) *Tree {
	switch {
	case t == nil:
		return &Tree{Word: w}
	case w < t.Word:
		t.Left = t.Left.Insert(w)
	case w > t.Word:
		t.Right = t.Right.Insert(w)
	}
	return t
}

// Walk yields the words in order: a recursive generator, each level pulling
// the one below with Next.
//
//asyncgen:gen Walk
func walk(t *Tree, yield func(string) bool) {
	if t == nil {
		return
	}
	for w := range Walk(t.Left).All() {
		if !yield(w) {
			return
		}
	}
	if !yield(t.Word) {
		return
	}
	for w := range Walk(t.Right).All() {
		if !yield(w) {
			return
		}
	}
}

// Lengths looks each word up (a slow operation) and yields "word:len".
//
//asyncgen:stream Lengths
func lengths(words runtime.Iterator[string], delay time.Duration, yield func(string) bool) {
	defer words.Close()
	for {
		w, ok := words.Next()
		if !ok {
			return
		}
		runtime.Await(runtime.Sleep(delay))
		if !yield(fmt.Sprintf("%s:%d", w, len(w))) {
			return
		}
	}
}

// Collect takes up to max items of the stream, then the rest separately:
// breaking out of a for-await loop leaves the stream where it was.
//
//asyncgen:async Collect
func collect(s runtime.AsyncIterator[string], max int) (l Lists) {
	for item := range runtime.ForAwait(s) {
		l.First = append(l.First, item)
		if len(l.First) == max {
			break
		}
	}
	for item := range runtime.ForAwait(s) {
		l.Rest = append(l.Rest, item)
	}
	return l
}

// Lists is what Collect returns.
type Lists struct{ First, Rest []string }

// CollectDirect runs the body of Collect directly, as plain blocking Go
// (the stream it reads is still a machine; its awaits block).
func CollectDirect(t *Tree, delay time.Duration, max int) Lists {
	return collect(Lengths(Walk(t), delay), max)
}
