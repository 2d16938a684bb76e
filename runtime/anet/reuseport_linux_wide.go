//go:build linux && (mips || mipsle || mips64 || mips64le || sparc64)

package anet

// soReusePort is SO_REUSEPORT on the architectures that number socket
// options apart.
const soReusePort = 0x200
