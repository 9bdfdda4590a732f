"""Python side of the HTTP tests: tokens made and checked with PyJWT, an
independent HS256 encoder, JSON fields of response bodies and request bodies.

Run with Debian's /usr/bin/python3, which has python3-jwt (PyJWT 2.x).
The HMAC secret is read from the HTTP_TEST_JWT_SECRET environment variable
so that it never appears in a command line.  Tokens carry the kid the
service derives from that secret unless --kid names another one; the
derivation is written here from its definition, not taken from the service.  Every command prints its result
on stdout and exits 0, or prints an error on stderr and exits 1.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import urllib.parse

import jwt

SECRET_VARIABLE = "HTTP_TEST_JWT_SECRET"


def secret():
    value = os.environ.get(SECRET_VARIABLE)
    if value is None:
        sys.exit("support.py: %s is not set" % SECRET_VARIABLE)
    return value.encode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def derived_kid(key):
    """The kid the service derives from a secret: the first 8 bytes of
    HMAC-SHA256(secret, "kid") in unpadded base64url."""
    return b64url(hmac.new(key, b"kid", hashlib.sha256).digest()[:8])


def kid_for(args):
    return args.kid if args.kid is not None else derived_kid(secret())


def sign(header_text, payload_text, pad=False):
    """Signs the header and payload bytes exactly as given, so a test can
    send JSON that PyJWT would never produce (duplicate names, odd types)."""
    signing_input = b64url(header_text.encode()) + "." + \
        b64url(payload_text.encode())
    mac = hmac.new(secret(), signing_input.encode(), hashlib.sha256).digest()
    signature = b64url(mac)
    if pad:
        signature += "=" * (-len(signature) % 4)
    return signing_input + "." + signature


def command_encode(args):
    headers = {} if args.no_kid else {"kid": kid_for(args)}
    if args.header:
        headers.update(json.loads(args.header))
    # PyJWT signs alg "none" only with no key at all.
    key = None if args.alg == "none" else secret()
    token = jwt.encode(json.loads(args.claims), key, algorithm=args.alg,
                       headers=headers)
    print(token)


def command_raw(args):
    """Signs the texts as given, with @KID@ in the header replaced."""
    header = args.header.replace("@KID@", kid_for(args))
    print(sign(header, args.payload, pad=args.pad))


def command_kid(args):
    print(derived_kid(secret()))


def command_layout(args):
    """Builds the token that Node's jsonwebtoken signs for these claims
    with the keyid option: JSON.stringify output (compact, members in
    insertion order, non-ASCII kept as UTF-8) of the header alg, typ, kid
    and of sub, iss, org, perms, iat, exp.  Checked once against
    jsonwebtoken 9.0.3, before tokens had a kid, for ASCII and non-ASCII
    subs; control characters in a sub were not compared.  test_matrix.sh
    compares issued tokens with jsonwebtoken's own output, kid included."""
    header = json.dumps({"alg": "HS256", "typ": "JWT",
                         "kid": kid_for(args)}, separators=(",", ":"))
    payload = json.dumps({
        "sub": args.sub,
        "iss": args.iss,
        "org": args.org,
        "perms": args.perms.split(",") if args.perms else [],
        "iat": args.iat,
        "exp": args.exp,
    }, separators=(",", ":"), ensure_ascii=False)
    print(sign(header, payload))


def command_decode(args):
    """Verifies a token with PyJWT and prints one claim: a string as is,
    anything else as JSON."""
    try:
        claims = jwt.decode(args.token, secret(), algorithms=["HS256"],
                            issuer=args.issuer,
                            options={"require": ["exp", "iat", "iss",
                                                 "sub"]})
    except jwt.PyJWTError as error:
        sys.exit("PyJWT rejected the token: %s: %s"
                 % (type(error).__name__, error))
    if args.claim not in claims:
        sys.exit("claim %s is missing" % args.claim)
    value = claims[args.claim]
    if isinstance(value, str):
        print(value)
    else:
        print(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def command_segment(args):
    """Prints one base64url-decoded segment of a token, byte for byte."""
    segments = args.token.split(".")
    if len(segments) != 3:
        sys.exit("token has %d segments, expected 3" % len(segments))
    sys.stdout.buffer.write(b64url_decode(segments[args.index]))


def command_json_get(args):
    with open(args.file, "rb") as f:
        document = json.loads(f.read())
    if not isinstance(document, dict) or args.key not in document:
        sys.exit("member %s is missing" % args.key)
    print(json.dumps(document[args.key], separators=(",", ":")))


def command_json_keys(args):
    with open(args.file, "rb") as f:
        document = json.loads(f.read())
    if not isinstance(document, dict):
        sys.exit("not a JSON object")
    print(",".join(sorted(document)))


def command_json_object(args):
    """Prints a JSON object of string members given as name=value."""
    members = {}
    for pair in args.members:
        name, _, value = pair.partition("=")
        members[name] = value
    print(json.dumps(members, separators=(",", ":"), ensure_ascii=False))


def command_form(args):
    pairs = [pair.partition("=")[::2] for pair in args.members]
    print(urllib.parse.urlencode(pairs))


def command_padded_json(args):
    """Writes a JSON login body of exactly args.size bytes, without a
    newline, by filling a "pad" member."""
    body = {"username": args.username, "password": args.password, "pad": ""}
    base = len(json.dumps(body, separators=(",", ":")).encode())
    if base > args.size:
        sys.exit("size %d is below the minimum %d" % (args.size, base))
    body["pad"] = "x" * (args.size - base)
    data = json.dumps(body, separators=(",", ":")).encode()
    assert len(data) == args.size
    with open(args.file, "wb") as f:
        f.write(data)


def command_one_line(args):
    """Exits 0 when the file is a non-empty single line: no CR or LF except
    one final line ending."""
    with open(args.file, "rb") as f:
        data = f.read()
    for ending in (b"\r\n", b"\n"):
        if data.endswith(ending):
            data = data[:-len(ending)]
            break
    if not data:
        sys.exit("body is empty")
    if b"\n" in data or b"\r" in data:
        sys.exit("body has more than one line")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("encode", help="sign claims with PyJWT")
    p.add_argument("--alg", default="HS256")
    p.add_argument("--claims", required=True, help="JSON object")
    p.add_argument("--header", help="extra header members, JSON object")
    p.add_argument("--kid", help="kid header (default: derived)")
    p.add_argument("--no-kid", action="store_true", help="omit the kid")
    p.set_defaults(run=command_encode)

    p = commands.add_parser("raw", help="sign header and payload text as is")
    p.add_argument("--header", required=True)
    p.add_argument("--payload", required=True)
    p.add_argument("--pad", action="store_true",
                   help="append base64 padding to the signature")
    p.add_argument("--kid", help="replaces @KID@ (default: derived)")
    p.set_defaults(run=command_raw)

    p = commands.add_parser("kid", help="print the kid derived from secret")
    p.set_defaults(run=command_kid)

    p = commands.add_parser("layout", help="token as jsonwebtoken makes it")
    p.add_argument("--sub", required=True)
    p.add_argument("--iss", required=True)
    p.add_argument("--org", required=True)
    p.add_argument("--perms", required=True, help="comma-separated")
    p.add_argument("--iat", required=True, type=int)
    p.add_argument("--exp", required=True, type=int)
    p.add_argument("--kid", help="kid header (default: derived)")
    p.set_defaults(run=command_layout)

    p = commands.add_parser("decode", help="verify with PyJWT, print claim")
    p.add_argument("--issuer", required=True)
    p.add_argument("--claim", required=True)
    p.add_argument("token")
    p.set_defaults(run=command_decode)

    p = commands.add_parser("segment", help="print a decoded token segment")
    p.add_argument("--index", type=int, choices=(0, 1, 2), required=True)
    p.add_argument("token")
    p.set_defaults(run=command_segment)

    p = commands.add_parser("json-get", help="print a member as JSON")
    p.add_argument("file")
    p.add_argument("key")
    p.set_defaults(run=command_json_get)

    p = commands.add_parser("json-keys", help="print sorted member names")
    p.add_argument("file")
    p.set_defaults(run=command_json_keys)

    p = commands.add_parser("json-object", help="build a JSON object")
    p.add_argument("members", nargs="*", metavar="name=value")
    p.set_defaults(run=command_json_object)

    p = commands.add_parser("form", help="build a form body")
    p.add_argument("members", nargs="*", metavar="name=value")
    p.set_defaults(run=command_form)

    p = commands.add_parser("padded-json", help="login body of exact size")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("file")
    p.set_defaults(run=command_padded_json)

    p = commands.add_parser("one-line", help="check a body is one line")
    p.add_argument("file")
    p.set_defaults(run=command_one_line)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
