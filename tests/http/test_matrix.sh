#!/usr/bin/env bash
#
# Interoperability matrix: three independent JWT implementations, PyJWT
# (Debian python3-jwt), Node's jsonwebtoken (npm, pinned in
# tests/interop/node) and libjwt (Debian libjwt-dev), against the real
# server, in both directions.  Each verifies a token from POST /jwt and
# rejects it once tampered with; each signs tokens that /bearer accepts,
# and malformed ones (HS512, alg none, wrong secret, unknown or missing
# kid, expired, no read perm) that /bearer rejects.  jsonwebtoken also
# signs the issued token's claims as the service does, and the two tokens
# must be byte-identical.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='matrix-test-secret-0123456789-abcdefghij'
OTHER_SECRET='another-secret-0123456789-abcdefghijklmn'
USERNAME='matrix-user'
PASSWORD='matrix-password'
ISSUER='twil.io'
# The kid the server derives from SECRET, computed in support.py.
KID=$(support "$SECRET" kid) || bail_out "support.py cannot derive the kid"

NODE_TOOL=$PROJECT_ROOT/tests/interop/node/jwt.js
LIBJWT_TOOL=${LIBJWT_TOOL:-$PROJECT_ROOT/build/interop/libjwt_tool}

[ -d "$PROJECT_ROOT/tests/interop/node/node_modules/jsonwebtoken" ] ||
    bail_out "jsonwebtoken is not installed (make test runs npm ci)"
[ -x "$LIBJWT_TOOL" ] ||
    bail_out "libjwt tool not built: $LIBJWT_TOOL (make test builds it)"

# impl_sign IMPL KEY CLAIMS_JSON ALG [KID]: prints a token made by IMPL,
# with the kid KID (default: the server's), or none when KID is "-".
impl_sign() {
	local kid=${5:-$KID}

	case $1:$kid in
	pyjwt:-) support "$2" encode --alg "$4" --no-kid --claims "$3" ;;
	pyjwt:*) support "$2" encode --alg "$4" --kid "$kid" --claims "$3" ;;
	node:-)	JWT_TEST_SECRET=$2 node "$NODE_TOOL" sign "$3" "$4" ;;
	node:*)	JWT_TEST_SECRET=$2 node "$NODE_TOOL" sign "$3" "$4" "$kid" ;;
	libjwt:-) JWT_TEST_SECRET=$2 "$LIBJWT_TOOL" sign "$3" "$4" ;;
	libjwt:*) JWT_TEST_SECRET=$2 "$LIBJWT_TOOL" sign "$3" "$4" "$kid" ;;
	esac
}

# sign IMPL KEY CLAIMS_JSON ALG [KID]: sets TOKEN, or stops the suite,
# since a case with an empty token would test nothing.
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

# The same token with the first signature character changed.  Not the
# last one: its low bits are padding, which a lenient base64url decoder
# such as PyJWT's ignores, so changing it may leave the signature as is.
signature=${ISSUED##*.}
first=${signature:0:1}
[ "$first" = A ] && swap=B || swap=A
TAMPERED=${ISSUED%.*}.$swap${signature:1}

# jsonwebtoken signs the issued token's claims with the options the
# service's tokens correspond to: the same bytes must come out.
begin_case "issued token is byte-identical to jsonwebtoken's"
payload=$(support "$SECRET" segment --index 1 "$ISSUED")
claims_iat=$("$PYTHON" -c 'import json, sys
p = json.loads(sys.argv[1])
print(json.dumps({k: p[k] for k in ("sub", "iss", "org", "perms", "iat")},
    separators=(",", ":")))' "$payload")
ttl=$("$PYTHON" -c 'import json, sys
p = json.loads(sys.argv[1])
print(p["exp"] - p["iat"])' "$payload")
expected=$(JWT_TEST_SECRET=$SECRET node "$NODE_TOOL" issue "$claims_iat" \
    "$ttl" "$KID")
if [ -n "$expected" ] && [ "$expected" = "$ISSUED" ]; then
	pass "same bytes"
else
	fail "same bytes" "$(support "$SECRET" segment --index 0 "$expected")" \
	    "$(support "$SECRET" segment --index 0 "$ISSUED")" \
	    "(decoded headers shown; the payload or signature may differ too)"
fi

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

	sign "$impl" "$SECRET" "$good" HS256 "$(support "$OTHER_SECRET" kid)"
	bearer_status "$impl unknown kid rejected" "$TOKEN" 401 \
	    'error_description="The token key ID is missing or unknown"'

	sign "$impl" "$SECRET" "$good" HS256 -
	bearer_status "$impl token without kid rejected" "$TOKEN" 401 \
	    'error_description="The token key ID is missing or unknown"'

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
