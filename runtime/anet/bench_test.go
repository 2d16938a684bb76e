package anet_test

import (
	"io"
	"net"
	"testing"

	"github.com/asyncgen/asyncgen/runtime"
	"github.com/asyncgen/asyncgen/runtime/anet"
)

// pingPong writes size bytes to c and reads them back, n times.
//
//asyncgen:async PingPong
func pingPong(c *anet.Conn, n, size int) error {
	out := make([]byte, size)
	in := make([]byte, size)
	for i := 0; i < n; i++ {
		if _, err := runtime.TryAwait(c.Write(out)); err != nil {
			return err
		}
		for got := 0; got < size; {
			k, err := runtime.TryAwait(c.Read(in[got:]))
			if err != nil {
				return err
			}
			got += k
		}
	}
	return nil
}

// BenchmarkEchoRoundTrip measures a 64-byte round trip over loopback to an
// echo server: anet on a Local executor (client and server tasks on one
// goroutine) and on a Pool, against the net package with a goroutine per
// connection.
//
//	go test -run '^$' -bench EchoRoundTrip -benchmem ./runtime/anet/
func BenchmarkEchoRoundTrip(b *testing.B) {
	const size = 64
	b.Run("anet-Local", func(b *testing.B) {
		ex := runtime.NewLocal()
		defer ex.Close()
		l, err := anet.Listen("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		runtime.Spawn(ex, Serve(ex, l, 1))
		c, err := runtime.RunFuture(ex, runtime.Future[runtime.Result[*anet.Conn]](anet.Dial(l.Addr().String())))
		if err != nil || c.Err != nil {
			b.Fatal(err, c.Err)
		}
		defer c.Value.Close()
		b.ResetTimer()
		if r, err := runtime.RunFuture(ex, PingPong(c.Value, b.N, size)); err != nil || r != nil {
			b.Fatal(err, r)
		}
	})
	b.Run("anet-Pool", func(b *testing.B) {
		ex := runtime.NewPool(2)
		defer ex.Close()
		l, err := anet.Listen("127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		runtime.Spawn(ex, Serve(ex, l, 1))
		c, err := runtime.Spawn(ex, runtime.Future[runtime.Result[*anet.Conn]](anet.Dial(l.Addr().String()))).Join()
		if err != nil || c.Err != nil {
			b.Fatal(err, c.Err)
		}
		defer c.Value.Close()
		b.ResetTimer()
		if r, err := runtime.Spawn(ex, PingPong(c.Value, b.N, size)).Join(); err != nil || r != nil {
			b.Fatal(err, r)
		}
	})
	b.Run("net-goroutines", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		go func() {
			s, err := l.Accept()
			if err != nil {
				return
			}
			defer s.Close()
			io.Copy(s, s)
		}()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		out := make([]byte, size)
		in := make([]byte, size)
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(out); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(c, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
