package kvserver

// This file holds a blocking request reader over a bufio.Reader, for
// servers written with a goroutine per connection.

import (
	"bufio"
	"bytes"
	"io"
)

// Reader reads requests from a bufio.Reader, with the limits of Parse.
type Reader struct {
	br   *bufio.Reader
	buf  []byte
	args [][]byte
}

// NewReader returns a Reader reading from br.
func NewReader(br *bufio.Reader) *Reader { return &Reader{br: br} }

// Buffered returns the number of bytes read from the connection and not
// yet consumed.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Next reads the next request. Its arguments are valid until the next
// call. Errors are the reader's, or a *ProtocolError.
func (r *Reader) Next() ([][]byte, error) {
	line, err := r.line()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 || line[0] != '*' {
		args, _, err := parseInline(append(line, '\n'), r.args[:0])
		r.args = args
		return args, err
	}
	n, ok := atoi(line[1:])
	if !ok || n > MaxArgs || n < -1 {
		return nil, protoErr("invalid multibulk length")
	}
	r.buf = r.buf[:0]
	ends := r.args[:0]
	for i := 0; i < n; i++ {
		line, err := r.line()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 || line[0] != '$' {
			return nil, protoErr("expected '$'")
		}
		l, ok := atoi(line[1:])
		if !ok || l < 0 || l > MaxBulk || len(r.buf)+l > MaxRequest {
			return nil, protoErr("invalid bulk length")
		}
		start := len(r.buf)
		r.buf = append(r.buf, make([]byte, l+2)...)
		if _, err := io.ReadFull(r.br, r.buf[start:]); err != nil {
			return nil, err
		}
		if !bytes.HasSuffix(r.buf, []byte("\r\n")) {
			return nil, protoErr("bulk string not ended by CRLF")
		}
		r.buf = r.buf[:len(r.buf)-2]
		ends = append(ends, r.buf[start:]) // rebased below: buf may move
	}
	// Slice the arguments once buf has stopped growing.
	off := 0
	for i, a := range ends {
		ends[i] = r.buf[off : off+len(a) : off+len(a)]
		off += len(a)
	}
	r.args = ends
	return ends, nil
}

// line reads a line ended by CRLF (or LF) without it, up to MaxInline.
func (r *Reader) line() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, protoErr("too big inline request")
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, nil
}
