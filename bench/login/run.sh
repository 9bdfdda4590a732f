#!/usr/bin/env bash
#
# Measures /bearer's latency with and without POST /jwt under load, to show
# that the slow password hashes, which run on Kore's task threads, do not
# stall the workers' event loops.  Starts the service on 127.0.0.1 with a
# users file whose one user has a default-cost scrypt hash (N=2^17, r=8,
# p=1, made by Python's hashlib), then runs wrk:
#   1. /bearer alone;
#   2. /bearer while a second wrk keeps POST /jwt busy with right
#      passwords (no throttling), so the task threads hash continuously.
# Prints a Markdown table; the recorded results are in bench/RESULTS.md.
#
# Settings, from the environment:
#   LOGIN_BENCH_DURATION	seconds per /bearer run (10)
#   LOGIN_BENCH_CONNECTIONS	wrk connections for /bearer (16)
#   LOGIN_BENCH_LOGINS		wrk connections for POST /jwt (8)

set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
PYTHON=/usr/bin/python3
DURATION=${LOGIN_BENCH_DURATION:-10}
CONNECTIONS=${LOGIN_BENCH_CONNECTIONS:-16}
LOGINS=${LOGIN_BENCH_LOGINS:-8}
SECRET=login-bench-secret-0123456789-abcdefghij
PASSWORD=login-bench-password

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
make -C "$ROOT" --no-print-directory module >/dev/null

WORK=$(mktemp -d /tmp/login-bench.XXXXXX)
KORE_PID=
cleanup() {
	[ -n "$KORE_PID" ] && kill "$KORE_PID" 2>/dev/null && wait "$KORE_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

hash=$(printf '%s' "$PASSWORD" | "$PYTHON" "$ROOT/tests/http/users_support.py" \
    hash scrypt --ln 17 --r 8 --p 1)
printf 'bench:%s:read\n' "$hash" >"$WORK/users"

port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|@MODULE@|$ROOT/build/app/app.so|" -e "s|@PORT@|$port|" \
    -e "s|@PIDFILE@|$WORK/kore.pid|" -e "s|@APP_CONF@|$ROOT/conf/app.conf|" \
    "$ROOT/conf/server.conf.in" >"$WORK/top.conf"
env -i PATH=/usr/bin:/bin JWT_SECRET="$SECRET" AUTH_USERS_FILE="$WORK/users" \
    kore -fnr -c "$WORK/top.conf" >"$WORK/kore.log" 2>&1 &
KORE_PID=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
	sleep 0.2
done

token=$(curl -s -D - -o /dev/null --data "username=bench&password=$PASSWORD" \
    "http://127.0.0.1:$port/jwt" | tr -d '\r' | sed -n 's/^access_token: //p')
[ -n "$token" ] || { echo "login failed; log:" >&2; cat "$WORK/kore.log" >&2; exit 1; }

# wrk_bearer LABEL: one /bearer run; prints a table row.
wrk_bearer() {
	wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
	    -H "Authorization: Bearer $token" "http://127.0.0.1:$port/bearer" \
	    >"$WORK/bearer.out"
	"$PYTHON" - "$1" "$WORK/bearer.out" <<'PY'
import re, sys
label, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def ms(v):
    n, unit = float(re.match(r"[\d.]+", v).group()), re.sub(r"[\d.]", "", v)
    return n * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
mx = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1)
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
print("| %s | %.0f | %.3f | %.3f | %.3f | %.1f |" % (label, float(rps),
      ms(lat["50"]), ms(lat["90"]), ms(lat["99"]), ms(mx)))
PY
}

echo "| /bearer | req/s | p50 ms | p90 ms | p99 ms | max ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
wrk_bearer "alone"

wrk -t1 -c"$LOGINS" -d"$((DURATION + 4))s" --latency -s "$DIR/post_login.lua" \
    "http://127.0.0.1:$port/jwt" -- "username=bench&password=$PASSWORD" \
    >"$WORK/jwt.out" &
jwt_pid=$!
sleep 2
wrk_bearer "with POST /jwt under load"
wait "$jwt_pid"

echo
echo "POST /jwt during run 2 ($LOGINS connections, $((DURATION + 4)) s):"
grep -E "Requests/sec|Non-2xx|50%|99%" "$WORK/jwt.out" | sed 's/^ */    /'
echo "scrypt hashes checked: $(grep -c '"result":"issued"' "$WORK/kore.log")"
