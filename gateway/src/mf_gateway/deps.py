"""Who is calling: FastAPI dependencies for the web app's JWT and the extension's token.

`CurrentUser` is a signed-in person (JWT): only they manage tokens, users and pairing.
`Submitter`/`CookieUploader` also accept an extension token carrying that scope.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from mf_contracts.service import Runtime

from . import domain, store
from .security import InvalidToken, read_access_token

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    is_admin: bool
    via: str  # "jwt" | "extension"
    scopes: frozenset[str] = field(default=domain.SCOPES)


async def runtime(request: Request) -> Runtime:  # async: no thread hop per request
    return request.app.state.rt


Rt = Annotated[Runtime, Depends(runtime)]


async def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "sign in first (no bearer token)", headers=UNAUTHORIZED)
    return token.strip()


async def principal(request: Request, rt: Rt) -> Principal:
    token = await bearer(request)
    if token.startswith("mfx_"):
        return await _extension_principal(rt, token)
    try:
        claims = read_access_token(rt.settings.jwt_secret, token)
    except InvalidToken:
        raise HTTPException(401, "invalid or expired token", headers=UNAUTHORIZED) from None
    # A signature proves who the token was issued to, not that the account still exists
    # (or is still an admin): a deleted user's token used to go on submitting jobs, and
    # made pairing and token creation fail with a 500 (foreign key; tests/faults).
    async with rt.pool.acquire() as conn:
        user = await store.user_by_id(conn, claims.user_id)
    if user is None:
        raise HTTPException(401, "this account no longer exists", headers=UNAUTHORIZED)
    return Principal(user["id"], user["is_admin"], "jwt")


async def _extension_principal(rt: Runtime, token: str) -> Principal:
    parsed = domain.parse_extension_token(token)
    async with rt.pool.acquire() as conn:
        row = await store.extension_token_by_prefix(conn, parsed.prefix) if parsed else None
        if row is None or not _same(row["token_hash"], domain.sha256(token)):
            raise HTTPException(401, "extension token is invalid or was revoked", headers=UNAUTHORIZED)
        await store.touch_extension_token(conn, row["id"])
    return Principal(row["user_id"], row["is_admin"], "extension", frozenset(row["scopes"]))


def _same(a: bytes, b: bytes) -> bool:
    import hmac

    return hmac.compare_digest(bytes(a), b)


AnyPrincipal = Annotated[Principal, Depends(principal)]


async def person(p: AnyPrincipal) -> Principal:
    if p.via != "jwt":
        raise HTTPException(403, "sign in to the web app for this (extension tokens cannot do it)")
    return p


async def admin(p: Annotated[Principal, Depends(person)]) -> Principal:
    if not p.is_admin:
        raise HTTPException(403, "only an administrator can do this")
    return p


def scoped(scope: str):
    async def check(p: AnyPrincipal) -> Principal:
        if scope not in p.scopes:
            raise HTTPException(403, f"this token lacks the '{scope}' scope")
        return p
    return check


CurrentUser = Annotated[Principal, Depends(person)]
Admin = Annotated[Principal, Depends(admin)]
Submitter = Annotated[Principal, Depends(scoped("submit"))]
CookieUploader = Annotated[Principal, Depends(scoped("cookies"))]


async def rate_limit(rt: Runtime, *, bucket: str, key: str, per_minute: int) -> None:
    """A fixed one-minute window in Redis: enough to make guessing codes pointless."""
    name = f"{rt.keys.prefix}rate:{bucket}:{key}"
    count = await rt.redis.incr(name)
    if count == 1:
        await rt.redis.expire(name, 60)
    if count > per_minute:
        raise HTTPException(429, "too many attempts; wait a minute", headers={"Retry-After": "60"})
