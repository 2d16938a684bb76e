#!/usr/bin/env bash
# Benchmarks examples/kv against the same server written the usual Go way
# (a goroutine per connection), on gnet v2, and redis-server itself: 
# requests per second from redis-benchmark on loopback, plain and
# pipelined, and memory per idle connection. See docs/BENCHMARKS.md.
#
#	examples/kv/bench.sh              # the full run
#	N=20000 IDLE=1000 examples/kv/bench.sh  # a quick one
#	SERVERS="kv-local goroutine" PIPES=1 IDLE_SERVERS= examples/kv/bench.sh  # some
#
# It needs redis-benchmark and redis-server (.ci/install-redis).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-200000}
IDLE=${IDLE:-10000}
C=${C:-50}
PORT=${PORT:-16390}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for tool in redis-benchmark redis-server; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed (run .ci/install-redis)" >&2; exit 1; }
done
bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin/kv" ./examples/kv
go build -o "$bin/idleconns" ./examples/kv/internal/idleconns
(cd internal/gnetkv && go build -o "$bin/gnetkv" .)

# start NAME: starts server NAME on the next port from $PORT on, $port, and
# waits until it answers. Each server gets a port of its own: the sockets of
# the one before may still hold its port (TIME_WAIT), and not every server
# binds with SO_REUSEADDR.
next=$PORT
start() {
	port=$next
	next=$((next + 1))
	case $1 in
	kv-local) "$bin/kv" -addr 127.0.0.1:$port -exec local 2>/dev/null & ;;
	kv-loops) "$bin/kv" -addr 127.0.0.1:$port -exec loops 2>/dev/null & ;;
	kv-pool) "$bin/kv" -addr 127.0.0.1:$port -exec pool 2>/dev/null & ;;
	goroutine) "$bin/kv" -addr 127.0.0.1:$port -exec goroutine 2>/dev/null & ;;
	gnet) "$bin/gnetkv" -addr 127.0.0.1:$port 2>/dev/null & ;;
	redis) redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --maxclients 60000 >/dev/null & ;;
	esac
	pid=$!
	for _ in $(seq 100); do
		redis-cli -p $port ping >/dev/null 2>&1 && return
		sleep 0.05
	done
	echo "bench: $1 did not start" >&2
	exit 1
}
stop() { kill $pid; wait $pid 2>/dev/null || true; }
# cpu: the server's user+system CPU time so far, in clock ticks.
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(go version | cut -d' ' -f3), $(redis-server --version | cut -d' ' -f3)"
echo "# redis-benchmark -q -t ping,set,get -n $N -c $C [-P 16]; load average before each run; server CPU per request"
servers=${SERVERS:-kv-local kv-loops kv-pool goroutine gnet redis}
for P in ${PIPES:-1 16}; do
	for s in $servers; do
		start $s
		load=$(cut -d' ' -f1 /proc/loadavg)
		before=$(cpu)
		out=$(redis-benchmark -p $port -q -t ping,set,get -n $N -c $C -P $P 2>/dev/null | tr '\r' '\n' | grep 'requests per second' | sed 's/ requests per second.*//')
		ticks=$(($(cpu) - before))
		stop
		# µs of server CPU per request, over the four tests (4N requests)
		us=$(awk -v t=$ticks -v hz="$(getconf CLK_TCK)" -v n=$((4 * N)) 'BEGIN{printf "%.2f", t / hz * 1e6 / n}')
		echo "P=$P $s load=$load $(echo $out | tr '\n' ' ') cpu/req=${us}us"
	done
done
echo "# idle connections: $IDLE; used_memory (Go: heap+stacks after GC) per connection"
for s in ${IDLE_SERVERS-kv-local kv-loops kv-pool goroutine gnet redis}; do
	start $s
	echo "idle $s $("$bin/idleconns" -addr 127.0.0.1:$port -n $IDLE)"
	stop
done
