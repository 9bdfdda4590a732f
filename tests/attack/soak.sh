#!/usr/bin/env bash
#
# Soak run: one Kore server on a free loopback port takes the whole attack
# suite again and again, each case followed by a good GET /bearer, for
# SOAK_ROUNDS rounds in all or SOAK_SECONDS seconds, whichever ends first.
# SOAK_CLIENTS copies of run.py send at once, so requests from several
# connections interleave.  The one case that waits up to 2 s for a cached
# token to expire is left out of the rounds (run.py --skip-waits).  Every SOAK_SAMPLE_SECONDS the script samples
# each worker's VmRSS from /proc.
#
# NOTE: Kore 4.1.0's accept lock stays with one worker until that worker
# reaches worker_max_connections, so nearly all requests reach one worker.
# The report counts log lines per process to show which.
#
# Violations, each of which makes the exit status 1:
#   - a worker process exited or was replaced (its id changed);
#   - a log line other than the expected ones (tests/attack/logcheck.py),
#     or the secret or password in the log;
#   - a worker's VmRSS grew by more than SOAK_RSS_BOUND_KB over its first
#     sample taken at or after SOAK_WARMUP_SECONDS;
#   - a failed check of the suite in any round.
# The report ends with the machine, the samples and the verdict.  It is a
# script to run by hand, not part of make test.  HTTP_TEST_KEEP=1 keeps the
# Kore log.

set -u
# shellcheck source-path=SCRIPTDIR source=../http/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../http/lib.sh"
# shellcheck source-path=SCRIPTDIR source=settings.sh
. "$PROJECT_ROOT/tests/attack/settings.sh"

SOAK_ROUNDS=${SOAK_ROUNDS:-2000}
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_CLIENTS=${SOAK_CLIENTS:-2}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-30}
SOAK_WARMUP_SECONDS=${SOAK_WARMUP_SECONDS:-60}
SOAK_RSS_BOUND_KB=${SOAK_RSS_BOUND_KB:-1024}

for setting in SOAK_ROUNDS SOAK_SECONDS SOAK_CLIENTS SOAK_SAMPLE_SECONDS \
    SOAK_WARMUP_SECONDS SOAK_RSS_BOUND_KB; do
	if ! [[ ${!setting} =~ ^[0-9]+$ ]] || [ "${!setting}" -eq 0 ]; then
		echo "soak: $setting must be a positive integer, not '${!setting}'" >&2
		exit 2
	fi
done

SAMPLES=$WORK_DIR/rss.samples		# lines: seconds pid kB
violations=()

# Appends one line per worker to SAMPLES: elapsed seconds, id, VmRSS in kB
# (0 when the process has gone).
sample_rss() {
	local elapsed=$1 pid rss

	for pid in $WORKERS; do
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		echo "$elapsed $pid ${rss:-0}" >>"$SAMPLES"
	done
}

require_server_files
# Kore loads a private copy, so a rebuild of the module during the run
# changes nothing under it.
cp "$APP_MODULE" "$WORK_DIR/app.so" || exit 1
APP_MODULE=$WORK_DIR/app.so
module_sum=$(sha256sum "$APP_MODULE" | cut -c1-16)
revision=$(git -C "$PROJECT_ROOT" describe --always --dirty 2>/dev/null)
attack_kore_start || { echo "soak: Kore did not start"; exit 1; }
WORKERS=$(attack_workers)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
fuzzers=$(pgrep -f 'fuzz_' | wc -l)

echo "soak: Kore $KORE_PID on port $KORE_PORT, workers $WORKERS"
echo "soak: up to $SOAK_ROUNDS rounds or $SOAK_SECONDS s, $SOAK_CLIENTS clients"

begin=$SECONDS
sample_rss 0
rounds_each=$(((SOAK_ROUNDS + SOAK_CLIENTS - 1) / SOAK_CLIENTS))
client_pids=()
for client in $(seq 1 "$SOAK_CLIENTS"); do
	attack_run --fast --quiet --skip-waits --repeat "$rounds_each" \
	    --seconds "$SOAK_SECONDS" >"$WORK_DIR/client-$client.out" 2>&1 &
	client_pids+=("$!")
done

next_sample=$SOAK_SAMPLE_SECONDS
running=1
while [ "$running" -eq 1 ]; do
	sleep 1
	if [ $((SECONDS - begin)) -ge "$next_sample" ]; then
		sample_rss $((SECONDS - begin))
		next_sample=$((next_sample + SOAK_SAMPLE_SECONDS))
	fi
	running=0
	for pid in "${client_pids[@]}"; do
		process_running "$pid" && running=1
	done
done
duration=$((SECONDS - begin))
sample_rss "$duration"
workers_after=$(attack_workers)

# The suite's own results: run.py prints "rounds: R of C cases, requests:
# Q, seconds: S" and "P passed, F failed".
rounds=0 requests=0 passed=0 failed=0
for client in $(seq 1 "$SOAK_CLIENTS"); do
	wait "${client_pids[client - 1]}"
	status=$?
	out=$WORK_DIR/client-$client.out
	echo "-- client $client"
	grep -v -e '^ok - ' -e '^progress: ' "$out" | tail -n 40
	summary=$(tail -n 1 "$out")
	if [[ $(grep '^rounds: ' "$out") =~ ^rounds:\ ([0-9]+)\ of\ ([0-9]+)\ cases,\ requests:\ ([0-9]+) ]]; then
		rounds=$((rounds + BASH_REMATCH[1]))
		cases=${BASH_REMATCH[2]}
		requests=$((requests + BASH_REMATCH[3]))
	fi
	if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		failed=$((failed + 1))
	fi
	if [ "$status" -ne 0 ] || ! [[ $summary =~ \ 0\ failed$ ]]; then
		violations+=("client $client failed checks: $summary (exit status $status)")
	fi
done

if [ "$workers_after" != "$WORKERS" ]; then
	violations+=("workers changed: $WORKERS before, ${workers_after:-none} after")
fi

kore_stop >/dev/null
log_lines=$(wc -l <"$KORE_LOG")
if ! log_report=$("$PYTHON" "$ATTACK_DIR/logcheck.py" "$KORE_LOG"); then
	violations+=("unexpected log lines:
$log_report")
fi
if grep -q -F -e "$ATTACK_SECRET" -e "$ATTACK_PASSWORD" "$KORE_LOG"; then
	violations+=("the secret or the password is in the log")
fi

# RSS per worker: the samples, and growth over the first sample at or after
# the warm-up.
rss_report=$(awk -v warmup="$SOAK_WARMUP_SECONDS" \
    -v bound="$SOAK_RSS_BOUND_KB" '
	{
		t = $1; pid = $2; rss = $3
		if (!(pid in seen)) { seen[pid] = 1; order[++n] = pid }
		list[pid] = list[pid] sprintf(" %d:%d", t, rss)
		if (t >= warmup && !(pid in base)) base[pid] = rss
		if (pid in base && rss > peak[pid]) peak[pid] = rss
		if (rss == 0) gone[pid] = 1
	}
	END {
		for (i = 1; i <= n; i++) {
			pid = order[i]
			printf "worker %d VmRSS kB at seconds:%s\n", pid, list[pid]
			if (gone[pid]) {
				printf "VIOLATION worker %d gone\n", pid
			} else if (!(pid in base)) {
				printf "worker %d: no sample after the %d s warm-up\n", pid, warmup
			} else {
				growth = peak[pid] - base[pid]
				printf "worker %d: growth after warm-up %d kB (bound %d kB)\n", pid, growth, bound
				if (growth > bound)
					printf "VIOLATION worker %d grew %d kB\n", pid, growth
			}
		}
	}' "$SAMPLES")
if grep -q '^VIOLATION' <<<"$rss_report"; then
	violations+=("$(grep '^VIOLATION' <<<"$rss_report")")
fi
if ! grep -q 'growth after warm-up' <<<"$rss_report"; then
	violations+=("no RSS sample after the warm-up: run longer or lower SOAK_WARMUP_SECONDS")
fi

echo
echo "== soak report"
echo "started: $started"
echo "machine: $(nproc) CPUs, Linux $(uname -r), $(kore -v 2>&1 | head -n 1 | sed 's/^/Kore /')"
echo "source: ${revision:-unknown}, module sha256 $module_sum..."
echo "fuzzer processes running at start: $fuzzers"
echo "settings: SOAK_ROUNDS=$SOAK_ROUNDS SOAK_SECONDS=$SOAK_SECONDS" \
    "SOAK_SAMPLE_SECONDS=$SOAK_SAMPLE_SECONDS" \
    "SOAK_WARMUP_SECONDS=$SOAK_WARMUP_SECONDS" \
    "SOAK_RSS_BOUND_KB=$SOAK_RSS_BOUND_KB"
echo "duration: $duration s"
echo "rounds: $rounds of ${cases:-?} cases, requests: $requests"
echo "checks: $passed passed, $failed failed"
echo "log: $log_lines lines; lines per process: $(grep -o '^\[[a-z]* *[0-9]*\]' "$KORE_LOG" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $2 $3, $1; sep = ", " }')"
grep -v '^VIOLATION' <<<"$rss_report"
if [ "${#violations[@]}" -eq 0 ]; then
	echo "verdict: PASS"
	exit 0
fi
printf 'violation: %s\n' "${violations[@]}"
echo "verdict: FAIL"
if [ "${HTTP_TEST_KEEP:-0}" != 1 ]; then
	echo "(HTTP_TEST_KEEP=1 keeps the Kore log)"
fi
exit 1
