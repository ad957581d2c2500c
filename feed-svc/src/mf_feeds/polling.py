"""Polling: one feed (read the source, then store items, events and state in one
transaction) and the scheduler that polls every due feed.

The scheduler claims no more feeds than it has free slots and polls each in its own
task under the connector's deadline: a hanging site holds one slot until its timeout,
never the loop or the other feeds. Nothing here raises into the service: a database
hiccup is logged and the next tick tries again.
"""
from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass

import asyncpg
from mf_contracts.bus import outbox
from mf_contracts.db import DATABASE_DOWN
from mf_contracts.envelope import new_envelope
from mf_contracts.events import FeedItemDiscovered, UrlSubmitted
from mf_contracts.ids import uuid7
from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime

from . import config, store
from .connectors import Outcome, Source, read_source
from .domain import FeedItem, asks_for_pause, next_poll_delay, oldest_first, should_submit

log = get_logger(__name__)
DB_ERRORS = (asyncpg.PostgresError, *DATABASE_DOWN)


@dataclass(frozen=True)
class PollReport:
    new_items: int
    error: str | None


async def poll_feed(rt: Runtime, feed: asyncpg.Record) -> PollReport:
    wired = config.current(rt)
    cfg = wired.config
    source = Source(url=feed["url"], kind=feed["kind"], etag=feed["etag"],
                    last_modified=feed["last_modified"])
    outcome = await read_source(rt.settings, wired, source=source, user_id=feed["user_id"])
    async with rt.pool.acquire() as conn, conn.transaction():
        row = await store.lock_feed(conn, feed_id=feed["id"])
        if row is None:  # unsubscribed while we were reading it
            return PollReport(0, None)
        failures = row["consecutive_failures"] + 1 if outcome.failure else 0
        delay = next_poll_delay(interval_s=row["interval_s"], failures=failures, rand=random.random(),
                                failure=outcome.failure, max_backoff_s=cfg.max_backoff_s,
                                jitter=cfg.jitter)
        if outcome.failure:
            await store.record_failure(conn, feed_id=row["id"], error=outcome.failure.message,
                                       delay_s=delay, pause=asks_for_pause(outcome.failure))
            new: list[FeedItem] = []
        else:
            new = await _store_new(conn, row, outcome)
            listing = outcome.listing
            await store.record_ok(conn, feed_id=row["id"], kind=listing.kind,
                                  title=listing.title, delay_s=delay, etag=listing.etag,
                                  last_modified=listing.last_modified)
    _log_poll(row, outcome, new=len(new), next_in_s=delay)
    return PollReport(len(new), outcome.failure.message if outcome.failure else None)


async def _store_new(conn: asyncpg.Connection, feed: asyncpg.Record, outcome: Outcome) -> list[FeedItem]:
    """Items not seen before, each announced once; downloads for them if the feed asks."""
    items = oldest_first(outcome.items)
    submit = should_submit(auto_download=feed["auto_download"], backlog=feed["backlog"],
                           first_poll=feed["last_ok_at"] is None)
    job_ids = [uuid7() for _ in items]
    stored = await store.insert_items(conn, feed_id=feed["id"], items=items,
                                      job_ids=[j if submit else None for j in job_ids])
    new = [(item, job_id) for item, job_id in zip(items, job_ids) if item.id in stored]
    for item, job_id in new:
        await _announce(conn, feed, item=item, job_id=job_id, submit=submit)
    return [item for item, _ in new]


async def _announce(conn: asyncpg.Connection, feed: asyncpg.Record, *, item: FeedItem,
                    job_id, submit: bool) -> None:
    """FeedItemDiscovered, then UrlSubmitted as an ordinary job of the feed's owner. Both
    share the job id as correlation, so the job's history shows where it came from. The
    dedup keys make announcing an item twice impossible, whatever races."""
    key = f"feed:{feed['id']}:{hashlib.sha256(item.id.encode()).hexdigest()[:32]}"
    found = new_envelope(
        FeedItemDiscovered(feed_id=str(feed["id"]), item_id=item.id, url=item.url, title=item.title,
                           published_at=item.published_at.isoformat() if item.published_at else None),
        correlation_id=job_id, user_id=feed["user_id"])
    await outbox.append(conn, found, dedup_key=f"{key}:FeedItemDiscovered")
    if submit:
        job = new_envelope(UrlSubmitted(url=item.url, origin="feed", feed_id=str(feed["id"])),
                           correlation_id=job_id, user_id=feed["user_id"], causation=found)
        await outbox.append(conn, job, dedup_key=f"{key}:UrlSubmitted")


def _log_poll(feed: asyncpg.Record, outcome: Outcome, *, new: int, next_in_s: float) -> None:
    fields = {"feed_id": str(feed["id"]), "seconds": round(outcome.seconds, 3),
              "listed": len(outcome.items), "new": new, "next_in_s": round(next_in_s)}
    if outcome.failure:
        log.info("feed poll failed", error=outcome.failure.message,
                 rate_limited=outcome.failure.rate_limited, **fields)
    else:
        log.info("feed polled", kind=outcome.listing.kind,
                 not_modified=outcome.listing.not_modified, **fields)


async def scheduler(rt: Runtime, stop: asyncio.Event) -> None:
    """Poll due feeds, at most `concurrency` at once, until `stop`."""
    wired = config.current(rt)
    cfg = wired.config
    inflight: set[asyncio.Task] = set()

    def finished(task: asyncio.Task) -> None:
        inflight.discard(task)
        wired.wake.set()  # a free slot: look for due feeds now

    try:
        while not stop.is_set():
            wired.wake.clear()
            free = cfg.concurrency - len(inflight)
            for feed in await _claim(rt, limit=free, lease_s=cfg.lease_s) if free > 0 else []:
                task = asyncio.create_task(_poll_quietly(rt, feed), name=f"poll-{feed['id']}")
                inflight.add(task)
                task.add_done_callback(finished)
            await _pause(stop, wired.wake, timeout=cfg.tick_s)
    finally:
        for task in inflight:
            task.cancel()
        await asyncio.gather(*inflight, return_exceptions=True)


async def _claim(rt: Runtime, *, limit: int, lease_s: float) -> list[asyncpg.Record]:
    try:
        return await store.claim_due(rt.pool, limit=limit, lease_s=lease_s)
    except DB_ERRORS as exc:
        log.warning("could not look for due feeds", error=str(exc))
        return []


async def _poll_quietly(rt: Runtime, feed: asyncpg.Record) -> None:
    try:
        await poll_feed(rt, feed)
    except DB_ERRORS as exc:  # the lease expires and the feed is polled again
        log.warning("could not record a feed poll", feed_id=str(feed["id"]), error=str(exc))
    except Exception:
        log.exception("feed poll crashed", feed_id=str(feed["id"]))


async def _pause(stop: asyncio.Event, wake: asyncio.Event, *, timeout: float) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
