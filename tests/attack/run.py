#!/usr/bin/python3
"""Send the attack cases to a running server and check every response.

Each case goes out as raw bytes over a TCP socket to 127.0.0.1:PORT, so
duplicate headers, odd white space and bodies are sent exactly.  For each
case run.py checks the status (or the closed connection), the
WWW-Authenticate value, the body and headers the contract fixes, and that
no token, secret or salaries data leaked.  Then a good GET /bearer must
still get 200 and the data.

The secret and the password come from the environment (ATTACK_JWT_SECRET,
ATTACK_PASSWORD), never from the command line.  The last line printed is
"N passed, M failed", counting checks; the exit status is 1 when any check
failed.  --repeat and --seconds run the suite again and again for the soak
run, regenerating the cases each round so the time claims stay current, and
--fast keeps connections open between cases where Kore allows it.

Run with /usr/bin/python3 (Debian's, with python3-jwt).
"""

import argparse
import json
import os
import re
import socket
import sys
import time

import jwt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as casebook  # noqa: E402

# A compact JWS anywhere in a response: three base64url runs whose first
# starts like the JSON object "{" encodes to.
JWS_PATTERN = re.compile(rb"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# The issued header, with @KID@ standing for the kid of the secret.
TOKEN_HEADER = casebook.HEADER
CLAIM_ORDER = ["sub", "iss", "org", "perms", "iat", "exp"]


class NoResponse(Exception):
    """The server closed the connection before sending a response."""


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers          # [(lowercase name, value bytes)]
        self.body = body

    def values(self, name):
        return [v for n, v in self.headers if n == name]

    @property
    def closes(self):
        return any(v.lower() == b"close" for v in self.values("connection"))


def connect(port, timeout):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock, head_request):
    """Reads one HTTP/1.x response.  Raises NoResponse when the connection
    ends before any byte arrives, ValueError for a malformed response and
    socket.timeout when the server is too slow."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            if data:
                raise ValueError("connection closed inside the response "
                                 "head after %d bytes" % len(data))
            raise NoResponse()
        data += chunk

    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    match = re.fullmatch(rb"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0])
    if match is None:
        raise ValueError("bad status line %r" % lines[0][:80])
    status = int(match.group(1))
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise ValueError("bad header line %r" % line[:80])
        headers.append((name.strip().lower().decode("latin-1"),
                        value.strip()))

    lengths = [v for n, v in headers if n == "content-length"]
    if head_request or status in (204, 304) or status < 200:
        size = 0
    elif len(lengths) == 1 and lengths[0].isdigit():
        size = int(lengths[0])
    elif not lengths:
        size = None
    else:
        raise ValueError("bad Content-Length %r" % lengths)

    body = rest
    while size is None or len(body) < size:
        chunk = sock.recv(65536)
        if not chunk:
            if size is None:
                break
            raise ValueError("connection closed after %d of %d body bytes"
                             % (len(body), size))
        body += chunk
    if size is not None and len(body) > size:
        raise ValueError("%d bytes after the response" % (len(body) - size))
    return Response(status, match.group(2), headers, body)


class Runner:
    """Sends cases and counts checks."""

    def __init__(self, args, settings, salaries):
        self.args = args
        self.settings = settings
        self.salaries = salaries
        self.passed = 0
        self.failed = 0
        self.requests = 0
        self.quiet = args.quiet
        self.failure_counts = {}
        self.case_sock = None
        self.good_sock = None
        self.secret_texts = [settings.secret]
        if len(settings.password) >= 4:
            self.secret_texts.append(settings.password.encode())

    # -- reporting ------------------------------------------------------

    def record(self, label, failures, checks):
        """Counts one case's checks and prints its result line."""
        self.passed += checks - len(failures)
        self.failed += len(failures)
        if not failures:
            if not self.quiet:
                print("ok - %s (%d checks)" % (label, checks))
            return
        for check, expected, actual in failures:
            key = (label, check)
            seen = self.failure_counts.get(key, 0)
            self.failure_counts[key] = seen + 1
            if self.quiet and seen:
                continue
            print("FAIL - %s: %s" % (label, check))
            print("    expected: %s" % expected)
            print("    actual:   %s" % actual)
        sys.stdout.flush()

    # -- sending --------------------------------------------------------

    def exchange(self, request, head_request, fresh, slot):
        """Sends one request on the connection named by slot and returns
        (Response or None, seconds).  None means the server closed the
        connection without a response."""
        sock = getattr(self, slot)
        if fresh or not self.args.fast or sock is None:
            self.drop(slot)
            sock = connect(self.args.port, self.args.timeout)
            setattr(self, slot, sock)
        start = time.monotonic()
        self.requests += 1
        try:
            try:
                sock.sendall(request)
            except (BrokenPipeError, ConnectionResetError):
                # Kore stopped reading, as it does for an oversized head;
                # whatever it sent before closing is still readable.
                pass
            response = read_response(sock, head_request)
        except NoResponse:
            self.drop(slot)
            return None, time.monotonic() - start
        except Exception:
            self.drop(slot)
            raise
        elapsed = time.monotonic() - start
        if not self.args.fast or response.closes or fresh:
            self.drop(slot)
        return response, elapsed

    def drop(self, slot):
        sock = getattr(self, slot)
        if sock is not None:
            sock.close()
            setattr(self, slot, None)

    # -- checks ---------------------------------------------------------

    def run_case(self, case, good_request):
        failures = []
        checks = 0

        def check(name, ok, expected, actual):
            nonlocal checks
            checks += 1
            if not ok:
                failures.append((name, expected, actual))

        if case.wait_until is not None:
            time.sleep(max(0.0, case.wait_until - time.time()))

        started = time.time()
        try:
            response, elapsed = self.exchange(case.request, case.head,
                                              case.fresh, "case_sock")
            error = None
        except (OSError, ValueError) as e:
            response, elapsed, error = None, 0.0, e
        finished = time.time()

        if error is not None:
            check("response", False, describe_status(case.status),
                  "%s: %s" % (type(error).__name__, error))
        elif case.status is None:
            check("no response", response is None, "connection closed",
                  "status %d" % response.status if response else "")
        elif response is None:
            check("status %s" % describe_status(case.status), False,
                  describe_status(case.status), "connection closed")
        else:
            self.check_response(case, response, check, started, finished)
            if case.max_seconds is not None:
                check("response within %.1f s" % case.max_seconds,
                      elapsed <= case.max_seconds,
                      "%.1f s" % case.max_seconds, "%.3f s" % elapsed)

        self.check_alive(good_request, check)
        self.record(case.label, failures, checks)

    def check_response(self, case, response, check, started, finished):
        expected_status = case.status
        status_ok = response.status in expected_status \
            if isinstance(expected_status, tuple) \
            else response.status == expected_status
        check("status %s" % describe_status(expected_status), status_ok,
              describe_status(expected_status),
              "%d %s" % (response.status, excerpt(response.body)))

        if case.challenge != casebook.UNCHECKED:
            self.check_challenge(case.challenge, response, check)

        if case.body is not None and not case.head:
            check("body", response.body == case.body, show(case.body),
                  excerpt(response.body))
        if case.one_line_body:
            text = response.body.rstrip(b"\r\n")
            check("body is a one-line reason",
                  text and b"\n" not in text and b"\r" not in text,
                  "one non-empty line", excerpt(response.body))
        for name, value in case.headers.items():
            values = response.values(name)
            check("header %s" % name, values == [value.encode()],
                  "%s: %s" % (name, value),
                  b" | ".join(values).decode("latin-1") or "(none)")

        self.check_no_leak(case, response, check)
        if case.data:
            self.check_data(case, response, check)
        if case.token:
            self.check_token(case, response, check, started, finished)

    def check_challenge(self, expected, response, check):
        values = response.values("www-authenticate")
        accepted = expected if isinstance(expected, tuple) else (expected,)
        if casebook.ABSENT in accepted and not values:
            ok = True
        else:
            ok = len(values) == 1 and values[0].decode("latin-1") in accepted
        expected_text = " or ".join(
            "(no header)" if value == casebook.ABSENT else value
            for value in accepted)
        check("WWW-Authenticate", ok, expected_text,
              " | ".join(v.decode("latin-1") for v in values) or
              "(no header)")

    def check_no_leak(self, case, response, check):
        """Only a login that must succeed may carry a token, and only a
        request that must get the data may get it.  No response carries
        the secret or the password."""
        tokens = response.values("access_token")
        wire = b"\n".join(v for _, v in response.headers) + b"\n" + \
            response.body
        if case.token:
            # The issued token may be in its header and the JSON body.
            for token in tokens:
                wire = wire.replace(token, b"")
        else:
            check("no access_token header", not tokens, "none",
                  "%d header(s)" % len(tokens))
        found = JWS_PATTERN.findall(wire)
        check("no token in the response", not found, "none",
              "%d token-shaped string(s)" % len(found))
        leaked = [t for t in self.secret_texts if t in wire]
        check("no secret or password in the response", not leaked, "none",
              "%d found" % len(leaked))
        if not case.data:
            has_data = self.salaries.strip() in response.body or \
                b'"salary"' in response.body
            check("no salaries data", not has_data, "none",
                  excerpt(response.body))

    def check_data(self, case, response, check):
        types = response.values("content-type")
        check("Content-Type application/json",
              types == [b"application/json"], "application/json",
              b" | ".join(types).decode("latin-1") or "(none)")
        if case.head:
            lengths = response.values("content-length")
            check("HEAD Content-Length",
                  lengths == [str(len(self.salaries)).encode()],
                  str(len(self.salaries)),
                  b" | ".join(lengths).decode("latin-1"))
        else:
            check("body is the salaries data",
                  response.body == self.salaries,
                  "%d bytes of assets/salaries.json" % len(self.salaries),
                  excerpt(response.body))

    def check_token(self, case, response, check, started, finished):
        """Checks the issued token against the configuration: PyJWT
        verifies it, the header is the fixed one, and the payload is
        compact JSON with the server's claims in order, whatever the
        request body contained."""
        s = self.settings
        tokens = response.values("access_token")
        check("one access_token header", len(tokens) == 1, "1",
              str(len(tokens)))
        if len(tokens) != 1:
            return
        token = tokens[0].decode("latin-1")

        try:
            claims = jwt.decode(token, s.secret, algorithms=["HS256"],
                                issuer=s.issuer, options={
                                    "require": ["exp", "iat", "iss", "sub"]})
            error = None
        except jwt.PyJWTError as e:
            claims, error = None, "%s: %s" % (type(e).__name__, e)
        check("PyJWT verifies the token", error is None, "valid", error)
        if claims is None:
            return

        parts = token.split(".")
        header = casebook.strict_b64url_decode(parts[0])
        want = TOKEN_HEADER.replace("@KID@", s.kid).encode()
        check("token header", header == want, want.decode(), repr(header))
        payload = casebook.strict_b64url_decode(parts[1]) or b""
        try:
            pairs = json.loads(payload, object_pairs_hook=list)
        except ValueError as e:
            pairs = None
            check("payload is JSON", False, "JSON", str(e))
            return
        names = [n for n, _ in pairs]
        check("payload members in order", names == CLAIM_ORDER,
              ",".join(CLAIM_ORDER), ",".join(names))
        claims = dict(pairs)
        expected_claims = {"sub": s.username, "iss": s.issuer, "org": s.org,
                           "perms": ["read"]}
        for name, value in expected_claims.items():
            check("claim %s" % name, claims.get(name) == value,
                  json.dumps(value), json.dumps(claims.get(name)))
        iat, exp = claims.get("iat"), claims.get("exp")
        check("iat is the time of issue", isinstance(iat, int) and
              int(started) - 1 <= iat <= int(finished) + 1,
              "%d to %d" % (int(started), int(finished)), repr(iat))
        check("exp - iat is the TTL", isinstance(iat, int) and
              isinstance(exp, int) and exp - iat == s.ttl, str(s.ttl),
              "%r - %r" % (exp, iat))
        compact = json.dumps(dict(pairs), separators=(",", ":"),
                             ensure_ascii=False).encode()
        check("payload is compact JSON", payload == compact,
              show(compact), show(payload))

        if case.token_json:
            self.check_token_json(response, token, check)

    def check_token_json(self, response, token, check):
        types = [v.split(b";")[0].strip().lower()
                 for v in response.values("content-type")]
        check("Content-Type application/json",
              types == [b"application/json"], "application/json",
              repr(types))
        try:
            body = json.loads(response.body)
        except ValueError as e:
            check("body is JSON", False, "JSON", str(e))
            return
        check("body members", isinstance(body, dict) and sorted(body) ==
              ["access_token", "expires_in", "token_type"],
              "access_token, expires_in, token_type",
              ", ".join(sorted(body)) if isinstance(body, dict) else
              type(body).__name__)
        if not isinstance(body, dict):
            return
        check("body access_token equals the header",
              body.get("access_token") == token, "the header's token",
              "another value")
        check("body token_type", body.get("token_type") == "Bearer",
              "Bearer", repr(body.get("token_type")))
        check("body expires_in", body.get("expires_in") ==
              self.settings.ttl, str(self.settings.ttl),
              repr(body.get("expires_in")))

    def check_alive(self, good_request, check):
        """A good GET /bearer gets 200 and the data."""
        try:
            response, _ = self.exchange(good_request, False, False,
                                        "good_sock")
        except (OSError, ValueError) as e:
            check("server answers a good request", False, "200",
                  "%s: %s" % (type(e).__name__, e))
            return
        ok = response is not None and response.status == 200 and \
            response.body == self.salaries
        check("server answers a good request", ok, "200 and the data",
              "connection closed" if response is None else
              "%d %s" % (response.status, excerpt(response.body)))


def describe_status(status):
    if status is None:
        return "no response"
    if isinstance(status, tuple):
        return " or ".join(str(s) for s in status)
    return str(status)


def show(data):
    return repr(data[:120])[1:] if isinstance(data, bytes) else str(data)


def excerpt(body):
    if not body:
        return "(empty body)"
    return "body " + repr(body[:120])


def load_settings(args):
    secret = os.environ.get("ATTACK_JWT_SECRET")
    password = os.environ.get("ATTACK_PASSWORD")
    if not secret or password is None:
        sys.exit("run.py: set ATTACK_JWT_SECRET and ATTACK_PASSWORD to the "
                 "server's secret and password")
    return casebook.Settings(
        secret=secret.encode(), username=args.username, password=password,
        issuer=args.issuer, org=args.org, ttl=args.ttl,
        host="127.0.0.1:%d" % args.port)


def parse_args():
    attack_dir = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])

    # The server under test.
    parser.add_argument("--port", type=int, required=True,
                        help="server port on 127.0.0.1")
    parser.add_argument("--username", required=True,
                        help="AUTH_USERNAME of the server")
    parser.add_argument("--issuer", default="twil.io",
                        help="JWT_ISSUER of the server")
    parser.add_argument("--org", default="twilio",
                        help="JWT_ORG of the server")
    parser.add_argument("--ttl", type=int, default=86400,
                        help="JWT_TTL of the server, in seconds")
    parser.add_argument("--salaries", default=os.path.join(
        attack_dir, "..", "..", "assets", "salaries.json"),
        help="file with the protected data")

    # Which cases, and how.
    parser.add_argument("--kind", action="append", choices=casebook.KINDS,
                        help="run only these kinds (repeatable)")
    parser.add_argument("--match", help="run only cases whose label "
                        "contains this text")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds to wait for each response")
    parser.add_argument("--fast", action="store_true",
                        help="keep connections open between cases")
    parser.add_argument("--skip-waits", action="store_true",
                        help="skip the cases that wait for a token to "
                        "expire, up to 2 s a round")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of the whole suite")
    parser.add_argument("--seconds", type=float,
                        help="stop starting rounds after this many seconds")
    parser.add_argument("--quiet", action="store_true",
                        help="print only failures, each (case, check) "
                        "once, and the totals")
    parser.add_argument("--list", action="store_true",
                        help="print the cases per kind and exit")
    return parser.parse_args()


def main():
    args = parse_args()
    settings = load_settings(args)
    kinds = tuple(args.kind) if args.kind else casebook.KINDS

    if args.list:
        counts = {}
        for case in casebook.build_cases(settings, int(time.time()), kinds):
            counts[case.kind] = counts.get(case.kind, 0) + 1
            print(case.label)
        for kind in kinds:
            print("%s: %d cases" % (kind, counts.get(kind, 0)))
        return 0

    with open(args.salaries, "rb") as f:
        salaries = f.read()
    runner = Runner(args, settings, salaries)

    start = time.monotonic()
    rounds = 0
    last_progress = start
    while rounds < args.repeat:
        if args.seconds is not None and rounds > 0 and \
                time.monotonic() - start >= args.seconds:
            break
        now = int(time.time())
        builder = casebook.Builder(settings, now)
        good_request = builder.get("/bearer", [
            ("Authorization", "Bearer " + builder.good_token())])
        selected = [c for c in casebook.build_cases(settings, now, kinds)
                    if (args.match is None or args.match in c.label) and
                    not (args.skip_waits and c.wait_until is not None)]
        for case in selected:
            runner.run_case(case, good_request)
        rounds += 1
        if args.quiet and time.monotonic() - last_progress >= 60:
            last_progress = time.monotonic()
            print("progress: %d rounds, %d requests, %d failed checks, "
                  "%.0f s" % (rounds, runner.requests, runner.failed,
                              last_progress - start))
            sys.stdout.flush()

    elapsed = time.monotonic() - start
    if args.repeat > 1 or args.seconds is not None:
        print("rounds: %d of %d cases, requests: %d, seconds: %.1f" %
              (rounds, len(selected), runner.requests, elapsed))
        for (label, check), count in sorted(runner.failure_counts.items()):
            print("failed %d times: %s: %s" % (count, label, check))
    print("%d passed, %d failed" % (runner.passed, runner.failed))
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())
