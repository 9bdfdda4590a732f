#!/usr/bin/env bash
#
# The production path: `make install` into a temporary DESTDIR and checks
# of the installed tree.  Then the installed service starts the way its
# systemd unit starts it: the same command line and environment file, and
# as root the same capability bounding set and no_new_privs.  curl reaches
# it through the installed nginx site over TLS, verifying a self-signed
# certificate.  systemd itself is not run.  The installed confs are
# adapted only in their paths, their ports (free ones on 127.0.0.1) and,
# when no jwt-service user exists, the runas user (nobody).

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='install-test-secret-0123456789-abcdefghij'
USERNAME='deploy-tester'
PASSWORD='install pass+word&=1%'
REALM='Bearer realm="Access to read salaries"'
HSTS='max-age=31536000; includeSubDomains'

DEST=$WORK_DIR/dest
CONFDIR=$DEST/etc/jwt-service
TLSDIR=$CONFDIR/tls
UNIT=$DEST/usr/local/lib/systemd/system/jwt-service.service
ENV_FILE=$CONFDIR/jwt-service.env
RUN_CONF=$WORK_DIR/kore.conf
CACERT=$TLSDIR/cert.pem
INSTALL_LOG=$WORK_DIR/install.log

# Prints the octal mode of a file, as stat shows it.
file_mode() {
	stat -c '%a' "$1" 2>/dev/null || echo "(missing)"
}

# assert_mode FILE MODE
assert_mode() {
	assert_equal "mode of ${1#"$DEST"} is $2" "$2" "$(file_mode "$1")"
}

assert_file() {
	if [ -f "$1" ]; then
		pass "installed ${1#"$DEST"}"
	else
		fail "installed ${1#"$DEST"}" "a file" "missing"
	fi
}

# Prints the value of the first KEY= line of the unit file.
unit_value() {
	sed -n "s/^$1=//p" "$UNIT" | head -n 1
}

run_install() {
	make --no-print-directory -C "$PROJECT_ROOT" install \
	    DESTDIR="$DEST" >"$INSTALL_LOG" 2>&1
}

# ---------------------------------------------------------------------------
begin_case "make install"

if run_install; then
	pass "make install DESTDIR succeeds"
else
	fail "make install DESTDIR succeeds" "exit status 0" "exit status $?" \
	    "$(tail -n 20 "$INSTALL_LOG")"
	finish_tests
fi

assert_file "$DEST/usr/local/lib/jwt-service/app.so"
assert_file "$CONFDIR/kore.conf"
assert_file "$CONFDIR/app.conf"
assert_file "$CONFDIR/nginx-site.conf"
assert_file "$CONFDIR/nginx-proxy.conf"
assert_file "$CONFDIR/jwt-service.env.example"
assert_file "$ENV_FILE"
assert_file "$UNIT"
assert_mode "$ENV_FILE" 600
assert_mode "$CONFDIR/kore.conf" 644
assert_mode "$TLSDIR" 700
assert_mode "$DEST/var/log/jwt-service" 750
if [ -d "$DEST/var/lib/jwt-service/empty" ] &&
    [ -z "$(ls -A "$DEST/var/lib/jwt-service/empty")" ]; then
	pass "the workers' chroot directory exists and is empty"
else
	fail "the workers' chroot directory exists and is empty" \
	    "an empty directory" "$(ls -A "$DEST/var/lib/jwt-service/empty" 2>&1)"
fi
assert_success "the module was built with -z now" \
    bash -c "readelf -d '$DEST/usr/local/lib/jwt-service/app.so' |
    grep -q 'FLAGS.*NOW'"
assert_success "the module was built with the stack protector" \
    bash -c "nm -D '$DEST/usr/local/lib/jwt-service/app.so' |
    grep -q __stack_chk_fail"

begin_case "installed kore.conf"
assert_success "loads the installed module" \
    grep -qx 'load[[:space:]]*/usr/local/lib/jwt-service/app.so' \
    "$CONFDIR/kore.conf"
assert_success "binds loopback only" \
    grep -qx '[[:space:]]*bind[[:space:]]*127.0.0.1 8088' "$CONFDIR/kore.conf"
assert_success "sends no HSTS itself" \
    grep -qx 'http_hsts_enable[[:space:]]*0' "$CONFDIR/kore.conf"
assert_success "includes the shared routes" \
    grep -qx '[[:space:]]*include[[:space:]]*/etc/jwt-service/app.conf' \
    "$CONFDIR/kore.conf"
assert_success "names a runas user" \
    grep -qx 'runas[[:space:]]*jwt-service' "$CONFDIR/kore.conf"
assert_success "names a chroot" \
    grep -qx 'root[[:space:]]*/var/lib/jwt-service/empty' "$CONFDIR/kore.conf"
assert_success "keeps an access log" \
    grep -qx '[[:space:]]*accesslog[[:space:]]*/var/log/jwt-service/access.log' \
    "$CONFDIR/kore.conf"

begin_case "installed nginx site"
assert_success "listens with TLS on 443" \
    grep -qx '[[:space:]]*listen 443 ssl;' "$CONFDIR/nginx-site.conf"
assert_failure "has no plain HTTP listener" \
    grep -Eq '^[[:space:]]*listen [^;]*[0-9];' "$CONFDIR/nginx-site.conf"
assert_success "proxies to Kore's port" \
    grep -qx '[[:space:]]*server 127.0.0.1:8088;' "$CONFDIR/nginx-site.conf"

begin_case "installed unit"
assert_equal "ExecStart runs Kore in the foreground" \
    "/usr/bin/kore -f -c /etc/jwt-service/kore.conf" "$(unit_value ExecStart)"
assert_equal "EnvironmentFile" "/etc/jwt-service/jwt-service.env" \
    "$(unit_value EnvironmentFile)"
assert_equal "Restart" "on-failure" "$(unit_value Restart)"
if command -v systemd-analyze >/dev/null; then
	assert_success "systemd-analyze verify accepts the unit" \
	    systemd-analyze verify "$UNIT"
else
	echo "skip - systemd-analyze is not installed; the unit is not verified"
fi

# A second install must keep the site's environment file and certificate.
begin_case "reinstall"
printf 'JWT_SECRET=%s\nAUTH_USERNAME=%s\nAUTH_PASSWORD=%s\n' \
    "$SECRET" "$USERNAME" "$PASSWORD" >"$ENV_FILE"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    -keyout "$TLSDIR/key.pem" -out "$TLSDIR/cert.pem" \
    >"$WORK_DIR/openssl.log" 2>&1 ||
    bail_out "openssl req failed: $(cat "$WORK_DIR/openssl.log")"
cp "$ENV_FILE" "$WORK_DIR/env.before"
cp "$TLSDIR/cert.pem" "$WORK_DIR/cert.before"
if run_install; then
	pass "make install runs again"
else
	fail "make install runs again" "exit status 0" "exit status $?" \
	    "$(tail -n 20 "$INSTALL_LOG")"
fi
assert_success "the environment file is kept" \
    cmp -s "$WORK_DIR/env.before" "$ENV_FILE"
assert_mode "$ENV_FILE" 600
assert_success "the certificate is kept" \
    cmp -s "$WORK_DIR/cert.before" "$TLSDIR/cert.pem"
assert_success "make install says it kept the environment file" \
    grep -q "kept the existing .*jwt-service.env" "$INSTALL_LOG"

# ---------------------------------------------------------------------------
# The installed service and nginx, adapted to this machine.

begin_case "start Kore"
if [ "$(id -u)" = 0 ]; then
	if getent passwd jwt-service >/dev/null; then
		RUNAS=jwt-service
	else
		RUNAS=nobody
	fi
	PRIVSEP=1
else
	RUNAS=jwt-service
	PRIVSEP=0
fi

KORE_PORT=$(free_port) || bail_out "no free port"
TLS_PORT=$(free_port) || bail_out "no free port"
KORE_URL=http://127.0.0.1:$KORE_PORT
BASE_URL=https://127.0.0.1:$TLS_PORT
mkdir -p "$DEST/run/jwt-service"

# Rewrites the installed paths into DEST and the ports to the free ones.
adapt() {
	sed -e "s|/usr/local/lib/jwt-service/|$DEST/usr/local/lib/jwt-service/|" \
	    -e "s|/etc/jwt-service|$CONFDIR|g" \
	    -e "s|/var/log/jwt-service|$DEST/var/log/jwt-service|g" \
	    -e "s|/var/lib/jwt-service/empty|$DEST/var/lib/jwt-service/empty|g" \
	    -e "s|/run/jwt-service|$DEST/run/jwt-service|g" \
	    -e "s|127.0.0.1 8088$|127.0.0.1 $KORE_PORT|" \
	    -e "s|127.0.0.1:8088;|127.0.0.1:$KORE_PORT;|" \
	    -e "s|listen 443 ssl;|listen 127.0.0.1:$TLS_PORT ssl;|" \
	    -e "s|^\(runas[[:space:]]*\).*|\1$RUNAS|" \
	    "$1"
}
adapt "$CONFDIR/kore.conf" >"$RUN_CONF"
adapt "$CONFDIR/nginx-site.conf" >"$WORK_DIR/nginx-site.conf"

# The unit's command line, with the adapted conf.
read -r -a COMMAND <<<"$(unit_value ExecStart)"
COMMAND=("${COMMAND[@]/#\/etc\/jwt-service\/kore.conf/$RUN_CONF}")
COMMAND[0]=$KORE_BIN
if [ "$PRIVSEP" = 0 ]; then
	COMMAND+=(-n -r)
	echo "note - not root: Kore runs with -n -r (no chroot, no user change)"
fi

# The unit's Environment= settings, then the environment file as systemd
# reads it: KEY=VALUE lines.
ENVIRONMENT=()
while IFS= read -r line; do
	ENVIRONMENT+=("$line")
done < <(sed -n 's/^Environment=//p' "$UNIT")
while IFS= read -r line; do
	case $line in
	[A-Z]*=*) ENVIRONMENT+=("$line") ;;
	esac
done <"$ENV_FILE"

# The unit's CapabilityBoundingSet= and NoNewPrivileges=, through setpriv.
WRAPPER=()
if [ "$PRIVSEP" = 1 ] && command -v setpriv >/dev/null; then
	caps=-all
	for cap in $(unit_value CapabilityBoundingSet); do
		cap=${cap#CAP_}
		caps="$caps,+${cap,,}"
	done
	WRAPPER=(setpriv --bounding-set="$caps")
	if [ "$(unit_value NoNewPrivileges)" = yes ]; then
		WRAPPER+=(--no-new-privs)
	fi
fi

KORE_RUNS=1
KORE_DIR=$WORK_DIR/kore-1
KORE_LOG=$KORE_DIR/kore.log
mkdir -p "$KORE_DIR"
(cd "$KORE_DIR" && exec setsid env -i PATH="$KORE_PATH" "${ENVIRONMENT[@]}" \
    "${WRAPPER[@]}" stdbuf -oL -eL "${COMMAND[@]}" \
    >"$KORE_LOG" 2>&1 </dev/null) &
KORE_PID=$!
KORE_LAST_SID=$KORE_PID

# wait_answer PID URL [curl option ...]: waits until URL sends any HTTP
# response, while PID runs.
wait_answer() {
	local pid=$1 url=$2 deadline code

	shift 2
	deadline=$((SECONDS + KORE_START_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ] && process_running "$pid"; do
		code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' \
		    "$@" "$url/")
		if [ "$code" != 000 ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

if wait_answer "$KORE_PID" "$KORE_URL"; then
	pass "the installed service answers on loopback"
else
	fail "the installed service answers on loopback" \
	    "an answer on $KORE_URL" "none" "$(kore_log_tail)"
	finish_tests
fi

if [ "$(cat "$DEST/run/jwt-service/kore.pid" 2>/dev/null)" = "$KORE_PID" ]
then
	pass "pidfile names the Kore parent"
else
	fail "pidfile names the Kore parent" "$KORE_PID" \
	    "$(cat "$DEST/run/jwt-service/kore.pid" 2>&1)"
fi

if [ "$PRIVSEP" = 1 ]; then
	begin_case "privilege separation"
	workers=0
	for pid in $(ps -o pid= --ppid "$KORE_PID"); do
		title=$(ps -o args= -p "$pid")
		case $title in
		*wrk*)	workers=$((workers + 1)) ;;
		*)	continue ;;
		esac
		assert_equal "$title runs as $RUNAS" "$RUNAS" \
		    "$(ps -o user= -p "$pid" | tr -d ' ')"
		assert_equal "$title is chrooted" \
		    "$DEST/var/lib/jwt-service/empty" \
		    "$(readlink "/proc/$pid/root")"
	done
	assert_equal "two workers run" 2 "$workers"
	assert_equal "the parent keeps running as root" root \
	    "$(ps -o user= -p "$KORE_PID" | tr -d ' ')"
fi

# ---------------------------------------------------------------------------
begin_case "start nginx"

NGINX_PID=
NGINX_DIR=$WORK_DIR/nginx
mkdir -p "$NGINX_DIR/tmp"

# Stops nginx by its PID, then anything left in its session.
nginx_stop() {
	local pid=$NGINX_PID left deadline

	[ -n "$pid" ] || return 0
	NGINX_PID=
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + KORE_STOP_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ] && process_running "$pid"; do
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	left=$(session_members "$pid")
	if [ -n "$left" ]; then
		echo "nginx left processes behind: ${left//$'\n'/ }"
		# shellcheck disable=SC2086 # one id per word
		kill -KILL $left 2>/dev/null
		return 1
	fi
	return 0
}
SINGLE_PID=
trap 'nginx_stop >/dev/null; single_stop >/dev/null; cleanup' EXIT

# Starts nginx with the installed site and checks TLS.  Without nginx the
# curl flow below goes to Kore on loopback, and the TLS checks are skipped.
check_tls() {
	local temp

	# A minimal nginx.conf around the installed site, as Debian's
	# includes it.
	{
		echo "pid $NGINX_DIR/nginx.pid;"
		echo "error_log $NGINX_DIR/error.log;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "	access_log off;"
		for temp in client_body proxy fastcgi uwsgi scgi; do
			echo "	${temp}_temp_path $NGINX_DIR/tmp/$temp;"
		done
		echo "	include $WORK_DIR/nginx-site.conf;"
		echo "}"
	} >"$NGINX_DIR/nginx.conf"
	if [ "$PRIVSEP" = 1 ]; then
		sed -i "1i user $RUNAS $(id -gn "$RUNAS");" "$NGINX_DIR/nginx.conf"
	fi

	(exec setsid "$NGINX_BIN" -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" \
	    -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' \
	    >"$NGINX_DIR/stdout.log" 2>&1 </dev/null) &
	NGINX_PID=$!

	if wait_answer "$NGINX_PID" "$BASE_URL" --cacert "$CACERT"; then
		pass "nginx answers over TLS with the installed site"
	else
		fail "nginx answers over TLS with the installed site" \
		    "an answer on $BASE_URL" "none" \
		    "$(tail -n 10 "$NGINX_DIR/error.log" \
		    "$NGINX_DIR/stdout.log" 2>&1)"
		finish_tests
	fi

	begin_case "TLS"
	http_request GET /bearer "${TLS[@]}"
	assert_status 401
	assert_header_contains WWW-Authenticate "$REALM"
	assert_header "Strict-Transport-Security" "$HSTS"

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 2 -subj /CN=localhost \
	    -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	    -keyout "$WORK_DIR/other.key" -out "$WORK_DIR/other.pem" \
	    >/dev/null 2>&1
	http_request GET /bearer --cacert "$WORK_DIR/other.pem"
	assert_equal "a client trusting another certificate gets no answer" \
	    000 "$RESP_STATUS"

	http_request GET /bearer "${TLS[@]}" --tlsv1.2 --tls-max 1.2
	assert_equal "TLS 1.2 is rejected (TLSv1.3 only)" 000 "$RESP_STATUS"

	# nginx returns 400 to plain HTTP on its TLS port and proxies nothing.
	BASE_URL=http://127.0.0.1:$TLS_PORT
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$LOGIN_BODY"
	BASE_URL=https://127.0.0.1:$TLS_PORT
	assert_equal "plain HTTP to the TLS port gets 400" 400 "$RESP_STATUS"
	assert_no_header access_token
}

LOGIN_BODY=$("$PYTHON" "$SUPPORT" json-object "username=$USERNAME" \
    "password=$PASSWORD")
NGINX_BIN=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx)
if [ -n "$NGINX_BIN" ]; then
	# Every request below verifies the server certificate against the
	# test certificate: no -k.
	TLS=(--cacert "$CACERT")
	check_tls
else
	echo "skip - nginx is not installed: no TLS checks; the curl flow" \
	    "goes to Kore on loopback (.ci/run installs nginx)"
	TLS=()
	BASE_URL=$KORE_URL
fi

begin_case "curl flow over TLS"
http_request POST /jwt "${TLS[@]}" -H 'Content-Type: application/json' \
    --data-binary "$LOGIN_BODY"
assert_status 200
if [ -n "$NGINX_PID" ]; then
	assert_header "Strict-Transport-Security" "$HSTS"
fi
TOKEN=$(header_values access_token)
if [[ $TOKEN =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]; then
	pass "access_token header is a compact JWS"
else
	fail "access_token header is a compact JWS" "three base64url parts" \
	    "${#TOKEN} characters"
fi
# PyJWT verifies the token under the secret from the environment file,
# with the default issuer, and reads the subject.
assert_equal "PyJWT verifies the token; sub is the login" "$USERNAME" \
    "$(support "$SECRET" decode --issuer twil.io --claim sub "$TOKEN" 2>&1)"

http_request GET /bearer "${TLS[@]}" -H "Authorization: Bearer $TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

http_request GET /bearer "${TLS[@]}"
assert_status 401
assert_header_contains WWW-Authenticate "$REALM"

http_request POST /jwt "${TLS[@]}" -H 'Content-Type: application/json' \
    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
    "username=$USERNAME" "password=wrong")"
assert_status 401
assert_no_header access_token

http_request GET /other "${TLS[@]}"
assert_status 404

# The balancer's health check goes through nginx; the metrics do not.
http_request GET /health "${TLS[@]}"
assert_status 200
http_request GET /metrics "${TLS[@]}"
assert_status 404

# Kore itself, on loopback, sends no HSTS.
FLOW_URL=$BASE_URL
BASE_URL=$KORE_URL
http_request GET /bearer
BASE_URL=$FLOW_URL
assert_status 401
assert_no_header Strict-Transport-Security

# ---------------------------------------------------------------------------
begin_case "access logs"
ACCESS_LOG=$DEST/var/log/jwt-service/access.log
NGINX_LOG=$DEST/var/log/jwt-service/nginx-access.log

# Kore 4.1.0's parent writes the access log every 10 s (100 ticks of its
# 100 ms timer), when 1 MiB is buffered, and when it stops.
deadline=$((SECONDS + 15))
while [ "$SECONDS" -lt "$deadline" ] &&
    [ "$(grep -c 'GET /bearer' "$ACCESS_LOG" 2>/dev/null)" -lt 4 ]; do
	sleep 0.2
done
assert_success "Kore logs POST /jwt with status 200" \
    grep -q '"POST /jwt HTTP/1.1" 200 ' "$ACCESS_LOG"
assert_success "Kore logs GET /bearer with status 401" \
    grep -q '"GET /bearer HTTP/1.1" 401 ' "$ACCESS_LOG"
assert_success "Kore logs GET /bearer with status 200" \
    grep -q '"GET /bearer HTTP/1.1" 200 ' "$ACCESS_LOG"
if [ -n "$NGINX_PID" ]; then
	assert_success "nginx logs GET /bearer with status 200" \
	    grep -q '"GET /bearer HTTP/1.1" 200 ' "$NGINX_LOG"
fi

KORE_LOG_SAVED=$KORE_LOG
for log in "$ACCESS_LOG" "$NGINX_LOG" "$KORE_LOG_SAVED" \
    "$DEST/var/log/jwt-service/nginx-error.log"; do
	name=${log#"$WORK_DIR/"}
	: >>"$log"
	KORE_LOG=$log
	assert_log_lacks "$name holds no token" "$TOKEN"
	assert_log_lacks "$name holds no token signature" "${TOKEN##*.}"
	assert_log_lacks "$name holds no password" "$PASSWORD"
	assert_log_lacks "$name holds no secret" "$SECRET"
done
KORE_LOG=$KORE_LOG_SAVED

begin_case "stop"
if [ -n "$NGINX_PID" ]; then
	if nginx_stop >"$WORK_DIR/nginx-stop.out"; then
		pass "nginx stops and leaves no process behind"
	else
		fail "nginx stops and leaves no process behind" \
		    "no process left" "$(cat "$WORK_DIR/nginx-stop.out")"
	fi
fi
assert_kore_stops

# ---------------------------------------------------------------------------
# `make single-binary`: Kore and the module in one executable with the
# production conf built in.  It ignores command-line options (see the
# Makefile), so it always forks into the background and needs root.

# Stops the single binary by the PID its pid file gave, and its workers.
single_stop() {
	local pid=$SINGLE_PID children deadline left

	[ -n "$pid" ] || return 0
	SINGLE_PID=
	children=$(ps -o pid= --ppid "$pid")
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + KORE_STOP_TIMEOUT))
	while [ "$SECONDS" -le "$deadline" ] && process_running "$pid"; do
		sleep 0.1
	done
	left=
	for child in $pid $children; do
		if process_running "$child"; then
			left="$left $child"
			kill -KILL "$child" 2>/dev/null
		fi
	done
	if [ -n "$left" ]; then
		echo "the single binary left processes behind:$left"
		return 1
	fi
	return 0
}

begin_case "single binary"
if [ "$PRIVSEP" = 1 ]; then
	SINGLE_PORT=$(free_port) || bail_out "no free port"
	SINGLE_LOG=$WORK_DIR/single-build.log
	if make --no-print-directory -C "$PROJECT_ROOT" single-binary \
	    SB_ROOT="$WORK_DIR/single" SYSCONFDIR="$DEST/etc" \
	    LOCALSTATEDIR="$DEST/var" RUNSTATEDIR="$DEST/run" \
	    SVC_PORT="$SINGLE_PORT" SERVICE_USER="$RUNAS" \
	    >"$SINGLE_LOG" 2>&1; then
		pass "make single-binary succeeds"
	else
		fail "make single-binary succeeds" "exit status 0" \
		    "exit status $?" "$(tail -n 20 "$SINGLE_LOG")"
		finish_tests
	fi

	rm -f "$DEST/run/jwt-service/kore.pid"
	(cd "$WORK_DIR" && exec env -i PATH="$KORE_PATH" "${ENVIRONMENT[@]}" \
	    "$WORK_DIR/single/jwt-service/jwt-service" \
	    >"$WORK_DIR/single.log" 2>&1 </dev/null)
	assert_equal "the binary forks into the background" 0 "$?"

	deadline=$((SECONDS + KORE_START_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ] &&
	    [ ! -s "$DEST/run/jwt-service/kore.pid" ]; do
		sleep 0.1
	done
	SINGLE_PID=$(cat "$DEST/run/jwt-service/kore.pid" 2>/dev/null)
	BASE_URL=http://127.0.0.1:$SINGLE_PORT
	if [ -n "$SINGLE_PID" ] && wait_answer "$SINGLE_PID" "$BASE_URL"; then
		pass "the single binary answers on loopback"
	else
		fail "the single binary answers on loopback" \
		    "an answer on $BASE_URL" "none" \
		    "$(cat "$WORK_DIR/single.log")"
		finish_tests
	fi

	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$LOGIN_BODY"
	assert_status 200
	SINGLE_TOKEN=$(header_values access_token)
	assert_equal "PyJWT verifies its token; sub is the login" "$USERNAME" \
	    "$(support "$SECRET" decode --issuer twil.io --claim sub \
	    "$SINGLE_TOKEN" 2>&1)"
	http_request GET /bearer -H "Authorization: Bearer $SINGLE_TOKEN"
	assert_status 200
	assert_body_file "$SALARIES_FILE"
	http_request GET /bearer
	assert_status 401
	assert_header_contains WWW-Authenticate "$REALM"

	workers=0
	for pid in $(ps -o pid= --ppid "$SINGLE_PID"); do
		workers=$((workers + 1))
		assert_equal "single-binary process $pid runs as $RUNAS" \
		    "$RUNAS" "$(ps -o user= -p "$pid" | tr -d ' ')"
	done
	assert_equal "two single-binary workers run" 2 "$workers"

	if single_stop >"$WORK_DIR/single-stop.out"; then
		pass "the single binary stops and leaves no process behind"
	else
		fail "the single binary stops and leaves no process behind" \
		    "no process left" "$(cat "$WORK_DIR/single-stop.out")"
	fi
else
	echo "skip - not root: the single binary needs root (it ignores -n -r)"
fi

finish_tests
