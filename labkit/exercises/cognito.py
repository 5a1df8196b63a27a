"""Checks for labs/cognito."""
from __future__ import annotations

import base64
import json
import time
import urllib.request

from ..checks import Verdict, expect, failed, passed
from ..engines import current


def b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def jwks_url(pool_id: str) -> str:
    engine = current()
    base = engine.endpoint_url or f"https://cognito-idp.{engine.region}.amazonaws.com"
    return f"{base}/{pool_id}/.well-known/jwks.json"


def signature_ok(token: str, pool_id: str) -> bool:
    """RS256 signature of ``token`` checked against the pool's published JSON Web Key Set."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    header_b64, payload_b64, signature_b64 = token.split(".")
    try:
        header = json.loads(b64url(header_b64))
    except ValueError:  # not a JWT header: no signature of the pool can match
        return False
    if not isinstance(header, dict):
        return False
    with urllib.request.urlopen(jwks_url(pool_id), timeout=10) as response:
        keys = json.load(response)["keys"]
    key = next((k for k in keys if k["kid"] == header.get("kid")), None)
    if key is None or header.get("alg") != "RS256":
        return False
    public = rsa.RSAPublicNumbers(int.from_bytes(b64url(key["e"]), "big"),
                                  int.from_bytes(b64url(key["n"]), "big")).public_key()
    try:
        signature = b64url(signature_b64)
    except ValueError:
        return False
    try:
        public.verify(signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(),
                      hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def group_in_id_token(token: str, pool_id: str, client_id: str, group: str = "editors") -> Verdict:
    """``token`` is a valid, signed ID token of ``pool_id``/``client_id`` whose ``cognito:groups`` lists ``group``."""
    if isinstance(token, dict) and ("IdToken" in token or "AuthenticationResult" in token):
        return failed("my_id_token holds the whole answer of the sign-in: keep only its "
                      "['AuthenticationResult']['IdToken'] string.")
    expect(token, "my_id_token", str, "the IdToken string of the signed-in user")
    if token.count(".") != 2:
        return failed("my_id_token should be the IdToken string (three base64url parts separated by dots).")
    try:
        claims = json.loads(b64url(token.split(".")[1]))
    except ValueError:
        return failed("my_id_token does not decode as a JSON Web Token: copy the IdToken string exactly as "
                      "the sign-in returned it.")
    if not isinstance(claims, dict):
        return failed("my_id_token does not decode as a JSON Web Token: use AuthenticationResult['IdToken'].")
    if claims.get("token_use") != "id":
        return failed(f"This is an {claims.get('token_use')} token: use AuthenticationResult['IdToken'].")
    if not claims.get("iss", "").endswith("/" + pool_id) or claims.get("aud") != client_id:
        return failed("This token was issued for another user pool or app client: sign in with this lab's "
                      "pool and client.")
    if not signature_ok(token, pool_id):
        return failed("The signature does not match the pool's JWKS: was the token edited by hand? Sign in again.")
    if claims.get("exp", 0) < time.time():
        return failed("The token has expired: sign in again (or use the refresh token).")
    groups = claims.get("cognito:groups", [])
    if group not in groups:
        return failed(f"cognito:groups is {groups or 'absent'}. Add the user to '{group}' with "
                      "admin_add_user_to_group, then sign in again: a token is a snapshot taken at sign-in.")
    return passed(f"A signed ID token whose cognito:groups contains '{group}': your API can authorize on it.")
