"""The runtime every service shares: pool, migrations, relay, consumer, HTTP, signals.

A service describes itself with a `ServiceSpec` in its `app.py` (wiring only) and
`python -m mf_<name>` calls `run(SPEC)`. Same start-up, same /healthz, same shutdown
everywhere, so knowing one service means knowing all.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from .bus.config import BusConfig
from .bus.consumer import Consumer
from .bus.context import Handler
from .bus.ephemeral import EphemeralPublisher
from .bus.keys import Keys
from .bus.relay import Relay
from .db import create_pool, load_migrations, migrate
from .logging import configure_logging, get_logger
from .settings import Settings, get_settings
from .zerocopy import ZeroCopyProtocol

log = get_logger(__name__)


@dataclass
class Runtime:
    """What a running service holds; handed to its routes, tasks and health hooks."""

    spec: ServiceSpec
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    keys: Keys
    publisher: EphemeralPublisher
    started_at: float = field(default_factory=time.time)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.spec.schema_in(self.settings)


Task = Callable[[Runtime, asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    port: Callable[[Settings], int]
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Read tables `mf replay rebuild` may wipe and refill from the event log.
    projection_tables: tuple[str, ...] = ()
    long_concurrency: Callable[[Settings], int] = lambda s: 2
    # Short-handler sub-batches applied concurrently. Above 1 only for handlers that
    # touch disjoint rows per job, or concurrent sub-batches deadlock on shared rows.
    parallel_batches: int = 1
    http: Callable[[Runtime], FastAPI] | None = None
    on_start: Callable[[Runtime], Awaitable[None]] | None = None
    # After the consumer and HTTP have stopped, before connections close.
    on_stop: Callable[[Runtime], Awaitable[None]] | None = None
    tasks: tuple[Task, ...] = ()
    health: Callable[[Runtime], Awaitable[dict[str, Any]]] | None = None

    def schema_in(self, settings: Settings) -> str:
        """The Postgres schema this service owns (MF_DB_SCHEMA_PREFIX + name)."""
        return f"{settings.db_schema_prefix}{self.name}"

    def migrations(self):
        return (load_migrations("mf_contracts", component="bus")
                + load_migrations(self.package, component=self.name))


async def open_runtime(spec: ServiceSpec, settings: Settings, *, pool_size: int = 10) -> Runtime:
    schema = spec.schema_in(settings)
    pool = await create_pool(settings.database_url, schema=schema, max_size=pool_size)
    await migrate(pool, schema=schema, migrations=spec.migrations())
    redis = Redis.from_url(settings.redis_url)
    keys = Keys(settings.redis_prefix)
    publisher = EphemeralPublisher(redis=redis, keys=keys, maxlen=settings.progress_maxlen)
    return Runtime(spec, settings, pool, redis, keys, publisher)


async def close_runtime(rt: Runtime) -> None:
    await rt.redis.aclose()
    await rt.pool.close()


def build_consumer(rt: Runtime, *, config: BusConfig | None = None) -> Consumer:
    cfg = config or BusConfig.from_settings(
        rt.settings, long_concurrency=rt.spec.long_concurrency(rt.settings),
        parallel=rt.spec.parallel_batches)
    return Consumer(pool=rt.pool, redis=rt.redis, keys=rt.keys, group=rt.spec.name,
                    handlers=dict(rt.spec.handlers), config=cfg, publisher=rt.publisher, runtime=rt)


async def health(rt: Runtime) -> tuple[int, dict[str, Any]]:
    checks: dict[str, Any] = {"service": rt.spec.name, "uptime_s": round(time.time() - rt.started_at)}
    try:
        await asyncio.wait_for(rt.pool.fetchval("SELECT 1"), 2)
        checks["postgres"] = "ok"
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        checks["postgres"] = f"down: {exc}"
    try:
        await asyncio.wait_for(rt.redis.ping(), 2)
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"down: {exc}"
    if rt.spec.health:
        checks.update(await rt.spec.health(rt))
    ok = checks["postgres"] == "ok" and checks["redis"] == "ok"
    checks["status"] = "ok" if ok else "degraded"
    return (200 if ok else 503), checks


def build_app(rt: Runtime) -> FastAPI:
    app = rt.spec.http(rt) if rt.spec.http else FastAPI(title=f"mf-{rt.spec.name} (internal)")

    async def healthz() -> JSONResponse:
        code, body = await health(rt)
        return JSONResponse(body, status_code=code)

    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    # The service token check reads this service's settings, not the process-wide ones:
    # several services with their own settings may share a process. (Not through
    # dependency_overrides: with any override set, FastAPI analyses every dependency's
    # signature again on every request, a fifth of the gateway's CPU when streaming.)
    app.state.settings = rt.settings
    # First, so a service's catch-all route (the gateway's SPA) cannot shadow it.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        pass


async def serve(spec: ServiceSpec, settings: Settings | None = None,
                stop: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    configure_logging(service=spec.name, level=settings.log_level, fmt=settings.log_format)
    settings.check_secrets()
    rt = await open_runtime(spec, settings)
    stop = stop or asyncio.Event()
    try:
        if spec.on_start:
            await spec.on_start(rt)
    except BaseException:
        await close_runtime(rt)
        raise
    with _signals_set(stop):
        crashed = await _run_tasks(rt, stop)
    if crashed:  # let the supervisor (compose, honcho) see it and restart us
        raise SystemExit(1)


@contextlib.contextmanager
def _signals_set(stop: asyncio.Event):
    """SIGTERM/SIGINT set `stop` while the service runs, and are given back afterwards
    (a test process that ran a service in-process must still die on Ctrl-C)."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _run_tasks(rt: Runtime, stop: asyncio.Event) -> bool:
    """Relay, HTTP, consumer and the service's own tasks until `stop`; True if one crashed."""
    spec, settings = rt.spec, rt.settings
    server = _Server(uvicorn.Config(build_app(rt), host=settings.host, port=spec.port(settings),
                                    log_config=None, access_log=False, lifespan="off",
                                    http=ZeroCopyProtocol))
    relay = Relay(pool=rt.pool, redis=rt.redis, keys=rt.keys, schema=rt.schema,
                  dsn=settings.database_url)
    tasks = [asyncio.create_task(relay.run(stop), name="relay"),
             asyncio.create_task(server.serve(), name="http")]
    if spec.handlers:
        tasks.append(asyncio.create_task(build_consumer(rt).run(stop), name="consumer"))
    tasks += [asyncio.create_task(t(rt, stop), name=getattr(t, "__name__", "task")) for t in spec.tasks]
    log.info("service started", port=spec.port(settings), handles=sorted(spec.handlers))
    crashed = False
    try:
        done, _ = await asyncio.wait([asyncio.create_task(stop.wait()), *tasks],
                                     return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task in tasks and task.exception():
                crashed = True
                log.error("service task crashed", task=task.get_name(), error=repr(task.exception()))
    finally:
        stop.set()
        server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            if spec.on_stop:
                await spec.on_stop(rt)
        finally:
            await close_runtime(rt)
            log.info("service stopped")
    return crashed


def run(spec: ServiceSpec) -> None:
    try:  # uvloop: faster sockets for streaming video and the bus; plain asyncio works too
        import uvloop
    except ImportError:
        asyncio.run(serve(spec))
    else:
        uvloop.run(serve(spec))
