# shellcheck shell=bash
#
# Helpers for the HTTP tests: start and stop a real Kore server on a free
# loopback port, send requests with curl and count assertion results.
#
# A test script sources this file and calls kore_start with the environment
# the server should see.  It sends requests with http_request and checks
# them with the assert_* functions.  It ends with finish_tests, which prints
# "N passed, M failed" as its last line and exits non-zero on any failure.

set -u

HTTP_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_ROOT=$(cd "$HTTP_TESTS_DIR/../.." && pwd)

# The environment may point these at another build or configuration.
KORE_BIN=${KORE_BIN:-kore}
APP_MODULE=${APP_MODULE:-$PROJECT_ROOT/build/app/app.so}
APP_CONF=${APP_CONF:-$PROJECT_ROOT/conf/app.conf}
# Sanitizer runtimes to preload into kore for a sanitize-flavor module
# (make test SANITIZE=1 sets it).
KORE_PRELOAD=${KORE_PRELOAD:-}

# Debian's python3, because it has python3-jwt and a pyenv python3 on PATH
# may not.
PYTHON=/usr/bin/python3
SUPPORT=$HTTP_TESTS_DIR/support.py
# shellcheck disable=SC2034 # used by the test scripts
SALARIES_FILE=$PROJECT_ROOT/assets/salaries.json

KORE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
KORE_START_TIMEOUT=10		# seconds until the port must answer
KORE_STOP_TIMEOUT=5		# seconds between SIGTERM and SIGKILL
CURL_MAX_TIME=5			# seconds per request

TESTS_PASSED=0
TESTS_FAILED=0
CASE="setup"

KORE_PID=
KORE_PORT=
KORE_DIR=
KORE_LOG=
KORE_RUNS=0
KORE_LAST_SID=
KORE_EXIT_STATUS=
LOG_MARK=0
BASE_URL=

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kore-http-test.XXXXXX") || {
	echo "cannot create a temporary directory" >&2
	exit 1
}

# Stops a running server and removes the temporary files on any exit,
# unless HTTP_TEST_KEEP=1 requests to keep them (logs, confs) for debugging.
cleanup() {
	kore_stop >/dev/null
	if [ "${HTTP_TEST_KEEP:-0}" = 1 ]; then
		echo "kept $WORK_DIR" >&2
	else
		rm -rf "$WORK_DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Results

# Names the case that the following assertions belong to.
begin_case() {
	CASE=$1
}

pass() {
	TESTS_PASSED=$((TESTS_PASSED + 1))
	printf 'ok - %s: %s\n' "$CASE" "$1"
}

# fail CHECK EXPECTED ACTUAL [DETAIL]
fail() {
	TESTS_FAILED=$((TESTS_FAILED + 1))
	printf 'FAIL - %s: %s\n' "$CASE" "$1"
	printf '    expected: %s\n' "$2"
	printf '    actual:   %s\n' "$3"
	if [ $# -ge 4 ] && [ -n "$4" ]; then
		printf '%s\n' "$4" | sed 's/^/    /'
	fi
}

# Prints the totals and exits 1 when any check failed.
finish_tests() {
	kore_stop >/dev/null
	printf '%d passed, %d failed\n' "$TESTS_PASSED" "$TESTS_FAILED"
	if [ "$TESTS_FAILED" -eq 0 ]; then
		exit 0
	fi
	exit 1
}

# Counts one failure for a problem that stops the script, then finishes.
bail_out() {
	TESTS_FAILED=$((TESTS_FAILED + 1))
	printf 'FAIL - %s: %s; stopping this script\n' "$CASE" "$1"
	finish_tests
}

# Stops the script unless the module and the application conf exist.
require_server_files() {
	if [ ! -f "$APP_MODULE" ]; then
		bail_out "module not found: $APP_MODULE (run make module first)"
	fi
	if [ ! -f "$APP_CONF" ]; then
		bail_out "application conf not found: $APP_CONF"
	fi
}

# ---------------------------------------------------------------------------
# Server

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

process_running() {
	local state

	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $state in
	*Z*)	return 1 ;;
	esac
	return 0
}

# Prints the ids of the processes in session SID, one per line.  Kore is
# started as a session leader, so this lists its workers even after the
# parent has gone.
session_members() {
	ps -e -o pid=,sid= | awk -v sid="$1" '$2 == sid { print $1 }'
}

# Prints the last lines of the current server's log, indented.
kore_log_tail() {
	if [ -s "$KORE_LOG" ]; then
		tail -n 20 "$KORE_LOG" | sed 's/^/    | /'
	else
		echo "    (the log $KORE_LOG is empty)"
	fi
}

# kore_launch VAR=value ...
# Writes a top-level conf for a new free port and starts Kore in the
# background with only PATH and the given variables in its environment.
kore_launch() {
	KORE_RUNS=$((KORE_RUNS + 1))
	KORE_DIR=$WORK_DIR/kore-$KORE_RUNS
	KORE_LOG=$KORE_DIR/kore.log
	KORE_EXIT_STATUS=
	mkdir -p "$KORE_DIR" || return 1

	if [ ! -f "$APP_MODULE" ]; then
		echo "module not found: $APP_MODULE (run make module first)"
		return 1
	fi
	if [ ! -f "$APP_CONF" ]; then
		echo "application conf not found: $APP_CONF"
		return 1
	fi

	KORE_PORT=$(free_port) || return 1
	BASE_URL=http://127.0.0.1:$KORE_PORT
	sed -e "s|@MODULE@|$APP_MODULE|" -e "s|@PORT@|$KORE_PORT|" \
	    -e "s|@PIDFILE@|$KORE_DIR/kore.pid|" -e "s|@APP_CONF@|$APP_CONF|" \
	    "$PROJECT_ROOT/conf/server.conf.in" >"$KORE_DIR/top.conf" || return 1

	# Kore's workers run under seccomp, where LeakSanitizer cannot stop
	# the world, so only memory errors and undefined behaviour are caught
	# here; the unit tests and fuzzers check for leaks.
	if [ -n "$KORE_PRELOAD" ]; then
		set -- "$@" LD_PRELOAD="$KORE_PRELOAD" \
		    ASAN_OPTIONS=detect_leaks=0 \
		    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	fi

	# Kore logs with printf in the foreground, so stdbuf makes each line
	# reach the file at once.  setsid does not fork here (this shell runs
	# without job control), so $! is Kore's own id and its session id.
	(cd "$KORE_DIR" && exec setsid env -i PATH="$KORE_PATH" "$@" \
	    stdbuf -oL -eL "$KORE_BIN" -fnr -c "$KORE_DIR/top.conf" \
	    >"$KORE_LOG" 2>&1 </dev/null) &
	KORE_PID=$!
	KORE_LAST_SID=$KORE_PID
}

# Waits until the port responds.  Returns 0 when it does, 1 when Kore exited
# (KORE_EXIT_STATUS is set), 2 after KORE_START_TIMEOUT seconds.
kore_wait_ready() {
	local deadline code

	deadline=$((SECONDS + KORE_START_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if ! process_running "$KORE_PID"; then
			wait "$KORE_PID"
			KORE_EXIT_STATUS=$?
			KORE_PID=
			return 1
		fi
		code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' \
		    "$BASE_URL/")
		if [ "$code" != "000" ]; then
			return 0
		fi
		sleep 0.2
	done
	return 2
}

# kore_start VAR=value ...
# Starts Kore and waits until it responds on BASE_URL.  On failure prints
# why, with the end of the log, and returns 1.
kore_start() {
	local attempt ready

	for attempt in 1 2 3; do
		kore_launch "$@" || return 1
		kore_wait_ready
		ready=$?
		if [ "$ready" -eq 0 ]; then
			return 0
		fi

		# Another program may have taken the port since free_port.
		if [ "$ready" -eq 1 ] && [ "$attempt" -lt 3 ] &&
		    grep -q 'Address already in use' "$KORE_LOG"; then
			continue
		fi

		if [ "$ready" -eq 1 ]; then
			echo "Kore exited with status $KORE_EXIT_STATUS" \
			    "before answering on $BASE_URL; log $KORE_LOG:"
		else
			echo "Kore did not answer on $BASE_URL within" \
			    "$KORE_START_TIMEOUT s; log $KORE_LOG:"
		fi
		kore_log_tail
		kore_stop
		return 1
	done
	return 1
}

# kore_expect_exit SECONDS VAR=value ...
# Starts Kore and waits up to SECONDS for it to exit by itself.  Sets
# KORE_EXIT_STATUS (empty when it is still running) and KORE_ELAPSED
# (seconds, with a fraction).  Call assert_kore_stops afterwards to stop
# it if needed and check that nothing of it is left.
kore_expect_exit() {
	local limit=$1 start deadline

	shift
	start=$EPOCHREALTIME
	kore_launch "$@" || return 1

	deadline=$((SECONDS + limit))
	while [ "$SECONDS" -le "$deadline" ] && process_running "$KORE_PID"; do
		sleep 0.1
	done
	# shellcheck disable=SC2034 # used by the test scripts
	KORE_ELAPSED=$(awk -v a="$start" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%.1f", b - a }')

	if process_running "$KORE_PID"; then
		KORE_EXIT_STATUS=
		return 0
	fi
	wait "$KORE_PID"
	KORE_EXIT_STATUS=$?
	KORE_PID=
}

# Stops the server started last: SIGTERM to the parent, SIGKILL after
# KORE_STOP_TIMEOUT seconds, then SIGKILL to anything left in its session.
# Returns 1 and prints the ids when processes were left behind.
kore_stop() {
	local pid=$KORE_PID sid=$KORE_LAST_SID left
	local deadline

	if [ -n "$pid" ]; then
		KORE_PID=
		if process_running "$pid"; then
			kill -TERM "$pid" 2>/dev/null
			deadline=$((SECONDS + KORE_STOP_TIMEOUT))
			while [ "$SECONDS" -le "$deadline" ] &&
			    process_running "$pid"; do
				sleep 0.1
			done
			if process_running "$pid"; then
				echo "Kore $pid ignored SIGTERM; sending SIGKILL"
				kill -KILL "$pid" 2>/dev/null
			fi
		fi
		wait "$pid" 2>/dev/null
	fi

	[ -n "$sid" ] || return 0
	left=$(session_members "$sid")
	if [ -n "$left" ]; then
		echo "Kore left processes behind: ${left//$'\n'/ }"
		# shellcheck disable=SC2086 # one id per word
		kill -KILL $left 2>/dev/null
		return 1
	fi
	return 0
}

# Checks the pidfile of a running server names the process that was
# started.
assert_pidfile() {
	local pidfile

	pidfile=$(cat "$KORE_DIR/kore.pid" 2>/dev/null)
	if [ -n "$KORE_PID" ] && [ "$pidfile" = "$KORE_PID" ]; then
		pass "pidfile names the Kore parent"
	else
		fail "pidfile names the Kore parent" "${KORE_PID:-(no server)}" \
		    "${pidfile:-(none)}"
	fi
}

# Stops the server started last and checks that no process of its session
# is left behind.
assert_kore_stops() {
	local output=$WORK_DIR/stop.out

	if kore_stop >"$output"; then
		pass "Kore stops and leaves no process behind"
	else
		fail "Kore stops and leaves no process behind" \
		    "no process in session $KORE_LAST_SID" "$(cat "$output")"
	fi

	if grep -q -e "ERROR: AddressSanitizer" -e "runtime error:" "$KORE_LOG"
	then
		fail "no sanitizer report in the Kore log" "none" \
		    "$(grep -A 20 -e "AddressSanitizer" -e "runtime error:" \
		    "$KORE_LOG" | head -40)"
	else
		pass "no sanitizer report in the Kore log"
	fi
}

# ---------------------------------------------------------------------------
# Requests

RESP_HEADERS=$WORK_DIR/response.headers
RESP_BODY=$WORK_DIR/response.body
RESP_STATUS=
RESP_CURL_ERROR=

# http_request METHOD PATH [curl option ...]
# Sends one request to the server and sets RESP_STATUS ("000" when there is
# no response), RESP_HEADERS and RESP_BODY (files).
http_request() {
	local method=$1 path=$2

	shift 2
	rm -f "$RESP_HEADERS" "$RESP_BODY"
	: >"$RESP_HEADERS"
	: >"$RESP_BODY"
	# Expect: is emptied so curl sends bodies at once and the headers file
	# holds only the final response.
	RESP_STATUS=$(curl -sS --http1.1 --max-time "$CURL_MAX_TIME" \
	    -H 'Expect:' -X "$method" -D "$RESP_HEADERS" -o "$RESP_BODY" \
	    -w '%{http_code}' "$@" "$BASE_URL$path" 2>"$WORK_DIR/curl.err")
	RESP_CURL_ERROR=$(cat "$WORK_DIR/curl.err")
}

# Prints each value of the response header NAME (case-insensitive), one per
# line, without surrounding whitespace.
header_values() {
	tr -d '\r' <"$RESP_HEADERS" | awk -v name="$1" '
		/^HTTP\// { n = 0; next }
		{
			i = index($0, ":")
			if (i == 0 || tolower(substr($0, 1, i - 1)) != tolower(name))
				next
			v = substr($0, i + 1)
			sub(/^[ \t]+/, "", v)
			sub(/[ \t]+$/, "", v)
			values[++n] = v
		}
		END { for (i = 1; i <= n; i++) print values[i] }'
}

# Prints the start of the body for failure messages.
body_excerpt() {
	printf 'body: '
	head -c 300 "$RESP_BODY" | cat -v
	echo
}

assert_status() {
	local detail

	if [ "$RESP_STATUS" = "$1" ]; then
		pass "status $1"
		return 0
	fi
	detail=$(body_excerpt)
	if [ -n "$RESP_CURL_ERROR" ]; then
		detail="$detail
curl: $RESP_CURL_ERROR"
	fi
	fail "status $1" "$1" "$RESP_STATUS" "$detail"
	return 1
}

# assert_header NAME VALUE: exactly one NAME header, equal to VALUE.
assert_header() {
	local values

	values=$(header_values "$1")
	if [ "$values" = "$2" ]; then
		pass "header $1"
	else
		fail "header $1" "$1: $2" "${values:-(no $1 header)}"
	fi
}

# assert_header_contains NAME TEXT: exactly one NAME header, containing TEXT.
assert_header_contains() {
	local values count

	values=$(header_values "$1")
	count=$(printf '%s' "$values" | grep -c '^')
	if [ "$count" -eq 1 ] && [[ $values == *"$2"* ]]; then
		pass "header $1 contains $2"
	else
		fail "header $1 contains $2" "one $1 header containing $2" \
		    "${values:-(no $1 header)}"
	fi
}

# assert_header_media_type NAME TYPE: exactly one NAME header whose media
# type, before any parameter, is TYPE (case-insensitive).
assert_header_media_type() {
	local values type

	values=$(header_values "$1")
	type=${values%%;*}
	type=${type%"${type##*[! ]}"}
	if [ "${type,,}" = "${2,,}" ] && [[ $values != *$'\n'* ]]; then
		pass "header $1 media type $2"
	else
		fail "header $1 media type $2" "$2" "${values:-(no $1 header)}"
	fi
}

assert_no_header() {
	local values

	values=$(header_values "$1")
	if [ -z "$values" ]; then
		pass "no $1 header"
	else
		# The value is not shown: it may be a token.
		fail "no $1 header" "no $1 header" \
		    "$(printf '%s' "$values" | grep -c '^') $1 header(s)"
	fi
}

# assert_body TEXT: the body is exactly TEXT, with no trailing newline.
assert_body() {
	if printf '%s' "$1" | cmp -s - "$RESP_BODY"; then
		pass "body $1"
	else
		fail "body $1" "$1" "$(head -c 300 "$RESP_BODY" | cat -v)"
	fi
}

# assert_body_file FILE: the body equals FILE byte for byte.
assert_body_file() {
	if cmp -s "$1" "$RESP_BODY"; then
		pass "body equals $(basename "$1")"
	else
		fail "body equals $(basename "$1")" \
		    "$(wc -c <"$1") bytes of $1" \
		    "$(wc -c <"$RESP_BODY") bytes" "$(body_excerpt)"
	fi
}

assert_body_one_line() {
	local error

	if error=$("$PYTHON" "$SUPPORT" one-line "$RESP_BODY" 2>&1); then
		pass "body is a one-line reason"
	else
		fail "body is a one-line reason" "one non-empty line" \
		    "$error" "$(body_excerpt)"
	fi
}

# assert_equal CHECK EXPECTED ACTUAL
assert_equal() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2" "$3"
	fi
}

# assert_success CHECK COMMAND [ARG ...]: COMMAND exits 0.
assert_success() {
	local check=$1 output

	shift
	if output=$("$@" 2>&1); then
		pass "$check"
	else
		fail "$check" "success" "exit status $?" "$output"
	fi
}

# assert_failure CHECK COMMAND [ARG ...]: COMMAND exits non-zero.
assert_failure() {
	local check=$1

	shift
	if "$@" >/dev/null 2>&1; then
		fail "$check" "a non-zero exit status" "exit status 0"
	else
		pass "$check"
	fi
}

# ---------------------------------------------------------------------------
# Logs

# assert_log_line CHECK TEXT...: one line of the current log contains every
# TEXT (fixed strings).
assert_log_line() {
	local check=$1 lines text

	shift
	lines=$(cat "$KORE_LOG")
	for text in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- "$text")
	done
	if [ -n "$lines" ]; then
		pass "$check"
	else
		fail "$check" "a log line containing: $*" "none" \
		    "$(kore_log_tail)"
	fi
}

# Remembers how many lines the current log has, for assert_log_since_mark.
# Kore writes a request's log lines before it sends the response, and the
# log is line-buffered, so after a response the lines are in the file.
# NOTE: a server that rate-limits its rejection lines may drop the line a
# check looks for.  The scripts send a few rejections a second at most.
log_mark() {
	LOG_MARK=$(wc -l <"$KORE_LOG")
}

# assert_log_since_mark CHECK TEXT...: a line written since log_mark
# contains every TEXT (fixed strings).
assert_log_since_mark() {
	local check=$1 lines text

	shift
	lines=$(tail -n +"$((LOG_MARK + 1))" "$KORE_LOG")
	for text in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- "$text")
	done
	if [ -n "$lines" ]; then
		pass "$check"
	else
		fail "$check" "a new log line containing: $*" "none" \
		    "$(tail -n +"$((LOG_MARK + 1))" "$KORE_LOG" | sed 's/^/| /')"
	fi
}

# assert_log_lacks CHECK TEXT: no line of the current log contains TEXT.
# TEXT is a secret, so it is never printed.
assert_log_lacks() {
	local count

	count=$(grep -c -F -- "$2" "$KORE_LOG")
	if [ "$count" -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "no log line containing it" "$count line(s)"
	fi
}

# ---------------------------------------------------------------------------
# Tokens and bodies

# Runs support.py with the HMAC secret in its environment.
# support SECRET COMMAND [ARG ...]
support() {
	local key=$1

	shift
	HTTP_TEST_JWT_SECRET=$key "$PYTHON" "$SUPPORT" "$@"
}
