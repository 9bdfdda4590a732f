"""Checks for tests/http/test_observe.sh: the audit lines in a Kore log and
the text of GET /metrics, against the list of decisions the test sent.

Usage:
  observe.py audit KORE_LOG EXPECTED      audit lines match EXPECTED in order
  observe.py metrics METRICS EXPECTED     counters equal the counts in EXPECTED
  observe.py workers KORE_LOG             worker ids that wrote audit lines
  observe.py rate KORE_LOG FIRST          after line FIRST: audit lines,
                                          suppressed lines and their total

EXPECTED has one tab-separated line per decision the test sent:
route, result, status, reason, subject ("-" when none should be logged) and
the path of a file holding the token presented or issued ("-" when none).
The fingerprint is recomputed here with hashlib.  Prints each mismatch and
exits 1, or exits 0.
"""

import datetime
import hashlib
import json
import re
import sys

AUDIT = re.compile(r"\[wrk (\d+)\]: audit: (\{.*\})$")
SAMPLE = re.compile(r'([a-z_]+)\{route="([^"]*)",result="([^"]*)",'
                    r'reason="([^"]*)"\} (\d+)$')
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def read_expected(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            route, result, status, reason, subject, token_file = \
                line.rstrip("\n").split("\t")
            token = None
            if token_file != "-":
                with open(token_file, encoding="ascii") as t:
                    token = t.read().strip()
            rows.append({"route": route, "result": result,
                         "status": int(status), "reason": reason,
                         "subject": None if subject == "-" else subject,
                         "token": token})
    return rows


def audit_lines(log_path):
    lines = []
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            match = AUDIT.match(line.rstrip("\n"))
            if match:
                lines.append((match.group(1), match.group(2)))
    return lines


def check_line(number, text, want, errors):
    obj = json.loads(text)
    if obj.get("event") != "auth":
        errors.append("line %d: event is not auth" % number)
        return
    for key in ("route", "result", "status", "reason"):
        if obj.get(key) != want[key]:
            errors.append("line %d: %s is %r, expected %r"
                          % (number, key, obj.get(key), want[key]))
    if obj.get("subject") != want["subject"]:
        errors.append("line %d: subject is %r, expected %r"
                      % (number, obj.get("subject"), want["subject"]))
    if obj.get("client") != "127.0.0.1":
        errors.append("line %d: client is %r" % (number, obj.get("client")))

    if want["token"] is None:
        if "token_fingerprint" in obj:
            errors.append("line %d: token_fingerprint without a token"
                          % number)
    else:
        fingerprint = hashlib.sha256(want["token"].encode()).hexdigest()[:12]
        if obj.get("token_fingerprint") != fingerprint:
            errors.append("line %d: token_fingerprint is %r, expected %r"
                          % (number, obj.get("token_fingerprint"),
                             fingerprint))
        if want["token"] in text:
            errors.append("line %d: contains the token" % number)

    allowed = {"time", "event", "route", "result", "status", "reason",
               "subject", "client", "token_fingerprint"}
    if not set(obj) <= allowed:
        errors.append("line %d: unexpected members %s"
                      % (number, sorted(set(obj) - allowed)))

    try:
        when = datetime.datetime.strptime(obj.get("time", ""), TIME_FORMAT)
    except ValueError:
        errors.append("line %d: time %r is not RFC 3339 UTC with "
                      "milliseconds" % (number, obj.get("time")))
        return
    if len(obj["time"]) != 24:
        errors.append("line %d: time %r does not have 3 fraction digits"
                      % (number, obj["time"]))
    age = datetime.datetime.utcnow() - when
    if not datetime.timedelta(seconds=-2) < age < \
            datetime.timedelta(minutes=5):
        errors.append("line %d: time %s is not recent" % (number, obj["time"]))


def command_audit(log_path, expected_path):
    rows = read_expected(expected_path)
    lines = audit_lines(log_path)
    errors = []
    if len(lines) != len(rows):
        errors.append("%d audit lines, expected %d" % (len(lines), len(rows)))
    for number, ((_, text), want) in enumerate(zip(lines, rows), 1):
        check_line(number, text, want, errors)
    return errors


def command_metrics(metrics_path, expected_path):
    counts = {}
    for row in read_expected(expected_path):
        key = (row["route"], row["result"], row["reason"])
        counts[key] = counts.get(key, 0) + 1

    errors = []
    seen = {}
    with open(metrics_path, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith("jwt_auth_"):
            continue
        match = SAMPLE.match(line)
        if not match or match.group(1) != "jwt_auth_decisions_total":
            errors.append("malformed sample: %s" % line)
            continue
        seen[match.group(2, 3, 4)] = int(match.group(5))
    for key in sorted(set(counts) | set(seen)):
        if seen.get(key, 0) != counts.get(key, 0):
            errors.append("%s: %d in /metrics, %d sent"
                          % ("/".join(key), seen.get(key, 0),
                             counts.get(key, 0)))
    for need in ("# TYPE jwt_auth_decisions_total counter",
                 "# HELP jwt_auth_decisions_total "):
        if need not in text:
            errors.append("missing: %s" % need)
    return errors


def command_rate(log_path, first):
    """Prints the audit lines after line number first, the suppressed-count
    lines and the sum of their counts, each line checked as JSON."""
    audited = reports = suppressed = 0
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = AUDIT.match(line.rstrip("\n"))
            if number <= first or not match:
                continue
            obj = json.loads(match.group(2))
            if obj["event"] == "audit_suppressed":
                reports += 1
                suppressed += obj["suppressed"]
            else:
                audited += 1
    print(audited, reports, suppressed)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "rate":
        command_rate(sys.argv[2], int(sys.argv[3]))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "workers":
        ids = sorted({worker for worker, _ in audit_lines(sys.argv[2])})
        print(" ".join(ids))
        return 0
    if len(sys.argv) != 4 or sys.argv[1] not in ("audit", "metrics"):
        sys.exit(__doc__)
    if sys.argv[1] == "audit":
        errors = command_audit(sys.argv[2], sys.argv[3])
    else:
        errors = command_metrics(sys.argv[2], sys.argv[3])
    for error in errors[:20]:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
