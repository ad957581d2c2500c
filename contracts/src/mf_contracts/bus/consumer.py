"""A consumer group member: at-least-once delivery, exactly-once effects.

Order of a successful entry: handler effects + inbox row + emitted events commit in
one transaction, then XACK. A crash before the commit redelivers the entry (its
effects were rolled back); a crash after the commit but before XACK redelivers it and
the inbox row turns the second run into a no-op.

Entries that stay pending longer than claim_idle_ms (their consumer died, or their
handler failed) are taken over with XAUTOCLAIM. Long handlers heartbeat their entries
(XCLAIM JUSTID from their owner only) so a slow download is never taken over while its
worker lives. After max_deliveries an entry goes to the dead-letter stream with its
last error, and an EventDeadLettered fact is emitted so the job fails for the user.
"""
from __future__ import annotations

import asyncio
import os
import socket
import uuid
from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..envelope import Envelope, Undecodable, decode, new_envelope
from ..events import LATEST, REGISTRY, EventDeadLettered
from ..logging import bound, get_logger
from . import outbox
from .apply import CONNECTION_ERRORS, apply_batch
from .config import BusConfig
from .context import AlreadyDone, Handler, HandlerContext, Poison, in_inbox
from .ephemeral import EphemeralPublisher
from .keys import Keys

log = get_logger(__name__)

# Refresh the idle time of entries this consumer still owns; report the ones it lost.
_HEARTBEAT_LUA = """
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""


@dataclass
class Entry:
    key: str
    id: str
    raw: bytes | None
    env: Envelope | None = None
    deliveries: int = 1

    @property
    def ref(self) -> str:
        return f"{self.key}|{self.id}"


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def consumer_name(group: str) -> str:
    return f"{group}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def streams_for(handlers: dict[str, Handler]) -> list[str]:
    return sorted({REGISTRY[(t, LATEST[t])].stream for t in handlers})


class Consumer:
    def __init__(self, *, pool: asyncpg.Pool, redis: Redis, keys: Keys, group: str,
                 handlers: dict[str, Handler], config: BusConfig = BusConfig(),
                 publisher: EphemeralPublisher | None = None, name: str | None = None,
                 runtime: object = None) -> None:
        unknown = set(handlers) - set(LATEST)
        if unknown:
            raise ValueError(f"handlers for unknown event types: {sorted(unknown)}")
        self.pool, self.redis, self.keys, self.group = pool, redis, keys, group
        self.handlers, self.config = handlers, config
        self.publisher = publisher or EphemeralPublisher(redis=redis, keys=keys)
        self.name = name or consumer_name(group)
        self.runtime = runtime
        self.stream_keys = [keys.stream(s) for s in streams_for(handlers)]
        # Streams carrying a long-running handler's events are read only when a slot is
        # free; the others (cancellations, projections) are read all the time, so a
        # JobCancelled is never stuck behind two running downloads.
        long_streams = {s for t, h in handlers.items() if h.long_running for s in streams_for({t: h})}
        self.long_keys = [keys.stream(s) for s in sorted(long_streams)]
        self.short_keys = [k for k in self.stream_keys if k not in self.long_keys]
        self._long: dict[asyncio.Task, Entry] = {}
        self._slot_free = asyncio.Event()
        self._releasing = False
        self._heartbeat = redis.register_script(_HEARTBEAT_LUA)
        self.acked = 0

    # -- lifecycle -------------------------------------------------------------------
    async def ensure_groups(self) -> None:
        for key in self.stream_keys:
            try:
                await self.redis.xgroup_create(key, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def run(self, stop: asyncio.Event) -> None:
        await self.ensure_groups()
        helpers = [asyncio.create_task(self._every(self.config.heartbeat_ms / 1000, self._beat, stop)),
                   asyncio.create_task(self._every(self.config.reclaim_every_s, self.reclaim, stop))]
        lanes = [asyncio.create_task(self._lane(keys, stop)) for keys in (self.long_keys, self.short_keys)
                 if keys]
        try:
            await asyncio.gather(*lanes)
        finally:
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            await self._shutdown()
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _every(self, seconds: float, fn, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(seconds)
            try:
                await fn()
            except (RedisConnectionError, RedisTimeoutError, OSError, ResponseError) as exc:
                log.warning("bus maintenance failed", task=fn.__name__, error=str(exc))
                await self._recover_groups(exc)

    async def _shutdown(self) -> None:
        """SIGTERM: let in-flight long handlers finish for a grace period, release the rest."""
        if not self._long:
            return
        _, pending = await asyncio.wait(list(self._long), timeout=self.config.shutdown_grace_s)
        self._releasing = True
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # -- reading ---------------------------------------------------------------------
    async def _lane(self, keys: list[str], stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._read_once(keys)

    def _capacity(self, key: str) -> int:
        if key not in self.long_keys:
            return self.config.batch_size
        return max(self.config.long_concurrency - len(self._long), 0)

    async def _read_once(self, keys: list[str]) -> None:
        count = self._capacity(keys[0])
        if count == 0:
            self._slot_free.clear()
            try:
                await asyncio.wait_for(self._slot_free.wait(), self.config.block_ms / 1000)
            except TimeoutError:
                pass
            return
        try:
            resp = await self.redis.xreadgroup(self.group, self.name, {k: ">" for k in keys},
                                               count=count, block=self.config.block_ms)
        except (ResponseError, RedisConnectionError, RedisTimeoutError, OSError) as exc:
            log.warning("xreadgroup failed", error=str(exc))
            await self._recover_groups(exc)
            await asyncio.sleep(0.2)
            return
        entries = [Entry(_s(key), _s(eid), (fields or {}).get(b"e"))
                   for key, items in resp or [] for eid, fields in items]
        if entries:
            await self.process(entries)

    async def _recover_groups(self, exc: Exception) -> None:
        """Redis restarted or was flushed: the groups are gone; recreate them from 0."""
        if isinstance(exc, ResponseError) and "NOGROUP" not in str(exc) and \
                "no longer exists" not in str(exc):
            return
        try:
            await self.ensure_groups()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            await asyncio.sleep(0.5)

    # -- dispatch --------------------------------------------------------------------
    async def process(self, entries: list[Entry]) -> None:
        skip: list[Entry] = []
        short: list[tuple[Entry, Handler]] = []
        for entry in entries:
            try:
                entry.env = decode(entry.raw if entry.raw is not None else b"")
            except Undecodable as exc:
                log.warning("skipping undecodable entry", stream=entry.key, entry=entry.id,
                            reason=str(exc))
                skip.append(entry)
                continue
            spec = self.handlers.get(entry.env.type)
            if spec is None:
                skip.append(entry)
            elif spec.long_running:
                self._spawn_long(entry, spec)
            else:
                short.append((entry, spec))
        if short:
            await self._run_short(short)
        if skip:
            await self._ack(skip)

    async def _run_short(self, batch: list[tuple[Entry, Handler]]) -> None:
        """Apply a batch as `parallel` sub-batches on their own connections.

        Entries are split by correlation id, so one job's events stay in order while
        Postgres works on one sub-batch and Python prepares the next.
        """
        parts: list[list[tuple[Entry, Handler]]] = [[] for _ in range(self.config.parallel)]
        for item in batch:
            parts[item[0].env.correlation_id.int % len(parts)].append(item)
        await asyncio.gather(*(self._run_part(p) for p in parts if p))

    async def _run_part(self, batch: list[tuple[Entry, Handler]]) -> None:
        try:
            outcomes = await apply_batch(self.pool, self.publisher,
                                         [(e.env, spec) for e, spec in batch], runtime=self.runtime)
        except (asyncpg.PostgresError, *CONNECTION_ERRORS) as exc:
            log.warning("batch commit failed; entries stay pending", error=str(exc), size=len(batch))
            await self._record_errors([(e, exc) for e, _ in batch])
            return
        pairs = [(entry, outcome) for (entry, _), outcome in zip(batch, outcomes)]
        await self._ack([e for e, o in pairs if o is None])
        await self._record_errors([(e, o) for e, o in pairs if o and not isinstance(o, Poison)])
        for entry, outcome in pairs:
            if isinstance(outcome, Poison):
                await self._dead_letter(entry, f"poison: {outcome}")

    def _spawn_long(self, entry: Entry, spec: Handler) -> None:
        task = asyncio.create_task(self._run_long(entry, spec))
        self._long[task] = entry

    async def _run_long(self, entry: Entry, spec: Handler) -> None:
        env = entry.env
        with bound(correlation_id=env.correlation_id, event_id=env.id, event_type=env.type):
            try:
                if not await in_inbox(self.pool, env):
                    ctx = HandlerContext(env, self.pool, self.publisher, runtime=self.runtime)
                    try:
                        await spec.fn(ctx, env)
                        if not ctx.committed:
                            async with ctx.transaction():
                                pass
                    except AlreadyDone:
                        pass
                await self._ack([entry])
            except Poison as exc:
                await self._dead_letter(entry, f"poison: {exc}")
            except asyncio.CancelledError:
                if self._releasing:
                    await self._release(entry)
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("long handler failed", error=repr(exc))
                await self._record_errors([(entry, exc)])
            finally:
                self._long.pop(asyncio.current_task(), None)
                self._slot_free.set()

    # -- acking, errors, dead letters -------------------------------------------------
    async def _ack(self, entries: list[Entry]) -> None:
        if not entries:
            return
        by_key: dict[str, list[str]] = {}
        for e in entries:
            by_key.setdefault(e.key, []).append(e.id)
        pipe = self.redis.pipeline(transaction=False)
        for key, ids in by_key.items():
            pipe.xack(key, self.group, *ids)
        pipe.hdel(self.keys.errors(self.group), *[e.ref for e in entries])
        await pipe.execute()
        self.acked += len(entries)

    async def _record_errors(self, failed: list[tuple[Entry, BaseException]]) -> None:
        if failed:
            await self.redis.hset(self.keys.errors(self.group),
                                  mapping={e.ref: repr(exc)[:2000] for e, exc in failed})

    async def _dead_letter(self, entry: Entry, error: str) -> None:
        await self.redis.xadd(self.keys.dead_letter(self.group), {
            b"stream": entry.key, b"id": entry.id, b"group": self.group, b"error": error,
            b"deliveries": str(entry.deliveries), b"e": entry.raw or b""},
            maxlen=100_000, approximate=True)
        if entry.env is not None:
            fact = EventDeadLettered(event_id=str(entry.env.id), failed_type=entry.env.type,
                                     group=self.group, error=error[:2000], deliveries=entry.deliveries)
            env = new_envelope(fact, correlation_id=entry.env.correlation_id, causation=entry.env)
            async with self.pool.acquire() as conn, conn.transaction():
                await outbox.append(conn, env, dedup_key=f"dead:{self.group}:{entry.env.id}")
        log.error("entry dead-lettered", stream=entry.key, entry=entry.id, error=error,
                  deliveries=entry.deliveries)
        await self._ack([entry])

    async def _release(self, entry: Entry) -> None:
        """Make an entry we give up at shutdown immediately claimable by another consumer."""
        try:
            await self.redis.xclaim(entry.key, self.group, self.name, min_idle_time=0,
                                    message_ids=[entry.id], idle=self.config.claim_idle_ms * 1000,
                                    justid=True)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            pass

    # -- heartbeat and reclaim ---------------------------------------------------------
    async def _beat(self) -> None:
        held: dict[str, dict[str, asyncio.Task]] = {}
        for task, entry in list(self._long.items()):
            held.setdefault(entry.key, {})[entry.id] = task
        for key, tasks in held.items():
            lost = await self._heartbeat(keys=[key], args=[self.group, self.name, *tasks])
            for eid in lost:
                log.warning("lost claim on entry; stopping its handler", stream=key, entry=_s(eid))
                tasks[_s(eid)].cancel()

    async def reclaim(self) -> int:
        """Take over entries idle past claim_idle_ms, following the XAUTOCLAIM cursor to 0-0."""
        taken = 0
        for key in self.stream_keys:
            cursor = "0-0"
            while (count := self._capacity(key)) > 0:
                cursor, claimed, deleted = await self.redis.xautoclaim(
                    key, self.group, self.name, min_idle_time=self.config.claim_idle_ms,
                    start_id=cursor, count=count)
                cursor = _s(cursor)
                if deleted:  # trimmed away while pending: nothing left to process
                    await self.redis.xack(key, self.group, *deleted)
                if claimed:
                    taken += len(claimed)
                    await self._process_claimed(key, claimed)
                if cursor == "0-0":
                    break
        return taken

    async def _process_claimed(self, key: str, claimed: list) -> None:
        entries = [Entry(key, _s(eid), (fields or {}).get(b"e")) for eid, fields in claimed]
        pipe = self.redis.pipeline(transaction=False)
        for e in entries:
            pipe.xpending_range(key, self.group, min=e.id, max=e.id, count=1)
        infos = await pipe.execute()
        errors = await self.redis.hmget(self.keys.errors(self.group), [e.ref for e in entries])
        live: list[Entry] = []
        for entry, info, err in zip(entries, infos, errors):
            entry.deliveries = info[0]["times_delivered"] if info else 1
            if entry.deliveries > self.config.max_deliveries:
                try:
                    entry.env = decode(entry.raw or b"")
                except Undecodable:
                    entry.env = None
                last = _s(err) if err else "no error recorded (consumer died mid-handler)"
                await self._dead_letter(entry, f"gave up after {entry.deliveries - 1} deliveries: {last}")
            else:
                live.append(entry)
        if live:
            await self.process(live)
