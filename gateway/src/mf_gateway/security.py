"""Passwords (argon2id) and access tokens (JWT, HS256 only).

Only HS256 is accepted when decoding, so `alg: none` and tokens signed for another
algorithm or key are rejected before their claims are read.
"""
from __future__ import annotations

import time
import uuid
import warnings
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():  # authlib.jose still works; its successor is not a dependency
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebToken
    from authlib.jose.errors import JoseError

ACCESS_TTL_S = 15 * 60
REFRESH_TTL_S = 30 * 24 * 3600
_jwt = JsonWebToken(["HS256"])
_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so login takes the same
# time either way (no username probing by timing).
_DUMMY_HASH = _hasher.hash("mediafetcher-dummy-password")


class InvalidToken(Exception):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    is_admin: bool
    expires_at: int


def issue_access_token(secret: str, *, user_id: uuid.UUID, is_admin: bool,
                       ttl_s: int = ACCESS_TTL_S, now: float | None = None) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    claims = {"sub": str(user_id), "adm": is_admin, "typ": "access", "iat": issued,
              "exp": issued + ttl_s, "jti": uuid.uuid4().hex}
    token = _jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, secret.encode())
    return token.decode(), ttl_s


def read_access_token(secret: str, token: str, *, now: float | None = None) -> AccessClaims:
    try:
        claims = _jwt.decode(token, secret.encode(), claims_options={
            "exp": {"essential": True}, "sub": {"essential": True},
            "typ": {"essential": True, "value": "access"}})
        claims.validate(now=int(now if now is not None else time.time()), leeway=5)
        return AccessClaims(uuid.UUID(claims["sub"]), bool(claims.get("adm")), int(claims["exp"]))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise InvalidToken(str(exc) or type(exc).__name__) from None
