"""Running real services inside a test, submitting jobs and watching their events.

`running(settings, specs)` starts each service with the production runtime
(`mf_contracts.service.serve`: migrations, relay, consumer, HTTP) as tasks in the test's
event loop, on free ports. `EventWatch` follows the durable streams from the start (no
consumer group: it disturbs nobody) and answers "what happened to job X".
"""
from __future__ import annotations

import asyncio
import socket
import time
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Iterable

from redis.asyncio import Redis

from mf_contracts.envelope import Envelope, Undecodable, decode, new_envelope
from mf_contracts.events import Event, Stream, UrlSubmitted
from mf_contracts.service import ServiceSpec, serve
from mf_contracts.settings import Settings

from .bus_rig import emit, producer_spec, runtime

TERMINAL = {"LibraryItemAdded", "DownloadFailed", "TranscodeFailed", "StoreFailed",
            "EventDeadLettered"}
PORT_FIELDS = {"gateway": "port", "downloader": "downloader_port", "transcoder": "transcoder_port",
               "library": "library_port", "feeds": "feeds_port", "vault": "vault_port"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pipeline_settings(settings: Settings, **overrides) -> Settings:
    """Test settings with free ports for every service and their URLs pointing there."""
    update: dict = {"allow_private_networks": True}
    for name, field in PORT_FIELDS.items():
        port = free_port()
        update[field] = port
        if name != "gateway":
            update[f"{name}_url"] = f"http://127.0.0.1:{port}"
    update.update(overrides)
    return settings.model_copy(update=update)


@asynccontextmanager
async def running(settings: Settings, specs: Iterable[ServiceSpec]) -> AsyncIterator[dict]:
    """Run services until the block ends; yields {name: task}."""
    stop = asyncio.Event()
    tasks = {spec.name: asyncio.create_task(serve(spec, settings, stop), name=spec.name)
             for spec in specs}
    try:
        await _wait_started(settings, tasks)
        yield tasks
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks.values(), return_exceptions=True), 30)


async def _wait_started(settings: Settings, tasks: dict, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        for name, task in tasks.items():
            port = getattr(settings, PORT_FIELDS.get(name, "port"))
            while True:
                if task.done():
                    task.result()  # raises the start-up error
                    raise AssertionError(f"{name} stopped during start-up")
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} did not become healthy")
                await asyncio.sleep(0.05)


class Submitter:
    """Stands in for the gateway: emits UrlSubmitted (and others) from its own outbox."""

    def __init__(self, rt) -> None:
        self.rt = rt

    async def submit(self, url: str, *, user_id: uuid.UUID | None = None) -> uuid.UUID:
        job_id = uuid.uuid4()
        await self.send(UrlSubmitted(url=url), job_id=job_id, user_id=user_id or uuid.uuid4())
        return job_id

    async def send(self, payload: Event, *, job_id: uuid.UUID, user_id: uuid.UUID | None = None) -> Envelope:
        env = new_envelope(payload, correlation_id=job_id, user_id=user_id)
        await emit(self.rt, [env])
        return env


@asynccontextmanager
async def submitter(settings: Settings, name: str = "submitter") -> AsyncIterator[Submitter]:
    async with runtime(producer_spec(name), settings) as rt:
        yield Submitter(rt)


class EventWatch:
    """Follows every durable stream (and progress) from the beginning with XREAD."""

    def __init__(self, settings: Settings, streams: Iterable[str] = (*Stream.DURABLE, Stream.PROGRESS)):
        self.redis = Redis.from_url(settings.redis_url)
        self.keys = {f"{settings.redis_prefix}stream:{s}": "0-0" for s in streams}
        self.events: list[Envelope] = []

    async def close(self) -> None:
        await self.redis.aclose()

    async def poll(self, block_ms: int = 100) -> None:
        resp = await self.redis.xread(self.keys, count=1000, block=block_ms)
        for key, items in resp or []:
            for eid, fields in items:
                self.keys[key.decode()] = eid.decode()
                try:
                    self.events.append(decode(fields.get(b"e", b"")))
                except Undecodable:
                    pass

    def of(self, job_id: uuid.UUID, *types: str) -> list[Envelope]:
        return [e for e in self.events if e.correlation_id == job_id and (not types or e.type in types)]

    async def wait_for(self, job_id: uuid.UUID, types: Iterable[str] = TERMINAL, *,
                       timeout: float = 60) -> Envelope:
        """The first event of the job with one of `types` (default: any terminal one)."""
        wanted = set(types)
        deadline = time.monotonic() + timeout
        while True:
            found = self.of(job_id, *wanted)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                seen = [e.type for e in self.of(job_id)]
                raise AssertionError(f"job {job_id}: none of {sorted(wanted)} within {timeout}s; saw {seen}")
            await self.poll()


@asynccontextmanager
async def watching(settings: Settings) -> AsyncIterator[EventWatch]:
    watch = EventWatch(settings)
    try:
        yield watch
    finally:
        await watch.close()
