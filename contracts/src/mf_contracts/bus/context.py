"""What a handler sees: the event, one transaction for its effects, and emit.

A handler's effects, the inbox row for its event and the events it emits commit in
one transaction (`ctx.transaction()`), so a redelivered event changes nothing twice.
Emitted events get a dedup key (cause, type, n): a handler re-run after a crash,
or during `mf replay rebuild`, cannot emit the same event twice.
"""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg

from ..envelope import Envelope, new_envelope
from ..events import Event
from ..logging import get_logger
from . import outbox

log = get_logger(__name__)


class RetryLater(Exception):
    """Transient failure: leave the entry pending; it is retried after claim_idle_ms."""


class Poison(Exception):
    """This event can never succeed: dead-letter it now."""


class AlreadyDone(Exception):
    """The inbox already holds this event: its effects are committed; just ack."""


class Publisher(Protocol):
    async def publish_ephemeral(self, env: Envelope) -> None: ...


HandlerFn = Callable[["HandlerContext", Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    fn: HandlerFn
    # Long handlers (a download) run in their own task with a heartbeat and open their
    # transaction only when they have a result; short ones are batched with savepoints.
    long_running: bool = False


def handler(fn: HandlerFn | None = None, *, long_running: bool = False) -> Any:
    if fn is None:
        return lambda f: Handler(f, long_running=long_running)
    return Handler(fn, long_running=long_running)


@dataclass
class HandlerContext:
    envelope: Envelope
    pool: asyncpg.Pool
    publisher: Publisher
    # Set when the framework already holds a transaction (batched short handlers).
    conn: asyncpg.Connection | None = None
    # The service's Runtime (settings, state, redis) when run by a service; None in bare
    # consumers. Typed loosely: the runtime module imports this one.
    runtime: Any = None
    committed: bool = False
    _emitted: Counter = field(default_factory=Counter)
    _after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def after_commit(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Run `fn` once the effects are committed (best effort: notifications, cleanup).

        Never runs if the transaction rolls back, so nothing outside the database ever
        sees a state that was not committed.
        """
        self._after.append(fn)

    async def run_after_commit(self) -> None:
        for fn in self._after:
            try:
                await fn()
            except Exception as exc:  # noqa: BLE001 - the commit stands; report and go on
                log.warning("after-commit step failed", error=repr(exc))
        self._after.clear()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """The one transaction of this handler; records the event in the inbox."""
        if self.committed:
            raise RuntimeError("a handler commits its effects in one transaction only")
        if self.conn is not None:  # batched: the framework's savepoint already has the inbox row
            yield self.conn
            self.committed = True
            return
        async with self.pool.acquire() as conn, conn.transaction():
            if not await record_inbox(conn, self.envelope):
                raise AlreadyDone(str(self.envelope.id))
            yield conn
        self.committed = True
        await self.run_after_commit()

    async def emit(self, conn: asyncpg.Connection, payload: Event, *,
                   user_id: uuid.UUID | None = None) -> Envelope:
        """Append an event caused by the one being handled, inside `conn`'s transaction."""
        env = new_envelope(payload, correlation_id=self.envelope.correlation_id,
                           user_id=user_id, causation=self.envelope)
        n = self._emitted[payload.event_type]
        self._emitted[payload.event_type] += 1
        await outbox.append(conn, env, dedup_key=f"{self.envelope.id}:{payload.event_type}:{n}")
        return env

    async def emit_now(self, payload: Event) -> Envelope:
        """Emit outside the effects transaction (e.g. DownloadStarted before a long job)."""
        async with self.pool.acquire() as conn, conn.transaction():
            return await self.emit(conn, payload)

    async def progress(self, payload: Event) -> None:
        """Publish an ephemeral event (progress) straight to its capped stream."""
        env = new_envelope(payload, correlation_id=self.envelope.correlation_id,
                           causation=self.envelope)
        await self.publisher.publish_ephemeral(env)


async def record_inbox(conn: asyncpg.Connection, env: Envelope) -> bool:
    """True if this is the first time the event is applied (in this transaction)."""
    status = await conn.execute(
        "INSERT INTO inbox (event_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        env.id, env.type)
    return status.endswith(" 1")


async def in_inbox(pool: asyncpg.Pool, env: Envelope) -> bool:
    return bool(await pool.fetchval("SELECT 1 FROM inbox WHERE event_id = $1", env.id))
