package kvserver

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		args []string
		used int
		err  string // "" ok, "incomplete", or a protocol error's text
	}{
		{"*1\r\n$4\r\nPING\r\n", []string{"PING"}, 14, ""},
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n", []string{"GET", "k"}, 20, ""},
		{"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", []string{"GET", ""}, 19, ""},
		{"PING hello  world\r\n", []string{"PING", "hello", "world"}, 19, ""},
		{"PING\n", []string{"PING"}, 5, ""},
		{"\r\n", nil, 2, ""},
		{"*0\r\n", nil, 4, ""},
		{"", nil, 0, "incomplete"},
		{"*2\r\n$3\r\nGET\r\n", nil, 0, "incomplete"},
		{"*2\r\n$3\r\nGE", nil, 0, "incomplete"},
		{"*1\r\n$4\r\nPING\r", nil, 0, "incomplete"},
		{"*1", nil, 0, "incomplete"},
		{"PING", nil, 0, "incomplete"},
		{"*x\r\n", nil, 0, "invalid multibulk length"},
		{"*99999999999\r\n", nil, 0, "invalid multibulk length"},
		{"*-5\r\n", nil, 0, "invalid multibulk length"},
		{"*1\r\n$99999999999\r\n", nil, 0, "invalid bulk length"},
		{fmt.Sprintf("*1\r\n$%d\r\n", MaxBulk+1), nil, 0, "invalid bulk length"},
		{"*1\r\n$-1\r\n", nil, 0, "invalid bulk length"},
		{"*1\r\n:4\r\n", nil, 0, "expected '$', got ':'"},
		{"*1\r\n$4\r\nPINGxx", nil, 0, "bulk string not ended by CRLF"},
		{"*1\n", nil, 0, "invalid multibulk length"},
		{"*1" + strings.Repeat("1", 30), nil, 0, "invalid multibulk length"},
		{strings.Repeat("x", MaxInline+1), nil, 0, "too big inline request"},
	}
	for _, tt := range tests {
		args, used, err := Parse([]byte(tt.in), nil)
		switch {
		case tt.err == "incomplete":
			if err != ErrIncomplete {
				t.Errorf("Parse(%q): %v, want incomplete", tt.in, err)
			}
			continue
		case tt.err != "":
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Msg != tt.err {
				t.Errorf("Parse(%q): %v, want protocol error %q", tt.in, err, tt.err)
			}
			continue
		case err != nil:
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, a := range args {
			got = append(got, string(a))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.args) || used != tt.used {
			t.Errorf("Parse(%q) = %q, %d; want %q, %d", tt.in, got, used, tt.args, tt.used)
		}
	}
}

// FuzzParse checks that Parse never panics, uses no more than it is
// given, and parses the same request the same way when more input follows.
func FuzzParse(f *testing.F) {
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
	f.Add([]byte("PING\r\n"))
	f.Add([]byte("*1\r\n$99999999999\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		args, used, err := Parse(b, nil)
		if err != nil {
			return
		}
		if used > len(b) || used <= 0 {
			t.Fatalf("used %d of %d bytes", used, len(b))
		}
		args2, used2, err2 := Parse(append(b[:len(b):len(b)], "*1\r\n"...), nil)
		if err2 != nil || used2 != used || fmt.Sprint(args2) != fmt.Sprint(args) {
			t.Fatalf("with more input: %q %d %v, want %q %d", args2, used2, err2, args, used)
		}
	})
}
