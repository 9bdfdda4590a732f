#!/usr/bin/env bash
#
# Builds the libFuzzer harnesses with clang and runs each one for
# FUZZ_SECONDS seconds (default 60), one after another.
#
#   FUZZ_SECONDS   run time of each harness, in seconds
#   FUZZ_TARGETS   harnesses to run (default: "token b64url login jsonobj hmac
#                  users")
#   FUZZ_SRC       folder of the code under test (default: functions), for
#                  fuzzing a patched copy
#   FUZZ_FLAGS     extra libFuzzer options, e.g. -use_value_profile=1
#   FUZZ_COVERAGE  1 to report the line coverage the corpus reaches in the
#                  code under test, with llvm-cov (default: 0)
#
# Each harness first replays the inputs in tests/fuzz/crashers/ whose
# names start with "<name>-".  It then works on build/fuzz/corpus-<name>,
# seeded from tests/fuzz/corpus/<name>, minimized after each run and kept
# between runs.  A crashing input is written to
# build/fuzz/artifacts-<name>/ and the log to build/fuzz/<name>.log.
# Exits non-zero when a harness fails to build, a saved crasher fails
# again, or fuzzing reports a crash, leak, timeout or sanitizer error.

set -u

cd "$(dirname "$0")/../.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"token b64url login jsonobj hmac users"}
FUZZ_SRC=${FUZZ_SRC:-functions}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
FUZZ_COVERAGE=${FUZZ_COVERAGE:-0}
CC=${FUZZ_CC:-clang}
OUT=build/fuzz

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
CFLAGS="$CFLAGS -Wall -Wextra -I $FUZZ_SRC"
LIBS="-lcrypto -lyajl"

# Prints the sources of the code under test for a harness.
sources() {
	case $1 in
	token)	echo "$FUZZ_SRC"/b64url.c "$FUZZ_SRC"/jsonobj.c \
		    "$FUZZ_SRC"/hmac.c "$FUZZ_SRC"/token.c \
		    "$FUZZ_SRC"/authz.c ;;
	b64url)	echo "$FUZZ_SRC"/b64url.c ;;
	login)	echo "$FUZZ_SRC"/jsonobj.c "$FUZZ_SRC"/login.c \
		    "$FUZZ_SRC"/media.c ;;
	jsonobj) echo "$FUZZ_SRC"/jsonobj.c ;;
	hmac)	echo "$FUZZ_SRC"/hmac.c ;;
	users)	echo "$FUZZ_SRC"/b64url.c "$FUZZ_SRC"/jsonobj.c \
		    "$FUZZ_SRC"/passhash.c "$FUZZ_SRC"/userstore.c ;;
	*)	return 1 ;;
	esac
}

# Prints the maximum input length for a harness.  4200 lets the mode byte
# and inputs just over the 4096-byte limits (TOKEN_LEN_MAX, LOGIN_BODY_MAX)
# through.  For b64url, 6000 characters decode to more than 4096 bytes.
max_len() {
	case $1 in
	b64url)	echo 6000 ;;
	*)	echo 4200 ;;
	esac
}

# Runs the corpus once through a build instrumented for source-based
# coverage and prints llvm-cov's line coverage of the code under test.
report_coverage() {
	local name=$1 srcs=$2 corpus=$3 bin=$OUT/cov_$1

	# shellcheck disable=SC2086 # split the source list into words
	if ! $CC -g -O1 -fsanitize=fuzzer -fprofile-instr-generate \
	    -fcoverage-mapping -I "$FUZZ_SRC" -o "$bin" \
	    "tests/fuzz/fuzz_$name.c" $srcs $LIBS; then
		echo "fuzz_$name: coverage build failed" >&2
		return 1
	fi
	LLVM_PROFILE_FILE=$OUT/cov_$name.profraw "$bin" -runs=0 \
	    -max_len="$(max_len "$name")" "$corpus" >/dev/null 2>&1
	llvm-profdata merge -o "$OUT/cov_$name.profdata" \
	    "$OUT/cov_$name.profraw" || return 1
	echo "line coverage of the code under test by corpus-$name:"
	# Columns 1 and 8 to 10: file, lines, missed lines, line coverage.
	# shellcheck disable=SC2086
	llvm-cov report "$bin" -instr-profile="$OUT/cov_$name.profdata" $srcs |
	    awk 'NF >= 10 && $1 != "Filename" { print "  " $1, $8, $9, $10 }'
}

case $FUZZ_SECONDS in
''|*[!0-9]*)
	echo "invalid FUZZ_SECONDS '$FUZZ_SECONDS': give whole seconds" >&2
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
		echo "unknown harness '$name';" \
		    "known: token b64url login jsonobj hmac users" >&2
		exit 2
	fi

	bin=$OUT/fuzz_$name
	# shellcheck disable=SC2086 # word splitting of the flag lists is wanted
	if ! $CC $CFLAGS -o "$bin" "tests/fuzz/fuzz_$name.c" $srcs $LIBS; then
		echo "fuzz_$name: build failed" >&2
		failed="$failed $name"
		continue
	fi

	# Inputs that once failed, named <harness>-<what they hit>, must pass.
	crashers=$(find tests/fuzz/crashers -type f -name "$name-*" 2>/dev/null)
	if [ -n "$crashers" ]; then
		# shellcheck disable=SC2086 # one argument per file
		if ! "$bin" $crashers >"$OUT/$name-crashers.log" 2>&1; then
			echo "fuzz_$name: a saved crasher fails again;" \
			    "see $OUT/$name-crashers.log" >&2
			failed="$failed $name"
			continue
		fi
		echo "fuzz_$name: saved crashers pass:" \
		    "$(echo "$crashers" | wc -l)"
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
	# -timeout is per input, in seconds: an input that slow is a hang.
	# shellcheck disable=SC2086 # $dict and $FUZZ_FLAGS split into options
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$name")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" $dict $FUZZ_FLAGS "$corpus" \
	    >"$log" 2>&1
	rc=$?

	# libFuzzer's last status line carries cov (edges), ft (features)
	# and corp (inputs in the corpus / their total size).
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
	grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log"

	errors='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)'
	errors="$errors|runtime error:|check failed:"
	if [ "$rc" -ne 0 ] || grep -qE "$errors" "$log"; then
		echo "fuzz_$name: FAILED (exit $rc);" \
		    "see $log and $artifacts/" >&2
		grep -E 'SUMMARY:|check failed:|Test unit written' "$log" >&2
		failed="$failed $name"
		continue
	fi

	# libFuzzer writes each reduced input as a new file, so keep only the
	# inputs that add coverage.
	rm -rf "$corpus.min"
	mkdir -p "$corpus.min"
	if "$bin" -merge=1 -max_len="$(max_len "$name")" "$corpus.min" \
	    "$corpus" >>"$log" 2>&1; then
		rm -rf "$corpus"
		mv "$corpus.min" "$corpus"
	fi
	echo "corpus-$name: $(find "$corpus" -type f | wc -l) files," \
	    "$(cat "$corpus"/* | wc -c) bytes"

	if [ "$FUZZ_COVERAGE" = 1 ]; then
		report_coverage "$name" "$srcs" "$corpus"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzzing failed:$failed" >&2
	exit 1
fi
echo "fuzzing passed: $FUZZ_TARGETS"
