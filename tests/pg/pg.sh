# Starts and stops a throwaway PostgreSQL server for the tests: a new
# cluster in a temporary folder, reached through a Unix socket in that
# folder and TCP on 127.0.0.1, with scram-sha-256 passwords.  Source
# this file, then call pg_start; it sets:
#   PG_DIR   the cluster's folder (data and socket)
#   PG_DSN   a libpq connection string for the service's role, through
#            the Unix socket
#   PG_DSN_TCP the same through TCP on 127.0.0.1:PG_PORT, as production
#            setups connect
#   PG_ADMIN a psql command line for the superuser
# pg_stop and pg_resume stop and restart the same cluster (an outage);
# pg_destroy stops it and removes the folder.
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# postgres user that Debian's package creates.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_DIR=
PG_DSN=
PG_DSN_TCP=
PG_PORT=
PG_ADMIN=
PG_SERVICE_PASSWORD=

pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local pwfile

	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		echo "pg_start: PostgreSQL server binaries not found" \
		    "(apt-get install postgresql)" >&2
		return 1
	fi

	PG_DIR=$(mktemp -d /tmp/jwt-pg.XXXXXX) || return 1
	chmod 700 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"

	PG_SERVICE_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
	pwfile=$PG_DIR/admin.pw
	head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$pwfile"
	[ "$(id -u)" = 0 ] && chown postgres: "$pwfile"

	pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
	    --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 \
	    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
		echo "pg_start: initdb failed:" >&2
		sed 's/^/    | /' "$PG_DIR/initdb.log" >&2
		return 1
	}

	PG_PORT=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
	pg_resume || return 1

	PG_ADMIN="psql -X -q -v ON_ERROR_STOP=1 -h $PG_DIR -p $PG_PORT -U postgres"
	export PGPASSFILE=$PG_DIR/pgpass
	printf '%s:*:*:postgres:%s\n' "$PG_DIR" "$(cat "$pwfile")" > "$PGPASSFILE"
	chmod 600 "$PGPASSFILE"

	$PG_ADMIN -d postgres -c "CREATE DATABASE jwt" >/dev/null || return 1
	$PG_ADMIN -d jwt -f conf/sql/schema.sql >/dev/null || return 1
	$PG_ADMIN -d jwt -c \
	    "ALTER ROLE jwt_service PASSWORD '$PG_SERVICE_PASSWORD'" \
	    >/dev/null || return 1

	PG_DSN="host=$PG_DIR port=$PG_PORT dbname=jwt user=jwt_service password=$PG_SERVICE_PASSWORD connect_timeout=2"
	PG_DSN_TCP="host=127.0.0.1 port=$PG_PORT dbname=jwt user=jwt_service password=$PG_SERVICE_PASSWORD connect_timeout=2"
}

# Starts the server of the existing cluster and waits until it accepts
# connections.
pg_resume() {
	pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
	    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$PG_DIR' -c fsync=off" \
	    -w -t 30 start >/dev/null || {
		echo "pg_resume: the server did not start:" >&2
		tail -n 20 "$PG_DIR/server.log" | sed 's/^/    | /' >&2
		return 1
	}
}

# Stops the server at once, dropping every connection.
pg_stop() {
	pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 \
	    stop >/dev/null 2>&1
}

# pg_sql TEXT: runs TEXT as the superuser in the jwt database and prints
# the rows unaligned, without headers.
pg_sql() {
	$PG_ADMIN -d jwt -At -c "$1"
}

pg_destroy() {
	[ -n "$PG_DIR" ] && [ -d "$PG_DIR" ] || return 0
	pg_stop
	rm -rf "$PG_DIR"
	PG_DIR=
}
