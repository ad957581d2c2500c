"""Follows the ephemeral progress stream: live to the user, to the jobs table at most 1/s.

Every gateway replica follows the whole stream (XREAD, no group): each one may hold
SSE connections of any user. Writes to the jobs table are idempotent (latest wins).
"""
from __future__ import annotations

import asyncio
import time

import asyncpg

from mf_contracts.db import DATABASE_DOWN
from mf_contracts.envelope import Undecodable, decode
from mf_contracts.events import Stream
from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime
from redis.exceptions import RedisError

from . import store
from .notify import notify
from .views import job_view

log = get_logger(__name__)
DB_EVERY_S = 1.0


async def follow_progress(rt: Runtime, stop: asyncio.Event) -> None:
    key = rt.keys.stream(Stream.PROGRESS)
    last_id = "$"
    written: dict = {}
    while not stop.is_set():
        try:
            resp = await rt.redis.xread({key: last_id}, count=500, block=1000)
        except (RedisError, OSError) as exc:
            log.warning("progress stream unavailable", error=str(exc))
            await asyncio.sleep(1)
            continue
        for _, items in resp or []:
            for entry_id, fields in items:
                last_id = entry_id
                await _apply(rt, fields.get(b"e", b""), written)


async def _apply(rt: Runtime, raw: bytes, written: dict) -> None:
    try:
        env = decode(raw)
    except Undecodable:
        return
    if env.user_id is None:
        return
    p = env.payload
    fields = {"stage": p.stage, "progress": p.percent, "speed": p.speed, "eta": p.eta,
              "downloaded_bytes": p.downloaded_bytes, "total_bytes": p.total_bytes}
    now = time.monotonic()
    if now - written.get(env.correlation_id, 0) >= DB_EVERY_S or (p.percent or 0) >= 100:
        written[env.correlation_id] = now
        try:
            async with rt.pool.acquire() as conn:
                row = await store.set_progress(conn, env.correlation_id, **fields)
        except (asyncpg.PostgresError, *DATABASE_DOWN) as exc:
            # Progress is a snapshot and the next tick writes a newer one; a database
            # restart used to end this follower, and with it the gateway (tests/faults).
            log.warning("progress not stored", error=str(exc))
            return
        if row is None:
            return  # finished or unknown: don't show progress of a finished job
        await notify(rt.redis, rt.keys.prefix, user_id=env.user_id, kind="job", data=job_view(row))
    else:
        await notify(rt.redis, rt.keys.prefix, user_id=env.user_id, kind="progress",
                     data={"id": str(env.correlation_id), **fields})
    if len(written) > 10_000:
        written.clear()
