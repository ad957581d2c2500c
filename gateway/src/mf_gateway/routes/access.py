"""Extension access: tokens (shown once, revocable) and the pairing flow."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response

from .. import domain, store
from ..deps import CurrentUser, Rt, rate_limit
from ..schemas import (
    ExtensionTokenCreated,
    ExtensionTokenOut,
    NewExtensionToken,
    PairingCode,
    PairingExchange,
)

router = APIRouter(prefix="/api", tags=["extension"])
PAIRING_TTL = timedelta(minutes=10)


@router.get("/tokens", response_model=list[ExtensionTokenOut])
async def tokens(who: CurrentUser, rt: Rt) -> list[ExtensionTokenOut]:
    async with rt.pool.acquire() as conn:
        return [ExtensionTokenOut.model_validate(dict(r))
                for r in await store.list_extension_tokens(conn, who.user_id)]


@router.post("/tokens", response_model=ExtensionTokenCreated, status_code=201)
async def create_token(body: NewExtensionToken, who: CurrentUser, rt: Rt) -> ExtensionTokenCreated:
    return await _issue(rt, user_id=who.user_id, name=body.name, scopes=sorted(set(body.scopes)))


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke(token_id: uuid.UUID, who: CurrentUser, rt: Rt) -> Response:
    async with rt.pool.acquire() as conn:
        if not await store.revoke_extension_token(conn, user_id=who.user_id, token_id=token_id):
            raise HTTPException(404, "no such token")
    return Response(status_code=204)


@router.post("/extension/pairing", response_model=PairingCode, status_code=201)
async def pairing(who: CurrentUser, rt: Rt) -> PairingCode:
    """A short code to type into the extension; it trades it for a token once."""
    code = domain.new_pairing_code()
    expires = datetime.now(UTC) + PAIRING_TTL
    scopes = sorted(domain.SCOPES)
    async with rt.pool.acquire() as conn:
        await store.add_pairing_code(conn, code_hash=domain.sha256(code), user_id=who.user_id,
                                     scopes=scopes, expires_at=expires)
    return PairingCode(code=code, expires_at=expires, scopes=scopes)


@router.post("/extension/token", response_model=ExtensionTokenCreated, status_code=201)
async def exchange(body: PairingExchange, request: Request, rt: Rt) -> ExtensionTokenCreated:
    client = request.client.host if request.client else "unknown"
    await rate_limit(rt, bucket="pairing", key=client, per_minute=10)
    code = domain.normalize_code(body.code)
    async with rt.pool.acquire() as conn:
        row = await store.take_pairing_code(conn, domain.sha256(code))
    if row is None:
        raise HTTPException(400, "this pairing code is wrong, expired or used; make a new one in Settings")
    return await _issue(rt, user_id=row["user_id"], name=body.name, scopes=list(row["scopes"]))


async def _issue(rt, *, user_id: uuid.UUID, name: str, scopes: list[str]) -> ExtensionTokenCreated:
    token = domain.new_extension_token()
    async with rt.pool.acquire() as conn:
        row = await store.add_extension_token(conn, user_id=user_id, name=name, prefix=token.prefix,
                                              token_hash=domain.sha256(token.value), scopes=scopes)
    return ExtensionTokenCreated(**dict(row), token=token.value)
