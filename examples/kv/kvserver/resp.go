package kvserver

// This file holds the RESP2 protocol: an incremental request parser over
// a byte slice, and reply writers that append to one.

import (
	"bytes"
	"errors"
	"strconv"
)

// Limits on a request. A request over a limit is a protocol error; input
// is never buffered beyond MaxRequest.
const (
	MaxArgs    = 1 << 16  // arguments of one command
	MaxBulk    = 16 << 20 // bytes of one argument
	MaxInline  = 64 << 10 // bytes of an inline command line
	MaxRequest = MaxBulk + 64<<10
)

// ErrIncomplete means the buffer holds only part of a request.
var ErrIncomplete = errors.New("incomplete request")

// A ProtocolError is malformed input; the server replies with it and
// closes the connection.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

func protoErr(msg string) error { return &ProtocolError{msg} }

// Parse parses one request at the start of b: a RESP array of bulk
// strings, or an inline command (words separated by spaces, ended by a
// newline). It returns the arguments (slices of b, appended to args[:0])
// and the number of bytes used, or ErrIncomplete, or a *ProtocolError. An
// empty line gives no arguments.
func Parse(b []byte, args [][]byte) ([][]byte, int, error) {
	args = args[:0]
	if len(b) == 0 {
		return args, 0, ErrIncomplete
	}
	if b[0] != '*' {
		return parseInline(b, args)
	}
	n, pos, err := parseLen(b, 1, MaxArgs, "invalid multibulk length")
	if err != nil {
		return args, 0, err
	}
	for i := 0; i < n; i++ {
		if pos >= len(b) {
			return args, 0, ErrIncomplete
		}
		if b[pos] != '$' {
			return args, 0, protoErr("expected '$', got '" + printable(b[pos]) + "'")
		}
		l, p, err := parseLen(b, pos+1, MaxBulk, "invalid bulk length")
		if err != nil {
			return args, 0, err
		}
		if l < 0 {
			return args, 0, protoErr("invalid bulk length")
		}
		if len(b)-p < l+2 {
			return args, 0, ErrIncomplete
		}
		if b[p+l] != '\r' || b[p+l+1] != '\n' {
			return args, 0, protoErr("bulk string not ended by CRLF")
		}
		args = append(args, b[p:p+l:p+l])
		pos = p + l + 2
	}
	return args, pos, nil
}

// parseLen parses the decimal ended by CRLF at b[i:] and returns it and the
// position after the CRLF. A number above max, or malformed, is the
// protocol error msg; -1 is allowed (a null).
func parseLen(b []byte, i, max int, msg string) (int, int, error) {
	end := bytes.IndexByte(b[i:], '\n')
	if end < 0 {
		if len(b)-i > 20 {
			return 0, 0, protoErr(msg)
		}
		return 0, 0, ErrIncomplete
	}
	end += i
	if end == i || b[end-1] != '\r' {
		return 0, 0, protoErr(msg)
	}
	n, ok := atoi(b[i : end-1])
	if !ok || n > max || n < -1 {
		return 0, 0, protoErr(msg)
	}
	return n, end + 1, nil
}

// atoi parses a decimal integer of at most 18 digits, optionally negative.
func atoi(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseInline parses a command line of words.
func parseInline(b []byte, args [][]byte) ([][]byte, int, error) {
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		if len(b) > MaxInline {
			return args, 0, protoErr("too big inline request")
		}
		return args, 0, ErrIncomplete
	}
	line := b[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	for _, w := range bytes.Fields(line) {
		if len(args) == MaxArgs {
			return args, 0, protoErr("too many inline arguments")
		}
		args = append(args, w)
	}
	return args, end + 1, nil
}

func printable(c byte) string {
	if c >= ' ' && c < 0x7f {
		return string(rune(c))
	}
	return "\\x" + strconv.FormatUint(uint64(c), 16)
}

// Reply writers.

func appendSimple(out []byte, s string) []byte {
	out = append(out, '+')
	out = append(out, s...)
	return append(out, '\r', '\n')
}

func appendError(out []byte, msg string) []byte {
	out = append(out, '-')
	out = append(out, msg...)
	return append(out, '\r', '\n')
}

func appendInt(out []byte, n int64) []byte {
	out = append(out, ':')
	out = strconv.AppendInt(out, n, 10)
	return append(out, '\r', '\n')
}

func appendBulk(out []byte, b []byte) []byte {
	out = append(out, '$')
	out = strconv.AppendInt(out, int64(len(b)), 10)
	out = append(out, '\r', '\n')
	out = append(out, b...)
	return append(out, '\r', '\n')
}

func appendNull(out []byte) []byte { return append(out, "$-1\r\n"...) }

func appendArrayLen(out []byte, n int) []byte {
	out = append(out, '*')
	out = strconv.AppendInt(out, int64(n), 10)
	return append(out, '\r', '\n')
}
