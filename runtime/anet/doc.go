// Package anet is asynchronous networking for asyncgen's runtime: TCP
// connections whose operations are futures, awaited from bodies like any
// other.
//
//	//asyncgen:async Echo
//	func echo(c *anet.Conn) error {
//		defer c.Close()
//		buf := make([]byte, 4096)
//		for {
//			n, err := runtime.TryAwait(c.Read(buf))
//			if err == io.EOF {
//				return nil
//			} else if err != nil {
//				return err
//			}
//			if _, err := runtime.TryAwait(c.Write(buf[:n])); err != nil {
//				return err
//			}
//		}
//	}
//
// [Listen] and [Dial] (or the [TCP] [Network]) make listeners and
// connections. [Conn.Read], [Conn.Write], [Listener.Accept] and [Dial]
// return futures with an Init method, so a generated machine stores them
// inline and an await allocates nothing. Canceling a waiting future
// forgets its waker and timer; the connection stays usable. Deadlines
// ([Conn.SetReadDeadline], [Conn.SetWriteDeadline]) are times on the clock
// of the executor that polls the operation, kept by its timers. Errors are
// the net package's: a *net.OpError wrapping an *os.SyscallError,
// net.ErrClosed or os.ErrDeadlineExceeded, and io.EOF at the end of a
// stream. [Conn.CloseWrite] half-closes.
//
// # Polling
//
// On Linux a socket is non-blocking and registered, edge-triggered, with
// an epoll instance; nothing blocks and no goroutine is started per
// connection. The first operation that has to wait attaches a poller to
// its executor ([runtime.AttachPoller]): a Local then waits in epoll when
// no task is ready, for at most the time to its next timer, and looks at
// it without blocking every 64 polls while tasks are ready; on a Pool an
// idle worker waits in it (the others park) and wakes each ready task onto
// the worker that last ran it, and busy workers look at it every 64
// tasks. A socket is registered with the poller of the
// executor polling it (and moved if another executor polls it later).
// Outside any executor (under runtime.BlockOn) a process-wide poller with
// a goroutine of its own is used.
//
// A readiness event bumps a per-direction counter before it takes the
// descriptor's lock to wake the waiter; an operation reads the counter
// before its system call and, on EAGAIN, registers its waker only if the
// counter has not moved, so no edge is lost and the fast path takes no
// lock. A close waits for the system calls in flight on the descriptor
// (a reference count) before it closes the file descriptor, so a
// descriptor number is never reused under a running call. Reads and
// writes, which never block on these non-blocking sockets, are raw
// system calls: they skip the Go scheduler's entry into and exit from a
// system call; only a wait in epoll that may block goes through it. An
// executor's loop passes through Go's scheduler before such a wait now
// and then, so that Go's monitor thread does not take its processor.
//
// On other systems the package falls back to the net package: each
// waiting operation is a goroutine blocked in the net call, which wakes
// the task when it returns. The API and its semantics are the same; the
// cost (a goroutine per waiting operation, a copy of the data) is not.
//
// # Simulation
//
// [Sim] is the same Network in memory, for deterministic tests on a Local
// executor with virtual time: links with latency, jitter, bandwidth and
// loss, partitions that heal, nodes that crash and restart, every random
// choice drawn from one seed, and a hash of the whole trace to show that
// a seed replays bit for bit.
package anet
