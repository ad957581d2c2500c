"""The feeds service's SQL; nothing else touches its schema.

Claiming is a lease, not a held lock: `claim_due` pushes `next_poll_at` forward in a short
transaction (FOR UPDATE SKIP LOCKED, so replicas never claim the same feed), the poll runs
with no transaction open, and `lock_feed` + `record_*` commit the result, the new items
and their events together. A poller that dies leaves the lease to expire; a feed polled
twice at once (poll now during a scheduled poll) still stores and announces each item
once, because items are keyed and the finishing transactions are serialized on the row.
"""
from __future__ import annotations

import uuid

import asyncpg

from .domain import FeedItem

FEED_COLUMNS = ("id, user_id, url, title, kind, interval_s, auto_download, backlog, created_at,"
                " last_polled_at, next_poll_at, last_ok_at, last_error, last_error_at,"
                " consecutive_failures, rate_limited_until, etag, last_modified")
_WITH_COUNT = (f"SELECT {FEED_COLUMNS}, (SELECT count(*) FROM feed_items i WHERE i.feed_id = f.id)"
               " AS item_count FROM feeds f")
EDITABLE = ("title", "interval_s", "auto_download")


async def create_feed(pool: asyncpg.Pool, *, feed_id: uuid.UUID, user_id: uuid.UUID, url: str,
                      title: str | None, interval_s: int, auto_download: bool,
                      backlog: bool) -> asyncpg.Record | None:
    """The new feed (due at once), or None if this user already has one for the URL."""
    await pool.execute(
        "INSERT INTO feeds (id, user_id, url, title, interval_s, auto_download, backlog)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (user_id, url) DO NOTHING",
        feed_id, user_id, url, title, interval_s, auto_download, backlog)
    return await get_feed(pool, feed_id=feed_id, user_id=user_id)


async def list_feeds(pool: asyncpg.Pool, *, user_id: uuid.UUID) -> list[asyncpg.Record]:
    return await pool.fetch(f"{_WITH_COUNT} WHERE user_id = $1 ORDER BY created_at, id", user_id)


async def get_feed(pool: asyncpg.Pool | asyncpg.Connection, *, feed_id: uuid.UUID,
                   user_id: uuid.UUID) -> asyncpg.Record | None:
    return await pool.fetchrow(f"{_WITH_COUNT} WHERE id = $1 AND user_id = $2", feed_id, user_id)


async def update_feed(pool: asyncpg.Pool, *, feed_id: uuid.UUID, user_id: uuid.UUID,
                      changes: dict) -> asyncpg.Record | None:
    fields = {k: v for k, v in changes.items() if k in EDITABLE}
    sets = [f"{name} = ${i}" for i, name in enumerate(fields, start=3)]
    if "interval_s" in fields:
        # A shorter interval applies from the last poll, not after the old schedule
        # (a feed in backoff keeps its backoff).
        n = 3 + list(fields).index("interval_s")
        sets.append(f"next_poll_at = CASE WHEN consecutive_failures = 0 THEN LEAST(next_poll_at,"
                    f" COALESCE(last_polled_at, now()) + ${n}::integer * interval '1 second')"
                    " ELSE next_poll_at END")
    async with pool.acquire() as conn, conn.transaction():
        if sets:
            await conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = $1 AND user_id = $2",
                               feed_id, user_id, *fields.values())
        return await get_feed(conn, feed_id=feed_id, user_id=user_id)


async def delete_feed(pool: asyncpg.Pool, *, feed_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    status = await pool.execute("DELETE FROM feeds WHERE id = $1 AND user_id = $2", feed_id, user_id)
    return status.endswith(" 1")


async def list_items(pool: asyncpg.Pool, *, feed_id: uuid.UUID, limit: int,
                     offset: int) -> tuple[list[asyncpg.Record], int]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT item_id, url, title, published_at, first_seen_at, job_id FROM feed_items"
            " WHERE feed_id = $1 ORDER BY COALESCE(published_at, first_seen_at) DESC, seq DESC"
            " LIMIT $2 OFFSET $3", feed_id, limit, offset)
        total = await conn.fetchval("SELECT count(*) FROM feed_items WHERE feed_id = $1", feed_id)
    return rows, total


async def claim_due(pool: asyncpg.Pool, *, limit: int, lease_s: float) -> list[asyncpg.Record]:
    """Up to `limit` due feeds, most overdue first, leased to the caller."""
    return await pool.fetch(
        f"UPDATE feeds f SET next_poll_at = now() + make_interval(secs => $2) FROM ("
        " SELECT id FROM feeds WHERE next_poll_at <= now() ORDER BY next_poll_at LIMIT $1"
        " FOR UPDATE SKIP LOCKED) due WHERE f.id = due.id"
        f" RETURNING {', '.join('f.' + c.strip() for c in FEED_COLUMNS.split(','))}",
        limit, lease_s)


async def claim_one(pool: asyncpg.Pool, *, feed_id: uuid.UUID, user_id: uuid.UUID,
                    lease_s: float) -> asyncpg.Record | None:
    """"Poll now": lease this user's feed whatever its schedule, unless the site asked
    for a pause (None then, as for a feed that does not exist: the caller tells which)."""
    return await pool.fetchrow(
        f"UPDATE feeds SET next_poll_at = now() + make_interval(secs => $3)"
        " WHERE id = $1 AND user_id = $2"
        " AND (rate_limited_until IS NULL OR rate_limited_until <= now())"
        f" RETURNING {FEED_COLUMNS}", feed_id, user_id, lease_s)


async def lock_feed(conn: asyncpg.Connection, *, feed_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {FEED_COLUMNS} FROM feeds WHERE id = $1 FOR UPDATE",
                               feed_id)


async def insert_items(conn: asyncpg.Connection, *, feed_id: uuid.UUID, items: list[FeedItem],
                       job_ids: list[uuid.UUID | None]) -> set[str]:
    """Store what is new (by id or URL); returns the ids of the items stored now."""
    if not items:
        return set()
    rows = await conn.fetch(
        "INSERT INTO feed_items (feed_id, item_id, url, title, published_at, job_id)"
        " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::uuid[])"
        " ON CONFLICT DO NOTHING RETURNING item_id",
        feed_id, [i.id for i in items], [i.url for i in items], [i.title for i in items],
        [i.published_at for i in items], job_ids)
    return {r["item_id"] for r in rows}


async def record_ok(conn: asyncpg.Connection, *, feed_id: uuid.UUID, kind: str,
                    title: str | None, delay_s: float, etag: str | None,
                    last_modified: str | None) -> None:
    """A feed's own title fills in only where the user gave none; the validators are
    the latest answer's (none: the next poll asks for the whole feed)."""
    await conn.execute(
        "UPDATE feeds SET kind = $2, title = COALESCE(title, $3), last_polled_at = now(),"
        " last_ok_at = now(), last_error = NULL, consecutive_failures = 0, rate_limited_until = NULL,"
        " next_poll_at = now() + make_interval(secs => $4), etag = $5, last_modified = $6"
        " WHERE id = $1",
        feed_id, kind, title, delay_s, etag, last_modified)


async def record_failure(conn: asyncpg.Connection, *, feed_id: uuid.UUID, error: str,
                         delay_s: float, pause: bool) -> None:
    """With `pause`, the site asked us to wait: "poll now" waits too (rate_limited_until)."""
    await conn.execute(
        "UPDATE feeds SET last_polled_at = now(), last_error = $2, last_error_at = now(),"
        " consecutive_failures = consecutive_failures + 1,"
        " next_poll_at = now() + make_interval(secs => $3),"
        " rate_limited_until = CASE WHEN $4 THEN now() + make_interval(secs => $3) END"
        " WHERE id = $1", feed_id, error, delay_s, pause)
