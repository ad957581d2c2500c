"""The downloader service's SQL; nothing else touches its schema."""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from mf_contracts.db import DATABASE_DOWN
from mf_contracts.events import MediaInfo
from mf_contracts.logging import get_logger

from .domain import KnownSource

# Cancellations and per-job metadata are only needed while a job is in flight.
_KEEP = "interval '30 days'"
_LOCK_NAMESPACE = 0x6D66_646C  # "mfdl": the first key of this service's advisory locks
log = get_logger(__name__)


@asynccontextmanager
async def job_lock(pool: asyncpg.Pool, *, job_id: uuid.UUID,
                   wait_s: float) -> AsyncIterator[bool]:
    """Hold the job's advisory lock on a connection of its own; yields False if it
    could not be had within `wait_s`.

    One attempt at a time per job, whichever replica runs it: an attempt whose claim
    was taken over is still killing its worker and clearing staging when the next one
    starts, and they share the staging folder. A dead service's lock goes with its
    connection.
    """
    async with pool.acquire() as conn:
        deadline = time.monotonic() + wait_s
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))",
                                      _LOCK_NAMESPACE, str(job_id)):
            if time.monotonic() > deadline:
                yield False
                return
            await asyncio.sleep(0.2)
        try:
            yield True
        finally:
            try:
                await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))",
                                   _LOCK_NAMESPACE, str(job_id))
            except (asyncpg.PostgresError, *DATABASE_DOWN) as exc:
                # The connection died during the download (a database restart): the lock
                # went with its session. Failing here threw away a finished download.
                log.warning("job lock already gone with its connection", error=str(exc))


async def record_cancel(conn: asyncpg.Connection, *, job_id: uuid.UUID, reason: str) -> None:
    await conn.execute("INSERT INTO cancelled_jobs (job_id, reason) VALUES ($1, $2)"
                       " ON CONFLICT DO NOTHING", job_id, reason)
    await conn.execute(f"DELETE FROM cancelled_jobs WHERE cancelled_at < now() - {_KEEP}")


async def is_cancelled(pool: asyncpg.Pool, *, job_id: uuid.UUID) -> bool:
    return bool(await pool.fetchval("SELECT 1 FROM cancelled_jobs WHERE job_id = $1", job_id))


async def record_job_media(conn: asyncpg.Connection, *, job_id: uuid.UUID, info: MediaInfo,
                           existing_sha256: str | None) -> None:
    await conn.execute(
        "INSERT INTO job_media (job_id, info, existing_sha256) VALUES ($1, $2::jsonb, $3)"
        " ON CONFLICT (job_id) DO UPDATE SET info = EXCLUDED.info,"
        " existing_sha256 = EXCLUDED.existing_sha256",
        job_id, orjson.dumps(info.model_dump(mode="json")).decode(), existing_sha256)


def _known(row: asyncpg.Record | None) -> KnownSource | None:
    if row is None:
        return None
    return KnownSource(extractor=row["extractor"], source_id=row["source_id"],
                       sha256=row["sha256"], info=orjson.loads(row["info"]))


async def find_by_url(pool: asyncpg.Pool, *, url: str) -> KnownSource | None:
    return _known(await pool.fetchrow(
        "SELECT s.extractor, s.source_id, s.sha256, s.info FROM known_source_urls u"
        " JOIN known_sources s USING (extractor, source_key) WHERE u.url = $1", url))


async def find_by_source(pool: asyncpg.Pool, *, extractor: str,
                         source_key: str) -> KnownSource | None:
    return _known(await pool.fetchrow(
        "SELECT extractor, source_id, sha256, info FROM known_sources"
        " WHERE extractor = $1 AND source_key = $2", extractor, source_key))


async def remember_source(conn: asyncpg.Connection, *, job_id: uuid.UUID, extractor: str,
                          source_key: str, source_id: str, sha256: str, item_id: str,
                          info: dict[str, Any], urls: Iterable[str]) -> None:
    """Upsert a stored source and the URLs it is known under.

    The job's own record (what this service downloaded or linked) is richer than the
    event that announces the item, so its fields win where present; it is dropped
    then, as the job is done.
    """
    job = await conn.fetchval("DELETE FROM job_media WHERE job_id = $1 RETURNING info", job_id)
    merged = {**info, **{k: v for k, v in (orjson.loads(job) if job else {}).items()
                         if v not in (None, "")}}
    await conn.execute(
        "INSERT INTO known_sources (extractor, source_key, source_id, sha256, item_id, info)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (extractor, source_key) DO UPDATE"
        " SET source_id = EXCLUDED.source_id, sha256 = EXCLUDED.sha256,"
        " item_id = EXCLUDED.item_id, info = EXCLUDED.info, stored_at = now()",
        extractor, source_key, source_id, sha256, item_id,
        orjson.dumps(merged).decode())
    await conn.executemany(
        "INSERT INTO known_source_urls (url, extractor, source_key) VALUES ($1, $2, $3)"
        " ON CONFLICT (url) DO UPDATE SET extractor = EXCLUDED.extractor,"
        " source_key = EXCLUDED.source_key",
        [(u, extractor, source_key) for u in dict.fromkeys(urls) if u])
    await conn.execute(f"DELETE FROM job_media WHERE created_at < now() - {_KEEP}")


async def forget_file(conn: asyncpg.Connection, *, sha256: str) -> int:
    """The file is gone: its sources (and their URLs, by cascade) are no longer stored."""
    status = await conn.execute("DELETE FROM known_sources WHERE sha256 = $1", sha256)
    return int(status.split()[-1])
