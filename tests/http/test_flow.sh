#!/usr/bin/env bash
#
# The whole request flow against a real Kore server: the unauthenticated
# challenge, POST /jwt with JSON and form bodies, GET and POST /bearer with
# issued and crafted tokens, the 4xx cases, and what the log may contain.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Fake values for this test only.  The issuer, org and TTL differ from the
# defaults so that the checks show the configuration is applied.
SECRET='flow-test-secret-0123456789-abcdefghijkl'
USERNAME='tester'
PASSWORD='correct horse+battery&staple=1%'
ISSUER='issuer.example.test'
ORG='org-test'
TTL=600
REALM='Bearer realm="Access to read salaries"'
# The kid the server derives from SECRET, computed in support.py.
KID=$(support "$SECRET" kid) || bail_out "support.py cannot derive the kid"

# Every token sent or received, to check none of them reaches the log.
TOKENS=()

require_server_files
kore_start JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" JWT_ISSUER="$ISSUER" JWT_ORG="$ORG" \
    JWT_TTL="$TTL" || bail_out "Kore did not start"

begin_case "server start"
assert_pidfile
if [ ! -f "$SALARIES_FILE" ]; then
	bail_out "salaries data not found: $SALARIES_FILE"
fi

# login_json USERNAME PASSWORD [curl option ...]
login_json() {
	local body

	body=$("$PYTHON" "$SUPPORT" json-object "username=$1" "password=$2")
	shift 2
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$body" "$@"
}

# login_form USERNAME PASSWORD [curl option ...]
login_form() {
	local body

	body=$("$PYTHON" "$SUPPORT" form "username=$1" "password=$2")
	shift 2
	http_request POST /jwt \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$body" "$@"
}

# post_jwt CONTENT-TYPE BODY: POST /jwt with a raw body.
post_jwt() {
	http_request POST /jwt -H "Content-Type: $1" --data-binary "$2"
}

# bearer METHOD AUTHORIZATION-VALUE
bearer() {
	http_request "$1" /bearer -H "Authorization: $2"
}

# Prints the access_token header of the last response.
issued_token() {
	header_values access_token
}

# Checks a successful login and stores its token in TOKEN.
assert_login_ok() {
	assert_status 200
	assert_body "OK"
	assert_header "Cache-Control" "no-store"
	TOKEN=$(issued_token)
	if [[ $TOKEN =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]; then
		pass "access_token header is a compact JWS"
		TOKENS+=("$TOKEN")
	else
		fail "access_token header is a compact JWS" \
		    "one header of three base64url segments" \
		    "$(printf '%s' "$TOKEN" | grep -c '^') header(s), ${#TOKEN} characters"
	fi
}

assert_login_rejected() {
	assert_status 401
	assert_body "Unauthorized"
	assert_no_header access_token
}

# Checks a 400 from /jwt: a one-line reason and no token.
assert_bad_request() {
	assert_status 400
	assert_body_one_line
	assert_no_header access_token
}

# Checks a 401 for a token that fails verification (RFC 6750 section 3).
assert_invalid_token() {
	assert_status 401
	assert_body "Unauthorized"
	assert_header_contains WWW-Authenticate "$REALM"
	assert_header_contains WWW-Authenticate 'error="invalid_token"'
	assert_header_contains WWW-Authenticate 'error_description="'
}

# ---------------------------------------------------------------------------
# /bearer without credentials

begin_case "GET /bearer without Authorization"
log_mark
http_request GET /bearer
assert_status 401
assert_header WWW-Authenticate "$REALM"
assert_body "Unauthorized"
assert_log_since_mark "log line names the route" "/bearer"

begin_case "POST /bearer without Authorization"
http_request POST /bearer -H 'Content-Type: application/json' \
    --data-binary '{}'
assert_status 401
assert_header WWW-Authenticate "$REALM"
assert_body "Unauthorized"

begin_case "GET /bearer with Basic scheme"
bearer GET "Basic $(printf '%s:%s' "$USERNAME" "$PASSWORD" | base64 -w0)"
assert_status 401
assert_header WWW-Authenticate "$REALM"
assert_body "Unauthorized"

# ---------------------------------------------------------------------------
# POST /jwt with the right credentials

begin_case "POST /jwt JSON right credentials"
before=$(date +%s)
login_json "$USERNAME" "$PASSWORD"
after=$(date +%s)
assert_login_ok
JSON_TOKEN=$TOKEN

begin_case "issued token claims"
claim() {
	support "$SECRET" decode --issuer "$ISSUER" --claim "$1" "$JSON_TOKEN"
}
assert_equal "header is HS256 JWT with the kid" \
    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"$KID\"}" \
    "$("$PYTHON" "$SUPPORT" segment --index 0 "$JSON_TOKEN")"
assert_equal "sub" "$USERNAME" "$(claim sub)"
assert_equal "iss" "$ISSUER" "$(claim iss)"
assert_equal "org" "$ORG" "$(claim org)"
assert_equal "perms" '["read"]' "$(claim perms)"
iat=$(claim iat)
exp=$(claim exp)
if [[ $iat =~ ^[0-9]+$ ]] && [ "$iat" -ge "$before" ] &&
    [ "$iat" -le "$after" ]; then
	pass "iat is the time of issue"
else
	fail "iat is the time of issue" "between $before and $after" "$iat"
fi
if [[ $iat =~ ^[0-9]+$ ]] && [[ $exp =~ ^[0-9]+$ ]]; then
	assert_equal "exp - iat is JWT_TTL" "$TTL" "$((exp - iat))"
else
	fail "exp - iat is JWT_TTL" "integers" "iat $iat, exp $exp"
fi

begin_case "POST /jwt JSON with charset"
http_request POST /jwt -H 'Content-Type: application/json; charset=utf-8' \
    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
    "username=$USERNAME" "password=$PASSWORD")"
assert_login_ok

# Media types and the charset value are case-insensitive (RFC 9110
# section 8.3.1).
begin_case "POST /jwt JSON media type case"
http_request POST /jwt -H 'Content-Type: Application/JSON;charset=UTF-8' \
    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
    "username=$USERNAME" "password=$PASSWORD")"
assert_login_ok

begin_case "POST /jwt form right credentials"
login_form "$USERNAME" "$PASSWORD"
assert_login_ok
FORM_TOKEN=$TOKEN

begin_case "POST /jwt Accept application/json"
login_json "$USERNAME" "$PASSWORD" -H 'Accept: application/json'
assert_status 200
assert_header "Cache-Control" "no-store"
assert_header_media_type Content-Type application/json
TOKEN=$(issued_token)
TOKENS+=("$TOKEN")
assert_equal "members" "access_token,expires_in,token_type" \
    "$("$PYTHON" "$SUPPORT" json-keys "$RESP_BODY" 2>&1)"
body_token=$("$PYTHON" "$SUPPORT" json-get "$RESP_BODY" access_token 2>&1)
if [ -n "$TOKEN" ] && [ "$body_token" = "\"$TOKEN\"" ]; then
	pass "access_token equals the header"
else
	# The tokens are not printed.
	fail "access_token equals the header" "the access_token header value" \
	    "a different value (${#body_token} characters)"
fi
assert_equal "token_type" '"Bearer"' \
    "$("$PYTHON" "$SUPPORT" json-get "$RESP_BODY" token_type 2>&1)"
assert_equal "expires_in" "$TTL" \
    "$("$PYTHON" "$SUPPORT" json-get "$RESP_BODY" expires_in 2>&1)"

begin_case "POST /jwt form Accept application/json"
login_form "$USERNAME" "$PASSWORD" -H 'Accept: application/json'
assert_status 200
assert_header_media_type Content-Type application/json
assert_equal "token_type" '"Bearer"' \
    "$("$PYTHON" "$SUPPORT" json-get "$RESP_BODY" token_type 2>&1)"
TOKENS+=("$(issued_token)")

begin_case "POST /jwt Accept prefers text/plain"
login_json "$USERNAME" "$PASSWORD" \
    -H 'Accept: text/plain, application/json;q=0.5'
assert_login_ok

begin_case "POST /jwt client claims ignored"
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "$("$PYTHON" -c 'import json, sys
print(json.dumps({"username": sys.argv[1], "password": sys.argv[2],
    "sub": "admin", "iss": "evil.example", "org": "evil",
    "perms": ["admin"], "exp": 4102444800}))' "$USERNAME" "$PASSWORD")"
assert_login_ok
assert_equal "sub" "$USERNAME" "$(support "$SECRET" decode \
    --issuer "$ISSUER" --claim sub "$TOKEN" 2>&1)"
assert_equal "org" "$ORG" "$(support "$SECRET" decode \
    --issuer "$ISSUER" --claim org "$TOKEN" 2>&1)"
assert_equal "perms" '["read"]' "$(support "$SECRET" decode \
    --issuer "$ISSUER" --claim perms "$TOKEN" 2>&1)"

# ---------------------------------------------------------------------------
# POST /jwt with wrong credentials

begin_case "POST /jwt JSON wrong password"
log_mark
login_json "$USERNAME" "wrong-$PASSWORD"
assert_login_rejected
assert_log_since_mark "log line names the route" "/jwt"

begin_case "POST /jwt JSON wrong username"
login_json "other-$USERNAME" "$PASSWORD"
assert_login_rejected

begin_case "POST /jwt JSON password prefix"
login_json "$USERNAME" "${PASSWORD%?}"
assert_login_rejected

begin_case "POST /jwt JSON empty password"
login_json "$USERNAME" ""
assert_login_rejected

begin_case "POST /jwt form wrong password"
login_form "$USERNAME" "wrong-$PASSWORD"
assert_login_rejected

begin_case "POST /jwt form wrong username"
login_form "other-$USERNAME" "$PASSWORD"
assert_login_rejected

# ---------------------------------------------------------------------------
# /bearer with valid tokens

begin_case "GET /bearer issued token"
bearer GET "Bearer $JSON_TOKEN"
assert_status 200
assert_header Content-Type application/json
assert_body_file "$SALARIES_FILE"

begin_case "POST /bearer issued token"
http_request POST /bearer -H "Authorization: Bearer $JSON_TOKEN" \
    -H 'Content-Type: application/json' --data-binary '{}'
assert_status 200
assert_body_file "$SALARIES_FILE"

begin_case "GET /bearer form-issued token"
bearer GET "Bearer $FORM_TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

begin_case "GET /bearer lowercase scheme"
bearer GET "bearer $JSON_TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

begin_case "GET /bearer uppercase scheme"
bearer GET "BEARER $JSON_TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

begin_case "GET /bearer several spaces after scheme"
bearer GET "Bearer    $JSON_TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

begin_case "GET /bearer trailing spaces"
bearer GET "Bearer $JSON_TOKEN   "
assert_status 200
assert_body_file "$SALARIES_FILE"

# ---------------------------------------------------------------------------
# /bearer with tokens that fail verification

now=$(date +%s)
IFS=. read -r jwt_header jwt_payload jwt_signature <<<"$JSON_TOKEN"

# PyJWT tokens with the server's secret unless stated otherwise.  Each
# differs from a valid token in one respect.
claims() {
	# claims SUB ISS IAT EXP [PERMS-JSON [EXTRA-MEMBERS]]
	printf '{"sub":"%s","iss":"%s","org":"%s","perms":%s,"iat":%s,"exp":%s%s}' \
	    "$1" "$2" "$ORG" "${5:-[\"read\"]}" "$3" "$4" "${6:+,$6}"
}

check_invalid_token() {
	# check_invalid_token CASE TOKEN
	begin_case "GET /bearer $1"
	TOKENS+=("$2")
	log_mark
	bearer GET "Bearer $2"
	assert_invalid_token
	assert_log_since_mark "log line names the route" "/bearer"
}

# The payload swapped for one with more perms, under the issued token's
# signature.
forged_payload=$(printf '%s' "$(claims "$USERNAME" "$ISSUER" "$now" \
    "$((now + TTL))" '["read","admin"]')" | base64 -w0 | tr '+/' '-_' |
    tr -d '=')
check_invalid_token "tampered payload" \
    "$jwt_header.$forged_payload.$jwt_signature"

# The first signature character changed to another base64url character.
first=${jwt_signature:0:1}
if [ "$first" = "A" ]; then other="B"; else other="A"; fi
check_invalid_token "tampered signature" \
    "$jwt_header.$jwt_payload.$other${jwt_signature:1}"

check_invalid_token "signature removed" "$jwt_header.$jwt_payload."
check_invalid_token "two segments" "$jwt_header.$jwt_payload"
check_invalid_token "four segments" "$JSON_TOKEN.$jwt_signature"
check_invalid_token "not a JWT" "not-a-token"
check_invalid_token "padded signature" "$(support "$SECRET" raw --pad \
    --header '{"alg":"HS256","typ":"JWT","kid":"@KID@"}' \
    --payload "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"

EXPIRED_TOKEN=$(support "$SECRET" encode --claims "$(claims "$USERNAME" \
    "$ISSUER" "$((now - TTL - 60))" "$((now - 60))")")
check_invalid_token "expired token" "$EXPIRED_TOKEN"
assert_log_since_mark "log line gives the reason" "/bearer" "expired"

check_invalid_token "wrong secret" "$(support "other-$SECRET" encode \
    --kid "$KID" --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "alg none" "$(printf '%s' '{"alg":"none","typ":"JWT"}' |
    base64 -w0 | tr '+/' '-_' | tr -d '=').$jwt_payload."
check_invalid_token "kid missing" "$(support "$SECRET" encode --no-kid \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
assert_log_since_mark "log line gives the kid reason" "/bearer" "kid"
check_invalid_token "kid of another secret" "$(support "other-$SECRET" \
    encode --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "alg HS384" "$(support "$SECRET" encode --alg HS384 \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "crit header" "$(support "$SECRET" encode \
    --header '{"crit":["exp"]}' \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "duplicate header alg" "$(support "$SECRET" raw \
    --header '{"alg":"none","alg":"HS256","typ":"JWT"}' \
    --payload "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "duplicate payload perms" "$(support "$SECRET" raw \
    --header '{"alg":"HS256","typ":"JWT","kid":"@KID@"}' \
    --payload "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))" \
    '["read"]' '"perms":["write"]')")"
check_invalid_token "wrong issuer" "$(support "$SECRET" encode \
    --claims "$(claims "$USERNAME" "other.example" "$now" "$((now + TTL))")")"
check_invalid_token "lifetime over TTL" "$(support "$SECRET" encode \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL + 1))")")"
check_invalid_token "iat in the future" "$(support "$SECRET" encode \
    --claims "$(claims "$USERNAME" "$ISSUER" "$((now + 120))" \
    "$((now + 120 + TTL))")")"
check_invalid_token "nbf in the future" "$(support "$SECRET" encode \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))" \
    '["read"]' "\"nbf\":$((now + 120))")")"
check_invalid_token "exp missing" "$(support "$SECRET" raw \
    --header '{"alg":"HS256","typ":"JWT","kid":"@KID@"}' \
    --payload "{\"sub\":\"$USERNAME\",\"iss\":\"$ISSUER\",\"org\":\"$ORG\",\"perms\":[\"read\"],\"iat\":$now}")"
check_invalid_token "exp a string" "$(support "$SECRET" raw \
    --header '{"alg":"HS256","typ":"JWT","kid":"@KID@"}' \
    --payload "{\"sub\":\"$USERNAME\",\"iss\":\"$ISSUER\",\"org\":\"$ORG\",\"perms\":[\"read\"],\"iat\":$now,\"exp\":\"$((now + TTL))\"}")"
check_invalid_token "sub empty" "$(support "$SECRET" encode \
    --claims "$(claims "" "$ISSUER" "$now" "$((now + TTL))")")"
check_invalid_token "perms a string" "$(support "$SECRET" encode \
    --claims "$(claims "$USERNAME" "$ISSUER" "$now" "$((now + TTL))" \
    '"read"')")"
check_invalid_token "payload an array" "$(support "$SECRET" raw \
    --header '{"alg":"HS256","typ":"JWT","kid":"@KID@"}' \
    --payload '["read"]')"

begin_case "GET /bearer without read perm"
NO_READ_TOKEN=$(support "$SECRET" encode --claims "$(claims "$USERNAME" \
    "$ISSUER" "$now" "$((now + TTL))" '["write"]')")
TOKENS+=("$NO_READ_TOKEN")
log_mark
bearer GET "Bearer $NO_READ_TOKEN"
assert_status 403
assert_header_contains WWW-Authenticate "$REALM"
assert_header_contains WWW-Authenticate 'error="insufficient_scope"'
assert_log_since_mark "log line names the route" "/bearer"

begin_case "GET /bearer two Authorization headers"
http_request GET /bearer -H "Authorization: Bearer $JSON_TOKEN" \
    -H "Authorization: Bearer $JSON_TOKEN"
assert_status 400
assert_header_contains WWW-Authenticate 'error="invalid_request"'

# Kore 4.1.0 keeps only the first header fields of a request head, so a
# second Authorization header after many others could go unseen.  Whatever
# the status, such a request must not get the data.
begin_case "GET /bearer Authorization after 25 other headers"
fillers=()
for i in $(seq 1 25); do
	fillers+=(-H "X-Filler-$i: $i")
done
http_request GET /bearer -H "Authorization: Bearer $JSON_TOKEN" \
    "${fillers[@]}" -H "Authorization: Bearer $EXPIRED_TOKEN"
if [ "$RESP_STATUS" != 200 ] && ! cmp -s "$SALARIES_FILE" "$RESP_BODY"; then
	pass "data withheld (status $RESP_STATUS)"
else
	fail "data withheld" "a 4xx status without the data" \
	    "status $RESP_STATUS" "$(body_excerpt)"
fi

# ---------------------------------------------------------------------------
# Methods and media types

# assert_method_not_allowed METHOD PATH ALLOWED [curl option ...]
# ALLOWED lists the methods the Allow header must name, comma-separated.
# HEAD may be named as well on a path that allows GET (RFC 9110 section
# 9.3.2 makes HEAD part of GET).
assert_method_not_allowed() {
	local method=$1 path=$2 allowed=$3 expected actual

	shift 3
	begin_case "$method $path"
	log_mark
	http_request "$method" "$path" "$@"
	assert_status 405
	assert_log_since_mark "log line names the route" "$path"
	expected=$(printf '%s\n' "${allowed//,/$'\n'}" | sort | paste -sd,)
	actual=$(header_values Allow | tr ',' '\n' | tr -d ' ' |
	    tr '[:lower:]' '[:upper:]' | grep -v '^$' | sort)
	if [[ ,$allowed, == *,GET,* ]]; then
		actual=$(printf '%s\n' "$actual" | grep -v '^HEAD$')
	fi
	actual=$(printf '%s\n' "$actual" | paste -sd,)
	assert_equal "Allow names $allowed" "$expected" "$actual"
	assert_no_header access_token
}

assert_method_not_allowed GET /jwt POST
assert_method_not_allowed PUT /jwt POST \
    -H 'Content-Type: application/json' --data-binary '{}'
assert_method_not_allowed DELETE /jwt POST
assert_method_not_allowed DELETE /bearer GET,POST
assert_method_not_allowed PUT /bearer GET,POST \
    -H 'Content-Type: application/json' --data-binary '{}'

LOGIN_BODY=$("$PYTHON" "$SUPPORT" json-object "username=$USERNAME" \
    "password=$PASSWORD")

begin_case "POST /jwt text/plain"
log_mark
post_jwt text/plain "$LOGIN_BODY"
assert_status 415
assert_no_header access_token
assert_log_since_mark "log line names the route" "/jwt"

begin_case "POST /jwt without Content-Type"
http_request POST /jwt -H 'Content-Type:' --data-binary "$LOGIN_BODY"
assert_status 415
assert_no_header access_token

begin_case "POST /jwt application/jsonx"
post_jwt application/jsonx "$LOGIN_BODY"
assert_status 415
assert_no_header access_token

begin_case "POST /jwt multipart/form-data"
http_request POST /jwt -F "username=$USERNAME" -F "password=$PASSWORD"
assert_status 415
assert_no_header access_token

# ---------------------------------------------------------------------------
# Body size: the limit is 4096 bytes

begin_case "POST /jwt body of 4096 bytes"
"$PYTHON" "$SUPPORT" padded-json --size 4096 --username "$USERNAME" \
    --password "$PASSWORD" "$WORK_DIR/4096.json"
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "@$WORK_DIR/4096.json"
assert_login_ok

begin_case "POST /jwt body of 4097 bytes"
"$PYTHON" "$SUPPORT" padded-json --size 4097 --username "$USERNAME" \
    --password "$PASSWORD" "$WORK_DIR/4097.json"
log_mark
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "@$WORK_DIR/4097.json"
assert_status 413
assert_no_header access_token
# Kore rejects a body over http_body_max before routing the request, so the
# line is Kore's own and names the sizes, not the route.
assert_log_since_mark "Kore logs the oversized body" "body too large (4097 > 4096)"

begin_case "POST /jwt body of 65536 bytes"
"$PYTHON" "$SUPPORT" padded-json --size 65536 --username "$USERNAME" \
    --password "$PASSWORD" "$WORK_DIR/65536.json"
http_request POST /jwt -H 'Content-Type: application/json' \
    --data-binary "@$WORK_DIR/65536.json"
assert_status 413
assert_no_header access_token

# ---------------------------------------------------------------------------
# Malformed login bodies

check_bad_json() {
	# check_bad_json CASE BODY
	begin_case "POST /jwt $1"
	log_mark
	post_jwt application/json "$2"
	assert_bad_request
	assert_log_since_mark "log line names the route" "/jwt"
}

check_bad_form() {
	# check_bad_form CASE BODY
	begin_case "POST /jwt form $1"
	post_jwt application/x-www-form-urlencoded "$2"
	assert_bad_request
}

check_bad_json "malformed JSON" "{\"username\":\"$USERNAME\",\"password\":"
check_bad_json "trailing data" "$LOGIN_BODY x"
check_bad_json "empty body" ""
check_bad_json "top-level array" "[\"$USERNAME\",\"$PASSWORD\"]"
check_bad_json "duplicate username" \
    "{\"username\":\"$USERNAME\",\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\"}"
check_bad_json "missing password" "{\"username\":\"$USERNAME\"}"
check_bad_json "missing username" "{\"password\":\"$PASSWORD\"}"
check_bad_json "number password" "{\"username\":\"$USERNAME\",\"password\":123}"
check_bad_json "null username" "{\"username\":null,\"password\":\"$PASSWORD\"}"
# A server that cut strings at the NUL would see the right password here.
check_bad_json "NUL in password" \
    "{\"username\":\"$USERNAME\",\"password\":\"$PASSWORD\\u0000x\"}"
check_bad_json "NUL in username" \
    "{\"username\":\"$USERNAME\\u0000x\",\"password\":\"$PASSWORD\"}"
check_bad_json "invalid UTF-8" \
    "{\"username\":\"$USERNAME$(printf '\xff')\",\"password\":\"$PASSWORD\"}"

FORM_PASSWORD=$("$PYTHON" "$SUPPORT" form "password=$PASSWORD")
check_bad_form "duplicate username" \
    "username=$USERNAME&username=$USERNAME&$FORM_PASSWORD"
check_bad_form "missing password" "username=$USERNAME"
check_bad_form "NUL in password" "username=$USERNAME&$FORM_PASSWORD%00x"
check_bad_form "bad percent-encoding" "username=$USERNAME&password=%zz"

# ---------------------------------------------------------------------------
# The server still works after the rejections

begin_case "POST /jwt after rejections"
login_json "$USERNAME" "$PASSWORD"
assert_login_ok

begin_case "GET /bearer after rejections"
bearer GET "Bearer $TOKEN"
assert_status 200
assert_body_file "$SALARIES_FILE"

# ---------------------------------------------------------------------------
# Log: nothing secret in it.  The server is stopped first so every line
# is written.

# ---------------------------------------------------------------------------
# Request framing a proxy in front could read another way (smuggling)

begin_case "GET /bearer with Transfer-Encoding"
log_mark
http_request GET /bearer -H "Authorization: Bearer $TOKEN" \
    -H 'Transfer-Encoding: chunked'
assert_status 400
assert_body "Transfer-Encoding is not supported"
assert_no_header access_token
assert_log_since_mark "log line gives the reason" "/bearer" "transfer_encoding"

begin_case "POST /jwt with two Content-Length fields"
http_request POST /jwt -H 'Content-Type: application/json' \
    -H 'Content-Length: 2' -H 'Content-Length: 2' --data-binary '{}'
assert_status 400
assert_body "Content-Length must be one decimal number"
assert_no_header access_token

begin_case "GET /bearer still answers"
http_request GET /bearer -H "Authorization: Bearer $TOKEN"
assert_status 200

begin_case "server stop"
assert_kore_stops

begin_case "log"
assert_log_lacks "secret not logged" "$SECRET"
assert_log_lacks "password not logged" "$PASSWORD"
assert_log_lacks "form-encoded password not logged" "${FORM_PASSWORD#password=}"
leaked=0
for token in "${TOKENS[@]}"; do
	signature=${token##*.}
	if grep -q -F -- "$token" "$KORE_LOG" ||
	    { [ -n "$signature" ] && grep -q -F -- "$signature" "$KORE_LOG"; }; then
		leaked=$((leaked + 1))
	fi
done
assert_equal "no token or signature logged (${#TOKENS[@]} tokens)" \
    "0 tokens found" "$leaked tokens found"

finish_tests
