#!/usr/bin/env bash
#
# Two instances of the service behind nginx, as a load balancer, sharing
# one PostgreSQL server: a token issued by one instance is accepted by the
# other, nginx spreads logins over both, and failed logins are counted in
# the database, so the throttle applies across instances.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=users_lib.sh
. "$HTTP_TESTS_DIR/users_lib.sh"
# shellcheck source=../pg/pg.sh
. "$PROJECT_ROOT/tests/pg/pg.sh"

SECRET='scaleout-test-secret-0123456789-abcdefgh'
NGINX_DIR=$WORK_DIR/nginx
NGINX_PID=

require_server_files

stop_all() {
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=
	fi
	use_instance B && kore_stop >/dev/null
	use_instance A && kore_stop >/dev/null
}
trap 'stop_all; cleanup; pg_destroy' EXIT

# save_instance NAME: remembers the server kore_start started last.
save_instance() {
	eval "${1}_PID=\$KORE_PID ${1}_PORT=\$KORE_PORT ${1}_LOG=\$KORE_LOG" \
	    "${1}_SID=\$KORE_LAST_SID ${1}_DIR=\$KORE_DIR"
}

# use_instance NAME: makes NAME the server that requests go to.
use_instance() {
	local pid="${1}_PID" port="${1}_PORT" log="${1}_LOG" sid="${1}_SID"
	local dir="${1}_DIR"

	[ -n "${!port:-}" ] || return 1
	KORE_PID=${!pid}
	KORE_PORT=${!port}
	KORE_LOG=${!log}
	KORE_LAST_SID=${!sid}
	KORE_DIR=${!dir}
	BASE_URL=http://127.0.0.1:$KORE_PORT
}

begin_case "setup"
command -v nginx >/dev/null || bail_out "nginx is not installed (apt-get install nginx)"
pg_start >"$WORK_DIR/pg.out" 2>&1 ||
    bail_out "PostgreSQL did not start: $(cat "$WORK_DIR/pg.out")"
$PG_ADMIN -d jwt -f "$PROJECT_ROOT/conf/sql/seed.sql" >/dev/null ||
    bail_out "seed.sql failed"
hash=$(make_hash scrypt ann-password)
pg_sql "INSERT INTO jwt_users VALUES ('ann', '$hash', '{read}')" >/dev/null ||
    bail_out "cannot insert the test user"

# nginx sends each client's address in X-Real-IP, trusted from nginx's
# own address only, so addresses are throttled per client.
for name in A B; do
	kore_start JWT_SECRET="$SECRET" AUTH_USERS_STORE=pgsql \
	    DATA_STORE=pgsql PGSQL_DSN="$PG_DSN" THROTTLE_USER_LIMIT=4 \
	    THROTTLE_ADDR_LIMIT=6 THROTTLE_DELAY=30 \
	    TRUSTED_PROXIES=127.0.0.1/32 ||
	    bail_out "instance $name did not start"
	save_instance "$name"
	KORE_PID=
	KORE_LAST_SID=
done
pass "two instances on ports $A_PORT and $B_PORT"

mkdir -p "$NGINX_DIR/logs"
NGINX_PORT=$(free_port)
cat >"$NGINX_DIR/nginx.conf" <<CONF
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log;
events { worker_connections 64; }
http {
	access_log $NGINX_DIR/logs/access.log;
	client_body_temp_path $NGINX_DIR/body;
	proxy_temp_path $NGINX_DIR/proxy;
	fastcgi_temp_path $NGINX_DIR/fastcgi;
	uwsgi_temp_path $NGINX_DIR/uwsgi;
	scgi_temp_path $NGINX_DIR/scgi;
	upstream jwt_service {
		server 127.0.0.1:$A_PORT;
		server 127.0.0.1:$B_PORT;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location / {
			proxy_pass http://jwt_service;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_set_header X-Real-IP \$remote_addr;
		}
	}
}
CONF
nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' \
    >"$NGINX_DIR/logs/stdout.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/health" && break
	sleep 0.1
done
NGINX_URL=http://127.0.0.1:$NGINX_PORT

begin_case "a token of one instance works on the other"
use_instance A
login ann ann-password
assert_status 200
TOKEN_A=$TOKEN
use_instance B
http_request GET /bearer -H "Authorization: Bearer $TOKEN_A"
assert_status 200
login ann ann-password
TOKEN_B=$TOKEN
use_instance A
http_request GET /bearer -H "Authorization: Bearer $TOKEN_B"
assert_status 200

begin_case "nginx spreads logins over both instances"
a_before=$(grep -c '"result":"issued"' "$A_LOG")
b_before=$(grep -c '"result":"issued"' "$B_LOG")
BASE_URL=$NGINX_URL
# nginx takes the instances in turn, so logins alone alternate.
tokens=()
for i in 1 2 3 4; do
	login ann ann-password
	assert_status 200
	tokens+=("$TOKEN")
done
for token in "${tokens[@]}"; do
	http_request GET /bearer -H "Authorization: Bearer $token"
	assert_status 200
done
a_issued=$(( $(grep -c '"result":"issued"' "$A_LOG") - a_before ))
b_issued=$(( $(grep -c '"result":"issued"' "$B_LOG") - b_before ))
if [ "$a_issued" -ge 1 ] && [ "$b_issued" -ge 1 ]; then
	pass "both instances issued tokens ($a_issued and $b_issued)"
else
	fail "both instances issued tokens" ">= 1 each" "$a_issued and $b_issued"
fi

begin_case "throttling counted across instances"
a_before=$(grep -c '"reason":"bad_credentials"' "$A_LOG")
b_before=$(grep -c '"reason":"bad_credentials"' "$B_LOG")
for i in 1 2 3 4; do
	login ann "wrong-$i"
	assert_status 401
done
a_fails=$(( $(grep -c '"reason":"bad_credentials"' "$A_LOG") - a_before ))
b_fails=$(( $(grep -c '"reason":"bad_credentials"' "$B_LOG") - b_before ))
if [ "$a_fails" -ge 1 ] && [ "$b_fails" -ge 1 ]; then
	pass "both instances counted failures ($a_fails and $b_fails)"
else
	fail "both instances counted failures" ">= 1 each" \
	    "$a_fails and $b_fails"
fi
for name in A B; do
	use_instance "$name"
	login ann ann-password
	assert_status 429
	assert_no_header access_token
done
BASE_URL=$NGINX_URL
login ann ann-password
assert_status 429
assert_equal "one username row holds the 4 failures" 4 \
    "$(pg_sql "SELECT fails FROM login_throttle WHERE kind = 'user'")"

begin_case "client addresses through the balancer"
# Six failures from 127.0.0.2 through nginx lock that address on both
# instances; 127.0.0.3 through nginx is not locked.
for i in 1 2 3 4 5 6; do
	login "nobody-$i" wrong --interface 127.0.0.2
	[ "$RESP_STATUS" = 401 ] || fail "failure $i from 127.0.0.2" 401 \
	    "$RESP_STATUS"
done
if grep -q '"client":"127.0.0.2"' "$A_LOG" &&
    grep -q '"client":"127.0.0.2"' "$B_LOG"; then
	pass "audit lines name the client, not nginx"
else
	fail "audit lines name the client, not nginx" '"client":"127.0.0.2"' \
	    "$(grep -o '"client":"[^"]*"' "$A_LOG" | sort | uniq -c | tr '\n' ' ')"
fi
login nobody-7 wrong --interface 127.0.0.2
assert_status 429
http_request POST /jwt --interface 127.0.0.3 --data 'username=x&password=y'
assert_status 401

begin_case "X-Real-IP from an untrusted address is ignored"
use_instance A
log_mark
http_request POST /jwt --interface 127.0.0.4 -H 'X-Real-IP: 10.9.8.7' \
    --data 'username=x&password=y'
assert_status 401
assert_log_since_mark "the peer address is logged" '"client":"127.0.0.4"'
if tail -n +"$((LOG_MARK + 1))" "$KORE_LOG" | grep -q 10.9.8.7; then
	fail "the forged address is not used" "no 10.9.8.7" "found"
else
	pass "the forged address is not used"
fi

begin_case "tokens issued before still work on both"
for name in A B; do
	use_instance "$name"
	http_request GET /bearer -H "Authorization: Bearer $TOKEN_A"
	assert_status 200
done

begin_case "logs"
for name in A B; do
	use_instance "$name"
	assert_log_lacks "instance $name: no password in the log" ann-password
	assert_log_lacks "instance $name: no token in the log" "$TOKEN_A"
	assert_log_lacks "instance $name: no database password" \
	    "$PG_SERVICE_PASSWORD"
	assert_kore_stops
done

finish_tests
