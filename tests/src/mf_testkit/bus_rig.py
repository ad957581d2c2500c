"""Helpers for bus tests: a producer with an outbox, consumers run as tasks, polling."""
from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable

from mf_contracts.bus.config import BusConfig
from mf_contracts.bus.consumer import Consumer
from mf_contracts.bus.outbox import append_many
from mf_contracts.bus.relay import drain
from mf_contracts.envelope import Envelope, new_envelope
from mf_contracts.events import UrlSubmitted
from mf_contracts.service import Runtime, ServiceSpec, build_consumer, open_runtime, close_runtime
from mf_contracts.settings import Settings


def producer_spec(name: str = "producer") -> ServiceSpec:
    """A service that only emits: its schema holds just the bus tables."""
    return ServiceSpec(name=name, package="mf_testkit", port=lambda s: 0)


@asynccontextmanager
async def runtime(spec: ServiceSpec, settings: Settings) -> AsyncIterator[Runtime]:
    rt = await open_runtime(spec, settings)
    try:
        yield rt
    finally:
        await close_runtime(rt)


def url_events(urls: list[str], *, user_id: uuid.UUID | None = None) -> list[Envelope]:
    return [new_envelope(UrlSubmitted(url=u), correlation_id=uuid.uuid4(), user_id=user_id)
            for u in urls]


async def emit(rt: Runtime, envs: list[Envelope], *, chunk: int = 2000, publish: bool = True) -> None:
    """Append to the producer's outbox (one transaction per chunk) and relay to Redis."""
    for start in range(0, len(envs), chunk):
        async with rt.pool.acquire() as conn, conn.transaction():
            await append_many(conn, envs[start:start + chunk])
    if publish:
        await drain(rt.pool, rt.redis, rt.keys, schema=rt.schema)


def fast_config(settings: Settings, **overrides) -> BusConfig:
    base = dict(claim_idle_ms=settings.claim_idle_ms, heartbeat_ms=settings.heartbeat_ms,
                max_deliveries=settings.max_deliveries, batch_size=256, block_ms=100,
                shutdown_grace_s=2.0)
    return BusConfig(**{**base, **overrides})


@asynccontextmanager
async def consuming(rt: Runtime, *, config: BusConfig | None = None) -> AsyncIterator[Consumer]:
    """Run a consumer for the block; stops it (gracefully) on exit."""
    consumer = build_consumer(rt, config=config or fast_config(rt.settings))
    await consumer.ensure_groups()
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def wait_until(check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0,
                     every: float = 0.05, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


async def count(rt: Runtime, sql: str, *args) -> int:
    return int(await rt.pool.fetchval(sql, *args))


def start_worker(settings: Settings, name: str, *args: str, **env: str):
    """A projection consumer in its own process (mf_testkit.bus_worker), ready to kill -9."""
    import subprocess
    import sys

    from .infra import settings_env

    proc = subprocess.Popen([sys.executable, "-m", "mf_testkit.bus_worker", name, *args],
                            env=settings_env(settings, **env), stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("ready"), f"worker did not start: {line!r}"
    return proc
