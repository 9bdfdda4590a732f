#!/usr/bin/env bash
# Runs the unit tests (programs given as arguments), the HTTP tests
# against the real Kore server and the jwt-users tool tests, then prints
# one closing line with the totals: "N passed, M failed".  Exits 1 when
# anything failed.
set -u

cd "$(dirname "$0")/.." || exit 1

totals() {
	sed -n 's/^\(.*[^0-9]\)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2 \3/p' |
	    tail -n 1
}

unit_out=$(sh tests/unit/run.sh "$@" 2>&1)
unit_status=$?
printf '%s\n' "$unit_out"
read -r unit_passed unit_failed <<EOF2
$(printf '%s\n' "$unit_out" | totals)
EOF2

http_out=$(bash tests/http/run.sh 2>&1)
http_status=$?
printf '%s\n' "$http_out"
read -r http_passed http_failed <<EOF2
$(printf '%s\n' "$http_out" | totals)
EOF2

tools_out=$(bash tests/tools/test_jwt_users.sh 2>&1)
tools_status=$?
printf '%s\n' "$tools_out"
read -r tools_passed tools_failed <<EOF2
$(printf '%s\n' "$tools_out" | totals)
EOF2

passed=$(( ${unit_passed:-0} + ${http_passed:-0} + ${tools_passed:-0} ))
failed=$(( ${unit_failed:-0} + ${http_failed:-0} + ${tools_failed:-0} ))

# A suite that failed without printing its totals still fails the run.
if [ "$unit_status" -ne 0 ] && [ "${unit_failed:-0}" -eq 0 ]; then
	failed=$((failed + 1))
fi
if [ "$http_status" -ne 0 ] && [ "${http_failed:-0}" -eq 0 ]; then
	failed=$((failed + 1))
fi
if [ "$tools_status" -ne 0 ] && [ "${tools_failed:-0}" -eq 0 ]; then
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
