"""The relay: publishes a service's outbox rows to Redis Streams, in seq order.

At-least-once: XADD happens before the row is marked, so a crash in between
publishes the row again, and consumers' inboxes drop the duplicate. One relay per
schema works at a time (advisory lock), which keeps a service's events in order.
"""
from __future__ import annotations

import asyncio
import zlib

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..db import DATABASE_DOWN
from ..logging import get_logger
from .keys import Keys
from .outbox import channel

log = get_logger(__name__)


# One round trip and one command to pack for a whole batch (the relay's hot path);
# atomic too: a batch is in the streams entirely or not at all.
_XADD_BATCH_LUA = """
for i = 1, #ARGV, 2 do
  redis.call('XADD', KEYS[tonumber(ARGV[i])], '*', 'e', ARGV[i + 1])
end
return #ARGV / 2
"""


async def _xadd_all(redis: Redis, keys: Keys, rows: list) -> None:
    stream_keys: list[str] = []
    index: dict[str, int] = {}
    args: list = []
    for row in rows:
        key = keys.stream(row["stream"])
        if key not in index:
            stream_keys.append(key)
            index[key] = len(stream_keys)
        args += (index[key], row["envelope"])
    await redis.eval(_XADD_BATCH_LUA, len(stream_keys), *stream_keys, *args)


def _lock_key(schema: str) -> int:
    return zlib.crc32(f"mf-relay:{schema}".encode())


async def publish_pending(pool: asyncpg.Pool, redis: Redis, keys: Keys, *, schema: str,
                          limit: int = 1000) -> int:
    """Publish one batch of unpublished rows; returns how many (0: nothing to do or locked)."""
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _lock_key(schema)):
            return 0
        rows = await conn.fetch(
            "SELECT seq, stream, envelope FROM outbox WHERE published_at IS NULL"
            " ORDER BY seq LIMIT $1", limit)
        if not rows:
            return 0
        await _xadd_all(redis, keys, rows)
        await conn.execute("UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])",
                           [r["seq"] for r in rows])
    return len(rows)


async def drain(pool: asyncpg.Pool, redis: Redis, keys: Keys, *, schema: str) -> int:
    total = 0
    while n := await publish_pending(pool, redis, keys, schema=schema):
        total += n
    return total


async def mark_unpublished(pool: asyncpg.Pool, *, since_seq: int = 0) -> int:
    """For replay: make every row (from since_seq) publishable again."""
    status = await pool.execute(
        "UPDATE outbox SET published_at = NULL WHERE seq >= $1 AND published_at IS NOT NULL",
        since_seq)
    return int(status.split()[-1])


class Relay:
    """Wakes on NOTIFY from committed appends, polls as a fallback."""

    def __init__(self, *, pool: asyncpg.Pool, redis: Redis, keys: Keys, schema: str,
                 dsn: str, poll_seconds: float = 1.0) -> None:
        self.pool, self.redis, self.keys, self.schema = pool, redis, keys, schema
        self.dsn, self.poll_seconds = dsn, poll_seconds
        self._wake = asyncio.Event()
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        try:
            while not stop.is_set():
                try:
                    self.published += await drain(self.pool, self.redis, self.keys,
                                                  schema=self.schema)
                # Redis restarting raises redis' own errors, which are not OSError; a
                # Postgres backend cut mid-transaction raises asyncpg errors that are not
                # PostgresError. Either way the rows stay unpublished and the next pass
                # sends them: the relay must not die (it did, taking its whole service
                # down with it: tests/faults, CLIENT KILL and pg_terminate_backend).
                except (asyncpg.PostgresError, *DATABASE_DOWN, RedisError) as exc:
                    log.warning("relay publish failed, will retry", error=str(exc))
                    await asyncio.sleep(self.poll_seconds)
                await self._wait(stop)
            self.published += await drain(self.pool, self.redis, self.keys, schema=self.schema)
        finally:
            if listener is not None:
                await listener.close()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await asyncpg.connect(self.dsn)
            await conn.add_listener(channel(self.schema), lambda *_: self._wake.set())
            return conn
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("relay cannot LISTEN, polling only", error=str(exc))
            return None

    async def _wait(self, stop: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(stop.wait())
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stopper, waker}, timeout=self.poll_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            waker.cancel()
        self._wake.clear()
