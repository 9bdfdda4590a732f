#!/usr/bin/env bash
#
# Users from the AUTH_USERS_FILE file, each with its own password hash and
# perms, and login throttling counted across Kore's workers.  The hashes
# are made by Python's hashlib, independently of the service's code, with
# low costs so the tests run fast.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=users_lib.sh
. "$HTTP_TESTS_DIR/users_lib.sh"

SECRET='users-test-secret-0123456789-abcdefghij'
USERS_FILE=$WORK_DIR/users

require_server_files

# Retry-After must be a whole number of seconds from 1 to max.
assert_retry_after() {
	local value

	value=$(header_values retry-after)
	if [[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] &&
	    [ "$value" -le "$1" ]; then
		pass "Retry-After $value within 1..$1 s"
	else
		fail "Retry-After within 1..$1 s" "1..$1" "${value:-(none)}"
	fi
}

{
	echo "# test users; hashes made by hashlib"
	echo "alice:$(make_hash scrypt alice-password):read"
	echo "bob:$(make_hash scrypt bob-password --ln 5 --r 4 --p 2):read,write"
	echo "carol:$(make_hash scrypt carol-password):"
	echo
	echo "dave:$(make_hash pbkdf2 dave-password --i 2000):read,audit"
	printf 'erin:%s:read\r\n' "$(make_hash pbkdf2 erin-password --i 1000)"
	echo "josé:$(make_hash scrypt jose-password):read"
	echo "frank:$(make_hash scrypt frank-password):read"
	# About half a second per check, long enough to hang up during it.
	echo "slow:$(make_hash scrypt slow-password --ln 16):read"
	echo "henry:$(make_hash scrypt henry-password --ln 10):read"
} >"$USERS_FILE"
chmod 600 "$USERS_FILE"

# One user added by the jwt-users tool, as an administrator would.
JWT_USERS=$PROJECT_ROOT/build/jwt-users
[ -x "$JWT_USERS" ] || bail_out "build/jwt-users is missing (run make tool)"
printf 'gina-password\n' | "$JWT_USERS" "$USERS_FILE" add gina \
    --perms read,admin --scrypt-ln 4 --password-stdin >/dev/null \
    2>"$WORK_DIR/jwt-users.err" ||
    bail_out "jwt-users could not add a user"

# Kore 4.1.0 keeps its accept lock in one worker until that worker is
# busy, so on an idle server one worker takes every connection.  With one
# connection per worker, each worker hands the lock on after every accept,
# and consecutive requests reach both workers.
printf 'include %s\nworker_max_connections 1\n' "$APP_CONF" \
    >"$WORK_DIR/app-alternate.conf"
APP_CONF=$WORK_DIR/app-alternate.conf

kore_start JWT_SECRET="$SECRET" AUTH_USERS_FILE="$USERS_FILE" \
    THROTTLE_USER_LIMIT=4 THROTTLE_ADDR_LIMIT=12 THROTTLE_DELAY=3 \
    THROTTLE_DELAY_MAX=6 THROTTLE_WINDOW=60 ||
    bail_out "Kore did not start with a users file"

begin_case "start-up log"
assert_log_line "counts the users" "10 users from"
assert_log_line "warns about weak hashes" "below today's recommended cost"

# Each user gets a token with their own sub and perms.
check_user() {
	local user=$1 password=$2 perms=$3 payload

	begin_case "login $user"
	login "$user" "$password"
	assert_status 200 || return
	assert_header cache-control no-store
	if [ -z "$TOKEN" ]; then
		fail "access_token header" "a token" "none"
		return
	fi
	payload=$(claims "$TOKEN") || {
		fail "PyJWT verifies the token" "valid" "rejected"
		return
	}
	assert_equal "sub is $user" "\"$user\"" \
	    "$(printf '%s' "$payload" | "$PYTHON" -c \
	    'import json,sys; print(json.dumps(json.load(sys.stdin)["sub"], ensure_ascii=False))')"
	assert_equal "perms of $user" "$perms" \
	    "$(printf '%s' "$payload" | "$PYTHON" -c \
	    'import json,sys; print(json.dumps(json.load(sys.stdin)["perms"], separators=(",", ":")))')"
}

check_user alice alice-password '["read"]'
ALICE_TOKEN=$TOKEN
check_user bob bob-password '["read","write"]'
check_user carol carol-password '[]'
CAROL_TOKEN=$TOKEN
check_user dave dave-password '["read","audit"]'
check_user erin erin-password '["read"]'
check_user "josé" jose-password '["read"]'
check_user gina gina-password '["read","admin"]'

begin_case "perms decide /bearer"
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"
http_request GET /bearer -H "Authorization: Bearer $CAROL_TOKEN"
assert_status 403
assert_header_contains www-authenticate 'error="insufficient_scope"'

begin_case "wrong password and unknown user"
login bob alice-password
assert_status 401
assert_body Unauthorized
assert_no_header access_token
login mallory alice-password
assert_status 401
assert_body Unauthorized
assert_no_header access_token
login alice ''
assert_status 401
# A user's own password does not open another account.
login alice bob-password
assert_status 401

# ---------------------------------------------------------------------------
# Throttling per username: 4 failures, then 429 even with the right
# password, across both workers.

begin_case "username throttled after 4 failures"
log_mark
for i in 1 2 3 4; do
	login dave "wrong-$i"
	assert_status 401
done
login dave dave-password
assert_status 429
assert_retry_after 3
assert_no_header access_token
assert_body_one_line
assert_log_since_mark "logs the throttled login" "429" "throttled"

begin_case "throttled username: other users still log in"
login erin erin-password
assert_status 200

begin_case "lock ends and a success resets the count"
# The address 127.0.0.1 is still under its limit here.
sleep 3.2
login dave dave-password
assert_status 200
login dave wrong-again
assert_status 401
login dave dave-password
assert_status 200

begin_case "lock doubles with each further failure"
for i in 1 2 3 4; do
	login bob "wrong-$i"
done
sleep 3.2
login bob wrong-5
assert_status 401
login bob bob-password
assert_status 429
assert_retry_after 6

# ---------------------------------------------------------------------------
# Throttling per client address: 12 failures from 127.0.0.2 on different
# usernames lock that address for every username, not 127.0.0.1.

begin_case "address throttled after 12 failures"
for i in $(seq 1 12); do
	login "nobody-$i" wrong --interface 127.0.0.2
	if [ "$RESP_STATUS" != 401 ]; then
		fail "failure $i from 127.0.0.2" 401 "$RESP_STATUS"
	fi
done
login erin erin-password --interface 127.0.0.2
assert_status 429
assert_retry_after 3
# 127.0.0.1 failed more than 12 times above too, so a fresh address.
login erin erin-password --interface 127.0.0.3
assert_status 200

# Four failures served by both workers add up to the limit.
begin_case "failures counted across workers"
log_mark
for i in 1 2 3 4; do
	login frank "wrong-$i" --interface 127.0.0.4
	assert_status 401
done
login frank frank-password --interface 127.0.0.4
assert_status 429
workers=$(tail -n +"$((LOG_MARK + 1))" "$KORE_LOG" | grep bad_credentials |
    sed -n 's/^\[wrk \([0-9]*\)\].*/\1/p' | sort -u | wc -l)
if [ "$workers" -eq 2 ]; then
	pass "the four failures were served by both workers"
else
	fail "the four failures were served by both workers" 2 "$workers" \
	    "$(tail -n +"$((LOG_MARK + 1))" "$KORE_LOG" | sed 's/^/| /')"
fi

# Twelve wrong logins at once: each attempt is counted before its hash
# runs, so exactly four pass the check and the rest get 429.
begin_case "concurrent attempts counted before hashing"
# Kore runs as a background job too, so only the curls are waited for.
race_pids=()
for i in $(seq 1 12); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
	    --interface 127.0.0.6 --data "username=henry&password=wrong-$i" \
	    "$BASE_URL/jwt" >"$WORK_DIR/race-$i" &
	race_pids+=($!)
done
wait "${race_pids[@]}"
assert_equal "wrong logins that reached the hash" 4 \
    "$(cat "$WORK_DIR"/race-* | grep -c '^401$')"
assert_equal "wrong logins throttled" 8 \
    "$(cat "$WORK_DIR"/race-* | grep -c '^429$')"

# The throttle table's usage is on /metrics: 16,384 slots, some in use,
# nothing evicted by this test's few keys.
begin_case "throttle gauges on /metrics"
http_request GET /metrics
assert_status 200
for line in 'jwt_throttle_slots 16384' \
    'jwt_throttle_evictions_total{kind="user"} 0' \
    'jwt_throttle_evictions_total{kind="addr"} 0'; do
	if grep -qxF -- "$line" "$RESP_BODY"; then
		pass "metrics line: $line"
	else
		fail "metrics line: $line" "$line" "$(grep throttle "$RESP_BODY")"
	fi
done
users_in_use=$(sed -n 's/^jwt_throttle_entries{kind="user"} //p' "$RESP_BODY")
if [ "${users_in_use:-0}" -ge 3 ]; then
	pass "username entries in use: $users_in_use"
else
	fail "username entries in use" ">= 3" "${users_in_use:-none}"
fi

# A client that hangs up while its password is hashed on a task thread:
# the worker keeps serving, and the task's state is freed after it ends.
begin_case "client gone during the hash check"
for i in 1 2 3; do
	curl -s -o /dev/null --max-time 0.1 --interface 127.0.0.5 \
	    --data 'username=slow&password=slow-password' "$BASE_URL/jwt"
done
sleep 1.5
login slow slow-password --interface 127.0.0.5
assert_status 200
if grep -q -e "sandbox violation" -e "exited with status" -e "restarting worker" \
    "$KORE_LOG"; then
	fail "no worker died" "no worker exit" \
	    "$(grep -e violation -e "exited with" "$KORE_LOG" | head -3)"
else
	pass "no worker died"
fi

begin_case "no secret in the log"
assert_log_lacks "no password in the log" "alice-password"
assert_log_lacks "no token in the log" "$ALICE_TOKEN"
assert_log_lacks "no hash in the log" '$scrypt$'
assert_kore_stops

# ---------------------------------------------------------------------------
# Start-up refusals for the users file.

check_users_refusal() {
	local name=$1 text=$2

	shift 2
	begin_case "refuses $name"
	kore_expect_exit 5 JWT_SECRET="$SECRET" "$@"
	if [ -n "$KORE_EXIT_STATUS" ] && [ "$KORE_EXIT_STATUS" -ne 0 ]; then
		pass "exits with status $KORE_EXIT_STATUS"
	else
		fail "exits with a non-zero status" "non-zero" \
		    "${KORE_EXIT_STATUS:-still running}"
	fi
	assert_log_line "log names the fault" "$text"
	assert_log_lacks "no hash in the log" '$scrypt$'
	assert_kore_stops
}

check_users_refusal "a missing users file" "AUTH_USERS_FILE" \
    AUTH_USERS_FILE="$WORK_DIR/missing"
printf 'alice:%s:read\nalice:%s:read\n' "$(make_hash scrypt x)" \
    "$(make_hash scrypt y)" >"$WORK_DIR/dup"
check_users_refusal "a duplicate user" "line 2" AUTH_USERS_FILE="$WORK_DIR/dup"
printf 'alice:$scrypt$ln=4,r=8,p=1$bad$bad:read\n' >"$WORK_DIR/badhash"
check_users_refusal "a malformed hash" "line 1" \
    AUTH_USERS_FILE="$WORK_DIR/badhash"
check_users_refusal "an invalid TRUSTED_PROXIES" "TRUSTED_PROXIES" \
    AUTH_USERS_FILE="$USERS_FILE" TRUSTED_PROXIES=10.1.0.0/8
check_users_refusal "a file and a pair" "not both" \
    AUTH_USERS_FILE="$USERS_FILE" AUTH_USERNAME=a AUTH_PASSWORD=b

finish_tests
