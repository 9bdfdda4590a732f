#!/usr/bin/env bash
#
# Secret rotation against the real Kore server, restarted between phases:
#
#   1. JWT_SECRET=A issues T_A, whose header names A's kid.
#   2. JWT_SECRET=B with JWT_SECRET_PREVIOUS=A: T_A is still accepted, and
#      new tokens name B's kid and are signed by B (checked with PyJWT).
#      The same with the previous secret in a file and explicit kids.
#   3. JWT_SECRET=B alone: T_A is rejected with 401 invalid_token.
#
# The kids are derived in support.py from their definition, not read from
# the server.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET_A='rotation-secret-a-0123456789-abcdefghijk'
SECRET_B='rotation-secret-b-0123456789-lmnopqrstuv'
USERNAME='rotation-user'
PASSWORD='rotation-password'
ISSUER='twil.io'
KID_DESCRIPTION='error_description="The token key ID is missing or unknown"'

KID_A=$(support "$SECRET_A" kid) || bail_out "support.py cannot derive kid A"
KID_B=$(support "$SECRET_B" kid) || bail_out "support.py cannot derive kid B"

# Every token sent or received, to check none of them reaches the log.
TOKENS=()

require_server_files

# login: POST /jwt with the right credentials; sets TOKEN.
login() {
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
	    "username=$USERNAME" "password=$PASSWORD")"
	assert_status 200
	TOKEN=$(header_values access_token)
	[ -n "$TOKEN" ] || bail_out "POST /jwt issued no token"
	TOKENS+=("$TOKEN")
}

# header_kid TOKEN: prints the kid member of the token's header.
header_kid() {
	support "$SECRET_A" segment --index 0 "$1" | "$PYTHON" -c 'import json, sys
print(json.load(sys.stdin).get("kid", "(none)"))'
}

# bearer_accepts CHECK TOKEN
bearer_accepts() {
	http_request GET /bearer -H "Authorization: Bearer $2"
	if [ "$RESP_STATUS" = 200 ] && cmp -s "$SALARIES_FILE" "$RESP_BODY"
	then
		pass "$1"
	else
		fail "$1" "200 and the salaries" "$RESP_STATUS" "$(body_excerpt)"
	fi
}

# bearer_rejects CHECK TOKEN DESCRIPTION: 401 invalid_token.
bearer_rejects() {
	http_request GET /bearer -H "Authorization: Bearer $2"
	assert_status 401
	assert_header_contains WWW-Authenticate 'error="invalid_token"'
	assert_header_contains WWW-Authenticate "$3"
}

# assert_secrets_not_logged: the log contains no secret and no token.
assert_secrets_not_logged() {
	local token

	assert_log_lacks "secret A not logged" "$SECRET_A"
	assert_log_lacks "secret B not logged" "$SECRET_B"
	assert_log_lacks "password not logged" "$PASSWORD"
	for token in "${TOKENS[@]}"; do
		assert_log_lacks "token not logged" "${token##*.}"
	done
}

# ---------------------------------------------------------------------------
# Phase 1: secret A alone

begin_case "phase 1: JWT_SECRET=A"
kore_start JWT_SECRET="$SECRET_A" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" || bail_out "Kore did not start with A"
login
T_A=$TOKEN
assert_equal "T_A names A's kid" "$KID_A" "$(header_kid "$T_A")"
assert_success "PyJWT verifies T_A with A" \
    support "$SECRET_A" decode --issuer "$ISSUER" --claim sub "$T_A"
bearer_accepts "T_A accepted" "$T_A"
assert_log_line "start line names the signing kid" "signing with kid $KID_A"
assert_kore_stops
assert_secrets_not_logged

# ---------------------------------------------------------------------------
# Phase 2: B signs, A still verifies

begin_case "phase 2: JWT_SECRET=B, JWT_SECRET_PREVIOUS=A"
kore_start JWT_SECRET="$SECRET_B" JWT_SECRET_PREVIOUS="$SECRET_A" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD" ||
    bail_out "Kore did not start with B and previous A"
bearer_accepts "T_A still accepted" "$T_A"
bearer_accepts "T_A accepted again (cached)" "$T_A"
login
T_B=$TOKEN
assert_equal "new token names B's kid" "$KID_B" "$(header_kid "$T_B")"
assert_success "PyJWT verifies the new token with B" \
    support "$SECRET_B" decode --issuer "$ISSUER" --claim sub "$T_B"
assert_failure "PyJWT rejects the new token with A" \
    support "$SECRET_A" decode --issuer "$ISSUER" --claim sub "$T_B"
bearer_accepts "new token accepted" "$T_B"

# A kid selects its key: A's kid on a token signed by B fails, and the
# other way round.
now=$(date +%s)
claims="{\"sub\":\"$USERNAME\",\"iss\":\"$ISSUER\",\"perms\":[\"read\"],\"iat\":$now,\"exp\":$((now + 600))}"
crossed=$(support "$SECRET_B" encode --kid "$KID_A" --claims "$claims")
TOKENS+=("$crossed")
bearer_rejects "B's signature under A's kid" "$crossed" \
    'error_description="The token signature is invalid"'
crossed=$(support "$SECRET_A" encode --kid "$KID_B" --claims "$claims")
TOKENS+=("$crossed")
bearer_rejects "A's signature under B's kid" "$crossed" \
    'error_description="The token signature is invalid"'
# A PyJWT token under A, members in PyJWT's order, takes the parsed path.
pyjwt_a=$(support "$SECRET_A" encode --claims "$claims")
TOKENS+=("$pyjwt_a")
bearer_accepts "PyJWT token under A accepted" "$pyjwt_a"

assert_log_line "start line names both kids" \
    "signing with kid $KID_B, also verifying kid $KID_A"
assert_kore_stops
assert_secrets_not_logged

begin_case "phase 2: previous secret in a file, explicit kids"
umask 077
printf '%s\n' "$SECRET_A" >"$WORK_DIR/secret-a"
kore_start JWT_SECRET="$SECRET_B" JWT_SECRET_PREVIOUS_FILE="$WORK_DIR/secret-a" \
    JWT_KID=key-2 JWT_KID_PREVIOUS="$KID_A" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" ||
    bail_out "Kore did not start with explicit kids"
bearer_accepts "T_A accepted under its kid" "$T_A"
login
assert_equal "new token names JWT_KID" "key-2" "$(header_kid "$TOKEN")"
assert_success "PyJWT verifies it with B" \
    support "$SECRET_B" decode --issuer "$ISSUER" --claim sub "$TOKEN"
bearer_accepts "new token accepted" "$TOKEN"
bearer_rejects "T_B, whose kid is no longer configured" "$T_B" \
    "$KID_DESCRIPTION"
assert_kore_stops
assert_secrets_not_logged

# ---------------------------------------------------------------------------
# Phase 3: B alone

begin_case "phase 3: JWT_SECRET=B"
kore_start JWT_SECRET="$SECRET_B" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" || bail_out "Kore did not start with B"
bearer_rejects "T_A rejected" "$T_A" "$KID_DESCRIPTION"
bearer_rejects "T_A rejected again" "$T_A" "$KID_DESCRIPTION"
bearer_accepts "T_B accepted" "$T_B"
log_mark
bearer_rejects "PyJWT token under A rejected" "$pyjwt_a" "$KID_DESCRIPTION"
assert_log_since_mark "log line gives the kid reason" '"route":"/bearer"' \
    '"status":401' '"reason":"kid"'
assert_kore_stops
assert_secrets_not_logged

finish_tests
