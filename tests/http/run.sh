#!/usr/bin/env bash
#
# Runs every HTTP test script, prints each script's result and ends with
# the totals as "N passed, M failed".  Exits non-zero when a check failed
# or a script did not finish with its own totals line.

set -u

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scripts=(test_flow.sh test_observe.sh test_interop.sh test_matrix.sh
    test_refusal.sh test_rotation.sh test_users.sh test_pgsql.sh
    test_scaleout.sh test_install.sh test_attack.sh)
total_passed=0
total_failed=0
broken=0
summaries=()
output=$(mktemp "${TMPDIR:-/tmp}/kore-http-run.XXXXXX") || exit 1
trap 'rm -f "$output"' EXIT

for script in "${scripts[@]}"; do
	echo "== $script"
	bash "$dir/$script" 2>&1 | tee "$output"
	status=${PIPESTATUS[0]}

	last=$(tail -n 1 "$output")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=${BASH_REMATCH[1]}
		failed=${BASH_REMATCH[2]}
		total_passed=$((total_passed + passed))
		total_failed=$((total_failed + failed))
		if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
			summaries+=("$script: $last, but exit status $status")
			broken=1
		else
			summaries+=("$script: $last")
		fi
	else
		summaries+=("$script: did not finish (exit status $status)")
		broken=1
	fi
done

echo "== results"
printf '%s\n' "${summaries[@]}"
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
if [ "$total_failed" -ne 0 ] || [ "$broken" -ne 0 ]; then
	exit 1
fi
exit 0
