"""Applying short handlers in one transaction with a savepoint per event.

Shared by the live consumer and by `mf replay rebuild`, so a projection rebuilt from
the log runs exactly the code that built it the first time.
"""
from __future__ import annotations

from typing import Sequence

import asyncpg

from ..envelope import Envelope
from ..logging import bound, get_logger
from .context import Handler, HandlerContext, Publisher, record_inbox

log = get_logger(__name__)

# Errors that mean the connection itself is gone: the whole batch is lost, not one entry.
CONNECTION_ERRORS = (asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError, OSError)


async def apply_batch(pool: asyncpg.Pool, publisher: Publisher,
                      batch: Sequence[tuple[Envelope, Handler]]) -> list[BaseException | None]:
    """Run each handler in a savepoint of one transaction; returns each entry's outcome.

    None means applied (or already applied: the inbox said so). An exception means that
    entry's savepoint was rolled back; the others still commit. Raises if the commit fails.
    """
    outcomes: list[BaseException | None] = []
    async with pool.acquire() as conn, conn.transaction():
        for env, spec in batch:
            outcomes.append(await _apply_one(conn, pool, publisher, env, spec))
    return outcomes


async def _apply_one(conn: asyncpg.Connection, pool: asyncpg.Pool, publisher: Publisher,
                     env: Envelope, spec: Handler) -> BaseException | None:
    with bound(correlation_id=str(env.correlation_id), event_id=str(env.id), event_type=env.type):
        try:
            async with conn.transaction():
                if await record_inbox(conn, env):
                    await spec.fn(HandlerContext(env, pool, publisher, conn=conn), env)
            return None
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - a handler's error is its entry's outcome
            log.warning("handler failed", error=repr(exc))
            return exc
