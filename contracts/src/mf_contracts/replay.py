"""Recovery from the event log (every service's outbox in Postgres).

republish: Redis lost its data (restart without AOF, FLUSHDB). Every outbox row is
    marked unpublished and the relay sends it again; consumers recreate their groups
    from 0 and their inboxes drop what they had already applied.
rebuild:   a projection's tables were wiped or are suspect. They and the service's
    inbox are truncated, then every logged event the service subscribes to is applied
    again, in time order, through the service's own handlers. Events its handlers emit
    again are suppressed by their dedup keys, so nothing downstream sees duplicates.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis

from .bus.apply import apply_batch
from .bus.consumer import streams_for
from .bus.ephemeral import EphemeralPublisher
from .bus.keys import Keys
from .bus.relay import drain, mark_unpublished
from .db import check_ident, create_pool
from .envelope import Undecodable, decode
from .logging import get_logger
from .service import ServiceSpec, close_runtime, open_runtime
from .settings import Settings

log = get_logger(__name__)


async def logged_schemas(dsn: str, *, prefix: str = "") -> list[str]:
    """Every schema of this installation (name starts with `prefix`) with an event log."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT table_schema FROM information_schema.tables"
                                " WHERE table_name = 'outbox' AND starts_with(table_schema, $1)"
                                " ORDER BY 1", prefix)
    finally:
        await conn.close()
    return [r["table_schema"] for r in rows]


async def republish(settings: Settings, *, schemas: list[str] | None = None,
                    since_seq: int = 0) -> dict[str, int]:
    """Publish the outboxes of `schemas` (default: all) to Redis again."""
    schemas = schemas or await logged_schemas(settings.database_url, prefix=settings.db_schema_prefix)
    redis = Redis.from_url(settings.redis_url)
    counts: dict[str, int] = {}
    try:
        for schema in schemas:
            pool = await create_pool(settings.database_url, schema=check_ident(schema), max_size=2)
            try:
                await mark_unpublished(pool, since_seq=since_seq)
                counts[schema] = await drain(pool, redis, Keys(settings.redis_prefix), schema=schema)
            finally:
                await pool.close()
            log.info("republished", schema=schema, events=counts[schema])
    finally:
        await redis.aclose()
    return counts


@dataclass(frozen=True)
class _Row:
    occurred_at: object
    id: object
    envelope: bytes

    def __lt__(self, other: _Row) -> bool:
        return (self.occurred_at, self.id) < (other.occurred_at, other.id)


async def _read_log(pool: asyncpg.Pool, schemas: list[str], streams: list[str]) -> list[_Row]:
    per_source = []
    for schema in schemas:
        rows = await pool.fetch(
            f"SELECT occurred_at, id, envelope FROM {check_ident(schema)}.outbox"
            " WHERE stream = ANY($1::text[]) ORDER BY occurred_at, id", streams)
        per_source.append([_Row(r["occurred_at"], r["id"], r["envelope"]) for r in rows])
    return list(heapq.merge(*per_source))


async def rebuild(spec: ServiceSpec, settings: Settings, *, sources: list[str] | None = None,
                  batch_size: int = 500) -> int:
    """Wipe `spec`'s projection and inbox, then re-apply the log; returns events applied.

    `sources` limits which schemas' logs are read (default: every logged schema).
    """
    if not spec.projection_tables:
        raise ValueError(f"{spec.name} declares no projection tables: nothing to rebuild")
    if any(h.long_running for h in spec.handlers.values()):
        raise ValueError(f"{spec.name} has long-running handlers with side effects; "
                         "it cannot be rebuilt by replay")
    rt = await open_runtime(spec, settings)
    try:
        async with rt.pool.acquire() as conn, conn.transaction():
            tables = ", ".join(check_ident(t) for t in (*spec.projection_tables, "inbox"))
            await conn.execute(f"TRUNCATE {tables}")
        rows = await _read_log(rt.pool, sources or await logged_schemas(
            settings.database_url, prefix=settings.db_schema_prefix),
                               streams_for(dict(spec.handlers)))
        publisher = EphemeralPublisher(redis=rt.redis, keys=rt.keys)
        applied = 0
        for start in range(0, len(rows), batch_size):
            batch = []
            for row in rows[start:start + batch_size]:
                try:
                    env = decode(row.envelope)
                except Undecodable as exc:
                    log.warning("skipping undecodable logged event", id=str(row.id), reason=str(exc))
                    continue
                if env.type in spec.handlers:
                    batch.append((env, spec.handlers[env.type]))
            outcomes = await apply_batch(rt.pool, publisher, batch, runtime=rt)
            for (env, _), outcome in zip(batch, outcomes):
                if outcome is not None:
                    log.error("event failed during rebuild", id=str(env.id), error=repr(outcome))
            applied += sum(o is None for o in outcomes)
        log.info("projection rebuilt", service=spec.name, events=applied)
        return applied
    finally:
        await close_runtime(rt)
