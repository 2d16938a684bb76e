package kvserver

// This file holds the key space and the commands.

import (
	"bytes"
	"fmt"
	goruntime "runtime"
	"strconv"
	"sync"
	"time"
)

// DB is the key space: string keys and values, with expiry times on the
// clock of the caller (the executor's: virtual under simulation). It is
// safe for concurrent use.
type DB struct {
	mu   sync.Mutex
	m    map[string]entry
	nexp int // keys with an expiry time
}

type entry struct {
	v   []byte
	exp int64 // Unix nanoseconds; 0: none
}

// NewDB returns an empty key space.
func NewDB() *DB { return &DB{m: make(map[string]entry)} }

// Len returns the number of keys, expired ones not yet removed included.
func (db *DB) Len() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.m)
}

// get returns the live entry of k; db.mu is held.
func (db *DB) get(k []byte, now int64) (entry, bool) {
	e, ok := db.m[string(k)]
	if ok && e.exp != 0 && e.exp <= now {
		delete(db.m, string(k))
		db.nexp--
		return entry{}, false
	}
	return e, ok
}

// set stores e under k; db.mu is held.
func (db *DB) set(k []byte, e entry) {
	if old, ok := db.m[string(k)]; ok {
		if old.exp != 0 {
			db.nexp--
		}
	}
	if e.exp != 0 {
		db.nexp++
	}
	db.m[string(k)] = e
}

// Sweep removes up to n expired keys, looking at up to 4n keys with an
// expiry time; it reports how many it removed. The server calls it
// periodically so that keys nobody reads again do not hold memory.
func (db *DB) Sweep(now time.Time, n int) int {
	t := now.UnixNano()
	db.mu.Lock()
	defer db.mu.Unlock()
	removed, looked := 0, 0
	if db.nexp == 0 {
		return 0
	}
	for k, e := range db.m { // map iteration starts at a random key
		if e.exp == 0 {
			continue
		}
		if e.exp <= t {
			delete(db.m, k)
			db.nexp--
			removed++
			if removed == n {
				break
			}
		}
		looked++
		if looked == 4*n {
			break
		}
	}
	return removed
}

// Exec runs the command args at time now and appends its reply to out. It
// reports quit for QUIT, after which the connection is closed.
func (db *DB) Exec(now time.Time, args [][]byte, out []byte) ([]byte, bool) {
	if len(args) == 0 {
		return out, false
	}
	cmd := args[0]
	t := now.UnixNano()
	switch {
	case is(cmd, "GET"):
		if len(args) != 2 {
			return arity(out, "get"), false
		}
		db.mu.Lock()
		e, ok := db.get(args[1], t)
		if ok {
			out = appendBulk(out, e.v)
		} else {
			out = appendNull(out)
		}
		db.mu.Unlock()
	case is(cmd, "STRLEN"):
		if len(args) != 2 {
			return arity(out, "strlen"), false
		}
		db.mu.Lock()
		e, _ := db.get(args[1], t)
		db.mu.Unlock()
		out = appendInt(out, int64(len(e.v)))
	case is(cmd, "SET"):
		return db.execSet(t, args, out), false
	case is(cmd, "PING"):
		switch len(args) {
		case 1:
			out = append(out, "+PONG\r\n"...)
		case 2:
			out = appendBulk(out, args[1])
		default:
			out = arity(out, "ping")
		}
	case is(cmd, "ECHO"):
		if len(args) != 2 {
			return arity(out, "echo"), false
		}
		out = appendBulk(out, args[1])
	case is(cmd, "DEL"):
		if len(args) < 2 {
			return arity(out, "del"), false
		}
		n := 0
		db.mu.Lock()
		for _, k := range args[1:] {
			if _, ok := db.get(k, t); ok {
				db.set(k, entry{})
				delete(db.m, string(k))
				n++
			}
		}
		db.mu.Unlock()
		out = appendInt(out, int64(n))
	case is(cmd, "INCR"):
		if len(args) != 2 {
			return arity(out, "incr"), false
		}
		db.mu.Lock()
		e, _ := db.get(args[1], t)
		n := int64(0)
		if e.v != nil {
			v, err := strconv.ParseInt(string(e.v), 10, 64)
			if err != nil {
				db.mu.Unlock()
				return appendError(out, "ERR value is not an integer or out of range"), false
			}
			n = v
		}
		if n == 1<<63-1 {
			db.mu.Unlock()
			return appendError(out, "ERR increment or decrement would overflow"), false
		}
		n++
		db.set(args[1], entry{v: strconv.AppendInt(nil, n, 10), exp: e.exp})
		db.mu.Unlock()
		out = appendInt(out, n)
	case is(cmd, "EXPIRE"):
		if len(args) != 3 {
			return arity(out, "expire"), false
		}
		secs, ok := atoi(args[2])
		if !ok || secs > 1<<33 || secs < -1<<33 {
			return appendError(out, "ERR value is not an integer or out of range"), false
		}
		db.mu.Lock()
		e, found := db.get(args[1], t)
		if found {
			if secs <= 0 {
				delete(db.m, string(args[1]))
				if e.exp != 0 {
					db.nexp--
				}
			} else {
				e.exp = t + int64(secs)*int64(time.Second)
				db.set(args[1], e)
			}
		}
		db.mu.Unlock()
		out = appendInt(out, b2i(found))
	case is(cmd, "TTL"):
		if len(args) != 2 {
			return arity(out, "ttl"), false
		}
		db.mu.Lock()
		e, found := db.get(args[1], t)
		db.mu.Unlock()
		switch {
		case !found:
			out = appendInt(out, -2)
		case e.exp == 0:
			out = appendInt(out, -1)
		default:
			ms := (e.exp - t + int64(time.Millisecond) - 1) / int64(time.Millisecond)
			out = appendInt(out, (ms+500)/1000)
		}
	case is(cmd, "EXISTS"):
		if len(args) < 2 {
			return arity(out, "exists"), false
		}
		n := 0
		db.mu.Lock()
		for _, k := range args[1:] {
			if _, ok := db.get(k, t); ok {
				n++
			}
		}
		db.mu.Unlock()
		out = appendInt(out, int64(n))
	case is(cmd, "DBSIZE"):
		db.mu.Lock()
		n := len(db.m)
		db.mu.Unlock()
		out = appendInt(out, int64(n))
	case is(cmd, "QUIT"):
		return append(out, "+OK\r\n"...), true
	case is(cmd, "CONFIG"):
		// Clients ask at start whether the server persists data: it
		// does not.
		if len(args) != 3 || !is(args[1], "GET") {
			return appendError(out, "ERR only CONFIG GET is supported"), false
		}
		out = appendArrayLen(out, 2)
		out = appendBulk(out, args[2])
		if is(args[2], "appendonly") {
			out = appendBulk(out, []byte("no"))
		} else {
			out = appendBulk(out, nil)
		}
	case is(cmd, "COMMAND"):
		// redis-cli asks for command documentation: there is none.
		out = appendArrayLen(out, 0)
	case is(cmd, "INFO"):
		out = appendBulk(out, info())
	case is(cmd, "SELECT"):
		if len(args) != 2 || !bytes.Equal(args[1], []byte("0")) {
			return appendError(out, "ERR DB index is out of range"), false
		}
		out = append(out, "+OK\r\n"...)
	default:
		out = append(out, "-ERR unknown command '"...)
		out = appendClean(out, cmd)
		out = append(out, "'\r\n"...)
	}
	return out, false
}

// execSet runs SET key value [EX seconds | PX milliseconds] [NX | XX].
func (db *DB) execSet(t int64, args [][]byte, out []byte) []byte {
	if len(args) < 3 {
		return arity(out, "set")
	}
	var exp int64
	var nx, xx, hasExp bool
	for i := 3; i < len(args); i++ {
		switch o := args[i]; {
		case is(o, "EX"), is(o, "PX"):
			if hasExp || i+1 == len(args) {
				return appendError(out, "ERR syntax error")
			}
			n, ok := atoi(args[i+1])
			unit := int64(time.Second)
			if is(o, "PX") {
				unit = int64(time.Millisecond)
			}
			if !ok || n <= 0 || int64(n) > (1<<62)/unit {
				return appendError(out, "ERR invalid expire time in 'set' command")
			}
			exp = t + int64(n)*unit
			hasExp = true
			i++
		case is(o, "NX"):
			nx = true
		case is(o, "XX"):
			xx = true
		default:
			return appendError(out, "ERR syntax error")
		}
	}
	if nx && xx {
		return appendError(out, "ERR syntax error")
	}
	db.mu.Lock()
	if nx || xx {
		if _, ok := db.get(args[1], t); ok == nx {
			db.mu.Unlock()
			return appendNull(out)
		}
	}
	db.set(args[1], entry{v: bytes.Clone(args[2]), exp: exp})
	db.mu.Unlock()
	return append(out, "+OK\r\n"...)
}

func arity(out []byte, cmd string) []byte {
	return appendError(out, "ERR wrong number of arguments for '"+cmd+"' command")
}

// appendClean appends up to 64 bytes of b, printable characters only.
func appendClean(out, b []byte) []byte {
	if len(b) > 64 {
		b = b[:64]
	}
	for _, c := range b {
		if c < ' ' || c >= 0x7f || c == '\'' {
			c = '?'
		}
		out = append(out, c)
	}
	return out
}

// is reports whether cmd is name, ignoring ASCII case.
func is(cmd []byte, name string) bool {
	if len(cmd) != len(name) {
		return false
	}
	for i := range len(cmd) {
		c := cmd[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// info reports the process's memory after a garbage collection, in the
// INFO format: the Go heap and goroutine stacks in use.
func info() []byte {
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return fmt.Appendf(nil, "# Memory\r\nused_memory:%d\r\ngo_heap_inuse:%d\r\ngo_stack_inuse:%d\r\ngo_goroutines:%d\r\n",
		ms.HeapInuse+ms.StackInuse, ms.HeapInuse, ms.StackInuse, goruntime.NumGoroutine())
}
