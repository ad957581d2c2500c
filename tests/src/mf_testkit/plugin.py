"""pytest plugin (loaded with `-p mf_testkit.plugin`): the fixtures every suite shares."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from mf_contracts.settings import Settings

from .fixtures_media import *  # noqa: F401,F403 - media files and the local HTTP server
from .infra import fresh_database, fresh_redis


@pytest_asyncio.fixture(scope="session")
async def pg_dsn() -> AsyncIterator[str]:
    async with fresh_database() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with fresh_redis() as url:
        yield url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix per test, so tests in one run never see each other's streams."""
    return f"t{secrets.token_hex(4)}:"


@pytest.fixture
def uniq(redis_prefix: str) -> str:
    """A short token unique to this test, for schema and group names."""
    return redis_prefix.strip(":")


@pytest_asyncio.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def settings(pg_dsn: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=pg_dsn, redis_url=redis_url,
                    redis_prefix=redis_prefix, db_schema_prefix=redis_prefix.replace(":", "_"),
                    media_root=tmp_path / "media",
                    claim_idle_ms=1_000, heartbeat_ms=250, max_deliveries=3, log_format="console")


@pytest_asyncio.fixture
async def stack(settings: Settings):
    """Every service running, the gateway on stack.url (see mf_testkit.stack)."""
    from .stack import full_stack

    async with full_stack(settings) as running_stack:
        yield running_stack
