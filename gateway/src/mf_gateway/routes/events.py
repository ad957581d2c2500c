"""Server-sent events: the signed-in user's job progress and library changes.

Each event's id is its entry id in the user's Redis stream, so a client that
reconnects with Last-Event-ID (header or `last_event_id` query) misses nothing.
Browsers' EventSource cannot send headers: it may use `?ticket=` from /api/events/ticket.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .. import domain
from ..deps import AnyPrincipal, Rt, principal
from ..notify import user_stream

router = APIRouter(prefix="/api/events", tags=["events"])
# Under redis-py's default socket read timeout (5 s), so a quiet stream is a keepalive,
# not a timeout.
KEEPALIVE_MS = 4_000
TICKET_TTL_S = 12 * 3600


@router.get("/ticket")
async def ticket(who: AnyPrincipal, rt: Rt) -> dict:
    expires = int(time.time()) + TICKET_TTL_S
    sig = domain.sign_link(rt.settings.jwt_secret, user_id=str(who.user_id), item_id="-",
                           kind="events", expires=expires)
    return {"url": f"/api/events?u={who.user_id}&exp={expires}&sig={sig}", "expires": expires}


@router.get("", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(request: Request, rt: Rt) -> StreamingResponse:
    user_id = await _user(request, rt)
    last = request.headers.get("last-event-id") or request.query_params.get("last_event_id") or "$"
    if last != "$" and not _valid_id(last):
        raise HTTPException(422, "Last-Event-ID is not an event id from this server")
    return StreamingResponse(_follow(request, rt, user_id=user_id, last=last),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _follow(request: Request, rt, *, user_id: uuid.UUID, last: str) -> AsyncIterator[bytes]:
    key = user_stream(rt.keys.prefix, user_id)
    if last == "$":  # start after what exists now, so later entries are not skipped by "$"
        newest = await rt.redis.xrevrange(key, count=1)
        last = newest[0][0].decode() if newest else "0-0"
    yield b"retry: 3000\n\n"
    while not await request.is_disconnected():
        try:
            resp = await rt.redis.xread({key: last}, count=100, block=KEEPALIVE_MS)
        except (ResponseError, RedisTimeoutError, RedisConnectionError):
            resp = None  # Redis hiccup: keep the client, try again after a keepalive
        if not resp:
            yield b": keepalive\n\n"
            continue
        for entry_id, fields in resp[0][1]:
            last = entry_id.decode()
            kind = fields[b"kind"].decode()
            yield b"id: %s\nevent: %s\ndata: %s\n\n" % (entry_id, kind.encode(), fields[b"data"])


async def _user(request: Request, rt) -> uuid.UUID:
    q = request.query_params
    if "sig" in q:
        try:
            if domain.check_link(rt.settings.jwt_secret, user_id=q["u"], item_id="-", kind="events",
                                 expires=int(q["exp"]), signature=q["sig"], now=time.time()):
                return uuid.UUID(q["u"])
        except (KeyError, ValueError):
            pass
        raise HTTPException(401, "this events link is invalid or has expired")
    return (await principal(request, rt)).user_id


def _valid_id(value: str) -> bool:
    ms, _, seq = value.partition("-")
    return ms.isdigit() and (seq == "" or seq.isdigit())
