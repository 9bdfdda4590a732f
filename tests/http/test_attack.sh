#!/usr/bin/env bash
#
# The attack suite against a real Kore server: tests/attack/run.py sends
# every hostile case and checks each response, then this script checks
# that no worker was restarted and that the log contains only the
# expected lines and nothing secret.  Options are passed on to run.py, for example
# --kind Claims or --match prefix.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../attack/settings.sh
. "$PROJECT_ROOT/tests/attack/settings.sh"

require_server_files
attack_kore_start || bail_out "Kore did not start"

begin_case "server start"
assert_pidfile
workers_before=$(attack_workers)

begin_case "attack suite"
output=$WORK_DIR/attack.out
attack_run "$@" | tee "$output"
status=${PIPESTATUS[0]}
last=$(tail -n 1 "$output")
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	TESTS_PASSED=$((TESTS_PASSED + BASH_REMATCH[1]))
	TESTS_FAILED=$((TESTS_FAILED + BASH_REMATCH[2]))
	if [ "$status" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
		fail "run.py exit status" "0" "$status"
	fi
else
	fail "run.py prints its totals" "N passed, M failed" \
	    "exit status $status, last line: $last"
fi

begin_case "workers"
assert_equal "no worker restarted" "$workers_before" "$(attack_workers)"

begin_case "server stop"
assert_kore_stops

begin_case "log"
assert_success "every log line is an expected one" \
    "$PYTHON" "$ATTACK_DIR/logcheck.py" "$KORE_LOG"
assert_log_lacks "secret not logged" "$ATTACK_SECRET"
assert_log_lacks "password not logged" "$ATTACK_PASSWORD"

finish_tests
