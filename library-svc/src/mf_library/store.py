"""The library service's SQL; nothing else touches its schema.

Every write to a media_files row happens while its per-sha advisory lock is held
(`sha_locks`), so a row's existence and its file on disk change together.
"""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from mf_contracts.logging import get_logger

from .context import Library
from .domain import NewItem, NewMedia, lock_key

log = get_logger(__name__)

ITEM_COLUMNS = """
    i.id, i.user_id, i.job_id, i.sha256, i.title, i.source_url, i.webpage_url, i.extractor,
    i.source_id, i.uploader, i.duration, i.description, i.upload_date, i.thumbnail,
    i.thumbnail_ext, i.created_at, m.size, m.ext, m.container, m.video_codec, m.audio_codec,
    m.width, m.height, m.missing_since"""


@asynccontextmanager
async def sha_locks(lib: Library, *shas: str | None) -> AsyncIterator[asyncpg.Connection]:
    """Hold the session-level advisory locks of `shas` on one dedicated connection.

    Session (not transaction) locks: they outlive the commit, so the filesystem step
    that follows a commit (unlink, cleanup) is still serialized. Keys are taken in
    sorted order, so two holders of overlapping sets cannot deadlock. The connection
    is yielded for reads and for transactions that must run under the lock.
    """
    keys = sorted({lock_key(schema=lib.schema, sha256=s) for s in shas if s})
    async with lib.lock_slots, lib.pool.acquire() as conn:
        taken: list[int] = []
        try:
            for key in keys:
                await conn.execute("SELECT pg_advisory_lock($1)", key)
                taken.append(key)
            yield conn
        finally:
            # A broken connection has lost its locks with its session; the pool's reset
            # (pg_advisory_unlock_all) covers a cancelled unlock.
            for key in reversed(taken):
                try:
                    await conn.execute("SELECT pg_advisory_unlock($1)", key)
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                    log.warning("advisory unlock failed", error=str(exc))
                    break


# -- media files --------------------------------------------------------------------
async def media_row(conn: asyncpg.Connection, sha256: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM media_files WHERE sha256 = $1", sha256)


async def insert_media(conn: asyncpg.Connection, media: NewMedia) -> None:
    await conn.execute(
        "INSERT INTO media_files (sha256, size, ext, container, video_codec, audio_codec,"
        " width, height, duration, ref_count) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1)",
        media.sha256, media.size, media.ext, media.container, media.video_codec,
        media.audio_codec, media.width, media.height, media.duration)


async def add_ref(conn: asyncpg.Connection, sha256: str, *, file_restored: bool = False) -> None:
    status = await conn.execute(
        "UPDATE media_files SET ref_count = ref_count + 1,"
        " missing_since = CASE WHEN $2 THEN NULL ELSE missing_since END WHERE sha256 = $1",
        sha256, file_restored)
    if status != "UPDATE 1":
        raise RuntimeError(f"media file {sha256} vanished under its lock")


async def drop_ref(conn: asyncpg.Connection, sha256: str) -> tuple[int, str]:
    """Decrement; at 0 the row goes. Returns (references left, the file's ext)."""
    row = await conn.fetchrow(
        "UPDATE media_files SET ref_count = ref_count - 1 WHERE sha256 = $1"
        " RETURNING ref_count, ext", sha256)
    if row is None:
        raise RuntimeError(f"item pointed at media file {sha256}, which has no row")
    if row["ref_count"] == 0:
        await conn.execute("DELETE FROM media_files WHERE sha256 = $1", sha256)
    return row["ref_count"], row["ext"]


async def media_index(conn: asyncpg.Connection | asyncpg.Pool) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch("SELECT sha256, ext, size, missing_since FROM media_files")
    return {r["sha256"]: r for r in rows}


async def set_missing(conn: asyncpg.Connection, sha256: str, *, missing: bool) -> bool:
    status = await conn.execute(
        "UPDATE media_files SET missing_since = CASE WHEN $2 THEN now() END"
        " WHERE sha256 = $1 AND (missing_since IS NULL) = $2", sha256, missing)
    return status == "UPDATE 1"


# -- items --------------------------------------------------------------------------
async def item_for_job(conn: asyncpg.Connection, *, user_id: uuid.UUID,
                       job_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM library_items i JOIN media_files m USING (sha256)"
        " WHERE i.user_id = $1 AND i.job_id = $2", user_id, job_id)


async def insert_item(conn: asyncpg.Connection, *, item_id: uuid.UUID, item: NewItem) -> bool:
    """False if the job already has its item (the unique (user_id, job_id))."""
    cols = item.columns()
    names = ", ".join(cols)
    params = ", ".join(f"${n}" for n in range(2, len(cols) + 2))
    status = await conn.execute(
        f"INSERT INTO library_items (id, {names}) VALUES ($1, {params})"
        " ON CONFLICT (user_id, job_id) DO NOTHING", item_id, *cols.values())
    return status.endswith(" 1")


async def get_item(conn: asyncpg.Connection | asyncpg.Pool, *, item_id: uuid.UUID,
                   user_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM library_items i JOIN media_files m USING (sha256)"
        " WHERE i.id = $1 AND i.user_id = $2", item_id, user_id)


async def delete_item(conn: asyncpg.Connection, *, item_id: uuid.UUID,
                      user_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "DELETE FROM library_items WHERE id = $1 AND user_id = $2"
        " RETURNING id, job_id, sha256, thumbnail, thumbnail_ext", item_id, user_id)


async def list_items(conn: asyncpg.Connection | asyncpg.Pool, *, user_id: uuid.UUID,
                     pattern: str | None, order: str, limit: int,
                     offset: int) -> tuple[list[asyncpg.Record], int]:
    """One page of a user's items and the total that match; `order` comes from
    domain.SORTS (never from the caller), `pattern` from domain.like_pattern."""
    where = "i.user_id = $1 AND ($2::text IS NULL OR i.title ILIKE $2)"
    rows = await conn.fetch(
        f"SELECT {ITEM_COLUMNS} FROM library_items i JOIN media_files m USING (sha256)"
        f" WHERE {where} ORDER BY {order} LIMIT $3 OFFSET $4", user_id, pattern, limit, offset)
    total = await conn.fetchval(f"SELECT count(*) FROM library_items i WHERE {where}",
                                user_id, pattern)
    return list(rows), int(total)


# -- thumbnails ---------------------------------------------------------------------
async def thumb_referenced(conn: asyncpg.Connection, *, sha256: str, ext: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM library_items WHERE thumbnail = $1 AND thumbnail_ext = $2)",
        sha256, ext))


async def referenced_thumbs(conn: asyncpg.Connection | asyncpg.Pool) -> set[tuple[str, str]]:
    rows = await conn.fetch("SELECT DISTINCT thumbnail, thumbnail_ext FROM library_items"
                            " WHERE thumbnail IS NOT NULL")
    return {(r["thumbnail"], r["thumbnail_ext"]) for r in rows}


# -- checks -------------------------------------------------------------------------
async def stats(conn: asyncpg.Connection | asyncpg.Pool) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM media_files) AS files,"
        " (SELECT coalesce(sum(size), 0) FROM media_files) AS bytes,"
        " (SELECT count(*) FROM media_files WHERE missing_since IS NOT NULL) AS missing,"
        " (SELECT count(*) FROM library_items) AS items")
    return {k: int(v) for k, v in row.items()}


async def ref_count_mismatches(conn: asyncpg.Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    """Rows whose ref_count is not their number of items, or is below 1."""
    return list(await conn.fetch(
        "SELECT m.sha256, m.ref_count, count(i.id) AS items FROM media_files m"
        " LEFT JOIN library_items i USING (sha256) GROUP BY m.sha256, m.ref_count"
        " HAVING m.ref_count <> count(i.id) OR m.ref_count < 1"))
