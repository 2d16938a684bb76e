//go:build linux && !(mips || mipsle || mips64 || mips64le || sparc64)

package anet

// soReusePort is SO_REUSEPORT, which package syscall does not name on
// every Linux architecture.
const soReusePort = 0xf
