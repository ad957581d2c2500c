"""Real PostgreSQL and Redis for tests: a fresh database and Redis DB index per run.

Taken from MF_TEST_DATABASE_URL / MF_TEST_REDIS_URL when set (CI and dev machines run
the servers locally); otherwise the local defaults; otherwise testcontainers, for
machines with a Docker engine and no local servers.
"""
from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager, contextmanager
from typing import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis as redis_sync

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
_CLAIM_TTL_S = 6 * 3600


def _with_db(dsn: str, db: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{db}"))


@contextmanager
def _container(kind: str) -> Iterator[str]:
    try:
        if kind == "pg":
            from testcontainers.postgres import PostgresContainer as C  # type: ignore
            with C("postgres:16-alpine", driver=None) as c:
                yield c.get_connection_url()
        else:
            from testcontainers.redis import RedisContainer as C  # type: ignore
            with C("redis:7-alpine") as c:
                yield f"redis://{c.get_container_host_ip()}:{c.get_exposed_port(6379)}/0"
    except ImportError:
        raise RuntimeError(f"no {kind} server reachable and testcontainers is not installed; "
                           "set MF_TEST_DATABASE_URL / MF_TEST_REDIS_URL") from None


async def _pg_reachable(dsn: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """Create `mf_test_<random>`, yield its DSN, drop it afterwards."""
    admin = os.environ.get("MF_TEST_DATABASE_URL") or DEFAULT_PG
    if not os.environ.get("MF_TEST_DATABASE_URL") and not await _pg_reachable(admin):
        with _container("pg") as url:
            async with _database_in(url.replace("postgresql+psycopg2", "postgresql")) as dsn:
                yield dsn
        return
    async with _database_in(admin) as dsn:
        yield dsn


@asynccontextmanager
async def _database_in(admin: str) -> AsyncIterator[str]:
    name = f"mf_test_{os.getpid()}_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield _with_db(admin, name)
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@contextmanager
def fresh_redis() -> Iterator[str]:
    """Claim an empty Redis DB index (1..15) for this run, yield its URL, empty it after.

    Tests FLUSHDB their own index (the replay tests must), so each run gets a whole
    index; the claim key in DB 0 keeps two concurrent runs apart.
    """
    base = os.environ.get("MF_TEST_REDIS_URL") or DEFAULT_REDIS
    try:
        redis_sync.Redis.from_url(base, socket_timeout=3).ping()
    except redis_sync.RedisError:
        if os.environ.get("MF_TEST_REDIS_URL"):
            raise
        with _container("redis") as url:
            yield url
        return
    parts = urlsplit(base)
    token = secrets.token_hex(8)
    control = redis_sync.Redis.from_url(urlunsplit(parts._replace(path="/0")))
    for index in range(15, 0, -1):
        claim = f"mf-test-claim:{index}"
        if not control.set(claim, token, nx=True, ex=_CLAIM_TTL_S):
            continue
        url = urlunsplit(parts._replace(path=f"/{index}"))
        db = redis_sync.Redis.from_url(url)
        db.flushdb()
        try:
            yield url
        finally:
            db.flushdb()
            if control.get(claim) == token.encode():
                control.delete(claim)
        return
    raise RuntimeError("no free Redis DB index (1..15) for this test run")


def settings_env(settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child process read the same Settings."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if isinstance(value, list):
            value = ",".join(value)
        env[f"MF_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    env.update(extra)
    return env
