#!/bin/sh
# many.sh runs the differential tester over many seeds, in chunks of
# 10 packages of 100 bodies (1,000 programs), and prints a line per chunk
# and the totals. Usage, from the module root:
#
#	internal/difftest/many.sh FIRST CHUNKS [go test args...]
#
# runs seeds FIRST, FIRST+1, ... (CHUNKS*10 of them), and exits 1 if a
# chunk failed. A chunk that fails
# keeps its log in $TMPDIR/difftest-many-SEED.log; rerun one seed with
#	go test -run '^TestDifferential$' ./internal/difftest -args -difftest.seeds=SEED -difftest.n=100
set -eu
first=${1:?first seed}
chunks=${2:?number of chunks}
shift 2
programs=0
failed=0
bad=0
i=0
while [ "$i" -lt "$chunks" ]; do
	from=$((first + i * 10))
	seeds=$(seq -s, "$from" $((from + 9)))
	log=${TMPDIR:-/tmp}/difftest-many-$from.log
	if go test -count=1 -timeout 30m -run '^TestDifferential$' -v ./internal/difftest "$@" \
		-args -difftest.seeds="$seeds" -difftest.n=100 >"$log" 2>&1; then
		status=ok
	else
		status=FAIL
		bad=1
	fi
	line=$(grep -E '[0-9]+ bodies, [0-9]+ failed' "$log" | tail -1 | sed 's/.*: //')
	n=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	programs=$((programs + ${n:-0}))
	failed=$((failed + ${f:-0}))
	echo "seeds $from-$((from + 9)): $status, ${line:-no summary (see $log)}"
	[ "$status" = ok ] && rm -f "$log"
	i=$((i + 1))
done
echo "total: $programs programs, $failed failed"
exit $bad
