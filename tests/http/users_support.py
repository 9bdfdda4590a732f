#!/usr/bin/env python3
"""Helpers for the users tests, independent of the service's C code.

hash:   prints an encoded password hash in the users file's layout,
        made with Python's hashlib (scrypt or PBKDF2-HMAC-SHA256);
claims: verifies a token with PyJWT and prints its payload as JSON.
The password is read from standard input, never from the command line.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

import jwt


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def command_hash(args):
    password = sys.stdin.buffer.read().rstrip(b"\n")
    salt = os.urandom(16)
    if args.alg == "scrypt":
        n = 1 << args.ln
        derived = hashlib.scrypt(password, salt=salt, n=n, r=args.r,
                                 p=args.p, dklen=32,
                                 maxmem=256 * 1024 * 1024 + 65536)
        print("$scrypt$ln=%d,r=%d,p=%d$%s$%s"
              % (args.ln, args.r, args.p, b64url(salt), b64url(derived)))
    else:
        derived = hashlib.pbkdf2_hmac("sha256", password, salt, args.i, 32)
        print("$pbkdf2-sha256$i=%d$%s$%s"
              % (args.i, b64url(salt), b64url(derived)))


def command_claims(args):
    secret = os.environ["HTTP_TEST_JWT_SECRET"]
    claims = jwt.decode(args.token, secret, algorithms=["HS256"],
                        options={"verify_iss": False})
    print(json.dumps(claims, separators=(",", ":"), sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("hash", help="encoded hash of stdin")
    p.add_argument("alg", choices=["scrypt", "pbkdf2"])
    p.add_argument("--ln", type=int, default=4)
    p.add_argument("--r", type=int, default=8)
    p.add_argument("--p", type=int, default=1)
    p.add_argument("--i", type=int, default=1000)
    p.set_defaults(run=command_hash)

    p = commands.add_parser("claims", help="verified payload as JSON")
    p.add_argument("token")
    p.set_defaults(run=command_claims)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
