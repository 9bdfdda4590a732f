#!/usr/bin/env bash
#
# The PostgreSQL stores against a real PostgreSQL server started for the
# test: users and their perms from jwt_users, /bearer's data from salaries,
# failed logins counted in login_throttle, and a database that goes away
# in the middle of the run and comes back.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=users_lib.sh
. "$HTTP_TESTS_DIR/users_lib.sh"
# shellcheck source=../pg/pg.sh
. "$PROJECT_ROOT/tests/pg/pg.sh"

SECRET='pgsql-test-secret-0123456789-abcdefghij'

require_server_files

trap 'cleanup; pg_destroy' EXIT

begin_case "PostgreSQL setup"
pg_start >"$WORK_DIR/pg.out" 2>&1 ||
    bail_out "PostgreSQL did not start: $(cat "$WORK_DIR/pg.out")"
pass "PostgreSQL started in $PG_DIR"
$PG_ADMIN -d jwt -f "$PROJECT_ROOT/conf/sql/seed.sql" >/dev/null ||
    bail_out "seed.sql failed"
# The schema applies twice without error.
assert_success "schema.sql is idempotent" \
    $PG_ADMIN -d jwt -f "$PROJECT_ROOT/conf/sql/schema.sql"

pg_sql "INSERT INTO jwt_users (username, password_hash, perms) VALUES
    ('alice', '$(make_hash scrypt alice-password)', '{read}'),
    ('bob', '$(make_hash pbkdf2 bob-password --i 1500)', '{read,write}'),
    ('carol', '$(make_hash scrypt carol-password)', '{}'),
    ('broken', 'not-a-hash', '{read}'),
    ('badperms', '$(make_hash scrypt x)', '{\"no spaces\"}'),
    ('commaperm', '$(make_hash scrypt x)', '{\"read,admin\"}'),
    ('nullperm', '$(make_hash scrypt x)', '{NULL,read}')" >/dev/null ||
    bail_out "cannot insert the test users"
pg_sql "INSERT INTO salaries VALUES (5, 'Zoë', 6100)" >/dev/null

# TCP, as production connects (the workers' chroot hides Unix sockets).
kore_start JWT_SECRET="$SECRET" AUTH_USERS_STORE=pgsql DATA_STORE=pgsql \
    PGSQL_DSN="$PG_DSN_TCP" THROTTLE_USER_LIMIT=3 THROTTLE_ADDR_LIMIT=50 \
    THROTTLE_DELAY=3 THROTTLE_DELAY_MAX=6 ||
    bail_out "Kore did not start with the PostgreSQL stores"

begin_case "users from the database"
login alice alice-password
assert_status 200
ALICE_TOKEN=$TOKEN
assert_equal "alice's perms" '["read"]' "$(claims "$ALICE_TOKEN" |
    "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["perms"]))')"
login bob bob-password
assert_status 200
assert_equal "bob's perms" '["read", "write"]' "$(claims "$TOKEN" |
    "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["perms"]))')"
login carol carol-password
assert_status 200
CAROL_TOKEN=$TOKEN

begin_case "wrong password and unknown user"
login alice bob-password
assert_status 401
assert_no_header access_token
login nobody alice-password
assert_status 401
assert_no_header access_token

begin_case "invalid rows are rejected, not trusted"
login broken anything
assert_status 500
assert_no_header access_token
login badperms x
assert_status 500
assert_no_header access_token
login commaperm x
assert_status 500
assert_no_header access_token
login nullperm x
assert_status 500
assert_no_header access_token

begin_case "a username that is not UTF-8"
http_request POST /jwt --data 'username=%FF&password=x'
assert_status 401
assert_no_header access_token

begin_case "data from the database"
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200
assert_header_media_type content-type application/json
assert_body '[{"name":"Alice","salary":4000},{"name":"Bob","salary":3500},{"name":"Carol","salary":5200},{"name":"Dave","salary":4100},{"name":"Zoë","salary":6100}]'
http_request GET /bearer -H "Authorization: Bearer $CAROL_TOKEN"
assert_status 403

begin_case "a change in the table shows at once"
pg_sql "UPDATE salaries SET salary = 4200 WHERE id = 1" >/dev/null
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200
if grep -q '"salary":4200' "$RESP_BODY"; then
	pass "updated salary served"
else
	fail "updated salary served" '"salary":4200' "$(body_excerpt)"
fi

# A large table makes the response buffer grow by realloc(), which glibc
# does with mremap: the workers' sandbox must allow it.
begin_case "a table of 10,000 rows"
pg_sql "INSERT INTO salaries SELECT g, 'Employee ' || g, 50000 + g
    FROM generate_series(100, 10094) AS g" >/dev/null
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200
assert_equal "10,000 objects in the body" 10000 \
    "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$RESP_BODY")"
pg_sql "INSERT INTO salaries VALUES (20000, 'One too many', 1)" >/dev/null
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 500
pg_sql "DELETE FROM salaries WHERE id >= 100" >/dev/null
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200

begin_case "throttling kept in the database"
for i in 1 2 3; do
	login bob "wrong-$i"
	assert_status 401
done
login bob bob-password
assert_status 429
assert_no_header access_token
rows=$(pg_sql "SELECT count(*) FROM login_throttle WHERE fails >= 3")
assert_equal "one username and one address row reached 3" 2 "$rows"
keys=$(pg_sql "SELECT count(*) FROM login_throttle WHERE octet_length(key) = 16")
assert_equal "every key is a 16-byte digest" \
    "$(pg_sql "SELECT count(*) FROM login_throttle")" "$keys"
if pg_sql "SELECT encode(key, 'escape') FROM login_throttle" | grep -q bob; then
	fail "no username in login_throttle" "digests only" "bob found"
else
	pass "no username in login_throttle"
fi

begin_case "success resets the username's row"
sleep 3.2
login bob bob-password
assert_status 200
# Other usernames failed once or twice above; bob's row of 3 is gone.
rows=$(pg_sql "SELECT count(*) FROM login_throttle WHERE kind = 'user' AND fails >= 3")
assert_equal "no username row of 3 failures" 0 "$rows"

# Ten wrong logins at once: each statement checks and counts in one go,
# but up to four run at the same moment (two connections per worker),
# each on its own snapshot, so at most limit + 3 pass.
begin_case "concurrent attempts in the database"
race_pids=()
for i in $(seq 1 10); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
	    --interface 127.0.0.7 --data "username=carol&password=wrong-$i" \
	    "$BASE_URL/jwt" >"$WORK_DIR/race-$i" &
	race_pids+=($!)
done
wait "${race_pids[@]}"
passed=$(cat "$WORK_DIR"/race-* | grep -c '^401$')
if [ "$passed" -ge 3 ] && [ "$passed" -le 6 ]; then
	pass "$passed of 10 concurrent wrong logins reached the hash (limit 3)"
else
	fail "3 to 6 concurrent wrong logins reach the hash" "3..6" "$passed"
fi
assert_equal "the rest were throttled" $((10 - passed)) \
    "$(cat "$WORK_DIR"/race-* | grep -c '^429$')"

# ---------------------------------------------------------------------------
# Outage: the server stops with connections open, then comes back.

begin_case "database outage"
pg_stop
log_mark
worker_pids=$(session_members "$KORE_LAST_SID" | sort)
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 503
assert_header retry-after 5
assert_body_one_line
login alice alice-password
assert_status 503
assert_no_header access_token
# Tokens already issued are still checked without the database: a bad one
# is still 401, never 503 or 200.
http_request GET /bearer -H "Authorization: Bearer ${ALICE_TOKEN}x"
assert_status 401
for i in 1 2 3 4 5 6; do
	http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
	[ "$RESP_STATUS" = 503 ] || fail "503 during the outage ($i)" 503 \
	    "$RESP_STATUS"
done
assert_equal "no worker restarted" "$worker_pids" \
    "$(session_members "$KORE_LAST_SID" | sort)"
# The audit line gives the status sent, not the token check's result.
assert_log_since_mark "the 503 is audited as rejected" '"route":"/bearer"' \
    '"result":"rejected"' '"status":503' '"reason":"database"'
granted=$(tail -n +"$((LOG_MARK + 1))" "$KORE_LOG" | grep -c '"result":"granted"')
assert_equal "no request audited as granted during the outage" 0 "$granted"

begin_case "recovery when the database returns"
pg_resume || bail_out "PostgreSQL did not restart"
recovered=0
for i in $(seq 1 20); do
	http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
	if [ "$RESP_STATUS" = 200 ]; then
		recovered=1
		break
	fi
	sleep 0.5
done
assert_equal "/bearer answers 200 again" 1 "$recovered"
# Both workers may hold broken connections: each recovers.
for i in 1 2 3 4 5 6; do
	http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
	[ "$RESP_STATUS" = 200 ] || { sleep 1.1; continue; }
done
http_request GET /bearer -H "Authorization: Bearer $ALICE_TOKEN"
assert_status 200
login alice alice-password
assert_status 200

begin_case "log"
assert_log_line "logs the outage" "pgsql:"
assert_log_lacks "no database password in the log" "$PG_SERVICE_PASSWORD"
assert_log_lacks "no user password in the log" "alice-password"
assert_log_lacks "no token in the log" "$ALICE_TOKEN"
assert_kore_stops

# ---------------------------------------------------------------------------
begin_case "refuses a PostgreSQL store without PGSQL_DSN"
kore_expect_exit 5 JWT_SECRET="$SECRET" DATA_STORE=pgsql AUTH_USERNAME=a \
    AUTH_PASSWORD=b
if [ -n "$KORE_EXIT_STATUS" ] && [ "$KORE_EXIT_STATUS" -ne 0 ]; then
	pass "exits with status $KORE_EXIT_STATUS"
else
	fail "exits with a non-zero status" "non-zero" \
	    "${KORE_EXIT_STATUS:-still running}"
fi
assert_log_line "log names PGSQL_DSN" "PGSQL_DSN"
assert_kore_stops

finish_tests
