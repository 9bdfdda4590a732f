#!/usr/bin/env bash
#
# Interoperability matrix: three independent JWT implementations, PyJWT
# (Debian python3-jwt), Node's jsonwebtoken (npm, pinned in
# tests/interop/node) and libjwt (Debian libjwt-dev), against the real
# server, in both directions.  Each verifies a token from POST /jwt and
# rejects it once tampered with; each signs tokens that /bearer accepts,
# and malformed ones (HS512, alg none, wrong secret, expired, no read
# perm) that /bearer rejects.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='matrix-test-secret-0123456789-abcdefghij'
OTHER_SECRET='another-secret-0123456789-abcdefghijklmn'
USERNAME='matrix-user'
PASSWORD='matrix-password'
ISSUER='twil.io'

NODE_TOOL=$PROJECT_ROOT/tests/interop/node/jwt.js
LIBJWT_TOOL=${LIBJWT_TOOL:-$PROJECT_ROOT/build/interop/libjwt_tool}

[ -d "$PROJECT_ROOT/tests/interop/node/node_modules/jsonwebtoken" ] ||
    bail_out "jsonwebtoken is not installed (make test runs npm ci)"
[ -x "$LIBJWT_TOOL" ] ||
    bail_out "libjwt tool not built: $LIBJWT_TOOL (make test builds it)"

# impl_sign IMPL KEY CLAIMS_JSON ALG: prints a token made by IMPL.
impl_sign() {
	case $1 in
	pyjwt)	support "$2" encode --alg "$4" --claims "$3" ;;
	node)	JWT_TEST_SECRET=$2 node "$NODE_TOOL" sign "$3" "$4" ;;
	libjwt)	JWT_TEST_SECRET=$2 "$LIBJWT_TOOL" sign "$3" "$4" ;;
	esac
}

# sign IMPL KEY CLAIMS_JSON ALG: sets TOKEN, or stops the suite, since a
# case with an empty token would test nothing.
sign() {
	if ! TOKEN=$(impl_sign "$@") || [ -z "$TOKEN" ]; then
		bail_out "$1 could not sign with $4"
	fi
}

# impl_verify IMPL KEY TOKEN: prints what IMPL read from a token it
# accepts (for PyJWT the sub claim, else the payload), or exits non-zero.
impl_verify() {
	case $1 in
	pyjwt)	support "$2" decode --issuer "$ISSUER" --claim sub "$3" ;;
	node)	JWT_TEST_SECRET=$2 node "$NODE_TOOL" verify "$3" "$ISSUER" ;;
	libjwt)	JWT_TEST_SECRET=$2 "$LIBJWT_TOOL" verify "$3" ;;
	esac
}

# claims PERMS IAT EXP: the payload /jwt issues, with the given values.
claims() {
	printf '{"sub":"%s","iss":"%s","org":"twilio","perms":%s,"iat":%d,"exp":%d}' \
	    "$USERNAME" "$ISSUER" "$1" "$2" "$3"
}

# bearer_status CASE TOKEN STATUS [DESCRIPTION]: /bearer answers STATUS.
bearer_status() {
	begin_case "$1"
	http_request GET /bearer -H "Authorization: Bearer $2"
	assert_status "$3"
	if [ "$3" = 200 ]; then
		assert_body_file "$SALARIES_FILE"
	else
		assert_header_contains www-authenticate \
		    'Bearer realm="Access to read salaries"'
		[ $# -lt 4 ] || assert_header_contains www-authenticate "$4"
	fi
}

require_server_files
kore_start JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" || bail_out "Kore did not start"

begin_case "POST /jwt"
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}"
assert_status 200
ISSUED=$(header_values access_token)
[ -n "$ISSUED" ] || bail_out "POST /jwt issued no token"

# The same token with its last signature character changed.
last=${ISSUED: -1}
[ "$last" = A ] && swap=B || swap=A
TAMPERED=${ISSUED%?}$swap

now=$(date +%s)
for impl in pyjwt node libjwt; do
	begin_case "$impl verifies the issued token"
	output=$(impl_verify "$impl" "$SECRET" "$ISSUED" 2>&1)
	status=$?
	assert_equal "accepted" 0 "$status"
	case $output in
	*"$USERNAME"*) pass "reads sub" ;;
	*) fail "reads sub" "$USERNAME" "$output" ;;
	esac
	assert_failure "rejects it tampered" \
	    impl_verify "$impl" "$SECRET" "$TAMPERED"
	assert_failure "rejects it under another secret" \
	    impl_verify "$impl" "$OTHER_SECRET" "$ISSUED"

	good=$(claims '["read"]' "$now" $((now + 3600)))
	sign "$impl" "$SECRET" "$good" HS256
	bearer_status "$impl HS256 token accepted" "$TOKEN" 200

	sign "$impl" "$SECRET" "$good" HS512
	bearer_status "$impl HS512 token rejected" "$TOKEN" 401 \
	    'error="invalid_token"'

	sign "$impl" "$SECRET" "$good" none
	bearer_status "$impl alg none token rejected" "$TOKEN" 401 \
	    'error="invalid_token"'

	sign "$impl" "$OTHER_SECRET" "$good" HS256
	bearer_status "$impl other-secret token rejected" "$TOKEN" 401 \
	    'error_description="The token signature is invalid"'

	expired=$(claims '["read"]' $((now - 7200)) $((now - 3600)))
	sign "$impl" "$SECRET" "$expired" HS256
	bearer_status "$impl expired token rejected" "$TOKEN" 401 \
	    'error_description="The access token expired"'

	write_only=$(claims '["write"]' "$now" $((now + 3600)))
	sign "$impl" "$SECRET" "$write_only" HS256
	bearer_status "$impl token without read" "$TOKEN" 403 \
	    'error="insufficient_scope"'
done

begin_case "server stop"
assert_kore_stops
finish_tests
