#!/usr/bin/env bash
#
# Tests the jwt-users tool on files in a temporary folder: every command,
# the errors, the file mode, and that the hashes it writes verify with
# Python's hashlib (an implementation independent of functions/passhash.c).
# Ends with "N passed, M failed".  JWT_USERS names the tool
# (build/jwt-users by default).

set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tool=${JWT_USERS:-$root/build/jwt-users}
python=/usr/bin/python3
passed=0
failed=0

if [ ! -x "$tool" ]; then
	echo "$tool not found: run make tool"
	echo "0 passed, 1 failed"
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/jwt-users-test.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
file=$dir/users
out=$dir/out
all_output=$dir/all-output

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
}

check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# Runs the tool with stdin from $1 ("" for none), keeping its status in
# $status and its output in $out and in the log of all output.
run() {
	local input=$1
	shift
	if [ -n "$input" ]; then
		printf '%s' "$input" | "$tool" "$@" >"$out" 2>&1
	else
		"$tool" "$@" </dev/null >"$out" 2>&1
	fi
	status=$?
	cat "$out" >>"$all_output"
}

mode_of() {
	stat -c %a "$1"
}

# Verifies a password (standard input) against a user's hash in a file
# (the arguments) with hashlib.  Exits 0 on a match, 1 on a mismatch and 2
# on a missing or malformed entry.
py_verify_script=$(cat <<'EOF'
import base64, hashlib, re, sys

path, user = sys.argv[1], sys.argv[2]
password = sys.stdin.buffer.read()

def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

for line in open(path, encoding="utf-8"):
    line = line.rstrip("\r\n")
    if not line or line.startswith("#"):
        continue
    name, encoded, perms = line.split(":")
    if name != user:
        continue
    m = re.fullmatch(r"\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)", encoded)
    if m:
        ln, r, p = int(m[1]), int(m[2]), int(m[3])
        salt, want = b64(m[4]), b64(m[5])
        got = hashlib.scrypt(password, salt=salt, n=1 << ln, r=r, p=p,
                             maxmem=300 * 1024 * 1024, dklen=32)
    else:
        m = re.fullmatch(r"\$pbkdf2-sha256\$i=(\d+)\$([\w-]+)\$([\w-]+)", encoded)
        if not m:
            sys.exit(2)
        salt, want = b64(m[2]), b64(m[3])
        got = hashlib.pbkdf2_hmac("sha256", password, salt, int(m[1]), 32)
    if len(salt) != 16 or len(want) != 32:
        sys.exit(2)
    sys.exit(0 if got == want else 1)
sys.exit(2)
EOF
)

py_verify() {
	"$python" -c "$py_verify_script" "$1" "$2"
}

verifies() {
	printf '%s' "$3" | py_verify "$1" "$2"
}

rejects_password() {
	printf '%s' "$3" | py_verify "$1" "$2"
	[ $? -eq 1 ]
}

cheap=(--scrypt-ln 4 --scrypt-r 8 --scrypt-p 1)

# add
umask 022
run 'alice-pw-7f3a
' "$file" add alice --perms read,write --password-stdin "${cheap[@]}"
check "add: exit status 0" [ "$status" -eq 0 ]
check "add: warns about cheap parameters" grep -q "below the defaults" "$out"
check "add: new file has mode 0600" [ "$(mode_of "$file")" = 600 ]
check "add: one line for alice" grep -q '^alice:\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9_-]\{22\}\$[A-Za-z0-9_-]\{43\}:read,write$' "$file"
check "add: hashlib.scrypt verifies it" verifies "$file" alice 'alice-pw-7f3a'
check "add: hashlib rejects a wrong password" rejects_password "$file" alice 'alice-pw-7f3b'

run 'bob-pw-19c2
' "$file" add bob --pbkdf2-iterations 1000 --password-stdin
check "add pbkdf2: exit status 0" [ "$status" -eq 0 ]
check "add pbkdf2: line for bob" grep -q '^bob:\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9_-]\{22\}\$[A-Za-z0-9_-]\{43\}:$' "$file"
check "add pbkdf2: hashlib.pbkdf2_hmac verifies it" verifies "$file" bob 'bob-pw-19c2'
check "add pbkdf2: hashlib rejects a wrong password" rejects_password "$file" bob 'bob-pw-19c'

# Default parameters: scrypt N=2^17, r=8, p=1; PBKDF2 600,000 iterations.
run 'carol-pw
' "$file" add carol --password-stdin
check "add default: exit status 0" [ "$status" -eq 0 ]
check "add default: scrypt ln=17,r=8,p=1" grep -q '^carol:\$scrypt\$ln=17,r=8,p=1\$' "$file"
check "add default: no warning" [ ! -s "$out" ]
check "add default: hashlib.scrypt verifies it" verifies "$file" carol 'carol-pw'
run 'dave-pw
' "$file" add dave --pbkdf2 --password-stdin
check "add --pbkdf2: 600000 iterations" grep -q '^dave:\$pbkdf2-sha256\$i=600000\$' "$file"
check "add --pbkdf2: hashlib verifies it" verifies "$file" dave 'dave-pw'

# CRLF after the password is removed like LF; only the first line counts.
run $'erin-pw\r\nsecond line\n' "$file" add erin --password-stdin --pbkdf2-iterations 1
check "add: CRLF removed from the password" verifies "$file" erin 'erin-pw'

# list
run "" "$file" list
check "list: exit status 0" [ "$status" -eq 0 ]
check "list: names and perms" [ "$(cat "$out")" = "$(printf 'alice\tread,write\nbob\t\ncarol\t\ndave\t\nerin\t')" ]

# passwd keeps the perms and replaces the hash.
before=$(grep '^alice:' "$file")
run 'alice-new-pw
' "$file" passwd alice --password-stdin --pbkdf2-iterations 1000
check "passwd: exit status 0" [ "$status" -eq 0 ]
check "passwd: hash replaced" [ "$(grep '^alice:' "$file")" != "$before" ]
check "passwd: perms kept" grep -q '^alice:\$pbkdf2-sha256\$i=1000\$.*:read,write$' "$file"
check "passwd: new password verifies" verifies "$file" alice 'alice-new-pw'
check "passwd: old password rejected" rejects_password "$file" alice 'alice-pw-7f3a'
check "passwd: still one alice" [ "$(grep -c '^alice:' "$file")" -eq 1 ]

# perms
bob_hash=$(grep '^bob:' "$file" | cut -d: -f2)
run "" "$file" perms bob read,admin
check "perms: exit status 0" [ "$status" -eq 0 ]
check "perms: set" grep -q "^bob:.*:read,admin$" "$file"
check "perms: hash kept" [ "$(grep '^bob:' "$file" | cut -d: -f2)" = "$bob_hash" ]
run "" "$file" perms bob ""
check "perms: cleared" grep -q "^bob:.*:$" "$file"
cp "$file" "$dir/copy"
for bad in "read write" "read,,write" "read,read" "a:b" "r\xc3\xa9ad"; do
	run "" "$file" perms bob "$(printf "$bad")"
	check "perms '$bad': exit status 1" [ "$status" -eq 1 ]
	check "perms '$bad': message" grep -q "invalid perms" "$out"
done
run "" "$file" perms bob "$(printf 'p%.0s,' {1..16})p17"
check "perms: 17 perms rejected" [ "$status" -eq 1 ]
check "perms: rejected changes left the file as it was" cmp -s "$file" "$dir/copy"

# del
run "" "$file" del dave
check "del: exit status 0" [ "$status" -eq 0 ]
check "del: line gone" [ "$(grep -c '^dave:' "$file")" -eq 0 ]
check "del: others kept" [ "$(grep -c '^[a-z]*:' "$file")" -eq 4 ]

# Errors: exit status 1 and a message; the file is left as it was.
cp "$file" "$dir/copy"
run 'pw
' "$file" add alice --password-stdin "${cheap[@]}"
check "add existing: exit status 1" [ "$status" -eq 1 ]
check "add existing: message" grep -q "user alice exists" "$out"
run 'pw
' "$file" passwd nobody --password-stdin "${cheap[@]}"
check "passwd unknown: exit status 1" [ "$status" -eq 1 ]
check "passwd unknown: message" grep -q "unknown user: nobody" "$out"
run "" "$file" del nobody
check "del unknown: exit status 1" [ "$status" -eq 1 ]
check "del unknown: message" grep -q "unknown user: nobody" "$out"
run "" "$file" perms nobody read
check "perms unknown: exit status 1" [ "$status" -eq 1 ]
for name in "a:b" "#x" "" "$(printf 'a\tb')" "$(printf 'a\xffb')" "$(printf 'n%.0s' {1..256})"; do
	run 'pw
' "$file" add "$name" --password-stdin "${cheap[@]}"
	check "invalid name ${name:0:10}: exit status 1" [ "$status" -eq 1 ]
	check "invalid name ${name:0:10}: message" grep -q "invalid username" "$out"
done
run '
' "$file" add frank --password-stdin "${cheap[@]}"
check "empty password: exit status 1" [ "$status" -eq 1 ]
check "empty password: message" grep -q "empty password" "$out"
run "" "$file" add frank --password-stdin "${cheap[@]}"
check "no password on stdin: exit status 1" [ "$status" -eq 1 ]
run "$(printf 'x%.0s' {1..1025})" "$file" add frank --password-stdin "${cheap[@]}"
check "1025-byte password: exit status 1" [ "$status" -eq 1 ]
check "1025-byte password: message" grep -q "longer than 1024 bytes" "$out"
run $'pa\tss\n' "$file" add frank --password-stdin "${cheap[@]}"
check "password with a tab: exit status 1" [ "$status" -eq 1 ]
run "" "$file" add frank "${cheap[@]}"
check "no terminal: exit status 1" [ "$status" -eq 1 ]
check "no terminal: points to --password-stdin" grep -q -- "--password-stdin" "$out"
run 'pw
' "$file" add frank --password-stdin --scrypt-ln 21
check "scrypt ln 21: exit status 1" [ "$status" -eq 1 ]
run 'pw
' "$file" add frank --password-stdin --scrypt-ln 20 --scrypt-r 8
check "scrypt over 256 MiB: exit status 1" [ "$status" -eq 1 ]
run 'pw
' "$file" add frank --password-stdin --pbkdf2-iterations 0
check "pbkdf2 0 iterations: exit status 1" [ "$status" -eq 1 ]
run "" "$file" frobnicate
check "unknown command: exit status 1" [ "$status" -eq 1 ]
check "unknown command: usage" grep -q "^usage:" "$out"
run "" "$file" del
check "missing argument: exit status 1" [ "$status" -eq 1 ]
run "" "$file" list extra
check "extra argument: exit status 1" [ "$status" -eq 1 ]
run "" "$file" del alice --perms read
check "--perms with del: exit status 1" [ "$status" -eq 1 ]
check "errors left the file as it was" cmp -s "$file" "$dir/copy"

run "" -h
check "-h: exit status 0" [ "$status" -eq 0 ]
check "-h: usage" grep -q "^usage: jwt-users FILE add USER" "$out"

# File errors.
run "" "$dir/missing" list
check "list missing file: exit status 1" [ "$status" -eq 1 ]
check "list missing file: message" grep -q "cannot read .*missing: No such file" "$out"
run "" "$dir/missing" del alice
check "del missing file: exit status 1" [ "$status" -eq 1 ]
check "del missing file: not created" [ ! -e "$dir/missing" ]
run "" "$dir" list
check "folder: exit status 1" [ "$status" -eq 1 ]
ln -s "$file" "$dir/link"
run "" "$dir/link" perms bob read
check "symbolic link: write rejected" [ "$status" -eq 1 ]
check "symbolic link: message" grep -q "symbolic link" "$out"
check "symbolic link: target unchanged" cmp -s "$file" "$dir/copy"
check "symbolic link: still a link" [ -L "$dir/link" ]
printf 'ok:$scrypt$ln=4,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI:\nbad:$scrypt$ln=4,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgIC:\n' >"$dir/bad"
run "" "$dir/bad" list
check "bad file: exit status 1" [ "$status" -eq 1 ]
check "bad file: line number" grep -q "bad: line 2: invalid hash in password hash" "$out"
check "bad file: no hash in the message" bash -c "! grep -q 'AgIC' '$out'"

# Comments, blank lines and CRLF line ends survive an edit; mode is reset.
printf '# team\r\n\r\nzoe:%s:read\r\n# end\n' "$bob_hash" >"$dir/crlf"
chmod 644 "$dir/crlf"
run "" "$dir/crlf" perms zoe read,write
check "crlf: exit status 0" [ "$status" -eq 0 ]
printf '# team\r\n\r\nzoe:%s:read,write\r\n# end\n' "$bob_hash" >"$dir/expect"
check "crlf: comments and line ends kept" cmp -s "$dir/crlf" "$dir/expect"
check "rewrite: mode back to 0600" [ "$(mode_of "$dir/crlf")" = 600 ]
run 'gus-pw
' "$dir/crlf" add gus --password-stdin "${cheap[@]}"
check "add after a final comment" grep -q '^gus:' "$dir/crlf"
check "add: file mode still 0600" [ "$(mode_of "$dir/crlf")" = 600 ]
check "no temporary file left" [ -z "$(find "$dir" -name '.*.??????')" ]

# The terminal prompt, through a pseudo-terminal from script(1): the
# password is asked twice, not echoed, and must match.
tty_add() {
	(sleep 1; printf '%s\n' "$1"; sleep 1; printf '%s\n' "$2"; sleep 1) |
	    timeout 20 script -qec "'$tool' '$dir/crlf' add '$3' ${cheap[*]}" \
	    /dev/null >"$out" 2>&1
	status=$?
	cat "$out" >>"$all_output"
}
tty_add tty-pw-51d0 tty-pw-51d0 hal
check "tty: exit status 0" [ "$status" -eq 0 ]
check "tty: prompts twice" grep -q "Repeat password:" "$out"
check "tty: hashlib verifies it" verifies "$dir/crlf" hal 'tty-pw-51d0'
tty_add tty-pw-a tty-pw-b ivy
check "tty mismatch: exit status 1" [ "$status" -eq 1 ]
check "tty mismatch: message" grep -q "passwords do not match" "$out"
check "tty mismatch: no user added" [ "$(grep -c '^ivy:' "$dir/crlf")" -eq 0 ]

# No password may appear in the file or in any output.
for pw in alice-pw-7f3a bob-pw-19c2 carol-pw dave-pw erin-pw alice-new-pw gus-pw tty-pw-51d0 tty-pw-a tty-pw-b; do
	check "$pw not in any file or output" bash -c "! grep -rq -- '$pw' '$dir'"
done
check "list output holds no hash" bash -c "! '$tool' '$file' list | grep -q '\\$'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
