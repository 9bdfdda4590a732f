# shellcheck shell=bash
#
# The server settings of the attack suite, shared by tests/http/
# test_attack.sh and tests/attack/soak.sh.  Source tests/http/lib.sh first.
#
# Fake values for tests only.  The username contains '"' and '\', so an
# issued payload that is not escaped correctly shows; the password contains
# form and JSON metacharacters and a non-ASCII letter.

ATTACK_DIR=$PROJECT_ROOT/tests/attack
ATTACK_SECRET='attack-suite-secret-0123456789-abcdefghij'
ATTACK_USERNAME='at"tack\er'
ATTACK_PASSWORD='open "sesame"\ +&=%é'
ATTACK_ISSUER='attack.example.test'
ATTACK_ORG='attack-org'
ATTACK_TTL=7200

# Starts Kore with the settings above (kore_start from lib.sh).  The
# suite sends hundreds of wrong logins from one address to test how each
# is parsed, so login throttling, tested in test_users.sh, is off here.
attack_kore_start() {
	kore_start JWT_SECRET="$ATTACK_SECRET" AUTH_USERNAME="$ATTACK_USERNAME" \
	    AUTH_PASSWORD="$ATTACK_PASSWORD" JWT_ISSUER="$ATTACK_ISSUER" \
	    JWT_ORG="$ATTACK_ORG" JWT_TTL="$ATTACK_TTL" \
	    THROTTLE_USER_LIMIT=0 THROTTLE_ADDR_LIMIT=0
}

# attack_run [run.py option ...]
# Runs the attack cases against the server started last.  The secret and
# the password reach run.py through its environment only.
attack_run() {
	ATTACK_JWT_SECRET=$ATTACK_SECRET ATTACK_PASSWORD=$ATTACK_PASSWORD \
	    "$PYTHON" "$ATTACK_DIR/run.py" --port "$KORE_PORT" \
	    --username "$ATTACK_USERNAME" --issuer "$ATTACK_ISSUER" \
	    --org "$ATTACK_ORG" --ttl "$ATTACK_TTL" \
	    --salaries "$SALARIES_FILE" "$@"
}

# Prints the ids of the current server's worker processes, sorted, on one
# line.
attack_workers() {
	ps -o pid= --ppid "$KORE_PID" | sort -n | paste -sd' '
}
