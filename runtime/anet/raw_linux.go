//go:build linux

package anet

import (
	"syscall"
	"unsafe"
)

// The sockets are non-blocking, so a read or write returns at once: it is
// made without telling the Go scheduler it may block (syscall.Read and
// Write do, and each system call then costs the scheduler's entry and exit
// and keeps its monitor thread polling at its shortest interval). A wait
// that may block, epoll_wait with a timeout, still goes through
// syscall.EpollWait; one that only looks (timeout 0) does not.

// zero is what a system call gets for an empty buffer.
var zero uintptr

// rawRead reads from fd, a non-blocking descriptor.
func rawRead(fd int, p []byte) (int, error) { return rawIO(syscall.SYS_READ, fd, p) }

// rawWrite writes to fd, a non-blocking descriptor.
func rawWrite(fd int, p []byte) (int, error) { return rawIO(syscall.SYS_WRITE, fd, p) }

// rawIO makes system call trap (read or write) on fd and p.
func rawIO(trap uintptr, fd int, p []byte) (int, error) {
	ptr := unsafe.Pointer(&zero)
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawEpollWait looks for ready descriptors without waiting (epoll_pwait
// with no signal mask is epoll_wait, and exists on every architecture).
func rawEpollWait(epfd int, events []syscall.EpollEvent) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
