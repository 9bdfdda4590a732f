#!/bin/sh
# Runs each cmocka test program given as an argument and prints the totals
# as "unit: N passed, M failed".  A program that crashes or exits non-zero
# without a cmocka summary counts as one failure.  Exits 1 on any failure.
set -u

passed=0
failed=0
for prog in "$@"; do
	out=$("$prog" 2>&1)
	status=$?
	printf '%s\n' "$out"

	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))

	if [ "$status" -ne 0 ] && [ -z "$f" ]; then
		echo "$prog: exited with status $status and no cmocka summary"
		failed=$((failed + 1))
	fi
done

echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
