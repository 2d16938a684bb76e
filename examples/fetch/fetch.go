// Package fetch is an example of async functions: a client of a slow
// key-value store, written as plain Go and lowered by asyncgen into
// futures that run thousands at a time on one goroutine.
package fetch

//go:generate go tool asyncgen

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgen/asyncgen/runtime"
)

// ErrNotFound is returned for a missing key.
var ErrNotFound = errors.New("not found")

// Store is a key-value store whose reads take Latency each.
type Store struct {
	Data    map[string]string
	Latency time.Duration
	Reads   int
}

//asyncgen:async Read
func (s *Store) read(key string) (string, error) {
	runtime.Await(runtime.Sleep(s.Latency))
	s.Reads++
	v, ok := s.Data[key]
	if !ok {
		return "", fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return v, nil
}

// Resolve follows a chain of references: a value "->k" points at key k. It
// gives up after max hops.
//
//asyncgen:async Resolve
func resolve(s *Store, key string, max int) (string, error) {
	seen := map[string]bool{}
	for hop := 0; hop < max; hop++ {
		if seen[key] {
			return "", fmt.Errorf("cycle at %s", key)
		}
		seen[key] = true
		v, err := runtime.TryAwait(s.Read(key))
		switch {
		case err != nil:
			return "", err
		case len(v) > 2 && v[:2] == "->":
			key = v[2:]
			continue
		}
		return v, nil
	}
	return "", errors.New("too many hops")
}

// ResolveAll resolves every key concurrently and collects the results in
// order.
//
//asyncgen:async ResolveAll
func resolveAll(s *Store, keys []string) []string {
	var fs []runtime.Future[runtime.Result[string]]
	for _, k := range keys {
		fs = append(fs, Resolve(s, k, 5))
	}
	var out []string
	for i, r := range runtime.Await(runtime.JoinAll(fs...)) {
		if r.Err != nil {
			out = append(out, fmt.Sprintf("%s: error: %v", keys[i], r.Err))
			continue
		}
		out = append(out, fmt.Sprintf("%s = %s", keys[i], r.Value))
	}
	return out
}

// ResolveDirect runs the body of Resolve directly, as plain blocking Go:
// each Await blocks the calling goroutine.
func ResolveDirect(s *Store, key string, max int) (string, error) { return resolve(s, key, max) }
