#!/usr/bin/env bash
#
# Builds the libFuzzer harnesses with clang and runs each one for
# FUZZ_SECONDS seconds (default 60), one after another.
#
#   FUZZ_SECONDS   run time of each harness, in seconds
#   FUZZ_TARGETS   harnesses to run (default: "token b64url login")
#   FUZZ_SRC       folder of the code under test (default: functions), for
#                  fuzzing a patched copy
#
# Each harness works on build/fuzz/corpus-<name>, seeded from
# tests/fuzz/corpus/<name> and kept between runs.  A crashing input is
# written to build/fuzz/artifacts-<name>/ and the log to
# build/fuzz/<name>.log.  Exits non-zero when a harness fails to build or
# reports a crash, leak, timeout or sanitizer error.

set -u

cd "$(dirname "$0")/../.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"token b64url login"}
FUZZ_SRC=${FUZZ_SRC:-functions}
CC=${FUZZ_CC:-clang}
OUT=build/fuzz

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
CFLAGS="$CFLAGS -Wall -Wextra -I $FUZZ_SRC"
LIBS="-lcrypto -lyajl"

# Sources of the code under test, and the maximum input length, per harness.
# Each length lets the first mode byte plus a body one byte over the
# module's limit through (TOKEN_LEN_MAX and LOGIN_BODY_MAX are 4096).
sources() {
	case $1 in
	token)	echo "$FUZZ_SRC"/b64url.c "$FUZZ_SRC"/jsonobj.c \
		    "$FUZZ_SRC"/token.c "$FUZZ_SRC"/authz.c ;;
	b64url)	echo "$FUZZ_SRC"/b64url.c ;;
	login)	echo "$FUZZ_SRC"/jsonobj.c "$FUZZ_SRC"/login.c \
		    "$FUZZ_SRC"/media.c ;;
	*)	return 1 ;;
	esac
}

max_len() {
	case $1 in
	token)	echo 4200 ;;
	b64url)	echo 6000 ;;
	login)	echo 4200 ;;
	esac
}

case $FUZZ_SECONDS in
''|*[!0-9]*)
	echo "FUZZ_SECONDS must be a whole number of seconds, not '$FUZZ_SECONDS'" >&2
	exit 2 ;;
esac

if ! command -v "$CC" >/dev/null; then
	echo "$CC not found: install clang (Debian: apt-get install clang)" >&2
	exit 2
fi

mkdir -p "$OUT"
failed=""

for name in $FUZZ_TARGETS; do
	if ! srcs=$(sources "$name"); then
		echo "unknown harness '$name'; known: token b64url login" >&2
		exit 2
	fi

	bin=$OUT/fuzz_$name
	# shellcheck disable=SC2086 # word splitting of the flag lists is wanted
	if ! $CC $CFLAGS -o "$bin" "tests/fuzz/fuzz_$name.c" $srcs $LIBS; then
		echo "fuzz_$name: build failed" >&2
		failed="$failed $name"
		continue
	fi

	corpus=$OUT/corpus-$name
	artifacts=$OUT/artifacts-$name
	log=$OUT/$name.log
	mkdir -p "$corpus" "$artifacts"
	cp tests/fuzz/corpus/"$name"/* "$corpus"/

	dict=""
	if [ -f "tests/fuzz/$name.dict" ]; then
		dict="-dict=tests/fuzz/$name.dict"
	fi

	echo "fuzz_$name: running for $FUZZ_SECONDS s, log in $log"
	# -timeout is per input, in seconds: one input taking that long is a hang.
	# shellcheck disable=SC2086 # $dict is empty or one argument
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$name")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" $dict "$corpus" >"$log" 2>&1
	rc=$?

	# libFuzzer's last status line carries cov (edges) and ft (features).
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
	grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log"
	echo "corpus: $(find "$corpus" -type f | wc -l) files"

	if [ "$rc" -ne 0 ] || grep -qE \
	    'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|check failed:' \
	    "$log"; then
		echo "fuzz_$name: FAILED (exit $rc); see $log and $artifacts/" >&2
		grep -E 'SUMMARY:|check failed:|Test unit written' "$log" >&2
		failed="$failed $name"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzzing failed:$failed" >&2
	exit 1
fi
echo "fuzzing passed: $FUZZ_TARGETS"
