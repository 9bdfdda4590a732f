#!/usr/bin/env bash
#
# Runs the micro-benchmark: ns per operation from the binary's own timed
# loops, and instructions per operation from callgrind, which counts the
# same on a busy machine as on an idle one.
#
#   bench/micro/run.sh MICRO_BINARY OUT_DIR ITERATIONS
#
# Instructions per operation are (Ir of ITERATIONS runs - Ir of 0 runs) /
# ITERATIONS, so start-up, keying and the warm-up cancel out.  Writes
# OUT_DIR/micro.tsv and keeps the callgrind profiles in OUT_DIR.

set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 MICRO_BINARY OUT_DIR ITERATIONS" >&2
	exit 2
fi

micro=$1
out=$2
iterations=$3

mkdir -p "$out"

# Prints the instructions (Ir) callgrind counted for one run.
callgrind_ir() {
	local op=$1 n=$2 log

	log=$out/callgrind.$op.$n.log
	if ! valgrind --tool=callgrind \
	    --callgrind-out-file="$out/callgrind.$op.$n.out" \
	    "$micro" count "$op" "$n" >/dev/null 2>"$log"; then
		echo "callgrind failed on $op $n; see $log" >&2
		return 1
	fi
	sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$log"
}

printf 'op\tns_per_op\tinstructions_per_op\tabout\n' >"$out/micro.tsv"

"$micro" list | while IFS=$'\t' read -r op about; do
	ns=$("$micro" time "$op" | cut -f2)
	with=$(callgrind_ir "$op" "$iterations")
	without=$(callgrind_ir "$op" 0)
	per_op=$(( (with - without) / iterations ))
	printf '%s\t%s\t%s\t%s\n' "$op" "$ns" "$per_op" "$about" \
	    >>"$out/micro.tsv"
	printf 'micro %-14s %10s ns/op %10s instructions/op\n' "$op" "$ns" \
	    "$per_op"
done
