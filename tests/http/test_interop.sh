#!/usr/bin/env bash
#
# Interoperability with an independent JWT implementation, Debian's
# python3-jwt (PyJWT): tokens from POST /jwt verify with PyJWT, and tokens
# made by PyJWT are accepted by /bearer.  The server runs with the default
# issuer, org and TTL, so the defaults are checked too.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='interop-test-secret-0123456789-abcdefgh'
# A quote, a backslash, a slash, HTML characters, non-ASCII letters and a
# character outside the BMP, so the byte layout check covers JSON string
# escaping.
USERNAME='ana "zé" /x\y <&> 😀'
PASSWORD='interop-password'
DEFAULT_ISSUER='twil.io'
DEFAULT_ORG='twilio'
DEFAULT_TTL=86400
# The kid the server derives from SECRET, computed in support.py.
KID=$(support "$SECRET" kid) || bail_out "support.py cannot derive the kid"

require_server_files
kore_start JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" || bail_out "Kore did not start"

begin_case "server start"
assert_pidfile
if [ ! -f "$SALARIES_FILE" ]; then
	bail_out "salaries data not found: $SALARIES_FILE"
fi

# ---------------------------------------------------------------------------
# A token from POST /jwt, checked by PyJWT

begin_case "POST /jwt"
before=$(date +%s)
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
    "username=$USERNAME" "password=$PASSWORD")"
after=$(date +%s)
assert_status 200
TOKEN=$(header_values access_token)
if [ -z "$TOKEN" ]; then
	bail_out "POST /jwt issued no token"
fi

begin_case "PyJWT verifies issued token"
claim() {
	support "$SECRET" decode --issuer "$DEFAULT_ISSUER" --claim "$1" \
	    "$TOKEN" 2>&1
}
assert_success "signature, issuer and required claims" \
    support "$SECRET" decode --issuer "$DEFAULT_ISSUER" --claim sub "$TOKEN"
assert_equal "sub is the username" "$USERNAME" "$(claim sub)"
assert_equal "iss is the default" "$DEFAULT_ISSUER" "$(claim iss)"
assert_equal "org is the default" "$DEFAULT_ORG" "$(claim org)"
assert_equal "perms is the default" '["read"]' "$(claim perms)"
iat=$(claim iat)
exp=$(claim exp)
if [[ $iat =~ ^[0-9]+$ ]] && [ "$iat" -ge "$before" ] &&
    [ "$iat" -le "$after" ]; then
	pass "iat is the time of issue"
else
	fail "iat is the time of issue" "between $before and $after" "$iat"
fi
if [[ $iat =~ ^[0-9]+$ ]] && [[ $exp =~ ^[0-9]+$ ]]; then
	assert_equal "exp - iat is the default TTL" "$DEFAULT_TTL" \
	    "$((exp - iat))"
	# The token Node's jsonwebtoken signs for these claims, built from
	# the claims alone.
	expected=$(support "$SECRET" layout --sub "$USERNAME" \
	    --iss "$DEFAULT_ISSUER" --org "$DEFAULT_ORG" --perms read \
	    --iat "$iat" --exp "$exp")
	if [ "$TOKEN" = "$expected" ]; then
		pass "token bytes match the jsonwebtoken layout"
	else
		fail "token bytes match the jsonwebtoken layout" \
		    "$(support "$SECRET" segment --index 1 "$expected")" \
		    "$(support "$SECRET" segment --index 1 "$TOKEN")" \
		    "(decoded payloads shown; the header or signature may differ too)"
	fi
else
	fail "exp - iat is the default TTL" "integers" "iat $iat, exp $exp"
fi

# The checks above must be able to fail: PyJWT rejects the same token with
# another secret or issuer.
begin_case "PyJWT negative controls"
assert_failure "wrong secret rejected" \
    support "other-$SECRET" decode --issuer "$DEFAULT_ISSUER" --claim sub \
    "$TOKEN"
assert_failure "wrong issuer rejected" \
    support "$SECRET" decode --issuer "other.example" --claim sub "$TOKEN"

# ---------------------------------------------------------------------------
# Tokens from PyJWT, sent to /bearer

now=$(date +%s)

# pyjwt_claims IAT EXP [PERMS-JSON]
pyjwt_claims() {
	"$PYTHON" -c 'import json, sys
print(json.dumps({"sub": sys.argv[1], "iss": sys.argv[2], "org": sys.argv[3],
    "perms": json.loads(sys.argv[6]), "iat": json.loads(sys.argv[4]),
    "exp": json.loads(sys.argv[5])}))' "$USERNAME" "$DEFAULT_ISSUER" \
	    "$DEFAULT_ORG" "$1" "$2" "${3:-[\"read\"]}"
}

# check_accepted CASE TOKEN
check_accepted() {
	begin_case "/bearer accepts PyJWT $1"
	http_request GET /bearer -H "Authorization: Bearer $2"
	assert_status 200
	assert_body_file "$SALARIES_FILE"
}

# check_rejected CASE TOKEN
check_rejected() {
	begin_case "/bearer rejects PyJWT $1"
	http_request GET /bearer -H "Authorization: Bearer $2"
	assert_status 401
	assert_body "Unauthorized"
	assert_header_contains WWW-Authenticate 'error="invalid_token"'
}

check_accepted "HS256 token" "$(support "$SECRET" encode \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"
check_accepted "token with the kid given explicitly" \
    "$(support "$SECRET" encode --header "{\"kid\":\"$KID\"}" \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"
check_accepted "token with fractional times" "$(support "$SECRET" encode \
    --claims "$(pyjwt_claims "$((now - 1)).5" "$((now + 60)).25")")"
check_accepted "token with read and write" "$(support "$SECRET" encode \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))" \
    '["write","read"]')")"

check_rejected "HS512 token" "$(support "$SECRET" encode --alg HS512 \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"
check_rejected "HS256 token with another secret" \
    "$(support "other-$SECRET" encode --kid "$KID" \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"
check_rejected "token with an unknown kid" "$(support "$SECRET" encode \
    --kid key-1 --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"
check_rejected "token without a kid" "$(support "$SECRET" encode --no-kid \
    --claims "$(pyjwt_claims "$now" "$((now + DEFAULT_TTL))")")"

begin_case "server stop"
assert_kore_stops

finish_tests
