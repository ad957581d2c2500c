"""A second way in for JobCancelled: straight off the jobs stream, outside the group.

The consumer reads a stream only when a download slot is free (long handlers bound
how much it takes), and JobCancelled shares the `jobs` stream with UrlSubmitted: with
every slot busy, a cancel would wait for a download to finish, possibly the very one
it should stop. This task follows the stream with a plain XREAD (it takes nothing
from the group) and records each cancellation at once. The group's handler records
the same fact again later (an idempotent insert), and covers the time this task was
not running.
"""
from __future__ import annotations

import asyncio

from mf_contracts.envelope import Undecodable, decode
from mf_contracts.events import JobCancelled, Stream
from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime
from redis.exceptions import RedisError

from . import store

log = get_logger(__name__)


async def follow_cancellations(rt: Runtime, stop: asyncio.Event) -> None:
    key, last = rt.keys.stream(Stream.JOBS), "$"
    while not stop.is_set():
        try:
            resp = await rt.redis.xread({key: last}, count=200, block=500)
        except (RedisError, OSError) as exc:
            log.warning("cannot follow cancellations", error=str(exc))
            await asyncio.sleep(1)
            continue
        for _, items in resp or []:
            for entry_id, fields in items:
                last = entry_id
                await _record(rt, fields.get(b"e", b""))


async def _record(rt: Runtime, raw: bytes) -> None:
    try:
        env = decode(raw)
    except Undecodable:
        return  # the consumer group logs it
    if isinstance(env.payload, JobCancelled):
        async with rt.pool.acquire() as conn:
            await store.record_cancel(conn, job_id=env.correlation_id, reason=env.payload.reason)
