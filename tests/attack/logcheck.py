"""Check a Kore log from an attack or soak run: every line must be one the
service is expected to write, and no line may contain a token.

Usage: logcheck.py KORE_LOG

Expected lines, as Kore 4.1.0 and functions/app.c write them:
  start:     the [parent] start-up notices (serving, privsep, sandbox,
             built-ins, the jwt settings line) and "worker N started"
  requests:  "audit: " and one JSON object: an authentication decision
             ("event": "auth") or the count of rejection lines the rate
             limit dropped ("event": "audit_suppressed"), each with exactly
             the members README.md lists; and Kore's "body too large
             (N > 4096)"
  stop:      "server shutting down", the drain notices, "parent gone,
             shutting down", "worker [wrk N] exited" and "goodbye"
The stop lines may come in any order, because the parent and the workers
write to the same file.  Anything else fails, among them the lines of a worker that crashed or was
restarted ("worker ... exited with status", "... gone", "restarting
worker"), sanitizer reports and OpenSSL errors.  Prints each unexpected
line with its number (at most 20) and exits 1, or exits 0.
"""

import json
import re
import sys

START = [
    r"\[parent\]: \S+ serving http on 127\.0\.0\.1:\d+",
    r"\[parent\]: privsep: no root path set, using working directory",
    r"\[parent\]: privsep: will not change user",
    r"\[parent\]: privsep: no keymgr_root set, using 'root` directory",
    r"\[parent\]: privsep: will not chroot",
    r"\[parent\]: kore is starting up",
    r"\[parent\]: seccomp sandbox enabled",
    r"\[parent\]: (pgsql|tasks) built-in enabled",
    r"\[parent\]: jwt: issuer \S+, ttl \d+s, leeway \d+s",
    r"\[parent\]: jwt: signing with kid [A-Za-z0-9._-]+"
    r"(, also verifying kid [A-Za-z0-9._-]+)?",
    r"\[wrk \d+\]: worker \d+ started \(cpu#\d+, pid#\d+\)",
]
REQUESTS = [
    r"\[wrk \d+\]: body too large \(\d+ > 4096\)",
]
AUDIT = re.compile(r"\[wrk \d+\]: audit: (\{.*\})")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
RESULTS = {"/jwt": ("issued", "rejected"), "/bearer": ("granted", "rejected")}
STOP = [
    r"\[parent\]: server shutting down",
    r"\[parent\]: waiting for workers to drain and shutdown",
    r"\[wrk \d+\]: parent gone, shutting down",
    r"\[parent\]: worker \[wrk \d+\] exited",
    r"\[parent\]: goodbye",
]
JWS = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.")


def compile_all(patterns):
    return [re.compile(p) for p in patterns]


def audit_ok(text):
    """Returns True when text is a well-formed audit object."""
    try:
        obj = json.loads(text)
    except ValueError:
        return False
    if not isinstance(obj, dict) or not TIME.fullmatch(str(obj.get("time"))):
        return False
    if obj.get("event") == "audit_suppressed":
        return (set(obj) == {"time", "event", "suppressed"} and
                type(obj["suppressed"]) is int and obj["suppressed"] > 0)

    required = {"time", "event", "route", "result", "status", "reason"}
    optional = {"subject", "subject_truncated", "subject_invalid", "client",
                "token_fingerprint"}
    if (obj.get("event") != "auth" or not required <= set(obj) or
            not set(obj) <= required | optional):
        return False

    if obj["result"] not in RESULTS.get(obj["route"], ()):
        return False
    if type(obj["status"]) is not int or not 200 <= obj["status"] <= 599:
        return False
    if (obj["result"] == "rejected") != (obj["status"] != 200):
        return False
    if not re.fullmatch(r"[a-z_]+", str(obj["reason"])):
        return False

    # A failed login's username is never logged.
    if obj["route"] == "/jwt" and obj["result"] == "rejected" and \
            "subject" in obj:
        return False
    if "token_fingerprint" in obj and \
            not re.fullmatch(r"[0-9a-f]{12}", str(obj["token_fingerprint"])):
        return False
    return True


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: logcheck.py KORE_LOG")
    patterns = compile_all(START + REQUESTS + STOP)
    bad = []
    with open(sys.argv[1], "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if JWS.search(line):
                # The line is not printed because it contains a token.
                bad.append((number, "(a token-shaped string)"))
                continue
            audit = AUDIT.fullmatch(line)
            if audit:
                if not audit_ok(audit.group(1)):
                    bad.append((number, line[:200]))
                continue
            if not any(p.fullmatch(line) for p in patterns):
                bad.append((number, line[:200]))
    for number, line in bad[:20]:
        print("line %d: %s" % (number, line))
    if bad:
        print("%d unexpected log line(s)" % len(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
