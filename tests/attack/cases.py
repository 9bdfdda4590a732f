"""Hostile requests for the JWT service, one small case per input.

build_cases() returns, for one server configuration and one moment, every
case with the raw request bytes and the response the README's contract
requires.  run.py sends them to a real Kore server; soak.sh repeats them.

Expected statuses and challenges come from the README (the tables of
responses and the verification order) and RFC 6750.  The error_description
texts are the server's own, copied from token_reasons in functions/token.c
and from functions/bearer.c, because the README does not fix them.  Where
the README is silent a comment gives the rule used: an unexpected shape is
401 (400 for a malformed request), never 200 and never a crash.

Tokens are signed here with hmac and hashlib, independently of the server;
PyJWT (Debian python3-jwt) makes the HS384 and HS512 tokens.  Run with
/usr/bin/python3.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import re

import jwt

REALM = 'Bearer realm="Access to read salaries"'

# functions/token.c, token_reasons: the error_description of each reason.
TOKEN_DESCRIPTIONS = {
    "format": "The access token is not a compact JWS of three parts",
    "encoding": "The access token is not strict base64url",
    "header": "The token header is not a valid JSON object",
    "alg": "The token algorithm is not HS256",
    "crit": "The token names critical extensions",
    "typ": "The token type is not JWT",
    "kid": "The token key ID is missing or unknown",
    "signature": "The token signature is invalid",
    "payload": "The token payload is not a valid JSON object",
    "claim_missing": "The token lacks a required claim",
    "claim_type": "A token claim has the wrong type",
    "expired": "The access token expired",
    "not_yet_valid": "The access token is not valid yet",
    "issued_in_future": "The access token was issued in the future",
    "lifetime": "The access token lifetime is too long",
    "issuer": "The token issuer is not trusted",
    "subject": "The token subject is invalid",
    "perms": "The token perms claim is invalid",
    "audience": "The token audience is not accepted here",
}

# functions/bearer.c: the descriptions of the other challenges.
MALFORMED_DESCRIPTION = "The Authorization header holds no valid bearer token"
SEVERAL_DESCRIPTION = "The request has more than one Authorization header"
NO_READ_DESCRIPTION = "The access token lacks the read perm"

CHALLENGE_NONE = REALM
CHALLENGE_MALFORMED = (REALM + ', error="invalid_token", '
                       'error_description="%s"' % MALFORMED_DESCRIPTION)
CHALLENGE_SEVERAL = (REALM + ', error="invalid_request", '
                     'error_description="%s"' % SEVERAL_DESCRIPTION)
CHALLENGE_NO_READ = (REALM + ', error="insufficient_scope", '
                     'error_description="%s", scope="read"'
                     % NO_READ_DESCRIPTION)

# Challenge expectations besides an exact value or a tuple of values.
ABSENT = "absent"         # no WWW-Authenticate header
UNCHECKED = "unchecked"   # the README states nothing about it

TOKEN_LEN_MAX = 4096      # characters, README "Request limits"
HEAD_MAX = 8192           # bytes of request head, http_header_max
BODY_MAX = 4096           # bytes of request body, http_body_max
FIELDS_MAX = 21           # header fields besides Host, README
DEPTH_MAX = 16            # JSON nesting, counting the object itself
MEMBERS_MAX = 32          # members of the top-level object
ELEMENTS_MAX = 32         # elements of all top-level arrays
NUMBER_TEXT_MAX = 63      # characters of a JSON number

# The header the server issues.  Builder.sign() replaces @KID@ in any
# header with the kid of the server's secret.
HEADER = '{"alg":"HS256","typ":"JWT","kid":"@KID@"}'
KID = ',"kid":"@KID@"'
KID_MAX = 64              # characters of a configured kid, README
URL_ALPHABET = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# RFC 6750 section 2.1: the b64token syntax of a bearer credential.
B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")

KINDS = ("Cache", "Algorithm", "Kid", "Signature", "Encoding", "JSON",
         "Claims", "Authorization", "Login", "Size", "Route")


@dataclasses.dataclass
class Settings:
    """The configuration the server under test was started with."""
    secret: bytes
    username: str
    password: str
    issuer: str
    org: str
    ttl: int
    host: str             # value of the Host header, e.g. 127.0.0.1:8888
    kid: str = None       # the server's kid; None: derived from secret

    def __post_init__(self):
        if self.kid is None:
            self.kid = derived_kid(self.secret)


@dataclasses.dataclass
class Case:
    """One request and what the response must be.

    status is None when the server must close the connection without a
    response.  challenge is the exact WWW-Authenticate value, a tuple of
    accepted values, ABSENT or UNCHECKED.  token: a 200 from POST /jwt whose
    access_token is checked; data: the salaries data must come back.  No
    other case may carry a token or the data.
    """
    kind: str
    name: str
    request: bytes
    status: object
    challenge: object = ABSENT
    body: object = None           # exact bytes, or None
    one_line_body: bool = False
    headers: dict = dataclasses.field(default_factory=dict)
    token: bool = False
    token_json: bool = False      # the RFC 6749 JSON body is expected too
    data: bool = False
    head: bool = False            # a HEAD request: the response has no body
    max_seconds: float = None
    fresh: bool = False           # needs a connection of its own
    wait_until: float = None      # epoch seconds to wait for before sending

    @property
    def label(self):
        return "%s/%s" % (self.kind, self.name)


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def derived_kid(secret):
    """The kid the server derives from a secret when JWT_KID is unset
    (README): the first 8 bytes of HMAC-SHA256(secret, "kid") in unpadded
    base64url."""
    return b64url(hmac.new(secret, b"kid", hashlib.sha256).digest()[:8])


def b64std(data):
    """Standard base64 with padding, the alphabet JWS forbids."""
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def strict_b64url_decode(segment):
    """Returns the bytes of a strict unpadded base64url segment (RFC 7515
    section 2), or None: only the URL alphabet, no length of 1 modulo 4,
    and zero trailing bits, so that the encoding is the only one."""
    if not segment or len(segment) % 4 == 1:
        return None
    if any(c not in URL_ALPHABET for c in segment):
        return None
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return data if b64url(data) == segment else None


def shape_reason(token):
    """Applies steps 1 and 2 of the README's verification order to a
    token: returns "format", "encoding" or None when both pass."""
    if len(token) > TOKEN_LEN_MAX:
        return "format"
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return "format"
    if any(strict_b64url_decode(p) is None for p in parts):
        return "encoding"
    return None


def filler_bytes(label, n):
    """n bytes that look random and are the same on every run."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s:%d" % (label.encode(), counter)).digest()
        counter += 1
    return out[:n]


def jdump(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def members(pairs):
    """Writes a JSON object from (name, raw JSON value text) pairs, so that
    names may repeat and values may be anything."""
    return "{" + ",".join("%s:%s" % (jdump(n), v) for n, v in pairs) + "}"


def escape_all(text):
    """A JSON string literal with every character as a \\u escape."""
    return '"' + "".join("\\u%04x" % ord(c) for c in text) + '"'


def to_bytes(value):
    return value if isinstance(value, bytes) else value.encode()


def http_request(method, path, headers, body=b"", version="HTTP/1.1",
                 content_length=None):
    """Writes a request head and body byte for byte.  headers contains
    (name, value) pairs or whole lines as bytes.  Content-Length is added
    for a body or a POST unless content_length is False; an int sends
    that value whatever the body's size."""
    lines = [("%s %s %s" % (method, path, version)).encode()]
    for header in headers:
        if isinstance(header, bytes):
            lines.append(header)
        else:
            lines.append(to_bytes(header[0]) + b": " + to_bytes(header[1]))
    body = to_bytes(body)
    if content_length is None:
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: %d" % len(body))
    elif content_length is not False:
        lines.append(b"Content-Length: %d" % content_length)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class Builder:
    """Collects the cases for one Settings at one time."""

    def __init__(self, settings, now):
        self.s = settings
        self.now = now
        self.cases = []
        self.kind = None
        self.names = set()

    # -- tokens ---------------------------------------------------------

    def pairs(self, **changes):
        """The claims of a valid token as (name, JSON text) pairs, in the
        order the server issues them.  A keyword replaces a claim's JSON
        text, or drops it when None."""
        base = [
            ("sub", jdump(self.s.username)),
            ("iss", jdump(self.s.issuer)),
            ("org", jdump(self.s.org)),
            ("perms", '["read"]'),
            ("iat", str(self.now)),
            ("exp", str(self.now + self.s.ttl)),
        ]
        out = []
        for name, value in base:
            if name in changes:
                value = changes.pop(name)
            if value is not None:
                out.append((name, value))
        for name, value in changes.items():
            if value is not None:
                out.append((name, value))
        return out

    def payload(self, extra=(), **changes):
        return members(self.pairs(**changes) + list(extra))

    def sign(self, header, payload, key=None, digest=hashlib.sha256):
        """A compact JWS of the header and payload texts as given."""
        key = self.s.secret if key is None else key
        header = to_bytes(header).replace(b"@KID@", self.s.kid.encode())
        signing_input = b64url(header) + "." + b64url(to_bytes(payload))
        mac = hmac.new(key, signing_input.encode(), digest).digest()
        return signing_input + "." + b64url(mac)

    def token(self, header=HEADER, **changes):
        return self.sign(header, self.payload(**changes))

    def good_token(self):
        return self.token()

    # -- cases ----------------------------------------------------------

    def add(self, name, request, status, **expect):
        label = "%s/%s" % (self.kind, name)
        if label in self.names:
            raise ValueError("duplicate case name: " + label)
        self.names.add(label)
        # Kore rejects these before routing and closes the connection, and
        # a request it could not read leaves no trustworthy connection.
        if status is None or status in (411, 413) or (
                status == 400 and "challenge" not in expect and
                not expect.get("one_line_body")):
            expect.setdefault("fresh", True)
        self.cases.append(Case(self.kind, name, request, status, **expect))

    def get(self, path, headers=(), method="GET", body=b"", **kw):
        return http_request(method, path, [("Host", self.s.host)] +
                            list(headers), body, **kw)

    def bearer(self, name, authorization, outcome, method="GET",
               headers=None, body=b"", path="/bearer", **kw):
        """Adds a /bearer request with one Authorization header (none when
        authorization is None) and the outcome the README gives it.

        Outcomes: "ok", "no_read", "none" (no Bearer credentials),
        "malformed", "several", "http_400" (rejected by Kore before
        routing), "fields" (431), "too_large" (413), "closed",
        "several_or_400", or a token_reasons word for 401 invalid_token.
        """
        if headers is None:
            headers = [] if authorization is None else \
                [("Authorization", authorization)]
        request = self.get(path, headers, method=method, body=body, **kw)
        self.add(name, request, **self.bearer_expect(outcome, method))

    def bearer_expect(self, outcome, method="GET"):
        head = method == "HEAD"
        unauthorized = None if head else b"Unauthorized"
        if outcome == "ok":
            return dict(status=200, data=True, head=head)
        if outcome == "no_read":
            return dict(status=403, challenge=CHALLENGE_NO_READ, head=head)
        if outcome == "none":
            return dict(status=401, challenge=CHALLENGE_NONE,
                        body=unauthorized, head=head)
        if outcome == "malformed":
            return dict(status=401, challenge=CHALLENGE_MALFORMED,
                        body=unauthorized, head=head)
        if outcome == "several":
            return dict(status=400, challenge=CHALLENGE_SEVERAL, head=head)
        if outcome == "http_400":
            return dict(status=400, challenge=ABSENT, fresh=True)
        if outcome == "fields":
            return dict(status=431, challenge=ABSENT, head=head)
        if outcome == "closed":
            return dict(status=None)
        if outcome == "too_large":
            return dict(status=413)
        if outcome == "several_or_400":
            # 400 from Kore, or 400 invalid_request from the handler.
            return dict(status=400, challenge=(ABSENT, CHALLENGE_SEVERAL),
                        fresh=True)
        if isinstance(outcome, tuple):
            challenges = tuple(self.invalid_token(r) for r in outcome)
            return dict(status=401, challenge=challenges, body=unauthorized,
                        head=head)
        return dict(status=401, challenge=self.invalid_token(outcome),
                    body=unauthorized, head=head)

    @staticmethod
    def invalid_token(reason):
        return (REALM + ', error="invalid_token", error_description="%s"'
                % TOKEN_DESCRIPTIONS[reason])

    def with_token(self, name, token, outcome, **kw):
        # Only a token in b64token syntax reaches the verifier, so the
        # case table must agree with RFC 6750 on which ones are malformed.
        if (outcome == "malformed") == bool(B64TOKEN.fullmatch(token)):
            raise ValueError("case %s: b64token syntax contradicts outcome "
                             "%s" % (name, outcome))
        self.bearer(name, "Bearer " + token, outcome, **kw)

    def login(self, name, body, outcome, content_type="application/json",
              headers=(), method="POST", **kw):
        """Adds a /jwt request.  outcome: "ok", "ok_json" (Accept prefers
        JSON), "ok_any" (a token, either body), "unauthorized", "bad_request", "media_type", "too_large",
        "method", "length_required" or "http_400"."""
        fields = []
        if content_type is not None:
            fields.append(("Content-Type", content_type))
        fields += list(headers)
        request = self.get("/jwt", fields, method=method, body=body, **kw)
        self.add(name, request, **self.login_expect(outcome))

    @staticmethod
    def login_expect(outcome):
        if outcome == "ok":
            return dict(status=200, token=True, body=b"OK",
                        headers={"cache-control": "no-store"})
        if outcome == "ok_json":
            return dict(status=200, token=True, token_json=True,
                        headers={"cache-control": "no-store"})
        if outcome == "ok_any":
            return dict(status=200, token=True,
                        headers={"cache-control": "no-store"})
        if outcome == "fields":
            return dict(status=431)
        if outcome == "unauthorized":
            # NOTE: the README gives /jwt's 401 no challenge, although RFC
            # 9110 section 15.5.2 requires one on every 401, so the header
            # is not checked.
            return dict(status=401, body=b"Unauthorized",
                        challenge=UNCHECKED)
        if outcome == "bad_request":
            return dict(status=400, one_line_body=True)
        if outcome == "media_type":
            return dict(status=415)
        if outcome == "too_large":
            return dict(status=413)
        if outcome == "method":
            return dict(status=405, headers={"allow": "POST"})
        if outcome == "length_required":
            return dict(status=411)
        if outcome == "http_400":
            return dict(status=400)
        raise ValueError("unknown login outcome: " + outcome)

    def login_json(self, username=None, password=None):
        return jdump({
            "username": self.s.username if username is None else username,
            "password": self.s.password if password is None else password,
        })


# ---------------------------------------------------------------------------
# Cache

def cache_cases(b):
    """Adds cases that repeat tokens, because each Kore worker keeps the
    tokens it verified and checks a repeated token against that cache.  The alive check
    after every case sends the good token, so most other cases also test
    that a near-identical token misses the cache."""
    b.kind = "Cache"
    # Valid until the start of the second after next; cache_late_cases()
    # sends it again once that second has begun.
    b.with_token("expiring token before exp", b.token(
        iat=str(b.now - 1), exp=str(b.now + 2)), "ok")
    no_read = b.token(perms='["write"]')
    b.with_token("no read perm", no_read, "no_read")
    b.with_token("no read perm again", no_read, "no_read")
    expired = b.token(iat=str(b.now - 120), exp=str(b.now - 60))
    b.with_token("expired token", expired, "expired")
    b.with_token("expired token again", expired, "expired")
    b.with_token("good token", b.good_token(), "ok")
    b.bearer("good token in lowercase scheme", "bearer " + b.good_token(),
             "ok")
    b.bearer("good token with trailing spaces",
             "Bearer " + b.good_token() + "  ", "ok")
    b.with_token("good token over the cache size", b.token(
        x=jdump("c" * 600)), "ok")
    b.with_token("good token over the cache size again", b.token(
        x=jdump("c" * 600)), "ok")
    b.with_token("good token with a sub over 128 bytes", b.token(
        sub=jdump("s" * 200)), "ok")


def cache_late_cases(b):
    """The cases that must come last in a round: the expiring token from
    cache_cases() once it has expired, which the cache must notice.

    NOTE: another valid token of the round may have taken the cache slot,
    because about 70 of the 1024 slots are written a round.  Kore may also
    pass the connection to the other worker.  Either way this case then
    checks full verification instead of a cache hit.
    """
    b.kind = "Cache"
    b.with_token("expiring token after exp", b.token(
        iat=str(b.now - 1), exp=str(b.now + 2)), "expired")
    # The server's clock reads whole seconds, so once the client's clock
    # has passed exp, the server's has too.
    b.cases[-1].wait_until = b.now + 2.05


# ---------------------------------------------------------------------------
# Algorithm

def algorithm_cases(b):
    b.kind = "Algorithm"
    payload = b.payload()
    payload64 = b64url(payload)

    # alg none in several letter cases: without a signature segment the
    # token has two parts, with a trailing dot an empty third part (both
    # step 1), and with a signature it fails the alg pin (step 3).
    for alg in ("none", "None", "NONE", "nOnE"):
        header64 = b64url('{"alg":"%s","typ":"JWT"}' % alg)
        b.with_token("alg %s no dot" % alg,
                     header64 + "." + payload64, "format")
        b.with_token("alg %s trailing dot" % alg,
                     header64 + "." + payload64 + ".", "format")
        b.with_token("alg %s signed" % alg,
                     b.sign('{"alg":"%s","typ":"JWT"}' % alg, payload), "alg")

    claims = json.loads(payload)
    for alg in ("HS384", "HS512"):
        token = jwt.encode(claims, b.s.secret, algorithm=alg)
        b.with_token("%s signed correctly" % alg, token, "alg")
    b.with_token("HS384 header HS256 signature",
                 b.sign('{"alg":"HS384","typ":"JWT"}', payload), "alg")

    # Asymmetric algorithms: with the server's HMAC, as in the key
    # confusion attack, and with signatures of the algorithm's size.
    for alg, size in (("RS256", 256), ("ES256", 64), ("EdDSA", 64),
                      ("PS256", 256)):
        header = '{"alg":"%s","typ":"JWT"}' % alg
        b.with_token("%s header HMAC signature" % alg,
                     b.sign(header, payload), "alg")
        b.with_token("%s header random signature" % alg,
                     b64url(header) + "." + payload64 + "." +
                     b64url(filler_bytes(alg, size)), "alg")

    odd_algs = [
        ("missing", '{"typ":"JWT"}'),
        ("empty", '{"alg":"","typ":"JWT"}'),
        ("null", '{"alg":null,"typ":"JWT"}'),
        ("number", '{"alg":256,"typ":"JWT"}'),
        ("true", '{"alg":true,"typ":"JWT"}'),
        ("array", '{"alg":["HS256"],"typ":"JWT"}'),
        ("object", '{"alg":{"HS256":true},"typ":"JWT"}'),
        ("leading space", '{"alg":" HS256","typ":"JWT"}'),
        ("trailing space", '{"alg":"HS256 ","typ":"JWT"}'),
        ("lowercase", '{"alg":"hs256","typ":"JWT"}'),
        ("HS2560", '{"alg":"HS2560","typ":"JWT"}'),
        ("HS256 prefix of longer", '{"alg":"HS256X","typ":"JWT"}'),
        ("HS256 then NUL", '{"alg":"HS256\\u0000","typ":"JWT"}'),
        ("HS256 then NUL and more", '{"alg":"HS256\\u0000none","typ":"JWT"}'),
        ("HS25", '{"alg":"HS25","typ":"JWT"}'),
        ("name case", '{"ALG":"HS256","typ":"JWT"}'),
    ]
    for name, header in odd_algs:
        b.with_token("alg %s" % name, b.sign(header, payload), "alg")

    # The value is exactly HS256 once the JSON escapes are read.
    b.with_token("alg as escapes", b.sign(
        '{"alg":%s,"typ":"JWT"%s}' % (escape_all("HS256"), KID), payload),
        "ok")
    b.with_token("alg without typ", b.sign('{"alg":"HS256"%s}' % KID,
                                           payload), "ok")


# ---------------------------------------------------------------------------
# Kid

def kid_cases(b):
    """Adds tokens whose kid is missing, of the wrong type or names no
    configured key.  The kid selects the key and is compared only with the
    configured kids, so each of them is 401 invalid_token.  All but the
    duplicated member are signed with the server's own secret, so only the
    kid check can reject them."""
    b.kind = "Kid"
    payload = b.payload()

    b.with_token("kid missing", b.sign('{"alg":"HS256","typ":"JWT"}',
                                       payload), "kid")
    b.with_token("kid missing, no typ", b.sign('{"alg":"HS256"}', payload),
                 "kid")
    b.with_token("kid name in upper case", b.sign(
        '{"alg":"HS256","typ":"JWT","KID":"@KID@"}', payload), "kid")

    not_strings = [
        ("null", "null"),
        ("number", "1"),
        ("zero", "0"),
        ("true", "true"),
        ("array", '["@KID@"]'),
        ("empty array", "[]"),
        ("object", '{"kid":"@KID@"}'),
        ("empty object", "{}"),
    ]
    for name, value in not_strings:
        b.with_token("kid %s" % name, b.sign(
            '{"alg":"HS256","typ":"JWT","kid":%s}' % value, payload), "kid")

    # Long enough to be far over KID_MAX, short enough that the token
    # stays within TOKEN_LEN_MAX and reaches the kid check.
    long_kid = "k" * 1500
    unknown = [
        ("empty", ""),
        ("unknown", "unknown-key"),
        ("one character", "a"),
        ("64 characters", "k" * KID_MAX),
        ("65 characters", "k" * (KID_MAX + 1)),
        ("1500 characters", long_kid),
        ("path", "../../etc/passwd"),
        ("absolute path", "/etc/passwd"),
        ("file URL", "file:///etc/passwd"),
        ("SQL", "' OR '1'='1' --"),
        ("SQL statement", "1; DROP TABLE keys"),
        ("index", "0"),
        ("format string", "%s%s%n"),
        ("server kid upper case", b.s.kid.upper()),
        ("server kid with a space", " " + b.s.kid),
        ("server kid with a trailing space", b.s.kid + " "),
        ("server kid prefix", b.s.kid[:-1]),
        ("server kid and more", b.s.kid + "x"),
    ]
    for name, kid in unknown:
        if kid == b.s.kid:
            raise ValueError("case kid %s: names the server's kid" % name)
        b.with_token("kid %s" % name, b.sign(
            '{"alg":"HS256","typ":"JWT","kid":%s}' % jdump(kid), payload),
            "kid")
    b.with_token("kid then NUL", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"@KID@\\u0000"}', payload), "kid")
    b.with_token("kid NUL then server kid", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"\\u0000@KID@"}', payload), "kid")

    # RFC 7515 section 5.2: duplicate member names make the header invalid.
    b.with_token("kid twice, server kid first", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"@KID@","kid":"unknown"}',
        payload), "header")
    b.with_token("kid twice, server kid last", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"unknown","kid":"@KID@"}',
        payload), "header")
    b.with_token("kid twice, both the server kid", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"@KID@","kid":"@KID@"}',
        payload), "header")
    b.with_token("kid and escaped kid", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":"@KID@","\\u006bid":"@KID@"}',
        payload), "header")

    # A rotation's previous key is accepted only while it is configured:
    # this server has no previous key, so a token of one names an unknown
    # kid, whether signed by that key or by the server's.
    previous = b"attack-suite-previous-secret-0123456789-abcd"
    previous_header = '{"alg":"HS256","typ":"JWT","kid":%s}' % jdump(
        derived_kid(previous))
    b.with_token("kid of a previous key, signed by it", b.sign(
        previous_header, payload, key=previous), "kid")
    b.with_token("kid of a previous key, signed by the server key", b.sign(
        previous_header, payload), "kid")

    # The kid is checked before the signature, and the signature still
    # binds the key the kid names.
    b.with_token("unknown kid and a bad signature",
                 b.sign('{"alg":"HS256","typ":"JWT","kid":"unknown"}',
                        payload, key=b"another-secret"), "kid")
    b.with_token("server kid, another secret", b.sign(
        HEADER, payload, key=b"attack-suite-another-secret-0123456789"),
        "signature")

    # A header that differs from the issued bytes takes the parsed path and
    # must still select the key.
    accepted = [
        ("kid first", '{"kid":"@KID@","alg":"HS256","typ":"JWT"}'),
        ("kid between", '{"alg":"HS256","kid":"@KID@","typ":"JWT"}'),
        ("kid without typ", '{"alg":"HS256","kid":"@KID@"}'),
        ("kid with spaces", '{ "alg" : "HS256" , "kid" : "@KID@" }'),
        ("kid and extra member", '{"alg":"HS256","typ":"JWT","kid":"@KID@",'
                                 '"x5t":"abc"}'),
    ]
    for name, header in accepted:
        b.with_token("%s accepted" % name, b.sign(header, payload), "ok")
    b.with_token("kid as escapes accepted", b.sign(
        '{"alg":"HS256","typ":"JWT","kid":%s}' % escape_all(b.s.kid),
        payload), "ok")


# ---------------------------------------------------------------------------
# Signature

def signature_cases(b):
    b.kind = "Signature"
    token = b.good_token()
    head, payload64, sig64 = token.split(".")
    mac = strict_b64url_decode(sig64)
    signing_input = head + "." + payload64

    b.with_token("empty", signing_input + ".", "format")

    # Truncated and extended by whole bytes: strict base64url, wrong length.
    for n in (31, 16, 1):
        b.with_token("truncated to %d bytes" % n,
                     signing_input + "." + b64url(mac[:n]), "signature")
    b.with_token("extended by a zero byte",
                 signing_input + "." + b64url(mac + b"\0"), "signature")
    b.with_token("doubled", signing_input + "." + b64url(mac + mac),
                 "signature")
    # Truncated and extended by characters: a leftover of 1 modulo 4 or
    # non-zero trailing bits is an encoding fault, otherwise the length is.
    for n in (1, 2, 3):
        cut = signing_input + "." + sig64[:-n]
        b.with_token("truncated by %d characters" % n, cut,
                     shape_reason(cut) or "signature")
    for extra in ("A", "AA", "AAAA"):
        longer = token + extra
        b.with_token("extended by %s" % extra, longer,
                     shape_reason(longer) or "signature")

    for byte, bit in ((0, 0), (0, 7), (15, 3), (31, 0), (31, 7)):
        flipped = bytearray(mac)
        flipped[byte] ^= 1 << bit
        b.with_token("bit %d of byte %d flipped" % (bit, byte),
                     signing_input + "." + b64url(bytes(flipped)),
                     "signature")

    header, payload = HEADER, b.payload()
    for name, key in (("empty", b""), ("secret", b"secret"),
                      ("your-256-bit-secret", b"your-256-bit-secret"),
                      ("password", b"password"),
                      ("server secret minus a byte", b.s.secret[:-1]),
                      ("server secret plus a byte", b.s.secret + b"x")):
        b.with_token("key %s" % name, b.sign(header, payload, key=key),
                     "signature")
    b.with_token("SHA-1 HMAC", b.sign(header, payload, digest=hashlib.sha1),
                 "signature")
    b.with_token("SHA-512 HMAC truncated to 32 bytes", signing_input + "." +
                 b64url(hmac.new(b.s.secret, signing_input.encode(),
                                 hashlib.sha512).digest()[:32]), "signature")
    b.with_token("HMAC of the payload only", signing_input + "." + b64url(
        hmac.new(b.s.secret, payload64.encode(), hashlib.sha256).digest()),
        "signature")
    b.with_token("HMAC of the decoded input", signing_input + "." + b64url(
        hmac.new(b.s.secret, (header.replace("@KID@", b.s.kid) + "." +
                              payload).encode(), hashlib.sha256).digest()),
        "signature")

    # The good signature over a changed header or payload.
    changed_headers = [
        ("reordered", '{"kid":"@KID@","typ":"JWT","alg":"HS256"}',
         "signature"),
        ("with a space", '{"alg": "HS256","typ":"JWT","kid":"@KID@"}',
         "signature"),
        ("without typ", '{"alg":"HS256","kid":"@KID@"}', "signature"),
        ("with another kid", '{"alg":"HS256","typ":"JWT","kid":"1"}', "kid"),
        ("without kid", '{"alg":"HS256","typ":"JWT"}', "kid"),
    ]
    for name, other, reason in changed_headers:
        other = other.replace("@KID@", b.s.kid)
        b.with_token("over a changed header %s" % name,
                     b64url(other) + "." + payload64 + "." + sig64, reason)
    b.with_token("over a changed payload", head + "." +
                 b64url(b.payload(perms='["read","admin"]')) + "." + sig64,
                 "signature")
    b.with_token("from another token", signing_input + "." +
                 b.token(sub=jdump("other")).split(".")[2], "signature")

    # Header members that point at other keys are ignored: the kid selects
    # one of the configured keys, so a token signed with the key they name
    # fails.
    attacker = b"attacker-key-0123456789-abcdefghijklmn"
    for name, extra in (
            ("jwk", '"jwk":{"kty":"oct","k":"%s"}' % b64url(attacker)),
            ("jku", '"jku":"http://127.0.0.1:1/keys.json"'),
            ("x5u", '"x5u":"http://127.0.0.1:1/cert.pem"')):
        header = '{"alg":"HS256","typ":"JWT"%s,%s}' % (KID, extra)
        b.with_token("%s header with its key" % name,
                     b.sign(header, payload, key=attacker), "signature")
    # A kid that names a file or a query is compared, never opened or run.
    for name, kid in (("kid path", "../../../../dev/null"),
                      ("kid SQL", "x' UNION SELECT 'secret")):
        b.with_token("%s header with an empty key" % name, b.sign(
            '{"alg":"HS256","typ":"JWT","kid":%s}' % jdump(kid), payload,
            key=b""), "kid")
    b.with_token("unknown kid header with the server key",
                 b.sign('{"alg":"HS256","typ":"JWT","kid":"k1"}', payload),
                 "kid")


# ---------------------------------------------------------------------------
# Encoding

def encoding_cases(b):
    b.kind = "Encoding"
    # "~~~???" makes payload characters that differ between the alphabets.
    # The filler after it is chosen so that the payload needs base64
    # padding and the signature has a '-' or '_' too.
    for n in range(64):
        payload = b.payload(x=jdump("~~~???" + "a" * n))
        token = b.sign(HEADER, payload)
        head, payload64, sig64 = token.split(".")
        if len(payload.encode()) % 3 != 0 and ("-" in sig64 or "_" in sig64):
            break
    b.with_token("control", token, "ok")

    # A header of 28 bytes and a payload padded likewise need padding.
    padded_header = '{"alg":"HS256","typ":"JWT" }'
    padded = b.sign(padded_header, payload)
    ph, pp, ps = padded.split(".")
    assert len(padded_header) % 3 != 0
    # RFC 6750 b64token allows '=' only at the end, so padding inside the
    # token is a malformed Authorization header; at the end the token
    # reaches the verifier, which rejects padding (step 2).
    b.with_token("padded header", ph + "=" * (-len(ph) % 4) + "." + pp +
                 "." + ps, "malformed")
    assert len(pp) % 4 != 0
    b.with_token("padded payload", ph + "." + pp + "=" * (-len(pp) % 4) +
                 "." + ps, "malformed")
    b.with_token("padded signature", padded + "=", "encoding")
    b.with_token("two padding characters", padded + "==", "encoding")
    b.with_token("standard base64 header with padding",
                 b64std(padded_header) + "." + pp + "." + ps, "malformed")

    std = str.maketrans("-_", "+/")
    assert payload64.translate(std) != payload64
    b.with_token("plus and slash in payload", head + "." +
                 payload64.translate(std) + "." + sig64, "encoding")
    sig_std = sig64.translate(std)
    assert sig_std != sig64
    b.with_token("plus and slash in signature", head + "." + payload64 +
                 "." + sig_std, "encoding")
    b.with_token("whole token in standard base64", token.translate(std),
                 "encoding")

    # Characters outside the alphabet: '~' is b64token syntax, so it
    # reaches the verifier; the others make the header malformed.
    middle = len(payload64) // 2

    def payload_with(text):
        return head + "." + payload64[:middle] + text + \
            payload64[middle:] + "." + sig64

    b.with_token("tilde in payload", payload_with("~"), "encoding")
    b.with_token("tilde replacing a character", head + "." +
                 payload64[:middle] + "~" + payload64[middle + 1:] + "." +
                 sig64, "encoding")
    for name, text in (("asterisk", "*"), ("percent escape", "%41"),
                       ("backslash", "\\"), ("quote", '"'),
                       ("comma", ","), ("colon", ":"), ("at sign", "@"),
                       ("equals sign", "=")):
        b.with_token("%s in payload" % name, payload_with(text), "malformed")
    # Kore 4.1.0 rejects bytes outside visible ASCII, space excepted, in
    # any field value with 400 before routing (http_field_content in its
    # src/http.c).
    b.bearer("UTF-8 letter in payload",
             ("Bearer " + payload_with("\u00e9")).encode(), "http_400")
    b.bearer("DEL in payload", ("Bearer " + payload_with("\x7f")).encode(),
             "http_400")
    b.bearer("tab in payload", ("Bearer " + payload_with("\t")).encode(),
             "http_400")

    b.with_token("space in payload", payload_with(" "), "malformed")
    b.with_token("space before a dot", head + " ." + payload64 + "." + sig64,
                 "malformed")
    b.with_token("space after a dot", head + ". " + payload64 + "." + sig64,
                 "malformed")
    b.bearer("line break in token", None, "http_400", headers=[
        ("Authorization", "Bearer " + head + "." + payload64),
        b" ." + sig64.encode()])

    # Non-zero trailing bits: the last character of a segment whose
    # length is not a multiple of 4 carries bits past the data.
    for name, segment in (("payload", payload64), ("signature", sig64)):
        if len(segment) % 4 == 0:
            continue
        spare = {2: 4, 3: 2}[len(segment) % 4]
        last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
            "0123456789-_".index(segment[-1])
        bad = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
            "0123456789-_"[last | (1 << (spare - 1))]
        assert bad != segment[-1]
        changed = segment[:-1] + bad
        parts = [head, payload64, sig64]
        parts[1 if name == "payload" else 2] = changed
        b.with_token("trailing bits in %s" % name, ".".join(parts),
                     "encoding")
    b.with_token("length 1 modulo 4", head + "." + payload64 + "." + sig64 +
                 "AAAAA"[:(1 - len(sig64)) % 4 or 4], "encoding")

    b.with_token("two segments", head + "." + payload64, "format")
    b.with_token("four segments", token + "." + sig64, "format")
    b.with_token("four segments last empty", token + ".", "format")
    b.with_token("one segment", head, "format")
    b.with_token("empty header", "." + payload64 + "." + sig64, "format")
    b.with_token("empty payload", head + ".." + sig64, "format")
    b.with_token("only dots", "..", "format")
    b.with_token("one dot", ".", "format")

    # Every prefix of a good token: step 1 while a segment is missing or
    # empty, then step 2 or the signature length.
    good = b.good_token()
    for n in range(1, len(good)):
        prefix = good[:n]
        b.with_token("prefix %d" % n, prefix,
                     shape_reason(prefix) or "signature")


# ---------------------------------------------------------------------------
# JSON

def json_cases(b):
    b.kind = "JSON"
    payload = b.payload()
    shapes = [
        ("an array", '["HS256"]'),
        ("null", "null"),
        ("a number", "256"),
        ("a string", '"HS256"'),
        ("true", "true"),
        ("empty", ""),
        ("not JSON", "alg=HS256"),
        ("truncated", '{"alg":"HS256","typ":"JWT"'),
        ("followed by garbage", HEADER + "x"),
        ("followed by an object", HEADER + "{}"),
        ("with a comment", '{"alg":"HS256",/*x*/"typ":"JWT"}'),
        ("with a trailing comma", '{"alg":"HS256","typ":"JWT",}'),
        ("single quotes", "{'alg':'HS256','typ':'JWT'}"),
    ]
    for name, header in shapes:
        # An empty header is an empty segment, which step 1 rejects.
        reason = "format" if header == "" else "header"
        b.with_token("header %s" % name, b.sign(header, payload), reason)
    for name, text in shapes:
        reason = "format" if text == "" else "payload"
        b.with_token("payload %s" % name, b.sign(HEADER, text), reason)
    b.with_token("payload empty object", b.sign(HEADER, "{}"),
                 "claim_missing")
    b.with_token("header empty object", b.sign("{}", payload), "alg")
    # RFC 8259 section 2 allows white space around the value.
    b.with_token("payload surrounded by white space",
                 b.sign(HEADER, " \n" + payload + "\r\n\t "), "ok")
    b.with_token("header surrounded by white space",
                 b.sign(" " + HEADER + "\n", payload), "ok")

    duplicates = [
        ("alg none then HS256", '{"alg":"none","alg":"HS256","typ":"JWT"}'),
        ("alg HS256 then none", '{"alg":"HS256","alg":"none","typ":"JWT"}'),
        ("alg HS256 twice", '{"alg":"HS256","alg":"HS256","typ":"JWT"}'),
        ("typ twice", '{"alg":"HS256","typ":"JWT","typ":"JWT"}'),
        ("alg and escaped alg", '{"alg":"HS256","\\u0061lg":"none"}'),
    ]
    for name, header in duplicates:
        b.with_token("header duplicate %s" % name, b.sign(header, payload),
                     "header")
    later = str(b.now + b.s.ttl)
    earlier = str(b.now - 60)
    payload_duplicates = [
        ("exp valid then expired", [("exp", later), ("exp", earlier)]),
        ("exp expired then valid", [("exp", earlier), ("exp", later)]),
        ("perms read then admin", [("perms", '["read"]'),
                                   ("perms", '["admin"]')]),
        ("perms none then read", [("perms", "[]"), ("perms", '["read"]')]),
        ("sub twice", [("sub", jdump(b.s.username)), ("sub", '"admin"')]),
        ("iss twice", [("iss", jdump(b.s.issuer)), ("iss", '"evil"')]),
    ]
    for name, dup in payload_duplicates:
        names = {n for n, _ in dup}
        text = members([p for p in b.pairs() if p[0] not in names] + dup)
        b.with_token("payload duplicate %s" % name, b.sign(HEADER, text),
                     "payload")
    b.with_token("payload duplicate exp and escaped exp", b.sign(
        HEADER, b.payload()[:-1] + ',"\\u0065xp":%s}' % later), "payload")

    for name, crit in (("exp", '["exp"]'), ("empty", "[]"), ("null", "null"),
                       ("b64", '["b64"]')):
        b.with_token("crit %s" % name, b.sign(
            '{"alg":"HS256","typ":"JWT","crit":%s}' % crit, payload), "crit")

    # typ is optional; when present it names JWT in any letter case
    # (RFC 7515 section 4.1.9).
    for typ, reason in (('"jwt"', "ok"), ('"application/jwt"', "ok"),
                        ('"Application/JWT"', "ok"), ('"JWS"', "typ"),
                        ('"JWT "', "typ"), ('""', "typ"), ("1", "typ"),
                        ("null", "typ"), ('["JWT"]', "typ"),
                        ('"JWT\\u0000"', "typ")):
        b.with_token("typ %s" % typ, b.sign(
            '{"alg":"HS256","typ":%s%s}' % (typ, KID), payload), reason)

    # Nesting: the object counts as one level, so 15 arrays inside fit.
    for depth, reason in ((DEPTH_MAX - 1, "ok"), (DEPTH_MAX, "payload"),
                          (1000, "payload")):
        nested = "[" * depth + "]" * depth
        b.with_token("payload nested %d deep" % (depth + 1),
                     b.token(x=nested), reason)
    for depth, reason in ((DEPTH_MAX - 1, "ok"), (DEPTH_MAX, "header"),
                          (1000, "header")):
        nested = "[" * depth + "]" * depth
        b.with_token("header nested %d deep" % (depth + 1), b.sign(
            '{"alg":"HS256","typ":"JWT"%s,"x":%s}' % (KID, nested), payload),
            reason)
    nested_objects = '{"a":' * 20 + "1" + "}" * 20
    b.with_token("payload nested objects", b.token(x=nested_objects),
                 "payload")

    # Member, element and number limits from the README.
    extra = [("x%d" % i, "0") for i in range(MEMBERS_MAX - 6)]
    b.with_token("payload of 32 members", b.sign(
        HEADER, b.payload(extra=extra)), "ok")
    b.with_token("payload of 33 members", b.sign(
        HEADER, b.payload(extra=extra + [("y", "0")])), "payload")
    perms32 = jdump(["read"] + ["p%d" % i for i in range(ELEMENTS_MAX - 1)])
    b.with_token("perms of 32 elements", b.token(perms=perms32), "ok")
    b.with_token("33 array elements in all",
                 b.token(perms=perms32, x="[0]"), "payload")
    b.with_token("number of 63 characters",
                 b.token(n="1" + "0" * (NUMBER_TEXT_MAX - 1)), "ok")
    b.with_token("number of 64 characters",
                 b.token(n="1" + "0" * NUMBER_TEXT_MAX), "payload")

    # Escapes: values equal after unescaping are equal.
    b.with_token("iss as escapes", b.token(iss=escape_all(b.s.issuer)), "ok")
    b.with_token("perms as escapes", b.token(
        perms="[%s]" % escape_all("read")), "ok")
    b.with_token("claim names as escapes", b.sign(HEADER, members(
        [(n, v) for n, v in b.pairs()]).replace(
            '"exp":', '"\\u0065xp":').replace('"iat":', '"\\u0069at":')),
        "ok")
    b.with_token("sub with escaped letters", b.token(
        sub='"\\u00e9\\u4e2d\\ud83d\\ude00"'), "ok")
    b.with_token("sub in UTF-8", b.token(sub=jdump("\u00e9\u4e2d\U0001f600")),
                 "ok")
    # A NUL in a claim is not text: the README's rule for other shapes.
    b.with_token("sub NUL", b.token(sub='"\\u0000"'), "subject")
    b.with_token("sub ending in NUL", b.token(sub='"admin\\u0000"'),
                 "subject")
    b.with_token("iss then NUL", b.token(
        iss=jdump(b.s.issuer)[:-1] + '\\u0000"'), "issuer")
    b.with_token("perms read then NUL", b.token(perms='["read\\u0000"]'),
                 "perms")
    b.with_token("perms NUL then read", b.token(perms='["\\u0000read"]'),
                 "perms")
    for name, text in (("lone high surrogate", '"\\ud800"'),
                       ("lone low surrogate", '"\\udc00"'),
                       ("surrogates reversed", '"\\udc00\\ud800"'),
                       ("high surrogate then letter", '"\\ud800a"'),
                       ("bad escape", '"\\x41"'),
                       ("short escape", '"\\u41"')):
        b.with_token("sub %s" % name, b.token(sub=text), "payload")

    invalid_utf8 = [
        ("byte ff", b"\xff"),
        ("overlong slash", b"\xc0\xaf"),
        ("overlong NUL", b"\xc0\x80"),
        ("encoded surrogate", b"\xed\xa0\x80"),
        ("above U+10FFFF", b"\xf4\x90\x80\x80"),
        ("truncated sequence", b"\xe2\x82"),
        ("lone continuation", b"\x80"),
    ]
    base = b.payload(sub='"@SUB@"').encode()
    for name, raw in invalid_utf8:
        text = base.replace(b"@SUB@", b"a" + raw + b"b")
        b.with_token("payload invalid UTF-8 %s" % name,
                     b.sign(HEADER, text), "payload")
    b.with_token("header invalid UTF-8", b.sign(
        b'{"alg":"HS256","typ":"JWT","x":"\xff"}', payload), "header")
    b.with_token("payload control character", b.sign(
        HEADER, base.replace(b"@SUB@", b"a\x01b")), "payload")


# ---------------------------------------------------------------------------
# Claims

def claims_cases(b):
    b.kind = "Claims"
    now, ttl = b.now, b.s.ttl
    b.with_token("control", b.good_token(), "ok")

    exp_cases = [
        ("missing", None, "claim_missing"),
        ("null", "null", "claim_type"),
        ("a string", jdump(str(now + ttl)), "claim_type"),
        ("true", "true", "claim_type"),
        ("false", "false", "claim_type"),
        ("an object", '{"v":%d}' % (now + ttl), "claim_type"),
        ("an array", "[%d]" % (now + ttl), "claim_type"),
        ("negative", "-1", "expired"),
        ("zero", "0", "expired"),
        ("negative zero", "-0", "expired"),
        ("most negative 64-bit", "-9223372036854775808", "expired"),
        ("float in the past", "%d.5" % (now - 10), "expired"),
        ("float in the future", "%d.5" % (now + 100), "ok"),
        ("exponent form in the future", "%de0" % (now + 100), "ok"),
        ("exactly now", str(now), "expired"),
        ("one second ago", str(now - 1), "expired"),
        # Far-future values fail the lifetime rule, exp - iat <= TTL.
        ("past the 32-bit range", str(2 ** 31), "lifetime"),
        ("past the unsigned 32-bit range", str(2 ** 32 + 1), "lifetime"),
        ("past the 64-bit range", str(2 ** 64), "lifetime"),
        ("1e308", "1e308", "lifetime"),
        # 1e400 is valid JSON grammar but no double: the README sets no
        # range, so either the payload or the claim type may be blamed.
        ("1e400", "1e400", ("payload", "claim_type")),
    ]
    for name, value, outcome in exp_cases:
        b.with_token("exp %s" % name, b.token(exp=value), outcome)
    b.with_token("exp only in header", b.sign(
        '{"alg":"HS256","typ":"JWT"%s,"exp":%d}' % (KID, now + ttl),
        b.payload(exp=None)), "claim_missing")
    b.with_token("exp expired with long iat", b.token(
        iat=str(now - 2 * ttl), exp=str(now - ttl)), "expired")

    for name, value, outcome in (
            ("in the future", str(now + 600), "issued_in_future"),
            ("two minutes in the future", str(now + 120),
             "issued_in_future"),
            ("missing", None, "claim_missing"),
            ("null", "null", "claim_type"),
            ("a string", jdump(str(now)), "claim_type"),
            ("an array", "[%d]" % now, "claim_type"),
            ("true", "true", "claim_type"),
            ("float in the past", "%d.5" % (now - 1), "ok"),
            ("in the past", str(now - 60), "ok")):
        # exp stays in the future and within the TTL of any valid iat.
        kw = {"iat": value, "exp": str(now + 60)}
        if outcome == "issued_in_future":
            kw["exp"] = str(int(value) + 60)
        b.with_token("iat %s" % name, b.token(**kw), outcome)

    for name, value, outcome in (
            ("in the future", str(now + 600), "not_yet_valid"),
            ("in the past", str(now - 60), "ok"),
            ("now", str(now), "ok"),
            ("null", "null", "claim_type"),
            ("a string", jdump(str(now)), "claim_type"),
            ("an object", "{}", "claim_type"),
            ("false", "false", "claim_type")):
        b.with_token("nbf %s" % name, b.token(nbf=value), outcome)

    b.with_token("lifetime exactly TTL", b.token(), "ok")
    b.with_token("lifetime TTL plus one", b.token(exp=str(now + ttl + 1)),
                 "lifetime")
    b.with_token("lifetime TTL plus a fraction",
                 b.token(exp="%d.5" % (now + ttl)), "lifetime")

    for name, value, outcome in (
            ("wrong", '"evil.example"', "issuer"),
            ("empty", '""', "issuer"),
            ("other letter case", jdump(b.s.issuer.upper()), "issuer"),
            ("with a trailing space", jdump(b.s.issuer + " "), "issuer"),
            ("prefix", jdump(b.s.issuer[:-1]), "issuer"),
            ("missing", None, "claim_missing"),
            ("null", "null", "claim_type"),
            ("a number", "1", "claim_type"),
            ("an array", "[%s]" % jdump(b.s.issuer), "claim_type")):
        b.with_token("iss %s" % name, b.token(iss=value), outcome)

    # Wrong types are TOKEN_ERR_CLAIM_TYPE (functions/token.h), an empty
    # sub TOKEN_ERR_SUBJECT.
    for name, value, outcome in (
            ("empty", '""', "subject"),
            ("missing", None, "claim_missing"),
            ("null", "null", "claim_type"),
            ("a number", "0", "claim_type"),
            ("true", "true", "claim_type"),
            ("an array", '["admin"]', "claim_type"),
            ("an object", '{"name":"admin"}', "claim_type"),
            ("another user", '"someone-else"', "ok")):
        b.with_token("sub %s" % name, b.token(sub=value), outcome)

    # perms that are not an array of strings are TOKEN_ERR_PERMS
    # (functions/token.h); a valid array without "read" exactly is 403.
    for name, value, outcome in (
            ("a string", '"read"', "perms"),
            ("an object", '{"read":true}', "perms"),
            ("null", "null", "perms"),
            ("true", "true", "perms"),
            ("of numbers", "[1]", "perms"),
            ("of null", "[null]", "perms"),
            ("of arrays", '[["read"]]', "perms"),
            ("of objects", '[{"read":true}]', "perms"),
            ("read then a number", '["read",1]', "perms"),
            ("missing", None, "claim_missing"),
            ("empty", "[]", "no_read"),
            ("rea", '["rea"]', "no_read"),
            ("readX", '["readX"]', "no_read"),
            ("READ", '["READ"]', "no_read"),
            ("read with a space", '["read "]', "no_read"),
            ("space then read", '[" read"]', "no_read"),
            ("read,write in one string", '["read,write"]', "no_read"),
            ("write only", '["write"]', "no_read"),
            ("write and read", '["write","read"]', "ok"),
            ("read twice", '["read","read"]', "ok")):
        b.with_token("perms %s" % name, b.token(perms=value), outcome)

    # RFC 7519 section 4.1.3: this service names no audience.
    for name, value in (("a string", '"salaries"'), ("an array", '["x"]'),
                        ("empty array", "[]"), ("null", "null")):
        b.with_token("aud %s" % name, b.token(aud=value), "audience")
    b.with_token("unknown claims ignored", b.token(
        admin="true", role='"root"', jti='"1"'), "ok")


# ---------------------------------------------------------------------------
# Authorization header

def authorization_cases(b):
    b.kind = "Authorization"
    token = b.good_token()
    expired = b.token(iat=str(b.now - 120), exp=str(b.now - 60))

    for scheme in ("bearer", "BEARER", "bEaReR"):
        b.bearer("scheme %s" % scheme, scheme + " " + token, "ok")
    b.bearer("no space", "Bearer" + token, "none")
    b.bearer("two spaces", "Bearer  " + token, "ok")
    b.bearer("eight spaces", "Bearer" + " " * 8 + token, "ok")
    b.bearer("trailing spaces", "Bearer " + token + "   ", "ok")
    b.bearer("white space before the value", None, "ok", headers=[
        b"Authorization:   Bearer " + token.encode()])
    b.bearer("no space after the colon", None, "ok", headers=[
        b"Authorization:Bearer " + token.encode()])
    # Kore 4.1.0 rejects a tab in any field value before routing.
    b.bearer("tab after scheme", "Bearer\t" + token, "http_400")
    b.bearer("scheme alone", "Bearer", "malformed")
    b.bearer("scheme and spaces", "Bearer   ", "malformed")
    b.bearer("Basic scheme", "Basic " + b64std(
        "%s:%s" % (b.s.username, "not-the-password")), "none")
    for scheme in ("Token", "JWT", "Digest", "Bearer-Token", "Bearerx",
                   "MAC", "Negotiate"):
        b.bearer("%s scheme" % scheme, scheme + " " + token, "none")
    b.bearer("Bearer Bearer token", "Bearer Bearer " + token, "malformed")
    b.bearer("token then scheme", "Bearer " + token + " Bearer", "malformed")
    b.bearer("colon after scheme", "Bearer: " + token, "malformed")
    b.bearer("comma after scheme", "Bearer," + token, "malformed")
    b.bearer("quoted token", 'Bearer "%s"' % token, "malformed")
    b.bearer("token68 parameter", "Bearer token=" + token, "malformed")
    b.bearer("comma-joined pair", "Bearer %s, Bearer %s" % (token, token),
             "malformed")
    b.bearer("comma-joined pair no space",
             "Bearer %s,Bearer %s" % (token, token), "malformed")
    b.bearer("comma-joined expired then good",
             "Bearer %s, Bearer %s" % (expired, token), "malformed")
    b.bearer("Basic then Bearer joined",
             "Basic eDp5, Bearer " + token, "none")

    for name, first, second in (
            ("good then expired", token, expired),
            ("expired then good", expired, token),
            ("good twice", token, token)):
        b.bearer("two headers %s" % name, None, "several", headers=[
            ("Authorization", "Bearer " + first),
            ("Authorization", "Bearer " + second)])
    b.bearer("two headers differing in case", None, "several", headers=[
        ("Authorization", "Bearer " + token),
        ("authorization", "Bearer " + token)])
    b.bearer("Bearer and Basic headers", None, "several", headers=[
        ("Authorization", "Bearer " + token),
        ("Authorization", "Basic eDp5")])
    b.bearer("two headers apart", None, "several", headers=[
        ("Authorization", "Bearer " + token), ("Accept", "*/*"),
        ("X-Other", "1"), ("Authorization", "Bearer " + expired)])

    fillers = [("X-Filler-%d" % i, str(i)) for i in range(40)]
    b.bearer("20 headers before it", None, "ok",
             headers=fillers[:FIELDS_MAX - 1] + [
                 ("Authorization", "Bearer " + token)])
    # 22 fields besides Host: Kore may have dropped some (README).
    b.bearer("21 headers before it", None, "fields",
             headers=fillers[:FIELDS_MAX] + [
                 ("Authorization", "Bearer " + token)])
    b.bearer("40 headers before it", None, "fields", headers=fillers + [
        ("Authorization", "Bearer " + token)])
    b.bearer("second header after 25 others", None, "fields", headers=[
        ("Authorization", "Bearer " + token)] + fillers[:25] + [
        ("Authorization", "Bearer " + expired)])

    b.bearer("field name in capitals", None, "ok", headers=[
        ("AUTHORIZATION", "Bearer " + token)])
    b.bearer("Authorisation spelling", None, "none", headers=[
        ("Authorisation", "Bearer " + token)])
    b.bearer("Proxy-Authorization only", None, "none", headers=[
        ("Proxy-Authorization", "Bearer " + token)])
    # RFC 9112 sections 5.1 and 5.2: a space before the colon and a
    # folded line make the request invalid (400).
    b.bearer("space before the colon", None, "http_400", headers=[
        b"Authorization : Bearer " + token.encode()])
    b.bearer("folded value", None, "http_400", headers=[
        b"Authorization: Bearer", b" " + token.encode()])
    b.bearer("empty value", None, "http_400", headers=[b"Authorization:"])
    # RFC 9110 section 5.5: a NUL in a field value must be rejected or
    # read as a space.  Read as a space, the second header is still there,
    # so either way the status is 400.
    b.bearer("NUL then a second header", None, "several_or_400", headers=[
        b"Authorization: Bearer " + token.encode() + b"\0",
        b"Authorization: Bearer " + expired.encode()])

    b.bearer("token in the query", None, "none",
             path="/bearer?access_token=" + token)
    b.bearer("token in a form body", None, "none", method="POST",
             headers=[("Content-Type", "application/x-www-form-urlencoded")],
             body="access_token=" + token)
    b.bearer("token in a cookie", None, "none", headers=[
        ("Cookie", "access_token=" + token)])
    b.bearer("GET with Transfer-Encoding", None, "http_400", headers=[
        ("Authorization", "Bearer " + token),
        ("Transfer-Encoding", "chunked")], body=b"0\r\n\r\n",
        content_length=False)
    b.bearer("HTTP/1.0", "Bearer " + token, "ok", version="HTTP/1.0")
    b.bearer("HEAD", "Bearer " + token, "ok", method="HEAD")
    b.bearer("HEAD without credentials", None, "none", method="HEAD")
    b.bearer("POST with a body", "Bearer " + token, "ok", method="POST",
             headers=[("Authorization", "Bearer " + token),
                      ("Content-Type", "application/json")], body="{}")


# ---------------------------------------------------------------------------
# Login body

def login_cases(b):
    b.kind = "Login"
    s = b.s
    right = b.login_json()

    b.login("right credentials", right, "ok")
    b.login("right credentials Accept JSON", right, "ok_json",
            headers=[("Accept", "application/json")])
    b.login("right credentials form", "username=%s&password=%s" % (
        form_escape(s.username), form_escape(s.password)), "ok",
        content_type="application/x-www-form-urlencoded")
    b.login("credentials as escapes", '{"username":%s,"password":%s}' % (
        escape_all(s.username), escape_all(s.password)), "ok")
    b.login("client claims ignored", members([
        ("username", jdump(s.username)), ("password", jdump(s.password)),
        ("sub", '"admin"'), ("iss", '"evil.example"'), ("org", '"evil"'),
        ("perms", '["read","admin"]'), ("iat", "0"),
        ("exp", "99999999999"), ("nbf", "0"), ("aud", '"x"')]), "ok")
    b.login("client claims ignored form", "username=%s&password=%s&perms="
            "admin&exp=99999999999&iat=0&sub=admin" % (
                form_escape(s.username), form_escape(s.password)), "ok",
            content_type="application/x-www-form-urlencoded")

    for name, body in (
            ("empty", ""),
            ("empty object", "{}"),
            ("null", "null"),
            ("an array", jdump([s.username, s.password])),
            ("a string", jdump(s.username)),
            ("a number", "1"),
            ("truncated", right[:-1]),
            ("truncated in a string", right[:len(right) // 2]),
            ("white space only", " \r\n\t "),
            ("followed by garbage", right + "x"),
            ("two objects", right + right),
            ("with a comment", right[:-1] + "/*x*/}"),
            ("wrong member names", jdump({"user": s.username,
                                          "pass": s.password})),
            ("member names in capitals", jdump({"Username": s.username,
                                                "Password": s.password})),
            ("username missing", jdump({"password": s.password})),
            ("password missing", jdump({"username": s.username})),
            ("numbers", '{"username":1,"password":2}'),
            ("password a number", members([("username", jdump(s.username)),
                                           ("password", "1234")])),
            ("arrays", jdump({"username": [s.username],
                              "password": [s.password]})),
            ("objects", jdump({"username": {"v": s.username},
                               "password": {"v": s.password}})),
            ("password true", members([("username", jdump(s.username)),
                                       ("password", "true")])),
            ("password null", members([("username", jdump(s.username)),
                                       ("password", "null")])),
            ("duplicate username right first", members([
                ("username", jdump(s.username)), ("username", '"x"'),
                ("password", jdump(s.password))])),
            ("duplicate username right last", members([
                ("username", '"x"'), ("username", jdump(s.username)),
                ("password", jdump(s.password))])),
            ("duplicate password", members([
                ("username", jdump(s.username)), ("password", '"x"'),
                ("password", jdump(s.password))])),
            ("duplicate username as escape", members([
                ("username", jdump(s.username)),
                ("password", jdump(s.password))])[:-1] +
             ',"\\u0075sername":"x"}'),
            ("NUL escape in password", members([
                ("username", jdump(s.username)),
                ("password", jdump(s.password)[:-1] + '\\u0000x"')])),
            ("NUL escape after the password", members([
                ("username", jdump(s.username)),
                ("password", jdump(s.password)[:-1] + '\\u0000"')])),
            ("NUL escape in username", members([
                ("username", jdump(s.username)[:-1] + '\\u0000"'),
                ("password", jdump(s.password))])),
            ("raw NUL byte in password", right.replace(
                jdump(s.password), jdump(s.password)[:-1] + '\0"')),
            ("invalid UTF-8", right.replace(
                jdump(s.password), jdump(s.password)[:-1] + '\udcff"')),
            ("lone surrogate escape", members([
                ("username", jdump(s.username)),
                ("password", '"\\ud800"')])),
            ("nested 17 deep", right[:-1] + ',"x":' + "[" * 16 + "]" * 16 +
             "}"),
            ("nested 2000 deep", "[" * 2000 + "]" * 2000),
            ("nested 2000 deep member", right[:-1] + ',"x":' + "[" * 1500 +
             "]" * 1500 + "}"),
            ("number of 100 digits", right[:-1] + ',"n":' + "9" * 100 + "}"),
            # Valid grammar, but not a finite number: the rule makes an
            # unexpected shape 400.
            ("number 1e999999", right[:-1] + ',"n":1e999999}'),
            ("33 members", right[:-1] + "".join(
                ',"m%d":0' % i for i in range(MEMBERS_MAX - 1)) + "}")):
        data = body.encode("utf-8", "surrogateescape")
        b.login(name, data, "bad_request")
    b.login("nested 16 deep", right[:-1] + ',"x":' + "[" * 15 + "]" * 15 +
            "}", "ok")
    b.login("32 members", right[:-1] + "".join(
        ',"m%d":0' % i for i in range(MEMBERS_MAX - 2)) + "}", "ok")

    form = "application/x-www-form-urlencoded"
    user_form = "username=" + form_escape(s.username)
    pass_form = "password=" + form_escape(s.password)
    for name, body in (
            ("form empty", ""),
            ("form duplicate username", "%s&%s&%s" % (user_form, user_form,
                                                      pass_form)),
            ("form duplicate password", "%s&%s&%s" % (user_form, pass_form,
                                                      pass_form)),
            ("form missing password", user_form),
            ("form field without equals", user_form + "&password"),
            ("form bad escape", user_form + "&password=%zz"),
            ("form truncated escape", user_form + "&password=%4"),
            ("form NUL in password", "%s&%s%%00" % (user_form, pass_form)),
            ("form raw space", user_form + "&password=a b"),
            ("form raw UTF-8", user_form + "&password=\u00e9")):
        b.login(name, body.encode(), "bad_request", content_type=form)

    for name, password in (
            ("password prefix", s.password[:-1]),
            ("password first character", s.password[:1]),
            ("password empty", ""),
            ("password extended", s.password + "x"),
            ("password and a space", s.password + " "),
            ("space and password", " " + s.password),
            ("password in capitals", s.password.upper()),
            ("password twice", s.password * 2)):
        b.login(name, b.login_json(password=password), "unauthorized")
    for name, username in (
            ("username prefix", s.username[:-1]),
            ("username extended", s.username + "x"),
            ("username in capitals", s.username.upper()),
            ("username empty", "")):
        b.login(name, b.login_json(username=username), "unauthorized")
    b.login("both wrong", b.login_json("nobody", "nothing"), "unauthorized")
    b.login("username and password swapped",
            b.login_json(s.password, s.username), "unauthorized")
    # A long wrong password must be rejected as fast as a short one.
    long_body = b.login_json(password="x" * (BODY_MAX - 200))
    b.login("very long password", long_body, "unauthorized")
    b.cases[-1].max_seconds = 1.0
    b.login("very long right-prefixed password",
            b.login_json(password=s.password + "x" * (BODY_MAX - 300)),
            "unauthorized")
    b.cases[-1].max_seconds = 1.0

    for name, content_type in (
            ("text/plain", "text/plain"),
            ("missing content type", None),
            ("multipart body", "multipart/form-data; boundary=XyZ"),
            ("charset latin1", "application/json; charset=latin1"),
            ("unknown parameter", "application/json; boundary=x"),
            ("application/jsonx", "application/jsonx"),
            ("two types in one", "application/json, text/plain"),
            ("application/jwt", "application/jwt"),
            ("empty subtype", "application/")):
        body = right
        if name == "multipart body":
            body = ("--XyZ\r\nContent-Disposition: form-data; name="
                    "\"username\"\r\n\r\n%s\r\n--XyZ\r\nContent-Disposition"
                    ": form-data; name=\"password\"\r\n\r\n%s\r\n--XyZ--\r\n"
                    % (s.username, s.password))
        b.login(name, body, "media_type", content_type=content_type)
    b.login("charset utf-8 quoted", right, "ok",
            content_type='application/json; charset="utf-8"')
    b.login("two Content-Type headers", right, "bad_request", headers=[
        ("Content-Type", "application/json")])

    # The body is JSON when Accept gives application/json a higher quality
    # than text/plain, counting wildcards (RFC 9110 section 12.5.1).  The
    # README fixes no body for an invalid Accept value, only the token.
    for name, accept, outcome in (
            ("application/json", "application/json", "ok_json"),
            ("application/*", "application/*", "ok_json"),
            ("JSON over text", "text/plain;q=0.5, application/json",
             "ok_json"),
            ("ranked list", "application/json;q=0.9, text/plain;q=0.8, "
             "*/*;q=0.1", "ok_json"),
            ("any type", "*/*", "ok"),
            ("tie", "text/plain, application/json", "ok"),
            ("JSON refused", "application/json;q=0", "ok"),
            ("text only", "text/plain", "ok"),
            ("q over 1", "application/json;q=2", "ok_any"),
            ("q of four decimals", "application/json;q=0.0001", "ok_any"),
            ("empty parameters", "application/json;;;", "ok_any"),
            ("no subtype", "application", "ok_any"),
            ("unclosed quote", 'application/json;x="a', "ok_any"),
            ("300 ranges", ", ".join(["text/x%d;q=0.%d" % (i, i % 10)
                                      for i in range(300)]), "ok_any")):
        b.login("Accept %s" % name, right, outcome,
                headers=[("Accept", accept)])

    b.login("GET", b"", "method", method="GET", content_type=None)
    b.login("OPTIONS", b"", "method", method="OPTIONS", content_type=None)
    b.login("HEAD", b"", "method", method="HEAD", content_type=None)
    b.cases[-1].head = True
    b.login("22 header fields", right, "fields", headers=[
        ("X-Filler-%d" % i, str(i)) for i in range(FIELDS_MAX - 1)])
    b.login("PUT", right, "method", method="PUT")
    b.login("DELETE", b"", "method", method="DELETE", content_type=None)
    # README: Kore rejects a POST without Content-Length with 411.
    b.login("no Content-Length", b"", "length_required",
            content_length=False)
    b.login("chunked body", b"", "length_required", content_length=False,
            headers=[("Transfer-Encoding", "chunked")])
    b.login("TRACE", b"", "http_400", method="TRACE", content_type=None)

    # Message framing (RFC 9112 section 6): a Content-Length that is not
    # one number, or a Transfer-Encoding Kore cannot decode, is a
    # malformed request, which a proxy in front may frame the other way.
    # An unknown transfer coding may also be 501 (RFC 9112 section 6.1).
    right_bytes = right.encode()
    smuggled = b"GET /bearer HTTP/1.1\r\nHost: x\r\n\r\n"
    b.login("two Content-Length values", right_bytes + smuggled,
            "http_400", content_length=False, headers=[
                ("Content-Length", str(len(right_bytes) + len(smuggled))),
                ("Content-Length", str(len(right_bytes)))])
    b.login("Content-Length with a plus sign", right_bytes, "http_400",
            content_length=False, headers=[
                ("Content-Length", "+%d" % len(right_bytes))])
    b.login("Content-Length and chunked", right_bytes, "http_400",
            content_length=len(right_bytes), headers=[
                ("Transfer-Encoding", "chunked")])
    b.cases[-1].status = (400, 501)


def form_escape(text):
    """Percent-encodes text for a form body (WHATWG URL standard)."""
    out = []
    for byte in text.encode():
        c = chr(byte)
        if c.isascii() and (c.isalnum() or c in "*-._"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


# ---------------------------------------------------------------------------
# Size

def size_cases(b):
    b.kind = "Size"
    for n in (3000, 4096, 6000):
        b.with_token("%d dots" % n, "." * n, "format")

    # A valid token of exactly 4096 characters, then one of 4097: the
    # header, the 43-character signature and two dots take the rest, so
    # the payload fills what is left.  No base64url text is 1 modulo 4
    # characters long, so where the payload would need that, spaces in
    # the header lengthen it instead.
    fixed = b.payload(x='""')
    for total, outcome in ((TOKEN_LEN_MAX, "ok"),
                           (TOKEN_LEN_MAX + 1, "format")):
        for spaces in range(3):
            header = HEADER[:-1] + " " * spaces + "}"
            header64 = b64url(header.replace("@KID@", b.s.kid))
            payload64_len = total - len(header64) - 43 - 2
            if payload64_len % 4 != 1:
                break
        payload_len = payload64_len * 3 // 4
        pad = payload_len - len(fixed)
        token = b.token(header=header, x=jdump("p" * pad))
        assert len(token) == total, (len(token), total)
        b.with_token("valid token of %d characters" % total, token, outcome)

    # A b64token of about 8100 characters: over the token limit (step 1)
    # while the head still fits.
    near = HEAD_MAX - 10 - len(b.get("/bearer", [("Authorization",
                                                   "Bearer ")]))
    b.bearer("token near the head limit", "Bearer " + "A" * near, "format")
    good = "Bearer " + b.good_token()
    # The head, up to and including the blank line, fits 8192 bytes.
    for size, outcome in ((HEAD_MAX, "ok"), (HEAD_MAX + 1, "closed")):
        b.bearer("head of %d bytes" % size, None, outcome,
                 headers=padded_head(b, size, [("Authorization", good)]))
    b.bearer("head of 20000 bytes", None, "closed",
             headers=padded_head(b, 20000, [("Authorization", good)]))
    b.bearer("Authorization of 9000 bytes", None, "closed", headers=[
        ("Authorization", "Bearer " + "A" * 9000)])

    body = "x" * (BODY_MAX + 1)
    b.login("body of 4097 bytes", body, "too_large")
    b.login("body of 65536 bytes", "x" * 65536, "too_large")
    b.login("Content-Length of a gigabyte", b"", "too_large",
            content_length=10 ** 9)
    b.login("body of 4097 bytes with right credentials", right_padded(
        b, BODY_MAX + 1), "too_large")
    b.login("body of 4096 bytes with right credentials", right_padded(
        b, BODY_MAX), "ok")
    b.bearer("bearer body over the limit", None, "too_large",
             method="POST", headers=[("Authorization", good),
                                     ("Content-Type", "application/json")],
             body="x" * (BODY_MAX + 1))


def padded_head(b, size, headers):
    """Returns headers plus an X-Pad field sized so that the whole GET
    /bearer head is size bytes."""
    base = len(b.get("/bearer", headers + [("X-Pad", "")]))
    if size < base:
        raise ValueError("head of %d bytes is below %d" % (size, base))
    return headers + [("X-Pad", "p" * (size - base))]


def right_padded(b, size):
    """The right credentials as a JSON body of exactly size bytes."""
    body = members([("username", jdump(b.s.username)),
                    ("password", jdump(b.s.password)), ("pad", '""')])
    body = body[:-3] + '"' + "p" * (size - len(body.encode())) + '"}'
    assert len(body.encode()) == size
    return body


# ---------------------------------------------------------------------------
# Route and method

def route_cases(b):
    b.kind = "Route"
    token = b.good_token()
    # Kore routes /bearer exactly, so other paths are 404 and never get
    # the data, with or without a token.  An encoded NUL may also be
    # rejected as a malformed request.
    for path in ("/bearer/", "/Bearer", "/bearer/..", "//bearer",
                 "/bearer.json", "/jwt/../bearer"):
        b.add("path %s" % path, b.get(path, [
            ("Authorization", "Bearer " + token)]), 404)
    b.add("path /bearer%00", b.get("/bearer%00", [
        ("Authorization", "Bearer " + token)]), (400, 404), fresh=True)
    b.bearer("query string", "Bearer " + token, "ok",
             path="/bearer?x=1&access_token=y")
    for method in ("DELETE", "PUT", "OPTIONS"):
        body = b"{}" if method == "PUT" else b""
        b.add("%s /bearer" % method, b.get(
            "/bearer", [("Authorization", "Bearer " + token)],
            method=method, body=body), 405,
            headers={"allow": "GET, HEAD, POST"})
    # README: a method Kore does not know gets 400 from Kore.
    for method in ("TRACE", "get", "BREW"):
        b.add("%s /bearer" % method, b.get(
            "/bearer", [("Authorization", "Bearer " + token)],
            method=method), 400, fresh=True)


# ---------------------------------------------------------------------------

def build_cases(settings, now, kinds=KINDS):
    """Returns the cases of the given kinds for a server started with
    settings, with every time claim relative to now (seconds)."""
    b = Builder(settings, now)
    makers = {
        "Cache": cache_cases,
        "Algorithm": algorithm_cases,
        "Kid": kid_cases,
        "Signature": signature_cases,
        "Encoding": encoding_cases,
        "JSON": json_cases,
        "Claims": claims_cases,
        "Authorization": authorization_cases,
        "Login": login_cases,
        "Size": size_cases,
        "Route": route_cases,
    }
    for kind in kinds:
        makers[kind](b)
    if "Cache" in kinds:
        cache_late_cases(b)
    return b.cases
