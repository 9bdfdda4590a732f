#!/usr/bin/env bash
#
# Start-up refusals: Kore must exit by itself, with a non-zero status and
# one log line naming the variable, when the configuration is missing or
# invalid.  It must start with a short secret when that is allowed.

set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECRET='refusal-test-secret-0123456789-abcdefgh'
SHORT_SECRET='refusal-short-secret-0123456789'	# 31 bytes
PREVIOUS_SECRET='refusal-previous-secret-0123456789-abcd'
USERNAME='tester'
PASSWORD='refusal-password'
EXIT_LIMIT=5		# seconds Kore may take to give up

require_server_files
if [ "${#SHORT_SECRET}" -ne 31 ]; then
	bail_out "SHORT_SECRET must be 31 bytes, not ${#SHORT_SECRET}"
fi

printf '%s' "$SHORT_SECRET" >"$WORK_DIR/short-secret"
printf '%s' "$SECRET" >"$WORK_DIR/secret"
printf '%s\n' "$PREVIOUS_SECRET" >"$WORK_DIR/previous-secret"

# check_refusal CASE VARIABLE VAR=value ...
# VARIABLE is the name the log line must contain.
check_refusal() {
	local name=$1 variable=$2 lines

	shift 2
	begin_case "refuses $name"
	if ! kore_expect_exit "$EXIT_LIMIT" "$@"; then
		fail "Kore launched" "a launch" "no launch"
		return
	fi

	if [ -n "$KORE_EXIT_STATUS" ]; then
		pass "exits within $EXIT_LIMIT s (${KORE_ELAPSED} s)"
	else
		fail "exits within $EXIT_LIMIT s" "exit" "still running" \
		    "$(kore_log_tail)"
	fi
	if [ -n "$KORE_EXIT_STATUS" ] && [ "$KORE_EXIT_STATUS" -ne 0 ]; then
		pass "exit status non-zero ($KORE_EXIT_STATUS)"
	else
		fail "exit status non-zero" "non-zero" \
		    "${KORE_EXIT_STATUS:-still running}"
	fi
	assert_kore_stops

	lines=$(grep -c -F -- "$variable" "$KORE_LOG")
	if [ "$lines" -eq 1 ]; then
		pass "one log line names $variable"
	else
		fail "one log line names $variable" "1 line" "$lines lines" \
		    "$(kore_log_tail)"
	fi
	assert_log_lacks "secret not in output" "$SECRET"
	assert_log_lacks "short secret not in output" "$SHORT_SECRET"
	assert_log_lacks "previous secret not in output" "$PREVIOUS_SECRET"
	assert_log_lacks "password not in output" "$PASSWORD"
}

check_refusal "missing JWT_SECRET" JWT_SECRET \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "empty JWT_SECRET" JWT_SECRET \
    JWT_SECRET= AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "31-byte JWT_SECRET" JWT_SECRET \
    JWT_SECRET="$SHORT_SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD"
check_refusal "31-byte JWT_SECRET_FILE" JWT_SECRET \
    JWT_SECRET_FILE="$WORK_DIR/short-secret" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD"
check_refusal "missing JWT_SECRET_FILE" JWT_SECRET_FILE \
    JWT_SECRET_FILE="$WORK_DIR/no-such-file" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD"
check_refusal "missing AUTH_PASSWORD" AUTH_PASSWORD \
    JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME"
check_refusal "missing AUTH_USERNAME" AUTH_USERNAME \
    JWT_SECRET="$SECRET" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_TTL=abc" JWT_TTL \
    JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" JWT_TTL=abc
check_refusal "JWT_TTL=60s" JWT_TTL \
    JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" JWT_TTL=60s
check_refusal "JWT_LEEWAY=abc" JWT_LEEWAY \
    JWT_SECRET="$SECRET" AUTH_USERNAME="$USERNAME" \
    AUTH_PASSWORD="$PASSWORD" JWT_LEEWAY=abc

# The rotation settings: a previous secret is checked like the current
# one, must differ from it, and the two kids must differ.
check_refusal "JWT_SECRET_PREVIOUS equal to JWT_SECRET" JWT_SECRET_PREVIOUS \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS="$SECRET" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_SECRET_PREVIOUS_FILE equal to JWT_SECRET_FILE" \
    JWT_SECRET_PREVIOUS JWT_SECRET_FILE="$WORK_DIR/previous-secret" \
    JWT_SECRET_PREVIOUS_FILE="$WORK_DIR/previous-secret" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "31-byte JWT_SECRET_PREVIOUS" JWT_SECRET_PREVIOUS \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS="$SHORT_SECRET" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "empty JWT_SECRET_PREVIOUS" JWT_SECRET_PREVIOUS \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS= \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_SECRET_PREVIOUS and its file" JWT_SECRET_PREVIOUS_FILE \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS="$PREVIOUS_SECRET" \
    JWT_SECRET_PREVIOUS_FILE="$WORK_DIR/previous-secret" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "missing JWT_SECRET_PREVIOUS_FILE" JWT_SECRET_PREVIOUS_FILE \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS_FILE="$WORK_DIR/no-such-file" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_KID with a slash" JWT_KID \
    JWT_SECRET="$SECRET" JWT_KID=../etc/passwd \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "empty JWT_KID" JWT_KID \
    JWT_SECRET="$SECRET" JWT_KID= \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "65-character JWT_KID" JWT_KID \
    JWT_SECRET="$SECRET" JWT_KID="$(printf 'k%.0s' {1..65})" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_KID_PREVIOUS equal to JWT_KID" JWT_KID_PREVIOUS \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS="$PREVIOUS_SECRET" \
    JWT_KID=key-1 JWT_KID_PREVIOUS=key-1 \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_KID equal to the previous derived kid" JWT_KID \
    JWT_SECRET="$SECRET" JWT_SECRET_PREVIOUS="$PREVIOUS_SECRET" \
    JWT_KID="$(support "$PREVIOUS_SECRET" kid)" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"
check_refusal "JWT_KID_PREVIOUS without a previous secret" JWT_KID_PREVIOUS \
    JWT_SECRET="$SECRET" JWT_KID_PREVIOUS=key-0 \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"

# ---------------------------------------------------------------------------
# Configurations that start

begin_case "starts with short secret allowed"
if kore_start JWT_SECRET="$SHORT_SECRET" JWT_ALLOW_SHORT_SECRET=1 \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"; then
	pass "Kore answers"
	assert_pidfile
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
	    "username=$USERNAME" "password=$PASSWORD")"
	assert_status 200
	assert_success "PyJWT verifies with the short secret" \
	    support "$SHORT_SECRET" decode --issuer twil.io --claim sub \
	    "$(header_values access_token)"
	assert_kore_stops
	# The wording is free, so the warning is recognised by naming a
	# secret variable.
	assert_log_line "warning about the short secret" "SECRET"
	assert_log_lacks "short secret not in output" "$SHORT_SECRET"
else
	fail "Kore answers" "a running server" "no server"
fi

begin_case "starts with JWT_SECRET_FILE"
if kore_start JWT_SECRET_FILE="$WORK_DIR/secret" \
    AUTH_USERNAME="$USERNAME" AUTH_PASSWORD="$PASSWORD"; then
	pass "Kore answers"
	http_request POST /jwt -H 'Content-Type: application/json' \
	    --data-binary "$("$PYTHON" "$SUPPORT" json-object \
	    "username=$USERNAME" "password=$PASSWORD")"
	assert_status 200
	assert_success "PyJWT verifies with the file's secret" \
	    support "$SECRET" decode --issuer twil.io --claim sub \
	    "$(header_values access_token)"
	assert_kore_stops
	assert_log_lacks "secret not in output" "$SECRET"
else
	fail "Kore answers" "a running server" "no server"
fi

finish_tests
