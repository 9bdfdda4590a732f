#!/usr/bin/env bash
#
# Observability against the real Kore server with two workers: GET /health,
# one audit line per authentication decision, GET /metrics counting the
# decisions of both workers, the METRICS_ALLOW address list and its
# start-up refusal.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='observe-test-secret-0123456789-abcdefghij'
USERNAME='observer'
PASSWORD='observe "pass" é'
WRONG_PASSWORD='observe-wrong-password'
OBSERVE=$HTTP_TESTS_DIR/observe.py
EXPECTED=$WORK_DIR/expected.tsv
ROUNDS=12		# logins and granted requests; more if one worker idles
ROUNDS_MAX=60
EXIT_LIMIT=5		# seconds Kore may take to refuse a setting

require_server_files

# Two workers, whatever the number of CPUs.  Kore 4.1.0 lets one worker
# keep accepting until it has worker_max_connections connections, so with
# more than 1 every request of this sequential test would go to the same
# worker.  Kore reads both files.
printf 'workers 2\nworker_max_connections 1\ninclude %s\n' "$APP_CONF" \
    >"$WORK_DIR/observe.conf"
APP_CONF=$WORK_DIR/observe.conf

TOKEN_FILES=0
: >"$EXPECTED"

# expect ROUTE RESULT STATUS REASON SUBJECT [TOKEN]
# Records one decision the server must audit and count.  The token is kept
# in a file so that it never appears in a command line.
expect() {
	local token_file=-

	if [ $# -ge 6 ]; then
		TOKEN_FILES=$((TOKEN_FILES + 1))
		token_file=$WORK_DIR/token-$TOKEN_FILES
		printf '%s\n' "$6" >"$token_file"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$token_file" >>"$EXPECTED"
}

login() {
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
	    "username=$USERNAME" "password=$1")"
}

# Fetches /metrics from 127.0.0.1 into $WORK_DIR/metrics.txt.
fetch_metrics() {
	http_request GET /metrics
	cp "$RESP_BODY" "$WORK_DIR/metrics.txt"
}

# Sends one round: a login and a granted request with its token.  Returns
# 1 when either fails.
send_round() {
	local token

	login "$PASSWORD"
	token=$(header_values access_token)
	if [ "$RESP_STATUS" != 200 ] || [ -z "$token" ]; then
		fail "login in round" "200 and a token" "$RESP_STATUS"
		return 1
	fi
	expect /jwt issued 200 ok "$USERNAME" "$token"
	TOKEN=$token

	http_request GET /bearer -H "Authorization: Bearer $token"
	if [ "$RESP_STATUS" = 200 ]; then
		expect /bearer granted 200 ok "$USERNAME" "$token"
	else
		fail "granted request in round" 200 "$RESP_STATUS"
		return 1
	fi
}

kore_start JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" METRICS_ALLOW=127.0.0.1/32 ||
	bail_out "Kore did not start"

begin_case "two workers"
workers=$(ps -o pid= --ppid "$KORE_PID" | grep -c '^')
assert_equal "Kore runs two workers" 2 "$workers"

# ---------------------------------------------------------------------------
# GET /health

begin_case "GET /health"
log_mark
http_request GET /health
assert_status 200
assert_body '{"status":"ok"}'
assert_header_media_type Content-Type application/json
assert_header Cache-Control no-store
assert_header Server jwt-service
assert_no_header WWW-Authenticate

begin_case "HEAD /health"
http_request HEAD /health
assert_status 200
assert_equal "no body" 0 "$(wc -c <"$RESP_BODY")"

begin_case "POST /health"
http_request POST /health -d x
assert_status 405
assert_header Allow "GET, HEAD"

begin_case "DELETE /health"
http_request DELETE /health
assert_status 405

begin_case "/health is not audited"
assert_equal "no new log line" "$LOG_MARK" "$(wc -l <"$KORE_LOG")"

# ---------------------------------------------------------------------------
# Decisions: successes on both workers, then one of each kind of rejection

begin_case "decisions on both workers"
rounds=0
while [ "$rounds" -lt "$ROUNDS" ] ||
    [ "$("$PYTHON" "$OBSERVE" workers "$KORE_LOG")" != "1 2" ]; do
	[ "$rounds" -lt "$ROUNDS_MAX" ] || break
	send_round || break
	rounds=$((rounds + 1))
done
[ -n "${TOKEN:-}" ] || bail_out "no token was issued"
assert_equal "audit lines from workers" "1 2" \
    "$("$PYTHON" "$OBSERVE" workers "$KORE_LOG")"

begin_case "rejections"
login "$WRONG_PASSWORD"
assert_status 401
expect /jwt rejected 401 bad_credentials -

http_request POST /jwt -H 'Content-Type: text/plain' -d x
assert_status 415
expect /jwt rejected 415 content_type -

http_request GET /jwt
assert_status 405
expect /jwt rejected 405 method -

http_request GET /bearer
assert_status 401
expect /bearer rejected 401 no_credentials -

http_request GET /bearer -H "Authorization: Basic b2JzZXJ2ZXI6eA=="
assert_status 401
expect /bearer rejected 401 other_scheme -

# The last issued token with its signature's first character changed.
# Changing the last one could set its padding bits, which the strict
# decoder rejects as an encoding fault before the signature is checked.
signature=${TOKEN##*.}
case ${signature:0:1} in
A)	BAD_TOKEN=${TOKEN%.*}.B${signature:1} ;;
*)	BAD_TOKEN=${TOKEN%.*}.A${signature:1} ;;
esac
http_request GET /bearer -H "Authorization: Bearer $BAD_TOKEN"
assert_status 401
expect /bearer rejected 401 signature - "$BAD_TOKEN"

now=$(date +%s)
EXPIRED=$(support "$SECRET" encode --claims "{\"sub\":\"$USERNAME\",
    \"iss\":\"twil.io\",\"perms\":[\"read\"],\"iat\":$((now - 600)),
    \"exp\":$((now - 300))}")
http_request GET /bearer -H "Authorization: Bearer $EXPIRED"
assert_status 401
expect /bearer rejected 401 expired - "$EXPIRED"

# NOTE: the 403 line has no subject: bearer.c passes it only on success.
NO_READ=$(support "$SECRET" encode --claims "{\"sub\":\"$USERNAME\",
    \"iss\":\"twil.io\",\"perms\":[\"write\"],\"iat\":$now,
    \"exp\":$((now + 600))}")
http_request GET /bearer -H "Authorization: Bearer $NO_READ"
assert_status 403
expect /bearer rejected 403 no_read_perm - "$NO_READ"

http_request PUT /bearer -d x -H "Authorization: Bearer $TOKEN"
assert_status 405
expect /bearer rejected 405 method - "$TOKEN"

# ---------------------------------------------------------------------------
# The audit lines

begin_case "audit lines"
assert_success "one audit line per decision, in order, with its fields" \
    "$PYTHON" "$OBSERVE" audit "$KORE_LOG" "$EXPECTED"
assert_log_lacks "password not logged" "$PASSWORD"
assert_log_lacks "wrong password not logged" "$WRONG_PASSWORD"
assert_log_lacks "secret not logged" "$SECRET"
assert_log_lacks "issued token not logged" "$TOKEN"
assert_log_lacks "tampered token not logged" "$BAD_TOKEN"
assert_log_lacks "expired token not logged" "$EXPIRED"
assert_log_line "audit line has the JSON prefix" ': audit: {"time":"'

# ---------------------------------------------------------------------------
# GET /metrics

begin_case "GET /metrics from 127.0.0.1"
fetch_metrics
assert_status 200
assert_header Content-Type "text/plain; version=0.0.4; charset=utf-8"
assert_header Cache-Control no-store
assert_success "counters equal the decisions sent to both workers" \
    "$PYTHON" "$OBSERVE" metrics "$WORK_DIR/metrics.txt" "$EXPECTED"
assert_success "process start time gauge" \
    grep -q -E '^process_start_time_seconds [0-9]+$' "$WORK_DIR/metrics.txt"

begin_case "/metrics on every worker"
# Each request on a new connection may reach either worker, and every
# response must contain the same totals.
for _ in 1 2 3 4 5 6; do
	fetch_metrics
	if ! "$PYTHON" "$OBSERVE" metrics "$WORK_DIR/metrics.txt" \
	    "$EXPECTED" >"$WORK_DIR/metrics.err"; then
		break
	fi
done
assert_success "six fetches hold the same totals" \
    "$PYTHON" "$OBSERVE" metrics "$WORK_DIR/metrics.txt" "$EXPECTED"

begin_case "HEAD /metrics"
http_request HEAD /metrics
assert_status 200

begin_case "POST /metrics from 127.0.0.1"
http_request POST /metrics -d x
assert_status 405
assert_header Allow "GET, HEAD"

begin_case "/metrics from 127.0.0.2, not in METRICS_ALLOW"
http_request GET /no-such-route --interface 127.0.0.2
no_route_status=$RESP_STATUS
no_route_headers=$(tr -d '\r' <"$RESP_HEADERS" | sort)
http_request GET /metrics --interface 127.0.0.2
assert_status 404
assert_equal "same status as a path with no route" "$no_route_status" \
    "$RESP_STATUS"
assert_equal "same headers as a path with no route" "$no_route_headers" \
    "$(tr -d '\r' <"$RESP_HEADERS" | sort)"
assert_equal "empty body" 0 "$(wc -c <"$RESP_BODY")"
http_request POST /metrics -d x --interface 127.0.0.2
assert_status 404
http_request GET /health --interface 127.0.0.2
assert_status 200

# ---------------------------------------------------------------------------
# The rate limit of rejection lines

# metric_value NAME-AND-LABELS: the value of one sample of /metrics.
metric_value() {
	fetch_metrics
	awk -v key="$1" '$1 == key { print $2 }' "$WORK_DIR/metrics.txt"
}

begin_case "rate limit of rejection lines"
NO_CREDENTIALS='jwt_auth_decisions_total{route="/bearer",result="rejected",reason="no_credentials"}'
before=$(metric_value "$NO_CREDENTIALS")
log_mark
# One connection, so one worker, and more than APP_LOG_BURST (50) in
# about a second.
BURST=80
urls=()
for _ in $(seq "$BURST"); do
	urls+=(-o /dev/null "$BASE_URL/bearer")
done
codes=$(curl -sS --max-time 10 -w '%{http_code}\n' "${urls[@]}" |
    grep -c '^401$')
assert_equal "every request of the burst got 401" "$BURST" "$codes"
sent=$BURST
# The count of dropped lines is logged with a rejection in a later second
# on the same worker; connections alternate between the two workers.
sleep 1.1
for _ in 1 2 3 4 5 6; do
	http_request GET /bearer
	sent=$((sent + 1))
	read -r audited reports dropped <<EOF2
$("$PYTHON" "$OBSERVE" rate "$KORE_LOG" "$LOG_MARK")
EOF2
	[ "$reports" -eq 0 ] || [ "$((audited + dropped))" -ne "$sent" ] ||
	    break
done
assert_equal "decisions counted in /metrics" "$((before + sent))" \
    "$(metric_value "$NO_CREDENTIALS")"
if [ "$reports" -ge 1 ]; then
	pass "a JSON line reports the dropped lines"
else
	fail "a JSON line reports the dropped lines" "at least 1" "$reports"
fi
assert_equal "audited plus dropped lines equal the rejections" "$sent" \
    "$((audited + dropped))"
assert_equal "dropped lines counted in /metrics" "$dropped" \
    "$(metric_value jwt_audit_lines_suppressed_total)"

begin_case "log"
assert_kore_stops
assert_success "every log line is an expected one" \
    "$PYTHON" "$PROJECT_ROOT/tests/attack/logcheck.py" "$KORE_LOG"

# ---------------------------------------------------------------------------
# Start-up: the default list and invalid lists

begin_case "METRICS_ALLOW unset"
kore_start JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" || bail_out "Kore did not start"
http_request GET /metrics --interface 127.0.0.2
assert_status 200
assert_header Content-Type "text/plain; version=0.0.4; charset=utf-8"
assert_kore_stops

# check_refusal VALUE
check_refusal() {
	local lines

	begin_case "refuses METRICS_ALLOW='$1'"
	if ! kore_expect_exit "$EXIT_LIMIT" JWT_SECRET="$SECRET" \
	    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD" \
	    METRICS_ALLOW="$1"; then
		fail "Kore launched" "a launch" "no launch"
		return
	fi
	if [ -n "$KORE_EXIT_STATUS" ] && [ "$KORE_EXIT_STATUS" -ne 0 ]; then
		pass "exits with a non-zero status ($KORE_EXIT_STATUS)"
	else
		fail "exits with a non-zero status" "non-zero" \
		    "${KORE_EXIT_STATUS:-still running}" "$(kore_log_tail)"
	fi
	assert_kore_stops
	lines=$(grep -c -F 'configuration: METRICS_ALLOW: ' "$KORE_LOG")
	assert_equal "one log line names METRICS_ALLOW" 1 "$lines"
	assert_log_lacks "password not in output" "$PASSWORD"
}

check_refusal 10.0.0.1/33
check_refusal 'not-an-address'
check_refusal ''
check_refusal '127.0.0.1, ::1'
check_refusal 10.1.0.0/8

finish_tests
