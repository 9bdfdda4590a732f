# shellcheck shell=bash
#
# Helpers for the tests of the users stores (test_users.sh, test_pgsql.sh,
# test_scaleout.sh).  Source lib.sh first; claims() reads SECRET, the
# secret the script starts Kore with.

USERS_SUPPORT=$HTTP_TESTS_DIR/users_support.py
TOKEN=

# make_hash ALG PASSWORD [option ...]: an encoded hash made by Python's
# hashlib, independently of the service's code.
make_hash() {
	local alg=$1 password=$2

	shift 2
	printf '%s' "$password" | "$PYTHON" "$USERS_SUPPORT" hash "$alg" "$@"
}

# Prints the verified token's payload as sorted compact JSON.
claims() {
	HTTP_TEST_JWT_SECRET=$SECRET "$PYTHON" "$USERS_SUPPORT" claims "$1"
}

# login USER PASSWORD [curl option ...]: POST /jwt with a form body; sets
# TOKEN to the access_token header (empty when there is none).
login() {
	local user=$1 password=$2

	shift 2
	http_request POST /jwt "$@" --data-urlencode "username=$user" \
	    --data-urlencode "password=$password"
	TOKEN=$(header_values access_token)
}
