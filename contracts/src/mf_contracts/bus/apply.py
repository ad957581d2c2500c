"""Applying short handlers in one transaction with a savepoint per event.

Shared by the live consumer and by `mf replay rebuild`, so a projection rebuilt from
the log runs exactly the code that built it the first time.
"""
from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ..db import DATABASE_DOWN
from ..envelope import Envelope
from ..logging import bound, get_logger
from .context import Handler, HandlerContext, Publisher, record_inbox

log = get_logger(__name__)

# Errors that mean the connection itself is gone: the whole batch is lost, not one entry.
# (InternalClientError, on a backend terminated mid-transaction, used to escape and end
# the whole service: tests/faults, pg_terminate_backend.)
CONNECTION_ERRORS = DATABASE_DOWN
# Races another transaction can make us lose; trying again is the remedy.
TRANSIENT_ERRORS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
TRANSIENT_RETRIES = 3


async def apply_batch(pool: asyncpg.Pool, publisher: Publisher,
                      batch: Sequence[tuple[Envelope, Handler]], *,
                      runtime: object = None) -> list[BaseException | None]:
    """Apply a batch in one transaction; returns each entry's outcome.

    None means applied (or already applied: the inbox said so). An exception means that
    entry's effects were rolled back while the others still commit. The fast path runs
    the batch without savepoints (one bulk inbox insert); only if a handler fails is the
    batch redone with a savepoint per entry, so one bad event costs one slow batch.
    Raises if the commit itself fails.
    """
    if not batch:
        return []
    for attempt in range(TRANSIENT_RETRIES + 1):
        try:
            async with pool.acquire() as conn, conn.transaction():
                contexts = await _apply_fast(conn, pool, publisher, batch, runtime)
            for ctx in contexts:
                await ctx.run_after_commit()
            return [None] * len(batch)
        except CONNECTION_ERRORS:
            raise
        except TRANSIENT_ERRORS:
            if attempt < TRANSIENT_RETRIES:
                continue  # lost a deadlock or serialization race: the whole batch again
        except Exception:  # noqa: BLE001 - some handler failed: isolate it below
            pass
        break
    outcomes: list[BaseException | None] = []
    contexts: list[HandlerContext] = []
    async with pool.acquire() as conn, conn.transaction():
        for env, spec in batch:
            ctx = HandlerContext(env, pool, publisher, conn=conn, runtime=runtime)
            outcome = await _apply_one(conn, ctx, spec)
            outcomes.append(outcome)
            if outcome is None:
                contexts.append(ctx)
    for ctx in contexts:
        await ctx.run_after_commit()
    return outcomes


async def _apply_fast(conn: asyncpg.Connection, pool: asyncpg.Pool, publisher: Publisher,
                      batch: Sequence[tuple[Envelope, Handler]], runtime: object) -> list[HandlerContext]:
    fresh = {r[0] for r in await conn.fetch(
        "INSERT INTO inbox (event_id, type) SELECT * FROM unnest($1::uuid[], $2::text[])"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        [env.id for env, _ in batch], [env.type for env, _ in batch])}
    contexts = []
    for env, spec in batch:
        if env.id in fresh:
            fresh.discard(env.id)  # the same event twice in one batch applies once
            ctx = HandlerContext(env, pool, publisher, conn=conn, runtime=runtime)
            with bound(correlation_id=env.correlation_id, event_id=env.id,
                       event_type=env.type):
                await spec.fn(ctx, env)
            contexts.append(ctx)
    return contexts


async def _apply_one(conn: asyncpg.Connection, ctx: HandlerContext,
                     spec: Handler) -> BaseException | None:
    env = ctx.envelope
    with bound(correlation_id=env.correlation_id, event_id=env.id, event_type=env.type):
        try:
            async with conn.transaction():
                if await record_inbox(conn, env):
                    await spec.fn(ctx, env)
            return None
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - a handler's error is its entry's outcome
            log.warning("handler failed", error=repr(exc))
            return exc
