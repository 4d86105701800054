#!/usr/bin/python3
"""Writes tests/data/interop/: tokens made by an independent JWS implementation (PyJWT).

tests/unit/crypto/interop_test.cpp checks that tokengate accepts every token PyJWT
signs and rejects the tampered ones, so a bug shared by our signer and our verifier
(tests/support signs with the same OpenSSL calls we verify with) cannot hide.

Regenerate (Debian 12 packages python3-jwt and python3-cryptography; run with the
system interpreter so those packages are the ones used):

    /usr/bin/python3 scripts/make-interop-fixtures.py            # writes tests/data/interop/
    /usr/bin/python3 scripts/make-interop-fixtures.py OUT_DIR    # writes elsewhere

Every run makes new keys, so all three files change together; commit them together.
Outputs:
    jwks.json    public keys only (RSA-2048, EC P-256/384/521, Ed25519), each with a kid
    hmac.secret  the HMAC secret, 64 ASCII bytes, no trailing newline
    pyjwt-short-coordinate.jwks.json
                 a P-521 JWK as PyJWT 2.6 publishes it, with a coordinate shorter than
                 RFC 7518 §6.2.1.2 allows (tokengate refuses it)
    tokens.json  {"tokens": [{name, alg, token, expected}]}; expected is "accepted" or
                 the reason code tokengate must report
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys

import cryptography
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ISSUER = "https://interop.tokengate.test/"
HMAC_ISSUER = "https://interop.tokengate.test/hmac"
AUDIENCE = "interop"
IAT = 1700000000          # 2023-11-14T22:13:20Z; the test evaluates at IAT + 100
EXP = 4102444800          # 2100-01-01T00:00:00Z: the fixtures do not expire

ASYMMETRIC = {
    "RS256": "rsa-2048", "RS384": "rsa-2048", "RS512": "rsa-2048",
    "PS256": "rsa-2048", "PS384": "rsa-2048", "PS512": "rsa-2048",
    "ES256": "ec-p256", "ES384": "ec-p384", "ES512": "ec-p521",
    "EdDSA": "ed25519",
}
SYMMETRIC = ["HS256", "HS384", "HS512"]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_keys():
    return {
        "rsa-2048": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec-p256": ec.generate_private_key(ec.SECP256R1()),
        "ec-p384": ec.generate_private_key(ec.SECP384R1()),
        "ec-p521": ec.generate_private_key(ec.SECP521R1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate(),
    }


def public_jwk(kid, private_key):
    public = private_key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        # No "alg": one RSA key serves RS* and PS*, and "alg" would pin it to one of them.
        jwk = json.loads(RSAAlgorithm.to_jwk(public))
    elif isinstance(public, ec.EllipticCurvePublicKey):
        # PyJWT 2.6's to_jwk writes coordinates without leading zero bytes; RFC 7518
        # §6.2.1.2 requires the full coordinate size, so they are written here instead
        # (pyjwt_short_coordinate_jwk() keeps PyJWT's own form for the test that refuses it).
        jwk = json.loads(ECAlgorithm.to_jwk(public))
        size = (public.curve.key_size + 7) // 8
        numbers = public.public_numbers()
        jwk["x"] = b64url(numbers.x.to_bytes(size, "big"))
        jwk["y"] = b64url(numbers.y.to_bytes(size, "big"))
        jwk["alg"] = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[jwk["crv"]]
    else:
        jwk = json.loads(OKPAlgorithm.to_jwk(public))
        jwk["alg"] = "EdDSA"
    jwk.pop("d", None)
    jwk.update({"kid": kid, "use": "sig"})
    return jwk


def pyjwt_short_coordinate_jwk():
    """A P-521 public JWK exactly as PyJWT's to_jwk writes it, for a key whose x or y has
    a leading zero byte (about half of all P-521 keys): one coordinate is then 65 bytes."""
    while True:
        key = ec.generate_private_key(ec.SECP521R1())
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        if min(len(b64url_decode(jwk["x"])), len(b64url_decode(jwk["y"]))) < 66:
            jwk.update({"kid": "pyjwt-short", "use": "sig"})
            return {"keys": [jwk]}


def claims(issuer, subject):
    return {"iss": issuer, "aud": AUDIENCE, "sub": subject, "iat": IAT, "exp": EXP}


def entry(name, alg, token, expected):
    return {"name": name, "alg": alg, "token": token, "expected": expected}


def replace_payload(token, new_claims):
    header, _, signature = token.split(".")
    payload = b64url(json.dumps(new_claims, separators=(",", ":")).encode())
    return ".".join([header, payload, signature])


def flip_signature_bit(token):
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([header, payload, b64url(bytes(raw))])


def hs256_with_secret(header, payload, secret):
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def valid_tokens(keys, secret):
    out = []
    for alg, kid in ASYMMETRIC.items():
        token = jwt.encode(claims(ISSUER, "interop-" + alg), keys[kid], algorithm=alg, headers={"kid": kid})
        out.append(entry(alg, alg, token, "accepted"))
    # Without kid tokengate tries every key that fits the alg.
    token = jwt.encode(claims(ISSUER, "interop-no-kid"), keys["ec-p256"], algorithm="ES256")
    out.append(entry("ES256 without kid", "ES256", token, "accepted"))
    for alg in SYMMETRIC:
        out.append(entry(alg, alg, jwt.encode(claims(HMAC_ISSUER, "interop-" + alg), secret, algorithm=alg),
                         "accepted"))
    return out


def tampered_tokens(keys, secret):
    out = []
    rs = jwt.encode(claims(ISSUER, "interop-RS256"), keys["rsa-2048"], algorithm="RS256",
                    headers={"kid": "rsa-2048"})
    out.append(entry("RS256 payload altered", "RS256",
                     replace_payload(rs, claims(ISSUER, "admin")), "bad_signature"))
    es = jwt.encode(claims(ISSUER, "interop-ES384"), keys["ec-p384"], algorithm="ES384",
                    headers={"kid": "ec-p384"})
    out.append(entry("ES384 signature bit flipped", "ES384", flip_signature_bit(es), "bad_signature"))
    ps = jwt.encode(claims(ISSUER, "interop-PS256"), keys["rsa-2048"], algorithm="PS256",
                    headers={"kid": "rsa-2048"})
    out.append(entry("PS256 signature bit flipped", "PS256", flip_signature_bit(ps), "bad_signature"))
    stranger = ed25519.Ed25519PrivateKey.generate()
    out.append(entry("EdDSA signed by a key outside the JWKS", "EdDSA",
                     jwt.encode(claims(ISSUER, "interop-EdDSA"), stranger, algorithm="EdDSA",
                                headers={"kid": "ed25519"}), "bad_signature"))
    other_secret = secrets.token_urlsafe(48)
    out.append(entry("HS256 signed with another secret", "HS256",
                     jwt.encode(claims(HMAC_ISSUER, "interop-HS256"), other_secret, algorithm="HS256"),
                     "bad_signature"))
    # Algorithm confusion: the RSA public key's PEM used as an HMAC secret. PyJWT refuses
    # to do this itself, so the MAC comes from Python's hmac module.
    pem = keys["rsa-2048"].public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    confused = hs256_with_secret({"alg": "HS256", "typ": "JWT", "kid": "rsa-2048"},
                                 claims(ISSUER, "admin"), pem)
    out.append(entry("HS256 with the RSA public key as secret", "HS256", confused, "alg_not_allowed"))
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "interop")
    os.makedirs(out_dir, exist_ok=True)

    keys = make_keys()
    # 64 ASCII bytes: long enough for HS512 (SPEC §3 refuses secrets shorter than the hash).
    secret = secrets.token_urlsafe(48)
    assert len(secret) == 64

    jwks = {"keys": [public_jwk(kid, k) for kid, k in keys.items()]}
    tokens = {
        "generator": "PyJWT %s, cryptography %s (scripts/make-interop-fixtures.py)"
                     % (jwt.__version__, cryptography.__version__),
        "issuer": ISSUER,
        "hmac_issuer": HMAC_ISSUER,
        "audience": AUDIENCE,
        "now": IAT + 100,
        "tokens": valid_tokens(keys, secret) + tampered_tokens(keys, secret),
    }

    with open(os.path.join(out_dir, "jwks.json"), "w", encoding="ascii") as f:
        json.dump(jwks, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "pyjwt-short-coordinate.jwks.json"), "w", encoding="ascii") as f:
        json.dump(pyjwt_short_coordinate_jwk(), f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "hmac.secret"), "w", encoding="ascii") as f:
        f.write(secret)
    with open(os.path.join(out_dir, "tokens.json"), "w", encoding="ascii") as f:
        json.dump(tokens, f, indent=2)
        f.write("\n")
    print("wrote %d tokens to %s" % (len(tokens["tokens"]), out_dir))


if __name__ == "__main__":
    main()
